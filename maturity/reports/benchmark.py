"""The national benchmark (blueprint "benchmark").

`/benchmark` is for the national team: per strand how many areas sit at each stage (latest agreed
ratings; a between-stages rating counts at its lower stage), which areas have been peer reviewed
and when, and which are overdue for their yearly update. `/areas/<id>/benchmark` shows an area
where it sits against the others, with the others anonymised (counts only, no names or ids) and
a strand hidden when fewer than three other areas have an agreed rating for it.
"""

from datetime import date
from typing import Any

from flask import Blueprint, abort, render_template, url_for
from flask_login import current_user, login_required

from maturity.access import get_or_404
from maturity.core.comparison import BENCHMARK_MINIMUM, stage_distribution, standing
from maturity.core.scoring import STAGES
from maturity.framework.operations import latest_framework
from maturity.models import Area
from maturity.reports import queries

bp = Blueprint("benchmark", __name__)


@bp.before_request
@login_required
def require_sign_in() -> None:
    """Benchmark pages need a signed-in user; each route checks who may see it."""


def _strands() -> list[tuple[str, str]]:
    framework = latest_framework()
    if framework is None:
        return []
    return [(s.key, s.short_name or s.name) for s in framework.strands]


def _chart(labels: list[str], distributions: list, with_unrated: bool = False) -> dict[str, Any]:
    """A stacked bar per strand: areas at each stage, and (nationally) the areas not agreed yet,
    counted as a category of their own rather than dropped."""
    datasets = [
        {"label": STAGES[stage], "data": [d.counts[stage] if d else 0 for d in distributions]}
        for stage in STAGES
    ]
    if with_unrated:
        datasets.append({"label": "Not agreed", "data": [d.unrated if d else 0 for d in distributions]})
    return {"labels": labels, "datasets": datasets}


@bp.get("/benchmark")
def national():
    if not current_user.is_admin:
        abort(403, "Only the national team can see the national benchmark.")
    today = date.today()
    statuses = queries.area_statuses(today)
    ratings = queries.ratings_by_area()
    strands = _strands()
    rows = []
    for key, name in strands:
        distribution = stage_distribution(
            ratings[s.area.id].agreed.get(key) if s.area.id in ratings else None for s in statuses
        )
        rows.append({"key": key, "name": name, "distribution": distribution})
    return render_template(
        "reports/benchmark.html",
        rows=rows,
        statuses=statuses,
        STAGES=STAGES,
        chart_data=_chart([r["name"] for r in rows], [r["distribution"] for r in rows], with_unrated=True),
        overdue=[s for s in statuses if s.overdue],
        reviewed=[s for s in statuses if s.last_review is not None],
        today=today,
        illustrative_notes=queries.illustrative_notes(),
    )


def _standing_rows(area: Area, latest: Any) -> list[dict[str, Any]]:
    """Per strand: where the area's latest agreed rating sits against the other areas', and the
    flags of its latest assessment's rating."""
    ratings = queries.ratings_by_area()
    own = ratings.get(area.id)
    others = [r for other_id, r in ratings.items() if other_id != area.id]
    # The flags of each strand's rating, from the same figures and function as every other page.
    figures = queries.assessment_figures(latest) if latest else None
    rows = []
    for key, name in _strands():
        strand_figures = figures.strand(key) if figures else None
        rows.append(
            {
                "key": key,
                "name": name,
                "standing": standing(
                    own.agreed.get(key) if own else None, [r.agreed.get(key) for r in others]
                ),
                "flags": strand_figures.flags if strand_figures else [],
            }
        )
    return rows


@bp.get("/areas/<int:area_id>/benchmark")
def area(area_id: int):
    area = get_or_404(Area, area_id)
    latest = queries.latest_assessment(area)
    rows = _standing_rows(area, latest)
    shown = [r for r in rows if not r["standing"].suppressed]
    return render_template(
        "reports/area_benchmark.html",
        area=area,
        latest=latest,
        rows=rows,
        STAGES=STAGES,
        minimum=BENCHMARK_MINIMUM,
        chart_data=_chart([r["name"] for r in shown], [r["standing"].distribution for r in shown]),
        trend_url=url_for("assessments.trend", assessment_id=latest.id) if latest else None,
        illustrative_notes=queries.illustrative_notes(),
    )
