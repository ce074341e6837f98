"""Writes for the evidence register: add, edit, accept or reject, remove.

Status changes are kept in the assessment's history. Files are stored by the view (after the
form has passed every check) and handed in here as `uploads.StoredFile`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select

from maturity.extensions import db
from maturity.framework import operations as framework_operations
from maturity.history import record_history
from maturity.models import (
    EVIDENCE_KINDS,
    EVIDENCE_STATUSES,
    Assessment,
    Evidence,
    Feature,
    Organisation,
    User,
    evidence_features,
)
from maturity.models.base import utcnow

#: The fields a person fills in; everything else is set by the operations.
EDITABLE = (
    "title",
    "description",
    "organisation_id",
    "kind",
    "value",
    "unit",
    "baseline",
    "period",
    "about_date",
    "source_type",
    "link",
)


def evidence_links_feature(feature: Feature) -> bool:
    """Whether any evidence item supports this feature (framework reloads must keep it)."""
    if feature.id is None:
        return False
    return bool(
        db.session.scalar(select(exists().where(evidence_features.c.feature_id == feature.id)))
    )


if evidence_links_feature not in framework_operations.FEATURE_IN_USE_CHECKS:
    framework_operations.FEATURE_IN_USE_CHECKS.append(evidence_links_feature)


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    """Trim text, turn blanks into None, and drop quantitative figures from qualitative items."""
    cleaned = {}
    for name in EDITABLE:
        value = fields.get(name)
        if isinstance(value, str):
            value = value.strip() or None
        cleaned[name] = value
    if cleaned["kind"] not in EVIDENCE_KINDS:
        raise ValueError(f"unknown kind of evidence {cleaned['kind']!r}")
    if not cleaned["title"]:
        raise ValueError("evidence needs a title")
    if cleaned["kind"] == "quantitative":
        if cleaned["value"] is None:
            raise ValueError("quantitative evidence needs a value")
    else:
        for name in ("value", "unit", "baseline", "period"):
            cleaned[name] = None
    if cleaned["link"] and not cleaned["link"].lower().startswith(("http://", "https://")):
        raise ValueError("links must be http or https addresses")
    return cleaned


def _check_features(assessment: Assessment, features: list[Feature]) -> list[Feature]:
    if not features:
        raise ValueError("evidence must support at least one feature")
    if any(f.framework_id != assessment.framework_id for f in features):
        raise ValueError("features must come from the assessment's framework version")
    unique = {f.id: f for f in features}
    return list(unique.values())


def _check_organisation(assessment: Assessment, organisation_id: int | None) -> None:
    if organisation_id is None:
        return
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or organisation.area_id != assessment.area_id:
        raise ValueError("the owner organisation must be part of the area's partnership")


def _attach(evidence: Evidence, stored) -> None:
    evidence.file_key = stored.key
    evidence.file_name = stored.display_name
    evidence.file_type = stored.content_type
    evidence.file_size = stored.size
    evidence.no_personal_data = True


def _detach(evidence: Evidence) -> str | None:
    key = evidence.file_key
    evidence.file_key = evidence.file_name = evidence.file_type = None
    evidence.file_size = None
    evidence.no_personal_data = False
    return key


def add_evidence(
    assessment: Assessment,
    user: User | None,
    fields: dict[str, Any],
    features: list[Feature],
    stored_file=None,
) -> Evidence:
    """Add an item to the register as a draft."""
    cleaned = _clean(fields)
    _check_organisation(assessment, cleaned["organisation_id"])
    evidence = Evidence(assessment=assessment, status="draft", created_by=user, **cleaned)
    evidence.features = _check_features(assessment, features)
    if stored_file is not None:
        _attach(evidence, stored_file)
    db.session.add(evidence)
    db.session.flush()
    return evidence


def _snapshot(evidence: Evidence) -> tuple:
    return (
        tuple(getattr(evidence, name) for name in EDITABLE),
        frozenset(f.id for f in evidence.features),
        evidence.file_key,
    )


def update_evidence(
    evidence: Evidence,
    user: User | None,
    fields: dict[str, Any],
    features: list[Feature],
    stored_file=None,
    remove_file: bool = False,
) -> str | None:
    """Change an item. A changed item that was accepted or rejected goes back to draft.

    Returns the key of a stored file that is no longer used, for the caller to delete once
    the change is committed.
    """
    cleaned = _clean(fields)
    assessment = evidence.assessment
    _check_organisation(assessment, cleaned["organisation_id"])
    before = _snapshot(evidence)
    for name, value in cleaned.items():
        setattr(evidence, name, value)
    evidence.features = _check_features(assessment, features)
    unused = None
    if stored_file is not None:
        unused = _detach(evidence)
        _attach(evidence, stored_file)
    elif remove_file and evidence.file_key:
        unused = _detach(evidence)
    if _snapshot(evidence) != before and evidence.status != "draft":
        previous = evidence.status
        evidence.status = "draft"
        evidence.reviewed_by_id = None
        evidence.reviewed_at = None
        evidence.status_reason = None
        record_history(
            assessment,
            user,
            "evidence_status",
            evidence.title,
            EVIDENCE_STATUSES[previous],
            EVIDENCE_STATUSES["draft"],
            note="Edited, so it needs to be accepted again.",
        )
    db.session.flush()
    return unused


def review_evidence(evidence: Evidence, user: User, decision: str, reason: str | None = None) -> None:
    """Accept or reject an item (or return it to draft); rejecting needs a reason."""
    if decision not in EVIDENCE_STATUSES:
        raise ValueError(f"unknown evidence status {decision!r}")
    reason = (reason or "").strip() or None
    if decision == "rejected" and not reason:
        raise ValueError("a rejection needs a reason")
    previous = evidence.status
    if previous == decision and evidence.status_reason == reason:
        return
    evidence.status = decision
    evidence.status_reason = reason
    if decision == "draft":
        evidence.reviewed_by_id = None
        evidence.reviewed_at = None
    else:
        evidence.reviewed_by_id = user.id
        evidence.reviewed_at = utcnow()
    record_history(
        evidence.assessment,
        user,
        "evidence_status",
        evidence.title,
        EVIDENCE_STATUSES.get(previous, previous),
        EVIDENCE_STATUSES[decision],
        note=reason,
    )
    db.session.flush()


def delete_evidence(evidence: Evidence, user: User | None) -> str | None:
    """Remove an item from the register; returns its stored file's key to delete after commit."""
    key = evidence.file_key
    record_history(
        evidence.assessment,
        user,
        "evidence_removed",
        evidence.title,
        EVIDENCE_STATUSES.get(evidence.status, evidence.status),
        None,
    )
    db.session.delete(evidence)
    db.session.flush()
    return key

