"""Loading a workshop for a request, with the area access check."""

from flask import abort

from maturity import access
from maturity.models import Workshop

#: Ids beyond a 32-bit integer cannot exist; PostgreSQL would refuse to even compare them.
MAX_ID = 2**31 - 1


def workshop_or_404(workshop_id: int, need: str = "view") -> Workshop:
    if not 0 < workshop_id <= MAX_ID:
        abort(404)
    return access.get_or_404(Workshop, workshop_id, need)


def id_or_404(value: int) -> int:
    if not 0 < value <= MAX_ID:
        abort(404)
    return value
