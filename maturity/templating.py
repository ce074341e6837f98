"""Template globals: asset URLs, the CSP nonce, navigation and small filters."""

from datetime import date, datetime

from flask import Flask, current_app, g, request, url_for
from flask_login import current_user

from maturity.config import ASSET_PINS, _asset_url


def asset(name: str) -> dict[str, str | None]:
    """URL and integrity hash of a pinned front-end asset; a URL set by hand has no hash."""
    override = current_app.config.get(
        {"govuk_css": "GOVUK_FRONTEND_CSS_URL", "govuk_js": "GOVUK_FRONTEND_JS_URL",
         "chartjs": "CHARTJS_URL"}[name]
    )
    if override:
        return {"url": override, "integrity": None}
    return {
        "url": _asset_url(name, current_app.config["ASSET_SOURCE"]),
        "integrity": ASSET_PINS[name]["integrity"],
    }


def navigation() -> list[dict]:
    """Service navigation items for the signed-in user."""
    if not current_user.is_authenticated:
        return []
    items = [
        ("main.index", "Home"),
        ("areas.index", "Areas"),
        ("reviews.index", "Peer reviews"),
        ("compare.show", "Compare"),
        ("framework.index", "The model"),
    ]
    if current_user.is_admin:
        items.append(("benchmark.national", "Benchmark"))
        items.append(("admin.index", "Admin"))
    here = request.endpoint or ""
    result = []
    for endpoint, text in items:
        prefix = endpoint.split(".")[0] + "."
        active = here == endpoint if prefix in ("main.", "reviews.") else here.startswith(prefix)
        result.append({"href": url_for(endpoint), "text": text, "active": active})
    return result


def format_date(value: date | datetime | None, with_time: bool = False) -> str:
    if value is None:
        return ""
    if with_time and isinstance(value, datetime):
        return value.strftime("%-d %B %Y at %H:%M")
    return value.strftime("%-d %B %Y")


def register(app: Flask) -> None:
    app.add_template_global(asset)
    app.add_template_global(navigation)
    app.add_template_filter(format_date, "date")

    @app.context_processor
    def inject() -> dict:
        return {
            "service_name": app.config["SERVICE_NAME"],
            "csp_nonce": g.get("csp_nonce", ""),
        }
