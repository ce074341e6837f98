"""Writes for peer reviews: request, record per strand, summarise, submit, answer, close.

Each function changes model objects, flushes and records history on the reviewed assessment;
the view commits once. Rules that depend on the state of a review raise OperationError with a
message the page can show.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from maturity.core.scoring import RATINGS, Rating
from maturity.errors import OperationError
from maturity.extensions import db
from maturity.history import record_history
from maturity.models import (
    REVIEW_POSITIONS,
    REVIEW_STATUSES,
    Area,
    Assessment,
    PeerReview,
    PeerStrandReview,
    Strand,
    User,
)
from maturity.models.base import utcnow

HISTORY_KIND = "peer_review"
RATING_HISTORY_KIND = "peer_rating"


def _status(review: PeerReview, user: User | None, status: str, note: str | None = None) -> None:
    old = review.status
    review.status = status
    record_history(
        review.assessment,
        user,
        HISTORY_KIND,
        f"Peer review by {review.reviewing_area.name}",
        REVIEW_STATUSES.get(old),
        REVIEW_STATUSES[status],
        note=note,
    )


def request_review(
    assessment: Assessment,
    reviewing_area: Area,
    reviewers: Iterable[User],
    user: User | None,
    note: str | None = None,
) -> PeerReview:
    """Ask another area to peer review an assessment, naming the people who will do it."""
    reviewers = list(reviewers)
    if reviewing_area.id == assessment.area_id:
        raise OperationError("Choose another area: an area cannot peer review itself.")
    if not reviewers:
        raise OperationError("Choose at least one reviewer.")
    for reviewer in reviewers:
        if reviewer.role_in(reviewing_area.id) not in ("reviewer", "coordinator"):
            raise OperationError(
                f"{reviewer.name} is not a reviewer or coordinator in {reviewing_area.name}."
            )
    if any(r.is_open for r in _reviews(assessment)):
        raise OperationError(
            "This assessment already has a peer review under way. Close it before requesting another."
        )
    review = PeerReview(
        assessment=assessment,
        reviewing_area=reviewing_area,
        reviewers=reviewers,
        requested_by=user,
        request_note=(note or "").strip() or None,
        status="requested",
    )
    db.session.add(review)
    db.session.flush()
    record_history(
        assessment,
        user,
        HISTORY_KIND,
        f"Peer review by {reviewing_area.name}",
        None,
        REVIEW_STATUSES["requested"],
        note="Reviewers: " + ", ".join(r.name for r in reviewers),
    )
    db.session.flush()
    return review


def _reviews(assessment: Assessment) -> list[PeerReview]:
    return list(db.session.scalars(select(PeerReview).where(PeerReview.assessment_id == assessment.id)))


def _writable(review: PeerReview) -> None:
    if review.status not in ("requested", "in_progress"):
        raise OperationError(
            f"This peer review is {review.status_label.lower()}, so it can no longer be changed."
        )


def _start(review: PeerReview, user: User | None) -> None:
    """The first thing a reviewer records moves the review from requested to in progress."""
    if review.status == "requested":
        review.started_at = utcnow()
        _status(review, user, "in_progress")


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def record_strand(
    review: PeerReview,
    strand: Strand,
    user: User | None,
    peer_rating: str,
    position: str,
    strengths: str | None = None,
    development: str | None = None,
    questions: str | None = None,
) -> PeerStrandReview:
    """Record (or change) a reviewer's peer rating, agree/challenge and notes for one strand."""
    _writable(review)
    if strand.framework_id != review.assessment.framework_id:
        raise OperationError("That strand is not part of this assessment's framework.")
    rating = Rating.parse(peer_rating)
    if rating not in RATINGS:
        raise OperationError("Choose a stage, or a position between two neighbouring stages.")
    if position not in REVIEW_POSITIONS:
        raise OperationError("Say whether you agree with the area's rating or challenge it.")
    _start(review, user)
    entry = review.strand_review(strand)
    if entry is None:
        entry = PeerStrandReview(review=review, strand=strand)
        db.session.add(entry)
    old_rating = entry.peer_rating
    entry.peer_rating = rating.code
    entry.position = position
    entry.strengths = _clean(strengths)
    entry.development = _clean(development)
    entry.questions = _clean(questions)
    entry.updated_by = user
    entry.updated_at = utcnow()
    if old_rating != rating.code or position == "challenge":
        record_history(
            review.assessment,
            user,
            RATING_HISTORY_KIND,
            strand.short_name,
            parse_label(old_rating),
            rating.label,
            note=f"{REVIEW_POSITIONS[position]} (peer review by {review.reviewing_area.name})",
        )
    db.session.flush()
    return entry


