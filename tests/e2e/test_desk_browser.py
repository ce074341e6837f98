"""The desk in headless Chromium: pages that fit a phone, a summary that prints on one page,
one question per page, the home page's to-do list, and a site that still works offline.

Screenshots of the strand, summary and home pages are saved under build/screenshots/ on every run.
"""

from __future__ import annotations

import re

import pytest

from tests.support.browser import (
    DEMO_PASSWORD,
    SCREENSHOTS,
    arrange,
    chart_table_problems,
    ensure_demo,
    new_page,
    save_screenshot,
    sign_in,
    watch_errors,
)

pytestmark = pytest.mark.browser

HAMPSHIRE_COORDINATOR = "coordinator@hampshire.example.org"
NATIONAL_TEAM = "national.team@example.org"
CDN = "https://cdn.jsdelivr.net/**"


# --------------------------------------------------------------------------------------------
# Offline: the CDN cannot be reached
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cdn_server(tmp_path_factory):
    """The app as `make run` serves it: assets from the CDN (with their hashes), fallbacks local."""
    from tests.e2e.conftest import _sqlite_server, skip_reason

    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    yield from _sqlite_server(tmp_path_factory.mktemp("live-cdn"), ASSET_SOURCE="cdn")


def _styled(page) -> bool:
    """GOV.UK Frontend's stylesheet applies: the page scrolls as it sets and its grid is 960px wide."""
    return page.evaluate(
        """() => getComputedStyle(document.documentElement).overflowY === 'scroll'
                 && getComputedStyle(document.querySelector('.govuk-width-container')).maxWidth === '960px'"""
    )


def test_with_the_cdn_unreachable_pages_are_styled_and_charts_drawn(cdn_server, browser):
    ensure_demo(cdn_server)
    page = new_page(browser)
    blocked: list[str] = []

    def refuse(route):
        blocked.append(route.request.url)
        route.abort("internetdisconnected")

    page.route(CDN, refuse)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, cdn_server.url, NATIONAL_TEAM, DEMO_PASSWORD)
    assert _styled(page), "the sign-in page lost GOV.UK Frontend's styles"
    assert page.locator("link[data-fallback]").count() == 1

    page.goto(f"{cdn_server.url}/benchmark")
    assert _styled(page)
    page.wait_for_function("() => window.Chart && Chart.getChart(document.querySelector('canvas'))")
    # GOV.UK Frontend's JavaScript came from the local copy too and started its components.
    page.wait_for_function("() => document.body.classList.contains('govuk-frontend-supported')"
                           " && document.querySelector('[data-module=\"govuk-service-navigation\"], [data-module]')"
                           "      ?.getAttributeNames().some(name => name.endsWith('-init'))")
    assert any("chart.umd" in url for url in blocked) and any(".css" in url for url in blocked)
    assert errors == [], errors
    page.context.close()


def test_with_the_cdn_reachable_no_fallback_is_loaded(cdn_server, browser):
    """When the CDN answers (here: with the pinned local bytes), the fallback stays unused."""
    from maturity.config import ASSET_PINS, ROOT

    by_url = {
        f"https://cdn.jsdelivr.net/npm/{pin['package']}@{pin['version']}/{pin['file']}":
            ROOT / "static" / "vendor" / f"{pin['package']}@{pin['version']}" / pin["file"]
        for pin in ASSET_PINS.values()
    }

    def serve(route):
        path = by_url.get(route.request.url)
        if path is None:
            route.abort()
            return
        kind = "text/css" if path.suffix == ".css" else "text/javascript"
        route.fulfill(body=path.read_bytes(), content_type=kind,
                      headers={"Access-Control-Allow-Origin": "*"})

    page = new_page(browser)
    page.route(CDN, serve)
    local: list[str] = []
    page.on("request", lambda request: local.append(request.url) if "/static/vendor/" in request.url else None)
    page.goto(f"{cdn_server.url}/sign-in")
    assert _styled(page)
    page.wait_for_function("() => document.body.classList.contains('govuk-frontend-supported')")
    assert page.locator("link[data-fallback]").count() == 0
    assert local == []
    page.context.close()


