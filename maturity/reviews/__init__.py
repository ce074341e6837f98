from flask import Blueprint

bp = Blueprint("reviews", __name__)

from maturity.reviews import routes  # noqa: E402,F401
