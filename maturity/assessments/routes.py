"""Routes of the assessments blueprint."""

from maturity.assessments import bp  # noqa: F401
