"""Surveys: partners rate strands (or elements) from any device before, or instead of, a
workshop. No account: a response is tied to a device by a one-way hash of a random token kept
in the device's signed cookie, or to a per-person link by a one-way hash of the link's token.
A response keeps the day it was started, never the time, so the order of answers cannot be
matched to people.
"""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from maturity.core.surveys import STATUSES, label
from maturity.extensions import db
from maturity.models.accounts import User
from maturity.models.assessments import Assessment
from maturity.models.base import utcnow
from maturity.models.framework import Element, Strand


class Survey(db.Model):
    """A survey on one assessment: which strands or elements, when, and what it asks."""

    __tablename__ = "surveys"
    __table_args__ = (
        CheckConstraint("breakdown IN ('org_type', 'grade', 'role')", name="breakdown_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    #: typed or scanned to reach the survey (the workshops' join-code alphabet and length)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    #: one of core.surveys.STATUSES; the dates below narrow when an open survey takes answers
    status: Mapped[str] = mapped_column(String(10), default="setup")
    opens_on: Mapped[date | None]
    closes_on: Mapped[date | None]
    ask_org_type: Mapped[bool] = mapped_column(default=True)
    ask_grade: Mapped[bool] = mapped_column(default=False)
    ask_role: Mapped[bool] = mapped_column(default=False)
    #: each rating asks "why?" (a short free-text reason)
    ask_why: Mapped[bool] = mapped_column(default=False)
    #: the one optional question whose answers break the published results down
    breakdown: Mapped[str] = mapped_column(String(10), default="org_type")
    #: demo data: shown as illustrative wherever its results appear
    illustrative: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    assessment: Mapped[Assessment] = relationship()
    created_by: Mapped[User | None] = relationship()
    items: Mapped[list["SurveyItem"]] = relationship(
        back_populates="survey",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="SurveyItem.position",
    )
    responses: WriteOnlyMapped["SurveyResponse"] = relationship(
        back_populates="survey", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def area_id(self) -> int:
        return self.assessment.area_id

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def display_code(self) -> str:
        """The code in two groups of four for reading aloud: "ABCD-EFGH"."""
        return f"{self.code[:4]}-{self.code[4:]}" if len(self.code) == 8 else self.code

    @property
    def asked(self) -> list[str]:
        """The optional questions this survey asks, in order (keys of core.surveys.QUESTIONS)."""
        flags = {"org_type": self.ask_org_type, "grade": self.ask_grade, "role": self.ask_role}
        return [question for question, asked in flags.items() if asked]

    def taking_answers(self, today: date) -> bool:
        """Open, and today falls within its dates (either end may be left open)."""
        return (
            self.status == "open"
            and (self.opens_on is None or self.opens_on <= today)
            and (self.closes_on is None or today <= self.closes_on)
        )

    def finished(self, today: date) -> bool:
        """Closed by the coordinator, or past its closing date: its results may be published."""
        return self.status == "closed" or (
            self.status == "open" and self.closes_on is not None and today > self.closes_on
        )


class SurveyItem(db.Model):
    """One thing a survey asks people to rate: a whole strand, or one element of it."""

    __tablename__ = "survey_items"
    __table_args__ = (UniqueConstraint("survey_id", "strand_id", "element_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    strand_id: Mapped[int] = mapped_column(ForeignKey("strands.id"), index=True)
    #: None: the whole strand
    element_id: Mapped[int | None] = mapped_column(ForeignKey("elements.id"))
    position: Mapped[int]

    survey: Mapped[Survey] = relationship(back_populates="items")
    strand: Mapped[Strand] = relationship(lazy="joined")
    element: Mapped[Element | None] = relationship(lazy="joined")

    @property
    def name(self) -> str:
        return self.element.name if self.element is not None else self.strand.name


class SurveyResponse(db.Model):
    """One person's answers, reached from one device or through one per-person link."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        UniqueConstraint("survey_id", "device_hash"),
        UniqueConstraint("survey_id", "link_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    #: sha256 of the random token in the device's signed cookie
    device_hash: Mapped[str | None] = mapped_column(String(64))
    #: sha256 of the per-person link's token (the link itself is given out once, never kept)
    link_hash: Mapped[str | None] = mapped_column(String(64))
    org_type: Mapped[str | None] = mapped_column(String(30))
    grade: Mapped[str | None] = mapped_column(String(30))
    role: Mapped[str | None] = mapped_column(String(30))
    #: the day only
    started_on: Mapped[date | None]
    #: the person said they had finished (answers can still be changed while the survey is open)
    submitted: Mapped[bool] = mapped_column(default=False)

    survey: Mapped[Survey] = relationship(back_populates="responses")
    answers: Mapped[list["SurveyAnswer"]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def area_id(self) -> int:
        return self.survey.area_id

    def answer_label(self, question: str) -> str | None:
        return label(question, getattr(self, question))


class SurveyAnswer(db.Model):
    """One rating in a response: a stage 1-4, or None for "don't know", and perhaps a reason."""

    __tablename__ = "survey_answers"
    __table_args__ = (
        UniqueConstraint("response_id", "item_id"),
        CheckConstraint("stage IS NULL OR (stage >= 1 AND stage <= 4)", name="stage_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("survey_items.id", ondelete="CASCADE"), index=True)
    stage: Mapped[int | None]
    reason: Mapped[str | None] = mapped_column(String(500))
    #: a coordinator hid the reason (it named a person or a family); recorded in the history
    reason_hidden: Mapped[bool] = mapped_column(default=False)

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")
    item: Mapped[SurveyItem] = relationship()
