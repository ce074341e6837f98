"""Phones on Server-Sent Events: one reading of the room per worker per tick, shared by every
phone streaming from that worker.

A big room cannot poll: 2,000 phones asking every 2 seconds are 1,000 requests a second
before anyone votes, and a reveal reaches a polling phone only at its next poll. So, where the
server can hold thousands of idle connections (the gevent worker class: `streams_enabled`),
each phone holds one stream, `/live/join/<code>/events`, and the server pushes to it.

Per worker process and room there is one `Watch`: a background thread (a greenlet under
gevent) that, while any phone of the room streams from this process, reads the room's marker
(revision, vote writes) every tick through the room state the worker shares anyway
(state.room). When the room's screen changes (a round opened, closed, revealed, moved on, the
workshop ended) it also reads who voted what in the round on screen, in one query, so each
phone's screen shows its own vote. Then it wakes the phones' streams, which build nothing from
the database themselves: each takes the shared `Snapshot`, picks its own vote from it, and
sends its screen (rendered once per screen and version for the whole room, live.render_panel).
While votes come in only the count moves, and a stream sends it at most every `count_gap`
seconds, longer in a bigger room, so a burst of votes costs the phones a few small messages.

No vote is counted from memory: the count and the revealed figures are read from the rows
(state._room_state), the snapshot is only what to show. Any number of worker processes and
hosts serve one room without sticky sessions: each reads the database on its own, one small
query per tick per room, however many phones it holds.

A stream's own vote is the phone's business while a round is open: its vote's answer redraws
its screen, and a stream sends the screen again only when the room's part of it changes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from maturity.models import Vote
from maturity.workshops import state
from maturity.workshops.sse import format_event

#: Where a phone's CSRF token goes in a screen's HTML shared by the room (live._panel_html).
CSRF_MARK = "@@csrf-token@@"

DEFAULTS = {
    #: How often a watch reads its room while phones stream: one small query a tick for all
    #: the rooms of the process. A change of screen (a reveal) waits for the next tick, so
    #: a shorter tick takes up to its length off every reveal (measured: 0.25 s to 0.1 s took
    #: a twenty-room reveal's p95 from 0.82-0.90 s to 0.62-0.70 s).
    "WORKSHOP_PHONE_TICK_SECONDS": 0.1,
    #: Least gap between two count messages to one phone; more in a big room (count_gap).
    "WORKSHOP_PHONE_COUNT_GAP_SECONDS": 1.0,
    "WORKSHOP_PHONE_HEARTBEAT_SECONDS": 20.0,
    #: A stream ends after this long and the phone reconnects (a fresh look at its access).
    "WORKSHOP_PHONE_STREAM_SECONDS": 600.0,
    "WORKSHOP_PHONE_RETRY_MS": 2000,
    #: A watch with no phone left stops after this long.
    "WORKSHOP_PHONE_IDLE_SECONDS": 30.0,
    #: Rooms whose screen may have changed (a new revision) read side by side, each on a
    #: connection of its own, at most this many at once: a reveal in twenty rooms at once
    #: reaches the last room's phones after five rooms' reading, not twenty.
    "WORKSHOP_PHONE_READERS": 4,
}

def settings(config: Any) -> dict[str, float]:
    return {key: float(config.get(key, default)) for key, default in DEFAULTS.items()}


def streams_enabled(config: Any) -> bool:
    """Whether phones should stream: WORKSHOP_PHONE_STREAMS "on"/"off", or "auto" (the
    default): only where the server holds idle connections cheaply, i.e. under gevent. A
    threaded worker gives each open stream a thread of its own, and a room would use them up."""
    setting = str(config.get("WORKSHOP_PHONE_STREAMS", "auto")).lower()
    if setting in ("on", "1", "true", "yes"):
        return True
    if setting in ("off", "0", "false", "no"):
        return False
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover - gevent is a dependency of the app
        return False
    return bool(monkey.is_module_patched("socket"))


def count_gap(options: dict[str, float], streams: int) -> float:
    """Seconds between count messages to one phone: the setting, and one more second for each
    200 phones streaming from this process, whatever their rooms (6 s with 1,000)."""
    return options["WORKSHOP_PHONE_COUNT_GAP_SECONDS"] + streams // 200


def room_screen(room: state.LiveState) -> tuple:
    """The part of every phone's screen the room decides (state.screen_key without the vote)."""
    round_ = room["round"]
    return (
        room["workshop"]["status"],
        round_["id"] if round_ else None,
        round_["state"] if round_ else None,
        "shown" if room["result"] else ("withheld" if room.get("withheld") else "hidden"),
    )


