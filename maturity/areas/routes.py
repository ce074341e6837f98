from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from maturity.access import can, get_or_404, visible_area_ids
from maturity.areas import bp, operations
from maturity.areas.forms import AreaSettingsForm
from maturity.core.vocabulary import ORGANISATION_TYPES
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
    return render_template(
        "areas/show.html",
        area=area,
        members=list(members),
        core_labels=[ORGANISATION_TYPES[t] for t in area.core_types],
        can_manage=can(current_user, "manage", area),
    )


@bp.route("/<int:area_id>/settings", methods=["GET", "POST"])
@login_required
def settings(area_id: int):
    area = get_or_404(Area, area_id, need="manage")
    form = AreaSettingsForm(data={"core_partner_types": area.core_types, "about": area.about})
    if form.validate_on_submit():
        operations.update_settings(area, form.core_partner_types.data, form.about.data)
        db.session.commit()
        flash(f"Settings saved for {area.name}.", "success")
        return redirect(url_for(".show", area_id=area.id))
    return render_template("areas/settings.html", area=area, form=form), 400 if form.errors else 200
