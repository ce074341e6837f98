"""What the assessment pages show per strand and element, assembled in a fixed number of queries.

`build_overview(assessment)` loads the framework tree, the ratings and the evidence figures once
and returns plain objects the templates and exports read, so no page asks the database per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from maturity.assessments import queries
from maturity.core.comparison import StrandFigures, figures_flags, room_from_json
from maturity.core.framework import LIMITATION
from maturity.core.scoring import (
    RATINGS,
    STAGES,
    Flag,
    Rating,
    StageEvidence,
    VoteSummary,
    parse_rating,
    stage_evidence,
    summarise_counts,
)
from maturity.extensions import db
from maturity.models import (
    Assessment,
    Element,
    ElementRating,
    FrameworkVersion,
    Strand,
    StrandRating,
)

NOT_STARTED, IN_PROGRESS, RATED = "not_started", "in_progress", "rated"
TASK_STATUSES = {NOT_STARTED: "Not started", IN_PROGRESS: "In progress", RATED: "Rated"}


def strands_done(views: list[StrandView]) -> int:
    """How many strands of the task list are done: rated (a self or an agreed rating)."""
    return sum(1 for view in views if view.status == RATED)


def is_choosable(code: str | None) -> bool:
    """Whether a code is one a person may record: a stage, or between two adjacent stages."""
    rating = parse_rating(code)
    return rating is not None and rating in RATINGS


def room_summary(room_result: Mapping[str, Any] | None) -> VoteSummary | None:
    """Rebuild the room's vote summary from a carried-in result's counts, when it has them."""
    if not room_result or not isinstance(room_result.get("counts"), Mapping):
        return None
    try:
        counts = {int(stage): int(number) for stage, number in room_result["counts"].items()}
        return summarise_counts(counts, int(room_result.get("abstentions") or 0))
    except (TypeError, ValueError):
        return None


@dataclass
class ElementView:
    element: Element
    rating_row: ElementRating | None
    self_rating: Rating | None
    evidence: StageEvidence
    supported: int  # features of the element with evidence
    feature_count: int

    @property
    def evidenced(self) -> int:
        return self.evidence.stage

    @property
    def status(self) -> str:
        if self.self_rating is not None:
            return RATED
        return IN_PROGRESS if self.supported else NOT_STARTED

    @property
    def status_label(self) -> str:
        return TASK_STATUSES[self.status]

    @property
    def evidenced_label(self) -> str:
        return STAGES[self.evidenced]


@dataclass
class StrandView:
    strand: Strand
    rating_row: StrandRating | None
    self_rating: Rating | None
    agreed_rating: Rating | None
    evidence: StageEvidence
    room_result: dict[str, Any] | None
    room: VoteSummary | None
    counts: dict[str, int]
    flags: list[Flag]
    elements: list[ElementView]
    supported: int
    feature_count: int
    accepted_titles: list[str] = field(default_factory=list)
    #: published family questionnaire results in words (family experience strand only)
    family_findings: list[str] = field(default_factory=list)
    #: a survey's result carried in, beside the room's (same figures)
    survey_result: dict[str, Any] | None = None

    @property
    def voices(self) -> list[str]:
        """What the workshop room and the partners' survey said, carried in, in short words:
        "Workshop: Developing–Maturing after discussion (first vote Developing)"."""
        said = []
        room = self.room_result or {}
        if (median := parse_rating(room.get("median"))) is not None:
            first = parse_rating((room.get("first_vote") or {}).get("median"))
            again = f" after discussion (first vote {first.label})" if first is not None else ""
            said.append(f"Workshop: {median.label}{again}")
        survey = self.survey_result or {}
        if (median := parse_rating(survey.get("median"))) is not None:
            people = survey.get("n") or 0
            said.append(f"Partners\u2019 survey: {median.label} ({people} {'person' if people == 1 else 'people'})")
        return said

    @property
    def voices_short(self) -> str:
        """The same in a few characters for the printed page: "room D–M (first D), survey D"."""
        said = []
        room = self.room_result or {}
        if (median := parse_rating(room.get("median"))) is not None:
            first = parse_rating((room.get("first_vote") or {}).get("median"))
            said.append(f"room {median.short}" + (f" (first {first.short})" if first is not None else ""))
        if (median := parse_rating((self.survey_result or {}).get("median"))) is not None:
            said.append(f"survey {median.short}")
        return ", ".join(said)

    @property
    def current_rating(self) -> Rating | None:
        """The agreed rating once there is one, else the self rating."""
        return self.agreed_rating or self.self_rating

    @property
    def status(self) -> str:
        if self.self_rating is not None or self.agreed_rating is not None:
            return RATED
        if (
            self.supported
            or self.room_result
            or self.survey_result
            or any(e.self_rating is not None for e in self.elements)
        ):
            return IN_PROGRESS
        return NOT_STARTED

    @property
    def status_label(self) -> str:
        return TASK_STATUSES[self.status]

    @property
    def evidenced(self) -> int:
        return self.evidence.stage

    @property
    def evidenced_label(self) -> str:
        return STAGES[self.evidenced]

    @property
    def rationale(self) -> str | None:
        """The rationale behind the current rating."""
        row = self.rating_row
        if row is None:
            return None
        if self.agreed_rating is not None and row.agreed_rationale:
            return row.agreed_rationale
        return row.self_rationale

    @property
    def elements_rated_differently(self) -> bool:
        """True when elements carry different ratings, as Hampshire's delivery strand did."""
        ratings = {e.self_rating for e in self.elements if e.self_rating is not None}
        return len(self.elements) > 1 and len(ratings) > 1

    def agreed_inputs(self) -> dict[str, Any]:
        """The snapshot stored with an agreed rating: what it was decided from."""
        return {
            "self_rating": self.self_rating.code if self.self_rating else None,
            "self_rationale": self.rating_row.self_rationale if self.rating_row else None,
            "element_ratings": {
                e.element.key: e.self_rating.code for e in self.elements if e.self_rating
            },
            "room_result": self.room_result,
            "survey_result": self.survey_result,
            "evidenced_stage": self.evidenced,
            "evidence_counts": dict(self.counts),
        }


