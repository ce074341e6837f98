"""Read-only queries for comparison, peer matching and the national benchmark.

Each function asks the database a fixed number of times, whatever the number of areas or
strands, and hands back plain values (core.comparison and core.matching dataclasses) so the
views stay thin and the national-scale pages stay fast.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from maturity.assessments import queries as assessment_queries
from maturity.assessments.overview import features_evidence
from maturity.core.comparison import AssessmentFigures, StrandFigures, room_from_json
from maturity.core.matching import AreaProfile, one_year_before
from maturity.core.scoring import Rating, parse_rating
from maturity.extensions import db
from maturity.models import (
    Area,
    Assessment,
    Element,
    Feature,
    PeerReview,
    Strand,
    StrandRating,
    peer_review_reviewers,
)

# --------------------------------------------------------------------------------------------
# Figures of one assessment, for the comparison
# --------------------------------------------------------------------------------------------


def assessment_figures(assessment: Assessment) -> AssessmentFigures:
    """Every rating and evidence figure per strand of an assessment, in six queries."""
    strands = list(
        db.session.scalars(
            select(Strand)
            .where(Strand.framework_id == assessment.framework_id)
            .order_by(Strand.position)
        )
    )
    features = db.session.execute(
        select(Feature.id, Feature.key, Feature.stage, Feature.kind, Element.strand_id)
        .join(Element, Element.id == Feature.element_id)
        .where(Feature.framework_id == assessment.framework_id)
    )
    supported = assessment_queries.supported_feature_ids(assessment)
    by_strand: dict[int, list[Any]] = defaultdict(list)
    supported_keys: dict[int, set[str]] = defaultdict(set)
    for feature in features:
        by_strand[feature.strand_id].append(feature)
        if feature.id in supported:
            supported_keys[feature.strand_id].add(feature.key)
    counts = assessment_queries.evidence_counts(assessment)
    rows = {
        r.strand_id: r
        for r in db.session.scalars(
            select(StrandRating).where(StrandRating.assessment_id == assessment.id)
        )
    }
    peer = assessment_queries.peer_ratings(assessment)
    figures = []
    for strand in strands:
        row = rows.get(strand.id)
        strand_counts = counts.get(strand.id, {})
        evidence = features_evidence(by_strand[strand.id], supported_keys[strand.id])
        figures.append(
            StrandFigures(
                key=strand.key,
                name=strand.short_name or strand.name,
                self_rating=parse_rating(row.self_rating) if row else None,
                room=room_from_json(row.room_result) if row else None,
                evidenced=evidence.stage,
                next_stage=evidence.next_stage,
                agreed=parse_rating(row.agreed_rating) if row else None,
                peer=peer.get(strand.id),
                qualitative=int(strand_counts.get("qualitative", 0)),
                quantitative=int(strand_counts.get("quantitative", 0)),
            )
        )
    return AssessmentFigures(
        id=assessment.id,
        area=assessment.area.name,
        title=assessment.title,
        period=assessment.period_label,
        strands=tuple(figures),
    )


def visible_assessment_options(user: Any) -> list[Any]:
    """Assessments the user may open (their areas', those they review, or all for the national
    team), as rows of id, area_name, title and period_label, by area name then newest first.

    Plain columns rather than Assessment objects: the comparison picker lists every one of them
    on every request, and for the national team that is every assessment in the country.
    """
    query = (
        select(Assessment.id, Area.name.label("area_name"), Assessment.title, Assessment.period_label)
        .join(Area, Area.id == Assessment.area_id)
        .order_by(Area.name, Assessment.created_at.desc(), Assessment.id.desc())
    )
    if not user.is_admin:
        reviewed = (
            select(PeerReview.assessment_id)
            .join(peer_review_reviewers, peer_review_reviewers.c.review_id == PeerReview.id)
            .where(peer_review_reviewers.c.user_id == user.id, PeerReview.status != "closed")
        )
        query = query.where(
            or_(Assessment.area_id.in_(user.area_ids or {-1}), Assessment.id.in_(reviewed))
        )
    return list(db.session.execute(query))


# --------------------------------------------------------------------------------------------
# Ratings across areas: matching and the benchmark
# --------------------------------------------------------------------------------------------


def assessment_date(period_start: date | None, created_at: datetime) -> date:
    """When an assessment is "from": the start of the period it covers, else when it was opened."""
    return period_start or created_at.date()


@dataclass
class AreaRatings:
    """An area's ratings per strand key, taken from its assessments newest first."""

    agreed: dict[str, Rating]
    standing: dict[str, Rating]  # latest agreed rating, else latest self rating


def illustrative_notes() -> list[str]:
    """For the benchmarks, which pool agreed ratings: whose agreed ratings are made-up demo data."""
    names = db.session.scalars(
        select(Area.name)
        .join(Assessment, Assessment.area_id == Area.id)
        .join(StrandRating, StrandRating.assessment_id == Assessment.id)
        .where(Assessment.illustrative_note.is_not(None), StrandRating.agreed_rating.is_not(None))
        .distinct()
        .order_by(Area.name)
    ).all()
    if not names:
        return []
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return [
        f"The agreed ratings of {listed} come from the demo data set: they are illustrative, "
        "not ratings published by " + ("that area." if len(names) == 1 else "those areas.")
    ]


