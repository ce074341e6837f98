"""Routes of the evidence blueprint."""

from maturity.evidence import bp  # noqa: F401
