"""The live state of a workshop as the participant, presenter and facilitator pages see it.

The hiding of results happens here, on the server: until the facilitator reveals a round, the
state carries only HOW MANY have voted, never the counts per stage, the median or anything
else that could hint at the distribution. Each function takes the session to use, so the
event stream can build states in short sessions of its own.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, NamedTuple, NotRequired, TypedDict, cast

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from maturity.core.anonymity import SUPPRESS_BELOW, publishable
from maturity.core.revotes import Shift, survey_words
from maturity.core.scoring import STAGE_KEYS, STAGES, Rating, VoteSummary, agreement
from maturity.models import ManualTally, Participant, Round, Vote, Workshop
from maturity.workshops import queries

ETAG_PREFIX = "ws"


# --------------------------------------------------------------------------------------------
# The shapes of the live states (JSON for the pages' scripts, and the templates' `state`)
# --------------------------------------------------------------------------------------------


class WorkshopInfo(TypedDict):
    id: int
    title: str
    status: str
    status_label: str
    join_code: str
    #: Phones only: which buttons to offer and what a vote's answer says.
    offer_dont_know: NotRequired[bool]
    allow_changes: NotRequired[bool]


class StageOption(TypedDict):
    """One voting button: a stage and its short descriptor from the framework."""

    value: int
    key: str
    name: str
    summary: str
    details: list[dict[str, str]]


class RoundInfo(TypedDict):
    id: int
    position: int
    of: int
    title: str
    strand: str
    strand_key: str
    element: str | None
    state: str
    state_label: str
    revealed: bool
    #: the room has seen this round's result at some time: it never takes votes again
    shown: bool
    #: A revote: the strand voted on again after discussion (revote_of is the earlier round's id).
    revote_of: int | None
    #: A later round votes on this one's strand again, so it cannot be revoted a second time.
    revoted: bool
    #: Phones: the voting buttons. Facilitator's list of rounds: its count, and whether on screen.
    stages: NotRequired[list[StageOption]]
    count: NotRequired[int]
    current: NotRequired[bool]


class Count(TypedDict):
    total: int
    #: Facilitator only: how many of them were counted by hand.
    manual: NotRequired[int]


class HandCount(TypedDict):
    #: How many were counted by hand; never what they said, which would be the answers of a
    #: group that the anonymity rule may hide (docs/anonymity.md).
    total: int


class Result(TypedDict):
    """A revealed round's figures (summary_json), never built for a hidden round."""

    n: int
    abstentions: int
    total: int
    counts: dict[str, int]
    shares: dict[str, float]
    mean: float | None
    median: dict[str, str] | None
    modes: list[int]
    consensus: float | None
    manual: NotRequired[HandCount]
    self_rating: NotRequired[dict[str, str] | None]
    #: The consensus in plain words for the room (scoring.agreement).
    agreement: NotRequired[str | None]


class MyVote(TypedDict):
    stage: int | None
    label: str


class LiveState(TypedDict):
    """What every live state carries: the workshop, the round on screen, its count and, once
    revealed, its result, and the version the pages compare to notice a change."""

    revision: int
    workshop: WorkshopInfo
    round: RoundInfo | None
    count: Count | None
    result: Result | None
    #: Present (True) when the round is revealed but fewer than 3 answered, or a revote whose
    #: figures beside the first vote's would give a small group away: only the count shows.
    withheld: NotRequired[bool]
    #: Why, in words for the screen (WITHHELD_WORDS).
    withheld_words: NotRequired[str]
    version: str
    #: Phones: how often to poll where they cannot stream (advised_poll_ms), by the room's size.
    poll_ms: NotRequired[int]


class RoomState(LiveState):
    """What every phone in a room shows, built once per version and shared (see `room`)."""

    writes: int


class PhoneState(LiveState):
    """One phone's state: the room's, with the person's own vote and its screen key."""

    my_vote: MyVote | None
    screen: str
    #: When the phone's screen changed: its new HTML (live.render_panel).
    panel: NotRequired[str]


