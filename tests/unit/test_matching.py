"""Unit tests for maturity.core.matching: ranking peer review partners and saying why."""

from __future__ import annotations

from datetime import date

import pytest

from maturity.core.matching import (
    AreaProfile,
    is_strong,
    is_weak,
    one_year_before,
    paired_recently,
    suggest_partners,
)
from maturity.core.scoring import Rating

E, ED, D, DM, M, MMa, Ma = (Rating.parse(code) for code in (
    "early", "early-developing", "developing", "developing-maturing", "maturing", "maturing-mature", "mature",
))
NAMES = {
    "family-experience": "Family experience",
    "leadership": "Leadership",
    "strategy": "Strategy",
    "culture": "Culture",
    "workforce-development": "Workforce",
    "delivery": "Delivery",
}
TODAY = date(2017, 6, 15)


def area(area_id: int, name: str, kind: str = "county", **ratings: Rating) -> AreaProfile:
    return AreaProfile(
        area_id=area_id, name=name, kind=kind,
        ratings={key.replace("_", "-"): rating for key, rating in ratings.items()},
    )


@pytest.mark.parametrize(
    ("rating", "weak", "strong"),
    [
        (E, True, False),
        (ED, True, False),
        (D, True, False),
        (DM, True, False),  # between developing and maturing still counts as developing
        (M, False, True),
        (MMa, False, True),
        (Ma, False, True),
        (None, False, False),
    ],
)
def test_weak_and_strong(rating, weak, strong):
    assert is_weak(rating) is weak
    assert is_strong(rating) is strong


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2017, 6, 15), date(2016, 6, 15)),
        (date(2016, 2, 29), date(2015, 2, 28)),
        (date(2017, 1, 1), date(2016, 1, 1)),
    ],
)
def test_one_year_before(today, expected):
    assert one_year_before(today) == expected


@pytest.mark.parametrize(
    ("last", "recent"),
    [
        (None, False),
        (date(2017, 6, 1), True),
        (date(2016, 6, 16), True),
        (date(2016, 6, 15), False),  # exactly twelve months ago is no longer "in the last 12 months"
        (date(2015, 1, 1), False),
    ],
)
def test_paired_recently(last, recent):
    assert paired_recently(last, TODAY) is recent


def test_strong_where_weak_with_the_reason_in_words():
    hampshire = area(1, "Hampshire", leadership=D, culture=DM, strategy=M)
    norfolk = area(2, "Norfolk", leadership=M, culture=Ma, strategy=D)
    (suggestion,) = suggest_partners(hampshire, [norfolk], NAMES, today=TODAY)
    assert suggestion.area_id == 2
    assert suggestion.strands == ("leadership", "culture")
    assert suggestion.same_kind is True
    assert suggestion.reason == "Strong in leadership and culture where you are developing; also a county"


@pytest.mark.parametrize(
    ("subject_kind", "candidate_kind", "ending"),
    [
        ("county", "county", "; also a county"),
        ("unitary", "unitary", "; also a unitary authority"),
        ("london", "london", "; also a London borough"),
        ("unitary", "metropolitan", "; also a single-tier authority"),
        ("county", "unitary", ""),
        ("county", "district", ""),
    ],
)
def test_kind_of_area_in_the_reason(subject_kind, candidate_kind, ending):
    subject = area(1, "Subject", kind=subject_kind, leadership=D)
    candidate = area(2, "Candidate", kind=candidate_kind, leadership=M)
    (suggestion,) = suggest_partners(subject, [candidate], NAMES, today=TODAY)
    assert suggestion.reason == "Strong in leadership" + " where you are developing" + ending


def test_reason_groups_strands_by_the_subject_stage_most_behind_first():
    subject = area(1, "Subject", kind="unitary", strategy=E, leadership=D, workforce_development=ED, delivery=DM)
    candidate = area(2, "Candidate", kind="county", strategy=M, leadership=Ma, workforce_development=MMa, delivery=M)
    (suggestion,) = suggest_partners(subject, [candidate], NAMES, today=TODAY)
    assert suggestion.strands == ("leadership", "strategy", "workforce-development", "delivery")
    assert suggestion.reason == (
        "Strong in strategy and workforce where you are early, "
        "and in leadership and delivery where you are developing"
    )


def test_leaves_out_self_recent_partners_and_areas_with_nothing_to_offer():
    subject = area(1, "Hampshire", leadership=D, culture=D)
    candidates = [
        area(1, "Hampshire", leadership=Ma, culture=Ma),  # the subject's own area
        area(2, "Recently paired", leadership=M),
        area(3, "Paired long ago", leadership=M),
        area(4, "Also weak", leadership=DM, culture=D),
        area(5, "Strong elsewhere only", strategy=Ma),
        area(6, "Unrated"),
    ]
    found = suggest_partners(
        subject, candidates, NAMES,
        last_paired={2: date(2017, 1, 10), 3: date(2015, 9, 1)}, today=TODAY,
    )
    assert [s.name for s in found] == ["Paired long ago"]


def test_ranking_more_strands_then_bigger_gaps_then_kind_then_name():
    subject = area(1, "Subject", kind="county", leadership=D, culture=D, strategy=D)
    candidates = [
        area(2, "One strand, same kind", kind="county", leadership=M),
        area(3, "Two strands", kind="unitary", leadership=M, culture=M),
        area(4, "Two strands, bigger gaps", kind="unitary", leadership=Ma, culture=Ma),
        area(5, "One strand, other kind", kind="unitary", leadership=M),
        area(6, "Also two strands", kind="unitary", leadership=M, culture=M),
    ]
    found = suggest_partners(subject, candidates, NAMES, today=TODAY)
    assert [s.name for s in found] == [
        "Two strands, bigger gaps",
        "Also two strands",
        "Two strands",
        "One strand, same kind",
        "One strand, other kind",
    ]
    assert found[0].score > found[1].score == found[2].score > found[3].score > found[4].score


def test_subject_with_no_weak_strand_gets_no_suggestions():
    subject = area(1, "Mature area", leadership=M, culture=Ma)
    assert suggest_partners(subject, [area(2, "Other", leadership=Ma)], NAMES, today=TODAY) == []


def test_limit():
    subject = area(1, "Subject", leadership=D)
    candidates = [area(i, f"Area {i:02d}", leadership=M) for i in range(2, 20)]
    assert len(suggest_partners(subject, candidates, NAMES, today=TODAY)) == 10
    assert len(suggest_partners(subject, candidates, NAMES, today=TODAY, limit=3)) == 3
    assert len(suggest_partners(subject, candidates, NAMES, today=TODAY, limit=None)) == 18


def test_unknown_strand_names_fall_back_to_the_key():
    subject = area(1, "Subject", **{"new_strand": D})
    candidate = area(2, "Candidate", kind="district", **{"new_strand": M})
    (suggestion,) = suggest_partners(subject, [candidate], NAMES, today=TODAY)
    assert suggestion.reason == "Strong in new-strand where you are developing"
