"""Accessibility of the key pages: axe-core finds no serious or critical violation, and every
chart has a table beside it with the same figures.

axe-core (fetched by scripts/fetch_assets.py into static/vendor, never served to users) is
injected into each page as it stands in the browser, scripts run, so what is checked is what
people get. The pages come from the demo data set (Hampshire's 2016 assessment, its workshop
and Cheshire West and Chester's peer review of it) and from a live workshop set up here.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.support.browser import (
    DEMO_PASSWORD,
    arrange,
    axe_missing_reason,
    chart_table_problems,
    describe_violations,
    ensure_demo,
    make_area_with_people,
    new_page,
    serious_violations,
    sign_in,
    unique,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(axe_missing_reason() is not None, reason=axe_missing_reason() or ""),
]

HAMPSHIRE_COORDINATOR = "coordinator@hampshire.example.org"
NATIONAL_TEAM = "national.team@example.org"


def _arrange_world(live) -> SimpleNamespace:
    ensure_demo(live)

    def build():
        from maturity.assessments.operations import (
            create_assessment,
            set_agreed_rating,
            set_self_rating,
            start_next_cycle,
        )
        from maturity.extensions import db
        from maturity.framework.operations import latest_framework
        from maturity.models import Area, Assessment, PeerReview, Round, Workshop
        from maturity.workshops import operations as workshops

        hampshire = db.session.scalar(select(Area).where(Area.name == "Hampshire"))
        cheshire = db.session.scalar(select(Area).where(Area.name == "Cheshire West and Chester"))
        first = db.session.scalar(select(Assessment).where(Assessment.area_id == hampshire.id).order_by(Assessment.id))
        other = db.session.scalar(select(Assessment).where(Assessment.area_id == cheshire.id).order_by(Assessment.id))
        recorded = db.session.scalar(select(Workshop).where(Workshop.assessment_id == first.id))
        review = db.session.scalar(select(PeerReview).where(PeerReview.assessment_id == first.id))
        # The demo workshop votes again on workforce development: its round shows the shift.
        revote = db.session.scalar(
            select(Round.id).where(Round.workshop_id == recorded.id, Round.revote_of_id.is_not(None))
        )
        # The demo's family questionnaire is closed (its results show on the strand page).
        from maturity.families.queries import questionnaire_of

        family_code = questionnaire_of(first).code
        # The demo's partners' survey is closed (its results and reasons show).
        from maturity.models import Survey

        demo_survey = db.session.scalar(select(Survey.id).where(Survey.assessment_id == first.id))

        # An area of our own with two cycles (a trend) and a live workshop.
        framework = latest_framework()
        own = make_area_with_people(unique("Axeshire"), {"coordinator": "coordinator"})
        earlier = create_assessment(own["area"], framework, "Self-assessment 2016", "2016 to 2017", own["coordinator"])
        for strand, code in zip(framework.strands, ("early", "developing", "developing", "maturing", "early", "developing"), strict=True):
            set_agreed_rating(earlier, strand, code, "Agreed at the partnership workshop", own["coordinator"])
        later, _ = start_next_cycle(earlier, "Self-assessment 2017", "2017 to 2018", own["coordinator"])
        for strand in framework.strands:
            set_self_rating(later, strand, "developing-maturing", "A year of progress", own["coordinator"])
        # Three more areas with agreed ratings, so the benchmarks have enough areas to show.
        for n, codes in enumerate((("developing",) * 6, ("maturing",) * 6, ("early", "mature") * 3)):
            peer = make_area_with_people(unique(f"Benchmarkshire {n}"), {})
            agreed = create_assessment(peer["area"], framework, "Self-assessment 2016", "2016 to 2017")
            for strand, code in zip(framework.strands, codes, strict=True):
                set_agreed_rating(agreed, strand, code, "Agreed with partners", None)
        live_workshop = workshops.create_workshop(later, "Partnership workshop 2017", [(s, None) for s in framework.strands[:2]], user=own["coordinator"])
        workshops.open_round(live_workshop)
        from maturity.surveys import operations as surveys

        open_survey = surveys.create_survey(later, "Partners' survey 2017", [(s, None) for s in framework.strands[:2]],
                                            own["coordinator"], ask_grade=True, ask_why=True)
        surveys.open_survey(open_survey)
        return SimpleNamespace(
            hampshire=hampshire.id, first=first.id, other=other.id, recorded=recorded.id,
            review=review.id, revote=revote, own_coordinator=own["coordinator"].email, own_area=own["area"].id,
            later=later.id, workshop=live_workshop.id, code=live_workshop.join_code, framework=framework.id,
            family_code=family_code, demo_survey=demo_survey, open_survey=open_survey.id,
        )

    return arrange(live, build)


@pytest.fixture(scope="module")
def world(live_server, browser):
    """The data, and signed-in pages for the people who use it (axe is injected, so no CSP)."""
    data = _arrange_world(live_server)
    pages = {}
    for who, email, password in (
        ("coordinator", HAMPSHIRE_COORDINATOR, DEMO_PASSWORD),
        ("national", NATIONAL_TEAM, DEMO_PASSWORD),
        ("own", data.own_coordinator, PASSWORD),
    ):
        page = new_page(browser, bypass_csp=True)
        sign_in(page, live_server.url, email, password)
        pages[who] = page
    pages["visitor"] = new_page(browser, bypass_csp=True)
    yield SimpleNamespace(data=data, base=live_server.url, live=live_server, **pages)
    for page in pages.values():
        page.context.close()


def _wait_for_charts(page) -> None:
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('canvas')).every("
        "c => !(c.offsetWidth || c.offsetHeight) || (window.Chart && Chart.getChart(c)))"
    )


def _evidence_form_with_errors(w):
    page = w.coordinator
    page.goto(f"{w.base}/assessments/{w.data.first}/evidence/new")
    page.get_by_role("button", name="Save evidence").click()
    page.locator(".govuk-error-summary").wait_for()
    return page


def _strand_rating_with_errors(w):
    page = w.coordinator
    page.goto(f"{w.base}/assessments/{w.data.first}/strands/leadership/agreed-rating")
    page.get_by_role("button", name="Save agreed rating").click()
    page.locator(".govuk-error-summary").wait_for()
    return page


def _comparison_picker_with_an_error(w):
    """The picker (an optgroup per area) sent with the same assessment on both sides."""
    page = w.national
    page.goto(f"{w.base}/compare")
    page.get_by_label("First assessment (A)").select_option(str(w.data.first))
    page.get_by_label("Second assessment (B)").select_option(str(w.data.first))
    page.get_by_role("button", name="Compare").click()
    page.locator(".govuk-error-summary").wait_for()
    second = page.get_by_label("Second assessment (B)")
    assert second.get_attribute("aria-describedby") == "b-error"
    assert page.locator("#b-error").inner_text().endswith("Select two different assessments")
    assert page.locator("#a optgroup").count() >= 2 and second.input_value() == str(w.data.first)
    return page


def _visit(who: str, path: str):
    def go(w):
        page = getattr(w, who)
        page.goto(w.base + path.format(**vars(w.data)))
        return page

    return go


#: name -> how to reach the page. Each is checked as it stands once its scripts have run.
PAGES = {
    "home": _visit("coordinator", "/"),
    "sign-in": _visit("visitor", "/sign-in"),
    "join": _visit("visitor", "/join"),
    "about": _visit("visitor", "/about"),
    "areas": _visit("coordinator", "/areas/{hampshire}"),
    "area settings": _visit("coordinator", "/areas/{hampshire}/settings"),
    "assessment task list": _visit("coordinator", "/assessments/{first}"),
    "strand page": _visit("coordinator", "/assessments/{first}/strands/leadership"),
    "self rating page": _visit("coordinator", "/assessments/{first}/strands/delivery/self-rating"),
    "element rating page": _visit("coordinator", "/assessments/{first}/strands/delivery/elements/delivery-processes/rating"),
    "agreed rating page with an error": _strand_rating_with_errors,
    "add an action page": _visit("coordinator", "/assessments/{first}/strands/leadership/actions"),
    "evidence register": _visit("coordinator", "/assessments/{first}/evidence"),
    "evidence form with errors": _evidence_form_with_errors,
    "summary": _visit("coordinator", "/assessments/{first}/summary"),
    "trend": _visit("own", "/assessments/{later}/trend"),
    "workshop results": _visit("coordinator", "/workshops/{recorded}/results"),
    "round results after a revote": _visit("coordinator", "/workshops/{recorded}/rounds/{revote}/results"),
    "peer review": _visit("coordinator", "/peer-reviews/{review}"),
    "comparison": _visit("national", "/compare?a={first}&b={other}"),
    "comparison picker with an error": _comparison_picker_with_an_error,
    "national benchmark": _visit("national", "/benchmark"),
    "area benchmark": _visit("own", "/areas/{own_area}/benchmark"),
    "facilitator console": _visit("own", "/workshops/{workshop}/facilitate"),
    "model": _visit("coordinator", "/model/"),
    "model strand": _visit("coordinator", "/model/{framework}/strands/leadership"),
    "family experience strand with family results": _visit("coordinator", "/assessments/{first}/strands/family-experience"),
    "family questionnaire for staff": _visit("coordinator", "/assessments/{first}/family-questionnaire"),
    "family questionnaire set-up": _visit("own", "/assessments/{later}/family-questionnaire"),
    "family privacy notice": _visit("visitor", "/family/{family_code}/privacy"),
    "family paper version": _visit("visitor", "/family/{family_code}/print"),
    "family closed questionnaire": _visit("visitor", "/family/{family_code}"),
    "survey results with reasons": _visit("coordinator", "/surveys/{demo_survey}"),
    "survey set-up": _visit("own", "/assessments/{later}/surveys/new"),
    "open survey with its QR code": _visit("own", "/surveys/{open_survey}"),
    "close a survey": _visit("own", "/surveys/{open_survey}/close"),
}

#: Pages that draw charts: each chart must have its table beside it.
CHART_PAGES = ["trend", "comparison", "national benchmark", "area benchmark", "workshop results", "round results after a revote"]


@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_accessibility_violations(world, name):
    page = PAGES[name](world)
    page.wait_for_load_state("load")
    violations = serious_violations(page)
    assert violations == [], describe_violations(name, page.url, violations)


@pytest.mark.parametrize("name", CHART_PAGES)
def test_every_chart_has_a_table_with_the_same_figures(world, name):
    page = PAGES[name](world)
    assert page.locator("canvas").count() >= 1, f"{name} draws no chart"
    _wait_for_charts(page)
    assert chart_table_problems(page) == []


def test_live_workshop_pages_for_phones_and_projector(world, browser):
    """The participant's voting page (before and after voting, then with the result) and the
    presenter screen with the revealed chart: no serious violations, chart beside its table."""
    problems: list[str] = []

    def check(page, name):
        violations = serious_violations(page)
        if violations:
            problems.append(describe_violations(name, page.url, violations))

    phone = new_page(browser, viewport={"width": 390, "height": 844}, bypass_csp=True)
    phone.goto(f"{world.base}/join/{world.data.code}")
    check(phone, "join page")
    phone.get_by_role("button", name="Join the workshop").click()
    phone.locator("#stage-3").wait_for()
    phone.wait_for_load_state("load")  # the voting script has run, so the vote goes through it
    check(phone, "participant voting page")
    phone.locator("#stage-3").click()
    phone.locator("#vote-status").filter(has_text="Vote received").wait_for()
    check(phone, "participant voting page after a vote")

    def reveal():
        from maturity.extensions import db
        from maturity.models import Workshop
        from maturity.workshops import operations as workshops

        workshop = db.session.get(Workshop, world.data.workshop)
        for stage in (2, 3):  # a room of fewer than 3 shows only its count
            person = workshops.join(workshop, "health")
            db.session.flush()
            workshops.record_vote(workshop.id, person.id, workshop.current_round_id, stage)
        workshops.close_round(workshop)
        workshops.reveal_round(workshop, True)
        workshops.bump(workshop.id)

    arrange(world.live, reveal)
    phone.reload()
    phone.locator("h2", has_text="The room’s result").wait_for()
    check(phone, "participant page with the room's result")

    presenter = world.own.context.new_page()
    presenter.goto(f"{world.base}/workshops/{world.data.workshop}/present")
    presenter.locator("#p-result").wait_for(state="visible")
    _wait_for_charts(presenter)
    check(presenter, "presenter screen with the result")
    problems.extend(chart_table_problems(presenter))
    counts = presenter.locator("#p-table td[data-stage]").all_inner_texts()
    assert counts == ["0", "1", "2", "0", "0"]
    presenter.close()
    phone.context.close()
    assert problems == [], "\n".join(problems)


def test_axe_reports_a_planted_violation(world):
    """The check itself works: a button with no name is caught and described."""
    page = world.visitor
    page.goto(f"{world.base}/about")
    page.evaluate("() => { const b = document.createElement('button'); document.querySelector('main').appendChild(b); }")
    violations = serious_violations(page)
    assert any(v["id"] == "button-name" for v in violations), violations
    assert re.search(r"button-name: .*\n    at ", describe_violations("about", page.url, violations))


def test_a_table_that_disagrees_with_its_chart_is_caught(world):
    """The chart check itself works: change one figure in the table and it is reported."""
    page = PAGES["national benchmark"](world)
    _wait_for_charts(page)
    assert chart_table_problems(page) == []
    page.evaluate("() => document.querySelectorAll('.app-reviews-chart-table tbody tr td:first-of-type').forEach(td => { td.innerText = '999'; })")
    problems = chart_table_problems(page)
    assert problems and all("but its table row says" in problem for problem in problems), problems
