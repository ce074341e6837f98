from datetime import date

from flask import redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from maturity.access import visible_area_ids
from maturity.extensions import db
from maturity.main import bp
from maturity.main.queries import waiting_for
from maturity.models import Area, FrameworkVersion


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("main.start"))
    today = date.today()
    return render_template(
        "main/index.html",
        areas=_my_areas(),
        waiting=waiting_for(current_user, today),
        today=today,
    )


@bp.get("/start")
def start():
    return render_template("main/start.html")


def _my_areas() -> list[Area]:
    ids = visible_area_ids(current_user)
    query = select(Area).order_by(Area.name)
    if ids is not None:
        query = query.where(Area.id.in_(ids))
    return list(db.session.scalars(query))


@bp.get("/about")
def about():
    frameworks = db.session.scalars(select(FrameworkVersion).order_by(FrameworkVersion.loaded_at))
    return render_template("main/about.html", frameworks=list(frameworks))


@bp.get("/privacy")
def privacy():
    return render_template("main/privacy.html")


@bp.get("/accessibility")
def accessibility():
    return render_template("main/accessibility.html")


@bp.get("/healthz")
def healthz():
    """A minimal endpoint for load balancers and the benchmark baseline."""
    return {"status": "ok"}
