"""Personal API tokens: made once, shown once, kept only as a sha256 hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select

from maturity.extensions import db
from maturity.models import ApiToken, User
from maturity.models.base import utcnow

#: Tokens start with this, so a leaked one is easy to recognise in logs and code.
TOKEN_START = "emm_"
PREFIX_LENGTH = 12
#: last_used_at is written at most this often per token, so busy dashboards do not write on
#: every request.
TOUCH_EVERY_SECONDS = 60


def hash_token(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for the user; returns the row and the token itself (never stored)."""
    value = TOKEN_START + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name.strip()[:100],
        token_hash=hash_token(value),
        prefix=value[:PREFIX_LENGTH],
    )
    db.session.add(token)
    db.session.flush()
    return token, value


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def bearer_value(header: str | None) -> str | None:
    """The token from an `Authorization: Bearer <token>` header, or None."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value or len(value) > 200:
        return None
    return value


def authenticate(header: str | None) -> tuple[User, ApiToken] | None:
    """The active user and live token behind an Authorization header, or None."""
    value = bearer_value(header)
    if value is None:
        return None
    digest = hash_token(value)
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    if token.revoked_at is not None or not token.user.is_active:
        return None
    now = utcnow()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= TOUCH_EVERY_SECONDS:
        token.last_used_at = now
        db.session.commit()
    return token.user, token
