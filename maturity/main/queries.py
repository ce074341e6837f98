"""What is waiting for the signed-in person, for the home page."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from maturity.access import can
from maturity.assessments.overview import build_overview, strands_done
from maturity.extensions import db
from maturity.models import (
    Action,
    Assessment,
    Membership,
    PeerReview,
    PeerStrandReview,
    Workshop,
    peer_review_reviewers,
)

#: An assessment is still being worked on until its governance board has confirmed it.
OPEN_STATUSES = ("draft", "evidence", "workshop", "agreed")
#: Roles that work on their own area's assessments (a reviewer's area is reviewed by others).
WORKING_ROLES = ("coordinator", "contributor")


@dataclass
class Continuing:
    assessment: Assessment
    done: int
    total: int


@dataclass
class Waiting:
    """The home page's to-do list; each list is empty when nothing of its kind waits."""

    assessments: list[Continuing] = field(default_factory=list)
    reviews: list[PeerReview] = field(default_factory=list)
    challenges: list[PeerStrandReview] = field(default_factory=list)
    overdue: list[Action] = field(default_factory=list)
    workshops: list[Workshop] = field(default_factory=list)

    @property
    def anything(self) -> bool:
        return bool(self.assessments or self.reviews or self.challenges or self.overdue or self.workshops)


def _area_ids(user: Any, roles: tuple[str, ...]) -> list[int]:
    return list(
        db.session.scalars(
            select(Membership.area_id).where(Membership.user_id == user.id, Membership.role.in_(roles))
        )
    )


def waiting_for(user: Any, today: date) -> Waiting:
    """Assessments to continue (with strands done), peer reviews asked of the person, challenges
    to answer, overdue actions and workshops coming up, in the areas the person works in."""
    working = _area_ids(user, WORKING_ROLES)
    managing = _area_ids(user, ("coordinator",))
    waiting = Waiting()
    if working:
        for assessment in db.session.scalars(
            select(Assessment)
            .where(Assessment.area_id.in_(working), Assessment.status.in_(OPEN_STATUSES))
            .options(selectinload(Assessment.area))
            .order_by(Assessment.created_at.desc(), Assessment.id.desc())
        ):
            views = build_overview(assessment)
            waiting.assessments.append(Continuing(assessment, strands_done(views), len(views)))
        waiting.overdue = [
            action
            for action in db.session.scalars(
                select(Action)
                .join(Assessment, Assessment.id == Action.assessment_id)
                .where(
                    Assessment.area_id.in_(working),
                    Action.status != "done",
                    Action.due_date.is_not(None),
                    Action.due_date < today,
                )
                .options(selectinload(Action.strand), selectinload(Action.assessment))
                .order_by(Action.due_date, Action.id)
            )
            if can(user, "view", action.assessment)
        ]
        waiting.workshops = list(
            db.session.scalars(
                select(Workshop)
                .join(Assessment, Assessment.id == Workshop.assessment_id)
                .where(
                    Assessment.area_id.in_(working),
                    Workshop.status != "closed",
                    or_(Workshop.held_on.is_(None), Workshop.held_on >= today),
                )
                .order_by(Workshop.held_on.is_(None), Workshop.held_on, Workshop.id)
            )
        )
    if managing:
        waiting.challenges = list(
            db.session.scalars(
                select(PeerStrandReview)
                .join(PeerReview, PeerReview.id == PeerStrandReview.review_id)
                .join(Assessment, Assessment.id == PeerReview.assessment_id)
                .where(
                    Assessment.area_id.in_(managing),
                    PeerReview.status == "submitted",
                    PeerStrandReview.position == "challenge",
                    or_(PeerStrandReview.response.is_(None), PeerStrandReview.response == ""),
                )
                .options(selectinload(PeerStrandReview.strand), selectinload(PeerStrandReview.review))
                .order_by(PeerReview.submitted_at, PeerStrandReview.id)
            )
        )
    waiting.reviews = list(
        db.session.scalars(
            select(PeerReview)
            .join(peer_review_reviewers, peer_review_reviewers.c.review_id == PeerReview.id)
            .where(
                peer_review_reviewers.c.user_id == user.id,
                PeerReview.status.in_(("requested", "in_progress")),
            )
            .order_by(PeerReview.requested_at, PeerReview.id)
        )
    )
    return waiting
