"""Reads for workshops: the ways to load a workshop, and tallies, which are always counted
from the vote rows, never kept as counters.

Every function takes the SQLAlchemy session to use, so the live stream can run them in a short
session of its own instead of the request's.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import Integer, String, bindparam, func, literal, select, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, joinedload, selectinload

from maturity.core.anonymity import PublishedRound, publish_revotes
from maturity.core.scoring import VoteSummary, summarise_counts
from maturity.core.vocabulary import ORGANISATION_TYPES
from maturity.models import (
    Assessment,
    ElementRating,
    ManualTally,
    Participant,
    Round,
    StrandRating,
    Vote,
    Workshop,
)
from maturity.workshops import codes

# --------------------------------------------------------------------------------------------
# Loading a workshop
# --------------------------------------------------------------------------------------------
#
# By id for staff pages (`load_workshop`, after `access.get_or_404` has checked the user may),
# by join code for the join pages (`workshop_with_code`), and by join code in one small query
# for the phones' requests (`workshop_by_code`), which a room sends hundreds of times a second.


def load_workshop(session: Session, workshop_id: int) -> Workshop | None:
    """A workshop with its rounds and its assessment's framework, for the staff pages."""
    return session.scalar(
        select(Workshop)
        .where(Workshop.id == workshop_id)
        .options(
            selectinload(Workshop.rounds),
            joinedload(Workshop.assessment).joinedload(Assessment.framework),
        )
    )


def workshop_with_code(session: Session, code: str) -> Workshop | None:
    """The workshop with this join code as typed (any case, spaces or hyphens), or None."""
    normal = codes.normalise(code)
    if normal is None:
        return None
    return session.scalar(select(Workshop).where(Workshop.join_code == normal))


@dataclass(frozen=True)
class VoteRules:
    """What a vote needs to know of its workshop (the settings cannot change once it starts)."""

    status: str
    offer_dont_know: bool
    allow_changes: bool


def vote_rules(session: Session, workshop_id: int) -> VoteRules | None:
    row = session.execute(
        select(Workshop.status, Workshop.offer_dont_know, Workshop.allow_changes).where(
            Workshop.id == workshop_id
        )
    ).one_or_none()
    return VoteRules(*row) if row is not None else None


class Found(NamedTuple):
    """What the phones' endpoints need of a workshop, read in one small query."""

    id: int
    revision: int
    status: str
    join_code: str
    offer_dont_know: bool
    allow_changes: bool
    #: With `workshop_by_code(session, code, token)`: the id of the participant with that token
    #: in this workshop, or None when there is none.
    participant_id: int | None = None
    #: With `with_vote=True` too: the round on screen and that participant's vote in it.
    current_round_id: int | None = None
    voted: bool = False
    vote_stage: int | None = None

    @property
    def rules(self) -> VoteRules:
        return VoteRules(self.status, self.offer_dont_know, self.allow_changes)


def workshop_by_code(
    session: Session, code: str, token: str | None = None, with_vote: bool = False
) -> Found | None:
    """The workshop with this join code and, given a participant's token, its participant (and
    with `with_vote`, their vote in the round on screen): one query for all of it."""
    normal = codes.normalise(code)
    if normal is None:
        return None
    statement = _by_code_statement(token is not None, with_vote and token is not None)
    row = session.execute(statement, {"w_code": normal, "w_token": token}).one_or_none()
    if row is None:
        return None
    values = dict(row._mapping)
    vote_id = values.pop("vote_id", None)
    return Found(**values, voted=vote_id is not None)


_BY_CODE: dict[tuple[bool, bool], object] = {}


