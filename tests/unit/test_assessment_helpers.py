"""Pure helpers of the assessment pages: rating codes, the room's summary, safe spreadsheet cells, trend data."""

from datetime import date, datetime
from types import SimpleNamespace

import pytest

from maturity.assessments.export import summary_rows
from maturity.assessments.overview import (
    ElementView,
    StrandView,
    is_choosable,
    room_summary,
)
from maturity.assessments.trend import Trend, TrendCycle, TrendPoint
from maturity.core.scoring import NextStage, Rating, StageEvidence, parse_rating, strand_flags
from maturity.exports import safe_cell

EARLY_EVIDENCE = StageEvidence(stage=1, achieved=1, cap=None, next_stage=NextStage(2, 1, 3))


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("developing", Rating(2, 2)),
        ("developing-maturing", Rating(2, 3)),
        ("early-mature", Rating(1, 4)),
        ("", None),
        (None, None),
        ("brilliant", None),
        ("maturing-developing", None),
    ],
)
def test_parse_rating(code, expected):
    assert parse_rating(code) == expected


@pytest.mark.parametrize(
    ("code", "ok"),
    [("early", True), ("early-developing", True), ("maturing-mature", True), ("mature", True),
     ("early-maturing", False), ("early-mature", False), ("x", False), (None, False)],
)
def test_only_stages_and_neighbouring_pairs_may_be_chosen(code, ok):
    assert is_choosable(code) is ok


def test_room_summary_from_a_carried_in_result():
    summary = room_summary({"counts": {"1": 0, "2": 2, "3": 2, "4": 0}, "abstentions": 1})
    assert (summary.n, summary.abstentions, summary.median) == (4, 1, Rating(2, 3))
    assert room_summary(None) is None
    assert room_summary({"median": "developing"}) is None  # no counts: nothing to rebuild
    assert room_summary({"counts": {"9": 3}}) is None  # nonsense is ignored, not a crash
    assert room_summary({"counts": {"2": "many"}}) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+44 1234", "'+44 1234"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tTab", "'\tTab"),
        ("Plain text", "Plain text"),
        (12.5, 12.5),
        (None, None),
        (date(2017, 3, 31), date(2017, 3, 31)),
    ],
)
def test_safe_cell_never_makes_a_formula(value, expected):
    assert safe_cell(value) == expected


def test_safe_cell_drops_control_characters():
    assert safe_cell("Bell\x07 and\x00 nul\ttab\nline") == "Bell and nul\ttab\nline"
    assert safe_cell("=1+1\x01") == "'=1+1"
    assert safe_cell("\x01=1+1") == "'=1+1"  # dropping the character cannot uncover a formula


def _view(name, self_code=None, agreed_code=None, elements=(), rationale=None, titles=()):
    strand = SimpleNamespace(name=name, elements=[e.element for e in elements])
    row = SimpleNamespace(self_rationale=rationale, agreed_rationale=None)
    self_rating, agreed = parse_rating(self_code), parse_rating(agreed_code)
    return StrandView(
        strand=strand, rating_row=row, self_rating=self_rating, agreed_rating=agreed,
        evidence=EARLY_EVIDENCE, room_result=None, room=None, counts={"qualitative": 0, "quantitative": 0, "total": 0},
        flags=strand_flags(self_rating=self_rating, agreed_rating=agreed, evidenced=1),
        elements=list(elements), supported=0, feature_count=10, accepted_titles=list(titles),
    )


def _element(name, code, rationale=None):
    return ElementView(
        element=SimpleNamespace(name=name, key=name.lower()),
        rating_row=SimpleNamespace(self_rationale=rationale),
        self_rating=parse_rating(code), evidence=EARLY_EVIDENCE, supported=0, feature_count=4,
    )


def test_summary_rows_like_hampshires_table():
    views = [
        _view("Leadership", "developing", rationale="Strong board", titles=["Terms of reference"]),
        _view("Strategy", "developing", "maturing", rationale="Self view"),
        _view("Delivery", "developing-maturing", elements=[_element("Structures", "developing", "Sharing hard"), _element("Processes", "maturing")]),
        _view("Workforce", "developing-maturing", elements=[_element("Training", "developing-maturing"), _element("Objectives", "developing-maturing")]),
        _view("Culture"),
    ]
    rows = list(summary_rows(views))
    assert rows[0][:5] == ["Leadership", "", "D", "Developing", "Self rating"]
    assert rows[0][5] == "Early \u00b7 developing 1 of 3 achievements evidenced"
    assert rows[0][6] == "Strong board\nAccepted evidence: Terms of reference"
    assert rows[0][7] == "Claim above evidence"
    assert rows[1][2:5] == ["M", "Maturing", "Agreed"]
    assert [r[1] for r in rows if r[0] == "Delivery"] == ["", "Structures", "Processes"]
    assert [r[2] for r in rows if r[0] == "Delivery"] == ["D\u2013M", "D", "M"]
    # Workforce's elements all carry the same rating, so they add no rows.
    assert [r[1] for r in rows if r[0] == "Workforce"] == [""]
    assert rows[-1][2:5] == ["", "Not rated yet", ""]


def test_agreed_rating_supersedes_the_self_rating_in_the_view():
    view = _view("Strategy", "developing", "maturing")
    assert view.current_rating == Rating(3, 3)
    assert view.status == "rated"
    assert _view("Culture").status == "not_started"
    assert _view("Delivery", elements=[_element("Structures", "developing")]).status == "in_progress"


def test_trend_chart_data_has_one_line_per_strand_and_gaps_for_missing_ratings():
    first = TrendCycle(SimpleNamespace(period_label="2016 to 2017", title="A", created_at=datetime(2016, 5, 1)))
    first.points = {"culture": TrendPoint(Rating(2, 3), "agreed"), "strategy": TrendPoint(None)}
    second = TrendCycle(SimpleNamespace(period_label="", title="Second cycle", created_at=datetime(2017, 5, 1)))
    second.points = {"culture": TrendPoint(Rating(3, 3), "self")}
    data = Trend(strands=[("strategy", "Strategy"), ("culture", "Culture")], cycles=[first, second]).chart_data()
    assert data["labels"] == ["2016 to 2017", "Second cycle"]
    assert data["datasets"] == [
        {"label": "Strategy", "data": [None, None]},
        {"label": "Culture", "data": [2.5, 3.0]},
    ]
    assert data["stages"]["4"] == "Mature"
