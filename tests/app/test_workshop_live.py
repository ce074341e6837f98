"""Live state: ETags, the hidden-results rule, the facilitator's controls and the event stream."""

import json
import time

import pytest
from sqlalchemy import select

from maturity.extensions import db
from maturity.models import ElementRating, ManualTally, StrandRating
from maturity.workshops import operations
from tests.conftest import PASSWORD, make_app
from tests.support.workshops import join, open_current, vote

DISTRIBUTION_KEYS = {"counts", "shares", "median", "mean", "modes", "consensus", "abstentions", "manual"}


def keys_anywhere(data):
    """Every dict key in a JSON document, however deep."""
    found = set()
    if isinstance(data, dict):
        for key, value in data.items():
            found.add(key)
            found |= keys_anywhere(value)
    elif isinstance(data, list):
        for item in data:
            found |= keys_anywhere(item)
    return found


def setup_room(app, client, login, coordinator, make_assessment, make_workshop, **settings):  # noqa: F811
    assessment = make_assessment(area=coordinator.memberships[0].area)
    workshop = make_workshop(assessment=assessment, **settings)
    login(coordinator)
    return workshop


def sse_events(chunks):
    return [json.loads(line[len("data: "):]) for chunk in chunks for line in chunk.splitlines() if line.startswith("data: ")]


def test_participant_state_uses_the_version_as_etag(app, client, login, coordinator, make_assessment, make_workshop):  # noqa: F811
    workshop = setup_room(app, client, login, coordinator, make_assessment, make_workshop)
    phone, other = join(app, workshop), join(app, workshop)
    url = f"/live/join/{workshop.join_code}/state"
    first = phone.get(url)
    assert first.status_code == 200 and first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache, private"
    again = phone.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    round_ = open_current(workshop)
    assert vote(other, workshop, round_.id, 2).status_code == 200
    changed = phone.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
    state = changed.get_json()
    assert state["round"]["state"] == "open" and state["count"] == {"total": 1}
    assert [s["name"] for s in state["round"]["stages"]] == ["Early", "Developing", "Maturing", "Mature"]
    assert state["my_vote"] is None


def test_nothing_about_the_distribution_leaves_the_server_while_hidden(app, client, login, coordinator, make_assessment, make_workshop):  # noqa: F811
    workshop = setup_room(app, client, login, coordinator, make_assessment, make_workshop)
    phones = [join(app, workshop, "police") for _ in range(4)]
    round_ = open_current(workshop)
    for phone, stage in zip(phones, [4, 4, 4, 1], strict=True):
        assert vote(phone, workshop, round_.id, stage).status_code == 200
    operations.add_manual_tally(workshop, round_.id, 3, 2)
    operations.close_round(workshop)
    db.session.commit()

    participant = phones[0].get(f"/live/join/{workshop.join_code}/state").get_json()
    presenter = client.get(f"/live/workshops/{workshop.id}/state?view=presenter").get_json()
    facilitator = client.get(f"/live/workshops/{workshop.id}/state?view=facilitator").get_json()
    for state in (participant, presenter):
        assert state["result"] is None
        assert not (keys_anywhere(state) & DISTRIBUTION_KEYS), keys_anywhere(state) & DISTRIBUTION_KEYS
    assert participant["count"] == {"total": 6}
    assert presenter["count"] == {"total": 6}
    assert facilitator["count"] == {"total": 6, "manual": 2}
    # Voting has closed, so the facilitator alone gets a private preview of what revealing shows.
    assert facilitator["result"] is None
    assert facilitator["preview"]["counts"] == {"1": 1, "2": 0, "3": 2, "4": 3}
    assert facilitator["org_types_voted"] == [{"org_type": "police", "label": "Police", "count": 4}]

    page = client.get(f"/workshops/{workshop.id}/present").get_data(as_text=True)
    assert 'id="p-result" aria-labelledby="p-result-heading" hidden' in page
    assert "data-counts=\"[0, 0, 0, 0]\"" in page
    phone_page = phones[0].get(f"/join/{workshop.join_code}/vote").get_data(as_text=True)
    assert "The room’s result" not in phone_page

    # Revealed: the presenter, and phones (this workshop shows results on phones), get it all.
    operations.reveal_round(workshop, True)
    db.session.commit()
    presenter = client.get(f"/live/workshops/{workshop.id}/state?view=presenter").get_json()
    assert presenter["result"]["counts"] == {"1": 1, "2": 0, "3": 2, "4": 3}
    assert presenter["result"]["median"]["label"] == "Maturing–Mature"
    assert presenter["result"]["manual"]["total"] == 2
    participant = phones[0].get(f"/live/join/{workshop.join_code}/state").get_json()
    assert participant["result"]["counts"]["4"] == 3


