"""The assessments demo step: Hampshire's published self ratings, Staffordshire and Tameside; idempotent."""

from sqlalchemy import func, select

from maturity.assessments import demo
from maturity.assessments.overview import build_overview
from maturity.demo import load_yaml, seed_areas, seed_users
from maturity.extensions import db
from maturity.models import Action, Area, Assessment, HistoryEntry


def load(framework):
    data = load_yaml("areas.yaml")
    seed_users(data, seed_areas(data))
    demo.seed()
    db.session.commit()


def test_demo_assessments_match_the_toolkit_and_load_once(app, framework):
    load(framework)
    load(framework)
    rows = db.session.execute(
        select(Area.name, Assessment.title, Assessment.status).join(Area, Area.id == Assessment.area_id).order_by(Area.name)
    ).all()
    assert [tuple(r) for r in rows] == [
        ("Hampshire", "Early help maturity self-assessment 2016", "workshop"),
        ("Staffordshire", "Early help maturity self-assessment 2017", "evidence"),
        ("Tameside", "Early help maturity self-assessment 2018", "draft"),
    ]
    hampshire = db.session.scalar(select(Assessment).where(Assessment.title == demo.HAMPSHIRE_TITLE))
    views = {v.strand.key: v for v in build_overview(hampshire)}
    shorts = {key: v.self_rating.short for key, v in views.items()}
    # Annex 3: leadership D, workforce D-M, culture D-M, strategy M, family experience M.
    assert shorts == {
        "leadership": "D", "workforce-development": "D\u2013M", "culture": "D\u2013M",
        "delivery": "D\u2013M", "strategy": "M", "family-experience": "M",
    }
    delivery = {e.element.key: e.self_rating.short for e in views["delivery"].elements}
    assert delivery == {"delivery-structures": "D", "delivery-processes": "M"}
    assert all(v.rating_row.self_rationale for v in views.values())
    assert db.session.scalar(select(func.count(Action.id)).where(Action.assessment_id == hampshire.id)) >= 2
    statuses = db.session.scalars(
        select(HistoryEntry.to_value).where(HistoryEntry.assessment_id == hampshire.id, HistoryEntry.kind == "status").order_by(HistoryEntry.id)
    ).all()
    assert statuses == ["draft", "evidence", "workshop"]
    creator = hampshire.created_by
    assert creator is not None and creator.email == "coordinator@hampshire.example.org"
