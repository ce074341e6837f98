"""Demo data for peer review, loaded by `flask --app app seed-demo` (idempotent).

Cheshire West and Chester, one of the areas that tested the model and an early peer support
champion, has its own 2016 assessment with agreed ratings, and peer reviews Hampshire's 2016
assessment: a peer rating on every strand, challenges on culture and strategy, and Hampshire's
answer to the strategy challenge. The figures are illustrative, not Cheshire West's own.
"""

from datetime import date

from sqlalchemy import select

from maturity.assessments import operations as assessment_operations
from maturity.core.scoring import summarise_counts
from maturity.extensions import db
from maturity.models import Area, Assessment, Evidence, Feature, PeerReview, Strand, User
from maturity.reviews import operations

HAMPSHIRE_TITLE = "Early help maturity self-assessment 2016"
CHESHIRE = "Cheshire West and Chester"
CHESHIRE_TITLE = "Early help maturity self-assessment 2016"
REVIEWER_EMAIL = "reviewer@cheshirewest.example.org"
CHESHIRE_COORDINATOR = "coordinator@cheshirewest.example.org"
HAMPSHIRE_COORDINATOR = "coordinator@hampshire.example.org"

#: Cheshire West and Chester: (self rating, agreed rating, rationale, room votes early..mature).
CHESHIRE_RATINGS = {
    "family-experience": (
        "developing-maturing", "developing",
        "Families in the integrated early support service name one keyworker, but health and "
        "probation still assess separately, and families outside the service see little change.",
        (2, 9, 4, 0),
    ),
    "leadership": (
        "maturing", "maturing",
        "One partnership board owns early help across the council, police, health and the "
        "voluntary sector, with a pooled budget and shared outcome measures reported quarterly.",
        (0, 2, 10, 3),
    ),
    "strategy": (
        "maturing", "maturing",
        "The early help strategy sits inside the wider public service reform plan and the health "
        "and wellbeing strategy, and commissioning follows it.",
        (0, 3, 9, 2),
    ),
    "culture": (
        "developing-maturing", "developing",
        "Staff and partners back whole family working, but risk-averse habits persist in some "
        "teams and good practice spreads slowly beyond the integrated teams.",
        (1, 8, 5, 1),
    ),
    "workforce-development": (
        "maturing", "maturing",
        "A shared induction and a common practice framework run across partners, and keyworkers "
        "from several agencies train together.",
        (0, 4, 9, 1),
    ),
    "delivery": (
        "maturing", "maturing",
        "Co-located locality teams with police and health staff share one case system and a "
        "single family plan.",
        (0, 3, 10, 2),
    ),
}

CHESHIRE_EVIDENCE = [
    ("Partnership board terms of reference and pooled budget agreement", "qualitative", "lead-"),
    ("Quarterly early help outcomes dashboard", "quantitative", "lead-"),
    ("Locality team co-location review", "qualitative", "del-"),
    ("Families with a single plan, as a share of those supported", "quantitative", "del-"),
]

#: Cheshire West's peer review of Hampshire: (peer rating, position, strengths, development,
#: questions, Hampshire's answer or None).
HAMPSHIRE_REVIEW = {
    "family-experience": (
        "maturing", "agree",
        "Families we met could name their lead professional and describe their plan; step-down "
        "plans are clear.", None, None, None,
    ),
    "leadership": (
        "developing", "agree",
        "Visible political backing and seconded staff from the CCG and police.",
        "Turn the evaluation's findings into a shared business case partners sign up to.",
        None, None,
    ),
    "strategy": (
        "developing-maturing", "challenge",
        "The programme is written into many service specifications.",
        "Alignment is strong on paper, but we saw little evidence that district plans follow it "
        "outside the merged partnerships.",
        "Which commissioning decisions in the last year changed because of the early help "
        "strategy?",
        "The 0-19 family support service and the domestic abuse recommissioning were both shaped "
        "by the strategy; the joint commissioning minutes are now in the evidence register.",
    ),
    "culture": (
        "developing", "challenge",
        "Strong practice leadership and good case studies.",
        "The shared vision has not yet reached day-to-day operations in most partner agencies, "
        "which the assessment itself says; that reads as developing rather than between stages.",
        "How will team managers be supported to change practice, and by when?",
        None,
    ),
    "workforce-development": (
        "developing-maturing", "agree",
        "Training on complex families is now part of the regular offer.",
        "Extend shared performance objectives beyond the council's own teams.", None, None,
    ),
    "delivery": (
        "developing-maturing", "agree",
        "SafetyNet gives partners a shared view of families.",
        "Routine data sharing with the remaining key partners.", None, None,
    ),
}

REVIEW_SUMMARY = (
    "A candid assessment that is well evidenced for the families in the programme. The area's "
    "own ratings hold up for most strands; we challenge culture and strategy, where the evidence "
    "shows intent and strong specifications more than change in partners' everyday practice. The "
    "next step is to show the programme's ways of working in services beyond it."
)


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _assessment(area: Area, title: str) -> Assessment | None:
    return db.session.scalar(
        select(Assessment).where(Assessment.area_id == area.id, Assessment.title == title)
    )


