"""A workshop's results per round, for the results page, the exports and the API.

A round's figures are shown once the facilitator revealed it after voting closed, or the
workshop has ended, so a partner with read access cannot peek at a result the room has not
seen yet. Which figures are shown is decided by the anonymity rule (docs/anonymity.md), once,
in `publish_round`: every channel reads the report built here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from maturity.core.anonymity import GroupSummary, PublishedRound
from maturity.core.revotes import Shift, survey_words
from maturity.core.scoring import Flag, Rating, VoteSummary, strand_flags
from maturity.extensions import db
from maturity.models import Round, Workshop
from maturity.workshops import queries
from maturity.workshops.state import parse_rating, rating_json, shows_result, summary_json


@dataclass
class RoundReport:
    round: Round
    available: bool
    tally: queries.Tally
    #: What the anonymity rule lets this round publish; None until results are available.
    published: PublishedRound | None = None
    self_rating: Rating | None = None
    flags: list[Flag] = field(default_factory=list)
    #: A revote whose first round's result is available too: how discussion moved the room.
    shift: Shift | None = None
    #: The strand's first round, for a revote.
    first: Round | None = None
    #: Beside a shift: the partners' survey result carried into the assessment for the strand.
    survey: dict | None = None

    @property
    def has_votes(self) -> bool:
        return self.tally.total > 0

    @property
    def summary(self) -> VoteSummary | None:
        """The room's summary; None when not available or fewer than 3 answered."""
        return self.published.room if self.published is not None else None

    @property
    def groups(self) -> list[GroupSummary]:
        return list(self.published.groups) if self.published is not None else []

    @property
    def one_voice(self) -> VoteSummary | None:
        return self.published.one_voice if self.published is not None else None

    @property
    def manual_shown(self) -> bool:
        """Whether the hand counts per stage may be shown (their group is not hidden)."""
        return self.published is not None and self.published.shown(queries.MANUAL_GROUP)

    @property
    def withheld(self) -> bool:
        """Available, with answers, but too few to show anything but the count."""
        return self.available and self.has_votes and self.summary is None


def results_available(workshop: Workshop, round_: Round) -> bool:
    return workshop.status == "closed" or shows_result(round_)


def build_reports(workshop: Workshop, rounds: list[Round] | None = None) -> list[RoundReport]:
    """Reports for the given rounds (all by default), with a fixed number of queries."""
    rounds = list(workshop.rounds if rounds is None else rounds)
    ids = [r.id for r in rounds]
    tallies = queries.tallies(db.session, ids)
    shown = [r for r in rounds if results_available(workshop, r)]
    published = queries.published_rounds(db.session, shown)
    ratings = queries.self_ratings(db.session, workshop.assessment_id)
    surveys: dict[int, dict] | None = None  # read once, and only when a shift is shown
    reports = []
    for round_ in rounds:
        report = RoundReport(round=round_, available=round_ in shown, tally=tallies[round_.id])
        if report.available:
            report.published = published[round_.id]
            report.self_rating = parse_rating(queries.self_rating_code(round_, ratings))
            report.flags = strand_flags(
                self_rating=report.self_rating, room=report.summary, groups=report.groups
            )
            if round_.is_revote:
                report.first = round_.first_vote
                if results_available(workshop, report.first):
                    report.shift = Shift(
                        published[report.first.id].room, report.summary, held_back=report.published.withheld
                    )
                    surveys = surveys if surveys is not None else queries.carried_surveys(db.session, workshop.assessment_id)
                    report.survey = surveys.get(round_.strand_id)
        reports.append(report)
    return reports


def group_json(group: GroupSummary) -> dict[str, Any]:
    return {
        "group": group.group,
        "suppressed": group.suppressed,
        "reason": group.reason,
        "summary": summary_json(group.summary) if group.summary is not None else None,
    }


def shift_json(report: RoundReport) -> dict[str, Any] | None:
    """A revote's shift from its strand's first vote, from the two published room summaries."""
    shift = report.shift
    if shift is None or report.first is None:
        return None
    return {
        "first_round": {"id": report.first.id, "position": report.first.position},
        "before": summary_json(shift.before) if shift.before is not None else None,
        "after": summary_json(shift.after) if shift.after is not None else None,
        "moved": shift.moved,
        "words": shift.words(),
        "survey": survey_words(report.survey),
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
        "revote_of": (
            {"id": round_.revote_of.id, "position": round_.revote_of.position}
            if round_.revote_of is not None
            else None
        ),
        "shift": shift_json(report),
    }
    if report.available:
        data.update(
            summary=summary_json(report.summary) if report.summary is not None else None,
            by_organisation_type=[group_json(g) for g in report.groups],
            one_voice=summary_json(report.one_voice) if report.one_voice is not None else None,
            self_rating=rating_json(report.self_rating),
            flags=[{"code": f.code, "label": f.label, "detail": f.detail} for f in report.flags],
        )
    return data
