"""Server-Sent Events for the presenter screen and facilitator console.

The stream reads the workshop's live version (state.staff_version: its revision, the vote
writes in the current round and how many have joined) with one small query every POLL
seconds, each on a connection borrowed from the pool and returned at once, so no connection or
transaction is held between polls (SQLite's write lock and PostgreSQL's pool both stay free).
When the version moves it builds the state in a short session of its own and sends it, at
most once per MIN_GAP seconds, so a burst of votes becomes one update. Each state carries
`as_of`, the server's clock when it began to be read: every change committed before that is in
it. Comments keep proxies from
closing an idle stream, and the stream ends after LIFETIME seconds so a worker thread is never
held for ever: the browser's EventSource reconnects by itself (sending Last-Event-ID). At every
heartbeat the stream asks again whether its user may still follow the workshop, and ends with
a "gone" event when not.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any, cast

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from maturity.workshops.queries import load_workshop, tally
from maturity.workshops.state import StaffState, staff_state, staff_version, version_tag

DEFAULTS = {
    "WORKSHOP_SSE_POLL_SECONDS": 0.25,
    #: A day of many rooms has a projector and a console on each: a state built at most twice a
    #: second per screen keeps them within a second of the votes and the server free for votes.
    "WORKSHOP_SSE_MIN_GAP_SECONDS": 0.5,
    "WORKSHOP_SSE_HEARTBEAT_SECONDS": 15.0,
    "WORKSHOP_SSE_MAX_SECONDS": 300.0,
    "WORKSHOP_SSE_RETRY_MS": 2000,
}


NO_LONGER_ALLOWED = "You can no longer follow this workshop. Sign in again, or ask its coordinator."


def settings(config: Any) -> dict[str, float]:
    return {key: float(config.get(key, default)) for key, default in DEFAULTS.items()}


def format_event(data: Any, event: str | None = None, event_id: str | int | None = None) -> str:
    """One SSE message; JSON has no raw newlines, so the data fits one `data:` line."""
    lines = []
    if event_id is not None:
        lines.append(f"id: {event_id}")
    if event:
        lines.append(f"event: {event}")
    lines.append("data: " + json.dumps(data, separators=(",", ":")))
    return "\n".join(lines) + "\n\n"


def current_version(engine: Engine, workshop_id: int) -> str | None:
    with engine.connect() as connection:
        return staff_version(connection, workshop_id)


def recount(engine: Engine, previous: StaffState, version: str) -> StaffState | None:
    """The projector's state with a new count, when only votes (or people joining) moved it:
    the same revision, a round open and no result on screen. One query for the count instead
    of the whole state again; a day of many rooms has a projector on each, all while votes
    come in. None when the state must be built in full (the facilitator's console, too,
    which shows more than the count)."""
    round_ = previous.get("round")
    revision, _writes, joined = (int(part) for part in version.split("."))
    if not round_ or round_["state"] != "open" or previous.get("result") is not None or revision != previous.get("revision"):
        return None
    as_of = time.time()
    with Session(engine) as session:
        found = tally(session, round_["id"])
    state = cast(StaffState, {
        **previous, "count": {"total": found.total}, "joined": joined,
        "version": version_tag(revision, found.writes, joined), "as_of": round(as_of, 3),
    })
    return state


def build_state(engine: Engine, workshop_id: int, view: str) -> StaffState | None:
    as_of = time.time()
    with Session(engine) as session:
        workshop = load_workshop(session, workshop_id)
        if workshop is None:
            return None
        state = staff_state(session, workshop, view)
    state["as_of"] = round(as_of, 3)
    return state


def stream(
    engine: Engine,
    workshop_id: int,
    view: str,
    last_event_id: str | None,
    options: dict[str, float],
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    still_allowed: Callable[[], bool] | None = None,
) -> Iterator[str]:
    """The stream's messages. `still_allowed` is asked at least once every heartbeat: when
    the access that opened the stream is gone (signed out, a peer review closed, a role
    taken away), the stream says so and ends, and the browser does not reconnect."""
    poll = options["WORKSHOP_SSE_POLL_SECONDS"]
    min_gap = options["WORKSHOP_SSE_MIN_GAP_SECONDS"]
    heartbeat = options["WORKSHOP_SSE_HEARTBEAT_SECONDS"]
    lifetime = options["WORKSHOP_SSE_MAX_SECONDS"]
    started = clock()
    last_sent = last_event_id
    previous: StaffState | None = None
    last_push = float("-inf")
    last_write = last_check = started
    yield f"retry: {int(options['WORKSHOP_SSE_RETRY_MS'])}\n\n"
    while True:
        now = clock()
        if now - started >= lifetime:
            yield ": the stream ends here; the browser reconnects\n\n"
            return
        if still_allowed is not None and now - last_check >= heartbeat:
            last_check = now
            if not still_allowed():
                yield format_event({"message": NO_LONGER_ALLOWED}, event="gone")
                return
        version = current_version(engine, workshop_id)
        if version is None:
            yield format_event({"message": "This workshop no longer exists."}, event="gone")
            return
        if version != last_sent and now - last_push >= min_gap:
            state = None
            if view == "presenter" and previous is not None:
                state = recount(engine, previous, version)
            state = state or build_state(engine, workshop_id, view)
            if state is None:
                yield format_event({"message": "This workshop no longer exists."}, event="gone")
                return
            yield format_event(state, event="state", event_id=state["version"])
            last_sent, previous = state["version"], state
            last_push = last_write = clock()
        elif now - last_write >= heartbeat:
            yield ": heartbeat\n\n"
            last_write = now
        sleep(poll)
