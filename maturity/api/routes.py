"""Routes of the api blueprint."""

from maturity.api import bp  # noqa: F401
