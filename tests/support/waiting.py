"""Waiting in a test for something another thread does, with a deadline and a message."""

import time
from collections.abc import Callable


def until(condition: Callable[[], object], failure: str, seconds: float = 10) -> None:
    """Return once `condition()` is true; fail with `failure` after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, failure
        time.sleep(0.005)
