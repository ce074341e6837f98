"""The peer review demo step: Cheshire West and Chester's review of Hampshire; idempotent."""

from sqlalchemy import func, select

from maturity.assessments import demo as assessments_demo
from maturity.demo import load_yaml, seed_areas, seed_users
from maturity.extensions import db
from maturity.models import Area, Assessment, Evidence, PeerReview, PeerStrandReview
from maturity.reviews import demo
from maturity.reviews.queries import peer_ratings


def load_people():
    data = load_yaml("areas.yaml")
    seed_users(data, seed_areas(data))


def test_demo_review_of_hampshire_loads_once(app, framework):
    load_people()
    assessments_demo.seed()
    demo.seed()
    db.session.commit()
    demo.seed()
    db.session.commit()
    review = db.session.scalar(select(PeerReview))
    assert db.session.scalar(select(func.count(PeerReview.id))) == 1
    assert review.assessment.area.name == "Hampshire"
    assert review.assessment.title == demo.HAMPSHIRE_TITLE
    assert review.reviewing_area.name == "Cheshire West and Chester"
    assert [r.email for r in review.reviewers] == ["reviewer@cheshirewest.example.org"]
    assert review.status == "submitted"  # still open: the reviewer can read Hampshire's assessment
    challenges = {e.strand.key: e.response for e in review.strand_reviews if e.is_challenge}
    assert set(challenges) == {"strategy", "culture"}
    assert challenges["culture"] is None and challenges["strategy"]
    assert len(peer_ratings(review.assessment)) == 6

    cheshire = db.session.scalar(
        select(Assessment).join(Area, Area.id == Assessment.area_id).where(Area.name == "Cheshire West and Chester")
    )
    assert cheshire.status == "agreed"
    assert all(r.agreed_rating for r in cheshire.strand_ratings)
    assert all(r.room_result and r.room_result["n"] for r in cheshire.strand_ratings)
    assert db.session.scalar(select(func.count(Evidence.id)).where(Evidence.assessment_id == cheshire.id)) == 4
    assert db.session.scalar(select(func.count(Assessment.id)).where(Assessment.area_id == cheshire.area_id)) == 1


def test_demo_skips_the_review_without_hampshire_assessment(app, framework):
    load_people()
    demo.seed()
    db.session.commit()
    assert db.session.scalar(select(func.count(PeerStrandReview.id))) == 0
    assert db.session.scalar(select(PeerReview)) is None


def test_demo_reviewer_can_compare_hampshire_with_cheshire_west(app, client, framework):
    load_people()
    assessments_demo.seed()
    demo.seed()
    db.session.commit()
    response = client.post("/sign-in", data={"email": "reviewer@cheshirewest.example.org", "password": load_yaml("areas.yaml")["password"]})
    assert response.status_code == 302
    ids = dict(db.session.execute(select(Area.name, Assessment.id).join(Area, Area.id == Assessment.area_id)).all())
    page = client.get("/compare", query_string={"a": ids["Hampshire"], "b": ids["Cheshire West and Chester"]})
    assert page.status_code == 200
    assert "Hampshire and Cheshire West and Chester side by side" in page.get_data(as_text=True)
