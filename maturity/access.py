"""Who may see and change what. Every area-scoped view loads its objects through here.

Needs, weakest first: "view" (any member of the area, or someone granted read access such as a
peer reviewer), "contribute" (coordinators and partner contributors: add evidence, comment),
"manage" (coordinators: ratings, workshops, lifecycle). The national team (admin) may do all.
Objects of an area the user has no part in answer 404, so ids reveal nothing; a member without
the right role gets 403.
"""

from collections.abc import Callable, Collection
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from maturity import routing
from maturity.extensions import db

NEEDS = ("view", "contribute", "manage")
ROLE_CAN = {
    "coordinator": {"view", "contribute", "manage"},
    "contributor": {"view", "contribute"},
    "reviewer": {"view"},
}

#: Extra read grants, e.g. an open peer review lets its reviewers view one assessment.
#: Each takes (user, need, obj) and returns True to allow.
GRANTS: list[Callable[[Any, str, Any], bool]] = []

T = TypeVar("T")

def area_id_of(obj: Any) -> int:
    """The area an object belongs to: every area-scoped model has an `area_id`."""
    return obj.area_id


def settled(user: Any, need: str, needs: Collection[str]) -> bool | None:
    """What every access rule answers before looking at roles: no to someone signed out, yes to
    the national team; None when it depends on the user's role. An unknown need is a bug."""
    if need not in needs:
        raise ValueError(f"unknown need {need!r}")
    if user is None or not user.is_authenticated:
        return False
    return True if user.is_admin else None


def can(user: Any, need: str, obj: Any) -> bool:
    """Whether a user may do `need` to an area-scoped object (or an Area)."""
    if (answer := settled(user, need, NEEDS)) is not None:
        return answer
    role = user.role_in(area_id_of(obj))
    if role and need in ROLE_CAN.get(role, set()):
        return True
    return any(grant(user, need, obj) for grant in GRANTS)


def check(obj: Any, need: str = "view") -> None:
    """Abort with 404 when the user may not see the object at all, 403 when they may not do `need`."""
    if not can(current_user, "view", obj):
        abort(404)
    if need != "view" and not can(current_user, need, obj):
        abort(403, "Your role in this area does not allow that.")


def get_or_404(model: type[T], object_id: int, need: str = "view") -> T:
    """Load an area-scoped object by id, answering 404 (missing or not yours) or 403."""
    # Ids beyond a 32-bit integer can name no row; asking the database would be an error.
    # The URL converter already refuses them; an id from anywhere else is checked here too.
    if routing.parse_id(object_id) is None:
        abort(404)
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    check(obj, need)
    return obj


def visible_area_ids(user: Any) -> set[int] | None:
    """Area ids the user may list; None means all (national team)."""
    if user.is_admin:
        return None
    return user.area_ids
