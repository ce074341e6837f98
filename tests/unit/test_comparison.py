"""Unit tests for maturity.core.comparison: two assessments side by side, and the benchmark."""

from __future__ import annotations

import pytest

from maturity.core.comparison import (
    BENCHMARK_MINIMUM,
    EXPORT_HEADER,
    MEASURES,
    AssessmentFigures,
    Difference,
    RoomResult,
    StrandFigures,
    compare,
    evidence_chart_data,
    export_rows,
    radar_data,
    room_from_json,
    stage_distribution,
    standing,
)
from maturity.core.scoring import Rating

E, ED, D, DM, M, MMa, Ma = (Rating.parse(code) for code in (
    "early", "early-developing", "developing", "developing-maturing", "maturing", "maturing-mature", "mature",
))


def figures(id_: int, area: str, *strands: StrandFigures, period: str = "2016 to 2017") -> AssessmentFigures:
    return AssessmentFigures(id=id_, area=area, title=f"{area} assessment", period=period, strands=strands)


# --------------------------------------------------------------------------------------------
# Differences
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "gap", "marked", "higher"),
    [
        (D, M, 1.0, True, "b"),
        (M, D, -1.0, True, "a"),
        (D, DM, 0.5, False, "b"),
        (DM, D, -0.5, False, "a"),
        (ED, DM, 1.0, True, "b"),
        (E, Ma, 3.0, True, "b"),
        (D, D, 0.0, False, None),
        (DM, DM, 0.0, False, None),
        (None, M, None, False, None),
        (M, None, None, False, None),
        (None, None, None, False, None),
    ],
)
def test_difference_gap_mark_and_higher(a, b, gap, marked, higher):
    difference = Difference("agreed", a, b)
    assert difference.gap == gap
    assert difference.marked is marked
    assert difference.higher == higher
    assert difference.label == "Agreed rating"


@pytest.mark.parametrize(
    ("measure", "expected"),
    [
        ("self", D),
        ("room", DM),
        ("evidenced", Rating.single(2)),
        ("agreed", M),
        ("peer", DM),
    ],
)
def test_strand_figures_rating_per_measure(measure, expected):
    strand = StrandFigures(
        key="leadership", name="Leadership", self_rating=D,
        room=RoomResult(n=4, counts={1: 0, 2: 2, 3: 2, 4: 0}, median=DM), evidenced=2,
        agreed=M, peer=DM,
    )
    assert strand.rating(measure) == expected


def test_unknown_measure_is_refused():
    with pytest.raises(ValueError, match="unknown measure"):
        StrandFigures(key="x", name="X").rating("vibes")


@pytest.mark.parametrize(
    ("self_rating", "agreed", "current"),
    [(D, M, M), (D, None, D), (None, M, M), (None, None, None)],
)
def test_current_rating_is_agreed_else_self(self_rating, agreed, current):
    assert StrandFigures(key="x", name="X", self_rating=self_rating, agreed=agreed).current == current


@pytest.mark.parametrize(
    ("qualitative", "quantitative", "total", "one_kind"),
    [(0, 0, 0, False), (3, 0, 3, True), (0, 2, 2, True), (2, 1, 3, False)],
)
def test_evidence_mix(qualitative, quantitative, total, one_kind):
    strand = StrandFigures(key="x", name="X", qualitative=qualitative, quantitative=quantitative)
    assert strand.evidence_total == total
    assert strand.one_kind_only is one_kind


# --------------------------------------------------------------------------------------------
# compare
# --------------------------------------------------------------------------------------------


def test_compare_lines_up_strands_in_a_order_then_b_extras():
    a = figures(1, "Hampshire", StrandFigures("leadership", "Leadership", agreed=D), StrandFigures("culture", "Culture", agreed=DM))
    b = figures(2, "Cheshire", StrandFigures("culture", "Culture", agreed=D), StrandFigures("strategy", "Strategy", agreed=M))
    result = compare(a, b)
    assert [row.key for row in result.rows] == ["leadership", "culture", "strategy"]
    leadership, culture, strategy = result.rows
    assert leadership.b is None and strategy.a is None
    assert [d.measure for d in culture.differences] == list(MEASURES)
    assert culture.difference("agreed").gap == -0.5
    assert leadership.difference("agreed").gap is None


def test_compare_marks_every_measure_a_stage_or_more_apart():
    a = figures(1, "A", StrandFigures("leadership", "Leadership", self_rating=D, evidenced=1, agreed=D, peer=D))
    b = figures(2, "B", StrandFigures("leadership", "Leadership", self_rating=M, evidenced=3, agreed=DM, peer=Ma))
    result = compare(a, b)
    (row,) = result.rows
    assert [d.measure for d in row.marked] == ["self", "evidenced", "peer"]
    assert result.marked_count == 3


def test_ahead_counts_strands_by_standing_rating():
    a = figures(
        1, "A",
        StrandFigures("s1", "One", agreed=M),
        StrandFigures("s2", "Two", self_rating=D),
        StrandFigures("s3", "Three", agreed=D),
        StrandFigures("s4", "Four"),
    )
    b = figures(
        2, "B",
        StrandFigures("s1", "One", agreed=D),
        StrandFigures("s2", "Two", agreed=DM),
        StrandFigures("s3", "Three", self_rating=D),
        StrandFigures("s4", "Four", agreed=M),
    )
    assert compare(a, b).ahead() == {"a": ["One"], "b": ["Two"], "level": ["Three"], "unrated": ["Four"]}


def test_same_area_two_cycles():
    a = figures(1, "Leeds", StrandFigures("culture", "Culture", agreed=D), period="2016 to 2017")
    b = figures(2, "Leeds", StrandFigures("culture", "Culture", agreed=M), period="2017 to 2018")
    result = compare(a, b)
    assert result.rows[0].current.marked
    assert result.a.label == "Leeds: Leeds assessment (2016 to 2017)"


