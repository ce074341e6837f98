"""Writes for workshops.

Every facilitator change bumps the workshop's revision FIRST, with one UPDATE of the workshop
row: that takes the row lock on PostgreSQL (and the write lock on SQLite) before anything is
read, so two changes to one workshop never interleave. Votes and joins do not touch the
workshop row, so a room of people voting at once never queues for it: a vote is one upsert
that reads its round with a SHARE lock (see `_write_if_open`), which keeps it strictly ordered
against the facilitator closing the round, and adds one to its own row's version, which is
what the live pages notice (state.version_tag). Views commit once at the end; on an error they
roll back and nothing, the revision included, is stored.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import DateTime, Integer, bindparam, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from maturity.core.anonymity import (
    SUPPRESS_BELOW,
    WITHHELD_REVOTE,
    carried_figures,
    publishable,
    withheld_figures,
)
from maturity.core.revotes import Shift
from maturity.core.scoring import hand_counted_people, summarise_people
from maturity.core.vocabulary import ORGANISATION_TYPES
from maturity.errors import OperationError
from maturity.extensions import db
from maturity.models import (
    Assessment,
    Element,
    ManualTally,
    Participant,
    Round,
    Strand,
    User,
    Vote,
    Workshop,
)
from maturity.models.base import utcnow
from maturity.workshops import codes, queries
from maturity.workshops.queries import VoteRules

# --------------------------------------------------------------------------------------------
# The revision
# --------------------------------------------------------------------------------------------

_workshops = Workshop.__table__


def bump(workshop_id: int) -> int:
    """Add one to the workshop's revision (locking its row) and return the new value."""
    revision = db.session.execute(
        update(_workshops)
        .where(_workshops.c.id == workshop_id)
        .values(revision=_workshops.c.revision + 1)
        .returning(_workshops.c.revision)
    ).scalar_one_or_none()
    if revision is None:
        raise OperationError("That workshop no longer exists.", 404)
    return revision


def _lock(workshop: Workshop) -> None:
    """Bump the revision, then re-read the workshop so changes start from what is committed."""
    bump(workshop.id)
    db.session.expire_all()


def _check_not_ended(workshop: Workshop) -> None:
    if workshop.status == "closed":
        raise OperationError("This workshop has ended, so it cannot be changed.")


# --------------------------------------------------------------------------------------------
# Setting up
# --------------------------------------------------------------------------------------------

RoundSpec = tuple[Strand, Element | None]


def unique_code(column=Workshop.join_code) -> str:
    """A fresh code not yet held in `column` (workshops' join codes, surveys' codes)."""
    for _ in range(20):
        code = codes.new_code()
        if db.session.scalar(select(column).where(column == code)) is None:
            return code
    raise RuntimeError("could not find an unused code")  # 31**8 codes: never in practice


def check_rounds(assessment: Assessment, rounds: Sequence[RoundSpec]) -> None:
    if not rounds:
        raise OperationError("Choose at least one strand or element to vote on", 400)
    seen: set[tuple[int, int | None]] = set()
    for strand, element in rounds:
        if strand.framework_id != assessment.framework_id:
            raise OperationError("That strand is not part of this assessment's framework", 400)
        if element is not None and element.strand_id != strand.id:
            raise OperationError("That element is not part of its strand", 400)
        key = (strand.id, element.id if element else None)
        if key in seen:
            raise OperationError(f"{element.name if element else strand.name} is chosen twice", 400)
        seen.add(key)
    whole = {s.id for s, e in rounds if e is None}
    split = {s.id for s, e in rounds if e is not None}
    for strand, _ in rounds:
        if strand.id in whole and strand.id in split:
            raise OperationError(
                f"Vote on {strand.name} either as a whole strand or by its elements, not both", 400
            )


def _set_rounds(workshop: Workshop, rounds: Sequence[RoundSpec]) -> None:
    for old in list(workshop.rounds):
        workshop.rounds.remove(old)
    db.session.flush()  # the old positions must go before the new ones take them
    for position, (strand, element) in enumerate(rounds, start=1):
        workshop.rounds.append(Round(strand=strand, element=element, position=position))
    db.session.flush()
    workshop.current_round_id = workshop.rounds[0].id if workshop.rounds else None


