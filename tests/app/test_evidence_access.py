"""Nobody outside an area can see or touch its evidence: every route answers 404, files included."""

import io

import pytest
from sqlalchemy import select

from maturity.evidence import operations
from maturity.extensions import db
from maturity.models import Evidence, Feature
from tests.support.files import pdf_bytes


@pytest.fixture
def two_areas(make_area, make_user, make_assessment, framework, client, login):
    hampshire = make_area("Hampshire")
    tameside = make_area("Tameside", kind="metropolitan")
    coordinator = make_user("coordinator", hampshire)
    outsider = make_user("coordinator", tameside)
    assessment = make_assessment(hampshire)
    feature = db.session.scalar(select(Feature).where(Feature.framework_id == framework.id, Feature.key == "str-dev-1"))
    login(coordinator)
    response = client.post(
        f"/assessments/{assessment.id}/evidence/new",
        data={
            "title": "Early help strategy",
            "organisation_id": str(hampshire.organisations[0].id),
            "kind": "qualitative",
            "source_type": "__other__",
            "source_other": "Strategy document",
            "features": [str(feature.id)],
            "file": (io.BytesIO(pdf_bytes()), "strategy.pdf"),
            "no_personal_data": "y",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    client.get(response.headers["Location"])  # shows (and so clears) the "added" message
    client.post("/sign-out")
    client.get("/sign-in")
    evidence = db.session.scalar(select(Evidence))
    return {"assessment": assessment, "evidence": evidence, "coordinator": coordinator, "outsider": outsider, "feature": feature, "hampshire": hampshire}


def routes(setting):
    a, e = setting["assessment"].id, setting["evidence"].id
    return [
        ("GET", f"/assessments/{a}/evidence"),
        ("GET", f"/assessments/{a}/evidence?view=strand"),
        ("GET", f"/assessments/{a}/evidence/new"),
        ("POST", f"/assessments/{a}/evidence/new"),
        ("GET", f"/evidence/{e}"),
        ("GET", f"/evidence/{e}/edit"),
        ("POST", f"/evidence/{e}/edit"),
        ("POST", f"/evidence/{e}/review"),
        ("GET", f"/evidence/{e}/delete"),
        ("POST", f"/evidence/{e}/delete"),
        ("GET", f"/evidence/{e}/file"),
    ]


def test_another_areas_coordinator_gets_404_everywhere(client, login, two_areas):
    login(two_areas["outsider"])
    for method, url in routes(two_areas):
        data = {"decision": "accepted", "title": "Hijacked", "kind": "qualitative"} if method == "POST" else None
        response = client.open(url, method=method, data=data)
        assert response.status_code == 404, (method, url, response.status_code)
        body = response.get_data(as_text=True)
        assert "Early help strategy" not in body and "%PDF" not in body
    evidence = db.session.get(Evidence, two_areas["evidence"].id)
    assert evidence.status == "draft" and evidence.title == "Early help strategy"


def test_signed_out_people_are_sent_to_sign_in(client, two_areas):
    for method, url in routes(two_areas):
        response = client.open(url, method=method)
        assert response.status_code == 302, (method, url)
        assert "/sign-in" in response.headers["Location"]


def test_missing_ids_are_404(client, login, two_areas):
    login(two_areas["coordinator"])
    for url in ("/assessments/999999/evidence", "/assessments/999999/evidence/new", "/evidence/999999",
                "/evidence/999999/edit", "/evidence/999999/file", "/evidence/999999/delete"):
        assert client.get(url).status_code == 404, url


def test_national_team_and_members_may_download(client, login, make_user, two_areas):
    from maturity.admin import operations as admin

    contributor = make_user()
    admin.set_membership(contributor, two_areas["hampshire"], "contributor")
    reviewer = make_user()
    admin.set_membership(reviewer, two_areas["hampshire"], "reviewer")
    db.session.commit()
    for person in (make_user(admin=True), contributor, reviewer):
        login(person)
        with client.get(f"/evidence/{two_areas['evidence'].id}/file") as response:
            assert response.status_code == 200
            assert response.data == pdf_bytes()
        client.post("/sign-out")


def test_contributor_gets_403_on_review_and_cannot_accept(client, login, make_user, two_areas):
    from maturity.admin import operations as admin

    contributor = make_user()
    admin.set_membership(contributor, two_areas["hampshire"], "contributor")
    db.session.commit()
    login(contributor)
    evidence = two_areas["evidence"]
    response = client.post(f"/evidence/{evidence.id}/review", data={"decision": "accepted"})
    assert response.status_code == 403
    assert db.session.get(Evidence, evidence.id).status == "draft"


def test_peer_review_grant_lets_a_reviewer_view_but_not_change(client, login, make_user, two_areas, monkeypatch):
    from maturity import access

    guest = two_areas["outsider"]

    def grant(user, need, obj):
        return need == "view" and user.id == guest.id and obj.area_id == two_areas["hampshire"].id

    monkeypatch.setattr(access, "GRANTS", [*access.GRANTS, grant])
    login(guest)
    evidence = two_areas["evidence"]
    assert client.get(f"/assessments/{two_areas['assessment'].id}/evidence").status_code == 200
    with client.get(f"/evidence/{evidence.id}/file") as response:
        assert response.status_code == 200
    assert client.get(f"/evidence/{evidence.id}/edit").status_code == 403
    assert client.post(f"/evidence/{evidence.id}/review", data={"decision": "accepted"}).status_code == 403
    assert client.get(f"/assessments/{two_areas['assessment'].id}/evidence/new").status_code == 403


def test_operations_keep_features_within_the_assessments_framework(two_areas):
    from maturity.models import FrameworkVersion

    assessment = two_areas["assessment"]
    other = FrameworkVersion(key="other", version="1", title="Other", source={}, stages=[], content_hash="x")
    db.session.add(other)
    db.session.flush()
    foreign = Feature(framework_id=other.id, element_id=two_areas["feature"].element_id, stage=2, key="x-1", position=1, text="x")
    db.session.add(foreign)
    db.session.flush()
    with pytest.raises(ValueError):
        operations.add_evidence(assessment, None, {"title": "x", "kind": "qualitative"}, [foreign])
    db.session.rollback()


def test_absurd_ids_are_404_not_500(client, login, two_areas):
    login(two_areas["coordinator"])
    huge = 10**22
    for url in (f"/assessments/{huge}/evidence", f"/evidence/{huge}", f"/evidence/{huge}/file", f"/evidence/{huge}/edit"):
        assert client.get(url).status_code == 404, url
    page = client.get(f"/assessments/{two_areas['assessment'].id}/evidence?strand={huge}&organisation={huge}")
    assert page.status_code == 200
