"""Writes for assessments: open a cycle, record ratings, move through the lifecycle.

Every change of state or rating goes through `record_history`.
"""

from datetime import date
from typing import Any

from maturity.extensions import db
from maturity.models import Area, Assessment, FrameworkVersion, HistoryEntry, StrandRating, User


def record_history(
    assessment: Assessment,
    user: User | None,
    kind: str,
    subject: str | None = None,
    from_value: Any = None,
    to_value: Any = None,
    note: str | None = None,
) -> HistoryEntry:
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


def create_assessment(
    area: Area,
    framework: FrameworkVersion,
    title: str,
    period_label: str,
    user: User | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
    previous: Assessment | None = None,
) -> Assessment:
    """Open an assessment cycle with an empty rating row for every strand of its framework."""
    assessment = Assessment(
        area=area,
        framework=framework,
        title=title.strip(),
        period_label=period_label.strip(),
        period_start=period_start,
        period_end=period_end,
        previous=previous,
        created_by=user,
        status="draft",
    )
    db.session.add(assessment)
    for strand in framework.strands:
        assessment.strand_ratings.append(StrandRating(strand=strand))
    db.session.flush()
    record_history(assessment, user, "status", None, None, "draft", note="Assessment opened")
    db.session.flush()
    return assessment
