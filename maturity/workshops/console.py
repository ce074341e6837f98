"""The facilitator console's status part (the round on screen, its count, the hand counts and
the list of rounds): drawn for the page's fragment request and, on the console's event stream,
into every state sent, so the page need not ask for it after each new state."""

from __future__ import annotations

from typing import Any

from flask import render_template

from maturity.core.revotes import survey_words
from maturity.core.scoring import STAGES, agreement
from maturity.models import Workshop
from maturity.workshops.state import StaffState

STATUS_TEMPLATE = "workshops/_console_status.html"


def template_context() -> dict[str, Any]:
    """What the workshop pages' templates use besides their own variables (given to every page
    of the workshops blueprint, and here to the status part drawn on the live blueprint's stream)."""
    return {"STAGES": STAGES, "agreement": agreement, "survey_words": survey_words}


def status_html(workshop: Workshop, state: StaffState) -> str:
    return render_template(STATUS_TEMPLATE, workshop=workshop, state=state, **template_context())
