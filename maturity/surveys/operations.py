"""Writes for surveys. Operations flush; the request commits (maturity.transaction)."""

import hashlib
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from maturity.assessments.operations import carry_in_survey_result
from maturity.errors import OperationError
from maturity.extensions import db
from maturity.history import record_history
from maturity.models import (
    Assessment,
    Strand,
    Survey,
    SurveyAnswer,
    SurveyItem,
    SurveyResponse,
    User,
)
from maturity.models.base import utcnow
from maturity.surveys import queries
from maturity.workshops import codes
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


def update_survey(survey: Survey, title: str, items: Sequence[RoundSpec], **settings) -> Survey:
    """Change a survey that has not opened yet: its title, settings and questions."""
    if survey.status != "setup":
        raise OperationError("A survey can be changed only before it opens.")
    check_rounds(survey.assessment, items)
    survey.title = title
    for name, value in settings.items():
        setattr(survey, name, value)
    survey.items.clear()
    db.session.flush()  # the old positions must go before the new ones take them
    for position, (strand, element) in enumerate(items, start=1):
        survey.items.append(SurveyItem(strand=strand, element=element, position=position))
    db.session.flush()
    return survey


def add_person_links(survey: Survey, count: int) -> list[str]:
    """Make `count` per-person links' tokens: each a response waiting for its person. Only a
    hash of each token is kept, so the list the coordinator downloads is the only copy."""
    if survey.status == "closed":
        raise OperationError("This survey has closed, so it takes no new links.")
    tokens = [codes.new_token() for _ in range(count)]
    for token in tokens:
        db.session.add(SurveyResponse(survey=survey, link_hash=token_hash(token)))
    db.session.flush()
    return tokens


def token_hash(token: str) -> str:
    """The one-way hash kept for a device's or a link's random token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


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


# --------------------------------------------------------------------------------------------
# Results: hiding a reason, carrying a strand's result into the assessment
# --------------------------------------------------------------------------------------------


def hide_reason(survey: Survey, item: SurveyItem, digest: str, user: User | None) -> int:
    """Hide every answer's reason on this question that reads as the chosen one; returns how
    many. The history says a reason was hidden, never its words."""
    answers = queries.reason_answers(survey, item, digest)
    if not answers:
        raise OperationError("That reason is no longer shown, so there was nothing to hide.", 404)
    for answer in answers:
        answer.reason_hidden = True
    db.session.flush()
    record_history(
        survey.assessment, user, "survey_reason_hidden", item.strand.short_name,
        note=f"A reason given in the survey \u2018{survey.title}\u2019 was hidden because it named someone",
    )
    return len(answers)


def carry_survey_result(survey: Survey, strand: Strand, user: User | None, today: date) -> dict[str, Any]:
    """Record a finished survey's result for a strand on the assessment, beside the room's."""
    if not survey.finished(today):
        raise OperationError("Close the survey before carrying its results into the assessment.")
    found = next((r for r in queries.results(survey) if r.strand.id == strand.id), None)
    if found is None:
        raise OperationError(f"This survey did not ask about {strand.name}.", 404)
    if found.ratings.total == 0:
        raise OperationError(f"Nobody answered on {strand.name}, so there is no result to carry.")
    if found.ratings.room is None:
        raise OperationError(
            f"Too few people answered on {strand.name} (or one of its elements) for its result to be "
            "shown without giving their answers away, so it cannot be carried."
        )
    result = queries.carried(survey, found)
    carry_in_survey_result(survey.assessment, strand, result, user)
    return result


# --------------------------------------------------------------------------------------------
# Answering
# --------------------------------------------------------------------------------------------


def start_response(survey: Survey, device_hash: str, today: date) -> SurveyResponse:
    """A new response from a device (its token's hash); the one it already has when two taps
    on Start arrive at once."""
    try:
        with db.session.begin_nested():
            response = SurveyResponse(survey_id=survey.id, device_hash=device_hash, started_on=today)
            db.session.add(response)
    except IntegrityError:
        response = db.session.scalar(select(SurveyResponse).where(
            SurveyResponse.survey_id == survey.id, SurveyResponse.device_hash == device_hash
        ))
        if response is None:
            raise
    return response


def set_about(response: SurveyResponse, about: dict[str, str | None], today: date | None = None) -> None:
    """The person's answers to the survey's optional questions (kind of organisation, grade,
    role); a per-person link's response starts here, on `today` (the day only)."""
    for question, value in about.items():
        setattr(response, question, value)
    response.started_on = response.started_on or today or utcnow().date()
    db.session.flush()


def save_answer(response: SurveyResponse, item: SurveyItem, stage: int | None, reason: str | None) -> SurveyAnswer:
    """Record or change one rating (and its reason) while the survey takes answers.

    A phone that sends the same page twice at once (a double tap on a slow connection) makes
    two requests that both find no answer yet: the second one's insert meets the first's row
    and changes it instead."""
    answer = next((a for a in response.answers if a.item_id == item.id), None)
    if answer is None:
        try:
            with db.session.begin_nested():
                answer = SurveyAnswer(response_id=response.id, item_id=item.id)
                _fill(answer, stage, reason)
                db.session.add(answer)
        except IntegrityError:
            answer = db.session.scalar(select(SurveyAnswer).where(
                SurveyAnswer.response_id == response.id, SurveyAnswer.item_id == item.id
            ))
            if answer is None:
                raise
        db.session.expire(response, ["answers"])
    _fill(answer, stage, reason)
    db.session.flush()
    return answer


def _fill(answer: SurveyAnswer, stage: int | None, reason: str | None) -> None:
    answer.stage = stage
    answer.reason = (reason or "").strip() or None
    answer.reason_hidden = False


def submit_response(response: SurveyResponse) -> None:
    response.submitted = True
    db.session.flush()
