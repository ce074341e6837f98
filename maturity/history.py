"""The assessment's history: who changed what, when, from what and to what.

Assessments, evidence and peer review all write to it, so it belongs to none of them.
"""

from typing import Any

from maturity.extensions import db
from maturity.models import Assessment, HistoryEntry, User


def record_history(
    assessment: Assessment,
    user: User | None,
    kind: str,
    subject: str | None = None,
    from_value: Any = None,
    to_value: Any = None,
    note: str | None = None,
) -> HistoryEntry:
    """Add a line to the assessment's history; values are kept as text of at most 200 characters."""
    entry = HistoryEntry(
        assessment_id=assessment.id,
        user_id=user.id if user is not None else None,
        kind=kind,
        subject=subject,
        from_value=None if from_value is None else str(from_value)[:200],
        to_value=None if to_value is None else str(to_value)[:200],
        note=note,
    )
    db.session.add(entry)
    return entry
