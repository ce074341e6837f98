from datetime import date, datetime
from typing import Optional

from sqlalchemy import Column, Float, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from maturity.extensions import db
from maturity.models.accounts import User
from maturity.models.areas import Organisation
from maturity.models.assessments import Assessment
from maturity.models.base import utcnow
from maturity.models.framework import Feature

EVIDENCE_KINDS = {"qualitative": "Qualitative", "quantitative": "Quantitative"}
EVIDENCE_STATUSES = {"draft": "Draft", "accepted": "Accepted", "rejected": "Rejected"}

#: Which features of the framework a piece of evidence supports.
evidence_features = Table(
    "evidence_features",
    db.metadata,
    Column("evidence_id", ForeignKey("evidence.id", ondelete="CASCADE"), primary_key=True),
    Column("feature_id", ForeignKey("features.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Evidence(db.Model):
    """An item in an assessment's evidence register: about services, never about a family."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    #: one of EVIDENCE_KINDS
    kind: Mapped[str] = mapped_column(String(20))
    #: quantitative evidence: the figure, its unit, the baseline it compares with and its period
    value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(60))
    baseline: Mapped[float | None] = mapped_column(Float)
    period: Mapped[str | None] = mapped_column(String(60))
    #: the date the evidence is about (not when it was uploaded)
    about_date: Mapped[date | None]
    #: one of the toolkit's suggested sources, or free text for "other"
    source_type: Mapped[str | None] = mapped_column(String(200))
    link: Mapped[str | None] = mapped_column(String(2000))
    #: an uploaded file: the name it was uploaded with, and the random name it is stored under
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    file_type: Mapped[str | None] = mapped_column(String(100))
    file_size: Mapped[int | None]
    #: the uploader confirmed the document holds no personal data about identifiable families
    no_personal_data: Mapped[bool] = mapped_column(default=False)
    #: one of EVIDENCE_STATUSES
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None]
    #: set when the item was carried forward into a new cycle: the item it was copied from
    carried_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("evidence.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    assessment: Mapped[Assessment] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    features: Mapped[list[Feature]] = relationship(secondary=evidence_features)
    carried_from: Mapped[Optional["Evidence"]] = relationship(remote_side=[id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    @property
    def area_id(self) -> int:
        return self.assessment.area_id

    @property
    def kind_label(self) -> str:
        return EVIDENCE_KINDS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return EVIDENCE_STATUSES.get(self.status, self.status)

    def is_stale(self, today: date, max_age_days: int) -> bool:
        reference = self.about_date or self.created_at.date()
        return (today - reference).days > max_age_days


class ApiToken(db.Model):
    """A personal token for the read-only API (Power BI and the like). Only its hash is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    #: sha256 of the token, hex
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: the first characters, so the owner can tell tokens apart
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