@dataclass(frozen=True)
class Snapshot:
    """What a watch read at one tick; never changed once made."""

    room: state.Room
    screen: tuple
    #: Who voted what in the round on screen when the room's screen last changed
    #: (participant id -> stage, None for "don't know").
    votes: dict[int, int | None]
    #: Moves on with every change the phones should hear of.
    seq: int
    as_of: float


@dataclass
class Watch:
    """One room in one worker process: its state as the hub last read it, for the phones
    streaming from this process (the hub reads every tick while any stream is attached)."""

    engine: Engine
    workshop_id: int
    join_code: str
    options: dict[str, float]
    snapshot: Snapshot | None = None
    #: The workshop is gone (deleted): its streams say so and end.
    gone: bool = False
    #: No phone has streamed for a while, so the reading stopped (a new stream starts it again).
    stopped: bool = True
    streams: int = 0
    changed: threading.Condition = field(default_factory=threading.Condition)
    last_stream: float = field(default_factory=time.monotonic)
    #: The state messages of the room's current screen, written once for all its phones
    #: (by version, screen, with or without the screen's HTML), a CSRF_MARK for the token.
    messages: dict[tuple, str] = field(default_factory=dict)

    @property
    def key(self) -> tuple[int, str]:
        return (self.workshop_id, self.join_code)

    def read(self, session: Session | None = None, marker: state.Marker | None = None) -> None:
        """One tick: the room's shared state, and the votes when its screen changed; in the
        hub's session, with the marker it read for all its rooms (or in a session of its own)."""
        if session is None:
            with Session(self.engine) as own:
                # Hold a connection before the room's lock (state.room): the requests waiting
                # on that lock each hold one, and a holder left waiting for the pool would
                # stall them all.
                own.connection()
                self.read(own, marker)
            return
        as_of = time.time()
        room = state.room(
            session, self.workshop_id, self.join_code, 0, self.options["WORKSHOP_PHONE_TICK_SECONDS"], marker=marker
        )
        if room is None:
            snapshot = None
        else:
            before = self.snapshot
            screen = room_screen(room.state)
            if before is not None and before.screen == screen:
                if before.room.version == room.version:
                    return
                votes = before.votes
            else:
                votes = _votes(session, room.state)
            snapshot = Snapshot(room, screen, votes, (before.seq + 1) if before else 1, as_of)
        with self.changed:
            woken = snapshot is None or self.snapshot is None or snapshot.screen != self.snapshot.screen
            if snapshot is None:
                self.gone = True
            else:
                self.snapshot = snapshot
            if woken:
                self.messages = {}
            # Only a change of screen wakes every stream at once. A new count does not: each
            # stream looks for it when its own count gap has passed (a room of 2,000 woken four
            # times a second would cost more than all its votes).
            if woken:
                self.changed.notify_all()

    def rebuilds(self, marker: state.Marker | None) -> bool:
        """Whether this tick may build the room's state afresh (a new revision, the room gone,
        or nothing read yet), rather than take a new count from the marker alone."""
        return marker is None or self.snapshot is None or self.snapshot.room.revision != marker[0]

    def start(self) -> None:
        """Start reading (with _WATCHES_LOCK held)."""
        self.stopped = False
        _WATCHES[self.key] = self
        if not _HUB["running"]:
            _HUB["running"] = True
            threading.Thread(target=_hub, name="phones-hub", daemon=True).start()

    def stop_if_idle(self) -> bool:
        """Whether to stop: the room is gone, or no stream for a while. Decided under
        _WATCHES_LOCK, so a stream that attaches at that moment keeps the watch reading or
        starts it again."""
        idle = self.options["WORKSHOP_PHONE_IDLE_SECONDS"]
        with _WATCHES_LOCK, self.changed:
            if self.gone or (self.streams == 0 and time.monotonic() - self.last_stream > idle):
                self.stopped = True
                if _WATCHES.get(self.key) is self:
                    del _WATCHES[self.key]
                self.changed.notify_all()
                return True
        return False

    def attach(self, step: int) -> None:
        """Count a stream in (1) or out (-1); a stream coming to a stopped watch restarts it."""
        with _WATCHES_LOCK, self.changed:
            self.streams += step
            _STREAMS["open"] += step
            self.last_stream = time.monotonic()
            if step > 0 and self.stopped and not self.gone:
                self.start()

    def wait(self, screen: tuple | None, timeout: float) -> tuple[bool, Snapshot | None]:
        """(whether the room is gone, the snapshot once the room's screen differs from
        `screen` or, when `timeout` passes first, the current one: None until the first
        reading is done)."""
        with self.changed:
            if not self.gone and (self.snapshot is None or self.snapshot.screen == screen):
                self.changed.wait(timeout)
            return self.gone, self.snapshot


