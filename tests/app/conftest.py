"""Fixtures shared by the app tests beyond tests/conftest.py's: a coordinator and workshops.

Helpers that are plain functions (a phone joining and voting) are in tests/support.
"""

from collections.abc import Callable

import pytest

from maturity.extensions import db
from maturity.models import Survey, Workshop
from maturity.surveys import operations as survey_operations
from maturity.workshops import operations
from tests.support.workshops import default_rounds


@pytest.fixture
def coordinator(make_area, make_user):
    area = make_area("Testshire")
    return make_user("coordinator", area)


@pytest.fixture
def make_workshop(app, make_assessment) -> Callable[..., Workshop]:
    def make(assessment=None, rounds=None, **settings) -> Workshop:
        assessment = assessment or make_assessment()
        workshop = operations.create_workshop(
            assessment, settings.pop("title", "Partnership workshop"),
            rounds if rounds is not None else default_rounds(assessment), **settings
        )
        db.session.commit()
        return workshop

    return make


@pytest.fixture
def make_survey(app, make_assessment) -> Callable[..., Survey]:
    """A survey on an assessment (a new one when none is given), open unless `status` says
    otherwise; `items` default to the six strands, delivery as its two elements."""

    def make(assessment=None, items=None, status: str = "open", **settings) -> Survey:
        assessment = assessment or make_assessment()
        survey = survey_operations.create_survey(
            assessment, settings.pop("title", "Partners' survey"),
            items if items is not None else default_rounds(assessment), **settings
        )
        if status in ("open", "closed"):
            survey_operations.open_survey(survey)
        if status == "closed":
            survey_operations.close_survey(survey)
        db.session.commit()
        return survey

    return make