def create_workshop(
    assessment: Assessment,
    title: str,
    rounds: Sequence[RoundSpec],
    *,
    held_on: date | None = None,
    offer_dont_know: bool = True,
    allow_changes: bool = True,
    ask_org_type: bool = True,
    results_visible: bool = True,
    user: User | None = None,
) -> Workshop:
    """Set up a workshop for an assessment with its rounds in order; the first is on screen."""
    check_rounds(assessment, rounds)
    workshop = Workshop(
        assessment=assessment,
        title=title.strip(),
        held_on=held_on,
        offer_dont_know=offer_dont_know,
        allow_changes=allow_changes,
        ask_org_type=ask_org_type,
        results_visible=results_visible,
        join_code=unique_code(),
        status="setup",
        revision=0,
        created_by=user,
    )
    db.session.add(workshop)
    db.session.flush()
    _set_rounds(workshop, rounds)
    db.session.flush()
    return workshop


def update_workshop(
    workshop: Workshop,
    title: str,
    rounds: Sequence[RoundSpec],
    *,
    held_on: date | None,
    offer_dont_know: bool,
    allow_changes: bool,
    ask_org_type: bool,
    results_visible: bool,
) -> Workshop:
    """Change a workshop that has not started yet (its rounds are replaced)."""
    _lock(workshop)
    if workshop.status != "setup":
        raise OperationError("A workshop can only be changed before it starts.")
    check_rounds(workshop.assessment, rounds)
    workshop.title = title.strip()
    workshop.held_on = held_on
    workshop.offer_dont_know = offer_dont_know
    workshop.allow_changes = allow_changes
    workshop.ask_org_type = ask_org_type
    workshop.results_visible = results_visible
    current = [(r.strand_id, r.element_id) for r in workshop.rounds]
    wanted = [(s.id, e.id if e else None) for s, e in rounds]
    if current != wanted:
        _set_rounds(workshop, rounds)
    db.session.flush()
    return workshop


def delete_workshop(workshop: Workshop) -> None:
    """Delete a workshop that has not started (a started one holds votes and stays on record)."""
    _lock(workshop)
    if workshop.status != "setup":
        raise OperationError("Only a workshop that has not started can be deleted.")
    db.session.delete(workshop)
    db.session.flush()


# --------------------------------------------------------------------------------------------
# Facilitating
# --------------------------------------------------------------------------------------------


def _round_of(workshop: Workshop, round_id: int | None) -> Round:
    found = next((r for r in workshop.rounds if r.id == round_id), None)
    if found is None:
        raise OperationError("That round is not part of this workshop.", 404)
    return found


def _start(workshop: Workshop) -> None:
    if workshop.status == "setup":
        workshop.status = "live"
        workshop.started_at = utcnow()


def _close(round_: Round) -> None:
    if round_.state == "open":
        round_.state = "closed"
        round_.closed_at = utcnow()


def start_workshop(workshop: Workshop) -> None:
    _lock(workshop)
    _check_not_ended(workshop)
    _start(workshop)
    if workshop.current_round_id is None and workshop.rounds:
        workshop.current_round_id = workshop.rounds[0].id
    db.session.flush()


def open_round(workshop: Workshop, round_id: int | None = None) -> Round:
    """Open voting on a round (the current one by default), closing any other open round."""
    _lock(workshop)
    _check_not_ended(workshop)
    round_ = _round_of(workshop, round_id if round_id is not None else workshop.current_round_id)
    if round_.revealed_at is not None and round_.state != "open":
        raise OperationError(
            f"The room has seen the result of round {round_.position}, so voting on it cannot reopen: "
            "its published result would change. "
            + ("Vote again after discussion instead: that is a new round, and the results show both."
               if round_.element is None and not any(r.revote_of_id == round_.id for r in workshop.rounds)
               else "")
        )
    _start(workshop)
    for other in workshop.rounds:
        if other is not round_:
            _close(other)
    workshop.current_round_id = round_.id
    if round_.state != "open":
        round_.state = "open"
        round_.opened_at = round_.opened_at or utcnow()
        round_.closed_at = None
    # A result is shown only while voting is closed (docs/anonymity.md): voting again hides it.
    round_.revealed = False
    db.session.flush()
    return round_


