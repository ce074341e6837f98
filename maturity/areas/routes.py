from flask import render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from maturity.access import get_or_404, visible_area_ids
from maturity.areas import bp
from maturity.extensions import db
from maturity.models import Area, Membership


@bp.get("/")
@login_required
def index():
    ids = visible_area_ids(current_user)
    query = select(Area).order_by(Area.name)
    if ids is not None:
        query = query.where(Area.id.in_(ids))
    return render_template("areas/index.html", areas=list(db.session.scalars(query)))


@bp.get("/<int:area_id>")
@login_required
def show(area_id: int):
    area = get_or_404(Area, area_id)
    members = db.session.scalars(
        select(Membership).where(Membership.area_id == area.id).order_by(Membership.role)
    )
    return render_template("areas/show.html", area=area, members=list(members))
