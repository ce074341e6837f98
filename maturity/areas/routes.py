from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from maturity.access import can, get_or_404
from maturity.areas import bp, operations, queries
from maturity.areas.forms import AreaSettingsForm
from maturity.core.vocabulary import ORGANISATION_TYPES
from maturity.models import Area


@bp.get("/")
@login_required
def index():
    return render_template("areas/index.html", areas=queries.visible_areas(current_user))


@bp.get("/<int:area_id>")
@login_required
def show(area_id: int):
    area = get_or_404(Area, area_id)
    return render_template(
        "areas/show.html",
        area=area,
        members=queries.members_of(area),
        found=queries.area_assessments(area, current_user),
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
        flash(f"Settings saved for {area.name}.", "success")
        return redirect(url_for(".show", area_id=area.id))
    return render_template("areas/settings.html", area=area, form=form), 400 if form.errors else 200
