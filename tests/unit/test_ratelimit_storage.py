"""The in-memory rate-limit storage used by default: safe when a worker's threads hit it at once."""

import threading

from limits.storage import MemoryStorage, storage_from_string

from maturity.ratelimit import ThreadSafeMemoryStorage, storage_uri
from tests.conftest import make_app


def test_plain_memory_means_the_thread_safe_storage_and_other_uris_are_kept():
    assert storage_uri("memory://") == "threadsafe-memory://"
    assert storage_uri("redis://127.0.0.1:6379") == "redis://127.0.0.1:6379"
    storage = storage_from_string(storage_uri("memory://"))
    assert isinstance(storage, ThreadSafeMemoryStorage) and isinstance(storage, MemoryStorage)


def test_the_library_restarts_its_timer_only_under_the_lock(monkeypatch):
    # If the library renamed its private step, this patch fails: the override must follow it.
    held = []
    original = MemoryStorage._MemoryStorage__schedule_expiry

    def schedule(self):
        held.append(self._expiry_lock.locked())
        original(self)

    monkeypatch.setattr(MemoryStorage, "_MemoryStorage__schedule_expiry", schedule)
    storage = ThreadSafeMemoryStorage()
    assert storage.incr("vote:participant", expiry=60) == 1
    assert storage.incr("vote:participant", expiry=60) == 2
    assert held == [True, True]


def test_an_expiry_pass_meeting_a_key_expired_meanwhile_ends_quietly(monkeypatch):
    def expired_meanwhile(self):
        raise KeyError("a key another thread removed")

    monkeypatch.setattr(MemoryStorage, "_MemoryStorage__expire_events", expired_meanwhile)
    ThreadSafeMemoryStorage()._MemoryStorage__expire_events()  # does not raise


def test_threads_counting_at_once_count_every_hit():
    storage = ThreadSafeMemoryStorage()
    start = threading.Barrier(16)

    def run():
        start.wait()
        for _ in range(500):
            storage.incr("room", expiry=60)

    workers = [threading.Thread(target=run) for _ in range(16)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert storage.get("room") == 16 * 500


def test_the_app_uses_it_for_the_default_setting(schema):
    from maturity.extensions import limiter

    app = make_app(schema, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    with app.app_context():
        assert app.config["RATELIMIT_STORAGE_URI"] == "threadsafe-memory://"
        assert isinstance(limiter.storage, ThreadSafeMemoryStorage)
