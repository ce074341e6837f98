"""Anonymous participants: their token lives in the browser's signed session cookie.

The session maps join codes to tokens, so rejoining from the same browser keeps the same
participant (and the same votes), and one browser can take part in several workshops.
"""

import hashlib

from flask import abort, request, session
from flask_limiter.util import get_remote_address
from sqlalchemy import select

from maturity.extensions import db
from maturity.models import Participant

SESSION_KEY = "workshop_tokens"
#: Enough for a long day of workshops; the oldest are forgotten first.
MAX_REMEMBERED = 20


def remember(code: str, token: str) -> None:
    tokens = dict(session.get(SESSION_KEY) or {})
    tokens.pop(code, None)
    tokens[code] = token
    while len(tokens) > MAX_REMEMBERED:
        tokens.pop(next(iter(tokens)))
    session[SESSION_KEY] = tokens
    # Phones drop "session" cookies when the browser is closed; a participant should not be.
    session.permanent = True


def token_for(code: str) -> str | None:
    tokens = session.get(SESSION_KEY)
    if not isinstance(tokens, dict):
        return None
    token = tokens.get(code)
    return token if isinstance(token, str) and token else None


def token_tag(token: str) -> str:
    """A short, one-way tag of a token for ETags and rate-limit keys (never the token itself)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:12]


def find(workshop_id: int, code: str) -> Participant | None:
    """This browser's participant in the workshop, or None when it has not joined."""
    token = token_for(code)
    if token is None:
        return None
    participant = db.session.scalar(select(Participant).where(Participant.token == token))
    if participant is None or participant.workshop_id != workshop_id:
        return None
    return participant


def require(workshop_id: int, code: str) -> Participant:
    """This browser's participant, or 401 (never joined) / 403 (a token that is not valid here)."""
    token = token_for(code)
    if token is None:
        abort(
            401,
            "This browser has not joined the workshop, so the vote was not counted. "
            "Open the join link or scan the code on the screen again.",
        )
    participant = db.session.scalar(select(Participant).where(Participant.token == token))
    if participant is None or participant.workshop_id != workshop_id:
        abort(
            403,
            "This browser's place in the workshop is not valid, so the vote was not counted. "
            "Open the join link or scan the code on the screen again.",
        )
    return participant


def rate_key() -> str:
    """Rate-limit votes per participant, not per address: a whole room may share one address."""
    code = (request.view_args or {}).get("code")
    token = token_for(code) if isinstance(code, str) else None
    if token:
        return f"participant:{token_tag(token)}"
    return f"address:{get_remote_address()}"
