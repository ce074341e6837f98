"""Peer review through the pages: request, record per strand, submit, answer, close; bad input."""

import re
from types import SimpleNamespace

import pytest
from flask import render_template
from flask_login import login_user
from sqlalchemy import select

from maturity.assessments import panels
from maturity.assessments.queries import peer_ratings
from maturity.extensions import db
from maturity.models import HistoryEntry, PeerReview, Strand
from maturity.reviews import operations


@pytest.fixture
def setting(make_area, make_user, make_assessment, framework):
    hampshire = make_area("Hampshire")
    cheshire = make_area("Cheshire West and Chester", kind="unitary")
    norfolk = make_area("Norfolk")
    coordinator = make_user("coordinator", hampshire)
    contributor = make_user("contributor", hampshire)
    reviewer = make_user("reviewer", cheshire)
    cheshire_coordinator = make_user("coordinator", cheshire)
    cheshire_contributor = make_user("contributor", cheshire)
    outsider = make_user("coordinator", norfolk)
    assessment = make_assessment(hampshire, title="Early help maturity self-assessment 2016")
    strands = {s.key: s for s in framework.strands}
    # Hampshire's own ratings (toolkit Annex 3), and Cheshire West strong where Hampshire is weak.
    for key, code in {"leadership": "developing", "culture": "developing-maturing", "strategy": "maturing"}.items():
        assessment.rating_for(strands[key]).self_rating = code
    cheshire_assessment = make_assessment(cheshire, title="Cheshire West 2016")
    for key, code in {"leadership": "maturing", "culture": "mature", "strategy": "developing"}.items():
        cheshire_assessment.rating_for(strands[key]).agreed_rating = code
    db.session.commit()
    return SimpleNamespace(**locals())


def new_review(s) -> PeerReview:
    review = operations.request_review(s.assessment, s.cheshire, [s.reviewer], s.coordinator)
    db.session.commit()
    return review


def record_all(client, review, strands, challenge=("culture",)):
    for strand in strands:
        data = {"peer_rating": "developing", "position": "agree", "strengths": f"Good {strand.key}"}
        if strand.key in challenge:
            data.update(position="challenge", development="Not yet embedded", questions="How will you embed it?")
        response = client.post(f"/peer-reviews/{review.id}/strands/{strand.key}", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert client.post(f"/peer-reviews/{review.id}/summary", data={"summary": "A candid assessment."}).status_code == 302


# --------------------------------------------------------------------------------------------
# Requesting
# --------------------------------------------------------------------------------------------


def test_request_page_suggests_partners_and_says_why(client, login, setting):
    login(setting.coordinator)
    page = client.get(f"/assessments/{setting.assessment.id}/peer-reviews/new")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Cheshire West and Chester" in body
    assert "Strong in leadership and culture where you are developing" in body
    assert "Norfolk" in body  # every other area can still be chosen by hand


def test_request_in_two_steps_names_eligible_reviewers_only(client, login, setting):
    login(setting.coordinator)
    url = f"/assessments/{setting.assessment.id}/peer-reviews/new"
    step_two = client.get(url, query_string={"reviewing_area": setting.cheshire.id}).get_data(as_text=True)
    assert setting.reviewer.name in step_two
    assert setting.cheshire_coordinator.name in step_two
    assert setting.cheshire_contributor.name not in step_two
    response = client.post(url, data={"reviewing_area_id": setting.cheshire.id, "reviewers": [str(setting.reviewer.id)], "note": "Look at culture"})
    assert response.status_code == 302
    review = db.session.scalar(select(PeerReview))
    assert response.headers["Location"].endswith(f"/peer-reviews/{review.id}")
    assert review.status == "requested" and review.reviewers == [setting.reviewer]
    assert review.request_note == "Look at culture" and review.requested_by == setting.coordinator
    entry = db.session.scalar(select(HistoryEntry).where(HistoryEntry.kind == "peer_review"))
    assert entry.to_value == "Requested" and setting.reviewer.name in entry.note
    # a second request while one is open goes to the open one
    again = client.get(url)
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/peer-reviews/{review.id}")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reviewing_area_id": "CHESHIRE", "reviewers": []}, "Select at least one reviewer"),
        ({"reviewing_area_id": "CHESHIRE", "reviewers": ["OUTSIDER"]}, "not a valid choice"),
        ({"reviewing_area_id": "HAMPSHIRE", "reviewers": ["REVIEWER"]}, "Select the area that will carry out the review"),
        ({"reviewing_area_id": "abc", "reviewers": ["REVIEWER"]}, "Select the area that will carry out the review"),
        ({"reviewing_area_id": "CHESHIRE", "reviewers": ["REVIEWER"], "note": "x" * 5001}, "5,000 characters or fewer"),
    ],
)
def test_request_refuses_bad_input(client, login, setting, data, message):
    ids = {"CHESHIRE": setting.cheshire.id, "HAMPSHIRE": setting.hampshire.id, "OUTSIDER": setting.outsider.id, "REVIEWER": setting.reviewer.id}
    data = {key: ([str(ids.get(v, v)) for v in value] if isinstance(value, list) else str(ids.get(value, value))) for key, value in data.items()}
    login(setting.coordinator)
    response = client.post(f"/assessments/{setting.assessment.id}/peer-reviews/new", data=data)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert message in body
    assert "There is a problem" in body
    assert db.session.scalar(select(PeerReview)) is None


