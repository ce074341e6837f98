"""Read-only queries for the national team's admin pages."""

from sqlalchemy import select

from maturity.extensions import db
from maturity.models import Area, User


def all_areas() -> list[Area]:
    return list(db.session.scalars(select(Area).order_by(Area.name)))


def all_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.name)))
