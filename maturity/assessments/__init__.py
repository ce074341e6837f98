from flask import Blueprint

bp = Blueprint("assessments", __name__, url_prefix="/assessments")

from maturity.assessments import routes  # noqa: E402,F401
