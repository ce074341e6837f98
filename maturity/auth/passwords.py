"""The password rule, after the NCSC's guidance: long enough, not easy to guess, nothing more.

No composition rules (they push people to "Password1!"). Instead: at least 12 characters, and a
check with zxcvbn, a maintained estimator that carries lists of the most common passwords,
words and names, and sees repeats, sequences, keyboard patterns and dates. A password it scores
below 3 ("safely unguessable" begins there) is refused, with its advice.
"""

from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 200
MIN_SCORE = 3

RULE = f"At least {MIN_LENGTH} characters. A few unrelated words make a strong password that is easy to remember."


def password_problem(password: str, *about_the_person: str) -> str | None:
    """Why this password is refused, in words for the person choosing it; None when it is fine."""
    if len(password) < MIN_LENGTH:
        return f"Password must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    inputs = [part for value in about_the_person if value for part in _words(value)]
    result = zxcvbn(password, user_inputs=inputs)
    if result["score"] >= MIN_SCORE:
        return None
    warning = result["feedback"].get("warning") or ""
    advice = "Choose a password that is harder to guess, for example three or four unrelated words"
    return f"{warning.rstrip('.')}. {advice}" if warning else advice


def _words(value: str) -> list[str]:
    """The person's email and name, whole and in pieces: a password built from them is weak."""
    pieces = [value.lower()]
    for separator in ("@", ".", " ", "-", "_"):
        pieces = [bit for piece in pieces for bit in piece.split(separator)]
    return [value.lower()] + [piece for piece in pieces if len(piece) >= 3]
