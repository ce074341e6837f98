"""A partner answers a survey in headless Chromium on a 390×844 phone with scripts off: types the
code, answers two questions, closes the page, comes back on the same phone and carries on at the
third, checks their answers, changes one and sends them. The question page shows its four stages,
"Don't know" and Continue without scrolling. axe on every partner page.
"""

from __future__ import annotations

import pytest

from tests.support import browser as support

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
STAGES = ("Early", "Developing", "Maturing", "Mature")


def _open_survey(live, **settings):
    """An open survey on a new area's assessment: three strands, then delivery's first element."""

    def build():
        from maturity.assessments.operations import create_assessment
        from maturity.framework.operations import latest_framework
        from maturity.surveys import operations

        place = support.make_area_with_people(support.unique("Surveyshire"), {})
        assessment = create_assessment(place["area"], latest_framework(), "Self-assessment 2026", "2026 to 2027")
        strands = {s.key: s for s in assessment.framework.strands}
        delivery = strands["delivery"]
        items = [(strands["family-experience"], None), (strands["leadership"], None),
                 (strands["workforce-development"], None), (delivery, delivery.elements[0])]
        survey = operations.create_survey(assessment, "Before our workshop", items, **settings)
        operations.open_survey(survey)
        return {"code": survey.code, "id": survey.id, "items": [item.name for item in survey.items]}

    return support.arrange(live, build)


def _answers(live, survey_id: int) -> list[tuple[bool, str | None, list[tuple[int, int | None, str | None]]]]:
    def build():
        from sqlalchemy import select

        from maturity.extensions import db
        from maturity.models import SurveyResponse

        rows = db.session.scalars(select(SurveyResponse).where(SurveyResponse.survey_id == survey_id))
        return [
            (r.submitted, r.org_type, sorted((a.item.position, a.stage, a.reason) for a in r.answers))
            for r in rows
        ]

    return support.arrange(live, build)


def _fits_without_scrolling(page, name: str) -> None:
    """The four stages, "Don't know" and Continue are all on the first screen, and nothing
    spills sideways."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    for label in (*STAGES, "Don’t know"):
        box = page.get_by_label(label, exact=True).bounding_box()
        assert box and box["y"] + box["height"] <= PHONE["height"], f"{label} is below the fold on {name}"
    button = page.get_by_role("button", name="Continue").bounding_box()
    assert button["y"] + button["height"] <= PHONE["height"], f"Continue is below the fold on {name}: {button}"


def test_a_partner_answers_leaves_and_comes_back_on_a_phone(live_server, browser):
    survey = _open_survey(live_server, ask_why=True, ask_grade=True)
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    phone = context.new_page()
    phone.set_default_timeout(support.TIMEOUT)
    phone.goto(f"{live_server.url}/survey")
    code = survey["code"].lower()
    phone.get_by_label("Enter your survey code").fill(f" {code[:4]} - {code[4:]} ")
    phone.get_by_role("button", name="Continue").click()
    phone.get_by_role("heading", name="Before our workshop").wait_for()
    support.save_screenshot(phone, "survey-start-phone")
    phone.get_by_label("Kind of organisation (optional)").select_option(label="Police")
    phone.get_by_role("button", name="Start").click()

    phone.get_by_role("heading", name=survey["items"][0]).wait_for()
    _fits_without_scrolling(phone, "the first question")
    support.save_screenshot(phone, "survey-question-phone")
    phone.get_by_label("Developing", exact=True).check()
    phone.get_by_text("Why? Give a reason (optional)").click()
    phone.get_by_label("Why? (optional)").fill("Families tell us they repeat their story.")
    phone.get_by_role("button", name="Continue").click()
    phone.get_by_role("heading", name=survey["items"][1]).wait_for()
    phone.get_by_label("Don’t know", exact=True).check()
    phone.get_by_role("button", name="Continue").click()
    phone.get_by_role("heading", name=survey["items"][2]).wait_for()
    phone.close()

    # Later, the same phone: the survey's address takes them on from the third question.
    again = context.new_page()
    again.set_default_timeout(support.TIMEOUT)
    again.goto(f"{live_server.url}/survey/{survey['code']}")
    assert "You have answered 2 of 4" in again.content()
    again.get_by_role("button", name="Continue").click()
    again.get_by_role("heading", name=survey["items"][2]).wait_for()
    again.get_by_label("Maturing", exact=True).check()
    again.get_by_role("button", name="Continue").click()
    again.get_by_role("heading", name=survey["items"][3]).wait_for()
    _fits_without_scrolling(again, "an element's question")
    again.get_by_label("Mature", exact=True).check()
    again.get_by_role("button", name="Continue").click()

    again.get_by_role("heading", name="Check your answers").wait_for()
    again.get_by_role("link", name=f"Change {survey['items'][1]}").click()
    again.get_by_label("Early", exact=True).check()
    again.get_by_role("button", name="Continue").click()
    again.get_by_role("heading", name="Check your answers").wait_for()
    support.save_screenshot(again, "survey-check-phone")
    again.get_by_role("button", name="Send my answers").click()
    again.get_by_role("heading", name="Thank you").wait_for()
    support.save_screenshot(again, "survey-done-phone")
    assert _answers(live_server, survey["id"]) == [
        (True, "police", [(1, 2, "Families tell us they repeat their story."), (2, 1, None), (3, 3, None), (4, 4, None)])
    ]
    context.close()



def _axe(page, name: str) -> None:
    violations = support.serious_violations(page)
    assert violations == [], support.describe_violations(name, page.url, violations)


def test_axe_finds_nothing_serious_on_the_partners_pages(live_server, browser):
    survey = _open_survey(live_server, ask_why=True, ask_grade=True, ask_role=True)
    base = f"{live_server.url}/survey"
    page = support.new_page(browser, viewport=PHONE, bypass_csp=True)
    page.goto(base)
    _axe(page, "the survey code page")
    page.get_by_role("button", name="Continue").click()
    page.get_by_text("Enter the survey code").first.wait_for()
    _axe(page, "the survey code page with an error")
    page.goto(f"{base}/{survey['code']}")
    _axe(page, "the survey's start page")
    page.get_by_role("button", name="Start").click()
    page.get_by_role("heading", name=survey["items"][0]).wait_for()
    _axe(page, "a question")
    page.get_by_role("button", name="Continue").click()
    page.get_by_text("There is a problem").wait_for()
    _axe(page, "a question with an error")
    support.save_screenshot(page, "survey-question-error-phone")
    page.get_by_label("Maturing", exact=True).check()
    page.get_by_role("button", name="Save and come back later").click()
    page.get_by_role("heading", name="Your answers are saved").wait_for()
    _axe(page, "the saved page")
    page.goto(f"{base}/{survey['code']}/q/4")
    page.get_by_label("Early", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.goto(f"{base}/{survey['code']}/check")
    _axe(page, "check your answers")
    page.get_by_role("button", name="Send my answers").click()
    page.get_by_role("heading", name="Thank you").wait_for()
    _axe(page, "the thank-you page")
    waiting = _open_survey(live_server)
    support.arrange(live_server, lambda: _close(waiting["id"]))
    page.goto(f"{base}/{waiting['code']}")
    page.get_by_role("heading", name="This survey has closed").wait_for()
    _axe(page, "a closed survey")
    page.context.close()


def _close(survey_id: int) -> None:
    from maturity.extensions import db
    from maturity.models import Survey
    from maturity.surveys import operations

    operations.close_survey(db.session.get(Survey, survey_id))
