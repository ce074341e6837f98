"""Demo data for workshops, loaded by `flask --app app seed-demo` (idempotent).

Hampshire's partnership workshop, as in the toolkit's case example: partners voted on each
strand with handsets and the room's medians mirrored the desktop self rating (Annex 3:
leadership D, workforce D-M, culture D-M, delivery structures D, delivery processes M,
strategy M, family experience M). The votes below are invented to give those medians, from
24 people of eight kinds of partner. The workshop is run through the same operations as a
live one (join, open, vote, close, reveal, end) and its results are carried into the
assessment.
"""

import random
from contextlib import suppress
from datetime import date

from sqlalchemy import select

from maturity.extensions import db
from maturity.models import Area, Assessment, Element, Strand, User, Workshop
from maturity.workshops import operations

AREA = "Hampshire"
ASSESSMENT_TITLE = "Early help maturity self-assessment 2016"
WORKSHOP_TITLE = "Hampshire partnership workshop: rating the strands"
HELD_ON = date(2016, 11, 17)
COORDINATOR = "coordinator@hampshire.example.org"

#: Who was in the room: 24 people by kind of organisation.
PARTICIPANTS = (
    ["local-authority"] * 7
    + ["police"] * 3
    + ["health"] * 3
    + ["schools"] * 3
    + ["voluntary"] * 3
    + ["housing"] * 2
    + ["probation"] * 2
    + ["jobcentre-plus"] * 1
)

#: Rounds in Annex 3's order: (strand key, element key or None, votes per stage, hand counts).
#: None in the votes is "don't know"; anyone not given a vote did not vote in that round.
ROUNDS = [
    ("leadership", None, {1: 3, 2: 11, 3: 7, 4: 1, None: 1}, {}),  # D
    ("workforce-development", None, {1: 2, 2: 9, 3: 9, 4: 2, None: 2}, {}),  # D-M
    ("culture", None, {1: 1, 2: 10, 3: 9, 4: 2, None: 1}, {}),  # D-M
    ("delivery", "delivery-structures", {1: 4, 2: 10, 3: 6, 4: 1, None: 2}, {}),  # D
    ("delivery", "delivery-processes", {1: 1, 2: 6, 3: 12, 4: 3, None: 1}, {}),  # M
    ("strategy", None, {2: 7, 3: 11, 4: 4, None: 1}, {}),  # M
    ("family-experience", None, {1: 1, 2: 6, 3: 11, 4: 4, None: 2}, {3: 2}),  # M
]
HAND_COUNT_NOTE = "Paper cards from two district representatives without phones"


def _hampshire_assessment() -> Assessment | None:
    return db.session.scalar(
        select(Assessment)
        .join(Area, Area.id == Assessment.area_id)
        .where(Area.name == AREA, Assessment.title == ASSESSMENT_TITLE)
        .order_by(Assessment.id)
    )


def _round_specs(assessment: Assessment) -> list[tuple[Strand, Element | None]]:
    strands = {s.key: s for s in assessment.framework.strands}
    specs = []
    for strand_key, element_key, _votes, _hand in ROUNDS:
        strand = strands[strand_key]
        element = next(e for e in strand.elements if e.key == element_key) if element_key else None
        specs.append((strand, element))
    return specs


def seed() -> None:
    """Hampshire's recorded workshop; skipped when its assessment is absent or it exists."""
    assessment = _hampshire_assessment()
    if assessment is None:
        return
    exists = db.session.scalar(
        select(Workshop.id).where(
            Workshop.assessment_id == assessment.id, Workshop.title == WORKSHOP_TITLE
        )
    )
    if exists is not None:
        return
    coordinator = db.session.scalar(select(User).where(User.email == COORDINATOR))
    workshop = operations.create_workshop(
        assessment,
        WORKSHOP_TITLE,
        _round_specs(assessment),
        held_on=HELD_ON,
        user=coordinator,
    )
    people = [operations.join(workshop, org_type) for org_type in PARTICIPANTS]
    chooser = random.Random(2016)
    for round_, (_s, _e, votes, hand_counts) in zip(workshop.rounds, ROUNDS, strict=True):
        operations.open_round(workshop, round_.id)
        ballots = [stage for stage, count in votes.items() for _ in range(count)]
        voters = chooser.sample(people, len(ballots))
        for person, stage in zip(voters, ballots, strict=True):
            operations.cast_vote(workshop.id, round_.id, person.id, stage)
        for stage, count in hand_counts.items():
            operations.add_manual_tally(workshop, round_.id, stage, count, HAND_COUNT_NOTE, coordinator)
        operations.close_round(workshop, round_.id)
        operations.reveal_round(workshop, True, round_.id)
        if round_.position < len(workshop.rounds):
            operations.move(workshop, +1)
    operations.end_workshop(workshop)
    carried = set()
    for round_ in workshop.rounds:
        if round_.strand_id in carried:
            continue
        carried.add(round_.strand_id)
        # When the assessment's ratings are locked, leave them as they are.
        with suppress(operations.WorkshopError):
            operations.carry_room_result(workshop, round_.strand, coordinator)
    db.session.flush()
