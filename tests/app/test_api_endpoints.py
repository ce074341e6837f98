"""GET /api/v1/areas and /api/v1/assessments/<id>: what a token's user may see, in documented shapes."""

import pytest
from sqlalchemy import select

from maturity.auth import tokens
from maturity.evidence import operations
from maturity.extensions import db
from maturity.models import Feature, StrandRating


@pytest.fixture
def api(make_area, make_user, make_assessment, framework):
    hampshire = make_area("Hampshire")
    tameside = make_area("Tameside", kind="metropolitan")
    coordinator = make_user("coordinator", hampshire)
    assessment = make_assessment(hampshire, title="Early help maturity self-assessment 2016")
    elsewhere = make_assessment(tameside, title="Tameside 2016")
    _, value = tokens.create_token(coordinator, "tests")
    db.session.commit()
    return {
        "hampshire": hampshire,
        "tameside": tameside,
        "coordinator": coordinator,
        "assessment": assessment,
        "elsewhere": elsewhere,
        "headers": {"Authorization": f"Bearer {value}"},
        "framework": framework,
    }


def features(framework, *keys):
    found = {f.key: f for f in db.session.scalars(select(Feature).where(Feature.framework_id == framework.id))}
    return [found[k] for k in keys]


def test_areas_lists_only_the_users_areas_with_their_assessments(client, api):
    body = client.get("/api/v1/areas", headers=api["headers"]).get_json()
    assert [a["name"] for a in body["areas"]] == ["Hampshire"]
    area = body["areas"][0]
    assert area["kind"] == "county" and area["kind_label"] == "County"
    assert area["assessments"] == [
        {
            "id": api["assessment"].id,
            "title": "Early help maturity self-assessment 2016",
            "period_label": "2016 to 2017",
            "status": "draft",
            "status_label": "Draft",
        }
    ]


def test_national_team_sees_every_area(client, api, make_user):
    admin = make_user(admin=True)
    _, value = tokens.create_token(admin, "national")
    db.session.commit()
    body = client.get("/api/v1/areas", headers={"Authorization": f"Bearer {value}"}).get_json()
    assert [a["name"] for a in body["areas"]] == ["Hampshire", "Tameside"]


def test_another_areas_assessment_is_404_json(client, api):
    response = client.get(f"/api/v1/assessments/{api['elsewhere'].id}", headers=api["headers"])
    assert response.status_code == 404 and response.is_json
    assert "Tameside" not in response.get_data(as_text=True)
    assert client.get("/api/v1/assessments/999999", headers=api["headers"]).status_code == 404


def test_assessment_figures_per_strand(client, api):
    framework, assessment, coordinator = api["framework"], api["assessment"], api["coordinator"]
    strategy = next(s for s in framework.strands if s.key == "strategy")
    developing = [f for e in strategy.elements for f in e.features if f.stage == 2]
    base = {"organisation_id": None, "about_date": None, "source_type": "x", "link": None, "description": None}
    operations.add_evidence(assessment, coordinator, {**base, "title": "Strategy", "kind": "qualitative"}, developing)
    operations.add_evidence(
        assessment, coordinator, {**base, "title": "Families in work", "kind": "quantitative", "value": 3},
        features(framework, "str-mat-2"),
    )
    rejected = operations.add_evidence(
        assessment, coordinator, {**base, "title": "Rejected", "kind": "qualitative"}, features(framework, "str-mat-1")
    )
    operations.review_evidence(rejected, coordinator, "rejected", "Out of date")
    rating = db.session.scalar(
        select(StrandRating).where(StrandRating.assessment_id == assessment.id, StrandRating.strand_id == strategy.id)
    )
    rating.self_rating = "maturing"
    rating.agreed_rating = "developing-maturing"
    db.session.commit()

    response = client.get(f"/api/v1/assessments/{assessment.id}", headers=api["headers"])
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == assessment.id and body["area"] == {"id": api["hampshire"].id, "name": "Hampshire"}
    assert body["framework"]["key"] == framework.key and body["framework"]["version"] == framework.version
    assert body["status"] == "draft"
    assert [s["key"] for s in body["strands"]] == [s.key for s in framework.strands]
    strand = next(s for s in body["strands"] if s["key"] == "strategy")
    assert strand["self_rating"] == {"code": "maturing", "label": "Maturing", "low": 3, "high": 3}
    assert strand["agreed_rating"]["code"] == "developing-maturing"
    assert strand["agreed_rating"]["label"] == "Developing–Maturing"
    assert strand["evidenced"] == {"stage": 2, "code": "developing", "label": "Developing"}
    assert strand["evidence"] == {"qualitative": 1, "quantitative": 1, "total": 2}
    # Developing is evidenced and maturing under way (one of its five achievements), which is
    # what an agreed "Developing–Maturing" says, so the claim is not above the evidence.
    assert strand["next_stage"] == {
        "stage": {"stage": 3, "code": "maturing", "label": "Maturing"}, "evidenced": 1, "total": 5,
    }
    assert "claim_above_evidence" not in strand["flags"]
    assert "one_kind_of_evidence" not in strand["flags"]
    assert strand["features"]["supported"] == len(developing) + 1
    other = next(s for s in body["strands"] if s["key"] == "leadership")
    assert other["self_rating"] is None and other["agreed_rating"] is None
    assert other["evidenced"]["code"] == "early"
    assert other["evidence"] == {"qualitative": 0, "quantitative": 0, "total": 0}
    assert other["flags"] == []
    assert len(other["elements"]) == 4


def test_last_used_is_recorded(client, api):
    from maturity.models import ApiToken

    token = db.session.scalar(select(ApiToken))
    assert token.last_used_at is None
    client.get("/api/v1/areas", headers=api["headers"])
    db.session.refresh(token)
    assert token.last_used_at is not None


def test_absurd_assessment_id_is_404(client, api):
    response = client.get(f"/api/v1/assessments/{10**22}", headers=api["headers"])
    assert response.status_code == 404 and response.is_json
