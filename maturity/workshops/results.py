"""A workshop's results per round, for the results page, the exports and the API.

A round's figures are shown once the facilitator revealed it or the workshop has ended, so a
partner with read access cannot peek at a result the room has not seen yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from maturity.core.scoring import (
    Flag,
    GroupSummary,
    Rating,
    VoteSummary,
    one_voice,
    strand_flags,
    summarise_by_group,
)
from maturity.extensions import db
from maturity.models import Round, Workshop
from maturity.workshops import queries
from maturity.workshops.state import parse_rating, rating_json, summary_json


@dataclass
class RoundReport:
    round: Round
    available: bool
    tally: queries.Tally
    summary: VoteSummary | None = None
    groups: list[GroupSummary] = field(default_factory=list)
    one_voice: VoteSummary | None = None
    self_rating: Rating | None = None
    flags: list[Flag] = field(default_factory=list)

    @property
    def has_votes(self) -> bool:
        return self.tally.total > 0


def results_available(workshop: Workshop, round_: Round) -> bool:
    return workshop.status == "closed" or round_.revealed


def build_reports(workshop: Workshop, rounds: list[Round] | None = None) -> list[RoundReport]:
    """Reports for the given rounds (all by default), with a fixed number of queries."""
    rounds = list(workshop.rounds if rounds is None else rounds)
    ids = [r.id for r in rounds]
    tallies = queries.tallies(db.session, ids)
    shown = [r for r in rounds if results_available(workshop, r)]
    pairs = queries.group_votes(db.session, [r.id for r in shown])
    ratings = queries.self_ratings(db.session, workshop.assessment_id)
    reports = []
    for round_ in rounds:
        report = RoundReport(round=round_, available=round_ in shown, tally=tallies[round_.id])
        if report.available:
            report.summary = report.tally.summary()
            votes = pairs[round_.id]
            report.groups = summarise_by_group(votes)
            phone_votes = [(group, vote) for group, vote in votes if group != queries.MANUAL_GROUP]
            report.one_voice = one_voice(phone_votes) if phone_votes else None
            report.self_rating = parse_rating(queries.self_rating_code(round_, ratings))
            report.flags = strand_flags(
                self_rating=report.self_rating, room=report.summary, groups=report.groups
            )
        reports.append(report)
    return reports


def group_json(group: GroupSummary) -> dict[str, Any]:
    return {
        "group": group.group,
        "suppressed": group.suppressed,
        "reason": group.reason,
        "summary": summary_json(group.summary) if group.summary is not None else None,
    }


def report_json(report: RoundReport) -> dict[str, Any]:
    """One round for the API: figures only when available, as on the results page."""
    round_ = report.round
    data: dict[str, Any] = {
        "id": round_.id,
        "position": round_.position,
        "strand": {"key": round_.strand.key, "name": round_.strand.name},
        "element": (
            {"key": round_.element.key, "name": round_.element.name}
            if round_.element is not None
            else None
        ),
        "state": round_.state,
        "revealed": round_.revealed,
        "results_available": report.available,
        "votes": report.tally.total,
        "manual_votes": report.tally.manual_total,
        "summary": None,
        "by_organisation_type": [],
        "one_voice": None,
        "self_rating": None,
        "flags": [],
    }
    if report.available and report.summary is not None:
        data.update(
            summary=summary_json(report.summary),
            by_organisation_type=[group_json(g) for g in report.groups],
            one_voice=summary_json(report.one_voice) if report.one_voice is not None else None,
            self_rating=rating_json(report.self_rating),
            flags=[{"code": f.code, "label": f.label, "detail": f.detail} for f in report.flags],
        )
    return data
