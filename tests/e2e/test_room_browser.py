"""The workshop in the room, in headless Chromium: a projector screen that fits five projector
sizes in every state, a phone that joins and votes from one screen at 390x844, and ending the
workshop on a confirmation page.

Screenshots of the projector and phone pages are saved under build/screenshots/ on every run.
"""

from __future__ import annotations

import re

import pytest

from tests.support.browser import (
    arrange,
    describe_violations,
    make_area_with_people,
    new_page,
    save_screenshot,
    serious_violations,
    sign_in,
    unique,
    watch_errors,
)

pytestmark = pytest.mark.browser

PROJECTORS = [(1024, 768), (1280, 720), (1280, 800), (1366, 768), (1920, 1080)]
PHONE = {"width": 390, "height": 844}

#: Page-level overflow and what must be wholly on the screen, measured in the browser.
_FIT = """(selectors) => {
    const doc = document.documentElement;
    const off = [];
    for (const selector of selectors) {
        for (const element of document.querySelectorAll(selector)) {
            if (!(element.offsetWidth || element.offsetHeight)) { continue; }
            const box = element.getBoundingClientRect();
            if (box.top < -1 || box.left < -1 || box.bottom > innerHeight + 1 || box.right > innerWidth + 1) {
                off.push(`${selector} at ${Math.round(box.left)},${Math.round(box.top)}-${Math.round(box.right)},${Math.round(box.bottom)}`);
            }
        }
    }
    return {scrollHeight: doc.scrollHeight, scrollWidth: doc.scrollWidth,
            innerHeight: innerHeight, innerWidth: innerWidth, off: off};
}"""

_FONT_PX = "(selector) => parseFloat(getComputedStyle(document.querySelector(selector)).fontSize)"
_LINES = """(selector) => {
    const element = document.querySelector(selector);
    const style = getComputedStyle(element);
    return Math.round(element.getBoundingClientRect().height / parseFloat(style.lineHeight || style.fontSize));
}"""


def _fits(page, selectors: list[str]) -> list[str]:
    """What does not fit the viewport: page scrolling, and elements (partly) off the screen."""
    fit = page.evaluate(_FIT, selectors)
    problems = list(fit["off"])
    if fit["scrollHeight"] > fit["innerHeight"]:
        problems.append(f"scrolls down: {fit['scrollHeight']} > {fit['innerHeight']}")
    if fit["scrollWidth"] > fit["innerWidth"]:
        problems.append(f"scrolls across: {fit['scrollWidth']} > {fit['innerWidth']}")
    return problems


def _room(live, rounds: int = 2):
    """A coordinator, an assessment and a workshop of `rounds` strands, made in the server's database."""

    def build():
        from maturity.assessments.operations import create_assessment
        from maturity.framework.operations import latest_framework
        from maturity.workshops import operations as workshops

        people = make_area_with_people(unique("Roomshire"), {"coordinator": "coordinator"})
        framework = latest_framework()
        assessment = create_assessment(people["area"], framework, "Room assessment", "2016 to 2017", people["coordinator"])
        strands = sorted(framework.strands, key=lambda s: s.key != "family")[:rounds]
        workshop = workshops.create_workshop(
            assessment, "Partnership workshop", [(s, None) for s in strands], user=people["coordinator"]
        )
        return {"email": people["coordinator"].email, "workshop": workshop.id, "code": workshop.join_code}

    return arrange(live, build)


def _change(live, workshop_id: int, step) -> None:
    """A facilitator's change (or votes) made directly, then the revision bumped so screens follow."""

    def build():
        from maturity.extensions import db
        from maturity.models import Workshop
        from maturity.workshops import operations as workshops

        workshop = db.session.get(Workshop, workshop_id)
        step(workshop, workshops)
        workshops.bump(workshop.id)

    arrange(live, build)


def _votes(stages):
    def step(workshop, workshops):
        for stage in stages:
            person = workshops.join(workshop, "police")
            from maturity.extensions import db

            db.session.flush()
            workshops.record_vote(workshop.id, person.id, workshop.current_round_id, stage)

    return step


# --------------------------------------------------------------------------------------------
# The projector
# --------------------------------------------------------------------------------------------

#: What must be wholly on the screen in each state.
ON_SCREEN = {
    "joining": ["#p-title", ".app-qr", ".app-presenter__join-code", ".app-presenter__join-url", "#p-joined"],
    "voting": ["#p-title", "#p-count", ".app-qr", ".app-presenter__join-code"],
    "revealed": ["#p-title", "#p-median", "#p-agreement", "#p-chart", "#p-table", ".app-qr", ".app-presenter__join-code"],
}


