"""Peer review access: reviewers read one assessment and what belongs to it, change nothing,
see nothing else of the reviewed area, and lose access when the review closes."""

import io
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from maturity.access import can
from maturity.extensions import db
from maturity.models import Evidence, Feature, HistoryEntry, PeerReview, Strand, StrandRating
from maturity.reviews import operations
from tests.support.files import pdf_bytes

#: URL arguments the generic POST sweep knows how to fill for the reviewed assessment.
KNOWN_ARGS = {"assessment_id", "evidence_id", "strand_key", "element_key", "action_id", "workshop_id", "round_id", "review_id", "tally_id", "strand_id"}


@pytest.fixture
def scene(app, client, login, make_area, make_user, make_assessment, framework):
    """Hampshire's 2016 assessment (with evidence and a file) under review by Cheshire West."""
    hampshire = make_area("Hampshire")
    cheshire = make_area("Cheshire West and Chester", kind="unitary")
    tameside = make_area("Tameside", kind="metropolitan")
    coordinator = make_user("coordinator", hampshire, email="coordinator@hampshire.example.org")
    contributor = make_user("contributor", hampshire)
    reviewer = make_user("reviewer", cheshire, email="reviewer@cheshirewest.example.org")
    champion_coordinator = make_user("coordinator", cheshire)
    outsider = make_user("coordinator", tameside)
    reviewed = make_assessment(hampshire, title="Early help maturity self-assessment 2016", user=coordinator)
    other = make_assessment(hampshire, title="Hampshire secret second cycle", period_label="2017 to 2018", user=coordinator)
    leadership = db.session.scalar(select(Strand).where(Strand.framework_id == framework.id, Strand.key == "leadership"))
    reviewed.rating_for(leadership).self_rating = "developing"
    other.rating_for(leadership).self_rating = "mature"
    db.session.commit()

    feature = db.session.scalar(select(Feature).where(Feature.framework_id == framework.id, Feature.key == "str-dev-1"))
    login(coordinator)
    for assessment, title in ((reviewed, "Early help strategy"), (other, "Unreviewed cycle evidence")):
        response = client.post(
            f"/assessments/{assessment.id}/evidence/new",
            data={
                "title": title,
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
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        client.get(response.headers["Location"])  # shows (and so clears) the "added" message
    client.post("/sign-out")
    evidence = db.session.scalar(select(Evidence).where(Evidence.assessment_id == reviewed.id))
    other_evidence = db.session.scalar(select(Evidence).where(Evidence.assessment_id == other.id))
    return SimpleNamespace(
        hampshire=hampshire, cheshire=cheshire, tameside=tameside, coordinator=coordinator,
        contributor=contributor, reviewer=reviewer, champion_coordinator=champion_coordinator,
        outsider=outsider, reviewed=reviewed, other=other, evidence=evidence,
        other_evidence=other_evidence, leadership=leadership,
    )


def fetch(client, path: str):
    """GET a page and close the response (file downloads hold their file open until closed)."""
    response = client.get(path)
    response.get_data()
    response.close()
    return response


def request_review(scene) -> PeerReview:
    review = operations.request_review(scene.reviewed, scene.cheshire, [scene.reviewer], scene.coordinator)
    db.session.commit()
    return review


def reader_pages(scene):
    a, e = scene.reviewed.id, scene.evidence.id
    return [
        f"/assessments/{a}",
        f"/assessments/{a}/strands/leadership",
        f"/assessments/{a}/evidence",
        f"/evidence/{e}",
        f"/evidence/{e}/file",
        f"/assessments/{a}/history",
        f"/assessments/{a}/summary",
    ]


def test_reviewer_sees_nothing_before_the_review_is_requested(client, login, scene):
    login(scene.reviewer)
    for path in reader_pages(scene):
        response = fetch(client, path)
        assert response.status_code == 404, path
        assert "Early help strategy" not in response.get_data(as_text=True)


def test_named_reviewer_reads_the_assessment_its_evidence_and_files(client, login, scene):
    request_review(scene)
    login(scene.reviewer)
    for path in reader_pages(scene):
        assert fetch(client, path).status_code == 200, path
    register = client.get(f"/assessments/{scene.reviewed.id}/evidence").get_data(as_text=True)
    assert "Early help strategy" in register
    download = fetch(client, f"/evidence/{scene.evidence.id}/file")
    assert download.data.startswith(b"%PDF")


def test_reviewer_cannot_read_anything_else_of_the_reviewed_area(client, login, scene):
    request_review(scene)
    login(scene.reviewer)
    o, oe = scene.other.id, scene.other_evidence.id
    for path in (
        f"/areas/{scene.hampshire.id}",
        f"/assessments/{o}",
        f"/assessments/{o}/strands/leadership",
        f"/assessments/{o}/evidence",
        f"/evidence/{oe}",
        f"/evidence/{oe}/file",
        f"/assessments/{o}/summary",
        f"/assessments/{o}/summary.csv",
        f"/areas/{scene.hampshire.id}/benchmark",
        f"/compare?a={o}&b={scene.reviewed.id}",
        f"/api/v1/assessments/{o}",
    ):
        response = fetch(client, path)
        assert response.status_code in (401, 404), path
        body = response.get_data(as_text=True)
        assert "Hampshire secret second cycle" not in body, path
        assert "Unreviewed cycle evidence" not in body, path
    areas = client.get("/areas/").get_data(as_text=True)
    assert "Hampshire" not in areas
    picker = client.get("/compare").get_data(as_text=True)
    assert "Early help maturity self-assessment 2016" in picker
    assert "Hampshire secret second cycle" not in picker


def test_reviewer_trend_page_shows_no_other_cycle(client, login, scene):
    request_review(scene)
    login(scene.reviewer)
    response = client.get(f"/assessments/{scene.reviewed.id}/trend")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "2017 to 2018" not in body and "Hampshire secret second cycle" not in body


def _fill(rule, scene, review):
    values = {}
    for name, converter in rule._converters.items():
        if name == "assessment_id":
            values[name] = scene.reviewed.id
        elif name == "evidence_id":
            values[name] = scene.evidence.id
        elif name == "review_id":
            values[name] = review.id
        elif name in ("strand_key",):
            values[name] = "leadership"
        elif isinstance(converter, IntegerConverter):
            values[name] = 1
        else:
            values[name] = "x"
    return rule.build(values)[1]


def test_reviewer_cannot_change_anything_of_the_reviewed_assessment(app, client, login, scene):
    review = request_review(scene)
    login(scene.reviewer)
    before_evidence = db.session.scalar(select(func.count(Evidence.id)))
    checked = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or not set(rule.arguments) & {"assessment_id", "evidence_id", "workshop_id", "action_id"}:
            continue
        if rule.endpoint.startswith(("reviews.", "compare.", "benchmark.")) and rule.endpoint != "reviews.new":
            continue
        url = _fill(rule, scene, review)
        response = client.post(url, data={"title": "Changed by a reviewer", "rating": "mature", "rationale": "x", "status": "accepted"})
        assert response.status_code in (403, 404), (rule.rule, response.status_code)
        checked.append(rule.endpoint)
    assert {"assessments.self_rating", "evidence.new", "evidence.review", "reviews.new"} <= set(checked)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Evidence.id))) == before_evidence
    row = db.session.scalar(select(StrandRating).where(StrandRating.assessment_id == scene.reviewed.id, StrandRating.strand_id == scene.leadership.id))
    assert row.self_rating == "developing" and row.agreed_rating is None
    assert scene.evidence.status == "draft"


