"""The coordinator's survey pages: set up, open and close a survey, follow how many have
answered, give out per-person links, read the results and carry them into the assessment."""

from maturity.surveys import bp  # noqa: F401
