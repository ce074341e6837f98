"""Reads for surveys: a survey's responses counted by group, and its published results."""

from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from maturity.core.anonymity import (
    SUPPRESS_BELOW,
    PublishedRound,
    carried_figures,
    withheld_figures,
)
from maturity.core.surveys import (
    QUESTIONS,
    PublishedItem,
    label,
    publish_item,
    publish_strand,
    reason_digest,
)
from maturity.extensions import db
from maturity.models import Assessment, Strand, Survey, SurveyAnswer, SurveyItem, SurveyResponse


def assessment_surveys(assessment: Assessment) -> list[Survey]:
    """The assessment's surveys, newest first."""
    query = select(Survey).where(Survey.assessment_id == assessment.id).order_by(Survey.id.desc())
    return list(db.session.scalars(query))


def survey_with_code(code: str | None) -> Survey | None:
    if not code:
        return None
    return db.session.scalar(select(Survey).where(Survey.code == code))


def _answered(survey: Survey):
    """Responses of the survey that hold at least one answer (a link not yet used is not one)."""
    has_answer = select(SurveyAnswer.id).where(SurveyAnswer.response_id == SurveyResponse.id).exists()
    return select(SurveyResponse).where(SurveyResponse.survey_id == survey.id, has_answer)


def response_count(survey: Survey) -> int:
    return db.session.scalar(select(func.count()).select_from(_answered(survey).subquery())) or 0


@dataclass(frozen=True)
class GroupCount:
    label: str
    count: int


def counts_by_question(survey: Survey) -> dict[str, list[GroupCount]]:
    """How many answered, by each optional question the survey asks: counts only, never a stage
    (the coordinator may watch these while the survey is open)."""
    responses = list(db.session.scalars(_answered(survey)))
    counted: dict[str, list[GroupCount]] = {}
    for question in survey.asked:
        title, choices = QUESTIONS[question]
        tally = Counter(getattr(r, question) for r in responses)
        rows = [GroupCount(label, tally[key]) for key, label in choices.items() if tally[key]]
        if tally[None]:
            rows.append(GroupCount("Not given", tally[None]))
        counted[question] = rows
    return counted


# --------------------------------------------------------------------------------------------
# Results of a finished survey
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemResult:
    item: SurveyItem
    published: PublishedItem


@dataclass(frozen=True)
class StrandResult:
    """What a strand's result is, as carried into the assessment: its item's ratings, or each
    person once across its elements."""

    strand: Strand
    ratings: PublishedRound
    items: list[ItemResult]

    @property
    def by_elements(self) -> bool:
        return any(r.item.element is not None for r in self.items)


def _rows(survey: Survey) -> list[tuple[int, int, str | None, int | None, str | None]]:
    """(item id, response id, group, stage, reason shown) for every answer of the survey."""
    group = getattr(SurveyResponse, survey.breakdown)
    query = (
        select(SurveyAnswer.item_id, SurveyAnswer.response_id, group, SurveyAnswer.stage,
               SurveyAnswer.reason, SurveyAnswer.reason_hidden)
        .join(SurveyResponse, SurveyAnswer.response_id == SurveyResponse.id)
        .where(SurveyResponse.survey_id == survey.id)
    )
    return [
        (item_id, response_id, label(survey.breakdown, grp), stage, None if hidden else reason)
        for item_id, response_id, grp, stage, reason, hidden in db.session.execute(query)
    ]


def results(survey: Survey) -> list[StrandResult]:
    """Each strand the survey asked about, with its published result and its questions'."""
    rows = _rows(survey)
    by_item: dict[int, list[tuple[str | None, int | None, str | None]]] = {}
    for item_id, _, group, stage, reason in rows:
        by_item.setdefault(item_id, []).append((group, stage, reason))
    strands: dict[int, StrandResult] = {}
    for item in survey.items:
        result = ItemResult(item, publish_item(by_item.get(item.id, [])))
        if item.strand_id not in strands:
            strands[item.strand_id] = StrandResult(item.strand, result.published.ratings, [])
        strands[item.strand_id].items.append(result)
    for strand_id, strand_result in strands.items():
        if strand_result.by_elements:
            ids = {r.item.id for r in strand_result.items}
            ballots: list[tuple[Hashable, str | None, int | None]] = [
                (response_id, group, stage) for item_id, response_id, group, stage, _ in rows if item_id in ids
            ]
            ratings = publish_strand(ballots)
            if any(0 < r.published.ratings.total < SUPPRESS_BELOW for r in strand_result.items):
                # As in a room: an element answered by one or two people would be given away by
                # the strand's figures beside the other elements'.
                ratings = PublishedRound(total=ratings.total, room=None, groups=(), one_voice=None,
                                         hidden=ratings.total, withheld=True)
            strands[strand_id] = StrandResult(strand_result.strand, ratings, strand_result.items)
    return list(strands.values())


def carried(survey: Survey, result: StrandResult) -> dict[str, Any]:
    """A strand's survey result as the assessment keeps it (StrandRating.survey_result)."""
    ratings = result.ratings
    figures = withheld_figures(ratings.total) if ratings.room is None else carried_figures(ratings.room)
    return {
        "survey_id": survey.id,
        "survey_title": survey.title,
        "illustrative": survey.illustrative,
        **figures,
        "counted": "each person once" if result.by_elements else None,
        "groups": [
            {"group": g.group, "median": g.summary.median.code}
            for g in ratings.groups
            if not g.suppressed and g.summary is not None and g.summary.median is not None
        ],
    }


def reason_answers(survey: Survey, item: SurveyItem, digest: str) -> list[SurveyAnswer]:
    """The answers to one question whose reason reads as the one the coordinator chose to hide
    (found by its text's digest, so the page never gives away which answer wrote it)."""
    query = (
        select(SurveyAnswer)
        .join(SurveyResponse, SurveyAnswer.response_id == SurveyResponse.id)
        .where(SurveyResponse.survey_id == survey.id, SurveyAnswer.item_id == item.id,
               SurveyAnswer.reason.is_not(None), SurveyAnswer.reason_hidden.is_(False))
    )
    return [a for a in db.session.scalars(query) if reason_digest(a.reason) == digest]


# --------------------------------------------------------------------------------------------
# Answering
# --------------------------------------------------------------------------------------------


def response_for(survey: Survey, kind: str, token_hash: str) -> SurveyResponse | None:
    """The survey's response held by a device token's or a per-person link's hash."""
    column = SurveyResponse.link_hash if kind == "link" else SurveyResponse.device_hash
    if kind not in ("link", "device"):
        return None
    return db.session.scalar(
        select(SurveyResponse).where(SurveyResponse.survey_id == survey.id, column == token_hash)
    )
