"""Hampshire's demo evidence register: realistic, reviewed, and loaded only once."""

from sqlalchemy import func, select

from maturity.evidence import demo
from maturity.extensions import db
from maturity.models import Evidence, HistoryEntry


def hampshire(make_area, make_user, make_assessment):
    organisations = [
        (demo.COUNCIL, "local-authority"), (demo.POLICE, "police"), (demo.PCC, "pcc"), (demo.HEALTH, "health"),
        (demo.JOBCENTRE, "jobcentre-plus"), (demo.CRC, "probation"), (demo.VOLUNTARY, "voluntary"),
    ]
    area = make_area(demo.AREA, organisations=organisations)
    make_user("coordinator", area, email=demo.COORDINATOR)
    make_user("contributor", area, email="police@hampshire.example.org")
    make_user("contributor", area, email="health@hampshire.example.org")
    return make_assessment(area, title=demo.TITLE)


def test_demo_adds_hampshires_register_once(make_area, make_user, make_assessment):
    assessment = hampshire(make_area, make_user, make_assessment)
    demo.seed()
    db.session.commit()
    items = list(db.session.scalars(select(Evidence).where(Evidence.assessment_id == assessment.id)))
    assert 15 <= len(items) == len(demo.ITEMS)
    assert {e.kind for e in items} == {"qualitative", "quantitative"}
    assert len({e.organisation_id for e in items}) >= 5
    assert all(e.features for e in items)
    statuses = [e.status for e in items]
    assert statuses.count("rejected") == 1 and statuses.count("accepted") >= 8 and "draft" in statuses
    rejected = next(e for e in items if e.status == "rejected")
    assert rejected.status_reason
    assert all(e.source_type for e in items)
    reviewed = db.session.scalar(
        select(func.count()).select_from(HistoryEntry).where(HistoryEntry.kind == "evidence_status")
    )
    assert reviewed == statuses.count("accepted") + statuses.count("rejected")
    demo.seed()
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == len(items)


def test_demo_does_nothing_without_the_assessment(make_area):
    demo.seed()
    make_area(demo.AREA)
    demo.seed()
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0
