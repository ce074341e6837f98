"""Server-Sent Events for the presenter screen and facilitator console.

Every POLL seconds a stream looks at its workshop's marker (state.staff_markers: the
revision, the vote writes in the current round, how many have joined, and the round's count).
The streams of one worker process share their readings (`Readings`): whichever stream finds
the last reading older than half a POLL reads the markers of every workshop followed from this
process in one small query, on a connection borrowed from the pool and returned at once, so
a day of twenty rooms costs a few queries a second, not four per projector, and no connection
or transaction is held between readings. Any number of processes and hosts serve one workshop
without sticky sessions: each reads PostgreSQL for itself.

When the version moves the stream sends a state, at most once per MIN_GAP seconds, so a
burst of votes becomes one update. While votes come in the projector's new count is taken
from the marker itself (`recount`), and the console's with one small query for the kinds of
organisation that have voted; anything else builds the state in a short session of its own. Each state carries `as_of`, the server's clock when its reading began: every change
committed before that is in it. Comments keep proxies from closing an idle stream, and the
stream ends after LIFETIME seconds so a worker thread is never held for ever: the browser's
EventSource reconnects by itself (sending Last-Event-ID). At every heartbeat the stream asks
again whether its user may still follow the workshop, and ends with a "gone" event when not.
"""

from __future__ import annotations

import json
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from maturity.workshops.queries import load_workshop, org_types_voted
from maturity.workshops.state import StaffMarker, StaffState, staff_markers, staff_state

DEFAULTS = {
    "WORKSHOP_SSE_POLL_SECONDS": 0.25,
    #: A day of many rooms has a projector and a console on each: a state built at most twice a
    #: second per screen keeps them within a second of the votes and the server free for votes.
    "WORKSHOP_SSE_MIN_GAP_SECONDS": 0.5,
    #: The console while only votes and joining move it: its count at most this often (the
    #: projector shows the room its count at the gap above). The facilitator's own buttons are
    #: answered with the new state at once, and any other change comes at the gap above. On a
    #: day of twenty rooms, consoles told of every vote twice a second cost more than the votes.
    "WORKSHOP_SSE_CONSOLE_COUNT_GAP_SECONDS": 2.0,
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


@dataclass(frozen=True)
class Reading:
    """The markers of the workshops followed from this process, read in one statement."""

    #: The server's clock when the statement began (a state made from it is `as_of` then).
    as_of: float
    #: When it was read, on the streams' clock, to tell how old it is.
    read_at: float
    asked: frozenset[int]
    markers: dict[int, StaffMarker]


@dataclass
class Readings:
    """The readings shared by one engine's streams in this process."""

    followed: dict[int, int] = field(default_factory=dict)
    last: Reading | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def follow(self, workshop_id: int, step: int) -> None:
        with _READINGS_LOCK:
            left = self.followed.get(workshop_id, 0) + step
            if left > 0:
                self.followed[workshop_id] = left
            else:
                self.followed.pop(workshop_id, None)

    def marker(
        self, engine: Engine, workshop_id: int, max_age: float, clock: Callable[[], float] = time.monotonic
    ) -> tuple[StaffMarker | None, float]:
        """The workshop's marker (None: it is gone) and the `as_of` of its reading: the last
        reading when it is younger than `max_age` and asked for this workshop, or a new one.
        One stream reads at a time; the others waiting for it take what it read."""
        def usable(last: Reading | None) -> bool:
            return last is not None and workshop_id in last.asked and clock() - last.read_at < max_age

        last = self.last
        if not usable(last):
            with self.lock:
                last = self.last
                if not usable(last):
                    with _READINGS_LOCK:
                        asked = frozenset(self.followed) | {workshop_id}
                    as_of = time.time()
                    with engine.connect() as connection:
                        markers = staff_markers(connection, sorted(asked))
                    last = self.last = Reading(as_of, clock(), asked, markers)
        return last.markers.get(workshop_id), last.as_of  # type: ignore[union-attr]  # usable or just read


_READINGS: weakref.WeakKeyDictionary[Engine, Readings] = weakref.WeakKeyDictionary()
_READINGS_LOCK = threading.Lock()


def readings(engine: Engine) -> Readings:
    with _READINGS_LOCK:
        found = _READINGS.get(engine)
        if found is None:
            found = _READINGS[engine] = Readings()
        return found


def recount(
    previous: StaffState, marker: StaffMarker, as_of: float, org_types: Callable[[int], list[dict]] | None = None
) -> StaffState | None:
    """The state with a new count, when only votes (or people joining) moved it: the same
    revision, a round open and nothing of its result on screen. The count is the marker's, read
    from the rows with the version, so the projector's costs no query more; a day of many rooms
    has a projector on each, all while votes come in. The facilitator's console also shows each
    round's count, taken from the marker too, and which kinds of organisation have voted, which
    `org_types(round_id)` reads (one small query, not the state built in full). None when the
    state must be built in full."""
    round_ = previous.get("round")
    if (
        not round_
        or round_["state"] != "open"
        or previous.get("result") is not None
        or previous.get("preview") is not None
        or marker.revision != previous.get("revision")
    ):
        return None
    state = cast(StaffState, {
        **previous, "count": {**(previous.get("count") or {}), "total": marker.total}, "joined": marker.joined,
        "version": marker.version, "as_of": round(as_of, 3),
    })
    if "rounds" in previous:  # the facilitator's console
        if org_types is None:
            return None
        state["rounds"] = [{**item, "count": marker.total} if item["current"] else item for item in previous["rounds"]]
        state["org_types_voted"] = org_types(round_["id"])
    return state


def org_types_now(engine: Engine) -> Callable[[int], list[dict]]:
    """For the console's recount: which kinds of organisation have voted in a round, read on a
    connection borrowed for the one query."""
    def read(round_id: int) -> list[dict]:
        with engine.connect() as connection:
            return org_types_voted(connection, round_id)

    return read


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
    count_gap = min_gap if view == "presenter" else max(min_gap, options["WORKSHOP_SSE_CONSOLE_COUNT_GAP_SECONDS"])
    heartbeat = options["WORKSHOP_SSE_HEARTBEAT_SECONDS"]
    lifetime = options["WORKSHOP_SSE_MAX_SECONDS"]
    shared = readings(engine)
    started = clock()
    last_sent = last_event_id
    previous: StaffState | None = None
    last_push = float("-inf")
    last_write = last_check = started
    shared.follow(workshop_id, 1)
    try:
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
            marker, as_of = shared.marker(engine, workshop_id, poll / 2, clock)
            if marker is None:
                yield format_event({"message": "This workshop no longer exists."}, event="gone")
                return
            # A reading begun before the state last sent (built afresh meanwhile) is no news.
            news = previous is None or round(as_of, 3) > previous.get("as_of", float("-inf"))
            counts_only = previous is not None and marker.revision == previous.get("revision")
            gap = count_gap if counts_only else min_gap
            if news and marker.version != last_sent and now - last_push >= gap:
                state = None
                if previous is not None:
                    state = recount(previous, marker, as_of, org_types_now(engine) if view == "facilitator" else None)
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
    finally:
        shared.follow(workshop_id, -1)
