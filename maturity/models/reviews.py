from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from maturity.extensions import db
from maturity.models.accounts import User
from maturity.models.areas import Area
from maturity.models.assessments import Assessment
from maturity.models.base import utcnow
from maturity.models.framework import Strand

#: A peer review's states, in order (DESIGN.md section 5).
REVIEW_STATUSES = {
    "requested": "Requested",
    "in_progress": "In progress",
    "submitted": "Submitted",
    "closed": "Closed",
}
#: What a reviewer says of the area's own rating of a strand.
REVIEW_POSITIONS = {"agree": "Agree", "challenge": "Challenge"}

#: The people named to carry out a peer review.
peer_review_reviewers = Table(
    "peer_review_reviewers",
    db.metadata,
    Column("review_id", ForeignKey("peer_reviews.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class PeerReview(db.Model):
    """A peer review of one assessment by people from another area."""

    __tablename__ = "peer_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    #: the area whose people carry out the review
    reviewing_area_id: Mapped[int] = mapped_column(
        ForeignKey("areas.id", ondelete="CASCADE"), index=True
    )
    #: one of REVIEW_STATUSES
    status: Mapped[str] = mapped_column(String(20), default="requested", index=True)
    #: what the reviewed area asks the reviewers to look at
    request_note: Mapped[str | None] = mapped_column(Text)
    #: the reviewers' overall summary
    summary: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    assessment: Mapped[Assessment] = relationship()
    reviewing_area: Mapped[Area] = relationship()
    reviewers: Mapped[list[User]] = relationship(
        secondary=peer_review_reviewers, order_by=User.name
    )
    strand_reviews: Mapped[list["PeerStrandReview"]] = relationship(
        back_populates="review", cascade="all, delete-orphan"
    )
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])

    @property
    def area_id(self) -> int:
        """The reviewed area: its coordinators manage the review."""
        return self.assessment.area_id

    @property
    def status_label(self) -> str:
        return REVIEW_STATUSES.get(self.status, self.status)

    @property
    def is_open(self) -> bool:
        return self.status != "closed"

    def is_reviewer(self, user: User) -> bool:
        return any(reviewer.id == user.id for reviewer in self.reviewers)

    def strand_review(self, strand: Strand) -> "PeerStrandReview | None":
        return next((s for s in self.strand_reviews if s.strand_id == strand.id), None)


class PeerStrandReview(db.Model):
    """A reviewer's view of one strand, and the reviewed area's answer to a challenge."""

    __tablename__ = "peer_strand_reviews"
    __table_args__ = (UniqueConstraint("review_id", "strand_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("peer_reviews.id", ondelete="CASCADE"), index=True
    )
    strand_id: Mapped[int] = mapped_column(ForeignKey("strands.id"), index=True)
    #: a core.scoring.Rating code: "developing" or "developing-maturing"
    peer_rating: Mapped[str | None] = mapped_column(String(24))
    #: one of REVIEW_POSITIONS: agree with the area's rating, or challenge it
    position: Mapped[str | None] = mapped_column(String(20))
    strengths: Mapped[str | None] = mapped_column(Text)
    development: Mapped[str | None] = mapped_column(Text)
    questions: Mapped[str | None] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime | None]
    #: the reviewed area's answer to a challenge
    response: Mapped[str | None] = mapped_column(Text)
    responded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    responded_at: Mapped[datetime | None]

    review: Mapped[PeerReview] = relationship(back_populates="strand_reviews")
    strand: Mapped[Strand] = relationship()
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    responded_by: Mapped[User | None] = relationship(foreign_keys=[responded_by_id])

    @property
    def area_id(self) -> int:
        return self.review.area_id

    @property
    def position_label(self) -> str:
        return REVIEW_POSITIONS.get(self.position or "", "")

    @property
    def is_challenge(self) -> bool:
        return self.position == "challenge"

    @property
    def is_complete(self) -> bool:
        """A peer rating and a position: enough to submit."""
        return bool(self.peer_rating and self.position)

    @property
    def awaiting_response(self) -> bool:
        return self.is_challenge and not (self.response or "").strip()
