"""What a finished survey publishes: the workshops' rule for the ratings, and reasons that
cannot be tied to anyone. The attacker (tests/support/anonymity_attacker.py) tries both."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from maturity.core.anonymity import publish_round
from maturity.core.scoring import person_median
from maturity.core.surveys import publish_item, publish_strand
from tests.support.anonymity_attacker import attacker_wins

GROUPS = ("police", "health", "schools", None)
STAGES = (1, 2, 3, 4, None)


def respondents(max_size: int = 9):
    person = st.tuples(
        st.sampled_from(GROUPS),
        st.sampled_from(STAGES),
        st.one_of(st.none(), st.sampled_from(("", "  ", "We share one plan", "Training is patchy", "Families say so"))),
    )
    return st.lists(person, min_size=0, max_size=max_size)


@given(respondents())
@settings(max_examples=150, deadline=None)
def test_the_ratings_are_published_exactly_as_a_workshop_round_is(rows):
    published = publish_item(rows)
    assert published.ratings == publish_round((group, stage) for group, stage, _ in rows)


@given(respondents(max_size=7))
@settings(max_examples=120, deadline=None)
def test_the_attacker_cannot_recover_a_small_groups_stages_from_a_survey(rows):
    votes = [(group, stage) for group, stage, _ in rows]
    assert attacker_wins(votes, publish=lambda v: publish_item((g, s, None) for g, s in v).ratings) is None


@given(respondents(), st.randoms(use_true_random=False))
@settings(max_examples=150, deadline=None)
def test_no_reason_can_be_tied_to_anyone(rows, rnd):
    """Hand the same reasons to other people in any way (another group, another stage, another
    order): the publication does not change, so nothing in it says whose a reason is."""
    reasons = [reason for _, _, reason in rows]
    rnd.shuffle(reasons)
    people = [(group, stage) for group, stage, _ in rows]
    rnd.shuffle(people)
    shuffled = [(group, stage, reason) for (group, stage), reason in zip(people, reasons, strict=True)]
    assert publish_item(shuffled) == publish_item(rows)


def test_with_fewer_than_three_answers_only_the_count_and_no_reason_is_published():
    published = publish_item([("police", 2, "Our own view"), ("health", 3, "Another view")])
    assert published.ratings.total == 2 and published.ratings.room is None
    assert published.reasons == ()


def test_reasons_come_sorted_without_blanks():
    rows = [("police", 2, "b reason"), ("health", 3, None), ("schools", 1, "  "), (None, 4, "A reason ")]
    assert publish_item(rows).reasons == ("A reason", "b reason")


def test_a_strand_asked_by_elements_counts_each_person_once_by_their_median():
    ballots = [("p1", "police", 2), ("p1", "police", 3), ("p2", "health", 3), ("p2", "health", 3),
               ("p3", "schools", 1), ("p3", "schools", None), ("p4", "schools", 4), ("p4", "schools", 4)]
    published = publish_strand(ballots)
    assert published.total == 4
    assert published.room is not None and published.room.counts == {1: 1, 2: 1, 3: 1, 4: 1}


def test_a_strand_by_elements_is_published_as_a_round_of_each_persons_median():
    """So everything the attacker proves of workshop rounds holds for it: try it on the medians."""
    rnd = random.Random(2016)
    for _ in range(60):
        people = [(f"p{i}", rnd.choice(GROUPS)) for i in range(rnd.randint(0, 7))]
        answers = {p: [rnd.choice(STAGES) for _ in range(rnd.randint(1, 3))] for p, _ in people}
        ballots = [(p, g, stage) for p, g in people for stage in answers[p]]
        medians = [(g, person_median(answers[p])) for p, g in people]
        assert publish_strand(ballots) == publish_round(medians)
        assert attacker_wins(medians) is None