@pytest.mark.parametrize(("who", "status"), [("contributor", 403), ("outsider", 404), ("reviewer", 404), ("admin", 200)])
def test_who_may_request(client, login, make_user, setting, who, status):
    login(make_user(admin=True) if who == "admin" else getattr(setting, who))
    assert client.get(f"/assessments/{setting.assessment.id}/peer-reviews/new").status_code == status
    post = client.post(f"/assessments/{setting.assessment.id}/peer-reviews/new", data={"reviewing_area_id": setting.cheshire.id, "reviewers": [str(setting.reviewer.id)]})
    assert post.status_code == (302 if who == "admin" else status)


# --------------------------------------------------------------------------------------------
# Recording and submitting
# --------------------------------------------------------------------------------------------


def test_reviewer_records_a_strand(client, login, setting):
    review = new_review(setting)
    login(setting.reviewer)
    page = client.get(f"/peer-reviews/{review.id}/strands/leadership")
    assert page.status_code == 200
    assert "Developing" in page.get_data(as_text=True)  # Hampshire's own rating is shown
    response = client.post(
        f"/peer-reviews/{review.id}/strands/leadership",
        data={"peer_rating": "developing-maturing", "position": "challenge", "development": "Show the business case", "strengths": ""},
    )
    assert response.status_code == 302
    db.session.refresh(review)
    assert review.status == "in_progress" and review.started_at is not None
    entry = review.strand_reviews[0]
    assert (entry.peer_rating, entry.position, entry.development, entry.strengths) == ("developing-maturing", "challenge", "Show the business case", None)
    kinds = [h.kind for h in db.session.scalars(select(HistoryEntry).order_by(HistoryEntry.id))]
    assert kinds[-2:] == ["peer_review", "peer_rating"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Select the stage you would rate this strand at"),
        ({"peer_rating": "developing"}, "Select whether you agree with the area"),
        ({"peer_rating": "sideways", "position": "agree"}, "Not a valid choice"),
        ({"peer_rating": "early-mature", "position": "agree"}, "Not a valid choice"),
        ({"peer_rating": "developing", "position": "shrug"}, "Not a valid choice"),
        ({"peer_rating": "developing", "position": "challenge", "strengths": "Fine"}, "Say what you challenge"),
        ({"peer_rating": "developing", "position": "agree", "questions": "q" * 5001}, "5,000 characters or fewer"),
    ],
)
def test_strand_form_refuses_bad_input_and_keeps_what_was_typed(client, login, setting, data, message):
    review = new_review(setting)
    login(setting.reviewer)
    response = client.post(f"/peer-reviews/{review.id}/strands/culture", data={"strengths": "Kept text", **data})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert message in body
    assert "Kept text" in body or "strengths" in data
    db.session.refresh(review)
    assert review.strand_reviews == [] and review.status == "requested"


def test_unknown_strand_is_404(client, login, setting):
    review = new_review(setting)
    login(setting.reviewer)
    assert client.get(f"/peer-reviews/{review.id}/strands/no-such-strand").status_code == 404
    assert client.get("/peer-reviews/999999").status_code == 404


