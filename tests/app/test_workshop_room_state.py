"""Live voting at scale: phones share the room's state, follow a round and vote in one request
each, and votes are ordered against closing the round without queueing on the workshop's row."""

import re
import threading

import pytest
from flask import g
from sqlalchemy import func, select

from maturity.errors import OperationError
from maturity.extensions import db
from maturity.models import Participant, Vote, Workshop
from maturity.workshops import operations
from maturity.workshops import state as live_state
from tests.conftest import make_app
from tests.support.workshops import join, open_current, vote


def poll(phone, workshop, screen=None, etag=None):
    query = {} if screen is None else {"screen": screen}
    headers = {"If-None-Match": etag} if etag else {}
    return phone.get(f"/live/join/{workshop.join_code}/state", query_string=query, headers=headers)


def test_a_poll_naming_an_old_screen_brings_the_new_screen_with_it(app, make_workshop):
    workshop = make_workshop()
    phone = join(app, workshop)
    waiting = poll(phone, workshop, screen="").get_json()
    assert "panel" in waiting and "Wait for the facilitator" in waiting["panel"]
    assert "panel" not in poll(phone, workshop, screen=waiting["screen"]).get_json()

    round_ = open_current(workshop)
    opened = poll(phone, workshop, screen=waiting["screen"]).get_json()
    assert opened["screen"] != waiting["screen"]
    panel = opened["panel"]
    assert f'data-screen="{opened["screen"]}"' in panel
    assert f'name="round_id" value="{round_.id}"' in panel and 'name="csrf_token"' in panel
    assert round_.title in panel and "You have not voted on this round yet" in panel
    # The phone that already shows this screen gets the state alone.
    assert "panel" not in poll(phone, workshop, screen=opened["screen"]).get_json()
    # Without ?screen (an older script) the answer is the state alone, as before.
    assert "panel" not in poll(phone, workshop).get_json()


def test_a_revealed_result_comes_with_the_screen(app, make_workshop):
    workshop = make_workshop()
    phones = [join(app, workshop) for _ in range(3)]
    round_ = open_current(workshop)
    for phone, stage in zip(phones, [2, 3, 3], strict=True):
        assert vote(phone, workshop, round_.id, stage).status_code == 200
    operations.close_round(workshop)
    operations.reveal_round(workshop, True)
    db.session.commit()
    state = poll(phones[0], workshop, screen="").get_json()
    assert state["result"]["counts"] == {"1": 0, "2": 1, "3": 2, "4": 0}
    assert "The room’s result" in state["panel"] and "Maturing" in state["panel"]
    # The phone speaks as the projector does: the middle vote and agreement in words, explained.
    panel = state["panel"]
    assert "Median:" not in panel and "Middle vote" in panel
    assert state["result"]["agreement"] in ("Strong agreement", "Mixed views", "Split")
    assert state["result"]["agreement"] in panel and "What the middle vote and agreement mean" in panel
    assert "from 0.8" in panel and "from 0.5" in panel
    cells = 'class="govuk-table__header">{}</th><td class="govuk-table__cell govuk-table__cell--numeric">{}</td>'
    for name, count in (("Developing", 1), ("Maturing", 2), ("Mature", 0), ("Don’t know", 0)):
        assert cells.format(name, count) in panel, name


