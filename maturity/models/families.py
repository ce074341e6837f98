"""The family questionnaire: one per assessment, anonymous responses, one per device.

A response keeps no name, case number, address or time of day: only the day it was given (for
the retention rule), whether a worker typed it in from paper, a one-way hash of the device's
random token (so the same phone answers once) and the answers themselves.
"""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from maturity.core.families import DEFAULT_RETENTION_MONTHS
from maturity.extensions import db
from maturity.models.assessments import Assessment
from maturity.models.base import utcnow

QUESTIONNAIRE_STATUSES = {"setup": "Not opened yet", "open": "Open", "closed": "Closed"}


class FamilyQuestionnaire(db.Model):
    """The questionnaire families answer about the help they had, on one assessment."""

    __tablename__ = "family_questionnaires"
    __table_args__ = (
        CheckConstraint("retention_months >= 1 AND retention_months <= 36", name="retention_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), unique=True
    )
    #: the random code in the families' link (never typed, so not a join code)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    #: one of QUESTIONNAIRE_STATUSES
    status: Mapped[str] = mapped_column(String(10), default="setup")
    #: answers are deleted this many months after the day they were given
    retention_months: Mapped[int] = mapped_column(default=DEFAULT_RETENTION_MONTHS)
    #: demo data: shown as illustrative wherever its results appear
    illustrative: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    assessment: Mapped[Assessment] = relationship()
    responses: Mapped[list["FamilyResponse"]] = relationship(
        back_populates="questionnaire", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def area_id(self) -> int:
        return self.assessment.area_id

    @property
    def status_label(self) -> str:
        return QUESTIONNAIRE_STATUSES.get(self.status, self.status)

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def is_closed(self) -> bool:
        return self.status == "closed"


class FamilyResponse(db.Model):
    """One family's answers, from a phone or typed in from a paper form by a worker."""

    __tablename__ = "family_responses"
    __table_args__ = (UniqueConstraint("questionnaire_id", "device_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("family_questionnaires.id", ondelete="CASCADE"), index=True
    )
    #: sha256 of the random token in the device's signed cookie; None when transcribed
    device_hash: Mapped[str | None] = mapped_column(String(64))
    #: a worker typed this in from a paper form
    transcribed: Mapped[bool] = mapped_column(default=False)
    #: the day only, for the retention rule
    answered_on: Mapped[date] = mapped_column(default=lambda: utcnow().date(), index=True)
    #: the optional free-text answer; seen by the area's coordinators only
    comment: Mapped[str | None] = mapped_column(String(500))
    #: a coordinator hid the comment (it named someone)
    comment_hidden: Mapped[bool] = mapped_column(default=False)

    questionnaire: Mapped[FamilyQuestionnaire] = relationship(back_populates="responses")
    answers: Mapped[list["FamilyAnswer"]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def area_id(self) -> int:
        return self.questionnaire.area_id


class FamilyAnswer(db.Model):
    """One answer of a response: a question key and a point of the scale (core.families)."""

    __tablename__ = "family_answers"
    __table_args__ = (UniqueConstraint("response_id", "question_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("family_responses.id", ondelete="CASCADE"), index=True
    )
    question_key: Mapped[str] = mapped_column(String(40))
    answer: Mapped[str] = mapped_column(String(20))

    response: Mapped[FamilyResponse] = relationship(back_populates="answers")
