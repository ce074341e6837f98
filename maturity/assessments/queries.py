"""Read-only queries for the assessment pages: evidence figures, peer ratings, action plans,
history, who took part; each a fixed number of queries for the whole assessment.

The views call these once per request rather than asking per strand or per row, and templates
never query. Rejected evidence supports nothing, so it is left out of the evidence figures.
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import selectinload

from maturity.core.action_plan import strand_rag
from maturity.core.participation import Participation, who_took_part
from maturity.core.scoring import Rating, parse_rating
from maturity.extensions import db
from maturity.models import (
    Action,
    Area,
    Assessment,
    Element,
    Evidence,
    Feature,
    HistoryEntry,
    Organisation,
    Participant,
    PeerReview,
    PeerStrandReview,
    Round,
    Strand,
    Vote,
    Workshop,
    evidence_features,
)

KINDS = ("qualitative", "quantitative")


def supported_feature_ids(assessment: Assessment) -> set[int]:
    """Ids of the features linked to at least one evidence item that has not been rejected,
    and of those the published family questionnaire results support (maturity.core.families):
    the one set the evidence rule reads."""
    query = (
        select(evidence_features.c.feature_id)
        .join(Evidence, Evidence.id == evidence_features.c.evidence_id)
        .where(Evidence.assessment_id == assessment.id, Evidence.status != "rejected")
        .distinct()
    )
    return set(db.session.scalars(query)) | family_feature_ids(assessment)


def family_feature_ids(assessment: Assessment) -> set[int]:
    """Ids of the assessment's framework features that published family results support."""
    from maturity.families.queries import supported_feature_keys

    keys = supported_feature_keys(assessment)
    if not keys:
        return set()
    return set(
        db.session.scalars(
            select(Feature.id).where(Feature.framework_id == assessment.framework_id, Feature.key.in_(keys))
        )
    )


def family_findings(assessment: Assessment) -> dict[str, list[str]]:
    """Per strand key: the published family questionnaire results in words, for the summary
    and exports; illustrative demo answers say so."""
    from maturity.core.families import STRAND_KEY
    from maturity.families.queries import assessment_results

    questionnaire, results = assessment_results(assessment)
    if results is None or not results.questions:
        return {}
    label = "Family questionnaire (illustrative)" if questionnaire.illustrative else "Family questionnaire"
    return {STRAND_KEY: [f"{label}: {result.sentence}" for result in results.questions]}


def empty_counts() -> dict[str, int]:
    return {"qualitative": 0, "quantitative": 0, "total": 0}


def evidence_counts(assessment: Assessment) -> dict[int, dict[str, int]]:
    """Per strand id: how many non-rejected evidence items support it, by kind and in total.

    An item linked to several features of one strand counts once for that strand; an item that
    supports two strands counts for each. Strands with no evidence are absent (see empty_counts).
    """
    query = (
        select(Element.strand_id, Evidence.kind, func.count(distinct(Evidence.id)))
        .select_from(Evidence)
        .join(evidence_features, evidence_features.c.evidence_id == Evidence.id)
        .join(Feature, Feature.id == evidence_features.c.feature_id)
        .join(Element, Element.id == Feature.element_id)
        .where(Evidence.assessment_id == assessment.id, Evidence.status != "rejected")
        .group_by(Element.strand_id, Evidence.kind)
    )
    counts: dict[int, dict[str, int]] = defaultdict(empty_counts)
    for strand_id, kind, number in db.session.execute(query):
        if kind in KINDS:
            counts[strand_id][kind] += number
        counts[strand_id]["total"] += number
    # Published family questionnaire results are quantitative evidence from families on the
    # family experience strand: one item, as a survey's findings would be if typed in.
    if (strand_id := family_results_strand(assessment)) is not None:
        counts[strand_id]["quantitative"] += 1
        counts[strand_id]["total"] += 1
    return dict(counts)


