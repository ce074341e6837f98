"""Writes to an area that its coordinator may make. They flush; the request commits."""

from collections.abc import Iterable

from maturity.core.vocabulary import CORE_PARTNER_TYPES, ORGANISATION_TYPES
from maturity.extensions import db
from maturity.models import Area


def update_settings(area: Area, core_types: Iterable[str], about: str | None) -> None:
    """Set the core partner types (None when they are the toolkit's list) and the about text."""
    chosen = [t for t in ORGANISATION_TYPES if t in set(core_types)]
    area.core_partner_types = None if set(chosen) == set(CORE_PARTNER_TYPES) else chosen
    area.about = (about or "").strip() or None
    db.session.flush()
