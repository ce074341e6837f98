"""The demo data set (seed/demo/*.yaml): loaded once through the operations, faithful to the seeds."""

from datetime import date

from sqlalchemy import func, select

from maturity.assessments.overview import build_overview
from maturity.assessments.queries import peer_ratings, strand_plans
from maturity.core.scoring import Rating
from maturity.demo import assessment_files, load_yaml, seed_demo
from maturity.extensions import db
from maturity.models import (
    Action,
    Area,
    Assessment,
    Evidence,
    HistoryEntry,
    Membership,
    Organisation,
    Participant,
    PeerReview,
    PeerStrandReview,
    StrandRating,
    User,
    Vote,
    Workshop,
)
from maturity.workshops.results import build_reports

HAMPSHIRE = "Early help maturity self-assessment 2016"
COUNTED = (
    Area, Organisation, User, Membership, Assessment, StrandRating, Action, Evidence, HistoryEntry,
    Workshop, Participant, Vote, PeerReview, PeerStrandReview,
)


def counts() -> list[int]:
    return [db.session.scalar(select(func.count()).select_from(model)) for model in COUNTED]


def assessment_of(area: str, title: str | None = None) -> Assessment:
    query = select(Assessment).join(Area, Area.id == Assessment.area_id).where(Area.name == area)
    if title:
        query = query.where(Assessment.title == title)
    return db.session.scalar(query)


def hampshire_spec() -> dict:
    return next(s for f in assessment_files() for s in f.get("assessments", []) if s["area"] == "Hampshire")


def test_loading_twice_changes_nothing(app, framework):
    seed_demo()
    first = counts()
    assert all(first), dict(zip((m.__name__ for m in COUNTED), first, strict=True))
    seed_demo()
    assert counts() == first


def test_assessments_reach_their_stated_status(app, framework):
    seed_demo()
    for spec in (s for f in assessment_files() for s in f.get("assessments", [])):
        assessment = assessment_of(spec["area"], spec["title"])
        assert assessment is not None and assessment.status == spec["status"], spec["area"]
        assert assessment.created_by.email == spec["coordinator"]
    hampshire = assessment_of("Hampshire", HAMPSHIRE)
    statuses = db.session.scalars(
        select(HistoryEntry.to_value)
        .where(HistoryEntry.assessment_id == hampshire.id, HistoryEntry.kind == "status")
        .order_by(HistoryEntry.id)
    ).all()
    assert statuses == ["draft", "evidence", "workshop"]


def test_hampshire_s_evidence_register_is_reviewed(app, framework):
    seed_demo()
    hampshire = assessment_of("Hampshire", HAMPSHIRE)
    items = list(db.session.scalars(select(Evidence).where(Evidence.assessment_id == hampshire.id)))
    assert len(items) == len(hampshire_spec()["evidence"]) >= 15
    assert {e.kind for e in items} == {"qualitative", "quantitative"}
    assert len({e.organisation_id for e in items}) >= 5
    assert all(e.features and e.source_type for e in items)
    statuses = [e.status for e in items]
    assert statuses.count("rejected") == 1 and statuses.count("accepted") >= 8 and "draft" in statuses
    assert next(e for e in items if e.status == "rejected").status_reason
    by_police = next(e for e in items if e.title.startswith("Police and CCG officers"))
    assert by_police.created_by.email == "police@hampshire.example.org"


def test_hampshire_s_workshop_is_run_through_the_live_operations(app, framework):
    seed_demo()
    workshop = db.session.scalar(select(Workshop))
    spec = hampshire_spec()["workshop"]
    assert workshop.title == spec["title"] and workshop.status == "closed"
    assert db.session.scalar(select(func.count()).select_from(Participant)) == sum(spec["participants"].values())
    assert db.session.scalar(select(func.count()).select_from(Vote)) == sum(
        sum(r["votes"].values()) + sum((r.get("revote") or {}).values()) for r in spec["rounds"]
    )
    assert all(r.round.revealed and r.round.state == "closed" for r in build_reports(workshop))
    carried = {
        row.strand.key: row.room_result
        for row in db.session.scalars(select(StrandRating).where(StrandRating.assessment_id == workshop.assessment_id))
        if row.room_result
    }
    assert set(carried) == {r["strand"] for r in spec["rounds"]}
    assert all(result["workshop_id"] == workshop.id for result in carried.values())
    # Workforce development was discussed and voted on again: the shift shows, and the carried
    # result is the vote after discussion with the first vote kept beside it.
    workforce = carried["workforce-development"]
    assert workforce["median"] == "developing-maturing" and workforce["total"] == 24
    assert workforce["first_vote"]["median"] == "developing"
    assert workforce["first_vote"]["shift"].startswith(
        "Discussion moved the room from Developing (consensus "
    )
    shifts = [r for r in build_reports(workshop) if r.shift is not None]
    assert [r.round.strand.key for r in shifts] == ["workforce-development"]