def ratings_by_area() -> dict[int, AreaRatings]:
    """Per area: the latest agreed rating per strand, and the standing rating (agreed else self).

    "Latest" goes by the assessment's date (period start, else when opened), so a new cycle with
    nothing agreed yet leaves the previous cycle's agreed rating standing. One query, read row
    by row: each row only replaces a rating from an older assessment, so the rows (one per
    strand of every assessment in the country) are never all held and sorted at once.
    """
    rows = db.session.execute(
        select(
            Assessment.area_id,
            Assessment.id,
            Assessment.period_start,
            Assessment.created_at,
            Strand.key,
            StrandRating.self_rating,
            StrandRating.agreed_rating,
        )
        .join(StrandRating, StrandRating.assessment_id == Assessment.id)
        .join(Strand, Strand.id == StrandRating.strand_id)
    )
    recency: dict[int, tuple] = {}  # assessment id -> its place in time, newest greatest
    agreed: dict[int, dict[str, tuple[tuple, Rating]]] = {}
    own: dict[int, dict[str, tuple[tuple, Rating]]] = {}
    for area_id, assessment_id, start, created, key, self_code, agreed_code in rows:
        when = recency.get(assessment_id)
        if when is None:
            when = recency[assessment_id] = (assessment_date(start, created), created, assessment_id)
        for found, code in ((agreed, agreed_code), (own, self_code)):
            by_key = found.setdefault(area_id, {})
            rating = parse_rating(code)
            if rating is not None and (key not in by_key or by_key[key][0] < when):
                by_key[key] = (when, rating)
    result: dict[int, AreaRatings] = {}
    for area_id, by_key in agreed.items():
        latest_agreed = {key: rating for key, (_, rating) in by_key.items()}
        latest_self = {key: rating for key, (_, rating) in own[area_id].items()}
        result[area_id] = AreaRatings(agreed=latest_agreed, standing={**latest_self, **latest_agreed})
    return result


def area_profiles(exclude_area_id: int | None = None) -> list[AreaProfile]:
    """Every area with at least one rating, as matching candidates (two queries)."""
    ratings = ratings_by_area()
    areas = db.session.scalars(select(Area).where(Area.id.in_(list(ratings) or [-1])))
    return [
        AreaProfile(area_id=area.id, name=area.name, kind=area.kind, ratings=ratings[area.id].standing)
        for area in areas
        if area.id != exclude_area_id and ratings[area.id].standing
    ]


def subject_profile(assessment: Assessment) -> AreaProfile:
    """The assessment being matched: its own standing rating per strand (agreed, else self)."""
    rows = db.session.execute(
        select(Strand.key, StrandRating.self_rating, StrandRating.agreed_rating)
        .join(Strand, Strand.id == StrandRating.strand_id)
        .where(StrandRating.assessment_id == assessment.id)
    )
    ratings = {}
    for key, self_code, agreed_code in rows:
        rating = parse_rating(agreed_code) or parse_rating(self_code)
        if rating is not None:
            ratings[key] = rating
    area = assessment.area
    return AreaProfile(area_id=area.id, name=area.name, kind=area.kind, ratings=ratings)


@dataclass(frozen=True)
class LatestAssessment:
    """What the national table shows of an area's latest assessment."""

    id: int
    title: str
    period_label: str
    period_start: date | None
    created_at: datetime


@dataclass
class AreaStatus:
    """One row of the national team's table of areas."""

    area: Area
    latest: LatestAssessment | None
    latest_date: date | None
    overdue: bool
    last_review: PeerReview | None  # latest submitted review of any of the area's assessments
    open_review: PeerReview | None


def _newest(assessments) -> Any:
    """The newest of some assessments (or rows with the same columns) by their date."""
    return max(
        assessments,
        key=lambda a: (assessment_date(a.period_start, a.created_at), a.created_at, a.id),
        default=None,
    )


def latest_assessment(area: Area) -> Assessment | None:
    """The area's newest assessment by its date (period start, else when opened)."""
    return _newest(db.session.scalars(select(Assessment).where(Assessment.area_id == area.id)))


def area_statuses(today: date) -> list[AreaStatus]:
    """Every area with its latest assessment, whether it is overdue, and its peer reviews.

    Assessments are read as plain columns, not Assessment objects: the table needs only the
    latest of each area, and there are several per area in the country.
    """
    areas = list(db.session.scalars(select(Area).order_by(Area.name)))
    by_area: dict[int, list[LatestAssessment]] = defaultdict(list)
    rows = db.session.execute(
        select(
            Assessment.area_id,
            Assessment.id,
            Assessment.title,
            Assessment.period_label,
            Assessment.period_start,
            Assessment.created_at,
        )
    )
    for area_id, *columns in rows:
        by_area[area_id].append(LatestAssessment(*columns))
    latest = {area_id: _newest(items) for area_id, items in by_area.items()}
    reviews = db.session.execute(
        select(PeerReview, Assessment.area_id)
        .join(Assessment, Assessment.id == PeerReview.assessment_id)
        .options(selectinload(PeerReview.reviewing_area))
        .order_by(PeerReview.requested_at)
    )
    submitted: dict[int, PeerReview] = {}
    open_reviews: dict[int, PeerReview] = {}
    for review, area_id in reviews:
        if review.submitted_at is not None and (
            area_id not in submitted or review.submitted_at >= submitted[area_id].submitted_at
        ):
            submitted[area_id] = review
        if review.is_open:
            open_reviews[area_id] = review
    cutoff = one_year_before(today)
    statuses = []
    for area in areas:
        assessment = latest.get(area.id)
        when = assessment_date(assessment.period_start, assessment.created_at) if assessment else None
        statuses.append(
            AreaStatus(
                area=area,
                latest=assessment,
                latest_date=when,
                overdue=when is None or when < cutoff,
                last_review=submitted.get(area.id),
                open_review=open_reviews.get(area.id),
            )
        )
    return statuses
