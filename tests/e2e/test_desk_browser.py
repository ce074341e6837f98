"""The desk in headless Chromium: pages that fit a phone, a summary that prints on one page,
one question per page, the home page's to-do list, and a site that still works offline.

Screenshots of the strand, summary and home pages are saved under build/screenshots/ on every run.
"""

from __future__ import annotations

import pytest

from tests.support.browser import (
    DEMO_PASSWORD,
    ensure_demo,
    new_page,
    sign_in,
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