def _room(votes: tuple[int, int, int, int]) -> dict:
    summary = summarise_counts(dict(enumerate(votes, start=1)))
    return {
        "workshop_title": "Partnership workshop, June 2016",
        "n": summary.n,
        "abstentions": 0,
        "counts": {str(stage): count for stage, count in summary.counts.items()},
        "mean": summary.mean,
        "median": summary.median.code if summary.median else None,
        "consensus": summary.consensus,
    }


def seed_cheshire(framework) -> Assessment | None:
    """Cheshire West and Chester's own 2016 assessment, agreed with partners."""
    area = db.session.scalar(select(Area).where(Area.name == CHESHIRE))
    if area is None:
        return None
    existing = _assessment(area, CHESHIRE_TITLE)
    if existing is not None:
        return existing
    user = _user(CHESHIRE_COORDINATOR)
    assessment = assessment_operations.create_assessment(
        area, framework, CHESHIRE_TITLE, "2016 to 2017", user,
        period_start=date(2016, 4, 1), period_end=date(2017, 3, 31),
    )
    strands = {s.key: s for s in framework.strands}
    for key, (own, agreed, rationale, votes) in CHESHIRE_RATINGS.items():
        strand = strands.get(key)
        if strand is None:
            continue
        assessment_operations.set_self_rating(assessment, strand, own, rationale, user)
        assessment_operations.carry_in_room_result(assessment, strand, _room(votes), user)
        assessment_operations.set_agreed_rating(
            assessment, strand, agreed, "Agreed at the partnership workshop. " + rationale, user
        )
    council = next((o for o in area.organisations if o.org_type == "local-authority"), None)
    for title, kind, prefix in CHESHIRE_EVIDENCE:
        features = list(
            db.session.scalars(
                select(Feature)
                .where(Feature.framework_id == framework.id, Feature.key.startswith(prefix))
                .where(Feature.stage.in_((2, 3)))
                .order_by(Feature.stage, Feature.position)
                .limit(4)
            )
        )
        item = Evidence(
            assessment=assessment,
            title=title,
            kind=kind,
            organisation=council,
            status="accepted",
            about_date=date(2016, 5, 31),
            no_personal_data=True,
            created_by=user,
            features=features,
        )
        if kind == "quantitative":
            item.value, item.unit, item.baseline, item.period = 78.0, "per cent", 52.0, "2015 to 2016"
        db.session.add(item)
    for status in ("evidence", "workshop", "agreed"):
        if assessment_operations.next_status(assessment) == status:
            assessment_operations.advance(assessment, user)
    db.session.flush()
    return assessment


def seed_review() -> PeerReview | None:
    """Cheshire West and Chester's peer review of Hampshire's 2016 assessment."""
    hampshire = db.session.scalar(select(Area).where(Area.name == "Hampshire"))
    cheshire = db.session.scalar(select(Area).where(Area.name == CHESHIRE))
    reviewer = _user(REVIEWER_EMAIL)
    if hampshire is None or cheshire is None or reviewer is None:
        return None
    assessment = _assessment(hampshire, HAMPSHIRE_TITLE)
    if assessment is None:
        return None
    already = db.session.scalar(
        select(PeerReview).where(
            PeerReview.assessment_id == assessment.id, PeerReview.reviewing_area_id == cheshire.id
        )
    )
    if already is not None:
        return already
    if any(r.is_open for r in db.session.scalars(
        select(PeerReview).where(PeerReview.assessment_id == assessment.id)
    )):
        return None  # someone has started another review of it; leave theirs alone
    coordinator = _user(HAMPSHIRE_COORDINATOR)
    review = operations.request_review(
        assessment, cheshire, [reviewer], coordinator,
        "Please test our ratings for culture and delivery in particular.",
    )
    strands = {
        s.key: s
        for s in db.session.scalars(select(Strand).where(Strand.framework_id == assessment.framework_id))
    }
    for key, (rating, position, strengths, development, questions, _answer) in HAMPSHIRE_REVIEW.items():
        if key in strands:
            operations.record_strand(
                review, strands[key], reviewer, rating, position, strengths, development, questions
            )
    operations.record_summary(review, reviewer, REVIEW_SUMMARY)
    operations.submit(review, reviewer, strands.values())
    for key, (*_rest, answer) in HAMPSHIRE_REVIEW.items():
        entry = review.strand_review(strands[key]) if key in strands else None
        if answer and entry is not None:
            operations.respond(entry, coordinator, answer)
    db.session.flush()
    return review


def seed() -> None:
    """Cheshire West and Chester's agreed 2016 assessment, and its peer review of Hampshire."""
    from maturity.framework.operations import latest_framework

    framework = latest_framework()
    if framework is None:
        return
    seed_cheshire(framework)
    seed_review()
    db.session.flush()