def close_round(workshop: Workshop, round_id: int | None = None) -> Round:
    _lock(workshop)
    _check_not_ended(workshop)
    round_ = _round_of(workshop, round_id if round_id is not None else workshop.current_round_id)
    _close(round_)
    db.session.flush()
    return round_


def reveal_round(workshop: Workshop, revealed: bool, round_id: int | None = None) -> Round:
    """Show (or hide again) a round's result on the presenter screen; showing closes voting.

    A tally on screen that moved with each vote would tell anyone who saw who voted when what
    they voted (docs/anonymity.md), so a result is only ever shown for a closed round.
    """
    _lock(workshop)
    round_ = _round_of(workshop, round_id if round_id is not None else workshop.current_round_id)
    if revealed:
        _close(round_)
        round_.revealed_at = round_.revealed_at or utcnow()
    round_.revealed = revealed
    db.session.flush()
    return round_


def move(workshop: Workshop, step: int) -> Round:
    """Go to the next (+1) or previous (-1) round, closing voting on the one being left."""
    _lock(workshop)
    _check_not_ended(workshop)
    rounds = workshop.rounds
    if not rounds:
        raise OperationError("This workshop has no rounds.", 400)
    index = next((i for i, r in enumerate(rounds) if r.id == workshop.current_round_id), 0)
    target = index + step
    if target < 0:
        raise OperationError("This is already the first round.")
    if target >= len(rounds):
        raise OperationError("This is already the last round. End the workshop when you are ready.")
    _close(rounds[index])
    _start(workshop)
    workshop.current_round_id = rounds[target].id
    db.session.flush()
    return rounds[target]


def go_to(workshop: Workshop, round_id: int) -> Round:
    """Put any round on screen, closing voting on the one being left."""
    _lock(workshop)
    _check_not_ended(workshop)
    target = _round_of(workshop, round_id)
    for other in workshop.rounds:
        if other is not target:
            _close(other)
    _start(workshop)
    workshop.current_round_id = target.id
    db.session.flush()
    return target


def revote(workshop: Workshop, round_id: int | None = None) -> Round:
    """Vote on the round's strand again after discussion: a NEW round, open at once.

    The earlier round is never reopened: its result was published when it was revealed, and
    publishing a round twice would show, in the difference, what the people who changed their
    vote said (docs/anonymity.md). The new round comes straight after the one it votes on
    again, points at it (`revote_of`), and goes on screen with voting open; rounds after it
    move down one place.
    """
    _lock(workshop)
    _check_not_ended(workshop)
    earlier = _round_of(workshop, round_id if round_id is not None else workshop.current_round_id)
    if earlier.element_id is not None:
        raise OperationError(
            "A revote is of a whole strand. This round votes on one element, so it cannot be "
            "voted on again here."
        )
    if any(r.revote_of_id == earlier.id for r in workshop.rounds):
        raise OperationError(
            f"{earlier.title} has been voted on again already: go to its latest round to vote again."
        )
    if earlier.state != "closed" or not earlier.revealed:
        raise OperationError(
            "Close voting and show the room its result before voting again: the new vote is "
            "compared with the result the room discussed."
        )
    later = [r for r in workshop.rounds if r.position > earlier.position]
    # Two steps, so no two rounds ever share a position (it is UNIQUE per workshop).
    for round_ in later:
        round_.position = -round_.position - 1
    db.session.flush()
    for round_ in later:
        round_.position = -round_.position
    db.session.flush()
    new = Round(
        workshop_id=workshop.id,
        strand_id=earlier.strand_id,
        element_id=None,
        position=earlier.position + 1,
        revote_of_id=earlier.id,
        state="open",
        revealed=False,
        opened_at=utcnow(),
    )
    db.session.add(new)
    db.session.flush()
    for other in workshop.rounds:
        _close(other)
    _start(workshop)
    workshop.current_round_id = new.id
    db.session.flush()
    db.session.expire(workshop, ["rounds"])
    return new


def end_workshop(workshop: Workshop) -> None:
    """Close voting everywhere and end the workshop: no more joins or votes."""
    _lock(workshop)
    _check_not_ended(workshop)
    for round_ in workshop.rounds:
        _close(round_)
    workshop.status = "closed"
    workshop.started_at = workshop.started_at or utcnow()
    workshop.ended_at = utcnow()
    db.session.flush()


