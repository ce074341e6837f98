"""Routes of the reviews blueprint."""

from maturity.reviews import bp  # noqa: F401