class ShiftInfo(TypedDict):
    """A revealed revote beside the strand's first vote: how discussion moved the room."""

    #: The first round's published result (None when fewer than 3 answered there).
    before: Result | None
    first_round: int
    #: The shift in words: the projector's plain agreement words, numbers on the console.
    words: str
    #: The partners' survey carried into the assessment for the strand, in words, if any.
    survey: NotRequired[str]


class StaffState(LiveState):
    """The presenter's or facilitator's state."""

    joined: int
    #: Facilitator only: the result of a closed round before it is revealed, for their eyes.
    preview: NotRequired[Result | None]
    #: A revealed revote: the first vote beside it.
    shift: NotRequired[ShiftInfo]
    preview_withheld: NotRequired[bool]
    preview_withheld_words: NotRequired[str]
    rounds: NotRequired[list[RoundInfo]]
    org_types_voted: NotRequired[list[dict[str, Any]]]
    manual_tallies: NotRequired[list[dict[str, Any]]]
    #: Event stream only: the server's clock when the state began to be read.
    as_of: NotRequired[float]


def rating_json(rating: Rating | None) -> dict[str, Any] | None:
    if rating is None:
        return None
    return {"code": rating.code, "label": rating.label, "short": rating.short}


def parse_rating(code: str | None) -> Rating | None:
    if not code:
        return None
    try:
        return Rating.parse(code)
    except ValueError:
        return None


def stage_label(stage: int | None) -> str:
    return STAGES[stage] if stage is not None else "Don\u2019t know"


def summary_json(summary: VoteSummary) -> Result:
    """The figures of a revealed result. Never call this for a hidden round."""
    return {
        "n": summary.n,
        "abstentions": summary.abstentions,
        "total": summary.total,
        "counts": {str(stage): summary.counts[stage] for stage in STAGES},
        "shares": {str(stage): round(summary.shares[stage], 4) for stage in STAGES},
        "mean": round(summary.mean, 2) if summary.mean is not None else None,
        "median": rating_json(summary.median),
        "modes": list(summary.modes),
        "consensus": round(summary.consensus, 2) if summary.consensus is not None else None,
    }


def shows_result(round_: Round) -> bool:
    """Whether a round's result is published: revealed, and voting on it closed.

    Revealing an open round closes it (operations.reveal_round); this also covers rows from
    before that rule. A tally that moved with each vote would tell anyone who saw who voted
    when what they voted.
    """
    return round_.revealed and round_.state != "open"


#: Why a revealed round shows only its count, in words for the phones, projector and console.
WITHHELD_REASONS = {
    "few": "Fewer than 3 people voted, and with so few anyone could work out how they voted",
    "revote": "Beside the first vote, the figures of this vote again would show how a small group voted",
}


def withheld_words(tally: queries.Tally, withheld: bool, then: str = "so only the count is shown") -> str:
    """Why this tally shows only its count: WITHHELD_REASONS, then what follows from it."""
    return f"{WITHHELD_REASONS['revote' if withheld and tally.total >= SUPPRESS_BELOW else 'few']}, {then}."


def _published(tally: queries.Tally, self_code: str | None, withheld: bool = False) -> Result | None:
    """The room's result as it may be published, or None when fewer than 3 answered or, for a
    revote, when the anonymity rule withholds it (`withheld`, queries.room_withheld)."""
    summary = None if withheld else publishable(tally.summary())
    if summary is None:
        return None
    data = summary_json(summary)
    data["manual"] = {"total": tally.manual_total}
    data["self_rating"] = rating_json(parse_rating(self_code))
    data["agreement"] = agreement(summary.consensus)
    return data


def _show_result(
    state: RoomState | StaffState, tally: queries.Tally, self_code: str | None, withheld: bool = False
) -> None:
    """Put the room's result in a state, or mark it withheld (fewer than 3, or a revote the
    anonymity rule holds back)."""
    data = _published(tally, self_code, withheld)
    if data is None:
        if tally.total:
            state["withheld"] = True
            state["withheld_words"] = withheld_words(tally, withheld)
        return
    state["result"] = data


