"""All models, imported here so Alembic and the app see the whole schema."""

from maturity.models.accounts import Membership, User
from maturity.models.areas import Area, Organisation
from maturity.models.framework import Element, Feature, FrameworkVersion, Strand

__all__ = [
    "Area",
    "Element",
    "Feature",
    "FrameworkVersion",
    "Membership",
    "Organisation",
    "Strand",
    "User",
]
