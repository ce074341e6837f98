"""The attacker of the anonymity rule (docs/anonymity.md), shared by the unit and app tests.

It knows everything anyone can know about a round: who was in the room by kind of organisation
(the facilitator's console shows how many of each kind voted) and every figure published for
it. It tries every way the hidden groups could have voted that gives back exactly the same
publication, and wins if that leaves only one possible set of answers for a group of fewer
than 3. The room's own tally gives everyone away when everyone gave the same answer; no rule
about groups can hide that, so a unanimous room is no win.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence

from maturity.core.anonymity import SUPPRESS_BELOW, group_name, publish_revotes, publish_round

ANSWERS = (1, 2, 3, 4, None)  # None is "don't know": an answer like any other here


def sub_multisets(pool: Counter, size: int) -> Iterator[Counter]:
    """Every multiset of `size` answers that can be taken out of `pool`."""
    answers = sorted(pool, key=lambda a: (a is None, a or 0))

    def walk(index: int, left: int, chosen: Counter) -> Iterator[Counter]:
        if left == 0:
            yield Counter(chosen)
            return
        if index == len(answers):
            return
        answer = answers[index]
        for take in range(min(left, pool[answer]), -1, -1):
            if take:
                chosen[answer] = take
            else:
                chosen.pop(answer, None)
            yield from walk(index + 1, left - take, chosen)
        chosen.pop(answer, None)

    yield from walk(0, size, Counter())


def any_multiset(size: int) -> Iterator[Counter]:
    """Every multiset of `size` answers at all (when the room's tally is not published)."""
    yield from sub_multisets(Counter({answer: size for answer in ANSWERS}), size)


def world(fixed: dict[str, Counter], hidden: dict[str, Counter]) -> list[tuple[str, int | None]]:
    return [
        (name, answer)
        for part in (fixed, hidden)
        for name, counts in part.items()
        for answer in counts.elements()
    ]


def completions(
    names: Sequence[str], sizes: dict[str, int], pool: Counter | None
) -> Iterator[dict[str, Counter]]:
    """Ways to give the named groups answers: a split of `pool`, or anything when it is None."""
    if not names:
        if pool is None or not +pool:
            yield {}
        return
    first, rest = names[0], names[1:]
    options = any_multiset(sizes[first]) if pool is None else sub_multisets(pool, sizes[first])
    for mine in options:
        for others in completions(rest, sizes, None if pool is None else pool - mine):
            yield {first: mine, **others}


def attack(votes: list[tuple[str | None, int | None]], publish=publish_round) -> dict[str, set]:
    """For each group under 3, every set of answers consistent with all that was published.

    A candidate room keeps the shown groups as published and gives the hidden groups any
    answers that add up to the room's tally (any answers at all when it is not published);
    it is consistent when publishing it gives back exactly the same figures, which also
    catches anything the choice of hidden groups might give away.
    """
    published = publish(votes)
    sizes = Counter(group_name(g) for g, _ in votes)
    actual: dict[str, Counter] = {}
    for g, v in votes:
        actual.setdefault(group_name(g), Counter())[v] += 1
    shown = {g.group: actual[g.group] for g in published.groups if not g.suppressed}
    hidden = [g.group for g in published.groups if g.suppressed]
    pool = None
    if published.room is not None:
        pool = Counter(v for _, v in votes)
        for counts in shown.values():
            pool -= counts
    found: dict[str, set] = {}
    for small in (name for name in hidden if sizes[name] < SUPPRESS_BELOW):
        others = [name for name in hidden if name != small]
        found[small] = set()
        options = any_multiset(sizes[small]) if pool is None else sub_multisets(pool, sizes[small])
        for mine in options:
            rest = None if pool is None else pool - mine
            for split in completions(others, sizes, rest):
                candidate = world(shown, {small: mine, **split})
                if publish(candidate) == published:
                    found[small].add(frozenset(mine.items()))
                    break  # one consistent room is enough to keep this answer possible
    return found


def attacker_wins(votes, publish=publish_round) -> str | None:
    """The name of a small group whose answers the attacker pinned down, if any."""
    if len({v for _, v in votes}) == 1:
        return None  # the room's tally says what everyone answered: nothing to protect
    for name, possible in attack(votes, publish).items():
        assert possible, f"the real answers of {name} were ruled out: the attacker is wrong"
        if len(possible) == 1:
            return name
    return None


# --------------------------------------------------------------------------------------------
# A revote: differencing the first and final rounds of a strand
# --------------------------------------------------------------------------------------------


def _by_group(votes) -> dict[str, Counter]:
    found: dict[str, Counter] = {}
    for g, v in votes:
        found.setdefault(group_name(g), Counter())[v] += 1
    return found


def _pool(votes, published, shown: dict[str, Counter]) -> Counter | None:
    if published.room is None:
        return None
    pool = Counter(v for _, v in votes)
    for counts in shown.values():
        pool -= counts
    return pool


def _fits(part: Counter, pool: Counter | None) -> bool:
    return pool is None or all(pool[answer] >= number for answer, number in part.items())


def _linked(sizes: list[Counter], published) -> set[str]:
    """The groups whose figures the attacker reads across from one round into the other: 3 or
    more people, the same size in both rounds, shown in exactly one of them. (A group shown in
    both shows any change anyway; a group hidden in both is part of the pool being protected,
    see docs/anonymity.md on what the difference of two tallies says.)"""
    shown = [{g.group for g in p.groups if not g.suppressed} for p in published]
    return {
        name
        for name, size in sizes[0].items()
        if sizes[1].get(name) == size >= SUPPRESS_BELOW and (name in shown[0]) != (name in shown[1])
    }


def attack_revote(first, final, publish=publish_revotes) -> dict[tuple[int, str], set]:
    """For each group under 3 in either round, every set of answers it could have given in that
    round, given everything published for BOTH rounds and the assumption that differencing
    rests on: a group of 3 or more, of the same size in both rounds, shown in one round and
    hidden in the other, gave the same answers in both, so its shown figures can be read across
    and taken out of the other round's hidden pool. A candidate pair of rooms counts only when publishing it gives back
    exactly the same figures for both rounds. Keys are (round index 0 or 1, group name).
    """
    rounds = [list(first), list(final)]
    published = publish(rounds)
    sizes = [Counter(group_name(g) for g, _ in r) for r in rounds]
    actual = [_by_group(r) for r in rounds]
    shown = [{g.group: actual[i][g.group] for g in published[i].groups if not g.suppressed} for i in (0, 1)]
    hidden = [[g.group for g in published[i].groups if g.suppressed] for i in (0, 1)]
    linked = _linked(sizes, published)
    pools = [_pool(rounds[i], published[i], shown[i]) for i in (0, 1)]
    smalls = [(i, name) for i in (0, 1) for name in hidden[i] if sizes[i][name] < SUPPRESS_BELOW]
    found: dict[tuple[int, str], set] = {key: set() for key in smalls}
    if not smalls:
        return found
    if not linked:
        # Nothing to read across: each round is attacked as it was published (the revote after
        # the first vote as published, which is public).
        alone = [
            attack(rounds[0], lambda votes: publish([votes])[0]),
            attack(rounds[1], lambda votes: publish([rounds[0], votes])[1]),
        ]
        return {(i, name): alone[i][name] for i, name in smalls}
    for mine1 in completions(hidden[0], sizes[0], pools[0]):
        # Linked groups hidden in round 1 but shown in round 2 must have answered as shown.
        if any(name in linked and name in shown[1] and mine1[name] != shown[1][name] for name in hidden[0]):
            continue
        fixed: dict[str, Counter] = {}
        for name in hidden[1]:
            if name in linked:
                fixed[name] = mine1[name] if name in mine1 else shown[0][name]
        total_fixed = sum(fixed.values(), Counter())
        if not _fits(total_fixed, pools[1]):
            continue
        rest = [name for name in hidden[1] if name not in fixed]
        pool2 = None if pools[1] is None else pools[1] - total_fixed
        for split in completions(rest, sizes[1], pool2):
            mine2 = {**fixed, **split}
            candidate = [world(shown[0], mine1), world(shown[1], mine2)]
            if publish(candidate) != published:
                continue
            for i, name in smalls:
                answers = (mine1, mine2)[i][name]
                found[(i, name)].add(frozenset(answers.items()))
    return found


def revote_attacker_wins(first, final, publish=publish_revotes) -> tuple[int, str] | None:
    """(round, group) of a small group whose answers in that round the attacker pinned down to
    its real answers by differencing the two rounds, if any.

    Rooms where either round was unanimous are no win (the tally says what everyone answered).
    Nor are rooms that break the attacker's assumption (a group of 3 or more changed its
    answers): what it concludes from a false premise is a guess, right or wrong by chance.
    """
    if len({v for _, v in first}) == 1 or len({v for _, v in final}) == 1:
        return None
    real = [_by_group(first), _by_group(final)]
    sizes = [Counter(group_name(g) for g, _ in r) for r in (first, final)]
    if any(real[0][name] != real[1][name] for name in _linked(sizes, publish([first, final]))):
        return None
    for (i, name), possible in attack_revote(first, final, publish).items():
        if len(possible) == 1 and next(iter(possible)) == frozenset(real[i][name].items()):
            return (i, name)
    return None


def publish_each_alone(rounds):
    """The rule before revotes hid what the first vote hid: each round published on its own."""
    return [publish_round(votes) for votes in rounds]


# --------------------------------------------------------------------------------------------
# Family questionnaire results (maturity.core.families)
# --------------------------------------------------------------------------------------------


def family_attacker_wins(observations) -> str | None:
    """Every publication of one questionnaire's results that anyone saw, in order, as
    (families who had answered, published figures {question: (yes, answered)} or None).

    Wins, saying how, when a publication shows figures from fewer than MIN_FAMILIES families, or
    when two publications differ by fewer than MIN_FAMILIES families' answers: the difference is
    then those few families' answers.
    """
    from maturity.core.families import MIN_FAMILIES

    shown = []
    for families, figures in observations:
        if figures is None:
            continue
        if families < MIN_FAMILIES:
            return f"figures published from {families} families"
        for question, (_yes, answered) in figures.items():
            if answered < MIN_FAMILIES:
                return f"{question}: figures from {answered} families"
        shown.append((families, figures))
    for (families_a, a), (families_b, b) in zip(shown, shown[1:], strict=False):
        if a == b:
            continue
        if 0 < abs(families_a - families_b) < MIN_FAMILIES:
            return f"publications {families_a} and {families_b} differ by {abs(families_a - families_b)} families"
        for question in set(a) | set(b):
            answered_a = a.get(question, (0, 0))[1]
            answered_b = b.get(question, (0, 0))[1]
            if 0 < abs(answered_a - answered_b) < MIN_FAMILIES:
                return f"{question}: publications differ by {abs(answered_a - answered_b)} families"
    return None
