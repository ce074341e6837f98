"""Phones on an event stream (workshops/phones.py) and the poll interval advised by room size.

The streams run in a second app instance (as a worker process would), with
WORKSHOP_PHONE_STREAMS on and short ticks; the test drives the workshop through the main app
and reads each phone's stream message by message.
"""

from __future__ import annotations

import json
import re
import threading
import time

import pytest
from sqlalchemy import event

from maturity.extensions import db
from maturity.workshops import operations, phones
from maturity.workshops.state import advised_poll_ms
from tests.conftest import make_app
from tests.support.workshops import join, open_current, vote


def streaming_app(schema, tmp_path, **config):
    settings = {
        "UPLOAD_FOLDER": str(tmp_path),
        "WORKSHOP_PHONE_STREAMS": "on",
        "WORKSHOP_PHONE_TICK_SECONDS": 0.02,
        "WORKSHOP_PHONE_COUNT_GAP_SECONDS": 0.05,
        "WORKSHOP_PHONE_HEARTBEAT_SECONDS": 0.5,
        "WORKSHOP_PHONE_STREAM_SECONDS": 5,
        "WORKSHOP_PHONE_IDLE_SECONDS": 0.2,
    }
    return make_app(schema, **{**settings, **config})


OPEN: list = []


class Stream:
    """A phone's open stream, read one message at a time."""

    def __init__(self, client, code: str, screen: str | None = None):
        OPEN.append(self)
        url = f"/live/join/{code}/events" + (f"?screen={screen}" if screen is not None else "")
        self.response = client.get(url, buffered=False)
        assert self.response.status_code == 200, self.response.get_data(as_text=True)
        assert self.response.mimetype == "text/event-stream"
        self.chunks = (chunk.decode() for chunk in self.response.response)
        assert next(self.chunks).startswith("retry:")

    def next_event(self, kind: str | None = None, seconds: float = 3.0) -> tuple[str, dict]:
        """The next message (of `kind`, when given) as (event, data), skipping comments."""
        deadline = time.monotonic() + seconds
        for chunk in self.chunks:
            fields = dict(line.split(": ", 1) for line in chunk.splitlines() if ": " in line and not line.startswith(":"))
            if "data" in fields and (kind is None or fields.get("event") == kind):
                return fields.get("event", "message"), json.loads(fields["data"])
            assert time.monotonic() < deadline, f"no {kind or 'message'} within {seconds} s"
        raise AssertionError("the stream ended")

    def close(self):
        self.response.close()


def _close_streams(workshop_id: int) -> None:
    """Close every stream a test opened and wait for the room's watch to stop reading, so no
    connection of the streaming app is left open after its test."""
    while OPEN:
        OPEN.pop().close()
    deadline = time.monotonic() + 5
    while any(key[0] == workshop_id for key in phones._WATCHES) and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture
def room(app, schema, tmp_path, make_assessment, coordinator, make_workshop):
    workshop = make_workshop(assessment=make_assessment(area=coordinator.memberships[0].area))
    workshop_id = workshop.id
    server = streaming_app(schema, tmp_path)
    yield workshop, server
    _close_streams(workshop_id)
    with server.app_context():
        db.engine.dispose()


def test_without_an_async_server_phones_poll_and_the_stream_is_not_offered(app, make_workshop, make_assessment, coordinator):
    workshop = make_workshop(assessment=make_assessment(area=coordinator.memberships[0].area))
    phone = join(app, workshop)
    page = phone.get(f"/join/{workshop.join_code}/vote").get_data(as_text=True)
    assert 'data-poll-ms="2000"' in page and "data-events-url" not in page
    refused = phone.get(f"/live/join/{workshop.join_code}/events")
    assert refused.status_code == 404 and "poll the state instead" in refused.get_json()["message"]
    assert phone.get(f"/live/join/{workshop.join_code}/state").get_json()["poll_ms"] == 2000


def test_the_advised_poll_interval_grows_with_the_room():
    assert advised_poll_ms(0) == advised_poll_ms(300) == 2000
    assert advised_poll_ms(600) == 4000
    assert advised_poll_ms(1500) == 10000
    assert advised_poll_ms(2000) == 13333 and advised_poll_ms(100_000) == 15000