def test_submit_needs_every_strand_and_the_summary(client, login, setting, framework):
    review = new_review(setting)
    login(setting.reviewer)
    client.post(f"/peer-reviews/{review.id}/strands/leadership", data={"peer_rating": "developing", "position": "agree"})
    response = client.post(f"/peer-reviews/{review.id}/submit")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "The review cannot be submitted yet" in body
    assert "Record a peer rating for Strategy" in body and "Write the overall summary" in body
    assert "Record a peer rating for Leadership" not in body
    db.session.refresh(review)
    assert review.status == "in_progress"


def test_submitted_review_can_no_longer_be_changed_by_reviewers(client, login, setting, framework):
    review = new_review(setting)
    login(setting.reviewer)
    record_all(client, review, framework.strands)
    response = client.post(f"/peer-reviews/{review.id}/submit")
    assert response.status_code == 302
    db.session.refresh(review)
    assert review.status == "submitted" and review.submitted_by == setting.reviewer
    again = client.post(f"/peer-reviews/{review.id}/strands/leadership", data={"peer_rating": "mature", "position": "agree"})
    assert again.status_code == 302
    assert "can no longer be changed" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert client.post(f"/peer-reviews/{review.id}/summary", data={"summary": "Changed"}).status_code == 302
    assert client.post(f"/peer-reviews/{review.id}/submit").status_code == 302
    db.session.refresh(review)
    leadership = next(e for e in review.strand_reviews if e.strand.key == "leadership")
    assert leadership.peer_rating == "developing" and review.summary == "A candid assessment."


# --------------------------------------------------------------------------------------------
# Answering and closing
# --------------------------------------------------------------------------------------------


@pytest.fixture
def submitted(client, login, setting, framework):
    review = new_review(setting)
    login(setting.reviewer)
    record_all(client, review, framework.strands, challenge=("culture", "strategy"))
    assert client.post(f"/peer-reviews/{review.id}/submit").status_code == 302
    client.post("/sign-out")
    return review


def test_coordinator_answers_each_challenge_then_closes(client, login, setting, submitted):
    review = submitted
    login(setting.coordinator)
    page = client.get(f"/peer-reviews/{review.id}").get_data(as_text=True)
    assert page.count("To answer") == 2
    assert client.get(f"/peer-reviews/{review.id}/strands/leadership/answer").status_code == 404  # agreed, nothing to answer
    assert client.post(f"/peer-reviews/{review.id}/strands/culture/answer", data={"response": "  "}).status_code == 400
    assert client.post(f"/peer-reviews/{review.id}/strands/culture/answer", data={"response": "Team managers get coaching from April."}).status_code == 302
    refused = client.post(f"/peer-reviews/{review.id}/close")
    assert "Answer every challenge before closing the review: Strategy." in client.get(refused.headers["Location"]).get_data(as_text=True)
    db.session.refresh(review)
    assert review.status == "submitted"
    client.post(f"/peer-reviews/{review.id}/strands/strategy/answer", data={"response": "See the commissioning minutes."})
    assert client.post(f"/peer-reviews/{review.id}/close").status_code == 302
    db.session.refresh(review)
    assert review.status == "closed" and review.closed_by == setting.coordinator
    culture = next(e for e in review.strand_reviews if e.strand.key == "culture")
    assert culture.response == "Team managers get coaching from April." and culture.responded_by == setting.coordinator
    # closed: nothing more to change
    assert client.post(f"/peer-reviews/{review.id}/close").status_code == 302
    assert client.get(f"/peer-reviews/{review.id}/strands/culture/answer").status_code == 302


def test_contributor_may_read_but_not_answer(client, login, setting, submitted):
    login(setting.contributor)
    assert client.get(f"/peer-reviews/{submitted.id}").status_code == 200
    assert client.post(f"/peer-reviews/{submitted.id}/strands/culture/answer", data={"response": "x"}).status_code == 403
    assert client.post(f"/peer-reviews/{submitted.id}/close").status_code == 403


