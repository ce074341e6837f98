from flask import Blueprint

bp = Blueprint("framework", __name__, url_prefix="/model")

from maturity.framework import routes  # noqa: E402,F401
