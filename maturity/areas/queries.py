"""Read-only queries for the area pages and the home page."""

from typing import Any

from sqlalchemy import select

from maturity.access import can, visible_area_ids
from maturity.assessments.queries import assessments_of_area
from maturity.extensions import db
from maturity.models import Area, Membership


def visible_areas(user: Any) -> list[Area]:
    """The areas the user may see (every area for the national team), by name."""
    ids = visible_area_ids(user)
    query = select(Area).order_by(Area.name)
    if ids is not None:
        query = query.where(Area.id.in_(ids))
    return list(db.session.scalars(query))


def members_of(area: Area) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership).where(Membership.area_id == area.id).order_by(Membership.role)
        )
    )


def area_assessments(area: Area, user: Any) -> dict[str, Any]:
    """The area's assessments the user may open, newest first, and whether they may open one."""
    # Someone granted one assessment (a peer reviewer) sees only that one.
    assessments = [item for item in assessments_of_area(area) if can(user, "view", item)]
    return {"assessments": assessments, "can_open": can(user, "manage", area)}
