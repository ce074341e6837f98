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
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from flask import Flask
from itsdangerous import BadData, URLSafeTimedSerializer
from limits import parse as parse_limit
from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session
from werkzeug.http import parse_cookie, parse_options_header
from werkzeug.wrappers import Response

from maturity.errors import OperationError
from maturity.extensions import db, limiter
from maturity.models import Participant, Workshop
from maturity.models.base import utcnow
from maturity.security import apply_headers, asset_origins
from maturity.workshops import codes, live, queries, state
from maturity.workshops.forms import parse_vote
from maturity.workshops.operations import CastVote, vote_statement
from maturity.workshops.participants import QUICK_VOTE_COUNTED, SESSION_KEY, VOTE_LIMIT, token_tag
from maturity.workshops.phones import CSRF_MARK

LOG = logging.getLogger(__name__)
_PATH = re.compile(r"^/live/join/([A-Za-z0-9-]{1,32})/vote$")
_LARGEST_BODY = 4096
#: What the rate limiter's bucket for the route is called (Flask-Limiter: the endpoint).
_LIMIT_SCOPE = "live.vote"


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
        self._engine: Engine | None = None
        self._enabled: bool | None = None
        self.asset_origins: list[str] = []
        #: Made once the app is configured (enabled()): the session cookie's serializer, and
        #: Flask-WTF's signer of CSRF tokens with its settings.
        self._sessions: Any = None
        self._csrf: URLSafeTimedSerializer | None = None
        self._csrf_field = "csrf_token"
        self._csrf_headers: list[str] = []

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

    def take(self, environ: dict, code: str) -> Response | None:
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

    def _vote(self, environ: dict, code: str, body: bytes) -> Response | None:
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
        try:
            done = self._look_up_and_write(environ, code, token, round_id, stage)
        except Exception:  # noqa: BLE001 - Flask answers it (a database down: its 503)
            return None
        if done is None:
            return None  # Flask finds out why and says so
        try:
            return self._answer(environ, session, done, CastVote(round_id, stage, done[3]))
        except Exception:  # noqa: BLE001 - never a 500 for a vote that counted
            # The route writes the same vote again (an upsert of the same stage: the tally is
            # the same) and answers it; the failure is logged for whoever runs the service.
            LOG.exception("The quick vote path could not answer a vote it wrote; the route answers it")
            return None

    def _look_up_and_write(
        self, environ: dict, code: str, token: str, round_id: int, stage: int | None
    ) -> tuple[int, int, str, bool] | None:
        """(workshop id, participant id, join code, allow changes) once the vote is written;
        None when it was not. One connection for the look-up and the write, each statement its
        own transaction (as live._statement_by_statement does for the route)."""
        assert self._engine is not None
        with self._engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            known = self._known(connection, code, token)
            if known is None:
                return None
            workshop_id, participant_id, allow_changes, offer_dont_know, join_code = known
            if (stage is None and not offer_dont_know) or not self._count(environ, token):
                return None
            environ[QUICK_VOTE_COUNTED] = True
            if not self._write(connection, workshop_id, participant_id, round_id, stage, allow_changes):
                return None
        return workshop_id, participant_id, join_code, allow_changes

    def _session(self, environ: dict) -> dict | None:
        cookie = parse_cookie(environ).get(self.app.config["SESSION_COOKIE_NAME"])
        if not cookie or self._sessions is None:
            return None
        try:
            found = self._sessions.loads(cookie, max_age=int(self.app.permanent_session_lifetime.total_seconds()))
        except BadData:
            return None
        return found if isinstance(found, dict) else None

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
        try:
            signed_for = self._csrf.loads(sent, max_age=config.get("WTF_CSRF_TIME_LIMIT"))
        except BadData:
            return False
        return isinstance(signed_for, str) and hmac.compare_digest(signed_for, raw)

    def _known(self, connection: Connection, code: str, token: str) -> tuple[int, int, bool, bool, str] | None:
        found = self.known.get((code, token))
        if found is not None:
            return found
        normal = codes.normalise(code)
        if normal is None:
            return None
        row = connection.execute(
            select(Workshop.id, Workshop.status, Workshop.allow_changes, Workshop.offer_dont_know, Workshop.join_code, Participant.id)
            .join(Participant, Participant.workshop_id == Workshop.id)
            .where(Workshop.join_code == normal, Participant.token == token)
        ).one_or_none()
        if row is None or row[1] != "live":
            return None  # not joined here, or not running: Flask says so
        found = (int(row[0]), int(row[5]), bool(row[2]), bool(row[3]), str(row[4]))
        with self.lock:
            if len(self.known) >= 20_000:
                self.known.clear()
            self.known[(code, token)] = found
        return found

    def _count(self, environ: dict, token: str) -> bool:
        """Count the vote toward the route's limit, in the route's bucket; False when the limit
        is reached (Flask answers with its 429) or the limiter cannot be asked."""
        if not limiter.enabled:
            return True
        prefix = self.app.config.get("RATELIMIT_KEY_PREFIX") or ""
        key = [prefix] if prefix else []
        try:
            return bool(limiter.limiter.hit(self.limit, *key, f"participant:{token_tag(token)}", _LIMIT_SCOPE))
        except Exception:  # noqa: BLE001 - the limiter's store is down: Flask's limiter decides
            return False

    def _write(
        self, connection: Connection, workshop_id: int, participant_id: int, round_id: int, stage: int | None, allow_changes: bool
    ) -> bool:
        values = {
            "v_round": round_id, "v_workshop": workshop_id, "v_participant": participant_id,
            "v_stage": stage, "v_now": utcnow(),
        }
        return connection.execute(vote_statement("postgresql", allow_changes), values).first() is not None

    # --- the answer -----------------------------------------------------------------------------

    def _answer(self, environ: dict, session: dict, who: tuple[int, int, str, bool], cast: CastVote) -> Response:
        result: dict[str, Any] = live.vote_json(cast)
        if _asks_panel(environ):
            phone = self._screen(who, cast)
            if phone is not None:
                result["screen"] = phone["screen"]
                result["panel"] = self._panel(environ, session, phone, who[2])
        response = Response(json.dumps(result), mimetype="application/json")
        secure = environ.get("wsgi.url_scheme") == "https" or bool(self.app.config.get("SESSION_COOKIE_SECURE"))
        apply_headers(response.headers, secure=secure, origins=self.asset_origins)
        response.headers["Vary"] = "Cookie"
        return response

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
        """The shared screen with this phone's CSRF token, signed as Flask-WTF's generate_csrf
        signs the session's token (which _vote made sure is there)."""
        html = live.shared_panel(self.app, environ, phone, join_code)
        assert self._csrf is not None
        return html.replace(CSRF_MARK, self._csrf.dumps(session[self._csrf_field]))


def _asks_panel(environ: dict) -> bool:
    return bool(parse_qs(environ.get("QUERY_STRING") or "").get("panel", [""])[0])


def _shows_open(room: state.Room, round_id: int) -> bool:
    round_ = room.state["round"]
    return round_ is not None and round_["id"] == round_id and round_["state"] == "open"