def _show_shift(
    state: StaffState, before: queries.Tally, after: queries.Tally, first_id: int, numbers: bool,
    survey_figures: dict | None = None,
) -> None:
    """Put the first vote beside a revealed revote, from the two rooms' published tallies only."""
    shift = Shift(publishable(before.summary()), publishable(after.summary()))
    state["shift"] = ShiftInfo(
        before=_published(before, None), first_round=first_id, words=shift.words(numbers=numbers)
    )
    if survey := survey_words(survey_figures, numbers=numbers):
        state["shift"]["survey"] = survey


def round_json(round_: Round, count: int) -> RoundInfo:
    return {
        "id": round_.id,
        "position": round_.position,
        "of": count,
        "title": round_.title,
        "strand": round_.strand.name,
        "strand_key": round_.strand.key,
        "element": round_.element.name if round_.element is not None else None,
        "state": round_.state,
        "state_label": round_.state_label,
        "revealed": round_.revealed,
        "shown": round_.revealed_at is not None,
        "revote_of": round_.revote_of_id,
        "revoted": any(r.revote_of_id == round_.id for r in round_.workshop.rounds),
    }


#: Voting buttons per (framework version, its content hash, strand, element). The framework is
#: data that changes only when a file is loaded again, which changes its content hash, so a
#: cached entry is never stale; caching saves every phone's poll loading the strand's elements.
_OPTIONS: dict[tuple, list[StageOption]] = {}
_OPTIONS_MAX = 256


def stage_options(round_: Round, workshop: Workshop) -> list[StageOption]:
    """The four stages with short descriptors from the framework, for the voting buttons.

    An element round, or a strand with one element, uses that element's one-line summaries; a
    whole strand of several elements uses the framework's general stage summary, with each
    element's summary as detail.
    """
    framework = workshop.assessment.framework
    key = (framework.id, framework.content_hash, round_.strand_id, round_.element_id)
    options = _OPTIONS.get(key)
    if options is None:
        options = _stage_options(round_, framework)
        if len(_OPTIONS) >= _OPTIONS_MAX:
            _OPTIONS.clear()
        _OPTIONS[key] = options
    return [StageOption(**option) for option in options]


def _stage_options(round_: Round, framework) -> list[StageOption]:
    general = {s["value"]: s.get("summary", "") for s in framework.stages}
    elements = [round_.element] if round_.element is not None else list(round_.strand.elements)
    options: list[StageOption] = []
    for stage, name in STAGES.items():
        if len(elements) == 1:
            summary, details = elements[0].summary(stage), []
        else:
            summary = general.get(stage, "")
            # Annex 1's row label, where the element has one, so the full text reads as the
            # toolkit's table does.
            details = [
                {"element": e.name, "label": e.label or "", "summary": e.summary(stage)}
                for e in elements
            ]
        options.append(
            StageOption(value=stage, key=STAGE_KEYS[stage], name=name, summary=summary, details=details)
        )
    return options


def workshop_info(workshop: Workshop) -> WorkshopInfo:
    return WorkshopInfo(
        id=workshop.id,
        title=workshop.title,
        status=workshop.status,
        status_label=workshop.status_label,
        join_code=workshop.display_code,
    )


# --------------------------------------------------------------------------------------------
# The room's state, shared by every phone in it
# --------------------------------------------------------------------------------------------
#
# A phone's poll used to build the whole state; while a room votes almost every poll finds
# something new, so a room of phones rebuilt the same state hundreds of times a second. The
# part that is the same for everyone (workshop, round, voting buttons, count, revealed result)
# is now kept per workshop and process, with the version it was built at, and looked at again
# at most every `max_age` seconds (WORKSHOP_ROOM_MAX_AGE): a facilitator's change moves the
# revision, which every poll reads, so it is seen at once; other people's votes only move the
# count on phones, which may be up to `max_age` seconds old.


@dataclass(frozen=True)
class Room:
    """The room's shared state, the version it was built at, and when that was last checked."""

    revision: int
    writes: int
    checked: float
    state: RoomState
    #: How many of the count were counted by hand (what a recount adds to the phone votes).
    manual: int = 0

    @property
    def version(self) -> str:
        return self.state["version"]


_ROOMS: dict[tuple[int, str], Room] = {}
_ROOMS_MAX = 256
_ROOM_LOCKS: dict[tuple[int, str], threading.Lock] = {}