def add_manual_tally(
    workshop: Workshop,
    round_id: int,
    stage: int | None,
    count: int,
    note: str | None = None,
    user: User | None = None,
) -> ManualTally:
    """Add votes counted by hand (paper cards, a show of hands) to a round."""
    _lock(workshop)
    _check_not_ended(workshop)
    round_ = _round_of(workshop, round_id)
    if stage is None and not workshop.offer_dont_know:
        raise OperationError("This workshop does not offer \u201cdon\u2019t know\u201d", 400)
    if not isinstance(count, int) or not 1 <= count <= 10_000:
        raise OperationError("Enter how many votes were counted, from 1 to 10,000", 400)
    tally = ManualTally(
        round=round_, stage=stage, count=count, note=(note or "").strip()[:200] or None,
        created_by=user,
    )
    db.session.add(tally)
    db.session.flush()
    return tally


def remove_manual_tally(workshop: Workshop, tally_id: int) -> None:
    _lock(workshop)
    _check_not_ended(workshop)
    tally = db.session.get(ManualTally, tally_id)
    if tally is None or tally.round.workshop_id != workshop.id:
        raise OperationError("That hand count is not part of this workshop.", 404)
    db.session.delete(tally)
    db.session.flush()


# --------------------------------------------------------------------------------------------
# Participants and votes
# --------------------------------------------------------------------------------------------


def join(workshop: Workshop, org_type: str | None = None) -> Participant:
    """A new anonymous participant (the caller keeps the token in the browser's cookie).

    Joining does not bump the revision: phones do not show who has joined, and the presenter's
    count of people in the room is part of its state's version (state.staff_version).
    """
    if workshop.status == "closed":
        raise OperationError("This workshop has ended, so it cannot be joined.", 410)
    if org_type is not None and org_type not in ORGANISATION_TYPES:
        raise OperationError("Choose a type of organisation from the list", 400)
    participant = Participant(
        workshop_id=workshop.id,
        token=codes.new_token(),
        org_type=org_type if workshop.ask_org_type else None,
    )
    db.session.add(participant)
    db.session.flush()
    return participant


@dataclass(frozen=True)
class CastVote:
    round_id: int
    stage: int | None
    allow_changes: bool


def _joined_before_first_vote_closed(participant_id: int, first_id: int) -> bool:
    joined = db.session.scalar(select(Participant.created_at).where(Participant.id == participant_id))
    closed = db.session.scalar(select(Round.closed_at).where(Round.id == first_id))
    return joined is not None and closed is not None and joined <= closed


def _round_refusal(workshop_id: int, round_id: int, participant_id: int) -> OperationError | None:
    """Why a vote for this round cannot be stored: it is not this workshop's, not open, or a
    vote again for the people who were there for the first vote."""
    row = db.session.execute(
        select(Round.state, Round.revote_of_id).where(Round.id == round_id, Round.workshop_id == workshop_id)
    ).one_or_none()
    if row is None:
        return OperationError("That round is not part of this workshop.", 404)
    state, revote_of = row
    if state == "open" and revote_of is not None and not _joined_before_first_vote_closed(participant_id, revote_of):
        return OperationError(
            "This is a vote again for the people who were in the room for the first vote on this "
            "strand, to see how discussion moved them. Your vote counts from the next round.",
            403,
        )
    if state == "closed":
        return OperationError("Voting on this strand has closed, so your vote was not counted.")
    if state != "open":
        return OperationError("Voting on this strand has not opened yet. Wait for the facilitator.")
    return None


def _write_if_open(
    workshop_id: int, round_id: int, participant_id: int, stage: int | None, overwrite: bool
) -> bool:
    """Store (or, with `overwrite`, replace) the vote in ONE statement while the round is open.

    The statement reads the round with a SHARE lock: votes share it with each other, so a
    room's votes are written side by side, but the facilitator closing the round needs it
    alone. A vote therefore either commits before the round closes (and counts) or, waiting
    for the close, reads the round again once it has committed, finds it closed and stores
    nothing. True when the vote was written. (SQLite has no row locks: its one writer at a
    time gives the same order.) A replaced vote adds one to its row's version, which is how
    the live pages notice it.
    """
    statement = vote_statement(db.session.get_bind().dialect.name, overwrite)
    now = utcnow()
    values = {
        "v_round": round_id,
        "v_workshop": workshop_id,
        "v_participant": participant_id,
        "v_stage": stage,
        "v_now": now,
    }
    return db.session.execute(statement, values).first() is not None


