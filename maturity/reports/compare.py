"""The comparison of two assessments side by side: page, CSV and XLSX (blueprint "compare").

Both assessments are loaded through `maturity.access.get_or_404`, so an assessment the user may
not see answers 404 and nothing of either assessment is shown.
"""

from datetime import date

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user, login_required
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from maturity import exports
from maturity.access import can, get_or_404
from maturity.core.comparison import (
    MEASURES,
    Comparison,
    compare,
    evidence_chart_data,
    export_rows,
    radar_data,
)
from maturity.core.scoring import STAGES
from maturity.extensions import db
from maturity.models import Assessment
from maturity.reports import queries
from maturity.reports.forms import CompareForm
from maturity.routing import parse_id

bp = Blueprint("compare", __name__)


@bp.before_request
@login_required
def require_sign_in() -> None:
    """Comparison pages need a signed-in user; both assessments are checked per request."""


def _id(value: str | None) -> int | None:
    return parse_id((value or "").strip())


def load_pair(a_id: int, b_id: int) -> dict[str, Assessment]:
    """Both assessments, or 404 unless the user may see both.

    Both are read with their areas in one query first, so the access checks that follow find
    them in the session instead of asking for each (and then each area) again. The list holds
    them: the session keeps only weak references to what it has loaded.
    """
    loaded = db.session.scalars(
        select(Assessment)
        .where(Assessment.id.in_((a_id, b_id)))
        .options(joinedload(Assessment.area))
    ).all()
    pair = {"a": get_or_404(Assessment, a_id), "b": get_or_404(Assessment, b_id)}
    del loaded
    return pair


def comparison_for(a_id: int, b_id: int) -> Comparison:
    """Load both assessments (404 unless the user may see both) and compare them."""
    return _compare(load_pair(a_id, b_id))


def _compare(pair: dict[str, Assessment]) -> Comparison:
    return compare(queries.assessment_figures(pair["a"]), queries.assessment_figures(pair["b"]))


def _chosen(form: CompareForm) -> tuple[dict[str, Assessment], int]:
    """The two assessments the query string asks for ({} when it asks for none or is wrong,
    with the form's errors set), and the page's status."""
    if "a" not in request.args or "b" not in request.args:
        return {}, 200
    ids = _read_pair(form)
    if ids is None:
        return {}, 400
    return load_pair(*ids), 200


def _read_pair(form: CompareForm) -> tuple[int, int] | None:
    """The two ids from the query string, or None with the form's errors set."""
    a_id, b_id = _id(request.args.get("a")), _id(request.args.get("b"))
    if a_id is None:
        form.a.errors = ["Select the first assessment"]
    if b_id is None:
        form.b.errors = ["Select the second assessment"]
    elif a_id == b_id:
        form.b.errors = ["Select two different assessments"]
    if form.a.errors or form.b.errors:
        return None
    return a_id, b_id


def picker_choices(user) -> dict[str, list[tuple[str, str]]]:
    """The assessments the user may see, grouped by area name (the picker's <optgroup>s).

    Each option keeps the area in its text, so a closed select still says which area it holds.
    """
    groups: dict[str, list[tuple[str, str]]] = {}
    for row in queries.visible_assessment_options(user):
        groups.setdefault(row.area_name, []).append(
            (str(row.id), f"{row.area_name}: {row.title} ({row.period_label})")
        )
    return groups


@bp.get("/compare")
def show():
    form = CompareForm(formdata=request.args if request.args else None)
    form.a.choices = form.b.choices = picker_choices(current_user)
    form.a.errors, form.b.errors = [], []
    pair, status = _chosen(form)
    comparison = _compare(pair) if pair else None
    return render_template(
        "reports/compare.html",
        form=form,
        comparison=comparison,
        measures=MEASURES,
        STAGES=STAGES,
        radar=radar_data(comparison) if comparison else None,
        evidence_chart=evidence_chart_data(comparison) if comparison else None,
        export_args={"a": comparison.a.id, "b": comparison.b.id} if comparison else None,
        trend_urls=_trend_urls(comparison, pair) if comparison else {},
        illustrative_notes=[a.illustrative_note for a in pair.values() if a.illustrative_note],
    ), status


def _trend_urls(comparison: Comparison, assessments: dict[str, Assessment]) -> dict[str, str]:
    """The trend page of each side, for members of its area only.

    A trend shows every cycle of an area, so a peer reviewer (who may read one assessment and
    nothing else of the area) gets no link to it.
    """
    urls = {}
    for side, figures in (("a", comparison.a), ("b", comparison.b)):
        if not can(current_user, "view", assessments[side].area):
            continue
        urls[side] = url_for("assessments.trend", assessment_id=figures.id)
    return urls


def _export_pair() -> tuple[int, int]:
    a_id, b_id = _id(request.args.get("a")), _id(request.args.get("b"))
    if a_id is None or b_id is None or a_id == b_id:
        abort(400, "Give two different assessments to compare, as ?a=<id>&b=<id>.")
    return a_id, b_id


def _filename(comparison: Comparison, extension: str) -> str:
    return f"comparison-{comparison.a.id}-{comparison.b.id}-{date.today().isoformat()}.{extension}"


@bp.get("/compare.csv")
def export_csv():
    comparison = comparison_for(*_export_pair())
    return exports.csv_response(export_rows(comparison), _filename(comparison, "csv"))


@bp.get("/compare.xlsx")
def export_xlsx():
    comparison = comparison_for(*_export_pair())
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Comparison"
    exports.append_rows(sheet, export_rows(comparison))
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEF", (22, 48, 28, 28, 18, 14), strict=True):
        sheet.column_dimensions[column].width = width
    return exports.xlsx_response(workbook, _filename(comparison, "xlsx"))


@bp.app_template_global()
def compare_url(a: int | None = None, b: int | None = None) -> str:
    """Link to the comparison page, with one or both assessments chosen."""
    args = {key: value for key, value in (("a", a), ("b", b)) if value is not None}
    return url_for("compare.show", **args)