#: What tells a room's state has moved: (revision, vote writes in the current round, phone
#: votes in it), read in one statement.
Marker = tuple[int, int, int]


def room_markers(session: Session, workshop_ids: list[int]) -> dict[int, Marker]:
    """The markers of several workshops in one small query (a worker's phones.Watch reads all
    the rooms it serves at once); a workshop that is gone is left out."""
    rows = session.execute(
        select(Workshop.id, Workshop.revision, _current_round_writes(), _current_round_votes())
        .where(Workshop.id.in_(workshop_ids))
    )
    return {int(id_): (int(revision), int(writes), int(number)) for id_, revision, writes, number in rows}


def _room_writes(session: Session, workshop_id: int) -> Marker | None:
    return room_markers(session, [workshop_id]).get(workshop_id)


def room(
    session: Session,
    workshop_id: int,
    join_code: str,
    revision: int,
    max_age: float,
    clock: Callable[[], float] = time.monotonic,
    marker: Marker | None = None,
) -> Room | None:
    """The room's shared state, at `revision` or later; None when the workshop is gone.
    `marker`: the room's marker when the caller has just read it (room_markers).

    The join code in the key keeps a reused id (SQLite) away from an old entry. One thread per
    room and process rebuilds at a time; the others wait for it rather than build it too.
    """
    key = (workshop_id, join_code)
    found = _ROOMS.get(key)
    if found is not None and found.revision >= revision and clock() - found.checked < max_age:
        return found
    with _ROOM_LOCKS.setdefault(key, threading.Lock()):
        found = _ROOMS.get(key)
        now = clock()
        if found is not None and found.revision >= revision and now - found.checked < max_age:
            return found
        marker = marker or _room_writes(session, workshop_id)
        if marker is None:
            _ROOMS.pop(key, None)
            return None
        if found is not None and (found.revision, found.writes) == marker[:2]:
            fresh = replace(found, checked=now)
        elif found is not None and found.revision == marker[0] and _voting(found.state):
            fresh = _recounted(found, marker, now)
        else:
            workshop = queries.load_workshop(session, workshop_id)
            if workshop is None or workshop.join_code != join_code:
                return None
            state, manual = _room_state(session, workshop)
            fresh = Room(state["revision"], state["writes"], now, state, manual)
        if len(_ROOMS) >= _ROOMS_MAX:
            _ROOMS.clear()
            _ROOM_LOCKS.clear()  # a thread holding an old lock finishes with it; no harm
        _ROOMS[key] = fresh
        return fresh


#: Requests a second one room's polling phones may cost, all together: the poll interval the
#: server advises grows with the room, so that where phones cannot stream (a threaded server,
#: workshops/phones.py) a big room's polls do not crowd out its votes.
POLL_BUDGET_PER_SECOND = 150
POLL_MS_LEAST = 2000
POLL_MS_MOST = 15000


def advised_poll_ms(joined: int) -> int:
    """How often a phone that cannot stream should poll: every 2 seconds up to 300 people,
    then less often, so the room's polls stay about POLL_BUDGET_PER_SECOND (15 s at most)."""
    wanted = joined * 1000 // POLL_BUDGET_PER_SECOND
    return int(min(POLL_MS_MOST, max(POLL_MS_LEAST, wanted)))


def _voting(room: RoomState) -> bool:
    """Whether the round on screen takes votes: only its count can change without a revision."""
    return room["round"] is not None and room["round"]["state"] == "open" and room["result"] is None


def _recounted(found: Room, marker: Marker, now: float) -> Room:
    """The room's state with a new count, from the marker alone: while a round is open and
    nothing else has changed (the same revision), only its phone votes can have moved (hand
    counts move the revision). A room of 2,000 voting changes its count every tick, in every
    worker process, and a day of many rooms does so in each of them."""
    _revision, writes, phone_votes = marker
    state = cast(RoomState, {
        **found.state,
        "count": Count(total=phone_votes + found.manual),
        "writes": writes,
        "version": version_tag(found.revision, writes),
    })
    return Room(found.revision, writes, now, state, found.manual)