def _votes(session: Session, room: state.RoomState) -> dict[int, int | None]:
    round_ = room["round"]
    if round_ is None:
        return {}
    rows = session.execute(select(Vote.participant_id, Vote.stage).where(Vote.round_id == round_["id"]))
    return {participant_id: stage for participant_id, stage in rows}


LOG = logging.getLogger(__name__)
_WATCHES: dict[tuple[int, str], Watch] = {}
_WATCHES_LOCK = threading.Lock()
#: Whether this process's hub thread runs (changed with _WATCHES_LOCK held).
_HUB = {"running": False}
#: Phones streaming from this process, in every room (changed with _WATCHES_LOCK held).
_STREAMS = {"open": 0}


def _hub() -> None:
    """The process's one reader of its rooms: each tick, one query for the markers of every
    room with phones streaming here (state.room_markers), then each room's state from it: a
    count that moved costs no query more (state._recounted), a change of screen one or two.
    It stops when no room is left, and the next stream starts it again."""
    failing = False
    while True:
        with _WATCHES_LOCK:
            watches = [w for w in _WATCHES.values() if not w.stopped]
            if not watches:
                _HUB["running"] = False
                return
        watches = [w for w in watches if not w.stop_if_idle()]
        by_engine: dict[Engine, list[Watch]] = {}
        for found in watches:
            by_engine.setdefault(found.engine, []).append(found)
        for engine, group in by_engine.items():
            try:
                _read_rooms(engine, group)
                failing = False
            except Exception:  # noqa: BLE001 - e.g. a lost connection: read again next tick
                if not failing:  # once for each spell of failures, not four times a second
                    LOG.exception("Reading the rooms for their phones failed")
                failing = True
        time.sleep(min((w.options["WORKSHOP_PHONE_TICK_SECONDS"] for w in watches), default=DEFAULTS["WORKSHOP_PHONE_TICK_SECONDS"]))


def _read_rooms(engine: Engine, group: list[Watch]) -> None:
    """One tick for the rooms of one database: the markers of all in one query, a new count
    read from its marker in the same session, and the rooms whose screen may have changed
    built side by side once that session has given its connection back (none of the readers
    waits for the pool while holding a connection)."""
    rebuild: list[tuple[Watch, state.Marker | None]] = []
    with Session(engine) as session:
        session.connection()  # before any room's lock: see Watch.read
        markers = state.room_markers(session, sorted({w.workshop_id for w in group}))
        for found in group:
            marker = markers.get(found.workshop_id)
            if found.rebuilds(marker):
                rebuild.append((found, marker))
            else:
                found.read(session, marker)
                # Let the requests and streams waiting on this worker run between two rooms.
                time.sleep(0)
    readers = int(min((w.options.get("WORKSHOP_PHONE_READERS", 4) for w, _ in rebuild), default=1))
    side_by_side([lambda found=found, marker=marker: found.read(None, marker) for found, marker in rebuild], readers)


def side_by_side(tasks: list[Callable[[], None]], most: int) -> None:
    """Run the tasks on at most `most` threads at once (greenlets under gevent), and return
    when all have ended; the first failure is raised once every task has had its turn."""
    if len(tasks) <= 1 or most <= 1:
        for task in tasks:
            task()
        return
    with ThreadPoolExecutor(max_workers=min(most, len(tasks)), thread_name_prefix="phones-reader") as pool:
        runs = [pool.submit(task) for task in tasks]
    failures = [run.exception() for run in runs if run.exception() is not None]
    if failures:
        raise failures[0]