def test_a_vote_can_ask_for_its_screen_with_the_vote_marked(app, make_workshop):
    workshop = make_workshop()
    phone = join(app, workshop)
    round_ = open_current(workshop)
    code = workshop.join_code
    plain = vote(phone, workshop, round_.id, 2).get_json()
    assert "panel" not in plain and plain["my_vote"]["stage"] == 2

    answer = phone.post(f"/live/join/{code}/vote?panel=1", json={"round_id": round_.id, "stage": 3})
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["my_vote"] == {"stage": 3, "label": "Maturing"}
    assert body["screen"].endswith("|3")
    assert 'id="stage-3"' in body["panel"] and "Your vote: <strong>Maturing</strong>" in body["panel"]
    assert body["panel"].count('aria-pressed="true"') == 1
    # The phone's next poll agrees with the screen the vote's answer drew: nothing to redraw.
    assert "panel" not in poll(phone, workshop, screen=body["screen"]).get_json()

    dont_know = phone.post(f"/live/join/{code}/vote?panel=1", json={"round_id": round_.id, "stage": "dont-know"})
    body = dont_know.get_json()
    assert "Your vote: <strong>Don’t know</strong>" in body["panel"]
    assert "panel" not in poll(phone, workshop, screen=body["screen"]).get_json()


def test_a_refused_vote_asking_for_its_screen_gets_the_message_only(app, make_workshop):
    workshop = make_workshop()
    phone = join(app, workshop)
    round_ = open_current(workshop)
    operations.close_round(workshop)
    db.session.commit()
    answer = phone.post(
        f"/live/join/{workshop.join_code}/vote?panel=1", json={"round_id": round_.id, "stage": 3}
    )
    assert answer.status_code == 409
    assert "closed" in answer.get_json()["message"] and "panel" not in answer.get_json()


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_phones_share_the_room_state_and_see_a_facilitator_change_at_once(app, make_workshop):
    workshop = make_workshop()
    voter = join(app, workshop)
    round_ = open_current(workshop)
    clock = Clock()
    wid, code = workshop.id, workshop.join_code

    def room():
        revision = db.session.scalar(select(Workshop.revision).where(Workshop.id == wid))
        return live_state.room(db.session, wid, code, revision, max_age=1.0, clock=clock)

    first = room()
    assert first.state["count"] == {"total": 0}
    assert vote(voter, workshop, round_.id, 2).status_code == 200
    # Within max_age the room's state is shared as it was: the vote shows on phones later.
    assert room() is first
    clock.now += 1.5
    later = room()
    assert later.state["count"] == {"total": 1} and later.version != first.version
    # Once checked again and unchanged, the same state is kept (only its check time moves).
    clock.now += 1.5
    assert room().state is later.state
    # A facilitator's change moves the revision, which each poll reads: seen at once.
    operations.close_round(workshop)
    db.session.commit()
    closed = room()
    assert closed.state["round"]["state"] == "closed" and closed.revision > later.revision


def test_joining_changes_the_presenters_version_but_not_the_phones(app, make_workshop):
    workshop = make_workshop()
    phone = join(app, workshop)
    open_current(workshop)
    before = live_state.staff_version(db.session, workshop.id)
    first = poll(phone, workshop)
    join(app, workshop)
    assert live_state.staff_version(db.session, workshop.id) != before
    assert poll(phone, workshop, etag=first.headers["ETag"]).status_code == 304


def test_every_vote_write_moves_the_version_the_presenter_watches(app, make_workshop):
    workshop = make_workshop()
    phone = join(app, workshop)
    round_ = open_current(workshop)
    seen = {live_state.staff_version(db.session, workshop.id)}
    for stage in (1, 2, 2, "dont-know"):
        assert vote(phone, workshop, round_.id, stage).status_code == 200
        seen.add(live_state.staff_version(db.session, workshop.id))
    assert len(seen) == 5  # a resent vote is a write too: the stream sends the same counts again
    writes = db.session.scalar(select(func.sum(Vote.version)).where(Vote.round_id == round_.id))
    assert writes == 4


# --------------------------------------------------------------------------------------------
# Ordering against closing the round (PostgreSQL's row locks; SQLite has one writer at a time)
# --------------------------------------------------------------------------------------------


def _postgres_only():
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks: PostgreSQL only (SQLite writes one transaction at a time)")


