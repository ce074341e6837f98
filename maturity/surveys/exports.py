"""A finished survey's published results as CSV and XLSX: the same figures as its page, by the
workshops' anonymity rule, and the reasons as a sorted list with nothing that says whose."""

from collections.abc import Iterator
from typing import Any

from openpyxl import Workbook

from maturity import exports
from maturity.core.anonymity import PublishedRound
from maturity.core.scoring import STAGES, agreement
from maturity.core.surveys import QUESTIONS
from maturity.models import Survey
from maturity.surveys.queries import StrandResult

HEADINGS = ["Strand", "Question", "Group", "Answered", *STAGES.values(), "Don\u2019t know",
            "Median", "Mean", "Consensus", "Agreement", "Shown"]
NOTE = ("Groups of fewer than 3 people are hidden, and larger ones with them where needed, so that "
        "nobody\u2019s answers can be worked out. Reasons are in alphabetical order and say nothing of whose they are.")


def _figures(summary) -> list[Any]:
    if summary is None:
        return ["", "", "", "", "", "", "", "", ""]
    return [
        *(summary.counts[stage] for stage in STAGES),
        summary.abstentions,
        summary.median.label if summary.median else "",
        round(summary.mean, 2) if summary.mean is not None else "",
        round(summary.consensus, 2) if summary.consensus is not None else "",
        agreement(summary.consensus) or "",
    ]


def _published_rows(strand: str, question: str, published: PublishedRound) -> Iterator[list[Any]]:
    shown = published.room is not None
    yield [strand, question, "Everyone", published.total, *_figures(published.room),
           "Yes" if shown else "Only the count: too few to show"]
    if not shown:
        return
    for group in published.groups:
        yield [strand, question, group.group, "", *_figures(group.summary),
               "Hidden" if group.suppressed else "Yes"]


def result_rows(results: list[StrandResult]) -> Iterator[list[Any]]:
    for result in results:
        name = result.strand.name
        if result.by_elements:
            yield from _published_rows(name, "Whole strand: each person once", result.ratings)
        for item in result.items:
            yield from _published_rows(name, item.item.name, item.published.ratings)


def reason_rows(results: list[StrandResult]) -> Iterator[list[Any]]:
    for result in results:
        for item in result.items:
            for reason in item.published.reasons:
                yield [result.strand.name, item.item.name, reason]


def _filename(survey: Survey, suffix: str) -> str:
    return f"survey-{survey.id}-results.{suffix}"


def csv_response(survey: Survey, results: list[StrandResult]):
    rows = [HEADINGS, *result_rows(results), [], ["Strand", "Question", "Reason"], *reason_rows(results)]
    return exports.csv_response(rows, _filename(survey, "csv"))


def xlsx_response(survey: Survey, results: list[StrandResult]):
    workbook = Workbook()
    by = QUESTIONS[survey.breakdown][0].lower() if survey.asked else "group"
    exports.table_sheet(workbook, "Results", HEADINGS, result_rows(results), f"Groups are by {by}. {NOTE}", first=True)
    exports.table_sheet(workbook, "Reasons", ["Strand", "Question", "Reason"], reason_rows(results))
    return exports.xlsx_response(workbook, _filename(survey, "xlsx"))
