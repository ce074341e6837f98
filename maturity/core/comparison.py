"""Side-by-side comparison of two assessments (DESIGN.md section 5).

Pure: plain dataclasses in, plain values out, no Flask or database imports. The views gather
each assessment's figures per strand (self, room, evidenced, agreed and peer ratings, evidence
counts), `compare` lines the two up strand by strand and marks where they differ, and the
helpers at the end turn a comparison into rows for export and data for the charts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from maturity.core.scoring import (
    STAGES,
    Flag,
    NextStage,
    Rating,
    strand_flags,
    summarise_counts,
)

#: The ratings compared per strand, in the order they are shown.
MEASURES: tuple[str, ...] = ("self", "room", "evidenced", "agreed", "peer")
MEASURE_LABELS: dict[str, str] = {
    "self": "Self rating",
    "room": "Room (workshop median)",
    "evidenced": "Evidenced stage",
    "agreed": "Agreed rating",
    "peer": "Peer rating",
}
#: A gap of this many stages or more between the two assessments is marked.
MARK_GAP = 1.0


@dataclass(frozen=True)
class RoomResult:
    """A workshop round's result as carried into the assessment."""

    n: int
    counts: dict[int, int]
    mean: float | None = None
    median: Rating | None = None
    consensus: float | None = None
    #: the median of each partner type the round published (groups of 3 or more), by name
    groups: tuple[tuple[str, Rating], ...] = ()


@dataclass(frozen=True)
class StrandFigures:
    """One strand of one assessment: every rating that exists and the evidence behind it."""

    key: str
    name: str
    self_rating: Rating | None = None
    room: RoomResult | None = None
    evidenced: int | None = None
    agreed: Rating | None = None
    peer: Rating | None = None
    qualitative: int = 0
    quantitative: int = 0
    #: progress toward the stage above the evidenced one
    next_stage: NextStage | None = None

    @property
    def current(self) -> Rating | None:
        """The rating that stands: the agreed one once it exists, else the self rating."""
        return self.agreed if self.agreed is not None else self.self_rating

    @property
    def evidence_total(self) -> int:
        return self.qualitative + self.quantitative

    @property
    def one_kind_only(self) -> bool:
        """Evidence exists but all of one kind (the toolkit asks for a mix)."""
        return self.evidence_total > 0 and (self.qualitative == 0 or self.quantitative == 0)

    @property
    def flags(self) -> list[Flag]:
        return figures_flags(self)

    def rating(self, measure: str) -> Rating | None:
        """The rating for one of MEASURES, as a Rating (the evidenced stage becomes one)."""
        if measure == "self":
            return self.self_rating
        if measure == "room":
            return self.room.median if self.room is not None else None
        if measure == "evidenced":
            return Rating.single(self.evidenced) if self.evidenced is not None else None
        if measure == "agreed":
            return self.agreed
        if measure == "peer":
            return self.peer
        raise ValueError(f"unknown measure {measure!r}; expected one of {', '.join(MEASURES)}")


def figures_flags(figures: StrandFigures) -> list[Flag]:
    """The flags of one strand's figures: the one place every page, export and the API get
    them from (DESIGN.md section 3), so a rating carries the same flags wherever it shows."""
    room = figures.room
    return strand_flags(
        self_rating=figures.self_rating,
        agreed_rating=figures.agreed,
        evidenced=figures.evidenced,
        room=summarise_counts(room.counts) if room is not None else None,
        group_medians=room.groups if room is not None else (),
        peer_rating=figures.peer,
        qualitative=figures.qualitative,
        quantitative=figures.quantitative,
        toward_next=figures.next_stage.evidenced if figures.next_stage is not None else 0,
    )


@dataclass(frozen=True)
class AssessmentFigures:
    """One assessment as the comparison sees it."""

    id: int
    area: str
    title: str
    period: str
    strands: tuple[StrandFigures, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.area}: {self.title} ({self.period})"

    def strand(self, key: str) -> StrandFigures | None:
        return next((s for s in self.strands if s.key == key), None)


@dataclass(frozen=True)
class Difference:
    """One measure of one strand in both assessments; gap is B minus A in stages."""

    measure: str
    a: Rating | None
    b: Rating | None

    @property
    def label(self) -> str:
        return MEASURE_LABELS[self.measure]

    @property
    def gap(self) -> float | None:
        if self.a is None or self.b is None:
            return None
        return self.b.midpoint - self.a.midpoint

    @property
    def marked(self) -> bool:
        """True when the two differ by a stage or more."""
        gap = self.gap
        return gap is not None and abs(gap) >= MARK_GAP

    @property
    def higher(self) -> str | None:
        """"a" or "b", whichever is rated higher; None when equal or either is missing."""
        gap = self.gap
        if not gap:
            return None
        return "b" if gap > 0 else "a"