def _open_round_with_one_participant(app, make_workshop) -> tuple[int, int, int]:
    """(workshop id, open round id, participant id), committed, on PostgreSQL only."""
    _postgres_only()
    workshop = make_workshop()
    join(app, workshop)
    round_ = open_current(workshop)
    pid = db.session.scalar(select(Participant.id).where(Participant.workshop_id == workshop.id))
    wid, rid = workshop.id, round_.id
    db.session.commit()
    return wid, rid, pid


def _in_thread(app, work, started: threading.Event, release: threading.Event, outcome: dict):
    """Run `work` in its own app context (own session), hold its transaction open until
    `release`, then commit; record what happened."""

    def run():
        with app.app_context():
            try:
                work()
                db.session.flush()
                started.set()
                release.wait(10)
                db.session.commit()
                outcome["result"] = "committed"
            except OperationError as error:
                db.session.rollback()
                outcome["result"] = error.message
            finally:
                started.set()
                outcome["done"] = True
                db.session.remove()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_closing_waits_for_a_vote_in_flight_and_the_vote_counts(app, make_workshop):
    wid, rid, pid = _open_round_with_one_participant(app, make_workshop)

    vote_started, vote_release, vote_outcome = threading.Event(), threading.Event(), {}
    voter = _in_thread(app, lambda: operations.cast_vote(wid, rid, pid, 3), vote_started, vote_release, vote_outcome)
    assert vote_started.wait(10)

    close_started, close_release, close_outcome = threading.Event(), threading.Event(), {}
    close_release.set()

    def close():
        operations.close_round(db.session.get(Workshop, wid))

    closer = _in_thread(app, close, close_started, close_release, close_outcome)
    closer.join(1.0)
    assert "done" not in close_outcome  # the close waits for the vote's SHARE lock
    vote_release.set()
    voter.join(10)
    closer.join(10)
    assert vote_outcome["result"] == "committed" and close_outcome["result"] == "committed"
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Vote).where(Vote.round_id == rid)) == 1


def test_a_vote_arriving_while_the_round_closes_waits_and_is_refused(app, make_workshop):
    wid, rid, pid = _open_round_with_one_participant(app, make_workshop)

    def close():
        operations.close_round(db.session.get(Workshop, wid))

    close_started, close_release, close_outcome = threading.Event(), threading.Event(), {}
    closer = _in_thread(app, close, close_started, close_release, close_outcome)
    assert close_started.wait(10)  # the round's row is updated, not yet committed

    vote_started, vote_release, vote_outcome = threading.Event(), threading.Event(), {}
    vote_release.set()
    voter = _in_thread(app, lambda: operations.cast_vote(wid, rid, pid, 2), vote_started, vote_release, vote_outcome)
    voter.join(1.0)
    assert "done" not in vote_outcome  # the vote waits for the close
    close_release.set()
    closer.join(10)
    voter.join(10)
    assert close_outcome["result"] == "committed"
    assert "closed" in vote_outcome["result"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Vote).where(Vote.round_id == rid)) == 0


def test_phones_on_the_same_screen_share_its_html_but_each_gets_its_own_csrf_token(app, make_workshop):
    workshop = make_workshop()
    phones = [join(app, workshop) for _ in range(2)]
    round_ = open_current(workshop)
    app.config["WTF_CSRF_ENABLED"] = True

    def fresh(request):
        # Each real request has its own app context; here the test's is shared, and Flask-WTF
        # keeps the signed token on `g` for the request: forget it between requests.
        g.pop("csrf_token", None)
        return request()

    panels = [fresh(lambda p=phone: poll(p, workshop, screen="")).get_json()["panel"] for phone in phones]
    tokens = [re.search(r'name="csrf_token" value="([^"]+)"', panel).group(1) for panel in panels]
    assert "@@" not in panels[0] and tokens[0] != tokens[1]
    assert panels[0].replace(tokens[0], "") == panels[1].replace(tokens[1], "")
    # Each token works for its own phone only.
    url = f"/live/join/{workshop.join_code}/vote?panel=1"
    swapped = fresh(lambda: phones[0].post(url, json={"round_id": round_.id, "stage": 2}, headers={"X-CSRFToken": tokens[1]}))
    assert swapped.status_code == 400
    for phone, token in zip(phones, tokens, strict=True):
        answer = fresh(lambda p=phone, t=token: p.post(url, json={"round_id": round_.id, "stage": 2}, headers={"X-CSRFToken": t}))
        assert answer.status_code == 200
        assert re.search(r'name="csrf_token" value="([^"]+)"', answer.get_json()["panel"])
    assert db.session.scalar(select(func.count()).select_from(Vote).where(Vote.round_id == round_.id)) == 2


