"""Routes of the workshops blueprint."""

from maturity.workshops import bp  # noqa: F401