def test_the_projector_fits_five_projector_sizes_in_every_state(live_server, browser):
    room = _room(live_server)
    page = new_page(browser, viewport={"width": 1280, "height": 800}, bypass_csp=True)  # axe is injected
    errors: list[str] = []
    watch_errors(page, errors)
    sign_in(page, live_server.url, room["email"])
    url = f"{live_server.url}/workshops/{room['workshop']}/present"
    problems: list[str] = []
    qr_share: dict[str, float] = {}

    def check(state: str) -> None:
        for width, height in PROJECTORS:
            page.set_viewport_size({"width": width, "height": height})
            page.goto(url)
            page.locator(f"#presenter[data-phase='{ 'result' if state == 'revealed' else state }']").wait_for()
            if state == "revealed":
                page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('p-chart'))")
            where = f"{state} at {width}x{height}"
            problems.extend(f"{where}: {p}" for p in _fits(page, ON_SCREEN[state]))
            for selector in (".app-presenter__state", ".app-presenter__join-url", "#p-joined"):
                if page.locator(selector).first.is_visible() and page.evaluate(_FONT_PX, selector) < 0.029 * height:
                    problems.append(f"{where}: {selector} is {page.evaluate(_FONT_PX, selector)}px, under 3% of {height}")
            if state == "revealed":
                for selector in ("#p-table td", "#p-table th", ".app-presenter__figure-label"):
                    if page.evaluate(_FONT_PX, selector) < 0.029 * height:
                        problems.append(f"{where}: {selector} text is under 3% of the height")
            if page.evaluate(_LINES, ".app-presenter__join-code") != 1:
                problems.append(f"{where}: the join code wraps")
            qr_share[f"{state} {width}x{height}"] = page.locator(".app-qr").bounding_box()["height"] / height
            save_screenshot(page, f"projector-{state}-{width}x{height}")

    check("joining")
    _change(live_server, room["workshop"], lambda w, ops: ops.open_round(w))
    _change(live_server, room["workshop"], _votes([2, 3, 3, 3]))
    check("voting")
    _change(live_server, room["workshop"], lambda w, ops: (ops.close_round(w), ops.reveal_round(w, True)))
    check("revealed")
    assert problems == [], "\n".join(problems)

    # The QR code is large while people join and small once voting starts.
    for width, height in PROJECTORS:
        assert qr_share[f"joining {width}x{height}"] > 1.5 * qr_share[f"voting {width}x{height}"]

    # Plain words on the projector, no numbers: median and agreement, each explained.
    assert page.locator("#p-median").inner_text() == "Maturing"
    assert page.locator("#p-agreement").inner_text() == "Strong agreement"  # 3 of 4 on one stage
    assert page.locator("#presenter").get_by_text(re.compile(r"\d\.\d\d")).count() == 0
    page.get_by_text("What the middle vote and agreement mean").click()
    assert page.get_by_text("mixed views").first.is_visible()
    violations = serious_violations(page)
    assert violations == [], describe_violations("presenter", page.url, violations)

    # Once the workshop ends the QR code goes, without reloading.
    _change(live_server, room["workshop"], lambda w, ops: ops.end_workshop(w))
    page.locator("#presenter[data-phase='ended']").wait_for()
    assert page.locator(".app-qr").is_hidden()
    save_screenshot(page, "projector-ended-1920x1080")
    page.reload()
    assert page.locator(".app-qr").count() == 0
    assert _fits(page, ["#p-title", "#p-chart", "#p-table"]) == []
    assert errors == [], errors
    page.context.close()


