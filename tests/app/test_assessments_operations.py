"""Assessment writes: ratings and their history, the lifecycle rules, actions, the next cycle."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from maturity.assessments import operations
from maturity.assessments.operations import Governance
from maturity.assessments.overview import build_overview, strand_view
from maturity.assessments.queries import evidence_counts, supported_feature_ids
from maturity.errors import OperationError
from maturity.extensions import db
from maturity.models import (
    Element,
    Evidence,
    Feature,
    FrameworkVersion,
    HistoryEntry,
    Strand,
)


def strand_of(framework, key):
    return next(s for s in framework.strands if s.key == key)


def element_of(framework, key):
    return next(e for s in framework.strands for e in s.elements if e.key == key)


def features_of(framework, strand_key, stage=None):
    strand = strand_of(framework, strand_key)
    return [f for e in strand.elements for f in e.features if stage is None or f.stage == stage]


def add_evidence(assessment, features, kind="qualitative", status="draft", title="Evidence", **fields):
    item = Evidence(
        assessment=assessment, title=title, kind=kind, status=status, features=list(features), **fields
    )
    db.session.add(item)
    db.session.commit()
    return item


def history(assessment, kind=None):
    query = select(HistoryEntry).where(HistoryEntry.assessment_id == assessment.id)
    if kind:
        query = query.where(HistoryEntry.kind == kind)
    return list(db.session.scalars(query.order_by(HistoryEntry.id)))


@pytest.fixture
def coordinator(make_area, make_user):
    area = make_area("Hampshire")
    return make_user("coordinator", area), area


@pytest.fixture
def assessment(make_assessment, coordinator):
    user, area = coordinator
    return make_assessment(area=area, user=user)


# --------------------------------------------------------------------------------------------
# Ratings
# --------------------------------------------------------------------------------------------


def test_opening_writes_a_rating_row_per_strand_and_history(assessment, framework):
    assert {r.strand_id for r in assessment.strand_ratings} == {s.id for s in framework.strands}
    (entry,) = history(assessment)
    assert (entry.kind, entry.to_value) == ("status", "draft")


def test_self_rating_is_stored_and_kept_in_history(assessment, framework, coordinator):
    user, _ = coordinator
    culture = strand_of(framework, "culture")
    operations.set_self_rating(assessment, culture, "developing-maturing", "  Shared vision patchy ", user)
    db.session.commit()
    row = assessment.rating_for(culture)
    assert row.self_rating == "developing-maturing"
    assert row.self_rationale == "Shared vision patchy"
    assert row.self_rated_by_id == user.id and row.self_rated_at is not None
    operations.set_self_rating(assessment, culture, "maturing", "Better now", user)
    db.session.commit()
    entries = history(assessment, "self_rating")
    assert [(e.subject, e.from_value, e.to_value) for e in entries] == [
        ("Culture", None, "developing-maturing"),
        ("Culture", "developing-maturing", "maturing"),
    ]
    assert entries[-1].user_id == user.id and entries[-1].note == "Better now"


def test_saving_the_same_rating_again_writes_no_history(assessment, framework):
    culture = strand_of(framework, "culture")
    operations.set_self_rating(assessment, culture, "developing", "Why", None)
    operations.set_self_rating(assessment, culture, "developing", "Why", None)
    db.session.commit()
    assert len(history(assessment, "self_rating")) == 1


@pytest.mark.parametrize("code", ["", "average", "early-mature", "maturing-developing", "developing-developing", "5", None])
def test_ratings_outside_the_choices_are_refused(assessment, framework, code):
    culture = strand_of(framework, "culture")
    with pytest.raises(OperationError, match="Choose a rating"):
        operations.set_self_rating(assessment, culture, code, "Why", None)
    with pytest.raises(OperationError):
        operations.set_element_rating(assessment, element_of(framework, "culture"), code, None, None)
    with pytest.raises(OperationError):
        operations.set_agreed_rating(assessment, culture, code, "Why", None)
    assert assessment.rating_for(culture).self_rating is None


def test_element_rating_and_history(assessment, framework, coordinator):
    user, _ = coordinator
    structures = element_of(framework, "delivery-structures")
    operations.set_element_rating(assessment, structures, "developing", None, user)
    db.session.commit()
    assert assessment.element_rating_for(structures).self_rating == "developing"
    (entry,) = history(assessment, "element_rating")
    assert entry.subject == "Delivery: Delivery structures"
    assert (entry.from_value, entry.to_value) == (None, "developing")


def test_agreed_rating_needs_a_rationale_and_keeps_its_inputs(assessment, framework, coordinator):
    user, _ = coordinator
    strategy = strand_of(framework, "strategy")
    with pytest.raises(OperationError, match="Say why"):
        operations.set_agreed_rating(assessment, strategy, "maturing", "  ", user)
    inputs = {"self_rating": "developing", "evidenced_stage": 2}
    operations.set_agreed_rating(assessment, strategy, "developing-maturing", "Room and evidence", user, inputs)
    db.session.commit()
    row = assessment.rating_for(strategy)
    assert row.agreed_rating == "developing-maturing" and row.agreed_inputs == inputs
    assert row.agreed_by_id == user.id
    (entry,) = history(assessment, "agreed_rating")
    assert entry.to_value == "developing-maturing"


def test_room_result_carried_in_is_recorded(assessment, framework):
    leadership = strand_of(framework, "leadership")
    result = {
        "workshop_id": 7, "workshop_title": "Partnership workshop", "round_id": 3, "n": 4,
        "abstentions": 1, "counts": {"1": 0, "2": 2, "3": 2, "4": 0}, "mean": 2.5,
        "median": "developing-maturing", "consensus": 0.6,
    }
    operations.carry_in_room_result(assessment, leadership, result, None)
    db.session.commit()
    row = assessment.rating_for(leadership)
    assert row.room_result["median"] == "developing-maturing"
    assert row.room_result["carried_at"] and row.room_carried_at is not None
    (entry,) = history(assessment, "room_result")
    assert entry.to_value == "developing-maturing" and "Partnership workshop" in entry.note
    view = strand_view(build_overview(assessment), "leadership")
    assert view.room.n == 4 and view.room.median.code == "developing-maturing"


# --------------------------------------------------------------------------------------------
# Lifecycle
# --------------------------------------------------------------------------------------------


def agree_everything(assessment, framework):
    for strand in framework.strands:
        operations.set_agreed_rating(assessment, strand, "developing", "Agreed in the workshop", None)


def test_lifecycle_moves_one_step_at_a_time(assessment, coordinator):
    user, _ = coordinator
    assert operations.advance(assessment, user) == "evidence"
    assert operations.advance(assessment, user, expected="workshop") == "workshop"
    with pytest.raises(OperationError, match="moved on"):
        operations.advance(assessment, user, expected="workshop")
    db.session.commit()
    statuses = [(e.from_value, e.to_value) for e in history(assessment, "status")]
    assert statuses == [(None, "draft"), ("draft", "evidence"), ("evidence", "workshop")]
    assert all(e.user_id == user.id for e in history(assessment, "status")[1:])


def test_agreeing_needs_an_agreed_rating_for_every_strand(assessment, framework):
    assessment.status = "workshop"
    operations.set_agreed_rating(assessment, strand_of(framework, "culture"), "developing", "Why", None)
    with pytest.raises(OperationError, match="Still to agree: Family experience, Leadership"):
        operations.advance(assessment, None)
    agree_everything(assessment, framework)
    assert operations.advance(assessment, None) == "agreed"


@pytest.mark.parametrize(
    ("governance", "message"),
    [
        (None, "Enter the governance board"),
        (Governance("Health and Wellbeing Board", None, "HWB/17/04"), "Enter the governance board"),
        (Governance("Health and Wellbeing Board", date(2017, 3, 14), " "), "Enter the governance board"),
        (Governance("", date(2017, 3, 14), "HWB/17/04"), "Enter the governance board"),
        (Governance("Health and Wellbeing Board", date.today() + timedelta(days=1), "HWB/17/04"), "today or in the past"),
    ],
)
def test_confirmation_needs_board_date_and_minute(assessment, framework, governance, message):
    assessment.status = "agreed"
    with pytest.raises(OperationError, match=message):
        operations.advance(assessment, None, governance=governance)
    assert assessment.status == "agreed"
    assert assessment.governance_board is None


def test_confirmation_records_governance_and_locks_ratings(assessment, framework, coordinator):
    user, _ = coordinator
    assessment.status = "agreed"
    governance = Governance(" Health and Wellbeing Board ", date(2017, 3, 14), "HWB/17/04")
    assert operations.advance(assessment, user, governance=governance) == "confirmed"
    db.session.commit()
    assert assessment.governance_board == "Health and Wellbeing Board"
    assert assessment.governance_date == date(2017, 3, 14)
    assert assessment.governance_minute == "HWB/17/04"
    entry = history(assessment, "status")[-1]
    assert (entry.from_value, entry.to_value) == ("agreed", "confirmed")
    assert "Health and Wellbeing Board" in entry.note and "HWB/17/04" in entry.note
    culture = strand_of(framework, "culture")
    with pytest.raises(OperationError, match="locked"):
        operations.set_self_rating(assessment, culture, "mature", "Why", user)
    with pytest.raises(OperationError, match="locked"):
        operations.set_agreed_rating(assessment, culture, "mature", "Why", user)
    with pytest.raises(OperationError, match="locked"):
        operations.carry_in_room_result(assessment, culture, {"median": "mature"}, user)


def test_step_back_needs_a_reason_and_unlocks(assessment, framework, coordinator):
    user, _ = coordinator
    assert operations.previous_status(assessment) is None
    with pytest.raises(OperationError, match="no earlier step"):
        operations.step_back(assessment, user, "Because")
    assessment.status = "confirmed"
    with pytest.raises(OperationError, match="Say why"):
        operations.step_back(assessment, user, "   ")
    assert operations.step_back(assessment, user, "Board asked for more evidence") == "agreed"
    db.session.commit()
    entry = history(assessment, "status")[-1]
    assert (entry.from_value, entry.to_value) == ("confirmed", "agreed")
    assert entry.note == "Stepped back: Board asked for more evidence"
    operations.set_self_rating(assessment, strand_of(framework, "culture"), "maturing", "Now allowed", user)


def test_shared_is_the_last_step(assessment):
    assessment.status = "shared"
    assert operations.next_status(assessment) is None
    with pytest.raises(OperationError, match="last step"):
        operations.advance(assessment, None)


def test_walk_the_whole_lifecycle(assessment, framework, make_area):
    from maturity.models import PeerReview
    from maturity.models.base import utcnow

    agree_everything(assessment, framework)
    seen = []
    while operations.next_status(assessment):
        step = operations.next_status(assessment)
        governance = Governance("Board", date(2017, 1, 1), "M1") if step == "confirmed" else None
        if step == "peer_reviewed":
            with pytest.raises(OperationError, match="peer review must be submitted"):
                operations.advance(assessment, None)
            review = PeerReview(assessment=assessment, reviewing_area=make_area("Peer champion"), status="submitted", submitted_at=utcnow())
            db.session.add(review)
            db.session.flush()
        seen.append(operations.advance(assessment, None, governance=governance))
    assert seen == ["evidence", "workshop", "agreed", "confirmed", "peer_reviewed", "shared"]


# --------------------------------------------------------------------------------------------
# Action plan
# --------------------------------------------------------------------------------------------


def test_actions_are_added_updated_and_overdue(assessment, framework, coordinator, make_area):
    user, area = coordinator
    delivery = strand_of(framework, "delivery")
    police = next(o for o in area.organisations if o.name.endswith("Police"))
    action = operations.add_action(assessment, delivery, "Agree data sharing", police, date(2017, 3, 31), user)
    db.session.commit()
    assert action.status == "not_started" and action.owner_organisation is police
    assert action.is_overdue(date(2017, 4, 1)) and not action.is_overdue(date(2017, 3, 31))
    operations.update_action(action, user, description="Agree data sharing", owner=police, due_date=date(2017, 3, 31), status="done")
    db.session.commit()
    assert not action.is_overdue(date(2020, 1, 1))
    entries = history(assessment, "action")
    assert [(e.from_value, e.to_value) for e in entries] == [(None, "Not started"), ("Not started", "Done")]

    other = make_area("Tameside")
    with pytest.raises(OperationError, match="partnership"):
        operations.add_action(assessment, delivery, "X", other.organisations[0], None, user)
    with pytest.raises(OperationError, match="Describe"):
        operations.add_action(assessment, delivery, "  ", None, None, user)
    with pytest.raises(OperationError, match="status"):
        operations.update_action(action, user, description="X", owner=None, due_date=None, status="finished")


# --------------------------------------------------------------------------------------------
# Queries and the overview
# --------------------------------------------------------------------------------------------


class QueryCounter:
    def __init__(self, log=False):
        self.count = 0
        self.log = log

    def __call__(self, conn, cursor, statement, *args):
        self.count += 1
        if self.log:
            print("SQL:", statement[:150].replace("\n", " "))

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self)


def test_supported_features_and_counts_ignore_rejected_evidence(assessment, framework, make_assessment):
    culture_dev = features_of(framework, "culture", 2)
    strategy = features_of(framework, "strategy")
    add_evidence(assessment, culture_dev[:2], "qualitative", "accepted")
    add_evidence(assessment, culture_dev[1:3] + strategy[:1], "quantitative", "draft")
    add_evidence(assessment, culture_dev[3:5], "quantitative", "rejected")
    add_evidence(make_assessment(), culture_dev, "qualitative", "accepted")  # another area's
    assert assessment.id  # load it before counting
    with QueryCounter() as counter:
        supported = supported_feature_ids(assessment)
    assert counter.count == 2  # the evidence links, and the family questionnaire (none here)
    assert supported == {f.id for f in culture_dev[:3]} | {strategy[0].id}
    with QueryCounter() as counter:
        counts = evidence_counts(assessment)
    assert counter.count == 2  # the evidence, and the family questionnaire (none here)
    culture, strategy_strand = strand_of(framework, "culture"), strand_of(framework, "strategy")
    assert counts[culture.id] == {"qualitative": 1, "quantitative": 1, "total": 2}
    assert counts[strategy_strand.id] == {"qualitative": 0, "quantitative": 1, "total": 1}


def test_overview_evidenced_stage_and_flags(assessment, framework):
    culture = strand_of(framework, "culture")
    add_evidence(assessment, features_of(framework, "culture", 2), "qualitative", "accepted")
    operations.set_self_rating(assessment, culture, "maturing", "Why", None)
    db.session.commit()
    view = strand_view(build_overview(assessment), "culture")
    assert view.evidenced == 2 and view.evidenced_label == "Developing"
    assert {f.code for f in view.flags} == {"claim_above_evidence", "one_kind_of_evidence"}
    assert view.status == "rated"
    assert strand_view(build_overview(assessment), "strategy").status == "not_started"
    # A rejected item no longer supports the stage.
    item = db.session.scalar(select(Evidence).where(Evidence.assessment_id == assessment.id))
    item.status = "rejected"
    db.session.commit()
    assert strand_view(build_overview(assessment), "culture").evidenced == 1


def test_element_evidenced_stage_is_per_element(assessment, framework):
    structures = element_of(framework, "delivery-structures")
    achievements = [
        f for f in structures.features_at(2) + structures.features_at(3) if not f.is_limitation
    ]
    add_evidence(assessment, achievements, status="accepted")
    view = strand_view(build_overview(assessment), "delivery")
    by_key = {e.element.key: e for e in view.elements}
    assert by_key["delivery-structures"].evidenced == 3
    assert by_key["delivery-processes"].evidenced == 1
    assert by_key["delivery-structures"].status == "in_progress"
    assert view.evidenced == 1  # the strand needs every feature of a stage, across elements
    assert view.status == "in_progress"


def test_overview_runs_a_fixed_number_of_queries(assessment, framework):
    """As in a request: a fresh session, and the same number of queries for 20 or 37 items."""
    from maturity.models import Assessment

    assessment_id = assessment.id
    strategy_ids = [f.id for f in features_of(framework, "strategy")]
    for index, feature in enumerate(features_of(framework, "leadership")[:20]):
        add_evidence(assessment, [feature], "quantitative" if index % 2 else "qualitative", "accepted", title=f"Item {index}")
    db.session.remove()
    with QueryCounter() as few:
        build_overview(db.session.get(Assessment, assessment_id), with_titles=True)
    assessment = db.session.get(Assessment, assessment_id)
    for index, feature_id in enumerate(strategy_ids):
        add_evidence(assessment, [db.session.get(Feature, feature_id)], title=f"More {index}")
    db.session.remove()
    with QueryCounter() as many:
        build_overview(db.session.get(Assessment, assessment_id), with_titles=True)
    # 12 for the assessment and its evidence, and 2 for the family questionnaire's results
    assert many.count == few.count <= 15


# --------------------------------------------------------------------------------------------
# Next cycle
# --------------------------------------------------------------------------------------------


def test_next_cycle_carries_evidence_forward(app, assessment, framework, coordinator, tmp_path):
    user, area = coordinator
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / ("a" * 32)).write_bytes(b"%PDF-1.4 original")
    culture = features_of(framework, "culture", 2)
    kept = add_evidence(
        assessment, culture[:2], "quantitative", "accepted", title="Referrals", value=12.5, unit="%",
        baseline=10.0, period="2016", about_date=date(2016, 6, 1), link="https://example.org/r",
        organisation_id=area.organisations[0].id, file_key="a" * 32, file_name="referrals.pdf",
        file_type="application/pdf", file_size=17, no_personal_data=True, created_by_id=user.id,
    )
    draft = add_evidence(assessment, culture[2:3], title="Draft note", file_key="b" * 32, file_name="gone.pdf")
    add_evidence(assessment, culture[3:4], status="rejected", title="Rejected")
    new, count = operations.start_next_cycle(
        assessment, "Self-assessment 2017", "2017 to 2018", user, upload_folder=folder
    )
    db.session.commit()
    assert count == 2
    assert new.previous_id == assessment.id and new.area_id == area.id and new.status == "draft"
    copies = {e.title: e for e in db.session.scalars(select(Evidence).where(Evidence.assessment_id == new.id))}
    assert set(copies) == {"Referrals", "Draft note"}
    copy = copies["Referrals"]
    assert copy.carried_from_id == kept.id and copy.status == "draft"
    assert {f.id for f in copy.features} == {f.id for f in culture[:2]}
    assert (copy.value, copy.unit, copy.baseline, copy.period, copy.link) == (12.5, "%", 10.0, "2016", "https://example.org/r")
    assert copy.organisation_id == area.organisations[0].id and copy.no_personal_data
    assert copy.file_key not in (None, kept.file_key) and len(copy.file_key) == 32
    assert (folder / copy.file_key).read_bytes() == b"%PDF-1.4 original"
    assert copy.file_name == "referrals.pdf"
    # The draft's file had gone, so the copy has no file rather than a broken download.
    assert copies["Draft note"].carried_from_id == draft.id
    assert copies["Draft note"].file_key is None and copies["Draft note"].file_name is None
    # The original cycle is untouched.
    assert kept.status == "accepted" and kept.file_key == "a" * 32
    notes = [e.note for e in history(new, "evidence")]
    assert any("2 evidence items carried forward" in note for note in notes)


@pytest.fixture
def second_framework(app, framework):
    """A revised model sharing some feature keys with the loaded one; removed afterwards."""
    version = FrameworkVersion(
        key="early-help-2016", version="2018-test", title="Revised model", source={}, content_hash="x",
        stages=framework.stages, loaded_at=datetime(2000, 1, 1),
    )
    db.session.add(version)
    db.session.flush()
    originals = [(old, old.elements[0], list(old.elements[0].features[:2])) for old in framework.strands]
    for position, (old, first, features) in enumerate(originals, start=1):
        strand = Strand(
            framework=version, key=old.key, position=position, name=old.name, short_name=old.short_name,
            purpose=old.purpose, what_to_look_for=[], measures="", evidence_sources=[],
        )
        db.session.add(strand)
        element = Element(strand=strand, key=first.key, position=1, name=first.name, summaries={})
        db.session.add(element)
        db.session.flush()
        for f_position, feature in enumerate(features, start=1):
            db.session.add(Feature(framework_id=version.id, element=element, stage=feature.stage, key=feature.key, position=f_position, text=feature.text))
        db.session.add(Feature(framework_id=version.id, element=element, stage=2, key=f"{old.key}-new", position=9, text="New"))
    db.session.commit()
    yield version
    db.session.rollback()
    from maturity.models import Assessment

    for item in db.session.scalars(select(Assessment).where(Assessment.framework_id == version.id)):
        db.session.delete(item)
    db.session.flush()
    db.session.delete(version)
    db.session.commit()


def test_next_cycle_on_another_version_maps_features_by_key(assessment, framework, second_framework):
    culture = strand_of(framework, "culture").elements[0].features
    shared, dropped = culture[0], culture[5]
    add_evidence(assessment, [shared, dropped], status="accepted", title="Vision statement")
    new, count = operations.start_next_cycle(assessment, "2018", "2018 to 2019", None, framework=second_framework)
    db.session.commit()
    assert count == 1 and new.framework_id == second_framework.id
    copy = db.session.scalar(select(Evidence).where(Evidence.assessment_id == new.id))
    assert [f.key for f in copy.features] == [shared.key]
    assert copy.features[0].framework_id == second_framework.id
    assert len(new.strand_ratings) == len(second_framework.strands)


def test_next_cycle_leaves_ratings_behind(assessment, framework):
    operations.set_self_rating(assessment, strand_of(framework, "culture"), "maturing", "Why", None)
    new, count = operations.start_next_cycle(assessment, "Next", "2017", None)
    db.session.commit()
    assert count == 0
    assert all(r.self_rating is None for r in new.strand_ratings)
    assert db.session.scalar(select(func.count(Evidence.id)).where(Evidence.assessment_id == new.id)) == 0
