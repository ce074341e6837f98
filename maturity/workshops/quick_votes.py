"""A phone's vote taken before Flask, when everything about it is in order (PostgreSQL only).

A room's votes are most of what a busy server does, and through the whole Flask stack (the
request context, the extensions' hooks, the ORM session, the rate limiter's bookkeeping) a
vote cost four times a health check. This WSGI middleware answers the phone script's vote,
`POST /live/join/<code>/vote` with a JSON body, doing only what the route does for a vote that
is in order, with the same parts of the app:

- the signed session cookie, read with Flask's own serializer, holds this browser's token
  for the join code (participants.token_for);
- the CSRF token in X-CSRFToken is checked as Flask-WTF checks it (when CSRF checks are on);
- the body is read by forms.parse_vote;
- the vote limit (participants.VOTE_LIMIT) is counted in the same bucket the route's limiter
  uses, so a phone cannot get a second allowance by sending some votes one way and some the
  other;
- the vote is written by operations' own statement (one INSERT ... SELECT that reads the
  round open under a SHARE lock, the same ordering against closing the round), committed
  before the answer;
- the answer is the route's answer (live.vote_json, the phone's screen with the vote marked)
  with the app's security headers.

Which workshop and participant a (join code, token) pair means never changes, nor do a
running workshop's vote rules (queries.VoteRules), so those are kept per process once read;
whether the round is open is read in the write itself, every time.

Votes that come in while the process is writing others wait and go together (batches.py):
one query looks up the phones the process has not seen, one Redis round trip counts them all
(the limiter's own script, pipelined), and one statement writes them all
(operations.votes_statement: the route's rules, vote by vote), committed before any of them is
answered. A vote alone goes at once. Measured in a twenty-room burst: twice the votes a second
on the same two cores, most of it PostgreSQL's work per statement and the round trips saved.

Anything else, or any doubt (no cookie, another content type, a CSRF token that does not
check, a body that does not parse, a workshop not running, the limit reached, a vote the
statement did not write, an error), and the request goes on to Flask unchanged, which answers
it as before, with the route's messages. Nothing is written before that hand-over, except the
vote limit's count; a request handed over after counting is marked so the route does not
count it twice. SQLite (one process) always goes through Flask.
"""

from __future__ import annotations

import hmac
import io
import json
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from flask import Flask
from itsdangerous import BadData, URLSafeTimedSerializer
from limits import parse as parse_limit
from limits.storage import RedisStorage
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import String, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session
from werkzeug.datastructures import Headers
from werkzeug.http import parse_cookie, parse_options_header

from maturity.errors import OperationError
from maturity.extensions import db, limiter
from maturity.models import Participant, Workshop
from maturity.models.base import utcnow
from maturity.security import apply_headers, asset_origins, content_security_policy
from maturity.workshops import codes, live, queries, state
from maturity.workshops.batches import Batches, Item
from maturity.workshops.forms import parse_vote
from maturity.workshops.operations import CastVote, votes_statement
from maturity.workshops.participants import QUICK_VOTE_COUNTED, SESSION_KEY, VOTE_LIMIT, token_tag
from maturity.workshops.phones import CSRF_MARK

LOG = logging.getLogger(__name__)
_PATH = re.compile(r"^/live/join/([A-Za-z0-9-]{1,32})/vote$")
_LARGEST_BODY = 4096
#: What the rate limiter's bucket for the route is called (Flask-Limiter: the endpoint).
_LIMIT_SCOPE = "live.vote"
#: The most votes written in one statement.
_BATCH = 64


#: The phones of a batch, by their tokens (each token is one participant's); one array, so the
#: statement's text is the same for any number of phones and PostgreSQL keeps it prepared.
_PHONES = (
    select(Workshop.id, Workshop.status, Workshop.allow_changes, Workshop.offer_dont_know, Workshop.join_code, Participant.id, Participant.token)
    .join(Participant, Participant.workshop_id == Workshop.id)
    .where(Participant.token == any_(bindparam("tokens", type_=ARRAY(String))))
)


@dataclass(frozen=True)
class Pending:
    """A vote in order so far, waiting for its batch (see QuickVotes._write_all)."""

    environ: dict
    code: str
    token: str
    round_id: int
    stage: int | None