_VOTE_STATEMENTS: dict[tuple[str, bool], Any] = {}


def vote_statement(dialect: str, overwrite: bool):
    """The vote's INSERT ... SELECT ... ON CONFLICT, built once per dialect with bound
    parameters: building it costs more than running it, and a room sends it hundreds of times."""
    key = (dialect, overwrite)
    found = _VOTE_STATEMENTS.get(key)
    if found is None:
        one = select(
            bindparam("v_round", type_=Integer).label("round_id"),
            bindparam("v_workshop", type_=Integer).label("workshop_id"),
            bindparam("v_participant", type_=Integer).label("participant_id"),
            bindparam("v_stage", type_=Integer).label("stage"),
        ).subquery("vote")
        # RETURNING, not rowcount: the driver cannot always count the rows of an INSERT ... SELECT.
        found = _VOTE_STATEMENTS[key] = _votes_insert(dialect, one, overwrite).returning(Vote.__table__.c.id)
    return found


def votes_statement(overwrite: bool):
    """Many phones' votes in one statement (PostgreSQL; the quick vote path writes a batch of
    votes that came in together this way): the rules of vote_statement, row by row, for the
    arrays bound as v_rounds, v_workshops, v_participants and v_stages, with v_now. It returns
    (round id, participant id) of each vote written; a vote whose round is not open to it, or
    (without `overwrite`) that a vote of the same phone already holds, is not."""
    key = ("postgresql-batch", overwrite)
    found = _VOTE_STATEMENTS.get(key)
    if found is None:
        many = (
            func.unnest(
                bindparam("v_rounds", type_=ARRAY(Integer)),
                bindparam("v_workshops", type_=ARRAY(Integer)),
                bindparam("v_participants", type_=ARRAY(Integer)),
                bindparam("v_stages", type_=ARRAY(Integer)),
            )
            .table_valued("round_id", "workshop_id", "participant_id", "stage")
            .render_derived(name="vote", with_types=False)
        )
        votes = Vote.__table__
        found = _VOTE_STATEMENTS[key] = _votes_insert("postgresql", many, overwrite).returning(
            votes.c.round_id, votes.c.participant_id
        )
    return found


