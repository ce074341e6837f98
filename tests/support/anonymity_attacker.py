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

from maturity.core.anonymity import SUPPRESS_BELOW, group_name, publish_round

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