def test_the_projector_fits_five_projector_sizes_with_the_shift_after_a_revote(live_server, browser):
    room = _room(live_server)
    page = new_page(browser, viewport={"width": 1280, "height": 800}, bypass_csp=True)  # axe is injected
    errors: list[str] = []
    watch_errors(page, errors)
    sign_in(page, live_server.url, room["email"])
    url = f"{live_server.url}/workshops/{room['workshop']}/present"
    _change(live_server, room["workshop"], lambda w, ops: ops.open_round(w))
    _change(live_server, room["workshop"], _votes([1, 2, 2, 2, 3, 4, None]))
    _change(live_server, room["workshop"], lambda w, ops: ops.reveal_round(w, True))

    def again(workshop, workshops):
        from sqlalchemy import select

        from maturity.extensions import db
        from maturity.models import Participant

        new = workshops.revote(workshop)
        people = db.session.scalars(select(Participant).where(Participant.workshop_id == workshop.id))
        for person, stage in zip(people, [2, 2, 3, 3, 3, 3, 2], strict=False):
            workshops.record_vote(workshop.id, person.id, new.id, stage)
        workshops.reveal_round(db.session.get(type(workshop), workshop.id), True)

    _change(live_server, room["workshop"], again)
    problems: list[str] = []
    on_screen = [*ON_SCREEN["revealed"], "#p-shift"]
    for width, height in PROJECTORS:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(url)
        page.locator("#p-shift").wait_for()
        page.wait_for_function(
            "() => window.Chart && Chart.getChart(document.getElementById('p-chart'))"
            " && Chart.getChart(document.getElementById('p-chart')).data.datasets.length === 2"
        )
        where = f"shift at {width}x{height}"
        problems.extend(f"{where}: {p}" for p in _fits(page, on_screen))
        for selector in ("#p-shift", "#p-table td", "#p-table th", ".app-presenter__figure-label"):
            if page.evaluate(_FONT_PX, selector) < 0.029 * height:
                problems.append(f"{where}: {selector} text is under 3% of the height")
        save_screenshot(page, f"projector-shift-{width}x{height}")
    assert problems == [], "\n".join(problems)
    assert page.locator("#p-shift").inner_text().startswith("Discussion moved the room from Developing (")
    assert page.locator("#p-table th[data-before]").inner_text() == "First vote"
    assert page.locator("#p-votes-heading").inner_text() == "After discussion"
    violations = serious_violations(page)
    assert violations == [], describe_violations("presenter with the shift", page.url, violations)
    assert errors == [], errors
    page.context.close()


# --------------------------------------------------------------------------------------------
# Ending the workshop
# --------------------------------------------------------------------------------------------


def test_ending_the_workshop_asks_on_a_confirmation_page(live_server, browser):
    room = _room(live_server)
    page = new_page(browser, bypass_csp=True)  # axe is injected
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, live_server.url, room["email"])
    console = f"{live_server.url}/workshops/{room['workshop']}/facilitate"
    page.goto(console)
    page.get_by_role("button", name="Start the workshop").click()
    page.locator("#console-message").filter(has_text="The workshop has started.").wait_for()

    page.get_by_role("button", name="End the workshop").click()
    page.wait_for_url(re.compile(r".*/end$"))
    page.get_by_role("heading", name="Are you sure you want to end the workshop?").wait_for()
    save_screenshot(page, "facilitator-end-confirmation")
    violations = serious_violations(page)
    assert violations == [], describe_violations("end confirmation", page.url, violations)

    page.get_by_role("link", name="Back to the facilitator console").click()  # changes nothing
    page.wait_for_url(console)
    assert "The workshop has ended" not in page.locator("#console-status").inner_text()

    page.get_by_role("button", name="End the workshop").click()
    page.wait_for_url(re.compile(r".*/end$"))
    page.locator("button.govuk-button--warning", has_text="End the workshop").click()
    page.wait_for_url(console)
    page.get_by_text("The workshop has ended. Its results are ready.").wait_for()
    assert page.get_by_role("button", name="End the workshop").count() == 0
    assert dialogs == []  # never the browser's confirm() box
    page.context.close()


# --------------------------------------------------------------------------------------------
# The phone: one screen to the first vote
# --------------------------------------------------------------------------------------------


def _on_first_screen(page, selectors: list[str]) -> list[str]:
    """Selectors not wholly inside the first screen (the page scrolled to the top)."""
    page.evaluate("() => window.scrollTo(0, 0)")
    off = []
    for selector in selectors:
        box = page.locator(selector).bounding_box()
        if box is None or box["y"] < 0 or box["y"] + box["height"] > PHONE["height"] or box["x"] + box["width"] > PHONE["width"]:
            off.append(f"{selector}: {box}")
    return off