def _by_code_statement(with_token: bool, with_vote: bool):
    """workshop_by_code's query, built once with bound parameters: building it costs more
    than running it, and every phone's poll, stream and vote sends it."""
    found = _BY_CODE.get((with_token, with_vote))
    if found is not None:
        return found
    query = select(
        Workshop.id,
        Workshop.revision,
        Workshop.status,
        Workshop.join_code,
        Workshop.offer_dont_know,
        Workshop.allow_changes,
    )
    if with_token:
        token = bindparam("w_token", type_=String)
        query = query.add_columns(Participant.id.label("participant_id")).outerjoin(
            Participant, (Participant.token == token) & (Participant.workshop_id == Workshop.id)
        )
        if with_vote:
            query = query.add_columns(
                Workshop.current_round_id, Vote.id.label("vote_id"), Vote.stage.label("vote_stage")
            ).outerjoin(
                Vote,
                (Vote.participant_id == Participant.id) & (Vote.round_id == Workshop.current_round_id),
            )
    found = _BY_CODE[(with_token, with_vote)] = query.where(Workshop.join_code == bindparam("w_code", type_=String))
    return found


def my_vote(session: Session, participant_id: int, round_id: int) -> tuple[bool, int | None]:
    """(has voted, stage) for one participant in one round."""
    found = session.execute(
        select(Vote.stage).where(Vote.round_id == round_id, Vote.participant_id == participant_id)
    ).one_or_none()
    return (found is not None, found[0] if found is not None else None)


# --------------------------------------------------------------------------------------------
# Tallies and what the results are made from
# --------------------------------------------------------------------------------------------

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


def org_types_voted(session: Session | Connection, round_id: int) -> list[dict]:
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


def published_rounds(session: Session, rounds: Iterable[Round]) -> dict[int, PublishedRound]:
    """What the anonymity rule lets each round publish, by round id: one query for the votes.

    A revote is published after the rounds it votes on again, hiding what they hid
    (anonymity.publish_revotes), so the answer also holds those earlier rounds.
    """
    chains = [[*r.earlier_votes, r] for r in rounds]
    pairs = group_votes(session, {r.id for chain in chains for r in chain})
    found: dict[int, PublishedRound] = {}
    for chain in chains:
        if chain[-1].id in found:
            continue
        for round_, published in zip(chain, publish_revotes([pairs[r.id] for r in chain]), strict=True):
            found[round_.id] = published
    return found


def room_withheld(session: Session, round_: Round) -> bool:
    """Whether a revote may publish only its count: beside the earlier vote its room figures
    would give a smaller group's votes away (anonymity.publish_revotes). Never for a first vote."""
    return round_.is_revote and published_rounds(session, [round_])[round_.id].withheld


def person_votes(session: Session, round_ids: Iterable[int]) -> list[tuple[int, int | None]]:
    """(participant id, stage) for every phone vote in the rounds: one query.

    Only for counting each person once across a strand's element rounds; never published.
    """
    ids = list(round_ids)
    if not ids:
        return []
    rows = session.execute(select(Vote.participant_id, Vote.stage).where(Vote.round_id.in_(ids)))
    return [(participant_id, stage) for participant_id, stage in rows]


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


def carried_surveys(session: Session, assessment_id: int) -> dict[int, dict]:
    """The partners' survey results carried into the assessment, by strand id."""
    return {
        strand_id: result
        for strand_id, result in session.execute(
            select(StrandRating.strand_id, StrandRating.survey_result).where(
                StrandRating.assessment_id == assessment_id, StrandRating.survey_result.is_not(None)
            )
        )
    }


def self_rating_code(round_: Round, ratings: tuple[dict[int, str], dict[int, str]]) -> str | None:
    strands, elements = ratings
    if round_.element_id is not None:
        return elements.get(round_.element_id)
    return strands.get(round_.strand_id)


def assessment_workshops(session: Session, assessment_id: int) -> list[Workshop]:
    """The workshops of an assessment, newest first (the assessment page's panel and the list)."""
    return list(
        session.scalars(
            select(Workshop)
            .where(Workshop.assessment_id == assessment_id)
            .order_by(Workshop.held_on.desc(), Workshop.id.desc())
        )
    )


def carried_ratings(session: Session, workshop: Workshop) -> dict[int, StrandRating]:
    """Strand ratings of the workshop's assessment that hold a room result from this workshop,
    by strand id."""
    rows = session.scalars(select(StrandRating).where(StrandRating.assessment_id == workshop.assessment_id))
    return {
        row.strand_id: row
        for row in rows
        if row.room_result and row.room_result.get("workshop_id") == workshop.id
    }