def _votes_insert(dialect: str, source, overwrite: bool):
    """INSERT the votes of `source` (columns round_id, workshop_id, participant_id, stage) whose
    round is open, in their workshop, and (a vote again) open to that participant, reading each
    such round under a SHARE lock (see _write_if_open)."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    rounds = Round.__table__
    votes = Vote.__table__
    now = bindparam("v_now", type_=DateTime)
    open_round_ = (
        select(source.c.round_id, source.c.participant_id, source.c.stage, now, now, literal(1, Integer))
        .select_from(source.join(rounds, rounds.c.id == source.c.round_id))
        .where(
            rounds.c.workshop_id == source.c.workshop_id,
            rounds.c.state == "open",
            or_(rounds.c.revote_of_id.is_(None), _was_there_for_the_first_vote(rounds, source.c.participant_id)),
        )
        .with_for_update(read=True, of=rounds)
    )
    statement = insert(votes).from_select(
        ["round_id", "participant_id", "stage", "created_at", "updated_at", "version"], open_round_
    )
    if overwrite:
        return statement.on_conflict_do_update(
            index_elements=["round_id", "participant_id"],
            set_={
                "stage": statement.excluded.stage,
                "updated_at": statement.excluded.updated_at,
                "version": votes.c.version + 1,
            },
        )
    return statement.on_conflict_do_nothing(index_elements=["round_id", "participant_id"])


def _was_there_for_the_first_vote(rounds, participant_id):
    """A vote again is for the people who were in the room for the first vote on the strand
    (they joined before it closed): it measures how discussion moved them, and a newcomer's one
    vote could be worked out from the difference between the two rounds."""
    first = Round.__table__.alias("first_vote")
    people = Participant.__table__
    return (
        select(literal(1, Integer))
        .select_from(people.join(first, first.c.id == rounds.c.revote_of_id))
        .where(
            people.c.id == participant_id,
            people.c.created_at <= first.c.closed_at,
        )
        .exists()
    )


def cast_vote(
    workshop_id: int,
    round_id: int,
    participant_id: int,
    stage: int | None,
    rules: VoteRules | None = None,
) -> CastVote:
    """Record a participant's vote (stage 1-4 as forms.parse_stage read it, or None for don't
    know) in an open round.

    One row per (round, participant), written as an upsert, so sending the same vote twice
    changes nothing and a changed vote replaces the old one (unless the workshop counts first
    votes only). Raises OperationError (nothing stored once the caller rolls back) when the
    round is not open or the vote is not allowed. `rules` saves a query when the caller has
    already read the workshop.
    """
    rules = rules or queries.vote_rules(db.session, workshop_id)
    if rules is None:
        raise OperationError("That workshop no longer exists.", 404)
    if rules.status == "closed":
        raise OperationError("The workshop has ended, so votes are no longer counted.")
    if stage is None and not rules.offer_dont_know:
        raise OperationError("This workshop does not offer \u201cdon\u2019t know\u201d: choose a stage.", 400)
    if _write_if_open(workshop_id, round_id, participant_id, stage, overwrite=rules.allow_changes):
        return CastVote(round_id, stage, rules.allow_changes)
    refusal = _round_refusal(workshop_id, round_id, participant_id)
    if refusal is not None:
        raise refusal
    late = OperationError("Voting on this strand was not open when your vote arrived. Try again.")
    if rules.allow_changes:  # the round opened while this vote was on its way
        raise late
    voted, existing = queries.my_vote(db.session, participant_id, round_id)
    if not voted:
        raise late
    if existing != stage:
        raise OperationError("This workshop counts each person's first vote, and yours is already in.")
    return CastVote(round_id, stage, rules.allow_changes)


def record_vote(
    workshop_id: int,
    participant_id: int,
    round_id: int,
    stage: int | None,
    rules: VoteRules | None = None,
) -> CastVote:
    """A phone's vote, stored and committed at once; on OperationError nothing is stored.

    The one write of a live request that commits here rather than after the view: on
    PostgreSQL the phone's request runs statement by statement (live._statement_by_statement),
    so the vote's one INSERT has committed already and this commit costs no round trip; on
    SQLite it ends the write at once, so the next vote waits the least for the database's lock.
    """
    try:
        cast = cast_vote(workshop_id, round_id, participant_id, stage, rules)
        db.session.commit()
    except OperationError:
        db.session.rollback()
        raise
    return cast


# --------------------------------------------------------------------------------------------
# Carrying the room's result into the assessment
# --------------------------------------------------------------------------------------------


def _published_medians(round_: Round) -> list[dict[str, str]]:
    """The median of each partner type the round's results published, for the partner
    divergence flag wherever the carried result shows; hidden groups are left out, so the
    assessment learns nothing the results page did not show."""
    published = queries.published_rounds(db.session, [round_])[round_.id]
    return [
        {"group": g.group, "median": g.summary.median.code}
        for g in published.groups
        if not g.suppressed and g.summary is not None and g.summary.median is not None
    ]


def _first_vote(final: Round, final_tally: queries.Tally) -> dict[str, Any]:
    """The strand's first vote, kept beside the final one when the room voted again: its room
    figures as they were published, and the shift in words. Each person still counts once: the
    carried figures are the final round's."""
    first = final.first_vote
    tally = queries.tally(db.session, first.id)
    shift = Shift(publishable(tally.summary()), publishable(final_tally.summary()))
    return {
        "round_id": first.id,
        "position": first.position,
        "final_position": final.position,
        **carried_figures(tally.summary()),
        "manual": tally.manual_total,
        "shift": shift.words(),
    }


def strand_rounds(workshop: Workshop, strand: Strand) -> list[Round]:
    return [r for r in workshop.rounds if r.strand_id == strand.id]


def final_rounds(rounds: Sequence[Round]) -> list[Round]:
    """The rounds no later round votes on again: each person counts once, in their last say."""
    again = {r.revote_of_id for r in rounds if r.revote_of_id is not None}
    return [r for r in rounds if r.id not in again]


