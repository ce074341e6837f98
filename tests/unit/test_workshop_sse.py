"""The event stream's loop: pushes on a new version, coalesces bursts, heartbeats, ends."""

import json

from maturity.workshops import sse
from maturity.workshops.state import StaffMarker

OPTIONS = {
    "WORKSHOP_SSE_POLL_SECONDS": 0.25,
    "WORKSHOP_SSE_MIN_GAP_SECONDS": 0.3,
    "WORKSHOP_SSE_CONSOLE_COUNT_GAP_SECONDS": 2.0,
    "WORKSHOP_SSE_HEARTBEAT_SECONDS": 15.0,
    "WORKSHOP_SSE_MAX_SECONDS": 60.0,
    "WORKSHOP_SSE_RETRY_MS": 2000,
}


class FakeReadings:
    """The shared reading, as a stream sees it: a marker of the version `version()` gives."""

    def __init__(self, version, as_of=lambda: 1.0):
        self.version, self.as_of, self.following = version, as_of, 0

    def follow(self, workshop_id, step):
        self.following += step

    def marker(self, engine, workshop_id, max_age, clock):
        found = self.version()
        return (None if found is None else StaffMarker(int(found.split(".")[0]), 0, 0, 0)), self.as_of()


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def run(monkeypatch, revisions, options=None, last_event_id=None):
    """Drive the stream with a version per poll (a function of the fake time)."""
    clock = FakeClock()
    built = []

    def version():
        found = revisions(clock.now)
        return None if found is None else f"{found}.0.0"

    shared = FakeReadings(version)
    monkeypatch.setattr(sse, "readings", lambda engine: shared)

    def build(engine, wid, view):
        state = {"version": version(), "view": view}
        built.append(state)
        return state

    monkeypatch.setattr(sse, "build_state", build)
    chunks = list(
        sse.stream(None, 1, "presenter", last_event_id, options or OPTIONS, clock=clock, sleep=clock.sleep)
    )
    assert shared.following == 0  # the stream stopped following its workshop when it ended
    return chunks, built


def events(chunks):
    return [json.loads(c.split("data: ", 1)[1]) for c in chunks if c.startswith("id:")]


def test_format_event_is_one_sse_message():
    text = sse.format_event({"a": "line\nbreak"}, event="state", event_id=7)
    assert text == 'id: 7\nevent: state\ndata: {"a":"line\\nbreak"}\n\n'


def test_sends_the_state_at_once_then_only_when_the_version_moves(monkeypatch):
    chunks, _ = run(monkeypatch, lambda t: 1 if t < 10 else 2)
    assert chunks[0] == "retry: 2000\n\n"
    assert [e["version"] for e in events(chunks)] == ["1.0.0", "2.0.0"]
    assert [c.split("\n", 1)[0] for c in chunks if c.startswith("id:")] == ["id: 1.0.0", "id: 2.0.0"]
    assert chunks[-1].startswith(":")  # the stream ends with a comment after its lifetime


def test_a_burst_of_versions_is_coalesced(monkeypatch):
    # A new version on every 0.25 s poll for 10 seconds: at most one push per 0.3 s.
    chunks, _ = run(monkeypatch, lambda t: int(t * 4) + 1)
    sent = events(chunks)
    assert 20 <= len(sent) <= 60 / 0.3 + 1
    assert len(sent) < 240  # 60 s of polls would have been 240 pushes


def test_heartbeats_keep_an_idle_stream_open(monkeypatch):
    chunks, _ = run(monkeypatch, lambda t: 5)
    heartbeats = [c for c in chunks if c == ": heartbeat\n\n"]
    assert len(heartbeats) == 3  # at 15, 30 and 45 seconds of a 60-second stream


def test_last_event_id_skips_the_state_the_browser_already_has(monkeypatch):
    chunks, built = run(monkeypatch, lambda t: 5, last_event_id="5.0.0")
    assert events(chunks) == [] and built == []


def test_a_deleted_workshop_ends_the_stream(monkeypatch):
    chunks, _ = run(monkeypatch, lambda t: None)
    assert "event: gone" in chunks[-1]


