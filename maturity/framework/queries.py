"""Read-only queries over the loaded framework versions."""

from sqlalchemy import select

from maturity.extensions import db
from maturity.models import FrameworkVersion


def framework_versions() -> list[FrameworkVersion]:
    """Every framework version loaded, oldest first."""
    return list(db.session.scalars(select(FrameworkVersion).order_by(FrameworkVersion.loaded_at)))
