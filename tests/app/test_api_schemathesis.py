"""Schemathesis against the API's own OpenAPI document, through the Flask app as a WSGI app.

Every documented operation is called with generated input (ids of every size, missing and
malformed query arguments), authenticated with a real personal token made here: no answer may
be a server error, and every answer must conform to the document (status codes, content type,
response schema). A second pass calls each operation with ids that exist, so the 200 answers
are checked against their schemas too.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode, checks
from sqlalchemy import select

from maturity.extensions import db

pytestmark = pytest.mark.slow

#: Examples per operation: enough to find 5xx on ids and query arguments, quick enough for `make test`.
MAX_EXAMPLES = 25


@pytest.fixture
def api_world(app, make_area, make_user, make_assessment, framework):
    """An area with two rated cycles, evidence and a finished workshop, and a coordinator's token."""
    from maturity.assessments import operations as assessments
    from maturity.auth import tokens
    from maturity.evidence import operations as evidence
    from maturity.models import Feature
    from maturity.workshops import operations as workshops

    area = make_area("Hampshire")
    coordinator = make_user("coordinator", area)
    first = make_assessment(area, title="Self-assessment 2016", user=coordinator)
    second = make_assessment(area, title="Self-assessment 2017", period_label="2017 to 2018", user=coordinator)
    for strand in framework.strands:
        assessments.set_self_rating(first, strand, "developing", "From the evidence", coordinator)
        assessments.set_agreed_rating(second, strand, "developing-maturing", "Agreed with partners", coordinator)
    feature = db.session.scalar(select(Feature).where(Feature.framework_id == framework.id, Feature.key == "str-dev-1"))
    base = {"organisation_id": area.organisations[0].id, "source_type": "Board minutes"}
    evidence.add_evidence(first, coordinator, {**base, "title": "Strategy", "kind": "qualitative"}, [feature])
    evidence.add_evidence(first, coordinator, {**base, "title": "Families", "kind": "quantitative", "value": 312}, [feature])
    workshop = workshops.create_workshop(first, "Partnership workshop", [(s, None) for s in framework.strands[:2]], user=coordinator)
    round_ = workshops.open_round(workshop)
    for stage in (2, 3, 3, None):
        participant = workshops.join(workshop, "police")
        db.session.flush()
        workshops.cast_vote(workshop.id, round_.id, participant.id, stage)
    workshops.close_round(workshop)
    workshops.end_workshop(workshop)
    _, value = tokens.create_token(coordinator, "Schemathesis")
    db.session.commit()
    return SimpleNamespace(
        headers={"Authorization": f"Bearer {value}"},
        ids={"assessment_id": first.id, "workshop_id": workshop.id, "a": first.id, "b": second.id},
    )


@pytest.fixture
def api_schema(app, api_world):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every documented operation, read from the document at collection."""
    from maturity.api.openapi import build_document

    return [(method.upper(), path) for path, item in build_document()["paths"].items() for method in item]


OPERATIONS = _operations()
FUZZ = settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_generated_requests_get_no_5xx_and_conform_to_the_document(api_schema, api_world, method, path):
    operation = api_schema[path][method]

    # The document says /compare answers 400 for the same assessment twice, a rule between two
    # parameters that JSON Schema cannot state; every other check applies everywhere.
    excluded = [checks.positive_data_acceptance] if path == "/compare" else []

    @FUZZ
    @given(case=operation.as_strategy())
    def valid_input(case):
        response = case.call_and_validate(headers=api_world.headers, excluded_checks=excluded)
        if path == "/compare" and response.status_code == 400:
            assert case.query["a"] == case.query["b"], response.text

    valid_input()


@pytest.mark.parametrize(("method", "path"), [o for o in OPERATIONS if "{" in o[1] or o[1] == "/compare"])
def test_input_outside_the_document_gets_a_4xx_json_answer(api_schema, api_world, method, path):
    operation = api_schema[path][method]

    @FUZZ
    @given(case=operation.as_strategy(GenerationMode.NEGATIVE))
    def invalid_input(case):
        response = case.call(headers=api_world.headers)
        assert response.status_code < 500, (case.formatted_path, case.query, response.text[:300])
        if response.status_code >= 400:
            body = response.json()
            assert body["message"] and body["status"] == response.status_code

    invalid_input()


def test_real_ids_answer_200_and_conform_to_the_document(api_schema, api_world):
    checked = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        path_parameters = {p.name: api_world.ids[p.name] for p in operation.path_parameters}
        query = {p.name: api_world.ids[p.name] for p in operation.query if p.name in api_world.ids}
        case = operation.Case(path_parameters=path_parameters or None, query=query or None)
        response = case.call_and_validate(headers=api_world.headers)
        assert response.status_code == 200, (operation.label, response.text[:300])
        checked.append(operation.label)
    assert {f"{m} {p}" for m, p in OPERATIONS} - set(checked) <= {"GET /openapi.json"}, checked


def test_the_checks_catch_a_server_error(app, api_schema, api_world, monkeypatch):
    """The harness itself works: an operation that fails with 500 is reported."""
    from maturity.api import routes

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "api.areas", broken)
    operation = api_schema["/areas"]["GET"]
    with pytest.raises(checks.FailureGroup) as found:
        operation.Case().call_and_validate(headers=api_world.headers)
    assert "Server error" in str(found.value)
    assert routes.areas is not broken