def test_reviewer_cannot_answer_or_close_the_review(client, login, scene):
    review = request_review(scene)
    login(scene.reviewer)
    assert client.post(f"/peer-reviews/{review.id}/close").status_code == 403
    assert client.get(f"/peer-reviews/{review.id}/strands/leadership/answer").status_code == 403


def test_access_ends_when_the_review_closes(client, login, scene):
    review = request_review(scene)
    login(scene.reviewer)
    assert client.get(f"/assessments/{scene.reviewed.id}").status_code == 200
    client.post("/sign-out")
    login(scene.coordinator)
    assert client.post(f"/peer-reviews/{review.id}/close").status_code == 302
    client.post("/sign-out")
    login(scene.reviewer)
    for path in reader_pages(scene) + [f"/peer-reviews/{review.id}", f"/compare?a={scene.reviewed.id}&b={scene.reviewed.id + 1}"]:
        assert fetch(client, path).status_code == 404, path
    assert client.post(f"/peer-reviews/{review.id}/strands/leadership", data={"peer_rating": "mature", "position": "agree"}).status_code == 404
    assert "Early help maturity self-assessment 2016" not in client.get("/compare").get_data(as_text=True)
    history = db.session.scalars(select(HistoryEntry).where(HistoryEntry.assessment_id == scene.reviewed.id, HistoryEntry.kind == "peer_review"))
    assert [h.to_value for h in history] == ["Requested", "Closed"]


