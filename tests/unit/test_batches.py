"""Batches (maturity/workshops/batches.py): items that come in while a batch is being done are
done together next; an item alone is done at once; a failure reaches only the request that
led the batch and leaves the Batches working."""

from __future__ import annotations

import threading
import time

import pytest

from maturity.workshops.batches import Batches, Item
from tests.support.waiting import until


class Held:
    """A run that records its batches and holds the first one until released, so that the
    items sent meanwhile are waiting together when it ends."""

    def __init__(self, fail_on: int | None = None):
        self.batches: list[list] = []
        self.release = threading.Event()
        self.fail_on = fail_on

    def __call__(self, items: list[Item]) -> None:
        self.batches.append([item.value for item in items])
        if len(self.batches) == 1:
            assert self.release.wait(10)
        if self.fail_on is not None and len(self.batches) == self.fail_on:
            raise RuntimeError("the database went away")
        for item in items:
            item.result = ("done", item.value)


def _send(batches: Batches, values: list, results: dict, errors: dict) -> list[threading.Thread]:
    def send(value):
        try:
            results[value] = batches.do(value)
        except RuntimeError as error:
            errors[value] = error

    threads = [threading.Thread(target=send, args=(value,), daemon=True) for value in values]
    for thread in threads:
        thread.start()
    return threads


def _waiting(batches: Batches, count: int) -> None:
    until(lambda: len(batches._waiting) >= count, "the items never queued")


def test_an_item_alone_is_done_at_once_by_its_own_request():
    seen: list[list] = []

    def run(items):
        seen.append([item.value for item in items])
        items[0].result = items[0].value * 2

    batches = Batches(run)
    assert batches.do(21) == 42
    assert batches.do(4) == 8
    assert seen == [[21], [4]]


def test_items_sent_while_a_batch_is_under_way_are_done_together_next():
    run = Held()
    batches = Batches(run)
    results: dict = {}
    threads = _send(batches, ["first"], results, {})
    _waiting(batches, 0)
    until(lambda: run.batches, "the first batch never ran")
    threads += _send(batches, ["a", "b", "c", "d"], results, {})
    _waiting(batches, 4)
    run.release.set()
    for thread in threads:
        thread.join(10)
    assert run.batches[0] == ["first"]
    assert sorted(run.batches[1]) == ["a", "b", "c", "d"] and len(run.batches) == 2
    assert results == {value: ("done", value) for value in ["first", "a", "b", "c", "d"]}


def test_a_batch_holds_at_most_most_items_and_the_rest_follow():
    run = Held()
    batches = Batches(run, most=2)
    results: dict = {}
    threads = _send(batches, ["first"], results, {})
    until(lambda: run.batches, "the first batch never ran")
    threads += _send(batches, ["a", "b", "c", "d", "e"], results, {})
    _waiting(batches, 5)
    run.release.set()
    for thread in threads:
        thread.join(10)
    assert [len(batch) for batch in run.batches] == [1, 2, 2, 1]
    assert len(results) == 6


def test_two_items_with_one_key_are_never_in_one_batch_and_keep_their_order():
    run = Held()
    batches = Batches(run, key=lambda value: value[0])
    results: dict = {}
    threads = _send(batches, [("x", 0)], results, {})
    until(lambda: run.batches, "the first batch never ran")
    for value in [("p", 1), ("q", 1), ("p", 2), ("p", 3)]:  # one at a time: their order is known
        threads += _send(batches, [value], results, {})
        _waiting(batches, len(threads) - 1)
    run.release.set()
    for thread in threads:
        thread.join(10)
    assert run.batches[1:] == [[("p", 1), ("q", 1)], [("p", 2)], [("p", 3)]]
    assert len(results) == 5


def test_a_failed_batch_leaves_its_items_without_a_result_and_the_next_batch_runs():
    run = Held(fail_on=2)
    batches = Batches(run)
    results: dict = {}
    errors: dict = {}
    threads = _send(batches, ["first"], results, errors)
    until(lambda: run.batches, "the first batch never ran")
    threads += _send(batches, ["a", "b", "c"], results, errors)
    _waiting(batches, 3)
    run.release.set()
    for thread in threads:
        thread.join(10)
    assert results.pop("first") == ("done", "first")
    # The request that led the failed batch hears the error; the others get no result (None).
    assert len(errors) == 1 and all(results[value] is None for value in {"a", "b", "c"} - set(errors))
    after = _send(batches, ["after"], results, errors)[0]
    after.join(10)
    assert results.get("after") == ("done", "after"), "the Batches must not be left stuck"


@pytest.mark.parametrize("senders", [50])
def test_many_senders_at_once_each_get_their_own_result(senders):
    def run(items):
        time.sleep(0.001)
        for item in items:
            item.result = item.value + 1000

    batches = Batches(run, most=8)
    results: dict = {}
    threads = _send(batches, list(range(senders)), results, {})
    for thread in threads:
        thread.join(10)
    assert results == {n: n + 1000 for n in range(senders)}
    assert batches._busy is False and batches._waiting == []
