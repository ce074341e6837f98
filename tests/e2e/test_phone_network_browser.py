"""A phone that loses the network, or reloads, comes back to the screen it should show with its
vote marked, in headless Chromium at 390x844.

On PostgreSQL the server is gunicorn with gevent workers, as in production, and the phone holds
an event stream (workshops/phones.py); on SQLite it is a threaded server and the phone polls.
The phone reaches the server through a relay the test cuts (tests/support/network.py): while
it is cut the facilitator closes and reveals the round; once it is back the phone must show the
revealed result and its own vote without anyone touching it.
"""

from __future__ import annotations

import re

import pytest

from tests.support.browser import arrange, make_area_with_people, new_page, unique, watch_errors
from tests.support.network import CuttableNetwork

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _room(live):
    def build():
        from maturity.assessments.operations import create_assessment
        from maturity.framework.operations import latest_framework
        from maturity.workshops import operations as workshops

        people = make_area_with_people(unique("Netshire"), {"coordinator": "coordinator"})
        framework = latest_framework()
        assessment = create_assessment(people["area"], framework, "Network assessment", "2016 to 2017", people["coordinator"])
        strands = sorted(framework.strands, key=lambda s: s.key != "family")[:2]
        workshop = workshops.create_workshop(
            assessment, "Partnership workshop", [(s, None) for s in strands], user=people["coordinator"]
        )
        return {"workshop": workshop.id, "code": workshop.join_code}

    return arrange(live, build)


def _change(live, workshop_id: int, step) -> None:
    """The facilitator's change (or others' votes), made in the server's database."""

    def build():
        from maturity.extensions import db
        from maturity.models import Workshop
        from maturity.workshops import operations as workshops

        workshop = db.session.get(Workshop, workshop_id)
        step(workshop, workshops)
        workshops.bump(workshop.id)

    arrange(live, build)


def _others_vote(stages):
    def step(workshop, workshops):
        from maturity.extensions import db

        for stage in stages:
            person = workshops.join(workshop, "health")
            db.session.flush()
            workshops.record_vote(workshop.id, person.id, workshop.current_round_id, stage)

    return step


def test_a_phone_that_loses_the_network_comes_back_to_the_revealed_round_with_its_vote(live_server, browser):
    room = _room(live_server)
    network = CuttableNetwork(live_server.url)
    phone = new_page(browser, viewport=PHONE)
    errors: list[str] = []
    watch_errors(phone, errors)
    try:
        phone.goto(f"{network.url}/join/{room['code']}")
        phone.get_by_role("button", name="Join the workshop").click()
        phone.wait_for_url(re.compile(r".*/vote$"))
        host = phone.locator("#participant-live")
        streams = host.get_attribute("data-events-url") is not None
        # gevent in production (and here on PostgreSQL) streams; a threaded server polls.
        assert streams == (live_server.kind == "postgresql")
        assert host.get_attribute("data-poll-ms") == "2000"

        _change(live_server, room["workshop"], lambda w, ops: ops.open_round(w))
        phone.locator("#stage-3").wait_for(timeout=10_000)
        phone.locator("#stage-3").click()
        phone.locator("#vote-status").filter(has_text="Vote received: Maturing").wait_for()

        # The phone walks out of range; meanwhile the room votes, and voting closes and is revealed.
        network.cut()
        _change(live_server, room["workshop"], _others_vote([2, 3, 4]))
        _change(live_server, room["workshop"], lambda w, ops: ops.close_round(w))
        _change(live_server, room["workshop"], lambda w, ops: ops.reveal_round(w, True))
        phone.wait_for_timeout(3000)
        assert phone.locator("#stage-3").count() == 1  # nothing reached it while cut
        network.restore()

        # Back in range: the stream reconnects (or the next poll answers) with the screen the
        # phone should show: voting closed, the room's result, its own vote marked.
        phone.get_by_text("The room\u2019s result").wait_for(timeout=30_000)
        assert phone.locator("#stage-3").count() == 0
        assert "Your vote: Maturing" in phone.locator(".app-participant__panel").inner_text()

        # Reloading shows the same screen, from the server.
        phone.reload()
        phone.get_by_text("The room\u2019s result").wait_for()
        assert "Your vote: Maturing" in phone.locator(".app-participant__panel").inner_text()

        # The next round opens: the phone follows it again without a reload.
        _change(live_server, room["workshop"], lambda w, ops: ops.move(w, 1))
        _change(live_server, room["workshop"], lambda w, ops: ops.open_round(w))
        phone.locator("#stage-1").wait_for(timeout=15_000)
        assert phone.get_by_text("You have not voted on this round yet.").is_visible()
        assert [e for e in errors if "net::" not in e and "Failed to load resource" not in e] == []
    finally:
        phone.context.close()
        network.close()
