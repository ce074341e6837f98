"""Unit tests for maturity.core.scoring (DESIGN.md section 3): hand-worked tables and properties."""

from __future__ import annotations

import dataclasses
import math
import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maturity.core.anonymity import GroupSummary
from maturity.core.scoring import (
    CLAIM_ABOVE_EVIDENCE,
    FLAG_LABELS,
    LOW_CONSENSUS,
    LOW_CONSENSUS_FLAG,
    ONE_KIND_OF_EVIDENCE,
    PARTNER_DIVERGENCE,
    PEER_CHALLENGE,
    RATING_CHOICES,
    RATINGS,
    SELF_ROOM_GAP,
    STAGE_KEYS,
    STAGES,
    Rating,
    VoteSummary,
    consensus,
    evidenced_stage,
    hand_counted_people,
    person_median,
    strand_flags,
    summarise_counts,
    summarise_people,
    summarise_votes,
)

# No example database: keep the test run from writing files into the working tree.
PROPERTY = settings(database=None, max_examples=300, deadline=None)

E, D, M, MA = 1, 2, 3, 4

# --------------------------------------------------------------------------------------------
# Rating
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "low", "high", "label", "short", "midpoint", "between"),
    [
        ("early", 1, 1, "Early", "E", 1.0, False),
        ("early-developing", 1, 2, "Early–Developing", "E–D", 1.5, True),
        ("developing", 2, 2, "Developing", "D", 2.0, False),
        ("developing-maturing", 2, 3, "Developing–Maturing", "D–M", 2.5, True),
        ("maturing", 3, 3, "Maturing", "M", 3.0, False),
        ("maturing-mature", 3, 4, "Maturing–Mature", "M–Ma", 3.5, True),
        ("mature", 4, 4, "Mature", "Ma", 4.0, False),
        # Not offered as a choice, but a median of [1, 1, 3, 3] lands here and must round-trip.
        ("early-maturing", 1, 3, "Early–Maturing", "E–M", 2.0, True),
    ],
)
def test_rating_parse_and_format(code, low, high, label, short, midpoint, between):
    rating = Rating.parse(code)
    assert rating == Rating(low, high)
    assert rating.code == code
    assert rating.label == label
    assert str(rating) == label
    assert rating.short == short
    assert rating.midpoint == midpoint
    assert rating.is_between is between
    assert Rating.parse(rating.code) == rating


def test_rating_label_uses_en_dash():
    assert "\u2013" in Rating(2, 3).label
    assert "-" not in Rating(2, 3).label


def test_rating_single():
    assert Rating.single(3) == Rating(3, 3)
    assert not Rating.single(3).is_between


def test_rating_choices_are_the_seven_sensible_values_in_order():
    assert RATING_CHOICES == [
        ("early", "Early"),
        ("early-developing", "Early–Developing"),
        ("developing", "Developing"),
        ("developing-maturing", "Developing–Maturing"),
        ("maturing", "Maturing"),
        ("maturing-mature", "Maturing–Mature"),
        ("mature", "Mature"),
    ]
    midpoints = [r.midpoint for r in RATINGS]
    assert midpoints == sorted(midpoints)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "unknown rating"),
        ("Developing", "unknown rating"),  # codes are the lower-case keys, not labels
        ("developng", "unknown rating"),
        ("developing-", "unknown rating"),
        ("-developing", "unknown rating"),
        ("developing–maturing", "unknown rating"),  # en dash is for display only
        ("early-developing-maturing", "unknown rating"),
        ("developing-developing", "same stage twice"),
        ("maturing-developing", "higher stage first"),
        (None, "must be text"),
        (2, "must be text"),
    ],
)
def test_rating_parse_rejects(code, message):
    with pytest.raises(ValueError, match=message):
        Rating.parse(code)


@pytest.mark.parametrize(("low", "high"), [(0, 1), (1, 5), (3, 2), (True, True), (2.0, 2)])
def test_rating_constructor_rejects(low, high):
    with pytest.raises(ValueError):
        Rating(low, high)


