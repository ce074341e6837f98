"""Helpers for the workshop tests: the rounds a new workshop gets, and a phone that joins and votes.

The fixtures that make a coordinator and a workshop are in tests/app/conftest.py."""

from flask import Flask
from flask.testing import FlaskClient

from maturity.extensions import db
from maturity.models import Workshop
from maturity.workshops import operations


def default_rounds(assessment):
    """The six strands, delivery as its two elements (what the set-up page offers first)."""
    specs = []
    for strand in assessment.framework.strands:
        if strand.key == "delivery":
            specs.extend((strand, element) for element in strand.elements)
        else:
            specs.append((strand, None))
    return specs


def join(app: Flask, workshop: Workshop, org_type: str | None = None) -> FlaskClient:
    """A new browser that has joined the workshop."""
    client = app.test_client()
    data = {"org_type": org_type} if org_type else {}
    response = client.post(f"/join/{workshop.join_code}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def vote(client: FlaskClient, workshop: Workshop | str, round_id: int, stage):
    """Vote as the phone's script does; `workshop` may be the join code (for threads)."""
    code = workshop if isinstance(workshop, str) else workshop.join_code
    return client.post(f"/live/join/{code}/vote", json={"round_id": round_id, "stage": stage})


def open_current(workshop: Workshop):
    round_ = operations.open_round(workshop)
    db.session.commit()
    return round_