def family_results_strand(assessment: Assessment) -> int | None:
    """The id of the strand published family questionnaire results speak to, or None."""
    from maturity.core.families import STRAND_KEY
    from maturity.families.queries import assessment_results

    results = assessment_results(assessment)[1]
    if results is None or not results.questions:
        return None
    return db.session.scalar(
        select(Strand.id).where(Strand.framework_id == assessment.framework_id, Strand.key == STRAND_KEY)
    )


def accepted_titles_by_strand(assessment: Assessment) -> dict[int, list[str]]:
    """Per strand id: titles of the accepted evidence supporting it, for the one-page summary."""
    query = (
        select(Element.strand_id, Evidence.id, Evidence.title)
        .select_from(Evidence)
        .join(evidence_features, evidence_features.c.evidence_id == Evidence.id)
        .join(Feature, Feature.id == evidence_features.c.feature_id)
        .join(Element, Element.id == Feature.element_id)
        .where(Evidence.assessment_id == assessment.id, Evidence.status == "accepted")
        .distinct()
        .order_by(Element.strand_id, Evidence.title, Evidence.id)
    )
    titles: dict[int, list[str]] = defaultdict(list)
    for strand_id, _evidence_id, title in db.session.execute(query):
        titles[strand_id].append(title)
    return dict(titles)


def latest_submitted_review(assessment: Assessment) -> PeerReview | None:
    """The most recently submitted review of an assessment (closed ones included)."""
    return db.session.scalar(
        select(PeerReview)
        .where(PeerReview.assessment_id == assessment.id, PeerReview.submitted_at.is_not(None))
        .order_by(PeerReview.submitted_at.desc(), PeerReview.id.desc())
        .limit(1)
    )


def peer_ratings(assessment: Assessment) -> dict[int, Rating]:
    """Per strand id, the peer rating from the latest submitted review; {} when none."""
    review = latest_submitted_review(assessment)
    if review is None:
        return {}
    rows = db.session.execute(
        select(PeerStrandReview.strand_id, PeerStrandReview.peer_rating).where(
            PeerStrandReview.review_id == review.id
        )
    )
    ratings = {}
    for strand_id, code in rows:
        rating = parse_rating(code)
        if rating is not None:
            ratings[strand_id] = rating
    return ratings


def _actions(assessment: Assessment, strand: Strand | None = None) -> list[Action]:
    """The assessment's actions (of one strand, when given), soonest due first, undated last."""
    query = (
        select(Action)
        .where(Action.assessment_id == assessment.id)
        .options(selectinload(Action.owner_organisation))
        .order_by(Action.due_date.is_(None), Action.due_date, Action.id)
    )
    if strand is not None:
        query = query.where(Action.strand_id == strand.id)
    return list(db.session.scalars(query))


def actions_by_strand(assessment: Assessment) -> dict[int, list[Action]]:
    """Per strand id: its action plan (the next steps), soonest due first, undated last."""
    plan: dict[int, list[Action]] = defaultdict(list)
    for action in _actions(assessment):
        plan[action.strand_id].append(action)
    return dict(plan)


def strand_actions(assessment: Assessment, strand: Strand) -> list[Action]:
    """One strand's action plan, in the same order as actions_by_strand."""
    return _actions(assessment, strand)


def strand_of(assessment: Assessment, strand_key: str) -> Strand | None:
    """The strand of the assessment's framework with this key."""
    return db.session.scalar(
        select(Strand).where(Strand.framework_id == assessment.framework_id, Strand.key == strand_key)
    )


def element_of(strand: Strand, element_key: str) -> Element | None:
    return db.session.scalar(
        select(Element).where(Element.strand_id == strand.id, Element.key == element_key)
    )


def assessments_of_area(area: Area) -> list[Assessment]:
    """An area's assessments, newest first."""
    return list(
        db.session.scalars(
            select(Assessment)
            .where(Assessment.area_id == area.id)
            .order_by(Assessment.created_at.desc(), Assessment.id.desc())
        )
    )


