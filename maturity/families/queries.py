"""Reads for the family questionnaire pages and for the places its results appear."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from maturity.core.families import MIN_FAMILIES, STRAND_KEY, FamilyResults, family_results, kept
from maturity.extensions import db
from maturity.models import Assessment, FamilyAnswer, FamilyQuestionnaire, FamilyResponse
from maturity.models.base import utcnow


def questionnaire_of(assessment: Assessment) -> FamilyQuestionnaire | None:
    return db.session.scalar(
        select(FamilyQuestionnaire).where(FamilyQuestionnaire.assessment_id == assessment.id)
    )


def questionnaire_with_code(code: str) -> FamilyQuestionnaire | None:
    return db.session.scalar(select(FamilyQuestionnaire).where(FamilyQuestionnaire.code == code))


def _days(questionnaire: FamilyQuestionnaire) -> list[tuple[int, date]]:
    """(response id, day given) of the questionnaire's responses still within retention."""
    rows = list(
        db.session.execute(
            select(FamilyResponse.id, FamilyResponse.answered_on).where(
                FamilyResponse.questionnaire_id == questionnaire.id
            )
        )
    )
    counted = kept([day for _, day in rows], utcnow().date(), questionnaire.retention_months, questionnaire.is_closed)
    return [row for row, keep in zip(rows, counted, strict=True) if keep]


def response_count(questionnaire: FamilyQuestionnaire) -> int:
    """How many families' answers count: those past retention do not, even before the
    retention command deletes them."""
    return len(_days(questionnaire))


def has_answered(questionnaire: FamilyQuestionnaire, device_hash: str | None) -> bool:
    if device_hash is None:
        return False
    return db.session.scalar(
        select(FamilyResponse.id).where(
            FamilyResponse.questionnaire_id == questionnaire.id,
            FamilyResponse.device_hash == device_hash,
        )
    ) is not None


def answers_by_response(questionnaire: FamilyQuestionnaire) -> list[dict[str, str]]:
    """Every response's answers as question key -> answer, responses with no answers included."""
    responses: dict[int, dict[str, str]] = {response_id: {} for response_id, _ in _days(questionnaire)}
    rows = db.session.execute(
        select(FamilyAnswer.response_id, FamilyAnswer.question_key, FamilyAnswer.answer)
        .join(FamilyResponse, FamilyResponse.id == FamilyAnswer.response_id)
        .where(FamilyResponse.questionnaire_id == questionnaire.id)
    )
    for response_id, key, answer in rows:
        if response_id in responses:  # past retention: not counted
            responses[response_id][key] = answer
    return list(responses.values())


def results_for(questionnaire: FamilyQuestionnaire | None) -> FamilyResults | None:
    """What may be published from the questionnaire, or None (see core.families)."""
    if questionnaire is None:
        return None
    return family_results(answers_by_response(questionnaire), questionnaire.is_closed)


def assessment_results(assessment: Assessment) -> tuple[FamilyQuestionnaire | None, FamilyResults | None]:
    questionnaire = questionnaire_of(assessment)
    return questionnaire, results_for(questionnaire)


def supported_feature_keys(assessment: Assessment) -> set[str]:
    """Feature keys the assessment's published family results support (core.families)."""
    results = assessment_results(assessment)[1]
    return results.supported_features() if results is not None else set()


def comments(questionnaire: FamilyQuestionnaire) -> list[FamilyResponse]:
    """Responses with a free-text answer, newest first (for the area's coordinators only)."""
    ids = [response_id for response_id, _ in _days(questionnaire)]
    return list(
        db.session.scalars(
            select(FamilyResponse)
            .where(FamilyResponse.id.in_(ids), FamilyResponse.comment.is_not(None))
            .order_by(FamilyResponse.answered_on.desc(), FamilyResponse.id.desc())
        )
    )


def counts_by_source(questionnaire: FamilyQuestionnaire) -> dict[str, int]:
    """How many answered online and how many were typed in from paper."""
    ids = [response_id for response_id, _ in _days(questionnaire)]
    counts: dict[str, int] = defaultdict(int)
    rows = db.session.execute(
        select(FamilyResponse.transcribed, func.count(FamilyResponse.id))
        .where(FamilyResponse.id.in_(ids))
        .group_by(FamilyResponse.transcribed)
    )
    for transcribed, number in rows:
        counts["paper" if transcribed else "online"] += number
    return {"online": counts["online"], "paper": counts["paper"]}


@dataclass(frozen=True)
class StrandFamilyResults:
    """The family questionnaire as the family experience strand page shows it."""

    questionnaire: FamilyQuestionnaire | None
    results: FamilyResults | None
    count: int
    minimum: int = MIN_FAMILIES


def strand_family_results(assessment: Assessment, strand) -> StrandFamilyResults | None:
    """For the family experience strand only: the questionnaire, its published results, if any,
    and how many answered (shown while results are held back)."""
    if strand.key != STRAND_KEY:
        return None
    questionnaire, results = assessment_results(assessment)
    count = response_count(questionnaire) if questionnaire is not None else 0
    return StrandFamilyResults(questionnaire, results, count)
