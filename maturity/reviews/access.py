"""Who may see and do what in a peer review.

A named reviewer of an open review may READ the reviewed assessment and everything that belongs
to it (evidence and its files, workshop results, ratings, actions, history) through a grant in
`maturity.access.GRANTS`, and nothing else of that area: not the area page, not its other
assessments. The grant ends when the review is closed.

The review itself: its reviewers write it while it is open and not yet submitted; the reviewed
area's coordinators (and the national team) answer its challenges and close it; any member of
the reviewed area may read it.
"""

from typing import Any, TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy import exists, select

from maturity import access
from maturity.extensions import db
from maturity.models import Assessment, PeerReview, PeerStrandReview, peer_review_reviewers
from maturity.routing import parse_id

T = TypeVar("T")

REVIEW_NEEDS = ("view", "review", "manage")
#: The states in which reviewers may still change what they have written.
WRITABLE = ("requested", "in_progress")


def _assessment_id_of(obj: Any) -> int | None:
    """The assessment an object belongs to, if it belongs to one."""
    if isinstance(obj, Assessment):
        return obj.id
    if isinstance(obj, PeerReview | PeerStrandReview):
        return None  # a review's own pages use review_allows, not this grant
    assessment_id = getattr(obj, "assessment_id", None)
    if assessment_id is None:
        # e.g. a workshop round, which belongs to its workshop, which belongs to the assessment
        assessment_id = getattr(getattr(obj, "workshop", None), "assessment_id", None)
    if isinstance(assessment_id, int) and not isinstance(assessment_id, bool):
        return assessment_id
    return None


def reviews_assessment(user: Any, assessment_id: int) -> bool:
    """Whether the user is a named reviewer of an open review of that assessment."""
    return bool(
        db.session.scalar(
            select(
                exists()
                .where(peer_review_reviewers.c.review_id == PeerReview.id)
                .where(
                    peer_review_reviewers.c.user_id == user.id,
                    PeerReview.assessment_id == assessment_id,
                    PeerReview.status != "closed",
                )
            )
        )
    )


def reviewer_grant(user: Any, need: str, obj: Any) -> bool:
    """The grant appended to maturity.access.GRANTS: read access for open reviews' reviewers."""
    if need != "view":
        return False
    assessment_id = _assessment_id_of(obj)
    return assessment_id is not None and reviews_assessment(user, assessment_id)


def register() -> None:
    if reviewer_grant not in access.GRANTS:
        access.GRANTS.append(reviewer_grant)


def review_allows(user: Any, need: str, review: PeerReview) -> bool:
    """Whether a user may "view" a review, "review" it (write as reviewer) or "manage" it."""
    if (answer := access.settled(user, need, REVIEW_NEEDS)) is not None:
        return answer
    role = user.role_in(review.assessment.area_id)
    named = review.is_open and review.is_reviewer(user)
    if need == "view":
        return role is not None or named
    if need == "review":
        return named
    return role is not None and "manage" in access.ROLE_CAN.get(role, set())


def load_review(review_id: int, need: str = "view") -> PeerReview:
    """The review, or 404 when the user may not see it, or 403 when they may not do `need`."""
    review = db.session.get(PeerReview, review_id) if parse_id(review_id) else None
    if review is None or not review_allows(current_user, "view", review):
        abort(404)
    if need != "view" and not review_allows(current_user, need, review):
        abort(403, "You cannot do that in this peer review.")
    return review
