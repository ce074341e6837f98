from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from maturity.extensions import db
from maturity.models.base import utcnow


class FrameworkVersion(db.Model):
    """One loaded version of the maturity model; assessments record which one they used."""

    __tablename__ = "framework_versions"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60))
    version: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    #: publisher, year, title and credit line of the source document
    source: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: the four stages: key, name, value and a one-line summary each
    stages: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    #: sha256 of the file it was loaded from, to tell whether a reload changed anything
    content_hash: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    strands: Mapped[list["Strand"]] = relationship(
        back_populates="framework", order_by="Strand.position", cascade="all, delete-orphan"
    )

    @property
    def label(self) -> str:
        return f"{self.title} ({self.version})"

    def stage_name(self, value: int) -> str:
        return next((s["name"] for s in self.stages if s["value"] == value), str(value))


class Strand(db.Model):
    __tablename__ = "strands"
    __table_args__ = (UniqueConstraint("framework_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("framework_versions.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(60))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(80))
    purpose: Mapped[str] = mapped_column(Text)
    what_to_look_for: Mapped[list[str]] = mapped_column(JSON)
    measures: Mapped[str] = mapped_column(Text)
    evidence_sources: Mapped[list[str]] = mapped_column(JSON)
    #: Annex 1's row label for the strand ("Partnership working and governance"), if any
    label: Mapped[str | None] = mapped_column(String(120))

    framework: Mapped[FrameworkVersion] = relationship(back_populates="strands")
    elements: Mapped[list["Element"]] = relationship(
        back_populates="strand", order_by="Element.position", cascade="all, delete-orphan"
    )


class Element(db.Model):
    """A part of a strand that is rated on its own (leadership has four, delivery two)."""

    __tablename__ = "elements"
    __table_args__ = (UniqueConstraint("strand_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    strand_id: Mapped[int] = mapped_column(ForeignKey("strands.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    #: one-line descriptor per stage, keyed by stage value as a string ("1".."4")
    summaries: Mapped[dict[str, str]] = mapped_column(JSON)
    #: Annex 1's row label for the element's own row, if it has one
    label: Mapped[str | None] = mapped_column(String(120))

    strand: Mapped[Strand] = relationship(back_populates="elements")
    features: Mapped[list["Feature"]] = relationship(
        back_populates="element",
        order_by="(Feature.stage, Feature.position)",
        cascade="all, delete-orphan",
    )

    def summary(self, stage: int) -> str:
        return self.summaries.get(str(stage), "")

    def features_at(self, stage: int) -> list["Feature"]:
        return [f for f in self.features if f.stage == stage]


class Feature(db.Model):
    """One discrete claim in a stage descriptor; evidence is linked to features."""

    __tablename__ = "features"
    __table_args__ = (UniqueConstraint("framework_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: repeated from the strand so that feature keys are unique per framework version
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("framework_versions.id", ondelete="CASCADE"), index=True
    )
    element_id: Mapped[int] = mapped_column(ForeignKey("elements.id", ondelete="CASCADE"), index=True)
    #: stage value: 1 early, 2 developing, 3 maturing, 4 mature
    stage: Mapped[int]
    key: Mapped[str] = mapped_column(String(60))
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    #: "achievement" (evidence it to claim the stage) or "limitation" (a shortcoming that still
    #: holds at the stage: evidence of it caps the evidenced stage there)
    kind: Mapped[str] = mapped_column(String(20), default="achievement", server_default="achievement")

    element: Mapped[Element] = relationship(back_populates="features")

    @property
    def is_limitation(self) -> bool:
        return self.kind == "limitation"
