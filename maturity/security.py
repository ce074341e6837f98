"""Security headers, with a Content-Security-Policy that allows only the pinned asset hosts."""

import secrets
from urllib.parse import urlparse

from flask import Flask, current_app, g, request

from maturity.templating import asset


def _asset_origins() -> list[str]:
    origins = set()
    for name in ("govuk_css", "govuk_js", "chartjs"):
        parsed = urlparse(asset(name)["url"])
        if parsed.scheme and parsed.netloc:
            origins.add(f"{parsed.scheme}://{parsed.netloc}")
    return sorted(origins)


def content_security_policy(nonce: str) -> str:
    hosts = " ".join(_asset_origins())
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
        nonce = g.get("csp_nonce") or secrets.token_urlsafe(16)
        response.headers.setdefault("Content-Security-Policy", content_security_policy(nonce))
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        )
        if request.is_secure or current_app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        if request.endpoint != "static" and "Cache-Control" not in response.headers:
            # Pages carry area data: never keep them in shared caches.
            response.headers["Cache-Control"] = "no-store"
        return response
