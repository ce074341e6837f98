"""The OpenAPI document: served without a token, valid in outline, every path routed, and the
responses of a sample of calls match the schemas it documents."""

import re

import jsonschema_rs
import pytest
from sqlalchemy import select
from werkzeug.exceptions import MethodNotAllowed, NotFound

from maturity.api.openapi import build_document
from maturity.auth import tokens
from maturity.evidence import operations
from maturity.extensions import db
from maturity.models import Feature


def test_document_is_served_without_a_token(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    assert document["info"]["title"] and document["info"]["version"]
    assert document["paths"]
    assert "Set-Cookie" not in response.headers


def test_every_documented_path_is_routed(app):
    document = build_document()
    prefix = document["servers"][0]["url"]
    adapter = app.url_map.bind("localhost")
    for path, item in document["paths"].items():
        url = prefix + re.sub(r"\{[^}]+\}", "1", path)
        for method in item:
            assert method in {"get", "post", "put", "patch", "delete"}
            try:
                endpoint, _ = adapter.match(url, method=method.upper())
            except (NotFound, MethodNotAllowed):  # pragma: no cover - the failure message
                pytest.fail(f"{method.upper()} {url} is documented but not routed")
            assert endpoint.startswith("api.")


def test_every_api_route_is_documented(app):
    document = build_document()
    prefix = document["servers"][0]["url"]
    documented = {
        (prefix + re.sub(r"\{([^}]+)\}", r"<\1>", path), method.upper())
        for path, item in document["paths"].items()
        for method in item
    }
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        plain = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"<\1>", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (plain, method) in documented, f"{method} {rule.rule} is routed but not documented"


def test_references_resolve_and_operations_are_complete():
    document = build_document()
    schemas = document["components"]["schemas"]
    text = repr(document)
    for name in re.findall(r"#/components/schemas/(\w+)", text):
        assert name in schemas, name
    operation_ids = []
    for path, item in document["paths"].items():
        for operation in item.values():
            assert operation["responses"] and operation["summary"]
            operation_ids.append(operation["operationId"])
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    assert "{" + parameter["name"] + "}" in path and parameter["required"] is True
    assert len(operation_ids) == len(set(operation_ids))
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def validator(document, schema):
    root = dict(schema)
    root["components"] = document["components"]
    return jsonschema_rs.validator_for(root)


def response_schema(document, path, status="200"):
    return document["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"]


@pytest.fixture
def sample(make_area, make_user, make_assessment, framework):
    area = make_area("Hampshire")
    coordinator = make_user("coordinator", area)
    assessment = make_assessment(area, period_start=None)
    feature = db.session.scalar(select(Feature).where(Feature.framework_id == framework.id, Feature.key == "str-dev-1"))
    base = {"organisation_id": None, "about_date": None, "source_type": "x", "link": None, "description": None}
    operations.add_evidence(assessment, coordinator, {**base, "title": "x", "kind": "qualitative"}, [feature])
    assessment.strand_ratings[0].self_rating = "developing-maturing"
    _, value = tokens.create_token(coordinator, "x")
    db.session.commit()
    return {"assessment": assessment, "headers": {"Authorization": f"Bearer {value}"}}


def test_responses_match_the_documented_shapes(client, sample):
    document = client.get("/api/v1/openapi.json").get_json()
    calls = [
        ("/areas", "/api/v1/areas", "200"),
        ("/assessments/{assessment_id}", f"/api/v1/assessments/{sample['assessment'].id}", "200"),
        ("/assessments/{assessment_id}", "/api/v1/assessments/999999", "404"),
    ]
    for path, url, status in calls:
        response = client.get(url, headers=sample["headers"])
        assert str(response.status_code) == status
        check = validator(document, response_schema(document, path, status))
        errors = [str(e) for e in check.iter_errors(response.get_json())]
        assert errors == [], (url, errors[:3])
    unauthorised = client.get("/api/v1/areas")
    check = validator(document, response_schema(document, "/areas", "401"))
    assert check.is_valid(unauthorised.get_json())


def test_schema_catches_a_wrong_shape(client, sample):
    document = client.get("/api/v1/openapi.json").get_json()
    body = client.get(f"/api/v1/assessments/{sample['assessment'].id}", headers=sample["headers"]).get_json()
    body["strands"][0]["evidence"].pop("total")
    check = validator(document, response_schema(document, "/assessments/{assessment_id}"))
    assert not check.is_valid(body)


def test_paths_written_in_full_are_merged_relative(monkeypatch):
    from maturity.api import workshops

    monkeypatch.setattr(
        workshops, "OPENAPI_PATHS", {"/api/v1/workshops/{workshop_id}/results": {"get": {"summary": "x", "operationId": "w", "responses": {}}}},
        raising=False,
    )
    document = build_document()
    assert "/workshops/{workshop_id}/results" in document["paths"]
