"""CSV and XLSX exports of a workshop's results (the same figures as the results page)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font

from maturity.core.anonymity import SUPPRESSED_FEWER
from maturity.core.scoring import STAGES, Rating
from maturity.exports import append_rows, csv_response, table_sheet, xlsx_response
from maturity.models import Workshop
from maturity.templating import format_date
from maturity.workshops.results import RoundReport

ROUND_HEADERS = [
    "Round",
    "Strand",
    "Element",
    "Voting",
    "Revealed",
    "Votes (stages)",
    "Don't know",
    "Counted by hand",
    *STAGES.values(),
    "Mean",
    "Median",
    "Consensus",
    "Self rating",
    "Flags",
    "Votes again on round",
    "How discussion moved the room",
]
GROUP_HEADERS = [
    "Round",
    "Strand or element",
    "Organisation type",
    "Votes (stages)",
    "Don't know",
    *STAGES.values(),
    "Median",
    "Consensus",
]


def median_label(code: str | None) -> str:
    if not code:
        return "no median"
    try:
        return Rating.parse(code).label
    except ValueError:
        return code


def filename(workshop: Workshop, extension: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", workshop.title.lower()).strip("-")[:60] or "workshop"
    return f"workshop-{workshop.id}-{slug}-results.{extension}"


def round_rows(reports: Iterable[RoundReport]) -> list[list[Any]]:
    rows = []
    for report in reports:
        round_ = report.round
        row: list[Any] = [
            round_.position,
            round_.strand.name,
            round_.element.name if round_.element is not None else "",
            round_.state_label,
            "yes" if round_.revealed else "no",
        ]
        summary = report.summary
        if report.available and summary is not None:
            row += [summary.n, summary.abstentions, report.tally.manual_total]
            row += [summary.counts[stage] for stage in STAGES]
            row += [
                round(summary.mean, 2) if summary.mean is not None else "",
                summary.median.label if summary.median is not None else "",
                round(summary.consensus, 2) if summary.consensus is not None else "",
                report.self_rating.label if report.self_rating is not None else "",
                "; ".join(flag.label for flag in report.flags),
            ]
        elif report.withheld:
            row += [f"{SUPPRESSED_FEWER} votes, not shown", "", report.tally.manual_total]
            row += [""] * (len(ROUND_HEADERS) - len(row) - 2)
        else:
            row += ["not shown yet"] + [""] * (len(ROUND_HEADERS) - len(row) - 3)
        row += [
            round_.revote_of.position if round_.revote_of is not None else "",
            report.shift.words() if report.shift is not None else "",
        ]
        rows.append(row)
    return rows


def group_rows(reports: Iterable[RoundReport]) -> list[list[Any]]:
    rows = []
    for report in reports:
        if not report.available:
            continue
        for group in report.groups:
            row: list[Any] = [report.round.position, report.round.title, group.group]
            if group.suppressed or group.summary is None:
                reason = SUPPRESSED_FEWER if group.reason == SUPPRESSED_FEWER else "hidden"
                row += [reason] + [""] * (len(GROUP_HEADERS) - 4)
            else:
                s = group.summary
                row += [s.n, s.abstentions, *(s.counts[stage] for stage in STAGES)]
                row += [
                    s.median.label if s.median is not None else "",
                    round(s.consensus, 2) if s.consensus is not None else "",
                ]
            rows.append(row)
    return rows


SHIFT_HEADERS = [
    "Strand",
    "First round",
    "Vote again in round",
    *(f"{name}, first vote" for name in STAGES.values()),
    "Don't know, first vote",
    *(f"{name}, after discussion" for name in STAGES.values()),
    "Don't know, after discussion",
    "Median, first vote",
    "Median, after discussion",
    "Consensus, first vote",
    "Consensus, after discussion",
    "How discussion moved the room",
]


def _shift_side(summary) -> tuple[list[Any], list[Any]]:
    """(counts and don't know, [median, consensus]) of one side of a shift; blank when withheld."""
    if summary is None:
        return [""] * 5, ["", ""]
    return (
        [*(summary.counts[stage] for stage in STAGES), summary.abstentions],
        [
            summary.median.label if summary.median is not None else "",
            round(summary.consensus, 2) if summary.consensus is not None else "",
        ],
    )


def shift_rows(reports: Iterable[RoundReport]) -> list[list[Any]]:
    rows = []
    for report in reports:
        before_counts, before_figures = _shift_side(report.shift.before)
        after_counts, after_figures = _shift_side(report.shift.after)
        rows.append(
            [
                report.round.strand.name,
                report.first.position,
                report.round.position,
                *before_counts,
                *after_counts,
                before_figures[0],
                after_figures[0],
                before_figures[1],
                after_figures[1],
                report.shift.words(),
            ]
        )
    return rows


def results_csv(workshop: Workshop, reports: list[RoundReport]) -> Response:
    """One row per round; the breakdown by organisation type is in the XLSX file."""
    return csv_response([ROUND_HEADERS, *round_rows(reports)], filename(workshop, "csv"))


def results_xlsx(workshop: Workshop, reports: list[RoundReport]) -> Response:
    book = Workbook()
    sheet = book.active
    sheet.title = "Rounds"
    append_rows(sheet, [[workshop.title]])
    sheet["A1"].font = Font(bold=True, size=14)
    held = format_date(workshop.held_on) if workshop.held_on else "date not recorded"
    append_rows(sheet, [[f"{workshop.assessment.area.name}, {held}"]])
    sheet.append([])
    sheet.append(ROUND_HEADERS)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    append_rows(sheet, round_rows(reports))

    table_sheet(
        book, "By organisation type", GROUP_HEADERS, group_rows(reports),
        note=f"Groups of {SUPPRESSED_FEWER} voters are hidden, and larger ones with them when needed, "
        "so that nobody's vote can be worked out (docs/anonymity.md).",
    )
    shifts = [r for r in reports if r.shift is not None and r.first is not None]
    if shifts:
        table_sheet(
            book, "After discussion", SHIFT_HEADERS, shift_rows(shifts),
            note="Each vote is published on its own; the vote again hides every organisation type "
            "the first vote hid, so the two cannot be compared to work out a small group's votes.",
        )
    table_sheet(book, "Counted by hand", ["Round", "Strand or element", "Stage", "Votes", "Note"], manual_rows(reports))
    return xlsx_response(book, filename(workshop, "xlsx"))


def manual_rows(reports: list[RoundReport]) -> Iterator[list]:
    """The hand counts of the rounds whose hand counts may be shown (they are a group too:
    hidden ones stay hidden)."""
    for report in reports:
        if not report.manual_shown:
            continue
        for tally in report.round.manual_tallies:
            yield [
                report.round.position,
                report.round.title,
                STAGES.get(tally.stage, "Don't know") if tally.stage else "Don't know",
                tally.count,
                tally.note or "",
            ]
