"""Rate-limit counters kept in the worker's memory, safe under gunicorn's threaded workers.

limits 5.8's MemoryStorage restarts its expiry timer from whichever request thread finds it
stopped. When two threads find it stopped at the same moment, both start the same timer and
one of them fails with "threads can only be started once": under a room of phones voting at
once that was a 500 on a vote (a fix was merged upstream after 5.8). Its expiry pass can also
meet a key that a request thread has just expired and stop with a KeyError. This storage takes
a lock around restarting the timer, lets a pass that meets such a key end quietly (the next
pass finishes the job), and is otherwise the library's own. `create_app` uses it for the default
`memory://` setting; Redis (`RATELIMIT_STORAGE_URI=redis://...`) is unaffected. It relies on
the library's private names, so pyproject.toml pins limits to 5.8.x: when a release carries the
upstream fix, drop this class (and the pin) and keep tests/unit/test_ratelimit_storage.py's
threaded test.
"""

from __future__ import annotations

import contextlib
import math
import secrets
import threading
import time
from typing import Any

from flask import current_app, g, request, session
from flask_limiter.util import get_remote_address
from flask_login import current_user
from limits import parse_many
from limits.storage import MemoryStorage
from werkzeug.exceptions import TooManyRequests

from maturity.extensions import limiter

SCHEME = "threadsafe-memory"


class ThreadSafeMemoryStorage(MemoryStorage):
    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any):
        self._expiry_lock = threading.Lock()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    def _MemoryStorage__schedule_expiry(self) -> None:  # the library's private step, locked
        with self._expiry_lock:
            MemoryStorage._MemoryStorage__schedule_expiry(self)

    def _MemoryStorage__expire_events(self) -> None:  # the timer's pass
        with contextlib.suppress(KeyError):  # a key a request thread expired meanwhile
            MemoryStorage._MemoryStorage__expire_events(self)

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("_expiry_lock", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self._expiry_lock = threading.Lock()


def storage_uri(configured: str) -> str:
    """The storage to use for a configured URI: the thread-safe one for plain memory."""
    if configured == "memory://" or configured.startswith("memory://?"):
        return SCHEME + configured[len("memory"):]
    return configured


# --- The limits on guessing: sign-in and join codes -------------------------------------------
#
# Behind a venue's or a council's network, a whole room can reach us from one address (and
# behind a reverse proxy, everyone would, unless TRUSTED_PROXIES is set: see config.py). So
# an address gets a limit high enough for a room, and what one person types wrong is held by a
# second, narrower limit on that person's own key: the email address tried at sign-in, the
# device (browser session) at a join code. Only failures count, so a room joining at once, or
# colleagues signing in together, never use the limit up. Join codes have about 40 bits: even
# at the address limit, guessing one would take thousands of years.

SIGN_IN_PER_ADDRESS = "60 per minute; 300 per hour"
SIGN_IN_PER_EMAIL = "10 per minute; 50 per hour"
JOIN_PER_ADDRESS = "200 per minute; 2000 per hour"
JOIN_PER_DEVICE = "20 per minute"


def _sign_in_failed(response) -> bool:
    return bool(g.get("sign_in_failed"))


def _email_tried() -> str:
    return "email:" + (request.form.get("email") or "").strip().lower()[:254]


def _device() -> str:
    """This browser's key: a random id kept in its session cookie (made on first need)."""
    device = session.get("device")
    if not isinstance(device, str) or not device:
        device = secrets.token_urlsafe(12)
        session["device"] = device
    return "device:" + device


def sign_in_limits(view):
    """The sign-in form's limits: per address (a whole office) and per email tried."""
    view = limiter.limit(SIGN_IN_PER_EMAIL, key_func=_email_tried, methods=["POST"], deduct_when=_sign_in_failed)(view)
    return limiter.limit(SIGN_IN_PER_ADDRESS, key_func=get_remote_address, methods=["POST"], deduct_when=_sign_in_failed)(view)


#: A signed-in person (or whoever holds their session) guessing their current password on
#: the profile page: counted per account, failures only.
CURRENT_PASSWORD_PER_ACCOUNT = "10 per hour"


def _current_password_failed(response) -> bool:
    return bool(g.get("password_check_failed"))


def _account() -> str:
    return f"account:{getattr(current_user, 'id', None)}"


def change_password_limits(view):
    """The change-password form's limit: 10 wrong current passwords an hour per account."""
    return limiter.limit(CURRENT_PASSWORD_PER_ACCOUNT, key_func=_account, methods=["POST"], deduct_when=_current_password_failed)(view)


def _join_code_keys() -> list[tuple[Any, str]]:
    return [(item, "address:" + get_remote_address()) for item in parse_many(JOIN_PER_ADDRESS)] + [
        (item, _device()) for item in parse_many(JOIN_PER_DEVICE)
    ]


def _join_scope() -> str:
    """Counted under the deployment's key prefix, like the limits set with decorators."""
    return f"{current_app.config.get('RATELIMIT_KEY_PREFIX') or ''}/join-code"


def seconds_until(reset_at: float) -> int:
    """Whole seconds (at least one) until a limit's window ends, for Retry-After."""
    return max(1, math.ceil(reset_at - time.time()))


def check_join_code_limit() -> None:
    """Before looking a join code up for someone who has not joined it: 429 once they have
    guessed too often. Every route that tells whether a code exists calls this first, and
    `count_unknown_code` when it does not; a phone polling a workshop it joined never does."""
    if not limiter.enabled:
        return
    scope = _join_scope()
    for item, key in _join_code_keys():
        if not limiter.limiter.test(item, scope, key):
            raise TooManyRequests(retry_after=seconds_until(limiter.limiter.get_window_stats(item, scope, key).reset_time))


def count_unknown_code() -> None:
    """A code was looked up and not found: it counts toward the join-code limits."""
    if not limiter.enabled:
        return
    for item, key in _join_code_keys():
        limiter.limiter.hit(item, _join_scope(), key)
