"""Keyboard only: a participant joins and votes with Tab, Space and Enter, and a facilitator runs
the console with its shortcuts and its buttons. No mouse is used; every control reached shows
where the focus is.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.support.browser import (
    arrange,
    make_area_with_people,
    new_page,
    sign_in,
    unique,
    watch_errors,
)

pytestmark = pytest.mark.browser

DESCRIBE_FOCUS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) { return 'body'; }
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().split('\\n')[0];
    return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} “${text.slice(0, 40)}”`;
}"""

#: The focused element's look, to compare with how it looks without focus.
FOCUS_STYLE = """() => {
    const s = getComputedStyle(document.activeElement);
    return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor, s.borderColor, s.color, s.textDecorationLine].join('|');
}"""


def focus_is_visible(page) -> bool:
    """The focused element looks different with focus than without it."""
    focused = page.evaluate(FOCUS_STYLE)
    plain = page.evaluate(
        """(style) => {
            const el = document.activeElement;
            el.blur();
            const s = getComputedStyle(el);
            const look = [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor, s.borderColor, s.color, s.textDecorationLine].join('|');
            el.focus();
            return look;
        }""",
        focused,
    )
    return focused != plain


def tab_to(page, selector: str, limit: int = 80, backwards: bool = False) -> list[str]:
    """Press Tab (or Shift+Tab) until the element matching `selector` has the focus."""
    visited = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector):
            assert focus_is_visible(page), f"no visible focus on {page.evaluate(DESCRIBE_FOCUS)}"
            return visited
        visited.append(page.evaluate(DESCRIBE_FOCUS))
    pytest.fail(f"{selector} was not reached by keyboard; the focus went: " + " → ".join(visited))


def _arrange_workshop(live) -> dict:
    def build():
        from maturity.assessments.operations import create_assessment
        from maturity.framework.operations import latest_framework
        from maturity.workshops.operations import create_workshop

        framework = latest_framework()
        place = make_area_with_people(unique("Keyshire"), {"coordinator": "coordinator"})
        assessment = create_assessment(place["area"], framework, "Self-assessment 2016", "2016 to 2017", place["coordinator"])
        strands = framework.strands[:3]
        workshop = create_workshop(assessment, "Keyboard workshop", [(s, None) for s in strands], user=place["coordinator"])
        return {
            "email": place["coordinator"].email,
            "workshop": workshop.id,
            "code": workshop.join_code,
            "titles": [s.name for s in strands],
        }

    return arrange(live, build)


def _rounds(live, workshop_id: int) -> list[tuple[str, bool]]:
    def read():
        from maturity.extensions import db
        from maturity.models import Round

        return [
            (r.state, r.revealed)
            for r in db.session.scalars(select(Round).where(Round.workshop_id == workshop_id).order_by(Round.position))
        ]

    return arrange(live, read)


def _votes(live, workshop_id: int) -> list[int | None]:
    def read():
        from maturity.extensions import db
        from maturity.models import Round, Vote

        return list(
            db.session.scalars(
                select(Vote.stage).join(Round, Round.id == Vote.round_id).where(Round.workshop_id == workshop_id)
            )
        )

    return arrange(live, read)


def _open_first_round(live, workshop_id: int) -> None:
    def build():
        from maturity.extensions import db
        from maturity.models import Workshop
        from maturity.workshops import operations

        workshop = db.session.get(Workshop, workshop_id)
        operations.open_round(workshop)
        operations.bump(workshop.id)

    arrange(live, build)


def test_a_participant_joins_and_votes_with_the_keyboard_alone(live_server, browser):
    data = _arrange_workshop(live_server)
    _open_first_round(live_server, data["workshop"])
    errors: list[str] = []
    phone = new_page(browser, viewport={"width": 390, "height": 844})
    watch_errors(phone, errors)

    # Type the code on the join page, then choose an organisation type with the arrow keys.
    phone.goto(f"{live_server.url}/join")
    tab_to(phone, "input[name=code]")
    phone.keyboard.type(data["code"].lower())
    tab_to(phone, "select[name=org_type]")
    phone.keyboard.press("ArrowDown")
    chosen = phone.evaluate("() => document.activeElement.value")
    assert chosen != "not-given"
    tab_to(phone, "button[type=submit]")
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/vote")

    # Vote "Developing" with Space, then change to "Mature" with Enter.
    phone.locator("#stage-2").wait_for()
    tab_to(phone, "#stage-2")
    phone.keyboard.press("Space")
    phone.locator("#vote-status").filter(has_text="Vote received: Developing").wait_for()
    assert phone.locator("#stage-2").get_attribute("aria-pressed") == "true"
    assert phone.evaluate("() => document.activeElement.id") == "stage-2", "the focus stays on the vote"
    tab_to(phone, "#stage-4")
    phone.keyboard.press("Enter")
    phone.locator("#vote-status").filter(has_text="Vote received: Mature").wait_for()
    assert phone.locator("#stage-4").get_attribute("aria-pressed") == "true"
    assert phone.locator("#stage-2").get_attribute("aria-pressed") == "false"
    tab_to(phone, "#stage-dont-know")
    assert _votes(live_server, data["workshop"]) == [4]
    assert chosen  # an organisation type was chosen by keyboard
    assert errors == [], errors
    phone.context.close()