def evidence_by_feature(assessment: Assessment, strand: Strand) -> dict[int, list[Evidence]]:
    """Per feature id of the strand: the assessment's evidence linked to it, by title."""
    feature_ids = [f.id for element in strand.elements for f in element.features]
    if not feature_ids:
        return {}
    rows = db.session.execute(
        select(evidence_features.c.feature_id, Evidence)
        .join(Evidence, Evidence.id == evidence_features.c.evidence_id)
        .where(Evidence.assessment_id == assessment.id, evidence_features.c.feature_id.in_(feature_ids))
        .options(selectinload(Evidence.organisation))
        .order_by(Evidence.title, Evidence.id)
    )
    found: dict[int, list[Evidence]] = {}
    for feature_id, item in rows:
        found.setdefault(feature_id, []).append(item)
    return found


def history_of(assessment: Assessment) -> list[HistoryEntry]:
    """The assessment's history, newest first."""
    return list(
        db.session.scalars(
            select(HistoryEntry)
            .where(HistoryEntry.assessment_id == assessment.id)
            .options(selectinload(HistoryEntry.user))
            .order_by(HistoryEntry.occurred_at.desc(), HistoryEntry.id.desc())
        )
    )


def evidence_to_carry(previous: Assessment) -> int:
    """How many evidence items a next cycle would carry forward: all but the rejected."""
    return db.session.scalar(
        select(func.count(Evidence.id)).where(
            Evidence.assessment_id == previous.id, Evidence.status != "rejected"
        )
    ) or 0


def next_cycle_suggestion(previous: Assessment) -> dict[str, Any]:
    """Suggested title and period for the next cycle: the years moved on by one."""

    def bump(text: str) -> str:
        return re.sub(r"\b(19|20)(\d\d)\b", lambda m: str(int(m.group(0)) + 1), text)

    suggestion: dict[str, Any] = {"title": bump(previous.title), "period_label": bump(previous.period_label)}
    for field in ("period_start", "period_end"):
        value = getattr(previous, field)
        if value is not None:
            try:
                suggestion[field] = value.replace(year=value.year + 1)
            except ValueError:  # 29 February
                suggestion[field] = value.replace(year=value.year + 1, day=28)
    return suggestion


@dataclass(frozen=True)
class StrandPlan:
    """A strand's next steps and the red/amber/green status they give it."""

    actions: list[Action]
    rag: str


def strand_plans(assessment: Assessment, today: date) -> dict[int, StrandPlan]:
    """Per strand id of the assessment's framework: its plan (possibly empty, so red)."""
    plan = actions_by_strand(assessment)
    return {
        strand.id: StrandPlan(
            plan.get(strand.id, []),
            strand_rag(((a.status, a.due_date) for a in plan.get(strand.id, [])), today),
        )
        for strand in assessment.framework.strands
    }


def participation(assessment: Assessment) -> tuple[list[Workshop], Participation]:
    """The assessment's workshops that have started, and which kinds of partner took part.

    A kind of partner took part in a workshop when someone who gave that kind voted (or said
    "don't know") in any of its rounds, and in the assessment when it also, or instead, owns
    evidence that has not been rejected. Three queries, however many workshops and votes.
    """
    workshops = list(
        db.session.scalars(
            select(Workshop)
            .where(Workshop.assessment_id == assessment.id, Workshop.status != "setup")
            .order_by(Workshop.held_on.is_(None), Workshop.held_on, Workshop.id)
        )
    )
    voted: dict[int, set[str]] = defaultdict(set)
    if workshops:
        rows = db.session.execute(
            select(Round.workshop_id, Participant.org_type)
            .select_from(Vote)
            .join(Round, Round.id == Vote.round_id)
            .join(Participant, Participant.id == Vote.participant_id)
            .where(Round.workshop_id.in_([w.id for w in workshops]), Participant.org_type.is_not(None))
            .distinct()
        )
        for workshop_id, org_type in rows:
            voted[workshop_id].add(org_type)
    owners = dict(
        db.session.execute(
            select(Organisation.org_type, func.count(Evidence.id))
            .join(Organisation, Organisation.id == Evidence.organisation_id)
            .where(Evidence.assessment_id == assessment.id, Evidence.status != "rejected")
            .group_by(Organisation.org_type)
        ).all()
    )
    found = who_took_part(assessment.area.core_types, [voted[w.id] for w in workshops], owners)
    return workshops, found