def test_phones_never_see_results_when_the_workshop_keeps_them_to_the_projector(app, client, login, coordinator, make_assessment, make_workshop):  # noqa: F811
    workshop = setup_room(app, client, login, coordinator, make_assessment, make_workshop, results_visible=False)
    phones = [join(app, workshop) for _ in range(3)]
    round_ = open_current(workshop)
    for phone in phones:
        vote(phone, workshop, round_.id, 3)
    operations.reveal_round(workshop, True)
    db.session.commit()
    state = phones[0].get(f"/live/join/{workshop.join_code}/state").get_json()
    assert state["result"] is None and "counts" not in keys_anywhere(state)
    assert client.get(f"/live/workshops/{workshop.id}/state?view=presenter").get_json()["result"]["n"] == 3


def test_revealed_result_carries_the_desktop_self_rating(app, client, login, coordinator, make_assessment, make_workshop):  # noqa: F811
    workshop = setup_room(app, client, login, coordinator, make_assessment, make_workshop)
    assessment = workshop.assessment
    strand_round = workshop.rounds[0]
    element_round = next(r for r in workshop.rounds if r.element is not None)
    row = db.session.scalar(select(StrandRating).where(StrandRating.assessment_id == assessment.id, StrandRating.strand_id == strand_round.strand_id))
    row.self_rating = "developing-maturing"
    db.session.add(ElementRating(assessment_id=assessment.id, element_id=element_round.element_id, self_rating="early"))
    db.session.commit()
    for round_ in (strand_round, element_round):  # three "don't know" each: a result with no median
        operations.open_round(workshop, round_.id)
        db.session.commit()
        for _ in range(3):
            assert vote(join(app, workshop), workshop, round_.id, "dont-know").status_code == 200
    operations.reveal_round(workshop, True, strand_round.id)
    operations.go_to(workshop, element_round.id)
    operations.reveal_round(workshop, True, element_round.id)
    db.session.commit()
    state = client.get(f"/live/workshops/{workshop.id}/state?view=presenter").get_json()
    assert state["round"]["element"] == element_round.element.name
    assert state["result"]["self_rating"]["label"] == "Early" and state["result"]["median"] is None
    operations.go_to(workshop, strand_round.id)
    db.session.commit()
    state = client.get(f"/live/workshops/{workshop.id}/state?view=presenter").get_json()
    assert state["result"]["self_rating"] == {"code": "developing-maturing", "label": "Developing–Maturing", "short": "D–M"}


def test_staff_state_needs_view_and_the_console_needs_manage(app, client, login, coordinator, make_assessment, make_workshop, make_user):  # noqa: F811
    workshop = setup_room(app, client, login, coordinator, make_assessment, make_workshop)
    url = f"/live/workshops/{workshop.id}/state"
    assert client.get(url + "?view=sideways").status_code == 400
    etag = client.get(url + "?view=facilitator").headers["ETag"]
    assert client.get(url + "?view=facilitator", headers={"If-None-Match": etag}).status_code == 304
    client.post("/sign-out")
    anonymous = client.get(url)
    assert anonymous.status_code == 401 and anonymous.is_json
    login(make_user("contributor", workshop.assessment.area))
    assert client.get(url + "?view=presenter").status_code == 200
    assert client.get(url + "?view=facilitator").status_code == 403
    assert client.get(f"/live/workshops/{workshop.id}/events?view=facilitator").status_code == 403