def test_access_is_checked_every_heartbeat_and_the_stream_ends_when_it_is_gone(monkeypatch):
    clock = FakeClock()
    asked = []
    monkeypatch.setattr(sse, "readings", lambda engine: FakeReadings(lambda: "1.0.0"))
    monkeypatch.setattr(sse, "build_state", lambda engine, wid, view: {"version": "1.0.0"})

    def still_allowed():
        asked.append(clock.now)
        return clock.now < 40  # access goes at 40 s (say, the peer review closed)

    chunks = list(
        sse.stream(None, 1, "presenter", None, OPTIONS, clock=clock, sleep=clock.sleep, still_allowed=still_allowed)
    )
    assert chunks[-1].startswith("event: gone") and "no longer follow" in chunks[-1]
    assert 40 <= asked[-1] <= 40 + OPTIONS["WORKSHOP_SSE_HEARTBEAT_SECONDS"]
    gaps = [b - a for a, b in zip([0.0] + asked, asked, strict=False)]
    assert max(gaps) <= OPTIONS["WORKSHOP_SSE_HEARTBEAT_SECONDS"] + OPTIONS["WORKSHOP_SSE_POLL_SECONDS"]


def test_a_reading_begun_before_the_state_sent_is_not_news(monkeypatch):
    # The shared reading can be up to half a poll old: a state built afresh may already count
    # more than it. A projector must never step back to the older count.
    clock = FakeClock()
    readings = iter([(1.0, "4.0.0")] + [(0.5, "4.0.0")] * 8 + [(3.0, "6.0.0")] * 1000)
    current = {}

    def version():
        current["as_of"], found = next(readings)
        return found

    shared = FakeReadings(version, as_of=lambda: current["as_of"])
    monkeypatch.setattr(sse, "readings", lambda engine: shared)
    built = iter([{"version": "5.0.0", "as_of": 2.0}, {"version": "6.0.0", "as_of": 3.5}])
    monkeypatch.setattr(sse, "build_state", lambda engine, wid, view: next(built))
    options = {**OPTIONS, "WORKSHOP_SSE_MAX_SECONDS": 5.0}
    chunks = list(sse.stream(None, 1, "presenter", None, options, clock=clock, sleep=clock.sleep))
    # Built at once (it counts more than the reading that prompted it: "5.0.0"). The readings
    # begun at 0.5 say "4.0.0", older than that state: not news, nothing built or sent. The
    # reading at 3.0 is news.
    assert [e["version"] for e in events(chunks)] == ["5.0.0", "6.0.0"]


def test_the_console_hears_of_new_votes_every_two_seconds_and_of_anything_else_at_once(monkeypatch):
    clock = FakeClock()

    def marker():
        # Votes move the count on every poll; at 10 s the facilitator closes the round.
        revision = 3 if clock.now < 10 else 4
        return StaffMarker(revision, int(clock.now * 4), 0, int(clock.now * 4))

    class Readings(FakeReadings):
        def marker(self, engine, workshop_id, max_age, clock_):
            return marker(), 1000.0 + clock.now

    monkeypatch.setattr(sse, "readings", lambda engine: Readings(None))
    sent = []

    def build(engine, wid, view):
        found = marker()
        sent.append((clock.now, found.revision))
        return {"version": found.version, "revision": found.revision, "as_of": 1000.0 + clock.now}

    monkeypatch.setattr(sse, "build_state", build)

    def run(view):
        sent.clear()
        clock.now = 0.0
        options = {**OPTIONS, "WORKSHOP_SSE_MAX_SECONDS": 12.0}
        list(sse.stream(None, 1, view, None, options, clock=clock, sleep=clock.sleep))
        return list(sent)

    console = run("facilitator")
    while_voting = [t for t, revision in console if revision == 3]
    gaps = [b - a for a, b in zip(while_voting, while_voting[1:], strict=False)]
    assert len(while_voting) == 5 and min(gaps) >= 2.0  # at 0, 2, 4, 6 and 8 s
    closed_at = next(t for t, revision in console if revision == 4)
    assert 10 <= closed_at <= 10 + OPTIONS["WORKSHOP_SSE_MIN_GAP_SECONDS"] + OPTIONS["WORKSHOP_SSE_POLL_SECONDS"]
    # The projector counts for the room: its states come at the shorter gap.
    projector = [t for t, revision in run("presenter") if revision == 3]
    assert len(projector) >= 3 * len(while_voting)
