"""The one-page summary as CSV, and as an XLSX workbook with the evidence register and action plan.

Cells go through maturity.exports' safe-cell rule, so an evidence title cannot run code in
someone's Excel.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from maturity import exports
from maturity.assessments.overview import StrandView
from maturity.core.scoring import Rating
from maturity.extensions import db
from maturity.models import ACTION_STATUSES, Action, Assessment, Evidence

SUMMARY_HEADINGS = [
    "Strand",
    "Element",
    "Rating",
    "Rating in words",
    "Rating source",
    "Evidenced stage",
    "Key evidence summary",
    "Flags",
    "Workshop and survey",
]
EVIDENCE_HEADINGS = [
    "Title",
    "Strands",
    "Features",
    "Organisation",
    "Kind",
    "Value",
    "Unit",
    "Baseline",
    "Period",
    "Date it is about",
    "Source",
    "Link",
    "File",
    "Status",
    "Reason",
    "Carried forward",
    "Added",
]
ACTION_HEADINGS = ["Strand", "Action", "Owner organisation", "Due date", "Status", "Overdue"]

def key_evidence(view: StrandView) -> str:
    """The strand's rationale, then the titles of its accepted evidence."""
    parts = []
    if view.rationale:
        parts.append(view.rationale)
    if view.accepted_titles:
        parts.append("Accepted evidence: " + "; ".join(view.accepted_titles))
    parts.extend(view.family_findings)
    return "\n".join(parts)


def _rating_cells(rating: Rating | None, source: str) -> list[str]:
    if rating is None:
        return ["", "Not rated yet", ""]
    return [rating.short, rating.label, source]


def summary_rows(views: Iterable[StrandView]) -> Iterator[list[Any]]:
    """One row per strand, and one per element where the elements were rated differently."""
    for view in views:
        source = "Agreed" if view.agreed_rating else ("Self rating" if view.self_rating else "")
        yield [
            view.strand.name,
            "",
            *_rating_cells(view.current_rating, source),
            view.evidence.label,
            key_evidence(view),
            "; ".join(flag.label for flag in view.flags),
            "; ".join(view.voices),
        ]
        if view.elements_rated_differently:
            for element in view.elements:
                yield [
                    view.strand.name,
                    element.element.name,
                    *_rating_cells(element.self_rating, "Self rating" if element.self_rating else ""),
                    element.evidence.label,
                    (element.rating_row.self_rationale or "") if element.rating_row else "",
                    "",
                    "",
                ]


def _filename(assessment: Assessment, suffix: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9]+", "-", f"{assessment.area.name} {assessment.title}").strip("-")
    return f"{stem[:80] or 'assessment'}-summary.{suffix}"


def csv_response(assessment: Assessment, views: list[StrandView]) -> Response:
    return exports.csv_response([SUMMARY_HEADINGS, *summary_rows(views)], _filename(assessment, "csv"))


def _evidence_rows(assessment: Assessment, views: list[StrandView]) -> Iterator[list[Any]]:
    strand_of_feature = {
        feature.id: view.strand.short_name
        for view in views
        for element in view.strand.elements
        for feature in element.features
    }
    items = db.session.scalars(
        select(Evidence)
        .where(Evidence.assessment_id == assessment.id)
        .options(selectinload(Evidence.features), selectinload(Evidence.organisation))
        .order_by(Evidence.title, Evidence.id)
    )
    for item in items:
        strands = sorted({strand_of_feature.get(f.id, "") for f in item.features} - {""})
        yield [
            item.title,
            "; ".join(strands),
            "; ".join(f.key for f in sorted(item.features, key=lambda f: f.key)),
            item.organisation.name if item.organisation else "",
            item.kind_label,
            item.value,
            item.unit or "",
            item.baseline,
            item.period or "",
            item.about_date,
            item.source_type or "",
            item.link or "",
            item.file_name or "",
            item.status_label,
            item.status_reason or "",
            "Yes" if item.carried_from_id else "",
            item.created_at,
        ]


def _action_rows(assessment: Assessment, views: list[StrandView]) -> Iterator[list[Any]]:
    names = {view.strand.id: view.strand.short_name for view in views}
    order = {view.strand.id: index for index, view in enumerate(views)}
    items = db.session.scalars(
        select(Action)
        .where(Action.assessment_id == assessment.id)
        .options(selectinload(Action.owner_organisation))
        .order_by(Action.due_date.is_(None), Action.due_date, Action.id)
    )
    today = date.today()
    for item in sorted(items, key=lambda a: order.get(a.strand_id, 99)):
        yield [
            names.get(item.strand_id, ""),
            item.description,
            item.owner_organisation.name if item.owner_organisation else "",
            item.due_date,
            ACTION_STATUSES.get(item.status, item.status),
            "Overdue" if item.is_overdue(today) else "",
        ]


def _sheet(workbook: Workbook, title: str, headings: list[str], rows: Iterable[list[Any]], widths: dict[int, int], first: bool = False):
    sheet = exports.table_sheet(workbook, title, headings, rows, first=first)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, datetime):
                cell.number_format = "d mmm yyyy hh:mm"
            elif isinstance(cell.value, date):
                cell.number_format = "d mmm yyyy"
            elif isinstance(cell.value, str) and "\n" in cell.value:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column in range(1, len(headings) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = widths.get(column, 16)
    sheet.freeze_panes = "A2"
    return sheet


def xlsx_response(assessment: Assessment, views: list[StrandView]) -> Response:
    workbook = Workbook()
    _sheet(workbook, "Summary", SUMMARY_HEADINGS, summary_rows(views), {1: 40, 2: 24, 4: 22, 7: 80, 8: 30}, first=True)
    _sheet(workbook, "Evidence register", EVIDENCE_HEADINGS, _evidence_rows(assessment, views), {1: 40, 2: 30, 3: 30, 4: 30, 12: 30})
    _sheet(workbook, "Action plan", ACTION_HEADINGS, _action_rows(assessment, views), {1: 20, 2: 60, 3: 30})
    workbook.properties.title = exports.without_control(f"{assessment.area.name}: {assessment.title}")
    return exports.xlsx_response(workbook, _filename(assessment, "xlsx"))
