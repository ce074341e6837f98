"""An area's rating per strand across its assessment cycles, for the trend table and chart."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from maturity.core.scoring import STAGES, Rating, parse_rating
from maturity.extensions import db
from maturity.models import Assessment, StrandRating


@dataclass
class TrendPoint:
    rating: Rating | None
    #: "agreed" or "self": which rating the point shows
    source: str | None = None


@dataclass
class TrendCycle:
    assessment: Assessment
    points: dict[str, TrendPoint] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.assessment.period_label or self.assessment.title


@dataclass
class Trend:
    #: (strand key, strand name) in the order of the latest framework that names them
    strands: list[tuple[str, str]]
    cycles: list[TrendCycle]

    def chart_data(self) -> dict[str, Any]:
        """Plain data for the Chart.js line chart: one line per strand, one point per cycle."""
        return {
            "labels": [cycle.label for cycle in self.cycles],
            "stages": {str(value): name for value, name in STAGES.items()},
            "datasets": [
                {
                    "label": name,
                    "data": [
                        cycle.points[key].rating.midpoint
                        if key in cycle.points and cycle.points[key].rating
                        else None
                        for cycle in self.cycles
                    ],
                }
                for key, name in self.strands
            ],
        }


def _cycle_order(assessment: Assessment) -> tuple[date, Any, int]:
    start = assessment.period_start or assessment.created_at.date()
    return (start, assessment.created_at, assessment.id)


def build_trend(
    assessment: Assessment, visible: Callable[[Assessment], bool] | None = None
) -> Trend:
    """Every cycle of the assessment's area, oldest first, with each strand's current rating.

    Strands are matched by key, so a cycle on a revised version of the model lines up with the
    earlier ones. The agreed rating is used where there is one, else the self rating. Only the
    cycles `visible` allows are included (a peer reviewer sees the one they review).
    """
    cycles = sorted(
        (
            cycle
            for cycle in db.session.scalars(
                select(Assessment)
                .where(Assessment.area_id == assessment.area_id)
                .options(selectinload(Assessment.strand_ratings).selectinload(StrandRating.strand))
            )
            if cycle.id == assessment.id or visible is None or visible(cycle)
        ),
        key=_cycle_order,
    )
    names: dict[str, str] = {}
    positions: dict[str, int] = {}
    result = []
    for cycle in cycles:
        trend_cycle = TrendCycle(cycle)
        for row in cycle.strand_ratings:
            key = row.strand.key
            names[key] = row.strand.short_name
            positions[key] = row.strand.position
            agreed, own = parse_rating(row.agreed_rating), parse_rating(row.self_rating)
            if agreed is not None:
                trend_cycle.points[key] = TrendPoint(agreed, "agreed")
            elif own is not None:
                trend_cycle.points[key] = TrendPoint(own, "self")
            else:
                trend_cycle.points[key] = TrendPoint(None)
        result.append(trend_cycle)
    strands = sorted(names.items(), key=lambda item: (positions[item[0]], item[1]))
    return Trend(strands=strands, cycles=result)
