"""Random tokens kept in a browser's signed session cookie, one per workshop or survey code: how
a phone that joined a workshop, or began a survey, is known again with no account.

The server keeps the token (workshops) or only its hash (surveys); the cookie is permanent,
because phones drop session cookies when the browser closes and a person should not be.
"""

from flask import session


def remember(key: str, code: str, token: str, limit: int) -> None:
    """Keep `token` for `code` under the session's `key`, forgetting the oldest past `limit`."""
    tokens = session.get(key)
    tokens = dict(tokens) if isinstance(tokens, dict) else {}
    tokens.pop(code, None)
    tokens[code] = token
    while len(tokens) > limit:
        tokens.pop(next(iter(tokens)))
    session[key] = tokens
    session.permanent = True


def token_for(key: str, code: str) -> str | None:
    """The token this browser holds for `code`, or None."""
    tokens = session.get(key)
    if not isinstance(tokens, dict):
        return None
    token = tokens.get(code)
    return token if isinstance(token, str) and token else None
