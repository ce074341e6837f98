"""Writes for the national team's admin pages and the CLI."""

from sqlalchemy import func, select

from maturity.core.vocabulary import AREA_KINDS, ORGANISATION_TYPES, ROLES
from maturity.extensions import db
from maturity.models import Area, Membership, Organisation, User


def create_area(name: str, kind: str, region: str | None = None, parent: Area | None = None) -> Area:
    if kind not in AREA_KINDS:
        raise ValueError(f"unknown kind of area {kind!r}")
    area = Area(name=name.strip(), kind=kind, region=region or None, parent=parent)
    db.session.add(area)
    db.session.flush()
    return area


def add_organisation(area: Area, name: str, org_type: str) -> Organisation:
    if org_type not in ORGANISATION_TYPES:
        raise ValueError(f"unknown organisation type {org_type!r}")
    organisation = Organisation(area=area, name=name.strip(), org_type=org_type)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def create_user(email: str, name: str, password: str, is_admin: bool = False) -> User:
    email = email.strip().lower()
    if db.session.scalar(select(User).where(func.lower(User.email) == email)):
        raise ValueError(f"an account for {email} already exists")
    user = User(email=email, name=name.strip(), is_admin=is_admin)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def set_membership(user: User, area: Area, role: str, organisation: Organisation | None = None) -> Membership:
    """Give a user a role in an area, replacing any role they had there."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    membership = next((m for m in user.memberships if m.area_id == area.id), None)
    if membership is None:
        membership = Membership(user=user, area=area, role=role, organisation=organisation)
        db.session.add(membership)
    else:
        membership.role = role
        membership.organisation = organisation or membership.organisation
    db.session.flush()
    return membership