def _room_state(session: Session, workshop: Workshop) -> tuple[RoomState, int]:
    """Everything a phone shows but the person's own vote, never changed once built; and how
    many of its count were counted by hand."""
    info = workshop_info(workshop)
    info.update(offer_dont_know=workshop.offer_dont_know, allow_changes=workshop.allow_changes)
    round_ = workshop.current_round
    tally = queries.tally(session, round_.id) if round_ is not None else queries.Tally()
    state = RoomState(
        revision=workshop.revision,
        workshop=info,
        round=None,
        count=None,
        result=None,
        writes=tally.writes,
        version=version_tag(workshop.revision, tally.writes),
        poll_ms=advised_poll_ms(queries.joined_count(session, workshop.id)),
    )
    if round_ is None or workshop.status == "setup":
        return state, 0
    state["round"] = round_json(round_, len(workshop.rounds))
    state["round"]["stages"] = stage_options(round_, workshop)
    state["count"] = Count(total=tally.total)
    if shows_result(round_) and workshop.results_visible:
        _show_result(state, tally, None, queries.room_withheld(session, round_))
    return state, tally.manual_total


def personal_state(room: RoomState, voted: bool, stage: int | None) -> PhoneState:
    """The room's state with this person's own vote (when they have voted in its round)."""
    state = cast(PhoneState, {key: value for key, value in room.items() if key != "writes"})
    state["my_vote"] = (
        MyVote(stage=stage, label=stage_label(stage)) if voted and room["round"] is not None else None
    )
    state["screen"] = screen_key(state)
    return state


def screen_key(state: PhoneState) -> str:
    """What decides the participant's screen (not the count): the page redraws when it changes."""
    round_ = state["round"]
    my_vote = state["my_vote"]
    return "|".join(
        str(part)
        for part in (
            state["workshop"]["status"],
            round_["id"] if round_ else "-",
            round_["state"] if round_ else "-",
            "shown" if state["result"] else ("withheld" if state.get("withheld") else "hidden"),
            "-" if my_vote is None else my_vote["stage"],
        )
    )


def staff_state(session: Session, workshop: Workshop, view: str = "presenter") -> StaffState:
    """What the presenter screen (view="presenter") or facilitator console shows.

    Both see counts only until a round is revealed. The facilitator also sees every round's
    count, which kinds of organisation have voted (not what), and the hand counts they entered.
    """
    round_ = workshop.current_round
    rounds = workshop.rounds
    wanted = [r.id for r in rounds] if view == "facilitator" else ([round_.id] if round_ else [])
    first = round_.first_vote if round_ is not None and round_.is_revote else None
    if first is not None and first.id not in wanted:
        wanted.append(first.id)
    tallies = queries.tallies(session, wanted)
    joined = queries.joined_count(session, workshop.id)
    writes = tallies[round_.id].writes if round_ is not None else 0
    state = StaffState(
        revision=workshop.revision,
        workshop=workshop_info(workshop),
        joined=joined,
        version=version_tag(workshop.revision, writes, joined),
        round=round_json(round_, len(rounds)) if round_ is not None else None,
        count=None,
        result=None,
    )
    if round_ is not None:
        tally = tallies[round_.id]
        state["count"] = Count(total=tally.total)
        if view == "facilitator":
            state["count"]["manual"] = tally.manual_total
        if shows_result(round_):
            ratings = queries.self_ratings(session, workshop.assessment_id)
            held = queries.room_withheld(session, round_)
            _show_result(state, tally, queries.self_rating_code(round_, ratings), held)
            if first is not None and shows_result(first) and not held:
                survey = queries.carried_surveys(session, workshop.assessment_id).get(round_.strand_id)
                _show_shift(state, tallies[first.id], tally, first.id, view == "facilitator", survey)
        elif view == "facilitator" and round_.state == "closed":
            # The facilitator may look before the room does, once voting has closed: a tally
            # that moved with each vote would let them match votes to the people voting.
            ratings = queries.self_ratings(session, workshop.assessment_id)
            held = queries.room_withheld(session, round_)
            state["preview"] = _published(tally, queries.self_rating_code(round_, ratings), held)
            state["preview_withheld"] = state["preview"] is None and tally.total > 0
            if state["preview_withheld"]:
                state["preview_withheld_words"] = withheld_words(tally, held, "so revealing will show only the count")
    if view == "facilitator":
        state["rounds"] = [
            {**round_json(r, len(rounds)), "count": tallies[r.id].total, "current": r is round_}
            for r in rounds
        ]
        state["org_types_voted"] = queries.org_types_voted(session, round_.id) if round_ else []
        state["manual_tallies"] = [
            {
                "id": t.id,
                "stage": t.stage,
                "stage_label": stage_label(t.stage),
                "count": t.count,
                "note": t.note,
            }
            for t in (round_.manual_tallies if round_ is not None else [])
        ]
    return state


