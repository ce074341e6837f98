"""Join codes and participant tokens (pure: no Flask, no database).

A join code is read off a projector and typed on a phone, so it uses an alphabet without the
characters people confuse (0/O, 1/I/L). Eight characters from 31 give about 39.6 bits: far too
many to guess while a workshop is live, at the rate limit the join form allows.
"""

import math
import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
_SEPARATORS = re.compile(r"[\s\-_.]+")


def new_code(length: int = CODE_LENGTH) -> str:
    """A fresh random join code."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def entropy_bits(length: int = CODE_LENGTH) -> float:
    return length * math.log2(len(ALPHABET))


def normalise(text: str | None) -> str | None:
    """The code someone typed, in canonical form; None unless it could be a join code.

    Case, spaces and hyphens do not matter ("abcd-efgh" is "ABCDEFGH").
    """
    if not isinstance(text, str):
        return None
    code = _SEPARATORS.sub("", text).upper()
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def new_token() -> str:
    """A participant's anonymous token: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)
