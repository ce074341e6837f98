"""The phones' quick vote path (workshops/quick_votes.py): on PostgreSQL a vote that is in order
is answered before Flask, with the route's own answer; anything else is handed to the route,
which answers as it always has, and the vote limit is counted once in one bucket either way."""

from __future__ import annotations

import re
import threading
import time
import uuid

import pytest
import redis
from flask import g
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from maturity.extensions import db, limiter
from maturity.models import Vote
from maturity.workshops import live, operations
from maturity.workshops.batches import Item
from maturity.workshops.participants import QUICK_VOTE_COUNTED, SESSION_KEY
from maturity.workshops.quick_votes import Pending, QuickVotes
from tests.conftest import make_app
from tests.support.services import redis_answers
from tests.support.waiting import until
from tests.support.workshops import join, open_current, vote


@pytest.fixture
def quick(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the quick path serves PostgreSQL only")
    return app


def _route_not_used(monkeypatch) -> list[int]:
    """Make the route's write fail the test if it runs; returns the list of calls (kept empty)."""
    calls: list[int] = []

    def refuse(*args, **kwargs):
        calls.append(1)
        raise AssertionError("the vote went through Flask")

    monkeypatch.setattr(live.operations, "record_vote", refuse)
    return calls


def _answer_without_token(body: dict) -> dict:
    """A vote's answer with the CSRF token in its screen taken out (it is signed afresh each time)."""
    import re

    found = dict(body)
    if "panel" in found:
        found["panel"] = re.sub(r'name="csrf_token" value="[^"]*"', "", found["panel"])
        # The room's count, which the vote itself moved on between the two answers.
        found["panel"] = re.sub(r'<span id="vote-count">\d+</span> <span id="vote-count-label">\w+</span>', "", found["panel"])
    return found


def test_a_vote_in_order_is_answered_before_flask_as_the_route_answers(quick, make_workshop, monkeypatch):
    workshop = make_workshop()
    phone, other = join(quick, workshop, "police"), join(quick, workshop, "health")
    round_ = open_current(workshop)
    for browser in (phone, other):  # the voting page, whose form puts a CSRF token in the session
        assert 'name="csrf_token"' in browser.get(f"/join/{workshop.join_code}/vote").get_data(as_text=True)
    # The route's answer, for comparison: the quick path switched off for this one vote.
    slow = make_app(db.engine.url.render_as_string(hide_password=False), WORKSHOP_QUICK_VOTES="off",
                    UPLOAD_FOLDER=quick.config["UPLOAD_FOLDER"])
    other_on_route = slow.test_client()
    other_on_route.set_cookie("session", other.get_cookie("session").value)
    routed = other_on_route.post(f"/live/join/{workshop.join_code}/vote?panel=1", json={"round_id": round_.id, "stage": 3})
    assert routed.status_code == 200

    calls = _route_not_used(monkeypatch)
    # Sent from a thread of its own, as a server's worker would: no app context around it.
    answers: list = []
    sender = threading.Thread(target=lambda: answers.append(
        phone.post(f"/live/join/{workshop.join_code}/vote?panel=1", json={"round_id": round_.id, "stage": 3})
    ))
    sender.start()
    sender.join()
    answer = answers[0]
    assert answer.status_code == 200 and calls == []
    quick_answer, route_answer = _answer_without_token(answer.get_json()), _answer_without_token(routed.get_json())
    import difflib

    assert quick_answer == route_answer, "\n".join(difflib.unified_diff(route_answer["panel"].splitlines(), quick_answer["panel"].splitlines(), lineterm=""))
    assert answer.get_json()["message"] == "Vote received: Maturing. You can change it until voting closes."
    assert 'aria-pressed="true"' in answer.get_json()["panel"]
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"):
        assert answer.headers[name] == routed.headers[name] or name == "Content-Security-Policy"
    assert answer.headers["Cache-Control"] == "no-store"
    # A changed vote replaces the row, as the route's upsert does.
    assert phone.post(f"/live/join/{workshop.join_code}/vote", json={"round_id": round_.id, "stage": 1}).status_code == 200
    db.session.expire_all()
    stages = sorted((v.stage, v.version) for v in db.session.scalars(select(Vote).where(Vote.round_id == round_.id)))
    assert stages == [(1, 2), (3, 1)]


def test_a_session_with_no_csrf_token_yet_is_the_route_s_to_answer(quick, make_workshop, monkeypatch):
    """The screen in the answer carries the session's CSRF token; a session without one gets it
    made by Flask (and its cookie updated), so the quick path leaves that vote to the route."""
    workshop = make_workshop()
    phone = join(quick, workshop, "police")
    round_ = open_current(workshop)
    answer = phone.post(f"/live/join/{workshop.join_code}/vote?panel=1", json={"round_id": round_.id, "stage": 2})
    assert answer.status_code == 200 and 'name="csrf_token" value=""' not in answer.get_json()["panel"]
    assert "session=" in answer.headers.get("Set-Cookie", "")


def test_a_vote_written_but_not_answered_is_answered_by_the_route(quick, make_workshop, monkeypatch):
    """Should the quick path fail after writing (a bug, a template error), the phone still gets
    the route's answer, never a 500; the vote is the same row."""
    workshop = make_workshop()
    phone = join(quick, workshop, "police")
    round_ = open_current(workshop)
    assert 'name="csrf_token"' in phone.get(f"/join/{workshop.join_code}/vote").get_data(as_text=True)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the answer")

    monkeypatch.setattr(QuickVotes, "_answer", broken)
    answer = vote(phone, workshop, round_.id, 2)
    assert answer.status_code == 200 and answer.get_json()["my_vote"]["stage"] == 2
    db.session.expire_all()
    assert [(v.stage, v.version) for v in db.session.scalars(select(Vote).where(Vote.round_id == round_.id))] == [(2, 2)]


def test_anything_else_is_answered_by_the_route(quick, make_workshop, make_assessment, monkeypatch):
    workshop = make_workshop()
    phone = join(quick, workshop, "police")
    round_ = open_current(workshop)
    url = f"/live/join/{workshop.join_code}/vote"
    # Never joined: the route's 401 and words.
    stranger = quick.test_client().post(url, json={"round_id": round_.id, "stage": 2})
    assert stranger.status_code == 401 and "has not joined" in stranger.get_json()["message"]
    # A body that does not parse, a stage that does not exist: the route's 400s.
    assert phone.post(url, data="{not json", headers={"Content-Type": "application/json"}).status_code == 400
    bad_stage = phone.post(url, json={"round_id": round_.id, "stage": 9})
    assert bad_stage.status_code == 400 and bad_stage.get_json()["message"]
    # A form post (the page without its script) goes through the route.
    assert phone.post(url, data={"round_id": round_.id, "stage": "2"}).status_code == 200
    # A round not open: nothing written, the route says why.
    operations.close_round(workshop)
    db.session.commit()
    late = phone.post(url, json={"round_id": round_.id, "stage": 4})
    assert late.status_code == 409 and "has closed" in late.get_json()["message"]
    db.session.expire_all()
    assert [v.stage for v in db.session.scalars(select(Vote).where(Vote.round_id == round_.id))] == [2]
    # Another workshop's code with this browser's token: not valid there.
    elsewhere = make_workshop(assessment=make_assessment(), title="Elsewhere")
    open_current(elsewhere)
    assert phone.post(f"/live/join/{elsewhere.join_code}/vote", json={"round_id": elsewhere.rounds[0].id, "stage": 2}).status_code == 401


def test_don_t_know_where_the_workshop_does_not_offer_it_is_the_route_s_to_refuse(quick, make_workshop, monkeypatch):
    workshop = make_workshop()
    workshop.offer_dont_know = False
    db.session.commit()
    phone = join(quick, workshop, "police")
    round_ = open_current(workshop)
    refused = vote(phone, workshop, round_.id, "dont-know")
    assert refused.status_code == 400 and "does not offer" in refused.get_json()["message"]


def test_the_csrf_token_is_checked_as_the_route_checks_it(quick, schema, tmp_path, make_workshop, monkeypatch):
    workshop = make_workshop()
    round_ = open_current(workshop)
    app = make_app(schema, UPLOAD_FOLDER=str(tmp_path), WTF_CSRF_ENABLED=True)
    with app.app_context():
        phone = app.test_client()
        page = phone.get(f"/join/{workshop.join_code}").get_data(as_text=True)
        import re

        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        assert phone.post(f"/join/{workshop.join_code}", data={"csrf_token": token}).status_code == 302
        url = f"/live/join/{workshop.join_code}/vote"
        calls = _route_not_used(monkeypatch)
        forged = phone.post(url, json={"round_id": round_.id, "stage": 2}, headers={"X-CSRFToken": token + "x"})
        assert forged.status_code == 400 and "nothing was saved" in forged.get_json()["message"]
        missing = phone.post(url, json={"round_id": round_.id, "stage": 2})
        assert missing.status_code == 400
        good = phone.post(url, json={"round_id": round_.id, "stage": 2}, headers={"X-CSRFToken": token})
        assert good.status_code == 200 and calls == []
        db.session.remove()


@pytest.fixture
def limited(quick, schema, tmp_path, make_workshop):
    """(an app with rate limits on, a workshop with its first round open, that round), the
    limiter's counters emptied before and after."""
    workshop = make_workshop()
    round_ = open_current(workshop)
    app = make_app(schema, UPLOAD_FOLDER=str(tmp_path), RATELIMIT_ENABLED=True)
    limiter.reset()
    yield app, workshop, round_
    limiter.reset()


def test_one_vote_limit_whichever_way_the_votes_go(limited):
    app, workshop, round_ = limited
    with app.app_context():
        phone = join(app, workshop, "police")
        url = f"/live/join/{workshop.join_code}/vote"
        # Half quick (JSON), half through the route (a form): one allowance of 60 between them.
        statuses = [
            (phone.post(url, json={"round_id": round_.id, "stage": 2}) if n % 2 else phone.post(url, data={"round_id": round_.id, "stage": "2"})).status_code
            for n in range(60)
        ]
        assert statuses == [200] * 60
        assert phone.post(url, json={"round_id": round_.id, "stage": 2}).status_code == 429
        assert phone.post(url, data={"round_id": round_.id, "stage": "2"}).status_code == 429
        db.session.remove()


def test_a_vote_handed_to_the_route_after_counting_is_counted_once(limited):
    app, workshop, round_ = limited
    with app.app_context():
        phone = join(app, workshop, "police")
    operations.close_round(workshop)
    db.session.commit()
    with app.app_context():
        # Each late vote is counted by the quick path, not written, and refused by the route.
        statuses = [vote(phone, workshop, round_.id, 2).status_code for _ in range(61)]
        assert statuses == [409] * 60 + [429]
        db.session.remove()


def test_sqlite_votes_always_go_through_the_route(app, make_workshop, monkeypatch):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("about SQLite")
    middleware = app.wsgi_app
    while not isinstance(middleware, QuickVotes):
        middleware = middleware.app
    workshop = make_workshop()
    phone = join(app, workshop, "police")
    round_ = open_current(workshop)
    assert vote(phone, workshop, round_.id, 2).status_code == 200
    assert middleware.enabled() is False


@pytest.mark.parametrize(
    "body",
    ["null", "[]", '"just a string"', '{"round_id": 99999999999999999999, "stage": 2}', '{"round_id": -1, "stage": 2}',
     '{"round_id": "x", "stage": "\\u0000"}', '{"stage": 5}', "{not json", "\udcff\udcfe"],
)
def test_hostile_bodies_get_the_route_s_400_and_write_nothing(quick, make_workshop, body):
    workshop = make_workshop()
    phone = join(quick, workshop, "police")
    round_ = open_current(workshop)
    answer = phone.post(
        f"/live/join/{workshop.join_code}/vote?panel=1",
        data=body.encode("utf-8", "surrogateescape"), headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 400 and answer.get_json()["message"]
    assert db.session.scalar(select(Vote.id).where(Vote.round_id == round_.id)) is None


# --- votes that come in together (batches.py) ------------------------------------------------


def _middleware(app) -> QuickVotes:
    found = app.wsgi_app
    while not isinstance(found, QuickVotes):
        found = found.app
    assert found.enabled()
    return found


def _token(client, workshop) -> str:
    with client.session_transaction() as session:
        return session[SESSION_KEY][workshop.join_code]


def _ready_to_vote(app, workshop, org_type: str = "police"):
    """A phone that has joined and shown the voting page (whose form puts a CSRF token in its session)."""
    phone = join(app, workshop, org_type)
    # The test holds one app context for all its requests, and Flask-WTF keeps a request's token
    # in `g`: without this the second phone's page would reuse the first one's token and leave
    # its own session without one.
    g.pop("csrf_token", None)
    assert 'name="csrf_token"' in phone.get(f"/join/{workshop.join_code}/vote").get_data(as_text=True)
    return phone


def test_votes_that_come_in_together_are_written_together(quick, make_workshop, make_assessment, monkeypatch):
    rooms = [make_workshop(), make_workshop(assessment=make_assessment(), title="Elsewhere")]
    rounds = {room.id: open_current(room).id for room in rooms}
    # (join code, round id, phone): read here, as the threads below have no app context.
    phones = [(room.join_code, rounds[room.id], _ready_to_vote(quick, room, org)) for room in rooms for org in ("police", "health")]
    middleware = _middleware(quick)
    sizes: list[int] = []
    release = threading.Event()
    run = middleware.batches._run

    def held(items):  # the first batch waits, so the other three votes come in meanwhile
        sizes.append(len(items))
        if len(sizes) == 1:
            assert release.wait(10)
        run(items)

    monkeypatch.setattr(middleware.batches, "_run", held)
    calls = _route_not_used(monkeypatch)
    answers: dict[int, object] = {}

    def send(n: int):
        code, round_id, phone = phones[n]
        answers[n] = phone.post(f"/live/join/{code}/vote?panel=1", json={"round_id": round_id, "stage": n + 1})

    threads = [threading.Thread(target=send, args=(0,), daemon=True)]
    threads[0].start()
    until(lambda: sizes, "the first vote never reached the quick path")
    threads += [threading.Thread(target=send, args=(n,), daemon=True) for n in (1, 2, 3)]
    for thread in threads[1:]:
        thread.start()
    until(lambda: len(middleware.batches._waiting) == 3, "the other votes never queued")
    release.set()
    for thread in threads:
        thread.join(10)
    assert sizes == [1, 3] and calls == []
    assert {n: (answers[n].status_code, answers[n].get_json()["my_vote"]["stage"]) for n in range(4)} == {n: (200, n + 1) for n in range(4)}
    assert all('aria-pressed="true"' in answers[n].get_json()["panel"] for n in range(4))
    db.session.expire_all()
    stored = sorted((v.round_id, v.stage) for v in db.session.scalars(select(Vote).where(Vote.round_id.in_(rounds.values()))))
    assert stored == sorted((round_id, n + 1) for n, (_code, round_id, _phone) in enumerate(phones))


def test_each_vote_of_a_batch_keeps_its_own_rules(quick, make_workshop, make_assessment):
    """One batch: a vote in order (written); "don't know" where it is not offered (not counted,
    the route's to refuse); a vote for another workshop's round and a second vote where changes
    are not allowed (counted, not written: the route says why); a stranger (not counted)."""
    open_room = make_workshop()
    no_dont_know = make_workshop(assessment=make_assessment(), title="No don't know", offer_dont_know=False)
    no_changes = make_workshop(assessment=make_assessment(), title="No changes", allow_changes=False)
    rounds = {room.id: open_current(room).id for room in (open_room, no_dont_know, no_changes)}
    phones = {
        "in order": (open_room, _ready_to_vote(quick, open_room)),
        "don't know": (no_dont_know, _ready_to_vote(quick, no_dont_know)),
        "wrong round": (open_room, _ready_to_vote(quick, open_room, "health")),
        "second vote": (no_changes, _ready_to_vote(quick, no_changes)),
        "first vote": (no_changes, _ready_to_vote(quick, no_changes, "health")),
    }
    second_room, second_phone = phones["second vote"]
    assert vote(second_phone, second_room, rounds[second_room.id], 1).status_code == 200
    wanted = {
        "in order": (rounds[open_room.id], 2),
        "don't know": (rounds[no_dont_know.id], None),
        "wrong round": (rounds[no_changes.id], 3),
        "second vote": (rounds[no_changes.id], 4),
        "first vote": (rounds[no_changes.id], 4),
    }
    items = {
        name: Item(Pending({}, room.join_code, _token(phone, room), *wanted[name]))
        for name, (room, phone) in phones.items()
    }
    items["stranger"] = Item(Pending({}, open_room.join_code, "not-a-token", rounds[open_room.id], 2))
    middleware = _middleware(quick)
    middleware._write_all(list(items.values()))
    written = {name for name, item in items.items() if item.result is not None}
    counted = {name for name, item in items.items() if item.value.environ.get(QUICK_VOTE_COUNTED)}
    assert written == {"in order", "first vote"}
    assert counted == {"in order", "wrong round", "second vote", "first vote"}
    assert items["in order"].result[:2] == (open_room.id, db.session.scalar(select(Vote.participant_id).where(Vote.round_id == rounds[open_room.id])))
    db.session.expire_all()
    assert sorted((v.round_id, v.stage) for v in db.session.scalars(select(Vote))) == sorted(
        [(rounds[open_room.id], 2), (rounds[no_changes.id], 1), (rounds[no_changes.id], 4)]
    )


@pytest.mark.skipif(not redis_answers(), reason="Redis does not answer on 127.0.0.1:6379")
def test_a_batch_counted_in_redis_in_one_trip_is_counted_in_the_route_s_bucket(quick, schema, tmp_path, make_workshop):
    workshop = make_workshop()
    round_ = open_current(workshop)
    prefix = f"test-{uuid.uuid4().hex}"
    settings = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/13", "RATELIMIT_KEY_PREFIX": prefix}
    app = make_app(schema, UPLOAD_FOLDER=str(tmp_path), **settings)
    try:
        with app.app_context():
            phone, other = _ready_to_vote(app, workshop), _ready_to_vote(app, workshop, "health")
            middleware = _middleware(app)
            assert middleware._count([_token(phone, workshop)] * 61) == [True] * 60 + [False]
            # The route (and the quick path, handing over) sees the allowance used up.
            assert vote(phone, workshop, round_.id, 2).status_code == 429
            assert phone.post(f"/live/join/{workshop.join_code}/vote", data={"round_id": round_.id, "stage": "2"}).status_code == 429
            # Redis lost the limiter's script (a restart, SCRIPT FLUSH): each vote is counted by
            # the limiter itself, which loads it again.
            store = redis.Redis.from_url(settings["RATELIMIT_STORAGE_URI"])
            store.script_flush()
            assert middleware._count([_token(other, workshop)] * 2) == [True, True]
            assert vote(other, workshop, round_.id, 3).status_code == 200
            db.session.remove()
    finally:
        store = redis.Redis.from_url(settings["RATELIMIT_STORAGE_URI"])
        keys = list(store.scan_iter(f"*{prefix}*"))
        if keys:
            store.delete(*keys)
        store.close()


def test_a_signed_cookie_or_token_checked_before_is_refused_once_too_old(quick, monkeypatch):
    """The path keeps what signed texts hold once checked (a phone sends the same cookie and
    CSRF token with every vote), but checks their age each time, and a text it has not seen in
    full; the script nonce in each answer's policy is still drawn afresh."""
    middleware = _middleware(quick)
    serializer = URLSafeTimedSerializer("a secret", salt="a salt")
    signed = serializer.dumps({"tokens": {"ABC": "t"}})
    assert middleware._unsigned(serializer, signed, 60) == {"tokens": {"ABC": "t"}}
    assert middleware._unsigned(serializer, signed[:-3] + "xyz", 60) is None
    assert middleware._unsigned(serializer, signed, 60) == {"tokens": {"ABC": "t"}}
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 61)
    assert middleware._unsigned(serializer, signed, 60) is None
    assert middleware._unsigned(serializer, signed, None) == {"tokens": {"ABC": "t"}}
    monkeypatch.undo()
    policies = {dict(middleware._headers(False))["Content-Security-Policy"] for _ in range(3)}
    assert len(policies) == 3


def test_the_answer_s_screen_is_encoded_once_for_all_the_votes_of_a_revision(quick, make_workshop, monkeypatch):
    workshop = make_workshop()
    round_ = open_current(workshop)
    phones = [_ready_to_vote(quick, workshop, org) for org in ("police", "health", "health")]
    encoded: list[int] = []
    real = live.json.dumps

    def counting(value, *args, **kwargs):
        if isinstance(value, str) and "app-participant__panel" in value:
            encoded.append(1)
        return real(value, *args, **kwargs)

    monkeypatch.setattr(live.json, "dumps", counting)
    live._PANELS.clear()
    answers = [phone.post(f"/live/join/{workshop.join_code}/vote?panel=1", json={"round_id": round_.id, "stage": 2}) for phone in phones]
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert len(encoded) == 1
    counts = [re.search(r'<span id="vote-count">(\d+)</span>', answer.get_json()["panel"]).group(1) for answer in answers]
    assert counts == ["1", "2", "3"]  # each answer with the room's count at its own vote
    tokens = {re.search(r'name="csrf_token" value="([^"]+)"', answer.get_json()["panel"]).group(1) for answer in answers}
    assert len(tokens) == 3 and "@@" not in "".join(answer.get_data(as_text=True) for answer in answers)
