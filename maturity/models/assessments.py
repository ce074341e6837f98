from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from maturity.extensions import db
from maturity.models.accounts import User
from maturity.models.areas import Area, Organisation
from maturity.models.base import utcnow
from maturity.models.framework import Element, FrameworkVersion, Strand

#: The lifecycle, in order (DESIGN.md section 4).
ASSESSMENT_STATUSES = {
    "draft": "Draft",
    "evidence": "Evidence gathering",
    "workshop": "Workshop held",
    "agreed": "Agreed with partners",
    "confirmed": "Confirmed by governance",
    "peer_reviewed": "Peer reviewed",
    "shared": "Shared with the national team",
}


class Assessment(db.Model):
    """One assessment cycle of an area's partnership against one framework version."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework_versions.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    #: e.g. "2016 to 2017"; the dates bound the period the assessment covers
    period_label: Mapped[str] = mapped_column(String(60))
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    #: one of ASSESSMENT_STATUSES
    status: Mapped[str] = mapped_column(String(20), default="draft")
    #: the cycle this one was started from, for trends and carried-forward evidence
    previous_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessments.id", ondelete="SET NULL"), index=True
    )
    governance_board: Mapped[str | None] = mapped_column(String(200))
    governance_date: Mapped[date | None]
    governance_minute: Mapped[str | None] = mapped_column(String(200))
    #: demo data only: what in this assessment is made up, shown on each of its pages
    illustrative_note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    area: Mapped[Area] = relationship()
    framework: Mapped[FrameworkVersion] = relationship()
    previous: Mapped[Optional["Assessment"]] = relationship(remote_side=[id])
    created_by: Mapped[User | None] = relationship()
    strand_ratings: Mapped[list["StrandRating"]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan"
    )
    element_ratings: Mapped[list["ElementRating"]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan"
    )

    @property
    def status_label(self) -> str:
        return ASSESSMENT_STATUSES.get(self.status, self.status)

    def rating_for(self, strand: Strand) -> Optional["StrandRating"]:
        return next((r for r in self.strand_ratings if r.strand_id == strand.id), None)

    def element_rating_for(self, element: Element) -> Optional["ElementRating"]:
        return next((r for r in self.element_ratings if r.element_id == element.id), None)


class StrandRating(db.Model):
    """Per strand: the desktop self rating, the room's result carried in, and the agreed rating.

    Ratings are stored as codes from core.scoring.Rating: "developing" or "developing-maturing".
    """

    __tablename__ = "strand_ratings"
    __table_args__ = (UniqueConstraint("assessment_id", "strand_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    strand_id: Mapped[int] = mapped_column(ForeignKey("strands.id"), index=True)

    self_rating: Mapped[str | None] = mapped_column(String(24))
    self_rationale: Mapped[str | None] = mapped_column(Text)
    self_rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    self_rated_at: Mapped[datetime | None]

    #: the workshop room's result carried in as an input: summary figures and where they came from
    room_result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    room_carried_at: Mapped[datetime | None]
    #: a survey's result carried in as an input, like the room's: its figures and where they came from
    survey_result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    survey_carried_at: Mapped[datetime | None]

    agreed_rating: Mapped[str | None] = mapped_column(String(24))
    agreed_rationale: Mapped[str | None] = mapped_column(Text)
    agreed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    agreed_at: Mapped[datetime | None]
    #: snapshot of what the agreed rating was decided from (self rating, room, evidenced stage)
    agreed_inputs: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    assessment: Mapped[Assessment] = relationship(back_populates="strand_ratings")
    strand: Mapped[Strand] = relationship()
    self_rated_by: Mapped[User | None] = relationship(foreign_keys=[self_rated_by_id])
    agreed_by: Mapped[User | None] = relationship(foreign_keys=[agreed_by_id])

    @property
    def area_id(self) -> int:
        return self.assessment.area_id


class ElementRating(db.Model):
    """A desktop self rating of one element (leadership and workforce have four, delivery two)."""

    __tablename__ = "element_ratings"
    __table_args__ = (UniqueConstraint("assessment_id", "element_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    element_id: Mapped[int] = mapped_column(ForeignKey("elements.id"), index=True)
    self_rating: Mapped[str | None] = mapped_column(String(24))
    self_rationale: Mapped[str | None] = mapped_column(Text)
    rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rated_at: Mapped[datetime | None]

    assessment: Mapped[Assessment] = relationship(back_populates="element_ratings")
    element: Mapped[Element] = relationship()

    @property
    def area_id(self) -> int:
        return self.assessment.area_id


class HistoryEntry(db.Model):
    """Every change of state and of a rating: who, when, from, to."""

    __tablename__ = "history_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: what changed: "status", "self_rating", "element_rating", "agreed_rating", "room_result",
    #: "evidence_status", "peer_rating" ...
    kind: Mapped[str] = mapped_column(String(30))
    #: what it changed on, e.g. the strand's or element's name
    subject: Mapped[str | None] = mapped_column(String(200))
    from_value: Mapped[str | None] = mapped_column(String(200))
    to_value: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User | None] = relationship()


ACTION_STATUSES = {"not_started": "Not started", "in_progress": "In progress", "done": "Done"}


class Action(db.Model):
    """A next step in a strand's action plan towards the next stage."""

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    strand_id: Mapped[int] = mapped_column(ForeignKey("strands.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    due_date: Mapped[date | None]
    #: one of ACTION_STATUSES
    status: Mapped[str] = mapped_column(String(20), default="not_started")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    assessment: Mapped[Assessment] = relationship()
    strand: Mapped[Strand] = relationship()
    owner_organisation: Mapped[Organisation | None] = relationship()

    @property
    def area_id(self) -> int:
        return self.assessment.area_id

    @property
    def status_label(self) -> str:
        return ACTION_STATUSES.get(self.status, self.status)

    def is_overdue(self, today: date) -> bool:
        return self.status != "done" and self.due_date is not None and self.due_date < today
