"""Writes of the family questionnaire. Each flushes; the request commits (maturity.transaction)."""

import secrets
from collections.abc import Mapping
from datetime import date

from sqlalchemy import delete, func, select

from maturity.core.families import MAX_COMMENT, QUESTION_KEYS, SCALE, retention_cutoff
from maturity.errors import OperationError
from maturity.extensions import db
from maturity.history import record_history
from maturity.models import Assessment, FamilyAnswer, FamilyQuestionnaire, FamilyResponse, User
from maturity.models.base import utcnow

KIND = "family_questionnaire"


def create_questionnaire(
    assessment: Assessment, user: User | None, retention_months: int | None = None, illustrative: bool = False
) -> FamilyQuestionnaire:
    if db.session.scalar(select(FamilyQuestionnaire.id).where(FamilyQuestionnaire.assessment_id == assessment.id)):
        raise OperationError("This assessment already has a family questionnaire.")
    questionnaire = FamilyQuestionnaire(assessment=assessment, code=_unused_code(), illustrative=illustrative)
    if retention_months is not None:
        questionnaire.retention_months = retention_months
    db.session.add(questionnaire)
    db.session.flush()
    record_history(assessment, user, KIND, "Family questionnaire", None, "set up")
    return questionnaire


def _unused_code() -> str:
    while True:
        # A link families follow (or a worker prints), never typed: 96 random bits.
        code = secrets.token_urlsafe(12)
        if db.session.scalar(select(FamilyQuestionnaire.id).where(FamilyQuestionnaire.code == code)) is None:
            return code


def open_questionnaire(questionnaire: FamilyQuestionnaire, user: User | None) -> None:
    if questionnaire.is_open:
        raise OperationError("The family questionnaire is already open.")
    if questionnaire.is_closed:
        # Results are published once it closes; more answers after that would change the figures
        # by a family or two, and the difference would show those families' answers.
        raise OperationError(
            "A closed family questionnaire cannot be opened again: its results are published, and "
            "adding a few answers would let anyone see what those families said. Start a new one "
            "with the next assessment cycle."
        )
    before = questionnaire.status_label
    questionnaire.status = "open"
    questionnaire.opened_at = utcnow()
    questionnaire.closed_at = None
    db.session.flush()
    record_history(questionnaire.assessment, user, KIND, "Family questionnaire", before, "Open")


def close_questionnaire(questionnaire: FamilyQuestionnaire, user: User | None) -> None:
    if not questionnaire.is_open:
        raise OperationError("The family questionnaire is not open, so it cannot be closed.")
    questionnaire.status = "closed"
    questionnaire.closed_at = utcnow()
    db.session.flush()
    record_history(questionnaire.assessment, user, KIND, "Family questionnaire", "Open", "Closed")


def set_retention(questionnaire: FamilyQuestionnaire, months: int, user: User | None) -> None:
    before = questionnaire.retention_months
    if before == months:
        return
    questionnaire.retention_months = months
    db.session.flush()
    record_history(
        questionnaire.assessment, user, KIND, "Family answers kept for (months)", before, months
    )


def _add_response(
    questionnaire: FamilyQuestionnaire,
    answers: Mapping[str, str],
    comment: str | None,
    *,
    device_hash: str | None,
    transcribed: bool,
) -> FamilyResponse:
    unknown = [key for key, value in answers.items() if key not in QUESTION_KEYS or value not in SCALE]
    if unknown:
        raise OperationError("Some answers were not on the list, so nothing was saved.", 400)
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > MAX_COMMENT:
        raise OperationError(f"The last answer must be {MAX_COMMENT} characters or fewer.", 400)
    response = FamilyResponse(
        questionnaire=questionnaire, device_hash=device_hash, transcribed=transcribed, comment=comment
    )
    response.answers = [FamilyAnswer(question_key=key, answer=value) for key, value in answers.items()]
    db.session.add(response)
    db.session.flush()
    return response


def answer(
    questionnaire: FamilyQuestionnaire, device_hash: str, answers: Mapping[str, str], comment: str | None
) -> FamilyResponse:
    """A family's answers from their own device: once per device, while the questionnaire is open."""
    if not questionnaire.is_open:
        raise OperationError("This questionnaire is not open at the moment, so your answers were not saved.", 410)
    already = db.session.scalar(
        select(FamilyResponse.id).where(
            FamilyResponse.questionnaire_id == questionnaire.id, FamilyResponse.device_hash == device_hash
        )
    )
    if already is not None:
        raise OperationError("You have already answered on this phone or computer. Thank you.", 409)
    return _add_response(questionnaire, answers, comment, device_hash=device_hash, transcribed=False)


def transcribe(
    questionnaire: FamilyQuestionnaire, answers: Mapping[str, str], comment: str | None
) -> FamilyResponse:
    """A paper answer typed in by a worker, marked as transcribed. Who typed it is not kept,
    so the answer stays as anonymous as the paper form."""
    if not questionnaire.is_open:
        raise OperationError(
            "Paper answers can be typed in only while the questionnaire is open"
            + (": once it is closed its results are published and must not change." if questionnaire.is_closed else "."),
            409,
        )
    return _add_response(questionnaire, answers, comment, device_hash=None, transcribed=True)


def hide_comment(response: FamilyResponse, user: User | None) -> None:
    """Hide a free-text answer that names someone; the history records that it was hidden."""
    if response.comment_hidden:
        return
    response.comment_hidden = True
    db.session.flush()
    record_history(
        response.questionnaire.assessment, user, KIND, "Family free-text answer", "shown", "hidden",
        note="Hidden by a coordinator because it named someone.",
    )


def delete_expired_answers(today: date) -> int:
    """Delete the responses past their questionnaire's retention; returns how many went.

    While a questionnaire is open nothing of it is published, so each response goes on its own
    day. A closed one's results are published, and deleting a few responses would change them
    by those families' answers; so all its responses go together, once the oldest is past
    retention, and its results stop being published.
    """
    deleted = 0
    for questionnaire in db.session.scalars(select(FamilyQuestionnaire)):
        cutoff = retention_cutoff(today, questionnaire.retention_months)
        expired = FamilyResponse.questionnaire_id == questionnaire.id
        if not questionnaire.is_closed:
            expired = expired & (FamilyResponse.answered_on < cutoff)
        else:
            oldest = db.session.scalar(
                select(func.min(FamilyResponse.answered_on)).where(FamilyResponse.questionnaire_id == questionnaire.id)
            )
            if oldest is None or oldest >= cutoff:
                continue
        ids = list(db.session.scalars(select(FamilyResponse.id).where(expired)))
        if ids:
            db.session.execute(delete(FamilyAnswer).where(FamilyAnswer.response_id.in_(ids)))
            db.session.execute(delete(FamilyResponse).where(FamilyResponse.id.in_(ids)))
            deleted += len(ids)
    db.session.flush()
    return deleted
