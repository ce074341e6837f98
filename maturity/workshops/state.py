"""The live state of a workshop as the participant, presenter and facilitator pages see it.

The hiding of results happens here, on the server: until the facilitator reveals a round, the
state carries only HOW MANY have voted, never the counts per stage, the median or anything
else that could hint at the distribution. Each function takes the session to use, so the
event stream can build states in short sessions of its own.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from maturity.core.scoring import STAGE_KEYS, STAGES, Rating, VoteSummary
from maturity.models import Assessment, Round, Vote, Workshop
from maturity.workshops import queries

ETAG_PREFIX = "ws"


def load_workshop(session: Session, workshop_id: int) -> Workshop | None:
    return session.scalar(
        select(Workshop)
        .where(Workshop.id == workshop_id)
        .options(
            selectinload(Workshop.rounds),
            joinedload(Workshop.assessment).joinedload(Assessment.framework),
        )
    )


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


def summary_json(summary: VoteSummary) -> dict[str, Any]:
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


def result_json(tally: queries.Tally, self_code: str | None) -> dict[str, Any]:
    data = summary_json(tally.summary())
    data["manual"] = {
        "total": tally.manual_total,
        "counts": {str(stage): tally.manual.get(stage, 0) for stage in STAGES},
        "abstentions": tally.manual.get(None, 0),
    }
    data["self_rating"] = rating_json(parse_rating(self_code))
    return data


def round_json(round_: Round, count: int) -> dict[str, Any]:
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
    }


#: Voting buttons per (framework version, its content hash, strand, element). The framework is
#: data that changes only when a file is loaded again, which changes its content hash, so a
#: cached entry is never stale; caching saves every phone's poll loading the strand's elements.
_OPTIONS: dict[tuple, list[dict[str, Any]]] = {}
_OPTIONS_MAX = 256


def stage_options(round_: Round, workshop: Workshop) -> list[dict[str, Any]]:
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
    return [dict(option) for option in options]


def _stage_options(round_: Round, framework) -> list[dict[str, Any]]:
    general = {s["value"]: s.get("summary", "") for s in framework.stages}
    elements = [round_.element] if round_.element is not None else list(round_.strand.elements)
    options = []
    for stage, name in STAGES.items():
        if len(elements) == 1:
            summary, details = elements[0].summary(stage), []
        else:
            summary = general.get(stage, "")
            details = [{"element": e.name, "summary": e.summary(stage)} for e in elements]
        options.append(
            {"value": stage, "key": STAGE_KEYS[stage], "name": name, "summary": summary, "details": details}
        )
    return options


def _base(workshop: Workshop) -> dict[str, Any]:
    return {
        "revision": workshop.revision,
        "workshop": {
            "id": workshop.id,
            "title": workshop.title,
            "status": workshop.status,
            "status_label": workshop.status_label,
            "join_code": workshop.display_code,
        },
    }


def participant_state(session: Session, workshop: Workshop, participant_id: int) -> dict[str, Any]:
    """What a participant's phone shows: the round on screen, their own vote, the count."""
    return _personal(session, _room_state(session, workshop), participant_id)


#: The part of the participants' state that is the same for everyone in the room, per
#: (workshop id, join code, revision). Every change to a workshop bumps its revision, so an
#: entry never goes stale; the join code keeps a reused id (SQLite) from meeting an old entry.
#: While a room votes, every vote is a new revision and every phone's next poll a 200: with
#: this, one poll per revision (per process) builds the room's state and the others only look
#: up their own vote, instead of each loading the workshop, its rounds and the tally again.
_ROOM_STATES: dict[tuple[int, str, int], dict[str, Any]] = {}
_ROOM_STATES_MAX = 64


def cached_participant_state(
    session: Session, workshop_id: int, join_code: str, revision: int, participant_id: int
) -> dict[str, Any] | None:
    """participant_state for the workshop at `revision` (or later), sharing the room's part."""
    room = _ROOM_STATES.get((workshop_id, join_code, revision))
    if room is None:
        workshop = load_workshop(session, workshop_id)
        if workshop is None:
            return None
        room = _room_state(session, workshop)
        if len(_ROOM_STATES) >= _ROOM_STATES_MAX:
            _ROOM_STATES.clear()
        _ROOM_STATES[(workshop.id, workshop.join_code, workshop.revision)] = room
    return _personal(session, room, participant_id)