def test_cheshire_west_s_review_of_hampshire(app, client, framework):
    seed_demo()
    review = db.session.scalar(select(PeerReview))
    assert review.assessment.area.name == "Hampshire"
    assert review.reviewing_area.name == "Cheshire West and Chester"
    assert [r.email for r in review.reviewers] == ["reviewer@cheshirewest.example.org"]
    assert review.status == "submitted"
    challenges = {e.strand.key: e.response for e in review.strand_reviews if e.is_challenge}
    assert set(challenges) == {"strategy", "culture"}
    assert challenges["culture"] is None and challenges["strategy"]
    assert len(peer_ratings(review.assessment)) == 6

    cheshire = assessment_of("Cheshire West and Chester")
    assert cheshire.status == "agreed"
    assert all(r.agreed_rating and r.room_result["n"] for r in cheshire.strand_ratings)
    assert db.session.scalar(select(func.count(Evidence.id)).where(Evidence.assessment_id == cheshire.id)) == 4

    password = load_yaml("areas.yaml")["password"]
    response = client.post("/sign-in", data={"email": "reviewer@cheshirewest.example.org", "password": password})
    assert response.status_code == 302
    page = client.get("/compare", query_string={"a": review.assessment_id, "b": cheshire.id})
    assert page.status_code == 200
    assert "Hampshire and Cheshire West and Chester side by side" in page.get_data(as_text=True)


def test_hampshire_s_self_ratings_are_annex_3_s_and_nothing_it_did_not_publish(app, framework):
    seed_demo()
    views = {v.strand.key: v for v in build_overview(assessment_of("Hampshire", HAMPSHIRE))}
    shorts = {key: v.self_rating.short if v.self_rating else None for key, v in views.items()}
    # Annex 3: leadership D, workforce D-M, culture D-M, strategy M, family experience M, and
    # delivery only per element (structures D, processes M): no overall delivery rating.
    assert shorts == {
        "family-experience": "M", "leadership": "D", "strategy": "M", "culture": "D\u2013M",
        "workforce-development": "D\u2013M", "delivery": None,
    }
    delivery = {e.element.key: e.self_rating.short for e in views["delivery"].elements}
    assert delivery == {"delivery-structures": "D", "delivery-processes": "M"}
    assert all(e.self_rating is None for e in views["workforce-development"].elements)
    assert not any(v.agreed_rating for v in views.values())


def test_hampshire_s_delivery_room_counts_its_23_people_once(app, framework):
    seed_demo()
    views = {v.strand.key: v for v in build_overview(assessment_of("Hampshire", HAMPSHIRE))}
    delivery = views["delivery"].room_result
    assert delivery["n"] + delivery["abstentions"] == 23
    assert [Rating.parse(e["median"]).short for e in delivery["elements"]] == ["D", "M"]
    assert Rating.parse(views["leadership"].room_result["median"]).short == "D"
    workshop = db.session.scalar(select(Workshop))
    medians = {
        (r.round.element.key if r.round.element else r.round.strand.key): r.summary.median.short
        for r in build_reports(workshop)
    }
    assert medians == {
        "leadership": "D", "workforce-development": "D\u2013M", "culture": "D\u2013M",
        "delivery-structures": "D", "delivery-processes": "M", "strategy": "M", "family-experience": "M",
    }


