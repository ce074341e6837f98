from flask import Blueprint

bp = Blueprint("evidence", __name__)

from maturity.evidence import routes  # noqa: E402,F401