def _room_state(session: Session, workshop: Workshop) -> dict[str, Any]:
    """Everything a phone shows but the person's own vote; never changed once built."""
    state = _base(workshop)
    state["workshop"].update(
        offer_dont_know=workshop.offer_dont_know, allow_changes=workshop.allow_changes
    )
    round_ = workshop.current_round
    state["round"] = None
    state["count"] = None
    state["result"] = None
    if round_ is None or workshop.status == "setup":
        return state
    tally = queries.tally(session, round_.id)
    state["round"] = round_json(round_, len(workshop.rounds))
    state["round"]["stages"] = stage_options(round_, workshop)
    state["count"] = {"total": tally.total}
    if round_.revealed and workshop.results_visible:
        state["result"] = result_json(tally, None)
    return state


def _personal(session: Session, room: dict[str, Any], participant_id: int) -> dict[str, Any]:
    state = dict(room)
    state["my_vote"] = None
    if room["round"] is not None:
        voted = session.execute(
            select(Vote.stage).where(
                Vote.round_id == room["round"]["id"], Vote.participant_id == participant_id
            )
        ).one_or_none()
        if voted is not None:
            stage = voted[0]
            state["my_vote"] = {"stage": stage, "label": stage_label(stage)}
    state["screen"] = screen_key(state)
    return state


def screen_key(state: dict[str, Any]) -> str:
    """What decides the participant's screen (not the count): the page redraws when it changes."""
    round_ = state.get("round") or {}
    my_vote = state.get("my_vote")
    return "|".join(
        str(part)
        for part in (
            state["workshop"]["status"],
            round_.get("id", "-"),
            round_.get("state", "-"),
            "shown" if state.get("result") else "hidden",
            "-" if my_vote is None else my_vote["stage"],
        )
    )


def staff_state(session: Session, workshop: Workshop, view: str = "presenter") -> dict[str, Any]:
    """What the presenter screen (view="presenter") or facilitator console shows.

    Both see counts only until a round is revealed. The facilitator also sees every round's
    count, which kinds of organisation have voted (not what), and the hand counts they entered.
    """
    state = _base(workshop)
    round_ = workshop.current_round
    rounds = workshop.rounds
    wanted = [r.id for r in rounds] if view == "facilitator" else ([round_.id] if round_ else [])
    tallies = queries.tallies(session, wanted)
    state["joined"] = queries.joined_count(session, workshop.id)
    state["round"] = round_json(round_, len(rounds)) if round_ is not None else None
    state["count"] = None
    state["result"] = None
    if round_ is not None:
        tally = tallies[round_.id]
        state["count"] = {"total": tally.total}
        if view == "facilitator":
            state["count"]["manual"] = tally.manual_total
        if round_.revealed:
            ratings = queries.self_ratings(session, workshop.assessment_id)
            state["result"] = result_json(tally, queries.self_rating_code(round_, ratings))
    if view == "facilitator":
        state["rounds"] = [
            {**round_json(r, len(rounds)), "count": tallies[r.id].total, "current": r is round_}
            for r in rounds
        ]
        state["org_types_voted"] = queries.org_types_voted(session, round_.id) if round_ else []
        state["manual_tallies"] = (
            [
                {
                    "id": t.id,
                    "stage": t.stage,
                    "stage_label": stage_label(t.stage),
                    "count": t.count,
                    "note": t.note,
                }
                for t in round_.manual_tallies
            ]
            if round_ is not None
            else []
        )
    return state


def etag(workshop_id: int, revision: int, who: str = "") -> str:
    """An entity tag (unquoted) for a live state: it changes whenever the revision does."""
    return f"{ETAG_PREFIX}{workshop_id}.{revision}" + (f".{who}" if who else "")
