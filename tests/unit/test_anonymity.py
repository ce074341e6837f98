"""The anonymity rule (maturity.core.anonymity, docs/anonymity.md): examples, and the attacker
of tests/support/anonymity_attacker.py over many random rooms."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maturity.core.anonymity import (
    NOT_GIVEN,
    SUPPRESS_BELOW,
    SUPPRESSED_COMPLEMENT,
    SUPPRESSED_FEWER,
    GroupSummary,
    PublishedRound,
    group_name,
    publish_round,
    publishable,
)
from maturity.core.scoring import Rating, summarise_votes
from tests.support.anonymity_attacker import (
    ANSWERS,
    attacker_wins,
    publish_each_alone,
    revote_attacker_wins,
)

PROPERTY = settings(database=None, max_examples=300, deadline=None)
ATTACK = settings(database=None, max_examples=400, deadline=None)

E, D, M, MA = 1, 2, 3, 4


# --------------------------------------------------------------------------------------------
# Examples
# --------------------------------------------------------------------------------------------


def by_name(published: PublishedRound):
    return {g.group: g for g in published.groups}


def test_groups_of_fewer_than_three_are_hidden_and_the_rest_shown():
    votes = (
        [("Police", D), ("Police", M), ("Police", None)]
        + [("Health", E), ("Health", E)]
        + [("Schools", MA)]
        + [("Housing", M)] * 4
        + [("Council", D)] * 3
        + [("Council", E)] * 3
    )
    published = publish_round(votes)
    groups = by_name(published)
    assert [g.group for g in published.groups] == ["Council", "Health", "Housing", "Police", "Schools"]
    for name in ("Health", "Schools"):
        assert groups[name].suppressed and groups[name].summary is None
        assert groups[name].reason == SUPPRESSED_FEWER == "fewer than 3"
    # Three hidden people, but the room's most common answers (early and maturing, 5 each)
    # outnumber them: a pool of three could all have said the same. Police (3) goes too.
    assert groups["Police"].reason == SUPPRESSED_COMPLEMENT
    assert published.hidden == 6
    assert groups["Housing"].summary == summarise_votes([M] * 4)
    assert groups["Council"].summary == summarise_votes([D, D, D, E, E, E])
    assert published.room == summarise_votes(v for _, v in votes)


def test_the_reported_case_no_longer_gives_the_schools_vote_away():
    # Police 3 x maturing, health 3 x developing, one schools voter: before, the one-voice view
    # counted the schools vote and subtraction gave it away.
    votes = [("Police", M)] * 3 + [("Health", D)] * 3 + [("Schools", E)]
    published = publish_round(votes)
    groups = by_name(published)
    # The room's most common answer has 3 votes, so the pool must hold 4: Health goes with
    # Schools (it ties with Police on size and comes first by name); Police is shown.
    assert groups["Schools"].reason == SUPPRESSED_FEWER
    assert groups["Health"].reason == SUPPRESSED_COMPLEMENT
    assert groups["Police"].summary == summarise_votes([M, M, M])
    # One voice for Police, one for the hidden groups together (median of D, D, D, E).
    assert published.one_voice == summarise_votes([M, D])
    assert published.room == summarise_votes([M, M, M, D, D, D, E])


def test_a_room_of_fewer_than_three_publishes_only_its_count():
    published = publish_round([("Police", D), (None, M)])
    assert published.total == 2 and published.room is None and published.one_voice is None
    assert all(g.suppressed and g.reason == SUPPRESSED_FEWER for g in published.groups)


def test_a_unanimous_room_hides_small_groups_only_to_three():
    votes = [("Police", D)] * 5 + [("Health", D)] * 3 + [("Schools", D)] * 2 + [("Fire", D)]
    groups = by_name(publish_round(votes))
    assert groups["Schools"].suppressed and groups["Fire"].suppressed
    assert not groups["Health"].suppressed and not groups["Police"].suppressed


def test_no_small_group_hides_nothing_and_one_voice_is_every_group():
    votes = [("Police", MA)] * 10 + [("Health", E)] * 3 + [("Schools", D), ("Schools", M)] * 2
    published = publish_round(votes)
    assert not any(g.suppressed for g in published.groups)
    # Schools' median is between developing and maturing: it counts at developing.
    assert published.one_voice == summarise_votes([MA, E, D])
    assert published.room.median == Rating(MA, MA)


def test_hidden_groups_share_one_voice():
    votes = (
        [("Police", MA)] * 9
        + [("Council", E)] * 8
        + [("Health", D)] * 3
        + [("Schools", M), ("Schools", M)]
        + [("Fire", D)]
    )
    published = publish_round(votes)
    groups = by_name(published)
    # The room's most common answer is mature (9): the pool must reach 10. Schools and Fire (3)
    # hide Health (6), then Council (14).
    assert [name for name, g in groups.items() if g.suppressed] == ["Council", "Fire", "Health", "Schools"]
    pool = [E] * 8 + [D] * 3 + [M, M] + [D]
    assert published.one_voice == summarise_votes([MA, summarise_votes(pool).median_low])


def test_missing_group_is_not_given_sorted_last_and_names_are_trimmed():
    votes = [(None, D), ("", M), ("  ", D)] + [("Police ", D), (" Police", D), ("Police", D)]
    published = publish_round(votes)
    assert [g.group for g in published.groups] == ["Police", NOT_GIVEN]
    assert published.group(NOT_GIVEN).summary == summarise_votes([D, M, D])
    assert published.shown("Police") and not published.shown("Health")
    assert group_name("  ") == NOT_GIVEN


def test_nothing_and_bad_votes():
    empty = publish_round([])
    assert (empty.total, empty.room, empty.groups, empty.one_voice) == (0, None, (), None)
    with pytest.raises(ValueError, match="not a vote: 7"):
        publish_round([("Police", 7)])


def test_publishable_needs_three_people():
    assert publishable(summarise_votes([D, None])) is None
    assert publishable(summarise_votes([D, None, M])) == summarise_votes([D, None, M])


# --------------------------------------------------------------------------------------------
# The attacker
# --------------------------------------------------------------------------------------------


GROUPS = ["Police", "Health", "Schools", "Housing", "Fire", None]


@st.composite
def rooms(draw):
    """A room: a few groups, some under 3, with answers that lean one way or spread out."""
    names = draw(st.lists(st.sampled_from(GROUPS), min_size=1, max_size=5, unique=True))
    votes = []
    for name in names:
        size = draw(st.one_of(st.integers(1, 2), st.integers(3, 5)))
        answers = draw(st.lists(st.sampled_from(ANSWERS), min_size=size, max_size=size))
        votes += [(name, answer) for answer in answers]
    return draw(st.permutations(votes))


def weaker_rule(votes, *, content_aware: bool) -> PublishedRound:
    """Rules the attacker must beat, to show it can: hide groups under 3, then top the hidden
    pool up to 3 people smallest group first (the rule before this one, whose one-voice view
    gave every group a voice), or hide the smallest group that makes the pool 3 people with
    two different answers (a choice that looks at the hidden votes)."""
    grouped: dict[str, list] = {}
    for g, v in votes:
        grouped.setdefault(group_name(g), []).append(v)
    hidden = {n for n, vs in grouped.items() if len(vs) < SUPPRESS_BELOW}
    pool = Counter(v for n in hidden for v in grouped[n])

    def safe(pool):
        people = sum(pool.values())
        return people == 0 or (people >= SUPPRESS_BELOW and (len(pool) > 1 or not content_aware))

    while not safe(pool) and len(hidden) < len(grouped):
        chosen = min(
            (n for n in grouped if n not in hidden),
            key=lambda n: (content_aware and not safe(pool + Counter(grouped[n])), len(grouped[n]), n),
        )
        hidden.add(chosen)
        pool.update(grouped[chosen])
    groups = tuple(
        GroupSummary(n, n in hidden, None if n in hidden else summarise_votes(grouped[n]))
        for n in sorted(grouped)
    )
    voices = None if content_aware else summarise_votes(summarise_votes(vs).median_low for vs in grouped.values())
    room = summarise_votes(v for _, v in votes) if len(votes) >= SUPPRESS_BELOW else None
    return PublishedRound(len(votes), room, groups, voices, sum(pool.values()))


def test_the_attacker_beats_weaker_rules():
    # The example: the one-voice view gave the schools vote away.
    reported = [("Police", M)] * 3 + [("Health", D)] * 3 + [("Schools", E)]
    assert attacker_wins(reported, lambda v: weaker_rule(v, content_aware=False)) == "Schools"
    # Three groups of one, all developing: hiding Housing because their pool was unanimous
    # tells the attacker that it was, and the room's tally says with what.
    ones = [("Police", D), ("Health", D), ("Schools", D), ("Housing", E), ("Housing", E), ("Housing", D)]
    assert attacker_wins(ones, lambda v: weaker_rule(v, content_aware=True)) is not None
    assert attacker_wins(reported) is None and attacker_wins(ones) is None


@ATTACK
@given(rooms())
def test_the_attacker_never_pins_down_a_small_group(votes):
    assert attacker_wins(votes) is None


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------


@PROPERTY
@given(rooms())
def test_shown_groups_are_exact_and_hidden_ones_carry_nothing(votes):
    published = publish_round(votes)
    sizes = Counter(group_name(g) for g, _ in votes)
    assert sorted(g.group for g in published.groups) == sorted(sizes)
    for g in published.groups:
        if sizes[g.group] < SUPPRESS_BELOW:
            assert g.suppressed and g.reason == SUPPRESSED_FEWER
        if g.suppressed:
            assert g.summary is None
        else:
            assert g.summary == summarise_votes(v for n, v in votes if group_name(n) == g.group)
    assert published.hidden == sum(sizes[g.group] for g in published.groups if g.suppressed)
    assert published.hidden == 0 or published.hidden >= SUPPRESS_BELOW or published.room is None


@PROPERTY
@given(rooms(), st.randoms(use_true_random=False))
def test_publication_ignores_the_order_of_votes(votes, random):
    shuffled = list(votes)
    random.shuffle(shuffled)
    assert publish_round(shuffled) == publish_round(votes)


@PROPERTY
@given(rooms())
def test_one_voice_is_built_from_the_shown_groups_and_the_pool(votes):
    published = publish_round(votes)
    shown = [g for g in published.groups if not g.suppressed]
    if not shown or published.room is None:
        assert published.one_voice is None
        return
    expected = [g.summary.median_low for g in shown]
    if published.hidden:
        pool = Counter(v for _, v in votes)
        for g in shown:
            pool -= Counter(v for n, v in votes if group_name(n) == g.group)
        expected.append(summarise_votes(pool.elements()).median_low)
    assert published.one_voice == summarise_votes(expected)


# --------------------------------------------------------------------------------------------
# A revote: the first and final rounds of a strand, differenced
# --------------------------------------------------------------------------------------------


@st.composite
def revoted_rooms(draw):
    """A room and its vote again: the same people (only those who voted first may vote again),
    some of them changing their answer; mostly people in small groups, so that the attacker's
    premise (larger groups kept their answers) often holds."""
    first = draw(rooms())
    sizes = Counter(group_name(g) for g, _ in first)
    final = []
    for name, answer in first:
        odds = 2 if sizes[group_name(name)] < SUPPRESS_BELOW else 8
        if draw(st.integers(1, odds)) == 1:
            answer = draw(st.sampled_from(ANSWERS))
        final.append((name, answer))
    return first, final


def test_the_revote_attacker_beats_publishing_each_round_alone():
    # Health (3) is hidden with a school and two people who gave no kind in the first vote;
    # the vote again spreads out and, published alone, shows health unchanged. First pool minus
    # health's tally leaves three "early" answers: the school's vote.
    first = [("Police", M)] * 3 + [("Police", D)] + [("Health", D), ("Health", D), ("Health", M)]
    first += [(None, E), (None, E), ("Schools", E)]
    final = [("Police", M), ("Police", MA), ("Police", MA), ("Police", None)]
    final += [("Health", D), ("Health", D), ("Health", M), (None, None), (None, E), ("Schools", E)]
    assert revote_attacker_wins(first, final, publish_each_alone) == (0, "Schools")
    assert revote_attacker_wins(first, final) is None


@settings(database=None, max_examples=150, deadline=None, derandomize=True)
@given(revoted_rooms())
def test_the_attacker_cannot_difference_a_revote_to_pin_down_a_small_group(rooms_):
    first, final = rooms_
    assert revote_attacker_wins(first, final) is None, (first, final)