def vote_message(stage: int | None, allow_changes: bool) -> str:
    """What a phone says once its vote is stored."""
    then = " You can change it until voting closes." if allow_changes else ""
    return f"Vote received: {stage_label(stage)}.{then}"


# --------------------------------------------------------------------------------------------
# Versions: what the live pages compare to notice a change
# --------------------------------------------------------------------------------------------
#
# A live state's version is "revision.writes" for phones and "revision.writes.joined" for the
# presenter and facilitator: the workshop's revision (bumped by every facilitator change, under
# the workshop's row lock), the number of vote writes in the current round (the sum of its
# votes' versions: a vote adds to its own row, so votes never queue for one shared row), and
# for staff how many have joined. Each part only grows while its round is on screen, and a
# state's parts are read in the statements that read its content, so a version never claims
# more than its state shows.


def version_tag(revision: int, writes: int, joined: int | None = None) -> str:
    parts = [revision, writes] if joined is None else [revision, writes, joined]
    return ".".join(str(int(part)) for part in parts)


def _current_round_writes():
    return (
        select(func.coalesce(func.sum(Vote.version), 0))
        .where(Vote.round_id == Workshop.current_round_id)
        .correlate(Workshop)
        .scalar_subquery()
    )


def _current_round_votes():
    return (
        select(func.count(Vote.id))
        .where(Vote.round_id == Workshop.current_round_id)
        .correlate(Workshop)
        .scalar_subquery()
    )


def _people_joined():
    return (
        select(func.count())
        .select_from(Participant)
        .where(Participant.workshop_id == Workshop.id)
        .correlate(Workshop)
        .scalar_subquery()
    )


def staff_version(session: Session | Connection, workshop_id: int) -> str | None:
    """The version the presenter and facilitator states of this workshop would carry now."""
    row = session.execute(
        select(Workshop.revision, _current_round_writes(), _people_joined()).where(Workshop.id == workshop_id)
    ).one_or_none()
    return version_tag(*row) if row is not None else None


class StaffMarker(NamedTuple):
    """What moves a presenter's or facilitator's state, read in one statement: the parts of
    its version, and the count of the round on screen (phone votes and hand counts)."""

    revision: int
    writes: int
    joined: int
    total: int

    @property
    def version(self) -> str:
        return version_tag(self.revision, self.writes, self.joined)


def staff_markers(session: Session | Connection, workshop_ids: list[int]) -> dict[int, StaffMarker]:
    """The staff markers of several workshops in one small query (every projector and console
    streaming from a worker shares one reading, sse.Readings); a workshop that is gone is left
    out."""
    by_hand = (
        select(func.coalesce(func.sum(ManualTally.count), 0)).where(ManualTally.round_id == Workshop.current_round_id)
        .correlate(Workshop).scalar_subquery()
    )
    rows = session.execute(
        select(
            Workshop.id, Workshop.revision, _current_round_writes(), _people_joined(), _current_round_votes(), by_hand
        ).where(Workshop.id.in_(workshop_ids))
    )
    return {
        int(id_): StaffMarker(int(revision), int(writes), int(people), int(votes) + int(counted))
        for id_, revision, writes, people, votes, counted in rows
    }


def etag(workshop_id: int, version: str, who: str = "") -> str:
    """An entity tag (unquoted) for a live state: it changes whenever the version does."""
    return f"{ETAG_PREFIX}{workshop_id}.{version}" + (f".{who}" if who else "")
