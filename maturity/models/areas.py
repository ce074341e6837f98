from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from maturity.core.vocabulary import AREA_KINDS, CORE_PARTNER_TYPES, ORGANISATION_TYPES
from maturity.extensions import db
from maturity.models.base import utcnow


class Area(db.Model):
    """A local area (upper or lower tier authority) whose partnership assesses itself."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    #: one of core.vocabulary.AREA_KINDS
    kind: Mapped[str] = mapped_column(String(20))
    region: Mapped[str | None] = mapped_column(String(40))
    #: a district's county, for two-tier areas such as Staffordshire
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"))
    #: a few lines about the partnership shown on the area's page: its programme, localities
    about: Mapped[str | None] = mapped_column(Text)
    #: the organisation types whose voice the area expects in an assessment; None: the default
    core_partner_types: Mapped[list[str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Optional["Area"]] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Area"]] = relationship(back_populates="parent", order_by="Area.name")
    organisations: Mapped[list["Organisation"]] = relationship(
        back_populates="area", order_by="Organisation.name", cascade="all, delete-orphan"
    )

    @property
    def area_id(self) -> int:
        return self.id

    @property
    def kind_label(self) -> str:
        return AREA_KINDS.get(self.kind, self.kind)

    @property
    def core_types(self) -> list[str]:
        """The core partner types: the area's own choice, or the toolkit's list."""
        if self.core_partner_types is None:
            return list(CORE_PARTNER_TYPES)
        return [t for t in ORGANISATION_TYPES if t in self.core_partner_types]

    def __repr__(self) -> str:
        return f"<Area {self.name}>"


class Organisation(db.Model):
    """A partner organisation in an area's partnership."""

    __tablename__ = "organisations"
    __table_args__ = (UniqueConstraint("area_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    #: one of core.vocabulary.ORGANISATION_TYPES
    org_type: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    area: Mapped[Area] = relationship(back_populates="organisations")

    @property
    def type_label(self) -> str:
        return ORGANISATION_TYPES.get(self.org_type, self.org_type)

    def __repr__(self) -> str:
        return f"<Organisation {self.name}>"