def test_withdrawing_a_request_before_it_is_submitted(client, login, setting):
    review = new_review(setting)
    login(setting.coordinator)
    page = client.get(f"/peer-reviews/{review.id}").get_data(as_text=True)
    assert "Withdraw the request" in page
    assert client.post(f"/peer-reviews/{review.id}/close").status_code == 302
    db.session.refresh(review)
    assert review.status == "closed" and review.submitted_at is None
    note = db.session.scalar(select(HistoryEntry.note).where(HistoryEntry.to_value == "Closed"))
    assert "before it was submitted" in note
    assert peer_ratings(setting.assessment) == {}


def test_answer_form_checks_csrf(app, client, login, setting, submitted):
    login(setting.coordinator)
    app.config["WTF_CSRF_ENABLED"] = True
    url = f"/peer-reviews/{submitted.id}/strands/culture/answer"
    assert client.post(url, data={"response": "No token"}).status_code == 400
    page = client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert client.post(url, data={"response": "With a token", "csrf_token": token.group(1)}).status_code == 302


# --------------------------------------------------------------------------------------------
# Peer ratings on the assessment
# --------------------------------------------------------------------------------------------


def test_peer_ratings_come_from_the_latest_submitted_review(client, login, setting, submitted, framework):
    strands = {s.key: s for s in framework.strands}
    ratings = peer_ratings(setting.assessment)
    assert {s.key: ratings[s.id].code for s in framework.strands if s.id in ratings} == dict.fromkeys(strands, "developing")
    # answer and close, then a second review rates leadership differently
    for key in ("culture", "strategy"):
        entry = submitted.strand_review(strands[key])
        operations.respond(entry, setting.coordinator, "Answered")
    operations.close(submitted, setting.coordinator)
    second = operations.request_review(setting.assessment, setting.cheshire, [setting.reviewer], setting.coordinator)
    for strand in framework.strands:
        operations.record_strand(second, strand, setting.reviewer, "maturing" if strand.key == "leadership" else "developing", "agree")
    assert peer_ratings(setting.assessment)[strands["leadership"].id].code == "developing"  # not yet submitted
    operations.record_summary(second, setting.reviewer, "Second look")
    operations.submit(second, setting.reviewer, framework.strands)
    db.session.commit()
    assert peer_ratings(setting.assessment)[strands["leadership"].id].code == "maturing"


def test_assessment_panel_shows_peer_rating_and_challenge_flag(app, setting, submitted, framework):
    strand = db.session.scalar(select(Strand).where(Strand.framework_id == framework.id, Strand.key == "culture"))
    setting.assessment.rating_for(strand).agreed_rating = "maturing"
    db.session.commit()
    with app.test_request_context():
        login_user(setting.coordinator)
        html = render_template(
            "reviews/_assessment_reviews.html",
            assessment=setting.assessment,
            panels=panels.read(setting.assessment),
        )
    assert "Peer ratings from Cheshire West and Chester" in html
    assert "Peer challenge" in html and "rated this Developing; the agreed rating is Maturing" in html
    assert "Challenge</strong>" in html and "Not answered yet" in html  # the reviewer's position
    assert "Request a peer review" not in html  # one is still open
    with app.test_request_context():
        login_user(setting.contributor)
        html = render_template(
            "reviews/_assessment_reviews.html",
            assessment=setting.assessment,
            panels=panels.read(setting.assessment),
        )
    assert "Peer challenge" in html and "Request a peer review" not in html


def test_assessment_panel_offers_a_request_to_coordinators(app, setting):
    with app.test_request_context():
        login_user(setting.coordinator)
        html = render_template(
            "reviews/_assessment_reviews.html",
            assessment=setting.assessment,
            panels=panels.read(setting.assessment),
        )
    assert "Request a peer review" in html and "has not been peer reviewed yet" in html


def test_index_lists_reviews_by_role(client, login, setting, submitted):
    login(setting.reviewer)
    doing = client.get("/peer-reviews").get_data(as_text=True)
    assert "Hampshire: Early help maturity self-assessment 2016" in doing
    client.post("/sign-out")
    login(setting.outsider)
    assert "Hampshire" not in client.get("/peer-reviews").get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/peer-reviews/99999999999",
        "/peer-reviews/99999999999/strands/leadership",
        "/assessments/99999999999/peer-reviews/new",
        "/areas/99999999999/benchmark",
    ],
)
def test_ids_no_row_can_have_are_404(client, login, setting, path):
    login(setting.coordinator)
    assert client.get(path).status_code == 404
