from flask import Blueprint

bp = Blueprint("reviews", __name__)

from maturity.reviews import access, routes  # noqa: E402,F401

# Named reviewers of an open review may read the reviewed assessment and what belongs to it.
access.register()
