"""Joining and voting: exactly one vote per person and round, every bad input refused."""

import re
import threading

import pytest
from sqlalchemy import func, select

from maturity.extensions import db, limiter
from maturity.models import Participant, Vote, Workshop
from maturity.workshops import operations
from tests.conftest import make_app
from tests.support.workshops import join, open_current, vote


def votes_in(round_id):
    db.session.expire_all()
    return sorted(
        (row.participant_id, row.stage)
        for row in db.session.scalars(select(Vote).where(Vote.round_id == round_id))
    )


def revision(workshop):
    return db.session.scalar(select(Workshop.revision).where(Workshop.id == workshop.id))


# ---- Joining ---------------------------------------------------------------------------------


def test_join_with_a_typed_code_and_an_organisation_type_on_one_page(app, client, make_workshop):
    workshop = make_workshop()
    code = workshop.join_code
    form = client.get("/join").get_data(as_text=True)
    assert "Join code" in form and '<select class="govuk-select" id="org_type" name="org_type"' in form
    assert "Jobcentre Plus" in form and "I’d rather not say" in form
    typed = f"{code[:4].lower()}-{code[4:].lower()}"
    response = client.post("/join", data={"code": typed, "org_type": "schools"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/join/{code}/vote")
    assert db.session.scalar(select(Participant.org_type)) == "schools"
    again = client.post("/join", data={"code": code, "org_type": "police"})  # the same browser
    assert again.status_code == 302 and db.session.scalar(select(func.count()).select_from(Participant)) == 1
    bad = app.test_client().post("/join", data={"code": code, "org_type": "aliens"})
    assert bad.status_code == 400 and db.session.scalar(select(func.count()).select_from(Participant)) == 1
    db.session.delete(db.session.scalar(select(Participant)))
    db.session.commit()

    # The QR code's address asks only for the kind of organisation, as one select.
    client = app.test_client()
    page = client.get(f"/join/{code}").get_data(as_text=True)
    assert workshop.title in page and "Jobcentre Plus" in page and 'type="radio"' not in page
    joined = client.post(f"/join/{code}", data={"org_type": "health"})
    assert joined.status_code == 302 and joined.headers["Location"].endswith(f"/join/{code}/vote")
    participant = db.session.scalar(select(Participant))
    assert participant.org_type == "health" and participant.workshop_id == workshop.id
    assert "Wait for the facilitator" in client.get(f"/join/{code}/vote").get_data(as_text=True)


def test_rejoining_from_the_same_browser_keeps_the_participant(app, make_workshop):
    workshop = make_workshop()
    browser = join(app, workshop, "police")
    again = browser.get(f"/join/{workshop.join_code}")
    assert again.status_code == 302 and again.headers["Location"].endswith("/vote")
    assert browser.post(f"/join/{workshop.join_code}", data={"org_type": "schools"}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 1
    assert db.session.scalar(select(Participant.org_type)) == "police"


def test_unknown_malformed_and_ended_codes_are_refused_clearly(app, client, make_workshop):
    workshop = make_workshop()
    unknown = client.post("/join", data={"code": "ZZZZ-ZZZZ"})
    assert unknown.status_code == 404 and "There is no workshop with that code" in unknown.get_data(as_text=True)
    malformed = client.post("/join", data={"code": "hello"})
    assert malformed.status_code == 400 and "8 letters and numbers" in malformed.get_data(as_text=True)
    empty = client.post("/join", data={"code": ""})
    assert empty.status_code == 400 and "Enter the join code" in empty.get_data(as_text=True)
    assert client.get("/join/ZZZZZZZZ").status_code == 404
    assert client.get("/join/<script>").status_code == 404
    assert client.get("/live/join/ZZZZZZZZ/state").get_json()["status"] == 404

    operations.end_workshop(workshop)
    db.session.commit()
    for response in (client.get(f"/join/{workshop.join_code}"), client.post(f"/join/{workshop.join_code}"),
                     client.post("/join", data={"code": workshop.join_code})):
        assert response.status_code == 410
        assert "This workshop has ended" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 0


def test_a_bad_organisation_type_stores_nobody(client, make_workshop):
    workshop = make_workshop()
    response = client.post(f"/join/{workshop.join_code}", data={"org_type": "aliens"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 0


def test_organisation_type_is_not_kept_when_not_asked(app, make_workshop):
    workshop = make_workshop(ask_org_type=False)
    browser = app.test_client()
    assert "Which kind of organisation" not in browser.get(f"/join/{workshop.join_code}").get_data(as_text=True)
    browser.post(f"/join/{workshop.join_code}", data={"org_type": "police"})
    assert db.session.scalar(select(Participant.org_type)) is None


# ---- Voting ----------------------------------------------------------------------------------


def test_a_vote_is_stored_once_changed_in_place_and_resending_is_harmless(app, make_workshop):
    workshop = make_workshop()
    browser = join(app, workshop, "police")
    round_ = open_current(workshop)
    first = vote(browser, workshop, round_.id, 2)
    assert first.status_code == 200
    assert first.get_json()["message"] == "Vote received: Developing. You can change it until voting closes."
    assert vote(browser, workshop, round_.id, 3).status_code == 200
    assert vote(browser, workshop, round_.id, 3).status_code == 200
    participant = db.session.scalar(select(Participant))
    assert votes_in(round_.id) == [(participant.id, 3)]
    assert vote(browser, workshop, round_.id, "dont-know").get_json()["my_vote"] == {"stage": None, "label": "Don’t know"}
    assert votes_in(round_.id) == [(participant.id, None)]
    state = browser.get(f"/live/join/{workshop.join_code}/state").get_json()
    assert state["my_vote"]["stage"] is None and state["count"] == {"total": 1}


@pytest.mark.parametrize(
    ("payload", "status", "words"),
    [
        ({"stage": 5}, 400, "no such stage"),
        ({"stage": 0}, 400, "no such stage"),
        ({"stage": "mature"}, 400, "Choose one of the four stages"),
        ({"stage": True}, 400, "Choose one of the four stages"),
        ({"stage": 2.5}, 400, "Choose one of the four stages"),
        ({"stage": 2.0}, 400, "Choose one of the four stages"),
        ({"stage": "2.0"}, 400, "Choose one of the four stages"),
        ({"stage": " 2"}, 400, "Choose one of the four stages"),
        ({"stage": "dont_know"}, 400, "Choose one of the four stages"),
        ({"stage": [2]}, 400, "Choose one of the four stages"),
        ({"stage": "02"}, 400, "no such stage"),
        ({"stage": 2, "round_id": 2.5}, 400, "did not say which strand"),
        ({"stage": 2, "round_id": True}, 400, "did not say which strand"),
        ({"stage": None}, 400, "Choose one of the four stages"),
        ({}, 400, "Choose one of the four stages"),
        ({"stage": 2, "round_id": "first"}, 400, "did not say which strand"),
        ({"stage": 2, "round_id": 999999}, 404, "not part of this workshop"),
    ],
)
def test_bad_votes_are_refused_and_nothing_is_stored(app, make_workshop, payload, status, words):
    workshop = make_workshop()
    browser = join(app, workshop)
    round_ = open_current(workshop)
    before = revision(workshop)
    body = {"round_id": round_.id, **payload}
    if "stage" not in payload:
        body.pop("stage", None)
    response = browser.post(f"/live/join/{workshop.join_code}/vote", json=body)
    assert response.status_code == status
    assert words in response.get_json()["message"]
    assert votes_in(round_.id) == [] and revision(workshop) == before


def test_votes_for_rounds_that_are_not_open_are_refused_with_a_message(app, make_workshop):
    workshop = make_workshop()
    browser = join(app, workshop)
    first, second = workshop.rounds[0], workshop.rounds[1]
    pending = vote(browser, workshop, first.id, 2)
    assert pending.status_code == 409 and "not opened yet" in pending.get_json()["message"]
    open_current(workshop)
    assert vote(browser, workshop, first.id, 2).status_code == 200
    operations.move(workshop, +1)  # closes the first round
    db.session.commit()
    late = vote(browser, workshop, first.id, 4)
    assert late.status_code == 409
    assert late.get_json()["message"] == "Voting on this strand has closed, so your vote was not counted."
    assert vote(browser, workshop, second.id, 3).status_code == 409  # on screen but not opened
    assert [stage for _, stage in votes_in(first.id)] == [2]
    operations.end_workshop(workshop)
    db.session.commit()
    assert "ended" in vote(browser, workshop, first.id, 2).get_json()["message"]


def test_missing_or_forged_participant_cookies(app, make_workshop):
    workshop = make_workshop()
    other = make_workshop(assessment=workshop.assessment, title="Another")
    round_ = open_current(workshop)

    stranger = app.test_client()
    missing = vote(stranger, workshop, round_.id, 2)
    assert missing.status_code == 401 and "has not joined" in missing.get_json()["message"]
    assert stranger.get(f"/live/join/{workshop.join_code}/state").status_code == 401

    forger = app.test_client()
    with forger.session_transaction() as session:
        session["workshop_tokens"] = {workshop.join_code: "made-up-token"}
    forged = vote(forger, workshop, round_.id, 2)
    assert forged.status_code == 403 and "not valid" in forged.get_json()["message"]
    assert forger.get(f"/live/join/{workshop.join_code}/state").status_code == 403

    # A real token, but of another workshop's participant.
    elsewhere = join(app, other)
    with elsewhere.session_transaction() as session:
        token = session["workshop_tokens"][other.join_code]
    borrower = app.test_client()
    with borrower.session_transaction() as session:
        session["workshop_tokens"] = {workshop.join_code: token}
    assert vote(borrower, workshop, round_.id, 2).status_code == 403

    # A cookie signed with another key is ignored: the browser has not joined.
    tampered = app.test_client()
    tampered.set_cookie("session", "eyJ3b3Jrc2hvcF90b2tlbnMiOnt9fQ.bad.signature")
    assert vote(tampered, workshop, round_.id, 2).status_code == 401
    assert votes_in(round_.id) == []


def test_first_vote_stands_when_changes_are_not_allowed(app, make_workshop):
    workshop = make_workshop(allow_changes=False, offer_dont_know=False)
    browser = join(app, workshop)
    round_ = open_current(workshop)
    assert vote(browser, workshop, round_.id, 2).get_json()["message"] == "Vote received: Developing."
    assert vote(browser, workshop, round_.id, 2).status_code == 200  # resent: harmless
    changed = vote(browser, workshop, round_.id, 4)
    assert changed.status_code == 409 and "first vote" in changed.get_json()["message"]
    no_dont_know = vote(browser, workshop, round_.id, "dont-know")
    assert no_dont_know.status_code == 400
    assert [stage for _, stage in votes_in(round_.id)] == [2]


def test_the_form_works_without_javascript(app, make_workshop):
    workshop = make_workshop()
    browser = join(app, workshop, "schools")
    round_ = open_current(workshop)
    page = browser.get(f"/join/{workshop.join_code}/vote").get_data(as_text=True)
    assert 'name="stage" value="3"' in page and 'name="stage" value="dont-know"' in page
    assert 'aria-live="polite"' in page
    done = browser.post(f"/join/{workshop.join_code}/vote", data={"round_id": round_.id, "stage": "3"})
    assert done.status_code == 302
    page = browser.get(done.headers["Location"]).get_data(as_text=True)
    assert "Vote received: Maturing" in page and 'aria-pressed="true"' in page
    bad = browser.post(f"/join/{workshop.join_code}/vote", data={"round_id": round_.id, "stage": "7"})
    assert bad.status_code == 400 and "no such stage" in bad.get_data(as_text=True)
    assert [stage for _, stage in votes_in(round_.id)] == [3]
    stranger = app.test_client().post(f"/join/{workshop.join_code}/vote", data={"round_id": round_.id, "stage": "3"})
    assert stranger.status_code == 401


def test_votes_need_a_csrf_token(app, make_workshop):
    workshop = make_workshop()
    browser = join(app, workshop)
    round_ = open_current(workshop)
    app.config["WTF_CSRF_ENABLED"] = True
    refused = vote(browser, workshop, round_.id, 2)
    assert refused.status_code == 400
    assert "nothing was saved" in refused.get_json()["message"]
    page = browser.get(f"/join/{workshop.join_code}/vote").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    accepted = browser.post(
        f"/live/join/{workshop.join_code}/vote",
        json={"round_id": round_.id, "stage": 2},
        headers={"X-CSRFToken": token},
    )
    assert accepted.status_code == 200
    assert len(votes_in(round_.id)) == 1


def test_two_people_changing_votes_at_once_keep_the_tally_exact(app, make_workshop):
    workshop = make_workshop()
    browsers = [join(app, workshop, "police"), join(app, workshop, "health")]
    round_ = open_current(workshop)
    sequences = [[1, 2, 3, 4] * 6 + [2], [4, 3, 2, 1, None] * 5 + [3]]
    code, round_id = workshop.join_code, round_.id
    errors = []

    def run(browser, stages):
        try:
            for stage in stages:
                response = vote(browser, code, round_id, "dont-know" if stage is None else stage)
                if response.status_code != 200:
                    errors.append(response.get_json())
        except Exception as error:  # a failure in a thread must fail the test
            errors.append(repr(error))

    before = revision(workshop)
    threads = [threading.Thread(target=run, args=pair) for pair in zip(browsers, sequences, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(stage for _, stage in votes_in(round_.id)) == [2, 3]
    db.session.expire_all()
    # Every accepted write added one to its row's version, none lost between the two; the
    # workshop's row was not touched, so votes never queue for it.
    writes = db.session.scalar(select(func.sum(Vote.version)).where(Vote.round_id == round_id))
    assert writes == sum(len(s) for s in sequences)
    assert revision(workshop) == before


def test_a_room_voting_at_once_is_counted_exactly(app, make_workshop):
    workshop = make_workshop()
    browsers = [join(app, workshop) for _ in range(12)]
    round_ = open_current(workshop)
    wanted = [1 + n % 4 for n in range(12)]
    code, round_id = workshop.join_code, round_.id
    barrier = threading.Barrier(len(browsers))
    codes = []

    def run(browser, stage):
        barrier.wait()
        try:
            codes.append(vote(browser, code, round_id, stage).status_code)
        except Exception as error:
            codes.append(repr(error))

    threads = [threading.Thread(target=run, args=pair) for pair in zip(browsers, wanted, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [200] * 12
    assert sorted(stage for _, stage in votes_in(round_.id)) == sorted(wanted)


def test_a_vote_racing_the_close_either_counts_or_is_refused(app, make_workshop):
    workshop = make_workshop()
    browsers = [join(app, workshop) for _ in range(8)]
    round_ = open_current(workshop)
    results = {}
    code, round_id, workshop_id = workshop.join_code, round_.id, workshop.id
    barrier = threading.Barrier(len(browsers) + 1)

    def run(index, browser):
        barrier.wait()
        try:
            results[index] = vote(browser, code, round_id, 2).status_code
        except Exception as error:
            results[index] = repr(error)

    def close():
        barrier.wait()
        with app.app_context():
            fresh = db.session.get(Workshop, workshop_id)
            operations.close_round(fresh)
            db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=run, args=(i, b)) for i, b in enumerate(browsers)]
    threads.append(threading.Thread(target=close))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(results.values()) <= {200, 409}
    assert len(votes_in(round_.id)) == list(results.values()).count(200)


def test_a_restarted_server_has_every_vote_and_resumes_where_it_was(app, schema, tmp_path, make_workshop):
    workshop = make_workshop()
    browser = join(app, workshop, "police")
    round_ = open_current(workshop)
    assert vote(browser, workshop, round_.id, 3).status_code == 200

    restarted = make_app(schema, UPLOAD_FOLDER=str(tmp_path))
    with restarted.app_context():
        survivor = restarted.test_client()
        survivor.set_cookie("session", browser.get_cookie("session").value)
        state = survivor.get(f"/live/join/{workshop.join_code}/state").get_json()
        assert state["round"]["id"] == round_.id and state["round"]["state"] == "open"
        assert state["my_vote"]["stage"] == 3 and state["count"]["total"] == 1
        assert survivor.post(
            f"/live/join/{workshop.join_code}/vote", json={"round_id": round_.id, "stage": 4}
        ).status_code == 200
        db.session.remove()
    assert [stage for _, stage in votes_in(round_.id)] == [4]


def test_join_and_vote_rate_limits(schema, tmp_path, app, make_workshop):
    workshop = make_workshop()
    limited = make_app(schema, UPLOAD_FOLDER=str(tmp_path), RATELIMIT_ENABLED=True)
    limiter.reset()
    try:
        with limited.app_context():
            # Guessing codes is limited per address; only failed look-ups count.
            guesser = limited.test_client()
            answers = [guesser.post("/join", data={"code": f"ZZZZ-ZZZ{n % 8 + 2}"}) for n in range(21)]
            assert [a.status_code for a in answers] == [404] * 20 + [429]
            # A refusal says when to try again: when the limit's minute ends (the store rounds up).
            assert 1 <= int(answers[20].headers["Retry-After"]) <= 61
            assert "Too many attempts" in guesser.post("/join", data={"code": "ZZZZZZZZ"}).get_data(as_text=True)
            first, second = limited.test_client(), limited.test_client()
            for browser in (first, second):
                assert browser.post(f"/join/{workshop.join_code}").status_code == 302
            operations.open_round(db.session.get(Workshop, workshop.id))
            db.session.commit()
            round_id = workshop.rounds[0].id
            # Votes are limited per participant, far above what a person does by hand...
            answers = [vote(first, workshop, round_id, 1 + n % 4) for n in range(61)]
            assert [a.status_code for a in answers] == [200] * 60 + [429]
            assert 1 <= int(answers[60].headers["Retry-After"]) <= 61  # the store rounds its window up
            # A vote let through carries no limit headers: they would cost a second counter read.
            assert not [name for name, _value in answers[0].headers if name.lower().startswith(("x-ratelimit", "retry-after"))]
            # ...so another phone behind the same address still votes: a room shares one address.
            assert vote(second, workshop, round_id, 2).status_code == 200
            db.session.remove()
    finally:
        limiter.reset()


def test_posting_to_a_code_counts_toward_the_join_limit_as_looking_it_up_does(schema, tmp_path, app, make_workshop):
    """Every route that answers differently for a real code and a made-up one, POSTs included,
    counts a browser's misses toward the join form's limit; phones that joined never count."""
    workshop = make_workshop()
    limited = make_app(schema, UPLOAD_FOLDER=str(tmp_path), RATELIMIT_ENABLED=True)
    limiter.reset()
    try:
        with limited.app_context():
            room = limited.test_client()
            assert room.post(f"/join/{workshop.join_code}").status_code == 302
            prober = limited.test_client()
            misses = [
                prober.post(f"/live/join/ZZZZ-ZZZ{n % 7 + 2}/vote", json={"round_id": 1, "stage": 2}).status_code
                for n in range(7)
            ] + [prober.post(f"/join/ZZZZ-ZZY{n % 7 + 2}/vote", data={"stage": "2"}).status_code for n in range(7)]
            misses += [prober.post(f"/join/ZZZZ-ZZX{n % 6 + 2}").status_code for n in range(6)]
            assert misses == [404] * 20
            # Over the limit, a real code answers as a made-up one does, whatever the route.
            real = workshop.join_code
            assert prober.post(f"/live/join/{real}/vote", json={"round_id": 1, "stage": 2}).status_code == 429
            assert prober.post(f"/join/{real}/vote", data={"stage": "2"}).status_code == 429
            assert prober.post(f"/join/{real}").status_code == 429
            # The phones in the room, behind the same address, carry on.
            assert room.get(f"/live/join/{real}/state").status_code == 200
            assert limited.test_client().post(f"/join/{real}").status_code == 302
            db.session.remove()
    finally:
        limiter.reset()
