"""Settings, read from environment variables with safe defaults for a developer's machine."""

import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Front-end assets, pinned. The integrity hashes are of the exact files `make assets` fetches
#: from the npm registry; jsDelivr serves the same bytes from the package tarball.
ASSET_PINS = {
    "govuk_css": {
        "package": "govuk-frontend",
        "version": "6.3.0",
        "file": "dist/govuk/govuk-frontend.min.css",
        "integrity": "sha384-US5ADBwRVIGQ6y7T2+tAzmmdabEk7TABOHtCbzv+3p5Bkm1dUZTFFC9tnQ7Zjp/P",
    },
    "govuk_js": {
        "package": "govuk-frontend",
        "version": "6.3.0",
        "file": "dist/govuk/govuk-frontend.min.js",
        "integrity": "sha384-RxJhHZTLFdr4MFIzYt95VgZ78QIOb+Nst0jGGNxOCGQx43K5RQOtFxPnv/0SeUwQ",
    },
    "chartjs": {
        "package": "chart.js",
        "version": "4.5.1",
        "file": "dist/chart.umd.min.js",
        "integrity": "sha384-jb8JQMbMoBUzgWatfe6COACi2ljcDdZQ2OxczGA3bGNeWe+6DChMTBJemed7ZnvJ",
    },
}

CDN_BASE = "https://cdn.jsdelivr.net/npm"


def asset_url(name: str, source: str) -> str:
    """Where a pinned front-end asset is fetched from: the CDN or static/vendor (`local`)."""
    pin = ASSET_PINS[name]
    if source == "local":
        return f"/static/vendor/{pin['package']}@{pin['version']}/{pin['file']}"
    return f"{CDN_BASE}/{pin['package']}@{pin['version']}/{pin['file']}"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_url(instance_path: str) -> str:
    """The DATABASE_URL, or a SQLite file in the instance folder; postgres URLs use psycopg 3."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{Path(instance_path) / 'maturity.sqlite'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


#: Good only on a developer's machine: create_app refuses it outside debug mode and tests.
DEVELOPMENT_SECRET = "dev-only-not-secret"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET)
    SQLALCHEMY_DATABASE_URI: str | None = None  # filled in by create_app from DATABASE_URL
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    WTF_CSRF_TIME_LIMIT = None  # a workshop can run all afternoon on one page
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    #: Only workshop participants have lasting ("permanent") sessions; sending their cookie
    #: again with every poll and vote would cost each of those requests a signing and a
    #: Set-Cookie for nothing. It is still sent whenever the session changes.
    SESSION_REFRESH_EACH_REQUEST = False
    SESSION_COOKIE_SECURE = _bool("SECURE_COOKIES", False)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    #: "Keep me signed in" lasts this long; signing out ends it at once (auth/sessions.py).
    REMEMBER_COOKIE_DURATION = timedelta(days=int(os.environ.get("REMEMBER_DAYS", "30")))
    #: How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host. 0 (the
    #: default) trusts none: behind a proxy, set it, or every visitor shares the proxy's
    #: address and one person's mistakes would count against everyone's rate limits.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    PREFERRED_URL_SCHEME = "https" if SESSION_COOKIE_SECURE else "http"

    SERVICE_NAME = "Early help maturity self-assessment"

    #: "cdn" (default) or "local" (served from static/vendor after `make assets`).
    ASSET_SOURCE = os.environ.get("ASSET_SOURCE", "cdn")
    GOVUK_FRONTEND_CSS_URL = os.environ.get("GOVUK_FRONTEND_CSS_URL")
    GOVUK_FRONTEND_JS_URL = os.environ.get("GOVUK_FRONTEND_JS_URL")
    CHARTJS_URL = os.environ.get("CHARTJS_URL")

    #: Uploaded evidence lives outside static/ and is served only through an access check.
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER")
    #: The largest evidence file; a request may be a little larger to carry the form around it,
    #: so an oversized file gets a form error rather than a bare "request too large".
    MAX_UPLOAD_MB = float(os.environ.get("MAX_UPLOAD_MB", "20"))
    MAX_CONTENT_LENGTH = int((MAX_UPLOAD_MB + 1) * 1024 * 1024)
    EVIDENCE_STALE_DAYS = int(os.environ.get("EVIDENCE_STALE_DAYS", "365"))

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    #: No X-RateLimit-* headers on every answer: working them out reads the limit's counter
    #: again, a second trip to Redis on each vote. A refused request (429) still says when to
    #: try again, in Retry-After (errors.py).
    RATELIMIT_HEADERS_ENABLED = False
    #: Keeps this deployment's counters apart from others that share the Redis database (or
    #: give each deployment a database of its own: redis://host:6379/<n>). Empty by default:
    #: Flask-Limiter keeps the first non-empty prefix it is given for the life of the process.
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "")

    FRAMEWORK_FILE = str(ROOT / "seed" / "framework" / "early-help-2016.yaml")

    #: Seconds a room's shared state may be kept before a phone's poll checks the room's votes
    #: again (workshops/state.py). A facilitator's change is seen at once whatever this is;
    #: only the count of votes on phones can be this much behind.
    WORKSHOP_ROOM_MAX_AGE = float(os.environ.get("WORKSHOP_ROOM_MAX_AGE", "1.0"))

    #: Whether phones hold an event stream instead of polling (workshops/phones.py): "auto"
    #: streams only under gunicorn's gevent worker class, where an idle stream costs a greenlet;
    #: a threaded server would give each phone a thread. "on" or "off" decide it outright.
    WORKSHOP_PHONE_STREAMS = os.environ.get("WORKSHOP_PHONE_STREAMS", "auto")

    #: Whether a phone's vote that is in order is taken before Flask on PostgreSQL
    #: (workshops/quick_votes.py): "on", or "off" to send every vote through the route.
    WORKSHOP_QUICK_VOTES = os.environ.get("WORKSHOP_QUICK_VOTES", "on")


class TestConfig(Config):
    TESTING = True
    WORKSHOP_ROOM_MAX_AGE = 0.0  # tests see every vote at once; the cache has tests of its own
    SECRET_KEY = "test-secret"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    ASSET_SOURCE = "local"