def test_a_phone_is_pushed_each_change_of_screen_with_its_own_vote(app, room):
    workshop, server = room
    phone, other = join(server, workshop), join(server, workshop)
    page = phone.get(f"/join/{workshop.join_code}/vote").get_data(as_text=True)
    assert f'data-events-url="/live/join/{workshop.join_code}/events"' in page
    stream = Stream(phone, workshop.join_code, screen="not-this-screen")

    _, first = stream.next_event("state")
    assert first["round"] is None and "You\u2019re in" in first["panel"]  # its screen differed

    round_ = open_current(workshop)
    _, opened = stream.next_event("state")
    assert opened["round"]["id"] == round_.id and opened["round"]["state"] == "open"
    assert f'name="round_id" value="{round_.id}"' in opened["panel"] and opened["my_vote"] is None
    # The room shares the screen's text; each phone's own CSRF token is put in it.
    assert phones.CSRF_MARK not in opened["panel"]
    assert re.search(r'name="csrf_token" value="[^"@]{20,}"', opened["panel"])
    assert "stages" not in opened["round"]  # the buttons are in the screen's HTML
    assert "counts" not in json.dumps(opened)

    assert vote(phone, workshop, round_.id, 3).status_code == 200
    assert vote(other, workshop, round_.id, 1).status_code == 200
    _, count = stream.next_event("count")
    assert count["round_id"] == round_.id and 1 <= count["total"] <= 2

    operations.close_round(workshop)
    db.session.commit()
    _, closed = stream.next_event("state")
    assert closed["round"]["state"] == "closed" and closed["count"] == {"total": 2}
    assert closed["my_vote"]["stage"] == 3 and "Your vote: <strong>Maturing</strong>" in closed["panel"]
    assert closed["result"] is None

    operations.reveal_round(workshop, True)
    db.session.commit()
    _, revealed = stream.next_event("state")
    assert revealed["result"] is None or revealed.get("withheld")  # 2 voters: only the count shows
    assert revealed["my_vote"]["stage"] == 3
    stream.close()


def test_a_phone_that_reconnects_gets_the_screen_it_should_show_and_no_panel_it_has(app, room):
    workshop, server = room
    phone = join(server, workshop)
    round_ = open_current(workshop)
    assert vote(phone, workshop, round_.id, "dont-know").status_code == 200
    state = phone.get(f"/live/join/{workshop.join_code}/state").get_json()

    stream = Stream(phone, workshop.join_code, screen=state["screen"])
    _, again = stream.next_event("state")
    assert again["screen"] == state["screen"] and "panel" not in again
    assert again["my_vote"] == {"stage": None, "label": "Don\u2019t know"}
    stream.close()

    stale = Stream(phone, workshop.join_code, screen="a-screen-from-before-the-phone-slept")
    _, fresh = stale.next_event("state")
    assert fresh["screen"] == state["screen"] and "Don\u2019t know<span" in fresh["panel"]
    stale.close()


def test_many_phones_share_one_reading_of_the_room(app, room):
    workshop, server = room
    clients = [join(server, workshop) for _ in range(6)]
    streams = [Stream(c, workshop.join_code) for c in clients]
    for stream in streams:
        stream.next_event("state")
    assert len([key for key in phones._WATCHES if key[0] == workshop.id]) == 1

    # While the streams take the opened round, only the room's watch reads the database:
    # nothing is read for each phone (the watch runs in a thread of its own).
    here = threading.get_ident()
    read_by_streams = []
    with server.app_context():
        engine = db.engine

    def note(*_args):
        if threading.get_ident() == here:
            read_by_streams.append(_args[2])

    event.listen(engine, "before_cursor_execute", note)
    try:
        round_ = open_current(workshop)
        tokens = set()
        for stream in streams:
            _, state = stream.next_event("state")
            assert state["round"]["id"] == round_.id and "panel" in state
            tokens.add(re.search(r'name="csrf_token" value="([^"]+)"', state["panel"]).group(1))
        assert len(tokens) == len(streams)  # one text for the room, each phone its own token
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert read_by_streams == []
    with server.app_context():
        assert db.engine.pool.checkedout() <= 1  # at most the watch, mid-read
    for stream in streams:
        stream.close()


