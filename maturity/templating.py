"""Template globals: asset URLs, the CSP nonce, navigation and small filters."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, request, url_for
from flask_login import current_user

from maturity.config import ASSET_PINS, asset_url
from maturity.core.scoring import AGREEMENT_WORDS, LOW_CONSENSUS, STRONG_AGREEMENT


def asset(name: str) -> dict[str, str | None]:
    """URL, integrity hash and local fallback of a pinned front-end asset; a URL set by hand has neither."""
    override = current_app.config.get(
        {"govuk_css": "GOVUK_FRONTEND_CSS_URL", "govuk_js": "GOVUK_FRONTEND_JS_URL",
         "chartjs": "CHARTJS_URL"}[name]
    )
    if override:
        return {"url": override, "integrity": None, "fallback": None}
    source = current_app.config["ASSET_SOURCE"]
    return {
        "url": asset_url(name, source),
        "integrity": ASSET_PINS[name]["integrity"],
        # When the CDN cannot be reached (offline, blocked), pages load the same pinned file
        # from static/vendor, which `make run` fetches.
        "fallback": asset_url(name, "local") if source != "local" else None,
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


UK_TIME = ZoneInfo("Europe/London")


def format_time(value: datetime) -> str:
    """A time the GOV.UK way: 5:59pm, 9am, midday, midnight."""
    if value.hour == 12 and value.minute == 0:
        return "midday"
    if value.hour == 0 and value.minute == 0:
        return "midnight"
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"


def format_date(value: date | datetime | None, with_time: bool = False) -> str:
    """A date the GOV.UK way, "2 December 2026", and with the time "2 December 2026 at 5:59pm".

    Times are stored as naive UTC and shown in UK time, as the people using the service read them.
    """
    if value is None:
        return ""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        value = aware.astimezone(UK_TIME)
        if with_time:
            return f"{value.day} {value:%B %Y} at {format_time(value)}"
    return f"{value.day} {value:%B %Y}"


def register(app: Flask) -> None:
    app.add_template_global(asset)
    app.add_template_global(navigation)
    app.add_template_filter(format_date, "date")
    # The agreement words and where they start, for the pages that explain them.
    app.add_template_global(
        {"words": AGREEMENT_WORDS, "strong": STRONG_AGREEMENT, "mixed": LOW_CONSENSUS}, "AGREEMENT"
    )

    @app.context_processor
    def inject() -> dict:
        return {
            "service_name": app.config["SERVICE_NAME"],
            "csp_nonce": g.get("csp_nonce", ""),
        }
