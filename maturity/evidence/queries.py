"""Reads for the evidence register: filtering, search, and grouping by strand or partner."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from maturity.extensions import db
from maturity.models import (
    Assessment,
    Element,
    Evidence,
    Feature,
    FrameworkVersion,
    Organisation,
    Strand,
    evidence_features,
)


@dataclass
class Filters:
    """What the register is narrowed to; every field empty shows everything."""

    strand_id: int | None = None
    organisation_id: int | None = None
    kind: str | None = None
    status: str | None = None
    stale: str | None = None  # "stale" or "current"
    q: str | None = None

    @property
    def active(self) -> bool:
        return any(
            value not in (None, "")
            for value in (self.strand_id, self.organisation_id, self.kind, self.status, self.stale, self.q)
        )


@dataclass
class FeaturePlace:
    """Where a feature sits in the framework."""

    strand: Strand
    element: Element
    feature: Feature


def framework_tree(framework: FrameworkVersion) -> list[Strand]:
    """The framework's strands with their elements and features, loaded in three queries."""
    return list(
        db.session.scalars(
            select(Strand)
            .where(Strand.framework_id == framework.id)
            .options(selectinload(Strand.elements).selectinload(Element.features))
            .order_by(Strand.position)
        )
    )


def feature_places(framework: FrameworkVersion, strands: list[Strand] | None = None) -> dict[int, FeaturePlace]:
    """feature id -> its strand and element, for one framework version."""
    places: dict[int, FeaturePlace] = {}
    for strand in strands if strands is not None else framework_tree(framework):
        for element in strand.elements:
            for feature in element.features:
                places[feature.id] = FeaturePlace(strand, element, feature)
    return places


def stale_cutoff(today: date, max_age_days: int) -> date:
    """Evidence about a day before this is stale (matches Evidence.is_stale)."""
    return today - timedelta(days=max_age_days)


def _stale_condition(cutoff: date):
    return or_(
        Evidence.about_date < cutoff,
        and_(Evidence.about_date.is_(None), Evidence.created_at < datetime.combine(cutoff, time.min)),
    )


def register(
    assessment: Assessment, filters: Filters, today: date, stale_days: int
) -> list[Evidence]:
    """The assessment's evidence, narrowed by the filters, newest 'about' date first."""
    query = (
        select(Evidence)
        .where(Evidence.assessment_id == assessment.id)
        .options(
            selectinload(Evidence.features),
            selectinload(Evidence.organisation),
            selectinload(Evidence.created_by),
        )
        .order_by(Evidence.about_date.desc().nulls_last(), Evidence.created_at.desc(), Evidence.id.desc())
    )
    if filters.strand_id:
        in_strand = (
            select(evidence_features.c.evidence_id)
            .join(Feature, Feature.id == evidence_features.c.feature_id)
            .join(Element, Element.id == Feature.element_id)
            .where(Element.strand_id == filters.strand_id)
        )
        query = query.where(Evidence.id.in_(in_strand))
    if filters.organisation_id:
        query = query.where(Evidence.organisation_id == filters.organisation_id)
    if filters.kind:
        query = query.where(Evidence.kind == filters.kind)
    if filters.status:
        query = query.where(Evidence.status == filters.status)
    if filters.stale in ("stale", "current"):
        condition = _stale_condition(stale_cutoff(today, stale_days))
        query = query.where(condition if filters.stale == "stale" else ~condition)
    if filters.q:
        words = filters.q.split()[:10]
        for word in words:
            query = query.where(
                or_(
                    Evidence.title.icontains(word, autoescape=True),
                    Evidence.description.icontains(word, autoescape=True),
                )
            )
    return list(db.session.scalars(query))


def strands_of(evidence: Evidence, places: dict[int, FeaturePlace]) -> list[Strand]:
    """The strands an item supports, in framework order."""
    strands = {places[f.id].strand.id: places[f.id].strand for f in evidence.features if f.id in places}
    return sorted(strands.values(), key=lambda s: s.position)


@dataclass
class Group:
    """A heading in the grouped register, with its items."""

    key: str
    title: str
    items: list[Evidence] = field(default_factory=list)


def group_by_strand(
    items: list[Evidence], strands: list[Strand], places: dict[int, FeaturePlace]
) -> list[Group]:
    """One group per strand; an item supporting two strands appears under both."""
    groups = {s.id: Group(f"strand-{s.key}", s.name) for s in strands}
    for item in items:
        for strand in strands_of(item, places):
            groups[strand.id].items.append(item)
    return list(groups.values())


def group_by_organisation(items: list[Evidence], organisations: list[Organisation]) -> list[Group]:
    """One group per partner organisation (those with evidence first), then items with none."""
    groups = {o.id: Group(f"organisation-{o.id}", o.name) for o in organisations}
    nobody = Group("organisation-none", "No owner organisation")
    for item in items:
        groups.get(item.organisation_id, nobody).items.append(item)
    ordered = sorted(groups.values(), key=lambda g: (not g.items, g.title.casefold()))
    return ordered + ([nobody] if nobody.items else [])


def features_by_id(ids: Iterable[int]) -> list[Feature]:
    """The features with these ids, by id."""
    chosen = sorted(ids)
    if not chosen:
        return []
    return list(db.session.scalars(select(Feature).where(Feature.id.in_(chosen)).order_by(Feature.id)))
