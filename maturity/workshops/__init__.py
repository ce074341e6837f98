"""Live push-voting workshops: set-up, joining, voting, facilitating, presenting, results.

Two blueprints: "workshops" (pages, no url prefix) and "live" (JSON and the event stream
under /live, whose errors answer in JSON).
"""

from flask import Blueprint

bp = Blueprint("workshops", __name__)

from maturity.workshops import join, live, routes  # noqa: E402,F401
