from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from maturity.api import routes, workshops  # noqa: E402,F401
