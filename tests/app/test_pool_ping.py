"""Pooled connections: one idle for a while is checked before use and replaced when broken
(a PostgreSQL restart); one in steady use is not checked, saving a round trip per request."""

import time
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DisconnectionError

import maturity
from maturity.extensions import db


class FakeConnection:
    def __init__(self, broken: bool = False):
        self.broken, self.statements, self.rollbacks = broken, [], 0

    def cursor(self):
        connection = self

        class Cursor:
            def execute(self, statement):
                if connection.broken:
                    raise OSError("server closed the connection unexpectedly")
                connection.statements.append(statement)

            def close(self):
                pass

        return Cursor()

    def rollback(self):
        self.rollbacks += 1


def _record(idle_seconds: float | None):
    info = {} if idle_seconds is None else {"checked_in": time.monotonic() - idle_seconds}
    return SimpleNamespace(info=info)


def test_a_connection_in_steady_use_or_new_is_not_checked():
    for idle in (None, 0.0, maturity.PING_AFTER_IDLE_SECONDS - 1):
        connection = FakeConnection()
        maturity._ping_if_idle(connection, _record(idle), None)
        assert connection.statements == []


def test_an_idle_connection_is_checked_and_left_without_a_transaction():
    connection = FakeConnection()
    maturity._ping_if_idle(connection, _record(maturity.PING_AFTER_IDLE_SECONDS + 1), None)
    assert connection.statements == ["SELECT 1"] and connection.rollbacks == 1


def test_a_broken_idle_connection_is_handed_back_to_the_pool_to_replace():
    with pytest.raises(DisconnectionError):
        maturity._ping_if_idle(FakeConnection(broken=True), _record(maturity.PING_AFTER_IDLE_SECONDS + 1), None)


def test_an_idle_connection_ended_by_the_server_is_replaced_before_use(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs a server that can end a connection: PostgreSQL")
    engine = create_engine(db.engine.url, pool_size=1, max_overflow=0)
    with engine.connect() as connection:
        first = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with db.engine.connect() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        admin.commit()
    (record,) = list(engine.pool._pool.queue)  # the pool's one connection, now dead
    record.info["checked_in"] -= maturity.PING_AFTER_IDLE_SECONDS + 1  # as if idle that long
    with engine.connect() as connection:
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != first
    engine.dispose()


def test_a_postgresql_pool_opens_no_connections_past_its_size_unless_told(monkeypatch):
    """Under gevent a busy worker has hundreds of requests at once: connections opened past the
    pool were each a new PostgreSQL backend, used once and closed. Requests queue instead."""
    from flask import Flask

    def options(**environ):
        for name in ("DB_POOL_SIZE", "DB_MAX_OVERFLOW"):
            monkeypatch.delenv(name, raising=False)
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        app = Flask(__name__)
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://localhost/any"
        maturity._engine_options(app)
        return app.config["SQLALCHEMY_ENGINE_OPTIONS"]

    assert options() == {"pool_size": 10, "max_overflow": 0}
    assert options(DB_POOL_SIZE="20", DB_MAX_OVERFLOW="5") == {"pool_size": 20, "max_overflow": 5}
