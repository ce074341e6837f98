"""Families' own voice in headless Chromium: a family answers the questionnaire on a 390×844
phone with JavaScript turned off (the page fits the screen, answers once, and a second try says
so), and a worker types in a paper answer, stored as transcribed. axe on every screen of it.
"""

from __future__ import annotations

import pytest

from tests.support.browser import (
    TIMEOUT,
    arrange,
    describe_violations,
    make_area_with_people,
    new_page,
    serious_violations,
    sign_in,
    unique,
)

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _open_questionnaire(live):
    def build():
        from maturity.assessments.operations import create_assessment
        from maturity.families import operations
        from maturity.framework.operations import latest_framework

        place = make_area_with_people(unique("Familyshire"), {"worker": "contributor"})
        assessment = create_assessment(place["area"], latest_framework(), "Self-assessment 2026", "2026 to 2027")
        questionnaire = operations.create_questionnaire(assessment, None)
        operations.open_questionnaire(questionnaire, None)
        return {"code": questionnaire.code, "id": questionnaire.id, "worker": place["worker"].email}

    return arrange(live, build)


def _responses(live, questionnaire_id: int) -> list[tuple[bool, dict[str, str], str | None]]:
    def build():
        from sqlalchemy import select

        from maturity.extensions import db
        from maturity.models import FamilyResponse

        rows = db.session.scalars(
            select(FamilyResponse).where(FamilyResponse.questionnaire_id == questionnaire_id).order_by(FamilyResponse.id)
        )
        return [(r.transcribed, {a.question_key: a.answer for a in r.answers}, r.comment) for r in rows]

    return arrange(live, build)


def _axe(page, name: str) -> None:
    violations = serious_violations(page)
    assert violations == [], describe_violations(name, page.url, violations)


def test_a_family_answers_on_a_phone_without_javascript(live_server, browser):
    questionnaire = _open_questionnaire(live_server)
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    phone = context.new_page()
    phone.set_default_timeout(TIMEOUT)
    url = f"{live_server.url}/family/{questionnaire['code']}"
    phone.goto(url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.get_by_role("link", name="What happens to your answers").click()
    phone.get_by_role("heading", name="What happens to your answers").wait_for()
    assert "deleted 12 months after" in phone.content()
    phone.get_by_role("link", name="Back to the questions").click()
    phone.get_by_role("group", name="1. Did you have one worker you knew, who helped your whole family?").get_by_label("Yes, a lot").check()
    phone.get_by_role("group", name="2. Did you only have to tell your story once?").get_by_label("Not really").check()
    phone.get_by_role("group", name="6. Have things stayed better since the help ended?").get_by_label("I would rather not say").check()
    phone.get_by_label("Is there anything else you want to tell us? (optional)").fill("The help came quickly.")
    phone.get_by_role("button", name="Send my answers").click()
    phone.get_by_role("heading", name="Thank you").wait_for()
    assert _responses(live_server, questionnaire["id"]) == [
        (False, {"one-worker": "yes-a-lot", "story-once": "not-really", "stayed-better": "prefer-not"}, "The help came quickly.")
    ]
    # The same phone again: it is told it has answered, and nothing more is stored.
    phone.goto(url)
    assert "already sent your answers" in phone.content()
    assert len(_responses(live_server, questionnaire["id"])) == 1
    context.close()

    # The same screens, with scripts on, for axe.
    checked = new_page(browser, viewport=PHONE, bypass_csp=True)
    for path, name in (("", "family questionnaire"), ("/privacy", "family privacy notice"), ("/print", "paper questionnaire")):
        checked.goto(url + path)
        _axe(checked, name)
        assert checked.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    checked.context.close()


def test_a_worker_types_in_a_paper_answer(live_server, browser):
    questionnaire = _open_questionnaire(live_server)
    page = new_page(browser, bypass_csp=True)
    sign_in(page, live_server.url, questionnaire["worker"])
    page.goto(f"{live_server.url}/family-questionnaires/{questionnaire['id']}/transcribe")
    _axe(page, "transcription form")
    page.get_by_role("group", name="3. Did you and your worker make one plan together that you agreed with?").get_by_label("Yes, a bit").check()
    page.get_by_role("group", name="4. Did you get help with everyday things, like money, housing or school?").get_by_label("No, not at all").check()
    page.get_by_role("button", name="Save this paper answer").click()
    page.get_by_text("Paper answer saved, marked as typed in from paper").wait_for()
    assert _responses(live_server, questionnaire["id"]) == [
        (True, {"one-plan": "yes-a-bit", "practical-help": "no"}, None)
    ]
    page.context.close()