def test_rating_orders_by_low_then_high():
    assert sorted([Rating(3, 3), Rating(2, 3), Rating(2, 2)]) == [
        Rating(2, 2),
        Rating(2, 3),
        Rating(3, 3),
    ]


def test_stage_tables_agree():
    assert list(STAGES) == list(STAGE_KEYS) == [1, 2, 3, 4]
    assert [Rating.single(s).code for s in STAGES] == list(STAGE_KEYS.values())


# --------------------------------------------------------------------------------------------
# Vote summaries: hand-worked tables
# --------------------------------------------------------------------------------------------


def test_no_votes_at_all():
    s = summarise_votes([])
    assert (s.n, s.abstentions, s.total) == (0, 0, 0)
    assert s.counts == {1: 0, 2: 0, 3: 0, 4: 0}
    assert s.shares == {1: 0.0, 2: 0.0, 3: 0.0, 4: 0.0}
    assert s.mean is None
    assert s.median_low is None and s.median_high is None and s.median is None
    assert s.modes == ()
    assert s.consensus is None


def test_only_dont_know_is_counted_but_not_averaged():
    s = summarise_votes([None, None])
    assert (s.n, s.abstentions, s.total) == (0, 2, 2)
    assert s.mean is None and s.median is None and s.consensus is None and s.modes == ()


def test_dont_know_does_not_move_the_mean_or_median():
    assert summarise_votes([2, 2, 3, 3, None, None, None]).mean == 2.5
    with_dk = summarise_votes([1, None, 4])
    assert (with_dk.n, with_dk.abstentions, with_dk.mean) == (2, 1, 2.5)


def test_even_count_median_between_two_stages():
    s = summarise_votes([2, 2, 3, 3])
    assert (s.median_low, s.median_high) == (2, 3)
    assert s.median == Rating(2, 3)
    assert s.median.label == "Developing–Maturing"
    assert s.median.short == "D–M"  # as Hampshire wrote "D M"
    assert s.mean == 2.5
    assert s.counts == {1: 0, 2: 2, 3: 2, 4: 0}
    assert s.shares == {1: 0.0, 2: 0.5, 3: 0.5, 4: 0.0}
    assert s.modes == (2, 3)


@pytest.mark.parametrize(
    ("votes", "median_low", "median_high", "mean", "modes"),
    [
        ([3], 3, 3, 3.0, (3,)),
        ([1, 2, 2], 2, 2, 5 / 3, (2,)),  # sorted 1,2,2: middle is 2; mean 5/3
        ([2, 2, 2, 3], 2, 2, 2.25, (2,)),  # middle two are both 2, so not "between"
        ([1, 1, 3, 3], 1, 3, 2.0, (1, 3)),  # middle two 1 and 3: between non-adjacent stages
        ([4, 1, 3, 2], 2, 3, 2.5, (1, 2, 3, 4)),  # sorted 1,2,3,4: four-way tie for mode
        ([1, 4, 4, 4, 2], 4, 4, 3.0, (4,)),  # sorted 1,2,4,4,4: middle is 4; mean 15/5
        ([1, 1, 2, 2, 4], 2, 2, 2.0, (1, 2)),  # two-way tie for mode; mean 10/5
    ],
)
def test_median_mean_and_modes(votes, median_low, median_high, mean, modes):
    s = summarise_votes(votes)
    assert (s.median_low, s.median_high) == (median_low, median_high)
    assert s.mean == pytest.approx(mean)
    assert s.modes == modes