def test_a_phone_joins_and_votes_from_one_screen(live_server, browser):
    room = _room(live_server)
    phone = new_page(browser, viewport=PHONE, bypass_csp=True)  # axe is injected
    errors: list[str] = []
    watch_errors(phone, errors)

    # The join page asks for the code and, compactly, the kind of organisation; the button shows.
    phone.goto(f"{live_server.url}/join")
    assert _on_first_screen(phone, ["input[name=code]", "select[name=org_type]", "button:has-text('Join the workshop')"]) == []
    assert phone.locator("input[name=org_type]").count() == 0  # no column of radios
    save_screenshot(phone, "phone-join")
    violations = serious_violations(phone)
    assert violations == [], describe_violations("join page", phone.url, violations)
    phone.get_by_label("Join code").fill(room["code"].lower())
    phone.get_by_label("Your kind of organisation (optional)").select_option("health")
    phone.get_by_role("button", name="Join the workshop").click()
    phone.wait_for_url(re.compile(r".*/vote$"))  # straight to the vote page: one screen
    phone.get_by_text("Wait for the facilitator").wait_for()

    # Voting opens: all four stages and "don't know" on the first screen, full text one tap away.
    _change(live_server, room["workshop"], lambda w, ops: ops.open_round(w))
    phone.locator("#stage-4").wait_for()
    phone.wait_for_load_state("load")
    buttons = ["#stage-1", "#stage-2", "#stage-3", "#stage-4", "#stage-dont-know"]
    assert _on_first_screen(phone, buttons) == []
    save_screenshot(phone, "phone-vote")
    violations = serious_violations(phone)
    assert violations == [], describe_violations("vote page", phone.url, violations)
    summary = phone.locator("#stage-1-summary").inner_text()
    full = phone.locator(".app-stage-details .govuk-details__text")
    assert full.is_hidden()
    phone.get_by_text("What each stage means in full").click()
    assert summary in full.inner_text() and full.is_visible()
    phone.locator("#stage-3").click()
    phone.locator("#vote-status").filter(has_text="Vote received: Maturing").wait_for()
    assert phone.get_by_text("so far in this round").is_visible()

    # Voting closes: the phone says so, no longer "votes so far".
    _change(live_server, room["workshop"], lambda w, ops: ops.close_round(w))
    phone.get_by_text("Voting has closed.").wait_for()
    assert phone.get_by_text("so far in this round").count() == 0
    save_screenshot(phone, "phone-closed")
    assert errors == [], errors
    phone.context.close()


def test_a_phone_without_javascript_joins_from_the_qr_address_and_votes(live_server, browser):
    room = _room(live_server)
    _change(live_server, room["workshop"], lambda w, ops: ops.open_round(w))
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    phone = context.new_page()
    phone.goto(f"{live_server.url}/join/{room['code']}")  # the QR code's address
    assert _on_first_screen(phone, ["select[name=org_type]", "button:has-text('Join the workshop')"]) == []
    phone.get_by_label("Your kind of organisation (optional)").select_option("police")
    phone.get_by_role("button", name="Join the workshop").click()
    phone.wait_for_url(re.compile(r".*/vote$"))
    assert _on_first_screen(phone, ["#stage-1", "#stage-4", "#stage-dont-know"]) == []
    phone.locator("#stage-2").click()
    phone.get_by_text("Vote received: Developing").wait_for()
    assert phone.locator("#stage-2").get_attribute("aria-pressed") == "true"
    context.close()


# --------------------------------------------------------------------------------------------
# The facilitator's private preview
# --------------------------------------------------------------------------------------------


def test_the_facilitator_previews_the_result_before_the_room(live_server, browser):
    room = _room(live_server)
    console = new_page(browser, bypass_csp=True)  # axe is injected
    errors: list[str] = []
    watch_errors(console, errors)
    sign_in(console, live_server.url, room["email"])
    console.goto(f"{live_server.url}/workshops/{room['workshop']}/facilitate")
    presenter = console.context.new_page()
    presenter.goto(f"{live_server.url}/workshops/{room['workshop']}/present")

    console.get_by_role("button", name=re.compile("^Open voting")).click()
    console.locator("#console-message").filter(has_text="Voting is open.").wait_for()
    console.get_by_text("Close voting to preview the result privately").wait_for()
    _change(live_server, room["workshop"], _votes([1, 2, 2, 3]))
    console.get_by_role("button", name=re.compile("^Close voting")).click()
    console.locator("#console-message").filter(has_text="Voting is closed.").wait_for()

    console.get_by_text("Preview the result before the room sees it").click()
    preview = console.locator("#console-preview")
    preview.get_by_text("Only you can see this").wait_for()
    assert "Developing" in preview.locator("dl").first.inner_text()
    assert "Mixed views" in preview.inner_text() and "consensus 0.71" in preview.inner_text()
    save_screenshot(console, "facilitator-preview")
    violations = serious_violations(console)
    assert violations == [], describe_violations("console with the preview", console.url, violations)

    # Someone joins: the console redraws and the preview stays open; the projector still hides it.
    _change(live_server, room["workshop"], lambda w, ops: ops.join(w, "schools"))
    console.locator("#console-status").filter(has_text="5 people have joined").wait_for()
    assert console.locator("#console-preview").get_attribute("open") is not None
    assert presenter.locator("#p-result").is_hidden()
    assert "Developing" not in presenter.locator("#presenter").inner_text()

    console.keyboard.press("r")
    presenter.locator("#p-median").filter(has_text="Developing").wait_for()
    console.get_by_text("showing on the projector").wait_for()
    assert errors == [], errors
    console.context.close()