def test_a_facilitator_runs_the_console_from_the_keyboard(live_server, browser):
    data = _arrange_workshop(live_server)
    errors: list[str] = []
    console = new_page(browser)
    watch_errors(console, errors)
    sign_in(console, live_server.url, data["email"])
    console.goto(f"{live_server.url}/workshops/{data['workshop']}/facilitate")
    message = console.locator("#console-message")

    def said(text: str) -> None:
        message.filter(has_text=text).wait_for()

    # Shortcuts work with nothing focused: O opens voting (and starts the workshop).
    console.keyboard.press("o")
    said("Voting is open.")
    assert _rounds(live_server, data["workshop"])[0] == ("open", False)

    # A phone votes meanwhile (by HTTP: this test is about the console).
    phone = new_page(browser)
    phone.goto(f"{live_server.url}/join/{data['code']}")
    phone.get_by_role("button", name="Join the workshop").press("Enter")
    # Wait until the voting page's script has run, so the vote goes through it (on a busy
    # machine an early key press would submit the plain form instead).
    phone.locator("#stage-3").wait_for()
    phone.wait_for_load_state("load")
    phone.locator("#stage-3").press("Enter")
    phone.locator("#vote-status").filter(has_text="Vote received").wait_for()
    phone.context.close()
    console.locator("#console-status").filter(has_text="1 vote").first.wait_for()

    # The buttons are reachable by Tab and pressed with Enter or Space.
    tab_to(console, "button[data-shortcut=c]")
    console.keyboard.press("Enter")
    said("Voting is closed.")
    console.keyboard.press("r")
    said("The result is showing.")
    assert _rounds(live_server, data["workshop"])[0] == ("closed", True)
    console.keyboard.press("h")
    said("The result is hidden.")
    assert _rounds(live_server, data["workshop"])[0] == ("closed", False)
    tab_to(console, "button[data-shortcut=n]")
    console.keyboard.press("Space")
    said("Moved to the next round.")
    console.locator("#console-status").filter(has_text=data["titles"][1]).first.wait_for()
    console.keyboard.press("p")
    said("Moved to the previous round.")
    # The room has seen round 1's result: it never takes votes again, so O does nothing there.
    assert console.locator("form[data-control=open]").is_hidden()
    console.keyboard.press("n")
    said("Moved to the next round.")
    console.keyboard.press("o")
    said("Voting is open.")
    assert _rounds(live_server, data["workshop"])[:2] == [("closed", False), ("open", False)]

    # Hand counts by keyboard; letters typed into the form are not taken as shortcuts.
    tab_to(console, "select[name=stage]")
    console.keyboard.type("Ma")  # select "Maturing" by typing, as people do
    assert console.locator("select[name=stage]").input_value() == "3"
    tab_to(console, "input[name=count]")
    console.keyboard.type("4")
    tab_to(console, "input[name=note]")
    console.keyboard.type("Paper cards from table 3, counted by hand")
    console.keyboard.press("Enter")
    said("4 hand-counted votes added.")
    assert _rounds(live_server, data["workshop"]) == [("closed", False), ("open", False), ("pending", False)]

    # Shift+Tab goes back through the controls in order.
    tab_to(console, "button[data-shortcut=c]", backwards=True)
    console.keyboard.press("Enter")
    said("Voting is closed.")

    # Discuss, then vote again: V once the room has seen the result makes a new round, open.
    console.keyboard.press("r")
    said("The result is showing.")
    console.keyboard.press("v")
    said("Voting again on this strand")
    assert _rounds(live_server, data["workshop"]) == [
        ("closed", False), ("closed", True), ("open", False), ("pending", False)
    ]
    assert errors == [], errors
    console.context.close()


def test_a_stream_message_overtaken_by_a_button_s_answer_does_not_step_the_console_back(browser):
    """The console applies the state that came back with a button's answer at once; a stream
    message from before that press, arriving later, must not bring back the old controls (a
    shortcut pressed then would do nothing). A state from an older revision is dropped."""
    from pathlib import Path

    page = new_page(browser)
    page.set_content("<!doctype html><title>follow</title>")
    page.add_script_tag(path=str(Path(__file__).parents[2] / "static/js/workshop-live.js"))
    shown = page.evaluate(
        """() => {
            const shown = [];
            const live = window.WorkshopLive.follow({
                stateUrl: "data:application/json,null", version: "7.0.3",
                onState: (state) => shown.push(state.version),
            });
            live.deliver({ version: "8.0.3" });   // the answer to "next round"
            live.deliver({ version: "7.2.3" });   // a stream message from before the press
            live.deliver({ version: "8.1.3" });   // a vote in the new round
            live.deliver({ version: "8.1.4" });   // someone joins
            live.deliver({ version: "8.1.4" });   // the same state again
            live.deliver({ version: "9.0.4" });
            return shown;
        }"""
    )
    assert shown == ["8.0.3", "8.1.3", "8.1.4", "9.0.4"]
    page.context.close()
