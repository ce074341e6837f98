"""Read-only queries for peer review: the reviews of an assessment or a person, who may review,
and when two areas last reviewed each other.

Comparison, matching and the national figures are maturity.reports.queries.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from maturity.extensions import db
from maturity.models import (
    Area,
    Assessment,
    Membership,
    PeerReview,
    Strand,
    User,
    peer_review_reviewers,
)

# --------------------------------------------------------------------------------------------
# Reviews
# --------------------------------------------------------------------------------------------


def reviews_of(assessment: Assessment) -> list[PeerReview]:
    """Every review of an assessment, newest first."""
    return list(
        db.session.scalars(
            select(PeerReview)
            .where(PeerReview.assessment_id == assessment.id)
            .options(selectinload(PeerReview.reviewers), selectinload(PeerReview.reviewing_area))
            .order_by(PeerReview.requested_at.desc(), PeerReview.id.desc())
        )
    )


def open_review_of(assessment: Assessment) -> PeerReview | None:
    return db.session.scalar(
        select(PeerReview)
        .where(PeerReview.assessment_id == assessment.id, PeerReview.status != "closed")
        .limit(1)
    )


def reviews_for(user: Any) -> dict[str, list[PeerReview]]:
    """Reviews the user is doing (open, named as reviewer) and reviews of the user's areas."""
    options = (
        selectinload(PeerReview.reviewers),
        selectinload(PeerReview.reviewing_area),
        selectinload(PeerReview.assessment).selectinload(Assessment.area),
    )
    doing = list(
        db.session.scalars(
            select(PeerReview)
            .join(peer_review_reviewers, peer_review_reviewers.c.review_id == PeerReview.id)
            .where(peer_review_reviewers.c.user_id == user.id, PeerReview.status != "closed")
            .options(*options)
            .order_by(PeerReview.requested_at.desc())
        )
    )
    of_mine = select(PeerReview).join(Assessment, Assessment.id == PeerReview.assessment_id)
    if not user.is_admin:
        of_mine = of_mine.where(Assessment.area_id.in_(user.area_ids or {-1}))
    received = list(
        db.session.scalars(of_mine.options(*options).order_by(PeerReview.requested_at.desc()))
    )
    return {"doing": doing, "received": received}


def eligible_reviewers(area: Area) -> list[Any]:
    """People in an area who may be named as reviewers: its reviewers and coordinators."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.area_id == area.id,
                Membership.role.in_(("reviewer", "coordinator")),
                User.is_active_account.is_(True),
            )
            .order_by(User.name)
        )
    )


def last_pairings(area_id: int) -> dict[int, date]:
    """Per other area, the date of the latest peer review pairing with this area (either way)."""
    rows = db.session.execute(
        select(Assessment.area_id, PeerReview.reviewing_area_id, PeerReview.requested_at)
        .join(Assessment, Assessment.id == PeerReview.assessment_id)
        .where(or_(Assessment.area_id == area_id, PeerReview.reviewing_area_id == area_id))
    )
    latest: dict[int, date] = {}
    for reviewed_id, reviewing_id, requested_at in rows:
        other = reviewing_id if reviewed_id == area_id else reviewed_id
        when = requested_at.date()
        if other != area_id and (other not in latest or when > latest[other]):
            latest[other] = when
    return latest


def strands_of(framework_id: int) -> list[Strand]:
    """A framework's strands in order."""
    return list(
        db.session.scalars(
            select(Strand).where(Strand.framework_id == framework_id).order_by(Strand.position)
        )
    )


def other_areas(area_id: int) -> list[Area]:
    """Every area but this one, by name: who may review it."""
    return list(db.session.scalars(select(Area).where(Area.id != area_id).order_by(Area.name)))