@dataclass(frozen=True)
class StrandComparison:
    key: str
    name: str
    a: StrandFigures | None
    b: StrandFigures | None
    differences: tuple[Difference, ...] = field(default_factory=tuple)

    def difference(self, measure: str) -> Difference:
        return next(d for d in self.differences if d.measure == measure)

    @property
    def current(self) -> Difference:
        """The standing ratings (agreed, else self) side by side."""
        return _difference(
            "agreed",
            self.a.current if self.a is not None else None,
            self.b.current if self.b is not None else None,
        )

    @property
    def marked(self) -> tuple[Difference, ...]:
        return tuple(d for d in self.differences if d.marked)


@dataclass(frozen=True)
class Comparison:
    a: AssessmentFigures
    b: AssessmentFigures
    rows: tuple[StrandComparison, ...]

    @property
    def marked_count(self) -> int:
        """How many (strand, measure) pairs differ by a stage or more."""
        return sum(len(row.marked) for row in self.rows)

    def ahead(self) -> dict[str, list[str]]:
        """Strand names where A stands higher, where B does, and where they stand level."""
        result: dict[str, list[str]] = {"a": [], "b": [], "level": [], "unrated": []}
        for row in self.rows:
            current = row.current
            if current.gap is None:
                result["unrated"].append(row.name)
            else:
                result[current.higher or "level"].append(row.name)
        return result


def _difference(measure: str, a: Rating | None, b: Rating | None) -> Difference:
    return Difference(measure=measure, a=a, b=b)


def compare(a: AssessmentFigures, b: AssessmentFigures) -> Comparison:
    """Line two assessments up strand by strand (A's order, then strands only B has)."""
    keys = [s.key for s in a.strands]
    keys += [s.key for s in b.strands if s.key not in keys]
    rows = []
    for key in keys:
        sa, sb = a.strand(key), b.strand(key)
        name = (sa or sb).name  # type: ignore[union-attr]  # one of them has the key
        differences = tuple(
            _difference(
                measure,
                sa.rating(measure) if sa is not None else None,
                sb.rating(measure) if sb is not None else None,
            )
            for measure in MEASURES
        )
        rows.append(StrandComparison(key=key, name=name, a=sa, b=sb, differences=differences))
    return Comparison(a=a, b=b, rows=tuple(rows))


# --------------------------------------------------------------------------------------------
# Reading a carried-in room result
# --------------------------------------------------------------------------------------------


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def room_from_json(data: Mapping[str, Any] | None) -> RoomResult | None:
    """Read the room result a workshop carried into a strand rating; None if absent or unreadable.

    The stored shape is {"n", "counts": {"1".."4": count}, "mean", "median": rating code,
    "consensus"}; anything malformed is treated as no result rather than an error, so one bad
    row never breaks a comparison page.
    """
    if not isinstance(data, Mapping):
        return None
    raw_counts = data.get("counts")
    counts = dict.fromkeys(STAGES, 0)
    if isinstance(raw_counts, Mapping):
        for stage in STAGES:
            value = raw_counts.get(str(stage), raw_counts.get(stage, 0))
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                counts[stage] = value
    n = data.get("n")
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        n = sum(counts.values())
    median = None
    if isinstance(data.get("median"), str):
        try:
            median = Rating.parse(data["median"])
        except ValueError:
            median = None
    return RoomResult(
        n=n,
        counts=counts,
        mean=_number(data.get("mean")),
        median=median,
        consensus=_number(data.get("consensus")),
        groups=_group_medians(data.get("groups")),
    )


def _group_medians(raw: Any) -> tuple[tuple[str, Rating], ...]:
    """The published partner-type medians of a carried result; unreadable entries are skipped."""
    if not isinstance(raw, list):
        return ()
    found = []
    for entry in raw:
        if not isinstance(entry, Mapping):
            continue
        group, code = entry.get("group"), entry.get("median")
        if isinstance(group, str) and isinstance(code, str):
            try:
                found.append((group, Rating.parse(code)))
            except ValueError:
                continue
    return tuple(found)


# --------------------------------------------------------------------------------------------
# Export rows and chart data
# --------------------------------------------------------------------------------------------


def _text(rating: Rating | None) -> str:
    return rating.label if rating is not None else ""


def _votes_text(figures: StrandFigures | None) -> str:
    if figures is None or figures.room is None:
        return ""
    return " / ".join(str(figures.room.counts[stage]) for stage in STAGES)


def _gap_value(gap: float | None) -> int | float | str:
    """The gap as a number a spreadsheet can sort (1 rather than 1.0), or "" when there is none."""
    if gap is None:
        return ""
    return int(gap) if float(gap).is_integer() else gap


EXPORT_HEADER = (
    "Strand",
    "Measure",
    "A",
    "B",
    "Difference (B minus A, stages)",
    "Differs by a stage or more",
)


