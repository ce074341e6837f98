"""Anonymous participants: their token lives in the browser's signed session cookie.

The session maps join codes to tokens, so rejoining from the same browser keeps the same
participant (and the same votes), and one browser can take part in several workshops. Also
here, for the join pages and the phones' live requests alike: looking a code up under the
join-code limits, the vote limit, and the room's shared state for a phone.
"""

import hashlib
from collections.abc import Callable
from typing import NoReturn, TypeVar

from flask import abort, current_app, request
from flask_limiter.util import get_remote_address
from sqlalchemy import select

from maturity import device_tokens
from maturity.extensions import db
from maturity.models import Participant, Vote, Workshop
from maturity.ratelimit import check_join_code_limit, count_unknown_code
from maturity.workshops import state
from maturity.workshops.queries import Found

SESSION_KEY = "workshop_tokens"
#: Enough for a long day of workshops; the oldest are forgotten first.
MAX_REMEMBERED = 20


def remember(code: str, token: str) -> None:
    device_tokens.remember(SESSION_KEY, code, token, MAX_REMEMBERED)


def token_for(code: str) -> str | None:
    return device_tokens.token_for(SESSION_KEY, code)


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


def _required_token(code: str) -> str:
    token = token_for(code)
    if token is None:
        abort(
            401,
            "This browser has not joined the workshop, so the vote was not counted. "
            "Open the join link or scan the code on the screen again.",
        )
    return token


def _not_valid_here() -> NoReturn:
    abort(
        403,
        "This browser's place in the workshop is not valid, so the vote was not counted. "
        "Open the join link or scan the code on the screen again.",
    )


def require(workshop_id: int, code: str) -> Participant:
    """This browser's participant, or 401 (never joined) / 403 (a token that is not valid here)."""
    token = _required_token(code)
    participant = db.session.scalar(select(Participant).where(Participant.token == token))
    if participant is None or participant.workshop_id != workshop_id:
        _not_valid_here()
    return participant


def require_id(workshop_id: int, code: str) -> int:
    """As `require`, but only the participant's id, read without loading the whole row."""
    token = _required_token(code)
    found = db.session.execute(
        select(Participant.id, Participant.workshop_id).where(Participant.token == token)
    ).one_or_none()
    if found is None or found[1] != workshop_id:
        _not_valid_here()
    return found[0]


def require_with_vote(workshop_id: int, code: str, round_id: int | None) -> tuple[int, bool, int | None]:
    """(participant id, has voted, stage) for this browser in a round, in one query; 401/403 as
    `require` when the browser has not joined or its token is not valid here."""
    if round_id is None:
        return require_id(workshop_id, code), False, None
    token = _required_token(code)
    found = db.session.execute(
        select(Participant.id, Participant.workshop_id, Vote.id, Vote.stage)
        .outerjoin(Vote, (Vote.participant_id == Participant.id) & (Vote.round_id == round_id))
        .where(Participant.token == token)
    ).one_or_none()
    if found is None or found[1] != workshop_id:
        _not_valid_here()
    participant_id, _workshop_id, vote_id, stage = found
    return participant_id, vote_id is not None, stage if vote_id is not None else None


T = TypeVar("T")

NO_SUCH_WORKSHOP = "There is no workshop with that join code. Check the code on the screen."

#: Far above what a person does by hand (changing their mind a few times a minute), far below
#: what a script stuffing votes would need. Keyed by participant (`rate_key`), so a room behind
#: one address is never throttled as a whole.
VOTE_LIMIT = "60/minute"
#: Set on a vote that the quick path (quick_votes.py) counted toward VOTE_LIMIT and then handed
#: to the route, so the route's limiter does not count it again.
QUICK_VOTE_COUNTED = "maturity.vote_limit_counted"


def look_up(joined: bool, find: Callable[[], T | None]) -> T | None:
    """Look a join code up with `find`. For a browser that has not joined that code, the
    look-up counts toward the join-code limits (maturity/ratelimit.py), so no route can be used
    to test codes; a phone that has joined (its token is in its signed session) never touches
    them. Every route that tells whether a code exists looks it up through here."""
    if not joined:
        check_join_code_limit()
    found = find()
    if found is None and not joined:
        count_unknown_code()
    return found


def room_of(found: Found | Workshop) -> state.Room:
    """The room's shared state at the revision just read, or newer (see state.room)."""
    max_age = float(current_app.config.get("WORKSHOP_ROOM_MAX_AGE", 1.0))
    room = state.room(db.session, found.id, found.join_code, found.revision, max_age)
    if room is None:
        abort(404, NO_SUCH_WORKSHOP)
    return room


def rate_key() -> str:
    """Rate-limit votes per participant, not per address: a whole room may share one address."""
    code = (request.view_args or {}).get("code")
    token = token_for(code) if isinstance(code, str) else None
    if token:
        return f"participant:{token_tag(token)}"
    return f"address:{get_remote_address()}"
