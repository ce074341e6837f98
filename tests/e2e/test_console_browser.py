"""The facilitator console in Chromium while votes come in: the figures change in place, and
the page's status part is fetched again only when something other than the count moves."""

from __future__ import annotations

import pytest

from tests.support.browser import (
    arrange,
    make_area_with_people,
    new_page,
    sign_in,
    unique,
    watch_errors,
)

pytestmark = pytest.mark.browser


def _arrange_open_round(live) -> dict:
    def build():
        from maturity.assessments.operations import create_assessment
        from maturity.framework.operations import latest_framework
        from maturity.workshops import operations

        framework = latest_framework()
        place = make_area_with_people(unique("Countshire"), {"coordinator": "coordinator"})
        assessment = create_assessment(place["area"], framework, "Self-assessment 2016", "2016 to 2017", place["coordinator"])
        workshop = operations.create_workshop(
            assessment, "Counting workshop", [(s, None) for s in framework.strands[:2]], user=place["coordinator"]
        )
        round_ = operations.open_round(workshop)
        return {"email": place["coordinator"].email, "workshop": workshop.id, "round": round_.id}

    return arrange(live, build)


def _votes_from(live, workshop_id: int, round_id: int, kinds: list[str]) -> None:
    """People join and vote, written as the vote route writes them (this test is about the console)."""
    def build():
        from maturity.extensions import db
        from maturity.models import Workshop
        from maturity.workshops import operations

        workshop = db.session.get(Workshop, workshop_id)
        for kind in kinds:
            person = operations.join(workshop, kind)
            db.session.flush()
            operations.cast_vote(workshop_id, round_id, person.id, 2)

    arrange(live, build)


def test_the_console_counts_votes_in_place_and_redraws_for_anything_else(live_server, browser):
    data = _arrange_open_round(live_server)
    errors: list[str] = []
    console = new_page(browser)
    watch_errors(console, errors)
    fetched: list[str] = []
    console.on("request", lambda request: fetched.append(request.url) if "fragment=status" in request.url else None)
    sign_in(console, live_server.url, data["email"])
    console.goto(f"{live_server.url}/workshops/{data['workshop']}/facilitate")
    status = console.locator("#console-status")
    status.locator("[data-live=nobody-voted]").wait_for()
    console.wait_for_load_state("load")
    # The page has its stream: wait until the first state has come and been applied.
    console.wait_for_function("() => document.querySelector('#console-status .app-console-status')")
    console.wait_for_timeout(500)
    before = list(fetched)

    _votes_from(live_server, data["workshop"], data["round"], ["police", "health", "police"])
    status.locator("[data-live=total]").filter(has_text="3").wait_for()
    assert status.locator("[data-live=votes-word]").inner_text() == "votes"
    assert status.locator("[data-live=joined]").inner_text() == "3 people have joined."
    assert status.locator("[data-live=round-count]").inner_text() == "3"
    kinds = status.locator("[data-live=org-types] li").all_inner_texts()
    assert kinds == ["Health / clinical commissioning group: 1", "Police: 2"], kinds
    assert status.locator("[data-live=nobody-voted]").is_hidden()
    assert status.locator("[data-live=org-types-note]").is_visible()
    assert fetched == before, "a count-only change fetched the status part again"

    # One more: the singular and plural follow the count.
    _votes_from(live_server, data["workshop"], data["round"], ["schools"])
    status.locator("[data-live=total]").filter(has_text="4").wait_for()
    assert status.locator("[data-live=org-types] li").count() == 3
    assert fetched == before

    # Closing voting changes more than the count (the private preview): the part is drawn again.
    console.get_by_role("button", name="Close voting").click()
    console.locator("#console-message").filter(has_text="Voting is closed.").wait_for()
    status.locator("#console-preview").wait_for()
    assert len(fetched) > len(before)
    assert status.locator(".app-console-status[data-counts-live]").count() == 0
    assert errors == [], errors
    console.context.close()


def test_a_count_older_than_the_figures_drawn_is_not_shown(browser):
    """A stream state that counts fewer votes than the part already drawn (fetched later, after
    a button) leaves the figures alone; one from another revision draws the part again."""
    from pathlib import Path

    root = Path(__file__).parents[2]
    page = new_page(browser)
    page.set_content(
        """<!doctype html><title>console</title>
        <div id="console" data-fragment-url="data:text/html,<div class='app-console-status' data-version='9.0.0'>redrawn</div>">
        <div id="console-message"></div>
        <div id="console-status"><div class="app-console-status" data-version="8.5.5" data-round-id="3" data-counts-live>
          <p><span data-live="total">5</span> <span data-live="votes-word">votes</span></p>
          <p data-live="joined">5 people have joined.</p>
          <ul data-live="org-types"><li>Police: 5</li></ul>
          <p data-live="org-types-note">Kinds only</p><p data-live="nobody-voted" hidden>Nobody</p>
          <table><tr><td data-live="round-count">5</td></tr></table>
        </div></div></div>"""
    )
    # The console's own script, fed states by hand in place of its stream.
    page.evaluate("() => { window.WorkshopLive = { follow: (options) => { window.deliver = options.onState; return {}; } }; }")
    page.add_script_tag(path=str(root / "static/js/workshop-facilitator.js"))
    shown = page.evaluate(
        """() => {
            const host = document.getElementById("console-status");
            const state = (version, total) => ({
                version: version, revision: parseInt(version, 10), joined: parseInt(version.split(".")[2], 10),
                workshop: { status: "running" }, round: { id: 3, state: "open" },
                count: { total: total }, result: null, org_types_voted: [{ label: "Police", count: total }],
            });
            const seen = [];
            window.deliver(state("8.4.5", 4));   // older than what is drawn
            seen.push(host.querySelector("[data-live=total]").textContent);
            window.deliver(state("8.6.6", 6));   // one vote and one person more
            seen.push(host.querySelector("[data-live=total]").textContent);
            seen.push(host.querySelector("[data-live=joined]").textContent);
            seen.push(host.querySelector("[data-live=votes-word]").textContent);
            return seen;
        }"""
    )
    assert shown == ["5", "6", "6 people have joined.", "votes"]
    # A state of another revision (a facilitator's change) fetches the part again.
    page.evaluate("""() => window.deliver({
        version: "9.0.6", workshop: { status: "running" }, round: { id: 3, state: "closed" },
        count: { total: 6 }, result: null, org_types_voted: [],
    })""")
    page.locator("#console-status").filter(has_text="redrawn").wait_for()
    page.context.close()