class QuickVotes:
    """The middleware; `create_app` puts it in front of the app's WSGI callable."""

    def __init__(self, app: Flask, wsgi_app: Callable):
        self.app = app
        self.next = wsgi_app
        self.limit = parse_limit(VOTE_LIMIT)
        #: (join code as sent, token) -> (workshop id, participant id, allow changes,
        #: offer don't know, join code as stored), for workshops found running.
        self.known: dict[tuple[str, str], tuple[int, int, bool, bool, str]] = {}
        self.lock = threading.Lock()
        #: The process's votes that come in together are looked up, counted and written together.
        self.batches = Batches(self._write_all, most=_BATCH, key=lambda vote: (vote.token, vote.round_id))
        self._engine: Engine | None = None
        self._enabled: bool | None = None
        self.asset_origins: list[str] = []
        #: Made once the app is configured (enabled()): the session cookie's serializer, and
        #: Flask-WTF's signer of CSRF tokens with its settings.
        self._sessions: Any = None
        self._csrf: URLSafeTimedSerializer | None = None
        self._csrf_field = "csrf_token"
        self._csrf_headers: list[str] = []
        #: Signed values checked already (a phone sends the same cookie and CSRF token with
        #: every vote): the signed text -> (what it holds, when it was signed). Each use checks
        #: the age again; a text never checked is checked in full.
        self._signed: dict[str, tuple[Any, float]] = {}
        self._answer_headers: dict[bool, list[tuple[str, str]]] = {}
        #: (SQL, default parameters) of the statements run on the driver's cursor (_rows).
        self._compiled: dict[Any, tuple[str, dict[str, Any]]] = {}

    # --- the WSGI side ------------------------------------------------------------------------

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "POST":
            found = _PATH.match(environ.get("PATH_INFO") or "")
            if found is not None and self.enabled():
                answer = self.take(environ, found.group(1))
                if answer is not None:
                    return answer(environ, start_response)
        return self.next(environ, start_response)

    def enabled(self) -> bool:
        if self._enabled is None:
            config = self.app.config
            with self.app.app_context():
                self._engine = db.engine
                self.asset_origins = asset_origins()
            self._sessions = self.app.session_interface.get_signing_serializer(self.app)  # type: ignore[attr-defined]
            self._csrf = URLSafeTimedSerializer(config.get("WTF_CSRF_SECRET_KEY") or self.app.secret_key, salt="wtf-csrf-token")
            self._csrf_field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
            self._csrf_headers = [
                "HTTP_" + name.upper().replace("-", "_") for name in config.get("WTF_CSRF_HEADERS", ["X-CSRFToken", "X-CSRF-Token"])
            ]
            setting = str(self.app.config.get("WORKSHOP_QUICK_VOTES", "on")).lower()
            self._enabled = self._engine.dialect.name == "postgresql" and setting not in ("off", "0", "false", "no")
        return self._enabled

    # --- one vote -------------------------------------------------------------------------------

    def take(self, environ: dict, code: str) -> Callable | None:
        """The answer to a vote in order, or None to hand the request to Flask (its body put back)."""
        body = self._body(environ)
        if body is None:
            return None
        try:
            return self._vote(environ, code, body)
        finally:
            environ["wsgi.input"] = io.BytesIO(body)

    def _body(self, environ: dict) -> bytes | None:
        mimetype, _ = parse_options_header(environ.get("CONTENT_TYPE") or "")
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return None
        if mimetype != "application/json" or not 0 < length <= _LARGEST_BODY:
            return None
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        return body if len(body) == length else None

    def _vote(self, environ: dict, code: str, body: bytes) -> Callable | None:
        session = self._session(environ)
        if session is None:
            return None
        tokens = session.get(SESSION_KEY)
        token = tokens.get(code) if isinstance(tokens, dict) else None
        if not isinstance(session.get(self._csrf_field), str):
            return None  # the screen's form needs a CSRF token the session does not hold yet: Flask makes it
        if not isinstance(token, str) or not token or not self._csrf_holds(environ, session):
            return None
        try:
            round_id, stage = parse_vote(json.loads(body))
        except (ValueError, OperationError):
            return None
        done = self.batches.do(Pending(environ, code, token, round_id, stage))
        if done is None:
            return None  # Flask finds out why and says so
        try:
            return self._answer(environ, session, done, CastVote(round_id, stage, done[3]))
        except Exception:  # noqa: BLE001 - never a 500 for a vote that counted
            # The route writes the same vote again (an upsert of the same stage: the tally is
            # the same) and answers it; the failure is logged for whoever runs the service.
            LOG.exception("The quick vote path could not answer a vote it wrote; the route answers it")
            return None

    def _session(self, environ: dict) -> dict | None:
        cookie = parse_cookie(environ).get(self.app.config["SESSION_COOKIE_NAME"])
        if not cookie or self._sessions is None:
            return None
        found = self._unsigned(self._sessions, cookie, int(self.app.permanent_session_lifetime.total_seconds()))
        return found if isinstance(found, dict) else None

    def _unsigned(self, serializer: Any, signed: str, max_age: int | None) -> Any:
        """What `signed` holds, as serializer.loads(signed, max_age) says (None where it does not
        check); a text checked before is not checked again, only its age."""
        known = self._signed.get(signed)
        if known is None:
            try:
                value, signed_at = serializer.loads(signed, max_age=max_age, return_timestamp=True)
            except BadData:
                return None
            known = (value, signed_at.timestamp())
            with self.lock:
                if len(self._signed) >= 20_000:
                    self._signed.clear()
                self._signed[signed] = known
        value, signed_at = known
        if max_age is not None and time.time() - signed_at > max_age:
            return None
        return value

    def _csrf_holds(self, environ: dict, session: dict) -> bool:
        """Whether the request passes Flask-WTF's check (when the app has it on): the token in a
        CSRF header, signed by this app, for the raw token in the session; over HTTPS with the
        strict setting, a referrer of this very site. Anything else is Flask-WTF's to refuse."""
        config = self.app.config
        if not config.get("WTF_CSRF_ENABLED", True) or not config.get("WTF_CSRF_CHECK_DEFAULT", True):
            return True
        raw = session.get(self._csrf_field)
        sent = next((environ[name] for name in self._csrf_headers if environ.get(name)), None)
        if not isinstance(raw, str) or not sent or self._csrf is None:
            return False
        if environ.get("wsgi.url_scheme") == "https" and config.get("WTF_CSRF_SSL_STRICT", True):
            return False  # Flask-WTF compares the referrer with the site: let it
        signed_for = self._unsigned(self._csrf, sent, config.get("WTF_CSRF_TIME_LIMIT"))
        return isinstance(signed_for, str) and hmac.compare_digest(signed_for, raw)

    # --- the votes that came in together ------------------------------------------------------

    def _write_all(self, items: list[Item]) -> None:
        """Look up, count and write a batch of votes (see batches.py), each step one round trip
        for the whole batch; each item's result is (workshop id, participant id, join code,
        allow changes) once its vote is written, else None. One connection for the batch, each
        statement its own transaction (as live._statement_by_statement does for the route)."""
        assert self._engine is not None
        try:
            with self._engine.connect() as connection:
                connection = connection.execution_options(isolation_level="AUTOCOMMIT")
                found = self._known(connection, [(item.value.code, item.value.token) for item in items])
                ready = [
                    (item, known)
                    for item in items
                    if (known := found.get((item.value.code, item.value.token))) is not None
                    and (item.value.stage is not None or known[3])
                ]
                counted = self._count([item.value.token for item, _known in ready])
                to_write = [(item, known) for (item, known), ok in zip(ready, counted, strict=True) if ok]
                for item, _known in to_write:
                    item.value.environ[QUICK_VOTE_COUNTED] = True
                written = self._write(connection, to_write)
        except Exception:  # noqa: BLE001 - Flask answers each of them (a database down: its 503)
            return
        for item, (workshop_id, participant_id, allow_changes, _offer_dont_know, join_code) in to_write:
            if (item.value.round_id, participant_id) in written:
                item.result = (workshop_id, participant_id, join_code, allow_changes)

    def _known(self, connection: Connection, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, int, bool, bool, str]]:
        """(workshop id, participant id, allow changes, offer don't know, join code as stored)
        for each (join code as sent, token) of a running workshop's participant; the ones this
        process has not seen yet read in one query."""
        found = {pair: known for pair in pairs if (known := self.known.get(pair)) is not None}
        unknown = {(code, token): normal for code, token in pairs if (code, token) not in found and (normal := codes.normalise(code))}
        if not unknown:
            return found
        rows = self._rows(connection, _PHONES, {"tokens": sorted({token for _code, token in unknown})})
        by_token = {row[6]: row for row in rows if row[1] == "live"}  # not running: Flask says so
        with self.lock:
            if len(self.known) + len(unknown) > 20_000:
                self.known.clear()
            for (code, token), normal in unknown.items():
                row = by_token.get(token)
                if row is not None and row[4] == normal:  # not joined here: Flask says so
                    found[(code, token)] = self.known[(code, token)] = (int(row[0]), int(row[5]), bool(row[2]), bool(row[3]), str(row[4]))
        return found

    def _count(self, tokens: list[str]) -> list[bool]:
        """Count each vote toward the route's limit, in the route's bucket: False where the
        limit is reached (Flask answers with its 429) or the limiter cannot be asked. With the
        limits in Redis, one round trip counts the batch (the limiter's own script, pipelined)."""
        if not limiter.enabled:
            return [True] * len(tokens)
        prefix = self.app.config.get("RATELIMIT_KEY_PREFIX") or ""
        buckets = [(*([prefix] if prefix else []), f"participant:{token_tag(token)}", _LIMIT_SCOPE) for token in tokens]
        counts: list[Any] = [None] * len(buckets)
        strategy = limiter.limiter
        storage = getattr(strategy, "storage", None)
        # A batch of one is counted by the limiter's own call: a pipeline for one command costs
        # the worker more (measured: 0.47-0.49 against 0.50-0.53 efficiency, three and two runs).
        if len(buckets) > 1 and isinstance(strategy, FixedWindowRateLimiter) and isinstance(storage, RedisStorage):
            try:  # FixedWindowRateLimiter.hit, for many keys at once
                pipe = storage.get_connection().pipeline(transaction=False)
                for bucket in buckets:
                    key = storage.prefixed_key(self.limit.key_for(*bucket))
                    pipe.evalsha(storage.lua_incr_expire.sha, 1, key, self.limit.get_expiry(), 1)
                counts = pipe.execute(raise_on_error=False)
            except Exception:  # noqa: BLE001 - counted one by one below
                counts = [None] * len(buckets)
        return [
            int(count) <= self.limit.amount if isinstance(count, int) else self._count_one(bucket)
            for count, bucket in zip(counts, buckets, strict=True)
        ]

    def _count_one(self, bucket: tuple[str, ...]) -> bool:
        """One vote counted by the limiter itself (which loads its script where Redis lost it)."""
        try:
            return bool(limiter.limiter.hit(self.limit, *bucket))
        except Exception:  # noqa: BLE001 - the limiter's store is down: Flask's limiter decides
            return False

    def _write(self, connection: Connection, votes: list[tuple[Item, tuple[int, int, bool, bool, str]]]) -> set[tuple[int, int]]:
        """(round id, participant id) of each vote written: one statement for the batch's votes
        that may replace a vote, one for those that may not."""
        written: set[tuple[int, int]] = set()
        now = utcnow()
        for overwrite in (True, False):
            group = [(item.value, known) for item, known in votes if known[2] is overwrite]
            if group:
                values = {
                    "v_rounds": [vote.round_id for vote, _known in group],
                    "v_workshops": [known[0] for _vote, known in group],
                    "v_participants": [known[1] for _vote, known in group],
                    "v_stages": [vote.stage for vote, _known in group],
                    "v_now": now,
                }
                written.update((int(r), int(p)) for r, p in self._rows(connection, votes_statement(overwrite), values))
        return written

    def _rows(self, connection: Connection, statement: Any, values: dict[str, Any]) -> list[tuple]:
        """The rows of `statement`, run on the driver's own cursor with its SQL compiled once:
        these run for every batch, and SQLAlchemy's bookkeeping around each execution cost more
        of the worker's time than the statement itself. (On a connection already in autocommit:
        each statement is committed when it returns.)"""
        compiled = self._compiled.get(statement)
        if compiled is None:
            made = statement.compile(dialect=connection.dialect)
            compiled = self._compiled[statement] = (str(made), dict(made.params))
        sql, defaults = compiled
        cursor = connection.connection.cursor()
        try:
            cursor.execute(sql, {**defaults, **values})
            return cursor.fetchall()
        finally:
            cursor.close()

    # --- the answer -----------------------------------------------------------------------------

    def _answer(self, environ: dict, session: dict, who: tuple[int, int, str, bool], cast: CastVote) -> Callable:
        result: dict[str, Any] = live.vote_json(cast)
        panel = None
        if _asks_panel(environ):
            phone = self._screen(who, cast)
            if phone is not None:
                result["screen"] = phone["screen"]
                panel = self._panel(environ, session, phone, who[2])
        text = json.dumps(result)
        if panel is not None:  # the screen comes encoded already (live.shared_panel)
            text = f'{text[:-1]}, "panel": {panel}}}'
        body = text.encode("utf-8")
        secure = environ.get("wsgi.url_scheme") == "https" or bool(self.app.config.get("SESSION_COOKIE_SECURE"))
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body))), *self._headers(secure)]

        def answer(environ: dict, start_response: Callable) -> Iterable[bytes]:
            start_response("200 OK", headers)
            return [body]

        return answer

    def _headers(self, secure: bool) -> list[tuple[str, str]]:
        """The app's security headers for a JSON answer (security.apply_headers), made once;
        the script nonce in its Content-Security-Policy is drawn afresh for each answer."""
        found = self._answer_headers.get(secure)
        if found is None:
            made = Headers()
            apply_headers(made, secure=secure, origins=self.asset_origins)
            made["Vary"] = "Cookie"
            found = self._answer_headers[secure] = [(k, v) for k, v in made.items() if k != "Content-Security-Policy"]
        policy = content_security_policy(secrets.token_urlsafe(16), self.asset_origins)
        return [("Content-Security-Policy", policy), *found]

    def _screen(self, who: tuple[int, int, str, bool], cast: CastVote) -> state.PhoneState | None:
        """The phone's screen with its vote marked: the room the process keeps, read again when
        it does not yet show this round open (it is at most WORKSHOP_ROOM_MAX_AGE old); when the
        room has moved on meanwhile, the screen of the round now on it, with this phone's vote
        there (as live._phone_state)."""
        workshop_id, participant_id, join_code, _allow_changes = who
        max_age = float(self.app.config.get("WORKSHOP_ROOM_MAX_AGE", 1.0))
        assert self._engine is not None
        with Session(self._engine) as db_session:
            room = state.room(db_session, workshop_id, join_code, 0, max_age)
            if room is not None and not _shows_open(room, cast.round_id):
                revision = db_session.scalar(select(Workshop.revision).where(Workshop.id == workshop_id))
                room = state.room(db_session, workshop_id, join_code, int(revision or 0), max_age)
            if room is None:
                return None
            on_screen = room.state["round"]
            voted, stage = True, cast.stage
            if on_screen is None:
                voted, stage = False, None
            elif on_screen["id"] != cast.round_id:
                voted, stage = queries.my_vote(db_session, participant_id, on_screen["id"])
        return state.personal_state(room.state, voted, stage)

    def _panel(self, environ: dict, session: dict, phone: state.PhoneState, join_code: str) -> str:
        """The shared screen as a JSON string, with this phone's CSRF token, signed as
        Flask-WTF's generate_csrf signs the session's token (which _vote made sure is there; a
        signed token is URL-safe text, which JSON carries as it is)."""
        encoded = live.shared_panel(self.app, environ, phone, join_code, as_json=True)
        assert self._csrf is not None
        return encoded.replace(CSRF_MARK, self._csrf.dumps(session[self._csrf_field]))


def _asks_panel(environ: dict) -> bool:
    return bool(parse_qs(environ.get("QUERY_STRING") or "").get("panel", [""])[0])


def _shows_open(room: state.Room, round_id: int) -> bool:
    round_ = room.state["round"]
    return round_ is not None and round_["id"] == round_id and round_["state"] == "open"
