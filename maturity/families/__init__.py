"""The family questionnaire: families answer anonymously from a phone or on paper; coordinators
open and close it, see how many answered and read the free-text answers; results appear on the
family experience strand once enough families have answered (maturity.core.families).

forms.py (the answer form, built from core.families.QUESTIONS, and the staff forms),
queries.py (reads: the questionnaire, counts, results), operations.py (writes: open, close,
answer, transcribe, hide, delete old answers), routes.py (families' pages and staff pages).
"""

from flask import Blueprint

bp = Blueprint("families", __name__)

from maturity.families import routes  # noqa: E402,F401
