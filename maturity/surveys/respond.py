"""The partners' survey pages: no account; one response per device (a random token in the
signed session cookie) or per per-person link; answers are saved question by question, so a
person can leave and come back on the same device."""

from maturity.surveys import bp  # noqa: F401