# --------------------------------------------------------------------------------------------
# The desk at 1280×900: strand page, one question per page, summary on one A4 page, home page
# --------------------------------------------------------------------------------------------


def _hampshire(live, name: str = "Hampshire") -> dict:
    """Ids of an area's first demo assessment (Hampshire 2016 is the demo's richest) and the area."""
    ensure_demo(live)

    def find():
        from sqlalchemy import select

        from maturity.extensions import db
        from maturity.models import Area, Assessment

        area = db.session.scalar(select(Area).where(Area.name == name))
        first = db.session.scalar(select(Assessment).where(Assessment.area_id == area.id).order_by(Assessment.id))
        return {"area": area.id, "assessment": first.id}

    return arrange(live, find)


def _pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", data))


def test_one_page_summary_prints_on_one_a4_landscape_page(live_server, browser):
    ids = _hampshire(live_server)
    page = new_page(browser)
    sign_in(page, live_server.url, HAMPSHIRE_COORDINATOR, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/assessments/{ids['assessment']}/summary")
    save_screenshot(page, "summary-1280x900")
    pdf = page.pdf(format="A4", landscape=True, prefer_css_page_size=True, print_background=True)
    (SCREENSHOTS / "summary.pdf").write_bytes(pdf)
    # The print view as it lays out on the page (A4 landscape less its 8 mm margins, at 96 dpi).
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 1062, "height": 733})
    save_screenshot(page, "summary-print-a4-landscape")
    assert _pdf_pages(pdf) == 1, f"the summary prints on {_pdf_pages(pdf)} pages"
    page.context.close()


def test_strand_page_and_rating_on_a_page_of_its_own(live_server, browser):
    ids = _hampshire(live_server, "Hartlepool")  # its assessment is still in progress
    page = new_page(browser)
    errors: list[str] = []
    watch_errors(page, errors)
    sign_in(page, live_server.url, "coordinator@hartlepool.example.org", DEMO_PASSWORD)
    strand_url = f"{live_server.url}/assessments/{ids['assessment']}/strands/workforce-development"
    page.goto(strand_url)
    save_screenshot(page, "strand-1280x900")
    assert page.locator("main form").count() == 0, "the strand page holds forms"
    page.get_by_role("link", name=re.compile(r"^(Rate|Change)\s+(self rating of )?Training and development")).first.click()
    page.get_by_role("heading", level=1, name=re.compile("self rating of Training and development")).wait_for()
    # The stage definitions sit beside the choices: both in view together.
    radios = page.locator(".govuk-radios").bounding_box()
    definitions = page.locator(".app-stage-definitions").bounding_box()
    assert definitions["x"] > radios["x"] + radios["width"] - 1 and definitions["y"] < 900
    save_screenshot(page, "element-rating-1280x900")
    page.get_by_label("Developing", exact=True).check()
    page.get_by_role("button", name="Save self rating").click()
    banner = page.locator(".govuk-notification-banner", has_text="Self rating saved for Training and development")
    banner.wait_for()
    assert page.url.rstrip("/") == strand_url
    box = banner.bounding_box()
    assert box["y"] + box["height"] <= 900 and page.evaluate("() => window.scrollY") == 0
    page.get_by_role("link", name=re.compile("Back to|Workforce")).first.wait_for()
    assert errors == [], errors
    page.context.close()


def test_home_page_to_do_lists(live_server, browser):
    _hampshire(live_server)
    seen = {}
    for who, email in (("coordinator", HAMPSHIRE_COORDINATOR), ("reviewer", "reviewer@cheshirewest.example.org"),
                       ("partner", "police@hampshire.example.org")):
        page = new_page(browser)
        sign_in(page, live_server.url, email, DEMO_PASSWORD)
        page.goto(f"{live_server.url}/")
        page.get_by_role("heading", level=1, name="What is waiting for you").wait_for()
        save_screenshot(page, f"home-{who}-1280x900")
        seen[who] = page.locator("main").inner_text()
        page.context.close()
    assert re.search(r"\d of 6 strands done", seen["coordinator"])
    assert "Assessments to continue" in seen["partner"] and "Challenges to answer" not in seen["partner"]
    assert "Assessments to continue" not in seen["reviewer"]


