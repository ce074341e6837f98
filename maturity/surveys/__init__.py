"""Surveys: partners rate strands (or elements) from any device before, or instead of, a
workshop; after it closes the coordinator reads the results, with the same figures and the same
anonymity rule as a workshop round, and may carry a strand's result into the assessment.

respond.py (the partners' pages: no account, one response per device or per-person link,
resumable), routes.py (the coordinator's pages: set up, open, close, progress, links, results,
hiding a reason, carrying a result), forms.py, queries.py (reads), operations.py (writes).
"""

from flask import Blueprint

bp = Blueprint("surveys", __name__)

from maturity.surveys import respond, routes  # noqa: E402,F401