def export_rows(comparison: Comparison) -> list[list[Any]]:
    """A flat table of the comparison for CSV and XLSX: one row per strand and measure."""
    rows: list[list[Any]] = [
        ["A", comparison.a.label, "", "", "", ""],
        ["B", comparison.b.label, "", "", "", ""],
        list(EXPORT_HEADER),
    ]
    for row in comparison.rows:
        for difference in row.differences:
            rows.append(
                [
                    row.name,
                    difference.label,
                    _text(difference.a),
                    _text(difference.b),
                    _gap_value(difference.gap),
                    "yes" if difference.marked else "",
                ]
            )
        votes = [_votes_text(row.a), _votes_text(row.b)]
        if any(votes):
            rows.append(
                [row.name, "Votes in the room (early / developing / maturing / mature)", *votes, "", ""]
            )
        for kind in ("qualitative", "quantitative"):
            a_count = getattr(row.a, kind) if row.a is not None else 0
            b_count = getattr(row.b, kind) if row.b is not None else 0
            rows.append(
                [row.name, f"Evidence items, {kind}", a_count, b_count, b_count - a_count, ""]
            )
        rows.append([row.name, "Flags", _flags_text(row.a), _flags_text(row.b), "", ""])
    return rows


def _flags_text(figures: StrandFigures | None) -> str:
    return "; ".join(flag.label for flag in figures.flags) if figures is not None else ""


def radar_data(comparison: Comparison) -> dict[str, Any]:
    """Standing rating (agreed, else self) per strand for both assessments, on the 1-4 scale."""
    return {
        "labels": [row.name for row in comparison.rows],
        "datasets": [
            {
                "label": f"{comparison.a.area} ({comparison.a.period})",
                "data": [
                    row.current.a.midpoint if row.current.a is not None else None
                    for row in comparison.rows
                ],
            },
            {
                "label": f"{comparison.b.area} ({comparison.b.period})",
                "data": [
                    row.current.b.midpoint if row.current.b is not None else None
                    for row in comparison.rows
                ],
            },
        ],
    }


def evidence_chart_data(comparison: Comparison) -> dict[str, Any]:
    """Evidence items per strand by kind, stacked per assessment."""
    datasets = []
    for side, figures in (("a", comparison.a), ("b", comparison.b)):
        for kind in ("qualitative", "quantitative"):
            datasets.append(
                {
                    "label": f"{figures.area} ({figures.period}), {kind}",
                    "stack": side,
                    "data": [
                        getattr(getattr(row, side), kind) if getattr(row, side) is not None else 0
                        for row in comparison.rows
                    ],
                }
            )
    return {"labels": [row.name for row in comparison.rows], "datasets": datasets}


# --------------------------------------------------------------------------------------------
# Benchmark: how many areas sit at each stage of a strand
# --------------------------------------------------------------------------------------------

#: A distribution drawn from fewer other areas than this is not shown to an area, so that no
#: other area's rating can be picked out (the same threshold as vote breakdowns).
BENCHMARK_MINIMUM = 3


@dataclass(frozen=True)
class StageDistribution:
    """Areas per stage for one strand. A between-stages rating counts at its lower stage.

    Counting "Developing–Maturing" as developing matches the toolkit's rule that a stage is
    claimed only when all of it can be evidenced; `between` says how many ratings were rounded
    down that way so the table can show it.
    """

    counts: dict[int, int]
    between: int
    unrated: int

    @property
    def rated(self) -> int:
        return sum(self.counts.values())

    @property
    def median(self) -> Rating | None:
        """The middle area's stage (between two stages when the middle two differ)."""
        return summarise_counts(self.counts).median


def stage_distribution(ratings: Iterable[Rating | None]) -> StageDistribution:
    """Count ratings per stage (lower stage for a between rating); None is "not rated"."""
    counts = dict.fromkeys(STAGES, 0)
    between = unrated = 0
    for rating in ratings:
        if rating is None:
            unrated += 1
            continue
        counts[rating.low] += 1
        between += rating.is_between
    return StageDistribution(counts=counts, between=between, unrated=unrated)


@dataclass(frozen=True)
class Standing:
    """Where one area sits in a strand against the other areas (anonymised: counts only)."""

    own: Rating | None
    distribution: StageDistribution | None  # every rated area including this one; None = hidden
    others_rated: int
    higher: int | None
    same: int | None
    lower: int | None

    @property
    def suppressed(self) -> bool:
        return self.distribution is None


def standing(own: Rating | None, others: Iterable[Rating | None]) -> Standing:
    """Place an area's rating against the others; hidden when fewer than 3 others are rated."""
    others = [rating for rating in others if rating is not None]
    if len(others) < BENCHMARK_MINIMUM:
        return Standing(own, None, len(others), None, None, None)
    distribution = stage_distribution([*others, own] if own is not None else others)
    if own is None:
        return Standing(own, distribution, len(others), None, None, None)
    return Standing(
        own=own,
        distribution=distribution,
        others_rated=len(others),
        higher=sum(1 for r in others if r.low > own.low),
        same=sum(1 for r in others if r.low == own.low),
        lower=sum(1 for r in others if r.low < own.low),
    )
