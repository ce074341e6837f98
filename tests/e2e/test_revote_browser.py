"""Discuss, then vote again, in headless Chromium: the facilitator reveals a strand's result,
presses "Vote again after discussion" on the console, the same people vote again, and the
projector shows the shift (both distributions side by side, the median and agreement before and
after) without reloading; the results page shows it with numbers. axe on every screen of it.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_room_browser import _change, _room, _votes
from tests.support.browser import (
    chart_table_problems,
    describe_violations,
    new_page,
    save_screenshot,
    serious_violations,
    sign_in,
    watch_errors,
)

pytestmark = pytest.mark.browser


def _again(stages):
    """The people who voted in the round before vote again in the round on screen."""

    def step(workshop, workshops):
        from sqlalchemy import select

        from maturity.extensions import db
        from maturity.models import Participant

        people = list(db.session.scalars(
            select(Participant).where(Participant.workshop_id == workshop.id).order_by(Participant.id)
        ))
        for person, stage in zip(people, stages, strict=False):
            workshops.record_vote(workshop.id, person.id, workshop.current_round_id, stage)

    return step


def test_a_facilitator_runs_a_revote_and_the_projector_shows_the_shift(live_server, browser):
    room = _room(live_server)
    console = new_page(browser, bypass_csp=True)  # axe is injected
    errors: list[str] = []
    watch_errors(console, errors)
    sign_in(console, live_server.url, room["email"])
    base = f"{live_server.url}/workshops/{room['workshop']}"
    console.goto(f"{base}/facilitate")
    presenter = console.context.new_page()
    watch_errors(presenter, errors)
    presenter.set_viewport_size({"width": 1280, "height": 720})
    presenter.goto(f"{base}/present")

    # The first vote, revealed: no "Vote again" before the room has seen the result.
    console.get_by_role("button", name=re.compile("^Open voting")).click()
    console.locator("#console-message").filter(has_text="Voting is open.").wait_for()
    again = console.get_by_role("button", name=re.compile("^Vote again after discussion"))
    assert again.is_hidden()
    _change(live_server, room["workshop"], _votes([1, 2, 2, 2, 2, 3]))
    console.keyboard.press("r")
    presenter.locator("#p-median").filter(has_text="Developing").wait_for()
    assert presenter.locator("#p-shift").is_hidden()

    # Discussion, then the vote again: a new round on screen, voting open, counted from zero.
    again.wait_for()
    again.click()
    console.locator("#console-message").filter(has_text="Voting again on this strand").wait_for()
    presenter.locator("#p-round").filter(has_text="Round 2 of 3 · voting again after discussion").wait_for()
    assert presenter.locator("#p-result").is_hidden() and presenter.locator("#p-count").inner_text() == "0"
    _change(live_server, room["workshop"], _again([2, 3, 3, 2, 3, 3]))
    presenter.locator("#p-count").filter(has_text="6").wait_for()
    console.keyboard.press("r")

    # The shift on the projector, in plain words, both distributions in the chart and the table.
    shift = presenter.locator("#p-shift")
    shift.wait_for()
    assert shift.inner_text() == "Discussion moved the room from Developing (strong agreement) to Maturing (mixed views)."
    presenter.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('p-chart'))"
        " && Chart.getChart(document.getElementById('p-chart')).data.datasets.length === 2"
    )
    datasets = presenter.evaluate(
        "() => Chart.getChart(document.getElementById('p-chart')).data.datasets.map(d => d.data)"
    )
    assert datasets == [[1, 4, 1, 0], [0, 2, 4, 0]]
    first = presenter.locator("#p-table td[data-before-stage]").all_inner_texts()
    after = presenter.locator("#p-table td[data-stage]").all_inner_texts()
    assert first == ["1", "4", "1", "0", "0"] and after == ["0", "2", "4", "0", "0"]
    assert presenter.locator("#presenter").get_by_text(re.compile(r"\d\.\d\d")).count() == 0
    save_screenshot(presenter, "projector-shift-journey")
    for page, name in ((presenter, "presenter with the shift"), (console, "console after a revote")):
        violations = serious_violations(page)
        assert violations == [], describe_violations(name, page.url, violations)

    # The results page: the shift with numbers, its chart beside the table of the same figures.
    results = console.context.new_page()
    watch_errors(results, errors)
    results.goto(f"{base}/results")
    results.get_by_role("heading", name="How discussion moved the room").wait_for()
    words = results.locator(".app-shift__words").inner_text()
    assert words == "Discussion moved the room from Developing (consensus 0.81) to Maturing (0.77)."
    results.wait_for_function("() => window.Chart && document.querySelector('canvas[data-chart=shift]') && Chart.getChart(document.querySelector('canvas[data-chart=shift]'))")
    assert chart_table_problems(results) == []
    violations = serious_violations(results)
    assert violations == [], describe_violations("results with the shift", results.url, violations)
    save_screenshot(results, "results-shift")
    assert errors == [], errors
    console.context.close()
