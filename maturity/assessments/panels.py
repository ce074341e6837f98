"""What other capabilities show on an assessment's page, read for its view.

Peer review and workshops build on assessments, so assessments does not import them: each
registers a function that reads its panel for the signed-in user, and the assessment page's
view hands what they read to the template, so the panels' templates never query.
"""

from collections.abc import Callable
from typing import Any

from maturity.models import Assessment

#: Panel name -> the function that reads it for an assessment.
READERS: dict[str, Callable[[Assessment], Any]] = {}


def register(name: str, reader: Callable[[Assessment], Any]) -> None:
    READERS[name] = reader


def read(assessment: Assessment) -> dict[str, Any]:
    """Every registered panel's data for the assessment page."""
    return {name: reader(assessment) for name, reader in READERS.items()}
