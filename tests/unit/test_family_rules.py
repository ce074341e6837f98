"""The family questionnaire's pure rules: what may be published, the words, the retention day."""

from datetime import date
from pathlib import Path

import pytest
import yaml

from maturity.core.families import (
    MIN_FAMILIES,
    PREFER_NOT,
    QUESTIONS,
    SCALE,
    STRAND_KEY,
    family_results,
    retention_cutoff,
)

FRAMEWORK = Path(__file__).resolve().parents[2] / "seed" / "framework" / "early-help-2016.yaml"


def responses(yes: int, no: int, prefer_not: int = 0, key: str = "one-worker") -> list[dict[str, str]]:
    return [{key: "yes-a-bit"}] * yes + [{key: "no"}] * no + [{key: PREFER_NOT}] * prefer_not


def test_the_threshold_is_ten_families():
    assert MIN_FAMILIES == 10


def test_nine_families_publish_nothing():
    assert family_results(responses(5, 4), closed=True) is None


def test_ten_families_publish_their_results():
    results = family_results(responses(6, 4), closed=True)
    assert results is not None and results.families == 10
    one_worker = results.questions[0]
    assert one_worker.sentence == "6 of 10 families said they had one worker they knew"


def test_nothing_is_published_while_open_however_many_answered():
    assert family_results(responses(40, 8), closed=False) is None


def test_prefer_not_to_say_is_left_out_and_a_thin_question_is_not_published():
    results = family_results(responses(5, 4, prefer_not=3), closed=True)
    # 12 families answered, but only 9 gave "one worker" a scale answer: that question stays hidden.
    assert results is not None and results.families == 12
    assert results.questions == ()


def test_a_question_supports_its_features_only_when_most_families_said_yes():
    mostly_yes = family_results(responses(31, 17), closed=True)
    assert mostly_yes.supported_features() == {"fe-dev-3", "fe-mat-1", "fe-mature-1"}
    assert mostly_yes.questions[0].sentence == "31 of 48 families said they had one worker they knew"
    half = family_results(responses(5, 5), closed=True)
    assert half.supported_features() == set()


def test_questions_map_to_real_features_of_the_family_experience_strand():
    data = yaml.safe_load(FRAMEWORK.read_text())
    strand = next(s for s in data["strands"] if s["key"] == STRAND_KEY)
    features = {
        feature["key"]: feature.get("kind", "achievement")
        for element in strand["elements"]
        for stage in element["stages"].values()
        for feature in stage["features"]
    }
    for question in QUESTIONS:
        assert question.features, question.key
        for key in question.features:
            # A "yes" is evidence an achievement holds; it must never be linked to a limitation.
            assert features.get(key) == "achievement", (question.key, key)


def test_the_scale_has_five_points_and_prefer_not_to_say():
    assert len(SCALE) == 6 and PREFER_NOT in SCALE


@pytest.mark.parametrize(
    "today, months, cutoff",
    [
        (date(2026, 12, 3), 12, date(2025, 12, 3)),
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2026, 1, 15), 1, date(2025, 12, 15)),
        (date(2028, 3, 30), 1, date(2028, 2, 29)),
        (date(2026, 12, 3), 36, date(2023, 12, 3)),
    ],
)
def test_retention_cutoff(today, months, cutoff):
    assert retention_cutoff(today, months) == cutoff
