"""Rate-limit counters kept in the worker's memory, safe under gunicorn's threaded workers.

limits 5.8's MemoryStorage restarts its expiry timer from whichever request thread finds it
stopped. When two threads find it stopped at the same moment, both start the same timer and
one of them fails with "threads can only be started once": under a room of phones voting at
once that was a 500 on a vote (a fix was merged upstream after 5.8). Its expiry pass can also
meet a key that a request thread has just expired and stop with a KeyError. This storage takes
a lock around restarting the timer, lets a pass that meets such a key end quietly (the next
pass finishes the job), and is otherwise the library's own. `create_app` uses it for the default
`memory://` setting; Redis (`RATELIMIT_STORAGE_URI=redis://...`) is unaffected.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from limits.storage import MemoryStorage

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