@pytest.mark.parametrize(
    ("votes", "expected"),
    [
        # [3,3,3]: mean 3; |3-3|/3 = 0, log2(1) = 0; Cns = 1 + 0 = 1
        ([3, 3, 3], 1.0),
        # [1,4]: mean 2.5; |1-2.5|/3 = |4-2.5|/3 = 0.5, log2(0.5) = -1;
        # Cns = 1 + 0.5*(-1) + 0.5*(-1) = 0
        ([1, 4], 0.0),
        # [1,2]: mean 1.5; |1-1.5|/3 = |2-1.5|/3 = 1/6, log2(5/6) = -0.263034;
        # Cns = 1 + 2*0.5*(-0.263034) = 0.736966
        ([1, 2], 0.736966),
        # [2,2,3,3]: the same shape as [1,2] one stage up: 0.736966
        ([2, 2, 3, 3], 0.736966),
        # [1,2,3]: mean 2; distances 1,0,1 -> 1/3,0,1/3; log2(2/3) = -0.584963;
        # Cns = 1 + 2*(1/3)*(-0.584963) = 1 - 0.389975 = 0.610025
        ([1, 2, 3], 0.610025),
        # [1,2,3,4]: mean 2.5; distances/3 = 0.5, 1/6, 1/6, 0.5; logs -1, -0.263034, -0.263034, -1;
        # Cns = 1 + 0.25*(-2.526069) = 1 - 0.631517 = 0.368483
        ([1, 2, 3, 4], 0.368483),
        # [2,2,2,3]: mean 2.25; |2-2.25|/3 = 1/12, log2(11/12) = -0.125531;
        # |3-2.25|/3 = 0.25, log2(0.75) = -0.415037;
        # Cns = 1 + 0.75*(-0.125531) + 0.25*(-0.415037) = 1 - 0.094148 - 0.103759 = 0.802092
        ([2, 2, 2, 3], 0.802092),
        # [1,1,4]: mean 2; |1-2|/3 = 1/3, log2(2/3) = -0.584963; |4-2|/3 = 2/3, log2(1/3) = -1.584963;
        # Cns = 1 + (2/3)*(-0.584963) + (1/3)*(-1.584963) = 1 - 0.389975 - 0.528321 = 0.081704
        ([1, 1, 4], 0.081704),
        # [1,1,1,4]: mean 1.75; |1-1.75|/3 = 0.25, log2(0.75) = -0.415037;
        # |4-1.75|/3 = 0.75, log2(0.25) = -2; Cns = 1 + 0.75*(-0.415037) + 0.25*(-2)
        # = 1 - 0.311278 - 0.5 = 0.188722
        ([1, 1, 1, 4], 0.188722),
        # [1,3]: mean 2; |1-2|/3 = |3-2|/3 = 1/3, log2(2/3) = -0.584963;
        # Cns = 1 + 2*0.5*(-0.584963) = 0.415037
        ([1, 3], 0.415037),
        # A single vote agrees with itself: 1
        ([4], 1.0),
        # "Don't know" never enters the measure: same as [3,3,3]
        ([3, None, 3, None, 3], 1.0),
    ],
)
def test_consensus_hand_worked(votes, expected):
    assert summarise_votes(votes).consensus == pytest.approx(expected, abs=1e-6)
    stages = [v for v in votes if v is not None]
    assert consensus(Counter(stages)) == pytest.approx(expected, abs=1e-6)


def test_consensus_extremes_are_exact():
    # Exact, not approximate: the presenter shows 1.00 and 0.00, and the flag boundary is strict.
    assert summarise_votes([3, 3, 3]).consensus == 1.0
    assert summarise_votes([1, 4, 1, 4]).consensus == 0.0


def test_consensus_of_nothing_is_none():
    assert consensus({}) is None
    assert consensus({1: 0, 2: 0, 3: 0, 4: 0}) is None


@pytest.mark.parametrize("bad", [0, 5, -1, True, False, "2", 2.0, 2.5, "developing"])
def test_summarise_votes_names_the_bad_value(bad):
    with pytest.raises(ValueError, match=re.escape(repr(bad))):
        summarise_votes([2, bad, 3])


def test_summarise_counts_matches_expanded_votes():
    assert summarise_counts({2: 2, 3: 2}, abstentions=1) == summarise_votes([2, 2, 3, 3, None])