def test_a_phones_poll_and_vote_run_without_an_enclosing_transaction_on_postgresql(app, schema, make_workshop, monkeypatch):
    _postgres_only()
    import psycopg

    workshop = make_workshop()
    round_ = open_current(workshop)
    # Read before the driver is watched: these would be the test's own queries (a refresh).
    round_id, code = round_.id, workshop.join_code
    # An app of its own, so each request has its own app context and session, as in production.
    own = make_app(schema)
    phone = own.test_client()
    assert phone.post(f"/join/{code}").status_code == 302
    modes = []
    # At the driver: the quick vote path runs its statements on the driver's cursor itself.
    execute = psycopg.Cursor.execute

    def note(cursor, query, *args, **kwargs):
        if str(query).strip().lower() != "select 1":  # the pool's check of a connection it hands out
            modes.append((cursor.connection.autocommit, str(query).split()[0]))
        return execute(cursor, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", note)
    state = phone.get(f"/live/join/{code}/state?screen=").get_json()
    polled = list(modes)
    answer = phone.post(f"/live/join/{code}/vote?panel=1", json={"round_id": round_id, "stage": 4})
    monkeypatch.undo()
    assert state["round"]["state"] == "open" and "panel" in state
    assert polled and all(autocommit for autocommit, _ in polled), polled
    # The vote: its lookup and its one INSERT, each committed as it runs. (Reading the room
    # for the screen comes after, and tests keep no room state between requests.)
    assert answer.status_code == 200 and answer.get_json()["my_vote"]["stage"] == 4
    voted = modes[len(polled):]
    kinds = [first for _, first in voted]
    assert "INSERT" in kinds, voted
    assert all(autocommit for autocommit, _ in voted[: kinds.index("INSERT") + 1]), voted
    assert db.session.scalar(select(func.count()).select_from(Vote).where(Vote.round_id == round_id)) == 1


def test_while_votes_come_in_the_room_is_recounted_not_built_again(app, make_workshop, monkeypatch):
    workshop = make_workshop()
    voters = [join(app, workshop) for _ in range(3)]
    round_ = open_current(workshop)
    room = live_state.room(db.session, workshop.id, workshop.join_code, workshop.revision, 0)
    assert room.state["count"] == {"total": 0}
    for voter, stage in zip(voters, [1, 2, "dont-know"], strict=True):
        assert vote(voter, workshop, round_.id, stage).status_code == 200

    built = []
    real = live_state._room_state
    monkeypatch.setattr(live_state, "_room_state", lambda *a: built.append(1) or real(*a))
    recounted = live_state.room(db.session, workshop.id, workshop.join_code, workshop.revision, 0)
    assert built == [] and recounted.state["count"] == {"total": 3}
    assert recounted.version != room.version and recounted.state["round"] == room.state["round"]
    assert recounted.state["result"] is None and "counts" not in str(recounted.state)

    # A facilitator's change (a new revision) builds it all again.
    operations.close_round(workshop)
    db.session.commit()
    closed = live_state.room(db.session, workshop.id, workshop.join_code, workshop.revision, 0)
    assert built == [1] and closed.state["round"]["state"] == "closed" and closed.state["count"] == {"total": 3}