def watch(engine: Engine, workshop_id: int, join_code: str, options: dict[str, float]) -> Watch:
    """The room's watch in this process; it reads while streams are attached, and stops
    WORKSHOP_PHONE_IDLE_SECONDS after the last one leaves."""
    key = (workshop_id, join_code)
    with _WATCHES_LOCK:
        found = _WATCHES.get(key)
        if found is None or found.gone:
            found = Watch(engine, workshop_id, join_code, options)
            _WATCHES[key] = found
        return found


def stream(
    found: Watch,
    participant_id: int,
    first: state.PhoneState,
    shown_screen: str | None,
    panel: Callable[[state.PhoneState], str],
    options: dict[str, float],
    token: str = "",
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[str]:
    """One phone's messages: its state now (read by the request, with its own vote), then its
    state whenever the room's screen changes, and the count now and then while votes come in.
    `panel` renders a state's screen (with CSRF_MARK where `token`, this phone's CSRF token,
    goes); it is sent when the screen differs from the one the phone shows (`shown_screen`,
    then whatever this stream sent last)."""
    found.attach(1)
    try:
        yield f"retry: {int(options['WORKSHOP_PHONE_RETRY_MS'])}\n\n"
        started = last_write = clock()
        heartbeat = options["WORKSHOP_PHONE_HEARTBEAT_SECONDS"]
        lifetime = options["WORKSHOP_PHONE_STREAM_SECONDS"]
        yield _state_event(first, shown_screen, panel, time.time(), None).replace(CSRF_MARK, token)
        screen = first["screen"]
        room_part = room_screen(first)
        count_sent = (first["count"] or {}).get("total")
        last_count = float("-inf")
        pending = False  # a count the phone has not been sent yet, held back for the gap
        while True:
            now = clock()
            if now - started >= lifetime:
                yield ": the stream ends here; the phone reconnects\n\n"
                return
            gap = count_gap(options, _STREAMS["open"])
            timeout = heartbeat - (now - last_write)
            if room_part[2] == "open":  # votes are coming in: look at the count once a gap
                timeout = min(timeout, gap - (now - last_count))
            gone, snapshot = found.wait(room_part, max(0.05, timeout))
            if gone:
                yield format_event({"message": "This workshop no longer exists."}, event="gone")
                return
            now = clock()
            if snapshot is not None and snapshot.screen != room_part:
                room_part = snapshot.screen
                mine = snapshot.votes
                voted = participant_id in mine
                phone = state.personal_state(snapshot.room.state, voted, mine.get(participant_id) if voted else None)
                yield _state_event(phone, screen, panel, snapshot.as_of, found.messages).replace(CSRF_MARK, token)
                screen = phone["screen"]
                count_sent, pending = (phone["count"] or {}).get("total"), False
                last_count = last_write = now
                continue
            if snapshot is not None:  # (None: the room's first reading is not done yet)
                count = snapshot.room.state["count"]
                total = count["total"] if count else None
                pending = total != count_sent
                if pending and now - last_count >= gap:
                    round_ = snapshot.room.state["round"]
                    yield format_event({"total": total, "round_id": round_["id"] if round_ else None}, event="count")
                    count_sent, pending, last_count, last_write = total, False, now, now
                    continue
            if now - last_write >= heartbeat:
                yield ": keep-alive\n\n"
                last_write = now
    finally:
        found.attach(-1)


def _state_event(
    phone: state.PhoneState,
    shown: str | None,
    panel: Callable[[state.PhoneState], str],
    as_of: float,
    messages: dict[tuple, str] | None,
) -> str:
    """A `state` message, written once per version and screen for the room (`messages`): at a
    reveal 2,000 phones take one of a handful of texts instead of each encoding its own."""
    key = (phone["version"], phone["screen"], phone["screen"] != shown)
    text = messages.get(key) if messages is not None else None
    if text is None:
        data: dict[str, Any] = dict(phone)
        if data["round"] is not None:  # the voting buttons are in the screen's HTML already
            data["round"] = {k: v for k, v in data["round"].items() if k != "stages"}  # type: ignore[assignment]
        if phone["screen"] != shown:
            data["panel"] = panel(phone)
        data["as_of"] = round(as_of, 3)
        text = format_event(data, event="state", event_id=phone["version"])
        if messages is not None and len(messages) < 64:
            messages[key] = text
    return text
