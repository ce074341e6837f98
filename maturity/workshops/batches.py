"""Work that comes in together, done together: requests in one process hand their item to a
Batches, and whichever of them finds no batch under way does the waiting items as one batch
(one round trip to the database for a room's worth of votes instead of one each), while the
others wait for it. Nothing is held back to make a batch bigger: an item alone is done at once,
and a batch is whatever came in while the last one was being done.

It works the same with threads and with gevent's greenlets (whose monkey-patching makes the
lock and the events below cooperative).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any


@dataclass(eq=False)
class Item:
    """One request's part of a batch: `run` sets `result` (None unless it says otherwise)."""

    value: Any
    result: Any = None
    done: bool = False
    #: Set when the item is done, or (not done) when its request is to do the next batch.
    woken: threading.Event = field(default_factory=threading.Event)


class Batches:
    """Does items in batches of at most `most` with `run(items)`, which sets each item's result.

    `key(value)`, when given, names what two items of one batch must not share (e.g. the same
    phone's two votes in one round, which one statement cannot both write): a later item with a
    key already in the batch waits for the next batch, so items with one key are done in the
    order they came."""

    def __init__(self, run: Callable[[list[Item]], None], most: int = 64, key: Callable[[Any], Hashable] | None = None):
        self._run = run
        self._most = most
        self._key = key
        self._lock = threading.Lock()
        self._waiting: list[Item] = []
        self._busy = False

    def do(self, value: Any) -> Any:
        """Do one item, in a batch with whatever else is waiting, and return its result."""
        item = Item(value)
        with self._lock:
            self._waiting.append(item)
            leads = not self._busy
            self._busy = True
        if not leads:
            item.woken.wait()
            if item.done:
                return item.result
        self._lead(item)
        return item.result

    def _lead(self, mine: Item) -> None:
        """Do batches until this request's own item is done, then hand the lead on to the
        first item still waiting (or, with none, leave the Batches idle), even when `run` fails."""
        try:
            while not mine.done:
                batch = self._take()
                try:
                    self._run(batch)
                finally:
                    for item in batch:
                        item.done = True
                        if item is not mine:
                            item.woken.set()
        finally:
            with self._lock:
                following = self._waiting[0] if self._waiting else None
                self._busy = following is not None
            if following is not None:
                following.woken.set()

    def _take(self) -> list[Item]:
        with self._lock:
            if self._key is None:
                batch, self._waiting = self._waiting[: self._most], self._waiting[self._most :]
                return batch
            batch, later, keys = [], [], set()
            for item in self._waiting:
                key = self._key(item.value)
                if len(batch) < self._most and key not in keys:
                    keys.add(key)
                    batch.append(item)
                else:
                    later.append(item)
            self._waiting = later
            return batch
