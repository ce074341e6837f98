"""The password rule, after the NCSC's guidance: long enough, not a common one, nothing more.

No composition rules (they push people to "Password1!"). Instead:
- at least 12 characters (and at most 200, so hashing stays cheap);
- not one of the 30,000 most common passwords shipped in `common_passwords.txt` (made by
  scripts/make_common_passwords.py), also when numbers or symbols are added at either end or
  the spaces between words are left out;
- not a run of a few repeated characters, or a sequence such as 123456789012 or qwertyuiopas;
- not the person's own email address or name.
"""

from functools import cache
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 200

RULE = f"At least {MIN_LENGTH} characters. A few unrelated words make a strong password that is easy to remember."

COMMON = (
    "That is a common password, or a common password with numbers or symbols added. "
    "Choose one that is harder to guess, for example three or four unrelated words"
)
PATTERN = (
    "That password is a simple pattern: repeated characters or a sequence like 1234 or qwerty. "
    "Choose one that is harder to guess, for example three or four unrelated words"
)
PERSONAL = "Your password must not contain your email address or name"

LIST_FILE = Path(__file__).with_name("common_passwords.txt")

#: Rows of characters people run along: the alphabet, the digits and the keyboard's rows.
_SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "1234567890", "qwertyuiopasdfghjklzxcvbnm", "qazwsxedcrfvtgbyhnujmikolp")
_SEPARATORS = " -_.,'"


@cache
def common_passwords() -> frozenset[str]:
    lines = LIST_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def password_problem(password: str, email: str = "", name: str = "") -> str | None:
    """Why this password is refused, in words for the person choosing it; None when it is fine."""
    if len(password) < MIN_LENGTH:
        return f"Password must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    lower = password.lower()
    if _is_common(lower):
        return COMMON
    if _is_pattern(lower):
        return PATTERN
    if _is_personal(lower, email, name):
        return PERSONAL
    return None


def _is_common(lower: str) -> bool:
    core = lower.strip("0123456789 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
    squeezed = "".join(ch for ch in core if ch not in _SEPARATORS)
    common = common_passwords()
    return not core or lower in common or core in common or squeezed in common


def _is_pattern(lower: str) -> bool:
    if len(set(lower)) < 5:
        return True
    for row in _SEQUENCES:
        cycled = row * 3
        if lower in cycled or lower in cycled[::-1]:
            return True
    return False


def _is_personal(lower: str, email: str, name: str) -> bool:
    squeezed = "".join(ch for ch in lower if ch not in _SEPARATORS)
    local_part = (email or "").lower().partition("@")[0]
    whole_name = "".join(ch for ch in (name or "").lower() if ch not in _SEPARATORS)
    return any(len(part) >= 4 and part in squeezed for part in (local_part, whole_name))
