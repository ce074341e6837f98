"""The read-only JSON API at /api/v1, authenticated with personal API tokens (Bearer)."""

from flask import Blueprint

from maturity.extensions import csrf, limiter

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Token-authenticated GETs only: there is no session cookie for a cross-site form to ride on.
csrf.exempt(bp)
# Generous for dashboards refreshing, but stops anyone hammering the token check.
limiter.limit("300 per minute")(bp)

from maturity.api import compare, families, routes, surveys, workshops  # noqa: E402,F401
