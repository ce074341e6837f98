from flask import abort, render_template
from flask_login import login_required
from sqlalchemy import select

from maturity.extensions import db
from maturity.framework import bp
from maturity.framework.operations import latest_framework
from maturity.models import FrameworkVersion, Strand


@bp.get("/")
@login_required
def index():
    versions = list(db.session.scalars(select(FrameworkVersion).order_by(FrameworkVersion.id)))
    current = latest_framework()
    return render_template("framework/index.html", versions=versions, framework=current)


@bp.get("/<int:framework_id>")
@login_required
def version(framework_id: int):
    framework = db.session.get(FrameworkVersion, framework_id) or abort(404)
    versions = list(db.session.scalars(select(FrameworkVersion).order_by(FrameworkVersion.id)))
    return render_template("framework/index.html", versions=versions, framework=framework)


@bp.get("/<int:framework_id>/strands/<key>")
@login_required
def strand(framework_id: int, key: str):
    strand = db.session.scalar(
        select(Strand).where(Strand.framework_id == framework_id, Strand.key == key)
    )
    if strand is None:
        abort(404)
    return render_template("framework/strand.html", strand=strand, framework=strand.framework)
