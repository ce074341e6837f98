"""Security headers, with a Content-Security-Policy that allows only the pinned asset hosts."""

import secrets
from urllib.parse import urlparse

from flask import Flask, current_app, g, request

from maturity.templating import asset


def asset_origins() -> list[str]:
    origins = set()
    for name in ("govuk_css", "govuk_js", "chartjs"):
        parsed = urlparse(asset(name)["url"])
        if parsed.scheme and parsed.netloc:
            origins.add(f"{parsed.scheme}://{parsed.netloc}")
    return sorted(origins)


def content_security_policy(nonce: str, origins: list[str] | None = None) -> str:
    """The policy; `origins` are the asset hosts (asset_origins(), read from the app's config)."""
    hosts = " ".join(asset_origins() if origins is None else origins)
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}' {hosts}".strip(),
            f"style-src 'self' {hosts}".strip(),
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
        ]
    )


def register(app: Flask) -> None:
    @app.before_request
    def make_nonce() -> None:
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.after_request
    def headers(response):
        apply_headers(
            response.headers,
            secure=request.is_secure or bool(current_app.config.get("SESSION_COOKIE_SECURE")),
            nonce=g.get("csp_nonce"),
            cache=request.endpoint != "static",
        )
        return response


def apply_headers(
    headers, secure: bool, nonce: str | None = None, cache: bool = True, origins: list[str] | None = None
) -> None:
    """The security headers every answer carries (those already set are kept); also used by
    the phones' quick vote path (workshops/quick_votes.py), which answers before Flask, outside
    any app context, with the asset `origins` it read once."""
    headers.setdefault("Content-Security-Policy", content_security_policy(nonce or secrets.token_urlsafe(16), origins))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
    if secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if cache and "Cache-Control" not in headers:
        # Pages carry area data: never keep them in shared caches.
        headers["Cache-Control"] = "no-store"
