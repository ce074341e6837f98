"""Writes for surveys. Operations flush; the request commits (maturity.transaction)."""

from collections.abc import Sequence
from datetime import date

from maturity.errors import OperationError
from maturity.extensions import db
from maturity.models import Assessment, Survey, SurveyItem, User
from maturity.models.base import utcnow
from maturity.workshops.operations import RoundSpec, check_rounds, unique_code

# --------------------------------------------------------------------------------------------
# Setting up, opening and closing
# --------------------------------------------------------------------------------------------


def create_survey(
    assessment: Assessment,
    title: str,
    items: Sequence[RoundSpec],
    user: User | None = None,
    **settings,
) -> Survey:
    """A survey in set-up on the assessment, asking about `items` (strand, element or None).

    `settings` are Survey columns: opens_on, closes_on, ask_org_type, ask_grade, ask_role,
    ask_why, breakdown, illustrative.
    """
    check_rounds(assessment, items)
    survey = Survey(assessment=assessment, title=title, code=unique_code(Survey.code), created_by=user, **settings)
    db.session.add(survey)
    for position, (strand, element) in enumerate(items, start=1):
        survey.items.append(SurveyItem(strand=strand, element=element, position=position))
    db.session.flush()
    return survey


def open_survey(survey: Survey) -> Survey:
    if survey.status == "closed":
        raise OperationError("This survey has closed, so it cannot open again.")
    survey.status = "open"
    survey.opened_at = survey.opened_at or utcnow()
    db.session.flush()
    return survey


def close_survey(survey: Survey, today: date | None = None) -> Survey:
    if survey.status == "setup":
        raise OperationError("This survey has not opened yet, so there is nothing to close.")
    survey.status = "closed"
    survey.closed_at = survey.closed_at or utcnow()
    if today is not None and (survey.closes_on is None or survey.closes_on > today):
        survey.closes_on = today
    db.session.flush()
    return survey