def test_who_may_stream(app, room, make_workshop, make_assessment, coordinator):
    workshop, server = room
    stranger = server.test_client()
    assert stranger.get(f"/live/join/{workshop.join_code}/events").status_code == 401
    assert stranger.get("/live/join/ZZZZ-ZZZZ/events").status_code == 404
    elsewhere = make_workshop(assessment=make_assessment(area=coordinator.memberships[0].area), title="Another")
    phone = join(server, elsewhere)
    # A browser that joined another workshop has no place in this one.
    assert phone.get(f"/live/join/{workshop.join_code}/events").status_code == 401


def test_a_deleted_workshop_ends_its_phones_streams(app, room):
    workshop, server = room
    phone = join(server, workshop)
    stream = Stream(phone, workshop.join_code)
    stream.next_event("state")
    operations.delete_workshop(workshop)
    db.session.commit()
    kind, data = stream.next_event("gone")
    assert kind == "gone" and "no longer exists" in data["message"]


def test_the_count_reaches_a_phone_at_most_once_a_gap(app, schema, tmp_path, make_assessment, coordinator, make_workshop):
    workshop = make_workshop(assessment=make_assessment(area=coordinator.memberships[0].area))
    server = streaming_app(schema, tmp_path, WORKSHOP_PHONE_COUNT_GAP_SECONDS=0.6)
    voters = [join(server, workshop) for _ in range(5)]
    round_ = open_current(workshop)
    stream = Stream(voters[0], workshop.join_code)
    stream.next_event("state")
    started = time.monotonic()
    for voter in voters:
        assert vote(voter, workshop, round_.id, 2).status_code == 200
    seen = []
    while not seen or seen[-1][1] < 5:
        _, count = stream.next_event("count", seconds=5)
        seen.append((time.monotonic() - started, count["total"]))
    gaps = [b[0] - a[0] for a, b in zip(seen, seen[1:], strict=False)]
    assert all(gap >= 0.5 for gap in gaps), seen
    _close_streams(workshop.id)
    with server.app_context():
        db.engine.dispose()


class _Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class _QuietRoom:
    """A watch whose room never changes: every wait lasts its whole timeout (on a fake clock)."""

    def __init__(self, clock, snapshot):
        self.clock, self.snapshot, self.streams, self.waits = clock, snapshot, 1, []

    def attach(self, step):
        pass

    def wait(self, seq, timeout):
        self.waits.append(timeout)
        self.clock.now += timeout
        return False, self.snapshot


def test_a_quiet_stream_sleeps_until_its_heartbeat_instead_of_spinning(app):
    from maturity.workshops import state

    room = state.RoomState(revision=1, workshop={"id": 1, "title": "W", "status": "running", "status_label": "", "join_code": "X"},
                           round=None, count=None, result=None, writes=0, version="1.0", poll_ms=2000)
    snapshot = phones.Snapshot(state.Room(1, 0, 0.0, room), phones.room_screen(room), {}, 1, 0.0)
    clock = _Clock()
    quiet = _QuietRoom(clock, snapshot)
    options = {**phones.DEFAULTS, "WORKSHOP_PHONE_STREAM_SECONDS": 100.0}
    first = state.personal_state(room, False, None)
    messages = list(phones.stream(quiet, 7, first, first["screen"], lambda s: "<p>panel</p>", options, clock=clock))
    assert messages[0].startswith("retry:") and "event: state" in messages[1] and "panel" not in messages[1]
    # 100 s with nothing new: a keep-alive every 20 s, and each wait as long as the heartbeat.
    assert min(quiet.waits) >= options["WORKSHOP_PHONE_HEARTBEAT_SECONDS"] - 1e-9, quiet.waits[:5]
    assert sum(1 for m in messages if m.startswith(": keep-alive")) == 5
    assert messages[-1].startswith(": the stream ends here")


def test_a_watch_takes_its_connection_before_the_rooms_lock(app, schema, make_workshop, make_assessment, coordinator):
    """Requests for a room hold a pooled connection while they wait for the room's lock
    (state.room); a watch that took the lock first and then waited for the pool would stall
    them all until the pool timed out (seen with 2,000 phones opening their streams at once)."""
    from sqlalchemy import create_engine

    from maturity.workshops import state

    workshop = make_workshop(assessment=make_assessment(area=coordinator.memberships[0].area))
    engine = create_engine(db.engine.url, pool_size=1, max_overflow=0, pool_timeout=10)
    watch = phones.Watch(engine, workshop.id, workshop.join_code, {**phones.DEFAULTS})
    lock = state._ROOM_LOCKS.setdefault((workshop.id, workshop.join_code), threading.Lock())
    request_connection = engine.connect()  # a request holds the pool's only connection
    reader = threading.Thread(target=watch.read)
    reader.start()
    time.sleep(0.3)  # the watch is now waiting for the pool
    # ... and must not be holding the room's lock meanwhile, which the request is about to take.
    assert lock.acquire(timeout=1)
    lock.release()
    request_connection.close()
    reader.join(timeout=10)
    assert not reader.is_alive() and watch.snapshot is not None
    assert watch.snapshot.room.state["workshop"]["id"] == workshop.id
    engine.dispose()