def load_framework(framework_id: int) -> FrameworkVersion:
    """The framework with its strands, elements and features loaded in three queries."""
    return db.session.scalars(
        select(FrameworkVersion)
        .where(FrameworkVersion.id == framework_id)
        .options(
            selectinload(FrameworkVersion.strands)
            .selectinload(Strand.elements)
            .selectinload(Element.features)
        )
        .execution_options(populate_existing=True)
    ).one()


def load_ratings(assessment: Assessment) -> None:
    """Load the assessment's strand and element ratings (and who made them) in one go each."""
    db.session.scalars(
        select(Assessment)
        .where(Assessment.id == assessment.id)
        .options(
            selectinload(Assessment.strand_ratings).options(
                selectinload(StrandRating.self_rated_by), selectinload(StrandRating.agreed_by)
            ),
            selectinload(Assessment.element_ratings),
        )
        .execution_options(populate_existing=True)
    ).one()


def features_evidence(features: Iterable[Any], supported_keys: set[str]) -> StageEvidence:
    """The evidenced stage of some features (anything with key, stage and kind)."""
    achievements: dict[int, list[str]] = {}
    limitations: dict[int, list[str]] = {}
    for feature in features:
        target = limitations if feature.kind == LIMITATION else achievements
        target.setdefault(feature.stage, []).append(feature.key)
    return stage_evidence(achievements, supported_keys, limitations)


def build_overview(assessment: Assessment, with_titles: bool = False) -> list[StrandView]:
    """Per strand (in framework order): ratings, evidenced stage, room, counts, flags, elements."""
    framework = load_framework(assessment.framework_id)
    load_ratings(assessment)
    supported_ids = queries.supported_feature_ids(assessment)
    counts = queries.evidence_counts(assessment)
    titles = queries.accepted_titles_by_strand(assessment) if with_titles else {}
    findings = queries.family_findings(assessment) if with_titles else {}
    strand_rows = {r.strand_id: r for r in assessment.strand_ratings}
    element_rows = {r.element_id: r for r in assessment.element_ratings}
    peer = queries.peer_ratings(assessment)

    views = []
    for strand in framework.strands:
        supported_keys = {
            f.key for e in strand.elements for f in e.features if f.id in supported_ids
        }
        element_views = []
        for element in strand.elements:
            element_keys = {f.key for f in element.features}
            row = element_rows.get(element.id)
            element_views.append(
                ElementView(
                    element=element,
                    rating_row=row,
                    self_rating=parse_rating(row.self_rating) if row else None,
                    evidence=features_evidence(element.features, supported_keys),
                    supported=len(supported_keys & element_keys),
                    feature_count=len(element_keys),
                )
            )
        all_features = [f for e in strand.elements for f in e.features]
        row = strand_rows.get(strand.id)
        self_rating = parse_rating(row.self_rating) if row else None
        agreed_rating = parse_rating(row.agreed_rating) if row else None
        room_result = row.room_result if row and row.room_result else None
        room = room_summary(room_result)
        evidence = features_evidence(all_features, supported_keys)
        evidenced = evidence.stage
        strand_counts = counts.get(strand.id, queries.empty_counts())
        flags = figures_flags(
            StrandFigures(
                key=strand.key,
                name=strand.short_name,
                self_rating=self_rating,
                room=room_from_json(room_result),
                evidenced=evidenced,
                agreed=agreed_rating,
                peer=peer.get(strand.id),
                qualitative=strand_counts["qualitative"],
                quantitative=strand_counts["quantitative"],
                next_stage=evidence.next_stage,
            )
        )
        views.append(
            StrandView(
                strand=strand,
                rating_row=row,
                self_rating=self_rating,
                agreed_rating=agreed_rating,
                evidence=evidence,
                room_result=room_result,
                room=room,
                survey_result=row.survey_result if row and row.survey_result else None,
                counts=strand_counts,
                flags=flags,
                elements=element_views,
                supported=len(supported_keys),
                feature_count=len(all_features),
                accepted_titles=titles.get(strand.id, []),
                family_findings=findings.get(strand.key, []),
            )
        )
    return views


def strand_view(views: list[StrandView], strand_key: str) -> StrandView | None:
    return next((v for v in views if v.strand.key == strand_key), None)