# --------------------------------------------------------------------------------------------
# Every coordinator page fits a 390 px phone without scrolling sideways
# --------------------------------------------------------------------------------------------

COORDINATOR_PAGES = [
    "/", "/areas/", "/areas/{area}", "/areas/{area}/settings", "/areas/{area}/benchmark",
    "/assessments/areas/{area}/new",
    "/assessments/{assessment}", "/assessments/{assessment}/strands/leadership",
    "/assessments/{assessment}/strands/delivery", "/assessments/{assessment}/strands/leadership/self-rating",
    "/assessments/{assessment}/strands/delivery/elements/delivery-processes/rating",
    "/assessments/{assessment}/strands/leadership/agreed-rating",
    "/assessments/{assessment}/strands/leadership/actions", "/assessments/{assessment}/actions",
    "/assessments/{assessment}/actions/{action}/edit", "/assessments/{assessment}/history",
    "/assessments/{assessment}/status", "/assessments/{assessment}/summary", "/assessments/{assessment}/trend",
    "/assessments/{assessment}/next", "/assessments/{assessment}/peer-reviews/new",
    "/assessments/{assessment}/evidence", "/assessments/{assessment}/evidence/new",
    "/evidence/{evidence}", "/evidence/{evidence}/edit",
    "/assessments/{assessment}/workshops", "/assessments/{assessment}/workshops/new",
    "/workshops/{workshop}", "/workshops/{workshop}/edit", "/workshops/{workshop}/results",
    "/workshops/{workshop}/rounds/{round}/results", "/workshops/{workshop}/facilitate",
    "/peer-reviews", "/peer-reviews/{review}", "/compare",
    "/model/", "/model/{framework}", "/model/{framework}/strands/leadership",
    "/profile", "/about",
]
#: Pages of the national team and of a peer reviewer, checked the same way.
OTHER_PAGES = {
    NATIONAL_TEAM: ["/benchmark", "/compare?a={assessment}&b={other}", "/admin/", "/admin/users"],
    "reviewer@cheshirewest.example.org": ["/peer-reviews/{review}", "/peer-reviews/{review}/strands/leadership"],
}


def _demo_ids(live) -> dict:
    ensure_demo(live)

    def find():
        from sqlalchemy import select

        from maturity.extensions import db
        from maturity.models import Action, Area, Assessment, Evidence, PeerReview, Round, Workshop

        area = db.session.scalar(select(Area).where(Area.name == "Hampshire"))
        first = db.session.scalar(select(Assessment).where(Assessment.area_id == area.id).order_by(Assessment.id))
        other = db.session.scalar(select(Assessment).where(Assessment.area_id != area.id).order_by(Assessment.id))
        workshop = db.session.scalar(select(Workshop).where(Workshop.assessment_id == first.id))
        return {
            "area": area.id, "assessment": first.id, "other": other.id, "framework": first.framework_id,
            "evidence": db.session.scalar(select(Evidence.id).where(Evidence.assessment_id == first.id)),
            "action": db.session.scalar(select(Action.id).where(Action.assessment_id == first.id)),
            "workshop": workshop.id,
            "round": db.session.scalar(select(Round.id).where(Round.workshop_id == workshop.id)),
            "review": db.session.scalar(select(PeerReview.id).where(PeerReview.assessment_id == first.id)),
        }

    return arrange(live, find)


def _too_wide(page, url: str) -> str | None:
    """What makes a page wider than the 390 px phone, or None when it fits (or is not shown)."""
    response = page.goto(url)
    assert response.status == 200, f"{url}: {response.status}"
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width <= 390:
        return None
    wide = page.evaluate(
        """() => Array.from(document.querySelectorAll('body *'))
            .filter(el => el.getBoundingClientRect().right > 391)
            .slice(-3).map(el => el.tagName.toLowerCase() + '.' + el.className)"""
    )
    return f"{url}: {width}px ({', '.join(wide)})"