def test_only_named_reviewers_get_access(client, login, scene):
    request_review(scene)
    for user in (scene.champion_coordinator, scene.outsider):
        login(user)
        assert client.get(f"/assessments/{scene.reviewed.id}").status_code == 404
        assert fetch(client, f"/evidence/{scene.evidence.id}/file").status_code == 404
        client.post("/sign-out")


@pytest.mark.parametrize(
    ("who", "view", "review", "manage"),
    [
        ("coordinator", True, False, True),
        ("contributor", True, False, False),
        ("reviewer", True, True, False),
        ("champion_coordinator", False, False, False),
        ("outsider", False, False, False),
        ("admin", True, True, True),
    ],
)
def test_who_may_do_what_in_a_review(make_user, scene, who, view, review, manage):
    from maturity.reviews.access import review_allows

    peer_review = request_review(scene)
    user = make_user(admin=True) if who == "admin" else getattr(scene, who)
    assert review_allows(user, "view", peer_review) is view
    assert review_allows(user, "review", peer_review) is review
    assert review_allows(user, "manage", peer_review) is manage


def test_review_pages_answer_by_role(client, login, scene):
    review = request_review(scene)
    expectations = [
        (scene.contributor, 200, 403, 403),
        (scene.outsider, 404, 404, 404),
        (scene.champion_coordinator, 404, 404, 404),
        (scene.coordinator, 200, 403, 200),
    ]
    for user, page, record, request_page in expectations:
        login(user)
        assert client.get(f"/peer-reviews/{review.id}").status_code == page
        assert client.get(f"/peer-reviews/{review.id}/strands/leadership").status_code == record
        new = client.get(f"/assessments/{scene.reviewed.id}/peer-reviews/new")
        # the coordinator is sent to the open review instead of requesting a second one
        assert new.status_code == (302 if request_page == 200 else request_page)
        client.post("/sign-out")


def test_the_grant_covers_objects_of_the_reviewed_assessment_only(scene):
    request_review(scene)
    reviewer = scene.reviewer
    reviewed, hampshire = scene.reviewed, scene.hampshire
    workshop = SimpleNamespace(area_id=hampshire.id, assessment_id=reviewed.id)
    round_ = SimpleNamespace(area_id=hampshire.id, workshop=workshop)
    other_workshop = SimpleNamespace(area_id=hampshire.id, assessment_id=scene.other.id)
    assert can(reviewer, "view", reviewed)
    assert can(reviewer, "view", scene.evidence)
    assert can(reviewer, "view", workshop)
    assert can(reviewer, "view", round_)
    assert not can(reviewer, "contribute", reviewed)
    assert not can(reviewer, "manage", workshop)
    assert not can(reviewer, "view", other_workshop)
    assert not can(reviewer, "view", scene.other)
    assert not can(reviewer, "view", hampshire)


def test_reviewer_reads_the_reviewed_assessments_workshop_results_only(client, login, scene):
    from maturity.workshops.operations import create_workshop

    reviewed_workshop = create_workshop(scene.reviewed, "Partnership workshop", [(scene.leadership, None)], user=scene.coordinator)
    other_workshop = create_workshop(scene.other, "Second cycle workshop", [(scene.leadership, None)], user=scene.coordinator)
    db.session.commit()
    round_id = reviewed_workshop.rounds[0].id
    review = request_review(scene)
    login(scene.reviewer)
    assert fetch(client, f"/workshops/{reviewed_workshop.id}/results").status_code == 200
    assert fetch(client, f"/workshops/{reviewed_workshop.id}/rounds/{round_id}/results").status_code == 200
    assert fetch(client, f"/workshops/{reviewed_workshop.id}/facilitate").status_code == 403
    other = fetch(client, f"/workshops/{other_workshop.id}/results")
    assert other.status_code == 404 and "Second cycle workshop" not in other.get_data(as_text=True)
    operations.close(review, scene.coordinator)
    db.session.commit()
    assert fetch(client, f"/workshops/{reviewed_workshop.id}/results").status_code == 404
