from flask import abort, flash, redirect, render_template, url_for

from maturity.admin import bp, operations, queries
from maturity.admin.forms import AreaForm, MembershipForm, OrganisationForm, UserForm
from maturity.extensions import db
from maturity.models import Area, Membership, User


@bp.get("/")
def index():
    return render_template("admin/index.html")


@bp.get("/areas")
def areas():
    return render_template("admin/areas.html", areas=queries.all_areas())


@bp.route("/areas/new", methods=["GET", "POST"])
def new_area():
    form = AreaForm()
    if form.validate_on_submit():
        parent = db.session.get(Area, int(form.parent_id.data)) if form.parent_id.data else None
        area = operations.create_area(form.name.data, form.kind.data, form.region.data, parent)
        flash(f"{area.name} added.", "success")
        return redirect(url_for("areas.show", area_id=area.id))
    return render_template("admin/area_form.html", form=form, area=None)


@bp.route("/areas/<int:area_id>/edit", methods=["GET", "POST"])
def edit_area(area_id: int):
    area = db.session.get(Area, area_id) or abort(404)
    form = AreaForm(obj=area, area=area)
    if not form.is_submitted():
        form.parent_id.data = str(area.parent_id or "")
    if form.validate_on_submit():
        area.name = form.name.data.strip()
        area.kind = form.kind.data
        area.region = form.region.data or None
        area.parent = db.session.get(Area, int(form.parent_id.data)) if form.parent_id.data else None
        flash(f"{area.name} saved.", "success")
        return redirect(url_for("areas.show", area_id=area.id))
    return render_template("admin/area_form.html", form=form, area=area)


@bp.route("/areas/<int:area_id>/organisations/new", methods=["GET", "POST"])
def new_organisation(area_id: int):
    area = db.session.get(Area, area_id) or abort(404)
    form = OrganisationForm(area=area)
    if form.validate_on_submit():
        organisation = operations.add_organisation(area, form.name.data, form.org_type.data)
        flash(f"{organisation.name} added to {area.name}'s partnership.", "success")
        return redirect(url_for("areas.show", area_id=area.id))
    return render_template("admin/organisation_form.html", form=form, area=area)


@bp.get("/users")
def users():
    return render_template("admin/users.html", users=queries.all_users())


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = UserForm()
    if form.validate_on_submit():
        user = operations.create_user(form.email.data, form.name.data, form.password.data, form.is_admin.data)
        if form.area_id.data and form.role.data:
            operations.set_membership(user, db.session.get(Area, int(form.area_id.data)), form.role.data)
        flash(f"Account created for {user.name}.", "success")
        return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/user_form.html", form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int):
    person = db.session.get(User, user_id) or abort(404)
    form = MembershipForm()
    if form.validate_on_submit():
        area = db.session.get(Area, int(form.area_id.data)) or abort(404)
        operations.set_membership(person, area, form.role.data)
        flash(f"{person.name} is now {form.role.data} in {area.name}.", "success")
        return redirect(url_for("admin.user", user_id=person.id))
    return render_template("admin/user.html", person=person, form=form)


@bp.post("/users/<int:user_id>/memberships/<int:membership_id>/remove")
def remove_membership(user_id: int, membership_id: int):
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.user_id != user_id:
        abort(404)
    db.session.delete(membership)
    flash("Role removed.", "success")
    return redirect(url_for("admin.user", user_id=user_id))
