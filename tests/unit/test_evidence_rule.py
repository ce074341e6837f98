"""The toolkit's evidence rule: achievements to evidence, limitations that cap (DESIGN.md §3)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maturity.core.scoring import (
    CLAIM_ABOVE_EVIDENCE,
    NextStage,
    Rating,
    StageEvidence,
    evidenced_stage,
    stage_evidence,
    strand_flags,
)

# Family experience in miniature: 3 developing and 8 maturing achievements, 2 mature ones, and
# limitations at early, developing and maturing.
ACHIEVEMENTS = {
    2: ["d1", "d2", "d3"],
    3: [f"m{i}" for i in range(1, 9)],
    4: ["a1", "a2"],
}
LIMITATIONS = {1: ["e-lim"], 2: ["d-lim1", "d-lim2"], 3: ["m-lim"]}
DEV = {"d1", "d2", "d3"}
MAT = {f"m{i}" for i in range(1, 9)}


@pytest.mark.parametrize(
    ("supported", "stage", "next_stage", "cap"),
    [
        (set(), 1, NextStage(2, 0, 3), None),
        ({"d1", "d2"}, 1, NextStage(2, 2, 3), None),
        # Limitations need no evidence to claim developing.
        (DEV, 2, NextStage(3, 0, 8), None),
        # The case: developing and most of maturing evidenced.
        (DEV | {"m1", "m2", "m3", "m4", "m5"}, 2, NextStage(3, 5, 8), None),
        (DEV | MAT, 3, NextStage(4, 0, 2), None),
        # Evidence that a developing limitation still holds caps the stage at developing.
        (DEV | MAT | {"d-lim2"}, 2, NextStage(3, 8, 8), 2),
        # A cap above the achieved stage changes nothing.
        (DEV | {"m-lim"}, 2, NextStage(3, 0, 8), 3),
        # An early limitation holds everything at early.
        (DEV | MAT | {"e-lim"}, 1, NextStage(2, 3, 3), 1),
        (DEV | MAT | {"a1", "a2"}, 4, None, None),
        # Each stage on its own achievements (the literal rule), then the cap.
        ({"a1", "a2"}, 4, None, None),
        # Under a cap, the highest stage that is itself evidenced and not above it.
        ({"a1", "a2", "m-lim"}, 1, NextStage(2, 0, 3), 3),
        (DEV | {"a1", "a2", "m-lim"}, 2, NextStage(3, 0, 8), 3),
        # Evidence for features of no stage here is ignored.
        ({"elsewhere"}, 1, NextStage(2, 0, 3), None),
    ],
)
def test_rule_table(supported, stage, next_stage, cap):
    result = stage_evidence(ACHIEVEMENTS, supported, LIMITATIONS)
    assert (result.stage, result.next_stage, result.cap) == (stage, next_stage, cap)
    assert evidenced_stage(ACHIEVEMENTS, supported, LIMITATIONS) == stage


def test_labels_say_progress_and_cap():
    five = stage_evidence(ACHIEVEMENTS, DEV | {"m1", "m2", "m3", "m4", "m5"}, LIMITATIONS)
    assert five.label == "Developing \u00b7 maturing 5 of 8 achievements evidenced"
    assert not five.capped
    held = stage_evidence(ACHIEVEMENTS, DEV | MAT | {"d-lim1"}, LIMITATIONS)
    assert held.capped and held.achieved == 3
    assert held.label == (
        "Developing \u00b7 maturing 8 of 8 achievements evidenced"
        " \u00b7 held back: a developing limitation still holds"
    )
    assert stage_evidence(ACHIEVEMENTS, DEV | MAT | {"a1", "a2"}).label == "Mature"
    assert NextStage(4, 1, 1).text == "mature 1 of 1 achievement evidenced"


def test_without_limitations_the_rule_is_the_old_one():
    assert stage_evidence(ACHIEVEMENTS, DEV) == StageEvidence(2, 2, None, NextStage(3, 0, 8))


@pytest.mark.parametrize(
    "bad",
    [{5: ["x"]}, {0: ["x"]}, {2: "d1"}, {True: ["x"]}],
)
def test_bad_limitations_are_refused(bad):
    with pytest.raises(ValueError):
        stage_evidence(ACHIEVEMENTS, DEV, bad)


# --------------------------------------------------------------------------- properties

KEYS = st.sets(st.sampled_from(sorted({*DEV, *MAT, "a1", "a2", "e-lim", "d-lim1", "d-lim2", "m-lim"})))


@given(KEYS)
def test_result_never_above_what_the_achievements_show_nor_above_a_held_limitation(supported):
    result = stage_evidence(ACHIEVEMENTS, supported, LIMITATIONS)
    assert 1 <= result.stage <= result.achieved
    for stage, keys in LIMITATIONS.items():
        if set(keys) & supported:
            assert result.stage <= stage
    # A stage above early is reached only by evidencing every one of its achievements.
    if result.stage > 1:
        assert set(ACHIEVEMENTS[result.stage]) <= supported


@given(KEYS, KEYS)
def test_more_achievement_evidence_never_lowers_the_stage(supported, extra):
    more = supported | {k for k in extra if "lim" not in k}
    before = stage_evidence(ACHIEVEMENTS, supported, LIMITATIONS)
    after = stage_evidence(ACHIEVEMENTS, more, LIMITATIONS)
    assert after.stage >= before.stage


@given(KEYS, KEYS)
def test_limitation_evidence_never_raises_the_stage(supported, extra):
    more = supported | {k for k in extra if "lim" in k}
    assert (
        stage_evidence(ACHIEVEMENTS, more, LIMITATIONS).stage
        <= stage_evidence(ACHIEVEMENTS, supported, LIMITATIONS).stage
    )


@given(KEYS)
def test_next_stage_counts_the_stage_above(supported):
    result = stage_evidence(ACHIEVEMENTS, supported, LIMITATIONS)
    if result.stage == 4:
        assert result.next_stage is None
    else:
        above = ACHIEVEMENTS[result.stage + 1]
        assert result.next_stage == NextStage(
            result.stage + 1, len(set(above) & supported), len(above)
        )


# --------------------------------------------------------------------------- the flag


@pytest.mark.parametrize(
    ("claim", "evidenced", "toward_next", "flagged"),
    [
        # Between developing and maturing: developing evidenced and maturing under way.
        (Rating(2, 3), 2, 1, False),
        (Rating(2, 3), 2, 0, True),  # nothing of maturing evidenced yet
        (Rating(2, 3), 1, 5, True),  # developing itself not evidenced
        (Rating(3, 3), 2, 7, True),  # a whole stage needs all its achievements
        (Rating(2, 2), 2, 0, False),
        (Rating(1, 2), 1, 2, False),
        (Rating(1, 2), 2, 0, False),  # below the evidence is never flagged
    ],
)
def test_claim_above_evidence_under_the_rule(claim, evidenced, toward_next, flagged):
    codes = {f.code for f in strand_flags(self_rating=claim, evidenced=evidenced, toward_next=toward_next)}
    assert (CLAIM_ABOVE_EVIDENCE in codes) is flagged


def test_claim_above_evidence_says_what_is_missing():
    (flag,) = strand_flags(agreed_rating=Rating(2, 3), evidenced=2)
    assert "no maturing achievement has evidence yet" in flag.detail
    (flag,) = strand_flags(agreed_rating=Rating(3, 3), evidenced=2, toward_next=4)
    assert "every achievement of a stage needs evidence" in flag.detail