def parse_label(code: str | None) -> str | None:
    if not code:
        return None
    try:
        return Rating.parse(code).label
    except ValueError:
        return code


def record_summary(review: PeerReview, user: User | None, summary: str) -> None:
    """The reviewers' overall summary of the assessment."""
    _writable(review)
    _start(review, user)
    review.summary = _clean(summary)
    db.session.flush()


def missing_for_submission(review: PeerReview, strands: Iterable[Strand]) -> list[tuple[str, str]]:
    """What still has to be recorded before submitting: (strand key or "summary", message)."""
    missing = []
    for strand in strands:
        entry = review.strand_review(strand)
        if entry is None or not entry.is_complete:
            missing.append((strand.key, f"Record a peer rating for {strand.name}"))
    if not (review.summary or "").strip():
        missing.append(("summary", "Write the overall summary"))
    return missing


def submit(review: PeerReview, user: User | None, strands: Iterable[Strand]) -> None:
    """Hand the review to the reviewed area; after this the reviewers cannot change it."""
    _writable(review)
    missing = missing_for_submission(review, strands)
    if missing:
        raise OperationError("; ".join(message for _key, message in missing))
    review.submitted_at = utcnow()
    review.submitted_by = user
    challenges = sum(1 for s in review.strand_reviews if s.is_challenge)
    _status(
        review,
        user,
        "submitted",
        note=f"{challenges} challenge{'' if challenges == 1 else 's'} to answer",
    )
    db.session.flush()


def respond(entry: PeerStrandReview, user: User | None, response: str) -> None:
    """The reviewed area's answer to a reviewer's challenge on one strand."""
    review = entry.review
    if not review.is_open:
        raise OperationError("This peer review is closed, so it can no longer be changed.")
    if not entry.is_challenge:
        raise OperationError("Only a challenge needs an answer.")
    text = _clean(response)
    if text is None:
        raise OperationError("Enter your answer to the challenge.")
    first = entry.response is None
    entry.response = text
    entry.responded_by = user
    entry.responded_at = utcnow()
    record_history(
        review.assessment,
        user,
        HISTORY_KIND,
        entry.strand.short_name,
        None,
        "Challenge answered" if first else "Answer changed",
        note=f"Peer review by {review.reviewing_area.name}",
    )
    db.session.flush()


def close(review: PeerReview, user: User | None) -> None:
    """End the review: the reviewers lose access to the assessment.

    A submitted review closes only when every challenge has been answered; a review that was
    never submitted may be closed at any time, which withdraws the request.
    """
    if not review.is_open:
        raise OperationError("This peer review is already closed.")
    if review.status == "submitted":
        waiting = [s.strand.name for s in review.strand_reviews if s.awaiting_response]
        if waiting:
            raise OperationError("Answer every challenge before closing the review: " + ", ".join(waiting) + ".")
        note = "Review complete; reviewers' access ended"
    else:
        note = "Closed before it was submitted; reviewers' access ended"
    review.closed_at = utcnow()
    review.closed_by = user
    _status(review, user, "closed", note=note)
    db.session.flush()
