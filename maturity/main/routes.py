from datetime import date

from flask import redirect, render_template, url_for
from flask_login import current_user

from maturity.areas.queries import visible_areas
from maturity.framework.queries import framework_versions
from maturity.main import bp
from maturity.main.queries import waiting_for


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("main.start"))
    today = date.today()
    return render_template(
        "main/index.html",
        areas=visible_areas(current_user),
        waiting=waiting_for(current_user, today),
        today=today,
    )


@bp.get("/start")
def start():
    return render_template("main/start.html")


@bp.get("/about")
def about():
    return render_template("main/about.html", frameworks=framework_versions())


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
