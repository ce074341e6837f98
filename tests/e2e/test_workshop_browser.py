"""A live workshop in headless Chromium: set up, facilitate, vote from three phones, present.

Everything on screen changes without reloading: the phones follow the facilitator by polling,
the presenter and console by the event stream. Any JavaScript error or CSP violation fails it.
"""

import re
import uuid

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

TIMEOUT = 15_000  # ms: phones poll every 2 seconds


def arrange(live):
    """An area, its coordinator and an assessment, made directly in the server's database."""
    from maturity.admin import operations as admin
    from maturity.assessments.operations import create_assessment
    from maturity.extensions import db
    from maturity.framework.operations import latest_framework

    name = f"Browsershire {uuid.uuid4().hex[:6]}"
    with live.app.app_context():
        area = admin.create_area(name, "county", "South East")
        admin.add_organisation(area, f"{name} Council", "local-authority")
        user = admin.create_user(f"coordinator-{uuid.uuid4().hex[:6]}@example.org", "Cora Ordinator", PASSWORD)
        admin.set_membership(user, area, "coordinator")
        assessment = create_assessment(area, latest_framework(), "Browser assessment", "2016 to 2017", user)
        db.session.commit()
        result = {"email": user.email, "assessment_id": assessment.id}
        db.session.remove()
        db.engine.dispose()
    return result


def watch_errors(page, errors):
    page.on("console", lambda message: errors.append(f"{page.url}: {message.text}") if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))


def test_a_live_workshop_from_set_up_to_the_revealed_chart(live_server, browser):
    data = arrange(live_server)
    base = live_server.url
    errors: list[str] = []

    staff = browser.new_context()
    console = staff.new_page()
    watch_errors(console, errors)
    console.set_default_timeout(TIMEOUT)
    console.goto(f"{base}/sign-in")
    console.fill("input[name=email]", data["email"])
    console.fill("input[name=password]", PASSWORD)
    console.get_by_role("button", name="Sign in").click()
    console.wait_for_url(re.compile(r".*/(?!sign-in).*"))

    # Set up with the defaults: six strands, delivery as two element rounds.
    console.goto(f"{base}/assessments/{data['assessment_id']}/workshops/new")
    console.fill("input[name=title]", "Browser workshop")
    console.get_by_role("button", name="Save workshop").click()
    console.wait_for_url(re.compile(r".*/workshops/\d+$"))
    workshop_url = console.url
    code = console.locator(".app-join-code").first.inner_text().replace("-", "").strip()
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{8}", code)

    presenter = staff.new_page()
    watch_errors(presenter, errors)
    presenter.set_default_timeout(TIMEOUT)
    presenter.goto(f"{workshop_url}/present")
    assert presenter.locator(".app-qr svg").count() == 1
    assert presenter.locator("#p-result").is_hidden()

    # Three phones join before voting opens and wait.
    phones = []
    for org_type in ("police", "health", "schools"):
        context = browser.new_context(viewport={"width": 390, "height": 844})
        phone = context.new_page()
        watch_errors(phone, errors)
        phone.set_default_timeout(TIMEOUT)
        phone.goto(f"{base}/join/{code}")
        phone.locator("select[name=org_type]").select_option(org_type)
        phone.get_by_role("button", name="Join the workshop").click()
        phone.wait_for_url(re.compile(r".*/vote$"))
        assert "Wait for the facilitator" in phone.content()
        phones.append(phone)

    # The facilitator opens the first round from the keyboard (O).
    console.goto(f"{workshop_url}/facilitate")
    console.locator("h1").click()
    console.keyboard.press("o")
    console.locator("#console-message").filter(has_text="Voting is open.").wait_for()

    # Each phone follows without reloading, then votes; one changes their mind.
    for phone, stage in zip(phones, ("2", "3", "3"), strict=True):
        button = phone.locator(f"#stage-{stage}")
        button.wait_for()
        button.click()
        phone.locator("#vote-status").filter(has_text="Vote received").wait_for()
        assert phone.locator(f"#stage-{stage}").get_attribute("aria-pressed") == "true"
    phones[2].locator("#stage-4").click()
    phones[2].locator("#vote-status").filter(has_text="Vote received: Mature").wait_for()

    # The projector counts the votes as they come, and shows nothing else while hidden.
    presenter.locator("#p-count").filter(has_text=re.compile(r"^3$")).wait_for()
    assert presenter.locator("#p-result").is_hidden()
    console.locator("#console-status").filter(has_text="Schools: 1").wait_for()

    # Close (button) and reveal (keyboard R): the chart appears on the projector, no reload.
    console.get_by_role("button", name=re.compile("^Close voting")).click()
    console.locator("#console-message").filter(has_text="Voting is closed.").wait_for()
    console.locator("h1").click()
    console.keyboard.press("r")
    presenter.locator("#p-result").wait_for(state="visible")
    presenter.locator("#p-median").filter(has_text="Maturing").wait_for()
    assert presenter.locator("#p-agreement").inner_text() == "Mixed views"  # consensus 0.61
    assert presenter.locator("#p-mean").count() == 0  # numbers stay on the console and results page
    presenter.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('p-chart'))")
    bars = presenter.evaluate("() => Chart.getChart(document.getElementById('p-chart')).data.datasets[0].data")
    assert bars == [0, 1, 1, 1]
    cells = presenter.locator("#p-table td[data-stage]").all_inner_texts()
    assert cells == ["0", "1", "1", "1", "0"]
    assert presenter.locator("#p-self").inner_text() == "Not rated"

    # A late vote is refused with a message on the phone.
    late = phones[0]
    late.locator("h2", has_text="The room’s result").wait_for()
    assert "Voting has closed" in late.content()

    # Next round: the phones move on by themselves.
    console.locator("h1").click()
    console.keyboard.press("n")
    for phone in phones:
        phone.locator("#round-title").filter(has_text="Leadership").wait_for()
    presenter.locator("#p-title").filter(has_text="Leadership").wait_for()
    assert presenter.locator("#p-result").is_hidden()

    assert errors == [], errors
    for phone in phones:
        phone.context.close()
    staff.close()