def test_no_coordinator_page_scrolls_sideways_on_a_390px_phone(live_server, browser):
    ids = _demo_ids(live_server)
    too_wide = []
    for email, paths in {HAMPSHIRE_COORDINATOR: COORDINATOR_PAGES, **OTHER_PAGES}.items():
        page = new_page(browser, viewport={"width": 390, "height": 844})
        sign_in(page, live_server.url, email, DEMO_PASSWORD)
        too_wide += [problem for path in paths if (problem := _too_wide(page, live_server.url + path.format(**ids)))]
        if email == HAMPSHIRE_COORDINATOR:
            for name, path in (("strand", "/assessments/{assessment}/strands/leadership"),
                               ("summary", "/assessments/{assessment}/summary"), ("home", "/")):
                page.goto(live_server.url + path.format(**ids))
                save_screenshot(page, f"{name}-390x844")
        page.context.close()
    assert too_wide == [], "\n".join(too_wide)


# --------------------------------------------------------------------------------------------
# Charts: one stage colour scale, areas never in a stage's colour, "not agreed" counted
# --------------------------------------------------------------------------------------------

STAGE_SCALE = ["#d4351c", "#f47738", "#1d70b8", "#00703c"]

_DATASETS = """() => Array.from(document.querySelectorAll('canvas')).map(canvas => {
    const chart = Chart.getChart(canvas);
    return chart ? {id: canvas.id, type: chart.config.type, datasets: chart.data.datasets.map(d => ({
        label: d.label, border: d.borderColor, background: d.backgroundColor, data: d.data}))} : null;
}).filter(Boolean)"""


def test_charts_share_one_stage_scale_and_areas_are_never_a_stage_colour(live_server, browser):
    ids = _demo_ids(live_server)
    page = new_page(browser)
    sign_in(page, live_server.url, NATIONAL_TEAM, DEMO_PASSWORD)

    page.goto(f"{live_server.url}/benchmark")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.querySelector('canvas'))")
    (national,) = page.evaluate(_DATASETS)
    labels = [d["label"] for d in national["datasets"]]
    assert labels == ["Early", "Developing", "Maturing", "Mature", "Not agreed"]
    assert [d["background"] for d in national["datasets"][:4]] == STAGE_SCALE
    # Every area is counted once per strand: at a stage or not agreed.
    areas = page.locator("table.app-reviews-areas tbody tr").count()
    assert all(sum(column) == areas for column in zip(*(d["data"] for d in national["datasets"]), strict=True))

    page.goto(f"{live_server.url}/compare?a={ids['assessment']}&b={ids['other']}")
    page.wait_for_function("() => window.Chart && Array.from(document.querySelectorAll('canvas')).every(c => Chart.getChart(c))")
    charts = page.evaluate(_DATASETS)
    colours = {str(c).lower() for chart in charts for d in chart["datasets"] for c in (d["border"], d["background"])
               if isinstance(c, str) and c.startswith("#")}
    assert colours and not colours & set(STAGE_SCALE), colours
    save_screenshot(page, "compare-1280x900")
    page.context.close()


def test_trend_with_one_cycle_shows_all_six_strands(live_server, browser):
    ids = _demo_ids(live_server)
    page = new_page(browser)
    sign_in(page, live_server.url, HAMPSHIRE_COORDINATOR, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/assessments/{ids['assessment']}/trend")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.querySelector('#trend-chart'))")
    labels = page.evaluate("() => Chart.getChart(document.querySelector('#trend-chart')).data.labels")
    assert len(labels) == 6, labels
    assert chart_table_problems(page) == []
    page.context.close()


def test_comparison_pickers_show_the_full_names(live_server, browser):
    ids = _demo_ids(live_server)
    page = new_page(browser)
    sign_in(page, live_server.url, NATIONAL_TEAM, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/compare?a={ids['assessment']}&b={ids['other']}")
    cut = page.evaluate(
        """() => Array.from(document.querySelectorAll('.app-reviews-picker select')).map(select => {
            const text = select.options[select.selectedIndex].text;
            const probe = document.createElement('span');
            probe.style.cssText = 'position:absolute;visibility:hidden;white-space:nowrap';
            probe.style.font = getComputedStyle(select).font;
            probe.textContent = text;
            document.body.appendChild(probe);
            const fits = probe.getBoundingClientRect().width + 40 <= select.clientWidth;
            probe.remove();
            return fits ? null : text;
        }).filter(Boolean)"""
    )
    assert cut == [], f"cut off in a closed picker: {cut}"
    page.context.close()
