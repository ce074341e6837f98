"""Reads for workshops: tallies are always counted from the vote rows, never kept as counters.

Every function takes the SQLAlchemy session to use, so the live stream can run them in a short
session of its own instead of the request's.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Integer, func, literal, select, union_all
from sqlalchemy.orm import Session

from maturity.core.scoring import VoteSummary, summarise_counts
from maturity.core.vocabulary import ORGANISATION_TYPES
from maturity.models import ElementRating, ManualTally, Participant, Round, StrandRating, Vote

#: The group the breakdown by organisation type uses for votes counted by hand.
MANUAL_GROUP = "Counted by hand"


@dataclass
class Tally:
    """One round's counts: phone votes and hand-counted votes, keyed by stage (None = don't know)."""

    phone: dict[int | None, int] = field(default_factory=dict)
    manual: dict[int | None, int] = field(default_factory=dict)
    #: How many vote writes (first votes and changes) the round's rows hold: the sum of their
    #: versions, read in the same statement as the counts, so it describes exactly them.
    writes: int = 0

    @property
    def phone_total(self) -> int:
        return sum(self.phone.values())

    @property
    def manual_total(self) -> int:
        return sum(self.manual.values())

    @property
    def total(self) -> int:
        """Everyone counted, "don't know" included."""
        return self.phone_total + self.manual_total

    def combined(self) -> dict[int | None, int]:
        merged: dict[int | None, int] = defaultdict(int)
        for counts in (self.phone, self.manual):
            for stage, number in counts.items():
                merged[stage] += number
        return dict(merged)

    def summary(self) -> VoteSummary:
        return summarise_counts(self.combined())


def tallies(session: Session, round_ids: Iterable[int]) -> dict[int, Tally]:
    """Per round id, its tally: one query (two GROUP BYs in a UNION ALL) however many rounds.

    Every live state counts the current round, so this is on the path of every poll that
    finds something new and of every presenter update: one round trip, not two.
    """
    ids = list(round_ids)
    result = {round_id: Tally() for round_id in ids}
    if not ids:
        return result
    phone = (
        select(
            Vote.round_id,
            Vote.stage,
            func.count().label("number"),
            literal(0, Integer).label("manual"),
            func.sum(Vote.version).label("writes"),
        )
        .where(Vote.round_id.in_(ids))
        .group_by(Vote.round_id, Vote.stage)
    )
    manual = (
        select(
            ManualTally.round_id,
            ManualTally.stage,
            func.sum(ManualTally.count).label("number"),
            literal(1, Integer).label("manual"),
            literal(0, Integer).label("writes"),
        )
        .where(ManualTally.round_id.in_(ids))
        .group_by(ManualTally.round_id, ManualTally.stage)
    )
    for round_id, stage, number, by_hand, writes in session.execute(union_all(phone, manual)):
        counts = result[round_id].manual if by_hand else result[round_id].phone
        counts[stage] = int(number or 0)
        result[round_id].writes += int(writes or 0)
    return result


def tally(session: Session, round_id: int) -> Tally:
    return tallies(session, [round_id])[round_id]


def org_types_voted(session: Session, round_id: int) -> list[dict]:
    """Which kinds of organisation have voted in a round and how many of each (never what)."""
    rows = session.execute(
        select(Participant.org_type, func.count())
        .join(Vote, Vote.participant_id == Participant.id)
        .where(Vote.round_id == round_id)
        .group_by(Participant.org_type)
    )
    found = [
        {
            "org_type": org_type,
            "label": ORGANISATION_TYPES.get(org_type, org_type) if org_type else "Not given",
            "count": int(number),
        }
        for org_type, number in rows
    ]
    return sorted(found, key=lambda item: (item["org_type"] is None, item["label"].casefold()))


def joined_count(session: Session, workshop_id: int) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(Participant).where(Participant.workshop_id == workshop_id)
        )
        or 0
    )


def group_votes(
    session: Session, round_ids: Iterable[int]
) -> dict[int, list[tuple[str | None, int | None]]]:
    """Per round id, (organisation type label, vote) pairs: one query for all the rounds.

    Votes counted by hand carry no organisation type; they form the group MANUAL_GROUP.
    """
    ids = list(round_ids)
    pairs: dict[int, list[tuple[str | None, int | None]]] = {round_id: [] for round_id in ids}
    if not ids:
        return pairs
    rows = session.execute(
        select(Vote.round_id, Participant.org_type, Vote.stage)
        .join(Participant, Participant.id == Vote.participant_id)
        .where(Vote.round_id.in_(ids))
    )
    for round_id, org_type, stage in rows:
        label = ORGANISATION_TYPES.get(org_type, org_type) if org_type else None
        pairs[round_id].append((label, stage))
    manual = session.execute(
        select(ManualTally.round_id, ManualTally.stage, ManualTally.count).where(
            ManualTally.round_id.in_(ids)
        )
    )
    for round_id, stage, number in manual:
        pairs[round_id].extend([(MANUAL_GROUP, stage)] * int(number))
    return pairs


def self_ratings(session: Session, assessment_id: int) -> tuple[dict[int, str], dict[int, str]]:
    """The desktop self ratings of an assessment: (by strand id, by element id), rating codes."""
    strands = {
        strand_id: code
        for strand_id, code in session.execute(
            select(StrandRating.strand_id, StrandRating.self_rating).where(
                StrandRating.assessment_id == assessment_id, StrandRating.self_rating.is_not(None)
            )
        )
    }
    elements = {
        element_id: code
        for element_id, code in session.execute(
            select(ElementRating.element_id, ElementRating.self_rating).where(
                ElementRating.assessment_id == assessment_id, ElementRating.self_rating.is_not(None)
            )
        )
    }
    return strands, elements


def self_rating_code(round_: Round, ratings: tuple[dict[int, str], dict[int, str]]) -> str | None:
    strands, elements = ratings
    if round_.element_id is not None:
        return elements.get(round_.element_id)
    return strands.get(round_.strand_id)