def test_made_up_data_says_so_on_every_page_a_user_sees_it(app, client, framework):
    seed_demo()
    hampshire = assessment_of("Hampshire", HAMPSHIRE)
    cheshire = assessment_of("Cheshire West and Chester")
    workshop = db.session.scalar(select(Workshop))
    review = db.session.scalar(select(PeerReview))
    item = db.session.scalar(select(Evidence).where(Evidence.assessment_id == hampshire.id, Evidence.kind == "quantitative"))
    password = load_yaml("areas.yaml")["password"]
    client.post("/sign-in", data={"email": "national.team@example.org", "password": password})
    pages = [
        f"/assessments/{hampshire.id}", f"/assessments/{hampshire.id}/strands/culture",
        f"/assessments/{hampshire.id}/summary", f"/assessments/{hampshire.id}/evidence",
        f"/evidence/{item.id}", f"/workshops/{workshop.id}/results",
        f"/workshops/{workshop.id}/rounds/{workshop.rounds[0].id}/results",
        f"/peer-reviews/{review.id}", f"/assessments/{cheshire.id}",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        assert "Illustrative demo data" in text, url
        assert "support champion" not in text.lower(), url
    assert "each vote in the workshop" in client.get(pages[0]).get_data(as_text=True)
    # Every demo assessment that is not wholly published says what is made up.
    assert all(a.illustrative_note for a in db.session.scalars(select(Assessment)))


def test_the_demo_uses_what_the_seeds_say(app, framework):
    seed_demo()
    staffordshire = db.session.scalar(select(Area).where(Area.name == "Staffordshire"))
    assert len(staffordshire.children) == 8
    assert sorted(a.name for a in staffordshire.children if a.about and "pilot" in a.about) == ["Newcastle-under-Lyme", "Tamworth"]
    assert "Building Resilient Families and Communities" in staffordshire.about
    tameside = db.session.scalar(select(Area).where(Area.name == "Tameside"))
    assert "four integrated neighbourhoods" in tameside.about
    assert {"Action Together", "Homestart", "Off the Record", "42nd Street"} <= {
        o.name for o in tameside.organisations if o.org_type == "voluntary"
    }
    hartlepool = assessment_of("Hartlepool")
    assert "four locality areas" in hartlepool.area.about
    assert hartlepool.status == "evidence"
    notes = db.session.scalars(
        select(HistoryEntry.note).where(HistoryEntry.assessment_id == hartlepool.id, HistoryEntry.kind == "status")
    ).all()
    assert any("22 November 2017" in (note or "") for note in notes)


def test_hampshire_s_summary_has_a_next_steps_plan_with_a_rag_per_strand(app, client, framework):
    seed_demo()
    hampshire = assessment_of("Hampshire", HAMPSHIRE)
    plans = strand_plans(hampshire, date.today())
    assert all(plan.actions for plan in plans.values())
    assert {plan.rag for plan in plans.values()} == {"red", "amber", "green"}
    password = load_yaml("areas.yaml")["password"]
    client.post("/sign-in", data={"email": "coordinator@hampshire.example.org", "password": password})
    page = client.get(f"/assessments/{hampshire.id}/summary").get_data(as_text=True)
    assert "Next steps plan" in page and "Key to the next steps (RAG)" in page
    assert "Launch the 0-19 family support service offer across the county." in page


def test_hampshire_s_evidence_bears_out_the_stages_it_claims(app, framework):
    seed_demo()
    views = build_overview(assessment_of("Hampshire", HAMPSHIRE))
    whole_stages = [v for v in views if v.self_rating and not v.self_rating.is_between]
    assert {v.strand.key for v in whole_stages} == {"family-experience", "leadership", "strategy"}
    for view in whole_stages:
        assert view.evidenced == view.self_rating.low, view.strand.key
        assert "Claim above evidence" not in [f.label for f in view.flags], view.strand.key
    delivery = {e.element.key: e for e in next(v for v in views if v.strand.key == "delivery").elements}
    assert [delivery[k].evidenced for k in ("delivery-structures", "delivery-processes")] == [2, 3]


def test_comparison_and_benchmarks_say_which_ratings_are_made_up(app, client, framework):
    seed_demo()
    hampshire = assessment_of("Hampshire", HAMPSHIRE)
    cheshire = assessment_of("Cheshire West and Chester")
    password = load_yaml("areas.yaml")["password"]
    client.post("/sign-in", data={"email": "national.team@example.org", "password": password})
    compared = client.get("/compare", query_string={"a": hampshire.id, "b": cheshire.id}).get_data(as_text=True)
    assert "Illustrative demo data" in compared
    assert "each vote in the workshop" in compared and "Cheshire West and Chester tested the model" in compared
    for url in ("/benchmark", f"/areas/{cheshire.area_id}/benchmark"):
        page = client.get(url).get_data(as_text=True)
        assert (
            "The agreed ratings of Bath and North East Somerset, Cheshire West and Chester, Leeds, "
            "Leicestershire and Norfolk come from the demo data set" in page
        ), url


def test_an_areas_benchmark_shows_every_strand_with_the_demo_data(app, client, framework):
    """Enough demo areas have agreed ratings that no strand is hidden from an area's benchmark,
    and the chart draws a bar for each of the six strands."""
    seed_demo()
    hampshire = assessment_of("Hampshire", HAMPSHIRE)
    password = load_yaml("areas.yaml")["password"]
    client.post("/sign-in", data={"email": "coordinator@hampshire.example.org", "password": password})
    page = client.get(f"/areas/{hampshire.area_id}/benchmark").get_data(as_text=True)
    assert "Not shown: fewer than" not in page
    for name in ("Family experience", "Leadership", "Strategy", "Culture", "Workforce", "Delivery"):
        assert name in page, name


def test_hampshire_s_illustrative_survey_shows_its_results_beside_the_room(app, client, framework):
    from maturity.models import Survey

    seed_demo()
    hampshire = assessment_of("Hampshire", HAMPSHIRE)
    survey = db.session.scalar(select(Survey).where(Survey.assessment_id == hampshire.id))
    assert survey.illustrative and survey.status == "closed"
    password = load_yaml("areas.yaml")["password"]
    client.post("/sign-in", data={"email": "coordinator@hampshire.example.org", "password": password})
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "Illustrative demo data" in page and "made up" in page
    assert "30 people have answered" in page and "Ratings for each stage" in page
    assert "Made-up demo answer" in page
    strand = client.get(f"/assessments/{hampshire.id}/strands/workforce-development").get_data(as_text=True)
    assert "Partners’ survey" in strand and "(illustrative)" in strand
    workshop = db.session.scalar(select(Workshop))
    results = client.get(f"/workshops/{workshop.id}/results").get_data(as_text=True)
    assert "The partners’ survey beforehand said" in results and "illustrative" in results
    assert "survey before the workshop" in client.get(f"/assessments/{hampshire.id}").get_data(as_text=True)