def test_facilitator_controls_move_through_the_workshop(app, client, login, coordinator, make_assessment, make_workshop):  # noqa: F811
    workshop = setup_room(app, client, login, coordinator, make_assessment, make_workshop)
    wid = workshop.id
    as_json = {"Accept": "application/json"}
    page = client.get(f"/workshops/{wid}/facilitate").get_data(as_text=True)
    assert 'data-shortcut="o"' in page and "Keyboard shortcuts" in page and workshop.display_code in page

    started = client.post(f"/workshops/{wid}/start", headers=as_json)
    assert started.status_code == 200 and started.get_json()["state"]["workshop"]["status"] == "live"
    opened = client.post(f"/workshops/{wid}/open", headers=as_json).get_json()
    assert opened["message"] == "Voting is open." and opened["state"]["round"]["state"] == "open"
    first_id = opened["state"]["round"]["id"]

    stale = client.post(f"/workshops/{wid}/close", data={"round_id": "999"}, headers=as_json)
    assert stale.status_code == 409 and "moved to another round" in stale.get_json()["message"]

    earlier = client.post(f"/workshops/{wid}/previous", headers=as_json)
    assert earlier.status_code == 409 and "first round" in earlier.get_json()["message"]
    moved = client.post(f"/workshops/{wid}/next", headers=as_json).get_json()["state"]
    assert moved["round"]["position"] == 2
    assert moved["rounds"][0]["state"] == "closed"  # leaving a round closes its voting
    assert client.post(f"/workshops/{wid}/reveal", headers=as_json).get_json()["state"]["round"]["revealed"] is True
    assert client.post(f"/workshops/{wid}/hide", headers=as_json).get_json()["state"]["round"]["revealed"] is False
    back = client.post(f"/workshops/{wid}/rounds/{first_id}/show", headers=as_json).get_json()["state"]
    assert back["round"]["id"] == first_id and back["round"]["state"] == "closed"
    reopened = client.post(f"/workshops/{wid}/open", data={"round_id": str(first_id)}, headers=as_json).get_json()
    assert reopened["state"]["round"]["state"] == "open"

    # Without JavaScript the buttons post and come back to the console.
    closed = client.post(f"/workshops/{wid}/close")
    assert closed.status_code == 302 and closed.headers["Location"].endswith(f"/workshops/{wid}/facilitate")
    assert "Voting is closed." in client.get(closed.headers["Location"]).get_data(as_text=True)

    ended = client.post(f"/workshops/{wid}/end", headers=as_json).get_json()["state"]
    assert ended["workshop"]["status"] == "closed"
    assert all(r["state"] != "open" for r in ended["rounds"])
    again = client.post(f"/workshops/{wid}/open", headers=as_json)
    assert again.status_code == 409 and "ended" in again.get_json()["message"]
    fragment = client.get(f"/workshops/{wid}/facilitate?fragment=status").get_data(as_text=True)
    assert fragment.lstrip().startswith("<div class=\"app-console-status\"") and "has ended" in fragment


def test_hand_counts_are_added_marked_and_removable(app, client, login, coordinator, make_assessment, make_workshop):  # noqa: F811
    workshop = setup_room(app, client, login, coordinator, make_assessment, make_workshop)
    round_ = open_current(workshop)
    phone = join(app, workshop)
    vote(phone, workshop, round_.id, 2)
    added = client.post(
        f"/workshops/{workshop.id}/hand-counts",
        data={"round_id": round_.id, "stage": "3", "count": "4", "note": "Paper cards"},
    )
    assert added.status_code == 302
    state = client.get(f"/live/workshops/{workshop.id}/state?view=facilitator").get_json()
    assert state["count"] == {"total": 5, "manual": 4}
    assert state["manual_tallies"][0]["count"] == 4 and state["manual_tallies"][0]["stage_label"] == "Maturing"

    for data, words in [
        ({"round_id": round_.id, "stage": "3", "count": "lots"}, "whole number"),
        ({"round_id": round_.id, "stage": "3", "count": "0"}, "from 1 to 10,000"),
        ({"round_id": round_.id, "stage": "", "count": "2"}, "Choose the stage"),
        ({"round_id": "424242", "stage": "3", "count": "2"}, "Not a valid choice"),
    ]:
        refused = client.post(f"/workshops/{workshop.id}/hand-counts", data=data)
        assert refused.status_code == 400, data
        assert words in refused.get_data(as_text=True) and "govuk-error-summary" in refused.get_data(as_text=True)
    as_json = client.post(f"/workshops/{workshop.id}/hand-counts", data={"round_id": round_.id, "stage": "9", "count": "1"}, headers={"Accept": "application/json"})
    assert as_json.status_code == 400 and as_json.is_json
    assert db.session.scalar(select(ManualTally.count)) == 4

    tally_id = state["manual_tallies"][0]["id"]
    assert client.post(f"/workshops/{workshop.id}/hand-counts/{tally_id}/remove").status_code == 302
    assert client.get(f"/live/workshops/{workshop.id}/state?view=facilitator").get_json()["count"] == {"total": 1, "manual": 0}