def room_result(workshop: Workshop, strand: Strand) -> dict[str, Any]:
    """The room's figures for a strand: its round, or each element's and the strand's.

    A strand voted element by element counts each person once, by their median across the
    elements they rated (scoring.summarise_people); hand counts are paired by rank. Figures of
    fewer than 3 people are withheld, and so is the strand's while any element round had 1 or
    2 answers, which the strand's tally minus the others' could otherwise give away
    (docs/anonymity.md).
    """
    rounds = final_rounds(strand_rounds(workshop, strand))
    if not rounds:
        raise OperationError(f"This workshop did not vote on {strand.name}.", 404)
    ids = [r.id for r in rounds]
    tallies = queries.tallies(db.session, ids)
    result: dict[str, Any] = {
        "workshop_id": workshop.id,
        "workshop_title": workshop.title,
        "round_id": rounds[0].id,
        "round_ids": ids,
    }
    elements = [r for r in rounds if r.element is not None]
    if not elements:
        final = rounds[0]
        tally = tallies[final.id]
        if queries.room_withheld(db.session, final):
            # A revote the anonymity rule holds back beside its first vote: only the count.
            return {**result, **withheld_figures(tally.total), "withheld": WITHHELD_REVOTE, "manual": tally.manual_total}
        figures = {**result, **carried_figures(tally.summary()), "manual": tally.manual_total}
        if not figures.get("withheld"):
            figures["groups"] = _published_medians(final)
        if final.is_revote:
            figures["first_vote"] = _first_vote(final, tally)
        return figures
    ballots: list[tuple[Hashable, int | None]] = list(queries.person_votes(db.session, ids))
    ballots += hand_counted_people(tallies[r.id].manual for r in rounds)
    people = summarise_people(ballots)
    too_few = any(0 < tallies[r.id].total < SUPPRESS_BELOW for r in rounds)
    result.update(
        withheld_figures(people.total) if too_few else carried_figures(people),
        manual=max(tallies[r.id].manual_total for r in rounds),
        counted="each person once",
    )
    result["elements"] = [
        {
            "key": r.element.key,
            "name": r.element.name,
            "round_id": r.id,
            **carried_figures(tallies[r.id].summary()),
        }
        for r in elements
    ]
    return result


def carry_room_result(
    workshop: Workshop, strand: Strand, user: User | None, reveal: bool = False
) -> dict[str, Any]:
    """Record the room's result for a strand on the assessment, as an input to the agreed rating.

    Only a result that has been revealed is carried in: the assessment shows it to everyone
    who may see the assessment. With `reveal` (the results page's "Reveal and carry" button,
    which says so), the strand's hidden rounds are revealed first, as the facilitator's
    Reveal button would (the revision moves, so live screens show it too).
    """
    from maturity.assessments.operations import carry_in_room_result

    if reveal:
        _lock(workshop)
    rounds = strand_rounds(workshop, strand)
    if not rounds:
        raise OperationError(f"This workshop did not vote on {strand.name}.", 404)
    if any(r.state == "open" for r in rounds) or all(r.state == "pending" for r in rounds):
        raise OperationError("Close voting on this strand before carrying its result into the assessment.")
    hidden = [r for r in rounds if not r.revealed]
    if hidden and not reveal:
        raise OperationError(
            f"The result for {strand.name} has not been revealed, so it was not carried in. "
            "Use \u201cReveal and carry into the assessment\u201d to reveal it and carry it in."
        )
    for round_ in hidden:
        round_.revealed = True
        round_.revealed_at = round_.revealed_at or utcnow()
    result = room_result(workshop, strand)
    if result["total"] == 0:
        raise OperationError(f"Nobody voted on {strand.name}, so there is no result to carry.")
    if result.get("withheld") == WITHHELD_REVOTE:
        raise OperationError(
            f"The vote again on {strand.name} shows only its count (beside the first vote its figures "
            "would show how a small group voted), so its result cannot be carried."
        )
    if result.get("withheld"):
        raise OperationError(
            f"Fewer than 3 people answered on {strand.name}"
            + (" or one of its elements" if "elements" in result else "")
            + ", so its result cannot be carried without showing how they voted."
        )
    try:
        carry_in_room_result(workshop.assessment, strand, result, user)
    except ValueError as error:  # the assessment refuses, e.g. its ratings are locked
        raise OperationError(str(error)) from error
    return result