# --------------------------------------------------------------------------------------------
# Room results carried in from a workshop
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"n": 5, "counts": {"1": 0, "2": 2, "3": 3, "4": 0}, "mean": 2.6, "median": "maturing", "consensus": 0.8},
            RoomResult(n=5, counts={1: 0, 2: 2, 3: 3, 4: 0}, mean=2.6, median=M, consensus=0.8),
        ),
        (
            {"counts": {"2": 1, "3": 1}, "median": "developing-maturing"},
            RoomResult(n=2, counts={1: 0, 2: 1, 3: 1, 4: 0}, median=DM),
        ),
        (
            {"n": 3, "counts": {"2": "lots", "3": -1, "4": True}, "median": "sideways", "mean": "x"},
            RoomResult(n=3, counts={1: 0, 2: 0, 3: 0, 4: 0}),
        ),
        ({"n": True, "counts": "nope"}, RoomResult(n=0, counts={1: 0, 2: 0, 3: 0, 4: 0})),
        (None, None),
        ("not a dict", None),
        ([1, 2], None),
    ],
)
def test_room_from_json(data, expected):
    assert room_from_json(data) == expected


# --------------------------------------------------------------------------------------------
# Export rows and chart data
# --------------------------------------------------------------------------------------------


@pytest.fixture
def pair():
    room = RoomResult(n=3, counts={1: 0, 2: 1, 3: 2, 4: 0}, median=M, consensus=0.7)
    a = figures(1, "Hampshire", StrandFigures("leadership", "Leadership", self_rating=D, agreed=None, qualitative=2))
    b = figures(
        2, "Cheshire",
        StrandFigures("leadership", "Leadership", self_rating=M, agreed=M, room=room, qualitative=1, quantitative=1),
    )
    return compare(a, b)


def test_export_rows(pair):
    rows = export_rows(pair)
    assert rows[0][:2] == ["A", "Hampshire: Hampshire assessment (2016 to 2017)"]
    assert rows[2] == list(EXPORT_HEADER)
    body = {row[1]: row for row in rows[3:]}
    assert body["Self rating"] == ["Leadership", "Self rating", "Developing", "Maturing", 1, "yes"]
    assert body["Agreed rating"] == ["Leadership", "Agreed rating", "", "Maturing", "", ""]
    votes = body["Votes in the room (early / developing / maturing / mature)"]
    assert votes[2:4] == ["", "0 / 1 / 2 / 0"]
    assert body["Evidence items, qualitative"][2:5] == [2, 1, -1]
    assert body["Evidence items, quantitative"][2:5] == [0, 1, 1]
    assert all(len(row) == len(EXPORT_HEADER) for row in rows)


def test_radar_data_uses_standing_rating_midpoints(pair):
    data = radar_data(pair)
    assert data["labels"] == ["Leadership"]
    assert [d["data"] for d in data["datasets"]] == [[2.0], [3.0]]
    assert data["datasets"][0]["label"] == "Hampshire (2016 to 2017)"


def test_radar_data_leaves_gaps_for_unrated_strands():
    a = figures(1, "A", StrandFigures("s", "S"))
    b = figures(2, "B", StrandFigures("s", "S", agreed=DM))
    assert [d["data"] for d in radar_data(compare(a, b))["datasets"]] == [[None], [2.5]]


def test_evidence_chart_stacks_kinds_per_assessment(pair):
    data = evidence_chart_data(pair)
    assert [(d["stack"], d["data"]) for d in data["datasets"]] == [
        ("a", [2]), ("a", [0]), ("b", [1]), ("b", [1]),
    ]


# --------------------------------------------------------------------------------------------
# Benchmark
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ratings", "counts", "between", "unrated", "median"),
    [
        ([], {1: 0, 2: 0, 3: 0, 4: 0}, 0, 0, None),
        ([None, None], {1: 0, 2: 0, 3: 0, 4: 0}, 0, 2, None),
        ([D, DM, M, None], {1: 0, 2: 2, 3: 1, 4: 0}, 1, 1, D),
        ([E, ED, MMa, Ma], {1: 2, 2: 0, 3: 1, 4: 1}, 2, 0, Rating(1, 3)),
        ([M, M, M], {1: 0, 2: 0, 3: 3, 4: 0}, 0, 0, M),
    ],
)
def test_stage_distribution_counts_between_ratings_at_their_lower_stage(ratings, counts, between, unrated, median):
    distribution = stage_distribution(ratings)
    assert distribution.counts == counts
    assert distribution.between == between
    assert distribution.unrated == unrated
    assert distribution.rated == sum(counts.values())
    assert distribution.median == median


@pytest.mark.parametrize(
    ("own", "others", "suppressed", "higher", "same", "lower"),
    [
        (D, [M, D], True, None, None, None),
        (D, [M, D, None, None], True, None, None, None),
        (D, [M, D, E], False, 1, 1, 1),
        (DM, [M, D, E, Ma], False, 2, 1, 1),
        (None, [M, D, E], False, None, None, None),
        (Ma, [M, D, E], False, 0, 0, 3),
    ],
)
def test_standing_against_other_areas(own, others, suppressed, higher, same, lower):
    result = standing(own, others)
    assert result.suppressed is suppressed
    assert (result.higher, result.same, result.lower) == (higher, same, lower)
    if not suppressed:
        rated_others = [r for r in others if r is not None]
        assert result.distribution.rated == len(rated_others) + (own is not None)
        assert result.others_rated == len(rated_others) >= BENCHMARK_MINIMUM
    else:
        assert result.distribution is None