def streaming_client(schema, tmp_path, user, **config):
    """A client of a second app instance: no app context shared with the test, as in production."""
    server = make_app(
        schema,
        UPLOAD_FOLDER=str(tmp_path),
        WORKSHOP_SSE_POLL_SECONDS=0.02,
        WORKSHOP_SSE_MIN_GAP_SECONDS=0.02,
        **{"WORKSHOP_SSE_HEARTBEAT_SECONDS": 0.5, "WORKSHOP_SSE_MAX_SECONDS": 3, **config},
    )
    client = server.test_client()
    assert client.post("/sign-in", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return server, client


def test_the_event_stream_pushes_a_state_after_a_vote_and_holds_no_connection(app, schema, tmp_path, make_assessment, coordinator, make_workshop):  # noqa: F811
    workshop = make_workshop(assessment=make_assessment(area=coordinator.memberships[0].area))
    phone = join(app, workshop)
    round_ = open_current(workshop)
    code, round_id, wid = workshop.join_code, round_.id, workshop.id
    server, client = streaming_client(schema, tmp_path, coordinator)

    response = client.get(f"/live/workshops/{wid}/events?view=presenter", buffered=False)
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["X-Accel-Buffering"] == "no"
    chunks = (chunk.decode() for chunk in response.response)
    assert next(chunks).startswith("retry:")
    first = sse_events([next(chunks)])[0]
    assert first["count"]["total"] == 0 and first["round"]["id"] == round_id
    # Between polls the stream borrows no connection, so it never blocks a writer or the pool.
    with server.app_context():
        assert db.engine.pool.checkedout() == 0

    assert vote(phone, code, round_id, 3).status_code == 200
    later = []
    for chunk in chunks:
        later.append(chunk)
        if "data: " in chunk:
            break
    pushed = sse_events(later)[0]
    assert pushed["version"] != first["version"] and pushed["count"]["total"] == 1
    assert pushed["revision"] == first["revision"]  # a vote does not touch the workshop's row
    assert pushed["result"] is None  # hidden: the count only
    rest = list(chunks)  # the stream ends by itself after its lifetime
    assert rest[-1].startswith(":")
    response.close()
    with server.app_context():
        assert db.engine.pool.checkedout() == 0
        db.engine.dispose()


def test_a_browser_reconnecting_with_last_event_id_gets_only_news(app, client, login, coordinator, make_assessment, make_workshop):  # noqa: F811
    app.config.update(WORKSHOP_SSE_POLL_SECONDS=0.02, WORKSHOP_SSE_MAX_SECONDS=1.0, WORKSHOP_SSE_HEARTBEAT_SECONDS=0.05)
    workshop = setup_room(app, client, login, coordinator, make_assessment, make_workshop)
    version = client.get(f"/live/workshops/{workshop.id}/state?view=facilitator").get_json()["version"]
    response = client.get(f"/live/workshops/{workshop.id}/events?view=facilitator", headers={"Last-Event-ID": version})
    body = response.get_data(as_text=True)
    assert "data: " not in body and ": heartbeat" in body


def test_a_peer_reviewers_stream_ends_when_the_review_closes(app, schema, tmp_path, make_area, make_assessment, make_user, coordinator, make_workshop):  # noqa: F811
    from maturity.reviews import operations as reviews

    workshop = make_workshop(assessment=make_assessment(area=coordinator.memberships[0].area))
    reviewer = make_user("reviewer", make_area("Championshire"))
    review = reviews.request_review(workshop.assessment, reviewer.memberships[0].area, [reviewer], coordinator)
    db.session.commit()
    # A heartbeat every 0.5 s and a lifetime of 10 s: an open stream would run on for seconds.
    server, client = streaming_client(schema, tmp_path, reviewer, WORKSHOP_SSE_MAX_SECONDS=10)
    response = client.get(f"/live/workshops/{workshop.id}/events?view=presenter", buffered=False)
    assert response.status_code == 200
    chunks = (chunk.decode() for chunk in response.response)
    assert next(chunks).startswith("retry:")
    assert sse_events([next(chunks)])[0]["workshop"]["id"] == workshop.id

    reviews.close(review, coordinator)
    db.session.commit()
    started = time.monotonic()
    rest = list(chunks)
    assert time.monotonic() - started < 3  # within a heartbeat or so, not at the end of its life
    assert rest[-1].startswith("event: gone") and "can no longer follow this workshop" in rest[-1]
    response.close()
    assert client.get(f"/live/workshops/{workshop.id}/events?view=presenter").status_code == 404
    with server.app_context():
        db.engine.dispose()


def test_a_refused_console_button_keeps_nothing_it_wrote(app, client, login, coordinator, make_assessment, make_workshop):  # noqa: F811
    from maturity.models import Workshop

    workshop = setup_room(app, client, login, coordinator, make_assessment, make_workshop)
    revision = db.session.scalar(select(Workshop.revision).where(Workshop.id == workshop.id))
    # Each change bumps the revision first; a refusal must not leave that bump behind, whether
    # answered with a redirect (which would be committed after the view) or with JSON.
    page = client.post(f"/workshops/{workshop.id}/previous", follow_redirects=True)
    assert "This is already the first round." in page.get_data(as_text=True)
    as_json = client.post(f"/workshops/{workshop.id}/previous", headers={"Accept": "application/json"})
    assert as_json.status_code == 409 and as_json.get_json()["message"] == "This is already the first round."
    db.session.expire_all()
    assert db.session.scalar(select(Workshop.revision).where(Workshop.id == workshop.id)) == revision
    assert client.post(f"/workshops/{workshop.id}/next").status_code == 302  # a change that works is kept
    db.session.expire_all()
    assert db.session.scalar(select(Workshop.revision).where(Workshop.id == workshop.id)) == revision + 1


def test_the_projector_recounted_while_votes_come_in_is_the_state_built_in_full(app, client, login, coordinator, make_assessment, make_workshop):  # noqa: F811
    from maturity.workshops import sse
    from maturity.workshops.state import staff_markers

    workshop = setup_room(app, client, login, coordinator, make_assessment, make_workshop)
    phones = [join(app, workshop) for _ in range(4)]
    round_ = open_current(workshop)
    before = sse.build_state(db.engine, workshop.id, "presenter")
    for phone, stage in zip(phones, [1, 3, "dont-know"], strict=False):
        assert vote(phone, workshop, round_.id, stage).status_code == 200
    join(app, workshop)  # one more joins meanwhile
    marker = staff_markers(db.session, [workshop.id])[workshop.id]
    recounted = sse.recount(before, marker, time.time())
    built = sse.build_state(db.engine, workshop.id, "presenter")
    assert recounted is not None and recounted["count"] == {"total": 3} and recounted["joined"] == 5
    assert {k: v for k, v in recounted.items() if k != "as_of"} == {k: v for k, v in built.items() if k != "as_of"}

    # Anything but votes and joining (here: closing the round) is built in full.
    operations.close_round(workshop)
    db.session.commit()
    assert sse.recount(built, staff_markers(db.session, [workshop.id])[workshop.id], time.time()) is None


def test_the_console_recounted_while_votes_come_in_is_the_state_built_in_full(app, client, login, coordinator, make_assessment, make_workshop):  # noqa: F811
    from maturity.workshops import sse
    from maturity.workshops.state import staff_markers

    workshop = setup_room(app, client, login, coordinator, make_assessment, make_workshop)
    phones = [join(app, workshop, kind) for kind in ("police", "health", "police", "schools")]
    round_ = open_current(workshop)
    operations.add_manual_tally(workshop, round_.id, 2, 5, note="paper cards")
    db.session.commit()
    before = sse.build_state(db.engine, workshop.id, "facilitator")
    for phone, stage in zip(phones, [1, 3, "dont-know"], strict=False):
        assert vote(phone, workshop, round_.id, stage).status_code == 200
    join(app, workshop)
    marker = staff_markers(db.session, [workshop.id])[workshop.id]
    asked: list[int] = []

    def org_types(round_id: int) -> list[dict]:
        asked.append(round_id)
        return sse.org_types_now(db.engine)(round_id)

    recounted = sse.recount(before, marker, time.time(), org_types)
    built = sse.build_state(db.engine, workshop.id, "facilitator")
    assert asked == [round_.id]
    assert recounted is not None and recounted["count"] == {"total": 8, "manual": 5} and recounted["joined"] == 5
    assert [(t["org_type"], t["count"]) for t in recounted["org_types_voted"]] == [("health", 1), ("police", 2)]
    assert {k: v for k, v in recounted.items() if k != "as_of"} == {k: v for k, v in built.items() if k != "as_of"}
    # Without a way to read the kinds of organisation, the console's state is built in full.
    assert sse.recount(before, marker, time.time()) is None

    # Once voting closes the console shows a private preview: built in full, never recounted.
    operations.close_round(workshop)
    db.session.commit()
    closed = sse.build_state(db.engine, workshop.id, "facilitator")
    assert closed["preview"] is not None
    assert sse.recount(closed, staff_markers(db.session, [workshop.id])[workshop.id], time.time(), org_types) is None
    assert asked == [round_.id]


def test_staff_markers_count_what_the_full_state_counts(app, client, login, coordinator, make_assessment, make_workshop):  # noqa: F811
    from maturity.workshops import sse
    from maturity.workshops.state import staff_markers, staff_version

    workshop = setup_room(app, client, login, coordinator, make_assessment, make_workshop)
    phones = [join(app, workshop, "police") for _ in range(3)]
    round_ = open_current(workshop)
    for phone, stage in zip(phones, [2, 2, "dont-know"], strict=True):
        assert vote(phone, workshop, round_.id, stage).status_code == 200
    operations.add_manual_tally(workshop, round_.id, 3, 4)
    db.session.commit()
    marker = staff_markers(db.session, [workshop.id])[workshop.id]
    built = sse.build_state(db.engine, workshop.id, "facilitator")
    assert marker.total == built["count"]["total"] == 7
    assert marker.joined == built["joined"] == 3
    assert marker.version == built["version"] == staff_version(db.session, workshop.id)


def test_the_streams_of_a_process_share_one_reading_of_every_workshop_they_follow(app, coordinator, make_assessment, make_workshop):  # noqa: F811
    from sqlalchemy import event

    from maturity.workshops import sse
    from maturity.workshops.state import staff_version

    area = coordinator.memberships[0].area
    workshops = [make_workshop(assessment=make_assessment(area=area)) for _ in range(3)]
    ids = [w.id for w in workshops]
    join(app, workshops[1])
    db.session.commit()
    shared = sse.Readings()
    for workshop_id in ids:
        shared.follow(workshop_id, 1)
    statements = []
    now = [100.0]

    def count(conn, cursor, statement, *args):
        if "workshop_manual_tallies.round_id = workshops.current_round_id" in statement:
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        found = {w: shared.marker(db.engine, w, 0.125, lambda: now[0]) for w in ids}
        assert len(statements) == 1  # one query for the three projectors
        assert {w: m.version for w, (m, _as_of) in found.items()} == {w: staff_version(db.session, w) for w in ids}
        assert found[ids[1]][0].joined == 1
        now[0] += 0.2  # older than half a poll: the next stream to look reads again
        shared.marker(db.engine, ids[0], 0.125, lambda: now[0])
        shared.marker(db.engine, ids[2], 0.125, lambda: now[0])
        assert len(statements) == 2
        # A workshop no stream follows yet is read at once, not missed until the next reading.
        other = make_workshop(assessment=make_assessment(area=area))
        db.session.commit()
        assert shared.marker(db.engine, other.id, 0.125, lambda: now[0])[0].version == staff_version(db.session, other.id)
        assert len(statements) == 3
        # A deleted workshop reads as gone; streams that stop following are no longer read.
        for workshop_id in ids:
            shared.follow(workshop_id, -1)
        assert shared.followed == {}
        db.session.delete(db.session.get(type(other), other.id))
        db.session.commit()
        now[0] += 1
        assert shared.marker(db.engine, other.id, 0.125, lambda: now[0])[0] is None
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_a_room_voting_renders_each_screen_once_a_revision_with_each_count_put_in(app, make_workshop, monkeypatch):  # noqa: F811
    from maturity.workshops import live
    from maturity.workshops.state import personal_state, room

    workshop = make_workshop()
    phones = [join(app, workshop) for _ in range(3)]
    round_ = open_current(workshop)
    rendered: list[str] = []
    real = live.render_template
    monkeypatch.setattr(live, "render_template", lambda *a, **k: rendered.append(a[0]) or real(*a, **k))
    live._PANELS.clear()

    def screen_now():
        shared = room(db.session, workshop.id, workshop.join_code, workshop.revision, 0)
        with app.test_request_context():
            return live.render_panel(personal_state(shared.state, False, None), workshop.join_code)

    first = screen_now()
    assert '<span id="vote-count">0</span> <span id="vote-count-label">votes</span>' in first
    assert vote(phones[0], workshop, round_.id, 2).status_code == 200
    one = screen_now()
    assert '<span id="vote-count">1</span> <span id="vote-count-label">vote</span>' in one
    assert vote(phones[1], workshop, round_.id, 3).status_code == 200
    two = screen_now()
    assert '<span id="vote-count">2</span> <span id="vote-count-label">votes</span>' in two
    assert len(rendered) == 1  # one render for the revision; the counts were put in
    assert "@@" not in first + one + two
    # The page itself (not the shared screen) still shows the count from the state.
    page = phones[2].get(f"/join/{workshop.join_code}/vote").get_data(as_text=True)
    assert '<span id="vote-count">2</span> <span id="vote-count-label">votes</span>' in page
    # A new revision (voting closed) is a new screen, rendered afresh.
    operations.close_round(workshop)
    db.session.commit()
    screen_now()
    assert len(rendered) == 2


@pytest.mark.parametrize("allow_changes", [True, False])
def test_a_phone_s_vote_put_into_the_shared_screen_reads_exactly_as_its_own_render(app, make_workshop, allow_changes):
    """The room's screen is rendered once with marks where a phone's own vote shows, and each
    phone's vote put in (live._personal); for every vote, open or closed, as HTML or as the JSON
    the quick vote path sends, that must be exactly the screen rendered for that phone alone."""
    from flask import render_template

    from maturity.core.scoring import STAGES
    from maturity.workshops import live
    from maturity.workshops.phones import CSRF_MARK
    from maturity.workshops.state import personal_state, room

    workshop = make_workshop(allow_changes=allow_changes)
    open_current(workshop)
    seen = set()
    for closed in (False, True):
        if closed:
            operations.close_round(workshop)
            db.session.commit()
        shared = room(db.session, workshop.id, workshop.join_code, workshop.revision, 0)
        live._PANELS.clear()
        for voted, stage in [(False, None), (True, None), (True, 1), (True, 2), (True, 3), (True, 4)]:
            phone = personal_state(shared.state, voted, stage)
            with app.test_request_context():
                alone = render_template(
                    "workshops/_participant_panel.html", state=phone, code=workshop.join_code,
                    vote_error=None, STAGES=STAGES, csrf_value="the-token",
                )
                shared_html = live._panel_html(phone, workshop.join_code).replace(CSRF_MARK, "the-token")
                environ = dict(live.request.environ)
            encoded = live.shared_panel(app, environ, phone, workshop.join_code, as_json=True)
            assert shared_html == alone
            assert json.loads(encoded.replace(CSRF_MARK, "the-token")) == alone
            assert "@@" not in alone
            seen.add(alone)
        assert len([key for key in live._PANELS if not key[-1]]) == 1  # one render for all six
    assert len(seen) == 12
    assert any('aria-pressed="true"' in html and "– your vote" in html for html in seen)
