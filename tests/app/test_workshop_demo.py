"""The workshops demo step: Hampshire's recorded workshop with Annex 3's medians; idempotent."""

from sqlalchemy import func, select

from maturity.assessments import demo as assessments_demo
from maturity.core.scoring import Rating
from maturity.demo import load_yaml, seed_areas, seed_users
from maturity.extensions import db
from maturity.models import Participant, StrandRating, Vote, Workshop
from maturity.workshops import demo
from maturity.workshops.results import build_reports

ANNEX_3 = {
    "leadership": "D",
    "workforce-development": "D\u2013M",
    "culture": "D\u2013M",
    "delivery-structures": "D",
    "delivery-processes": "M",
    "strategy": "M",
    "family-experience": "M",
}


def load():
    data = load_yaml("areas.yaml")
    seed_users(data, seed_areas(data))
    assessments_demo.seed()
    demo.seed()
    db.session.commit()


def test_without_hampshire_s_assessment_the_step_does_nothing(app, framework):
    demo.seed()
    assert db.session.scalar(select(func.count()).select_from(Workshop)) == 0


def test_hampshire_s_workshop_gives_annex_3_s_medians_and_loads_once(app, framework, client):
    load()
    load()
    workshop = db.session.scalar(select(Workshop))
    assert db.session.scalar(select(func.count()).select_from(Workshop)) == 1
    assert workshop.title == demo.WORKSHOP_TITLE and workshop.status == "closed"
    assert workshop.assessment.area.name == "Hampshire"
    participants = db.session.scalar(select(func.count()).select_from(Participant))
    assert participants == 24
    org_types = set(db.session.scalars(select(Participant.org_type)))
    assert len(org_types) >= 6

    medians = {
        (r.round.element.key if r.round.element else r.round.strand.key): r.summary.median.short
        for r in build_reports(workshop)
    }
    assert medians == ANNEX_3
    assert all(r.round.revealed and r.round.state == "closed" for r in build_reports(workshop))
    assert db.session.scalar(select(func.count()).select_from(Vote)) == sum(
        sum(votes.values()) for _, _, votes, _ in demo.ROUNDS
    )

    # The room's results are carried into the assessment, delivery pooled over its two elements.
    carried = {
        row.strand.key: row.room_result
        for row in db.session.scalars(select(StrandRating).where(StrandRating.assessment_id == workshop.assessment_id))
    }
    assert all(result and result["workshop_id"] == workshop.id for result in carried.values())
    assert Rating.parse(carried["leadership"]["median"]).short == "D"
    assert [Rating.parse(e["median"]).short for e in carried["delivery"]["elements"]] == ["D", "M"]