def test_one_reading_a_tick_serves_every_room_of_the_process(app, schema, tmp_path, make_assessment, coordinator, make_workshop, monkeypatch):
    from maturity.workshops import state

    assessment = make_assessment(area=coordinator.memberships[0].area)
    rooms = [make_workshop(assessment=assessment, title=f"Room {n}") for n in range(3)]
    server = streaming_app(schema, tmp_path)
    calls = []
    real = state.room_markers
    monkeypatch.setattr(state, "room_markers", lambda session, ids: calls.append(list(ids)) or real(session, ids))
    streams = [Stream(join(server, workshop), workshop.join_code) for workshop in rooms]
    for stream in streams:
        stream.next_event("state")
    time.sleep(0.2)
    assert sorted(w.id for w in rooms) in calls  # all three rooms in one query
    round_ = open_current(rooms[1])
    _, state_ = streams[1].next_event("state")
    assert state_["round"]["id"] == round_.id
    for workshop in rooms:
        _close_streams(workshop.id)
    with server.app_context():
        db.engine.dispose()


def test_rooms_whose_screen_may_change_are_read_side_by_side(app, schema, tmp_path, make_assessment, coordinator, make_workshop, monkeypatch):
    """A reveal in many rooms at once: the rooms with a new revision are built side by side
    (at most WORKSHOP_PHONE_READERS at a time, each on a connection of its own), while a room
    whose count alone moved is read in the tick's own session."""
    assessment = make_assessment(area=coordinator.memberships[0].area)
    rooms = [make_workshop(assessment=assessment, title=f"Room {n}") for n in range(4)]
    server = streaming_app(schema, tmp_path, WORKSHOP_PHONE_READERS=2, WORKSHOP_PHONE_TICK_SECONDS=0.05)
    streams = [Stream(join(server, workshop), workshop.join_code) for workshop in rooms]
    for stream in streams:
        stream.next_event("state")
    time.sleep(0.2)
    at_once = {"now": 0, "most": 0, "own_session": 0, "shared": 0}
    guard = threading.Lock()
    inside = threading.local()
    real = phones.Watch.read

    def read(watch, session=None, marker=None):
        if getattr(inside, "own", False):  # the reader's own session, passed on to itself
            return real(watch, session, marker)
        if session is not None:
            at_once["shared"] += 1
            return real(watch, session, marker)
        with guard:
            at_once["now"] += 1
            at_once["most"] = max(at_once["most"], at_once["now"])
            at_once["own_session"] += 1
        inside.own = True
        try:
            time.sleep(0.1)  # long enough for the readers to overlap
            return real(watch, session, marker)
        finally:
            inside.own = False
            with guard:
                at_once["now"] -= 1

    monkeypatch.setattr(phones.Watch, "read", read)
    opened = [open_current(workshop) for workshop in rooms[:3]]
    for stream, round_ in zip(streams, opened, strict=False):
        assert stream.next_event("state")[1]["round"]["id"] == round_.id
    assert at_once["most"] == 2  # side by side, never more than the setting
    assert at_once["own_session"] >= 3 and at_once["shared"] >= 1  # the fourth room: no new revision
    for workshop in rooms:
        _close_streams(workshop.id)
    with server.app_context():
        db.engine.dispose()


def test_side_by_side_runs_every_task_and_raises_the_first_failure():
    done: list[int] = []

    def fails() -> None:
        raise RuntimeError("lost connection")

    tasks = [lambda n=n: done.append(n) for n in range(5)]
    with pytest.raises(RuntimeError, match="lost connection"):
        phones.side_by_side([*tasks[:2], fails, *tasks[2:]], 3)
    assert sorted(done) == [0, 1, 2, 3, 4]
    phones.side_by_side(tasks, 1)  # one at a time: in the caller's own thread
    assert len(done) == 10
