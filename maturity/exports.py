"""Downloads as spreadsheets: one rule for safe cells, one CSV response, one XLSX response.

Every exporter (an assessment's summary, a workshop's results, a comparison) builds its rows
and hands them here, so a hostile title is made safe the same way in every file:
- text that a spreadsheet would read as a formula (starting =, +, -, @, tab or carriage
  return) gets an apostrophe in front, so it cannot run in someone's Excel;
- control characters, which the XLSX format cannot hold at all (openpyxl refuses them, and
  the download would fail), are dropped from CSV and XLSX alike.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The characters below space that XML 1.0 (and so XLSX) cannot hold; tab, newline and
# carriage return are allowed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def without_control(text: str) -> str:
    """Text without the control characters XLSX cannot hold (for titles outside cells too)."""
    return _CONTROL.sub("", text)


def safe_cell(value: Any) -> Any:
    """A cell that is never a formula and holds no control character; non-text unchanged."""
    if not isinstance(value, str):
        return value
    value = without_control(value)
    if value.startswith(_FORMULA_START):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in row]


def append_rows(sheet: Worksheet, rows: Iterable[Iterable[Any]]) -> None:
    """Add rows to a worksheet through the safe-cell rule."""
    for row in rows:
        sheet.append(safe_row(row))


def table_sheet(
    workbook: Workbook,
    title: str,
    headings: list[str],
    rows: Iterable[Iterable[Any]],
    note: str | None = None,
    first: bool = False,
) -> Worksheet:
    """A sheet holding one table: bold headings, the rows through the safe-cell rule, and a note
    under them after a blank row. `first` uses the workbook's first sheet instead of a new one."""
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title
    sheet.append(headings)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    append_rows(sheet, rows)
    if note:
        sheet.append([])
        append_rows(sheet, [[note]])
    return sheet


def _attachment(body: str | bytes, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def csv_response(rows: Iterable[Iterable[Any]], filename: str) -> Response:
    """A CSV download; UTF-8 with a byte order mark, so Excel reads "D–M" and names correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(safe_row(row))
    return _attachment("\ufeff" + buffer.getvalue(), CSV_MIMETYPE, filename)


def xlsx_response(workbook: Workbook, filename: str) -> Response:
    """An XLSX download of a workbook whose rows went in through `append_rows`."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _attachment(buffer.getvalue(), XLSX_MIMETYPE, filename)
