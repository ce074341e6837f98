"""The least a vote can cost on this machine: a WSGI app with nothing but a health answer and
a vote that is one PostgreSQL upsert, committed before the answer (bench_floor.py serves it
under the same gunicorn settings as the product). No Flask, no session, no CSRF check, no
rate limit, no look-up of the phone, no screen in the answer: a ceiling for what any design
that commits each vote before answering it can reach, not a way to take votes."""

from __future__ import annotations

import json
import os
import queue

import psycopg

UPSERT = (
    "INSERT INTO floor_votes (round_id, participant_id, stage) VALUES (%s, %s, %s) "
    "ON CONFLICT (round_id, participant_id) DO UPDATE "
    "SET stage = EXCLUDED.stage, version = floor_votes.version + 1 RETURNING id"
)
_POOL: dict[str, queue.Queue] = {}


def _connections() -> queue.Queue:
    """A small pool per worker, made on first use (after gunicorn has forked and patched)."""
    found = _POOL.get("pool")
    if found is None:
        found = _POOL["pool"] = queue.Queue()
        for _ in range(int(os.environ.get("FLOOR_POOL", "10"))):
            found.put(psycopg.connect(os.environ["FLOOR_DATABASE_URL"], autocommit=True))
    return found


def _vote(environ) -> bytes:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    data = json.loads(environ["wsgi.input"].read(length))
    pool = _connections()
    connection = pool.get()
    try:
        row = connection.execute(UPSERT, (data["round_id"], data["participant"], data["stage"])).fetchone()
    finally:
        pool.put(connection)
    return json.dumps({"ok": True, "id": row[0]}).encode()


def app(environ, start_response):
    path = environ.get("PATH_INFO")
    if path == "/healthz":
        body = b'{"status": "ok"}'
    elif path == "/vote" and environ.get("REQUEST_METHOD") == "POST":
        body = _vote(environ)
    else:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