def test_summarise_counts_takes_a_none_key_as_dont_know():
    # As a GROUP BY on a nullable vote column returns it.
    assert summarise_counts({None: 2, 4: 1}) == summarise_votes([None, None, 4])
    assert summarise_counts({None: 2}, abstentions=1).abstentions == 3


@pytest.mark.parametrize(
    ("counts", "abstentions", "message"),
    [
        ({5: 1}, 0, "not a stage: 5"),
        ({0: 1}, 0, "not a stage: 0"),
        ({"developing": 1}, 0, "not a stage: 'developing'"),
        ({True: 1}, 0, "not a stage: True"),
        ({2: -1}, 0, "count for stage 2"),
        ({2: 1.5}, 0, "count for stage 2"),
        ({2: 1}, -1, "abstentions"),
    ],
)
def test_summarise_counts_rejects(counts, abstentions, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        summarise_counts(counts, abstentions)


def test_summary_counts_always_has_all_four_stages():
    assert summarise_counts({4: 3}).counts == {1: 0, 2: 0, 3: 0, 4: 3}
    assert summarise_votes([4, 4, 4]).counts == {1: 0, 2: 0, 3: 0, 4: 3}


# --------------------------------------------------------------------------------------------
# Evidenced stage
# --------------------------------------------------------------------------------------------

FEATURES = {
    1: ["e1", "e2"],
    2: ["d1", "d2"],
    3: ["m1", "m2", "m3"],
    4: ["a1"],
}


@pytest.mark.parametrize(
    ("supported", "expected"),
    [
        (set(), 1),
        ({"e1", "e2"}, 1),  # early features never lift the stage above early
        ({"d1"}, 1),  # developing only half evidenced
        ({"d1", "d2"}, 2),
        ({"d1", "d2", "m1", "m2"}, 2),  # maturing all but one: not 3
        ({"d1", "d2", "m1", "m2", "m3"}, 3),
        ({"d1", "d2", "m1", "m2", "m3", "a1"}, 4),
        ({"d1", "d2", "m1", "a1"}, 4),
        ({"unrelated"}, 1),
    ],
)
def test_evidenced_stage(supported, expected):
    assert evidenced_stage(FEATURES, supported) == expected


def test_evidenced_stage_mature_counts_even_when_maturing_is_not_evidenced_literal_rule():
    # The rule in DESIGN section 3 is "the highest stage whose every feature is evidenced";
    # it does not require the stages below to be evidenced too.
    assert evidenced_stage(FEATURES, {"a1"}) == 4


def test_evidenced_stage_ignores_stages_with_no_features():
    assert evidenced_stage({2: [], 3: ["m1"]}, {"m1"}) == 3
    assert evidenced_stage({2: [], 3: [], 4: []}, set()) == 1
    assert evidenced_stage({}, {"d1"}) == 1


def test_evidenced_stage_accepts_one_shot_iterables():
    features = {2: (k for k in ["d1", "d2"]), 3: iter(["m1"])}
    assert evidenced_stage(features, ["d1", "d2"]) == 2


@pytest.mark.parametrize("bad", [{5: ["x"]}, {0: ["x"]}, {2: "d1"}])
def test_evidenced_stage_rejects(bad):
    with pytest.raises(ValueError):
        evidenced_stage(bad, {"x", "d1"})


# --------------------------------------------------------------------------------------------
# Flags, each on and off at its boundary
# --------------------------------------------------------------------------------------------


def codes(flags):
    return [f.code for f in flags]


def test_no_inputs_no_flags():
    assert strand_flags() == []


@pytest.mark.parametrize(
    ("kwargs", "flagged"),
    [
        ({"agreed_rating": Rating(2, 2), "evidenced": 2}, False),  # equal: fine
        ({"agreed_rating": Rating(2, 3), "evidenced": 2}, True),  # midpoint 2.5 > 2
        ({"agreed_rating": Rating(1, 2), "evidenced": 1}, True),  # 1.5 > 1
        ({"agreed_rating": Rating(1, 2), "evidenced": 2}, False),  # below is not flagged
        ({"self_rating": Rating(3, 3), "evidenced": 2}, True),  # no agreed: judge the self-rating
        # The agreed rating supersedes the self-rating when both exist.
        ({"self_rating": Rating(4, 4), "agreed_rating": Rating(2, 2), "evidenced": 2}, False),
        ({"self_rating": Rating(2, 2), "agreed_rating": Rating(3, 3), "evidenced": 2}, True),
        ({"agreed_rating": Rating(4, 4)}, False),  # evidenced stage unknown
        ({"evidenced": 1}, False),  # nothing claimed
    ],
)
def test_claim_above_evidence(kwargs, flagged):
    assert (CLAIM_ABOVE_EVIDENCE in codes(strand_flags(**kwargs))) is flagged


def test_claim_above_evidence_detail():
    (flag,) = strand_flags(agreed_rating=Rating(3, 3), evidenced=2)
    assert flag.label == "Claim above evidence"
    assert (
        "agreed rating (Maturing)" in flag.detail and "evidenced stage (Developing)" in flag.detail
    )
    (flag,) = strand_flags(self_rating=Rating(2, 3), evidenced=1)
    assert "self-rating (Developing–Maturing)" in flag.detail and "(Early)" in flag.detail


def with_consensus(value):
    return dataclasses.replace(summarise_votes([1, 2, 3]), consensus=value)


@pytest.mark.parametrize(
    ("value", "flagged"),
    [(0.5, False), (0.4999, True), (0.0, True), (1.0, False), (None, False)],
)
def test_low_consensus_boundary(value, flagged):
    assert LOW_CONSENSUS == 0.5
    assert (LOW_CONSENSUS_FLAG in codes(strand_flags(room=with_consensus(value)))) is flagged


def test_low_consensus_detail_never_shows_a_rounded_threshold():
    (flag,) = strand_flags(room=with_consensus(0.4999))
    assert "0.49" in flag.detail and "0.50" not in flag.detail
    (flag,) = strand_flags(room=summarise_votes([1, 4]))
    assert flag.detail == "Consensus in the room was 0.00, below 0.5, across 2 votes."


def test_low_consensus_from_real_votes():
    assert codes(strand_flags(room=summarise_votes([1, 3]))) == [LOW_CONSENSUS_FLAG]  # 0.415
    assert codes(strand_flags(room=summarise_votes([1, 2]))) == []  # 0.737


def group(name, votes):
    return GroupSummary(group=name, suppressed=False, summary=summarise_votes(votes))


ROOM_DEVELOPING = summarise_votes([2, 2, 2])


@pytest.mark.parametrize(
    ("groups", "flagged"),
    [
        ([group("Police", [3, 3, 3])], True),  # 1 stage from the room: flagged
        ([group("Police", [1, 1, 1])], True),  # below counts too
        ([group("Police", [2, 3, 3, 2])], False),  # median between 2 and 3: half a stage
        ([group("Police", [2, 2, 2])], False),
        ([group("Police", [None, None, None])], False),  # no median to compare
        # A suppressed group is never compared, or its votes could leak through the flag.
        ([GroupSummary(group="Health", suppressed=True, summary=None)], False),
        (
            [GroupSummary(group="Health", suppressed=True, summary=summarise_votes([4, 4, 4]))],
            False,
        ),
        ([], False),
    ],
)
def test_partner_divergence_boundary(groups, flagged):
    result = strand_flags(room=ROOM_DEVELOPING, groups=groups)
    assert (PARTNER_DIVERGENCE in codes(result)) is flagged


def test_partner_divergence_needs_a_room_median():
    groups = [group("Police", [4, 4, 4])]
    assert strand_flags(groups=groups) == []
    assert strand_flags(room=summarise_votes([None]), groups=groups) == []


def test_partner_divergence_detail_names_the_groups():
    room = summarise_votes([2] * 5)
    (flag,) = strand_flags(
        room=room,
        groups=[group("Health", [1, 1, 1]), group("Police", [2, 2, 2]), group("Schools", [4] * 3)],
    )
    assert flag.label == "Partner divergence"
    assert flag.detail == (
        "Health (median Early) and Schools (median Mature) are a stage or more from "
        "the room's median (Developing)."
    )


@pytest.mark.parametrize(
    ("self_rating", "room_votes", "flagged"),
    [
        (Rating(2, 2), [3, 3, 3], True),  # gap exactly 1: flagged
        (Rating(4, 4), [3, 3, 3], True),
        (Rating(2, 2), [2, 3], False),  # room between 2 and 3: gap 0.5
        (Rating(2, 3), [3, 3, 3], False),  # 0.5
        (Rating(1, 2), [3, 3], True),  # 1.5
        (Rating(2, 2), [None], False),  # no room median
        (None, [4, 4], False),
    ],
)
def test_self_room_gap_boundary(self_rating, room_votes, flagged):
    result = strand_flags(self_rating=self_rating, room=summarise_votes(room_votes))
    assert (SELF_ROOM_GAP in codes(result)) is flagged


def test_self_room_gap_detail():
    (flag,) = strand_flags(self_rating=Rating(1, 2), room=summarise_votes([3, 3]))
    assert (
        flag.detail
        == "The self-rating (Early–Developing) is 1.5 stages from the room's median (Maturing)."
    )
    (flag,) = strand_flags(self_rating=Rating(2, 2), room=summarise_votes([3]))
    assert "is 1 stage from" in flag.detail


@pytest.mark.parametrize(
    ("peer", "agreed", "flagged"),
    [
        (Rating(2, 2), Rating(2, 2), False),
        (Rating(2, 3), Rating(2, 2), True),
        (Rating(1, 1), Rating(2, 2), True),
        (Rating(2, 2), None, False),
        (None, Rating(2, 2), False),
    ],
)
def test_peer_challenge(peer, agreed, flagged):
    result = strand_flags(peer_rating=peer, agreed_rating=agreed)
    assert (PEER_CHALLENGE in codes(result)) is flagged


@pytest.mark.parametrize(
    ("qualitative", "quantitative", "flagged", "detail"),
    [
        (0, 0, False, None),  # no evidence is not "one kind" (the claim flag covers it)
        (1, 1, False, None),
        (
            3,
            0,
            True,
            "All 3 evidence items are qualitative; the toolkit asks for a mix, "
            "so add quantitative evidence.",
        ),
        (
            0,
            1,
            True,
            "The only evidence item is quantitative; the toolkit asks for a mix, "
            "so add qualitative evidence.",
        ),
    ],
)
def test_one_kind_of_evidence(qualitative, quantitative, flagged, detail):
    result = strand_flags(qualitative=qualitative, quantitative=quantitative)
    assert (ONE_KIND_OF_EVIDENCE in codes(result)) is flagged
    if detail:
        assert result[0].detail == detail


@pytest.mark.parametrize(
    "kwargs", [{"qualitative": -1}, {"quantitative": True}, {"evidenced": 5}, {"evidenced": 0}]
)
def test_strand_flags_rejects(kwargs):
    with pytest.raises(ValueError):
        strand_flags(**kwargs)


def test_all_flags_together_in_a_fixed_order():
    room = summarise_votes([1, 1, 1, 4, 4, 4])  # consensus 0, median Early–Mature
    flags = strand_flags(
        self_rating=Rating(4, 4),
        agreed_rating=Rating(3, 3),
        evidenced=2,
        room=room,
        groups=[group("Police", [1, 1, 1]), group("Health", [4, 4, 4])],
        peer_rating=Rating(2, 3),
        qualitative=2,
    )
    assert codes(flags) == [
        CLAIM_ABOVE_EVIDENCE,
        LOW_CONSENSUS_FLAG,
        PARTNER_DIVERGENCE,
        SELF_ROOM_GAP,
        PEER_CHALLENGE,
        ONE_KIND_OF_EVIDENCE,
    ]
    for flag in flags:
        assert flag.label == FLAG_LABELS[flag.code]
        assert flag.detail.endswith(".") and "\n" not in flag.detail


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

stage = st.integers(min_value=1, max_value=4)
vote = st.one_of(st.none(), stage)
votes_lists = st.lists(vote, max_size=60)
def reference_consensus(stages):
    """Tastle-Wierman computed vote by vote, independently of the tally-based code."""
    mean = sum(stages) / len(stages)
    return 1 + sum(math.log2(1 - abs(x - mean) / 3) for x in stages) / len(stages)


@PROPERTY
@given(stage, st.integers(min_value=1, max_value=200))
def test_unanimous_votes_have_consensus_one(s, k):
    assert summarise_votes([s] * k).consensus == 1.0


@PROPERTY
@given(st.integers(min_value=1, max_value=200))
def test_even_split_between_early_and_mature_has_consensus_zero(k):
    assert summarise_votes([1] * k + [4] * k).consensus == 0.0


@PROPERTY
@given(votes_lists)
def test_consensus_is_within_zero_and_one_and_matches_reference(votes):
    s = summarise_votes(votes)
    stages = [v for v in votes if v is not None]
    if not stages:
        assert s.consensus is None
        return
    assert 0.0 <= s.consensus <= 1.0
    assert s.consensus == pytest.approx(reference_consensus(stages), abs=1e-9)


@PROPERTY
@given(votes_lists)
def test_summarise_counts_equals_summarise_votes(votes):
    tally = Counter(v for v in votes if v is not None)
    assert summarise_counts(tally, abstentions=votes.count(None)) == summarise_votes(votes)
    assert summarise_counts(Counter(votes)) == summarise_votes(votes)  # None key as don't know


@PROPERTY
@given(votes_lists)
def test_summary_invariants(votes):
    s = summarise_votes(votes)
    stages = [v for v in votes if v is not None]
    assert s.n + s.abstentions == s.total == len(votes)
    assert sum(s.counts.values()) == s.n
    assert set(s.counts) == set(s.shares) == {1, 2, 3, 4}
    if s.n == 0:
        assert s.mean is None and s.median is None and s.modes == ()
        return
    assert sum(s.shares.values()) == pytest.approx(1.0)
    assert 1.0 <= s.mean <= 4.0
    assert min(stages) <= s.median_low <= s.median_high <= max(stages)
    ordered = sorted(stages)
    assert (s.median_low, s.median_high) == (
        ordered[(len(ordered) - 1) // 2],
        ordered[len(ordered) // 2],
    )
    top = max(s.counts.values())
    assert s.modes == tuple(k for k in (1, 2, 3, 4) if s.counts[k] == top)


@PROPERTY
@given(st.data(), votes_lists)
def test_order_of_votes_does_not_matter(data, votes):
    shuffled = data.draw(st.permutations(votes))
    assert summarise_votes(shuffled) == summarise_votes(votes)


def test_vote_summary_is_a_plain_value():
    # Equality is by value so summaries can be compared and snapshotted with an agreed rating.
    assert summarise_votes([1, 2]) == VoteSummary(
        n=2,
        abstentions=0,
        counts={1: 1, 2: 1, 3: 0, 4: 0},
        shares={1: 0.5, 2: 0.5, 3: 0.0, 4: 0.0},
        mean=1.5,
        median_low=1,
        median_high=2,
        modes=(1, 2),
        consensus=summarise_votes([2, 1]).consensus,
    )


# --------------------------------------------------------------------------------------------
# Several rounds of one strand: each person once
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("votes", "expected"),
    [
        ([D, M], D),  # between two stages: the lower one
        ([M, M], M),
        ([E, D, M, MA], D),
        ([D, None, M, M], M),  # "don't know" on one element leaves the others
        ([None, None], None),  # only "don't know": abstains
        ([MA], MA),
    ],
)
def test_person_median(votes, expected):
    assert person_median(votes) == expected


def test_summarise_people_counts_each_person_once():
    # Three people rate two elements each: pooling would give n=6.
    ballots = [("a", D), ("b", D), ("c", M), ("a", M), ("b", D), ("c", M), ("d", None)]
    s = summarise_people(ballots)
    assert (s.n, s.abstentions) == (3, 1)
    assert s == summarise_votes([D, D, M, None])


def test_hand_counts_pair_by_rank_and_count_the_biggest_round():
    # Round one: cards D, M, M; round two: D, D and one "don't know".
    pairs = hand_counted_people([{D: 1, M: 2}, {D: 2, None: 1}])
    by_person = {}
    for person, card in pairs:
        by_person.setdefault(person, []).append(card)
    assert sorted(by_person.values(), key=str) == sorted([[D, D], [M, D], [M, None]], key=str)
    assert summarise_people(pairs).total == 3


def test_hand_counts_reject_a_bad_stage():
    with pytest.raises(ValueError, match="not a stage: 9"):
        hand_counted_people([{9: 1}])


people_ballots = st.lists(
    st.tuples(st.integers(min_value=0, max_value=12), vote), max_size=60
)


@PROPERTY
@given(people_ballots)
def test_summarise_people_has_one_answer_per_person(ballots):
    s = summarise_people(ballots)
    assert s.total == len({person for person, _ in ballots})
    for person in {person for person, _ in ballots}:
        mine = [v for p, v in ballots if p == person]
        stages = sorted(v for v in mine if v is not None)
        median = person_median(mine)
        assert median is None if not stages else stages[0] <= median <= stages[-1]


@PROPERTY
@given(st.lists(st.dictionaries(st.one_of(st.none(), stage), st.integers(0, 6)), max_size=4))
def test_hand_counted_people_are_as_many_as_the_biggest_round(rounds):
    pairs = hand_counted_people(rounds)
    assert len(pairs) == sum(sum(r.values()) for r in rounds)
    biggest = max((sum(r.values()) for r in rounds), default=0)
    assert summarise_people(pairs).total == biggest


# --------------------------------------------------------------------------------------------
# Agreement in plain words (the projector's reading of the consensus)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("votes", "words"),
    [
        ([3, 3, 3, 3], "Strong agreement"),  # everyone on one stage: 1.00
        ([2, 2, 2, 2, 3], "Strong agreement"),  # four in five on one stage, one a neighbour: 0.83
        ([2, 2, 2, 3], "Strong agreement"),  # three in four: 0.80, on the line
        ([2, 2, 3, 3], "Mixed views"),  # half on each of two neighbours: 0.74
        ([1, 2, 3, 2, 2, 3], "Mixed views"),
        ([2, 2, 4, 4], "Split"),  # half on each of two stages two apart: 0.42
        ([1, 1, 4, 4], "Split"),  # early against mature: 0
        ([None, None], None),  # nobody voted for a stage
    ],
)
def test_agreement_reads_the_consensus_in_plain_words(votes, words):
    from maturity.core.scoring import agreement

    assert agreement(summarise_votes(votes).consensus) == words


def test_agreement_thresholds_sit_where_the_low_consensus_flag_does():
    from maturity.core.scoring import LOW_CONSENSUS, STRONG_AGREEMENT, agreement

    assert agreement(1.0) == agreement(STRONG_AGREEMENT) == "Strong agreement"
    assert agreement(STRONG_AGREEMENT - 0.001) == agreement(LOW_CONSENSUS) == "Mixed views"
    assert agreement(LOW_CONSENSUS - 0.001) == agreement(0.0) == "Split"
