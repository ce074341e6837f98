"""What may be published about one round of votes without exposing anyone's vote.

One rule, used by every place a round's result leaves the server: the results page, the
presenter screen and the phones' live state, the CSV and XLSX exports, the API and the result
carried into the assessment. `publish_round` takes the round's (group, vote) pairs and returns
the only figures those places may show; docs/anonymity.md explains the rule in prose and
tests/unit/test_anonymity.py attacks it.

Pure functions over plain values, like the scoring module they build on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from maturity.core.scoring import VoteSummary, summarise_votes

#: The fewest people whose figures may be shown together: a room, a group, or the pool of
#: hidden groups.
SUPPRESS_BELOW = 3
NOT_GIVEN = "not given"
SUPPRESSED_FEWER = f"fewer than {SUPPRESS_BELOW}"
SUPPRESSED_COMPLEMENT = "hidden so that a smaller group's votes cannot be worked out"
#: Why a vote again publishes only its count (PublishedRound.withheld).
WITHHELD_REVOTE = (
    "compared with the earlier vote, this vote's figures would show how a smaller group voted"
)
SUPPRESSED_EARLIER = (
    "hidden as in the earlier vote on this strand, so that comparing the two votes cannot give a "
    "smaller group's votes away"
)
#: The voice that the hidden groups share in the one-voice view.
HIDDEN_VOICE = "Smaller groups together"


@dataclass(frozen=True)
class GroupSummary:
    """One group's summary, or suppressed (summary None) so that no one's vote can be inferred."""

    group: str
    suppressed: bool
    summary: VoteSummary | None
    # Why it is hidden: SUPPRESSED_FEWER, SUPPRESSED_COMPLEMENT, or None when shown.
    reason: str | None = None


@dataclass(frozen=True)
class PublishedRound:
    """Everything about one round that may leave the server."""

    #: How many answered, "don't know" included: shown live, so never a secret.
    total: int
    #: The room's summary; None when fewer than 3 answered.
    room: VoteSummary | None
    #: Every group by name, shown or suppressed, in display order.
    groups: tuple[GroupSummary, ...]
    #: One voice per shown group plus one for the hidden groups together; None with no room.
    one_voice: VoteSummary | None
    #: How many people the hidden groups hold together (the room minus the shown groups).
    hidden: int
    #: A vote again whose room figures cannot be shown beside the earlier vote's without giving a
    #: small group away (publish_revotes): only the count is published, like a room under 3.
    withheld: bool = False

    def group(self, name: str) -> GroupSummary | None:
        """The named group's entry, or None when nobody from it answered."""
        return next((g for g in self.groups if g.group == name), None)

    def shown(self, name: str) -> bool:
        """Whether the named group's figures are published."""
        found = self.group(name)
        return found is not None and not found.suppressed


def group_name(group: str | None) -> str:
    """Normalise a group label; a missing or blank one becomes "not given"."""
    if group is None:
        return NOT_GIVEN
    name = str(group).strip()
    return name or NOT_GIVEN


def _group_order(name: str) -> tuple[bool, str, str]:
    """Sort key: by name ignoring case, with "not given" last as the residual group."""
    return (name == NOT_GIVEN, name.casefold(), name)


def publish_round(
    votes: Iterable[tuple[str | None, int | None]],
    hide: Iterable[str] = (),
    known: Iterable[str] = (),
) -> PublishedRound:
    """The figures of a round that may be published: room, groups and one voice, made safe.

    `votes` are (group, vote) pairs: the group is the kind of organisation (None or blank for
    not given; hand counts form a group of their own) and the vote 1-4, or None for don't know.
    `hide` names groups to hide whatever their size: for a revote, the groups the earlier vote
    on the strand hid. `known` names groups whose answers are as good as published already: for
    a revote, the groups the earlier vote showed, which anyone assuming they kept their answers
    can take out of this round's hidden pool. They never count as cover for a smaller group, and
    when the other hidden groups are too few to cover it, only the count is published
    (`publish_revotes`).
    """
    grouped: dict[str, list[int | None]] = {}
    for group, vote in votes:
        grouped.setdefault(group_name(group), []).append(vote)
    summaries = {name: summarise_votes(answers) for name, answers in grouped.items()}
    everyone = [vote for answers in grouped.values() for vote in answers]
    total = len(everyone)
    room_unanimous = len(set(everyone)) == 1

    # Which groups to hide is decided from what is published anyway (the room's tally) and
    # what anyone can see (who is in the room), never from how the hidden groups voted: a choice
    # that looked at their votes would itself tell something about them.
    reasons = {name: SUPPRESSED_FEWER for name, s in summaries.items() if s.total < SUPPRESS_BELOW}
    for name in {group_name(group) for group in hide}:
        if name in summaries and name not in reasons:
            reasons[name] = SUPPRESSED_EARLIER
    known_names = {group_name(group) for group in known}
    hidden = sum(summaries[name].total for name in reasons)
    # The people whose answers nothing else published gives away: the hidden pool's real cover.
    cover = sum(summaries[name].total for name in reasons if name not in known_names)
    uncovered = False
    if hidden:
        # Room minus the shown groups is the hidden groups' pooled tally. If everyone in the pool
        # could have given the same answer, a pool that did would say what each of them said;
        # it cannot once it holds more people than gave the room's most common answer. (A
        # unanimous room already says what everyone said: then 3 people are enough.)
        most_common = 0 if room_unanimous else max(Counter(everyone).values())
        needed = max(SUPPRESS_BELOW, most_common + 1)
        for name in sorted(summaries, key=lambda name: (summaries[name].total, _group_order(name))):
            if cover >= needed:
                break
            if name not in reasons and name not in known_names:
                reasons[name] = SUPPRESSED_COMPLEMENT
                hidden += summaries[name].total
                cover += summaries[name].total
        uncovered = cover < needed

    if total < SUPPRESS_BELOW:
        # The room itself is a group of fewer than 3: publish nothing but the count.
        groups = tuple(
            GroupSummary(group=name, suppressed=True, summary=None, reason=SUPPRESSED_FEWER)
            for name in sorted(summaries, key=_group_order)
        )
        return PublishedRound(total=total, room=None, groups=groups, one_voice=None, hidden=total)
    if uncovered:
        # A vote again where the groups known from the earlier vote leave too few to cover a
        # smaller group: its figures would give that group away. Only the count, as under 3.
        groups = tuple(
            GroupSummary(group=name, suppressed=True, summary=None, reason=WITHHELD_REVOTE)
            for name in sorted(summaries, key=_group_order)
        )
        return PublishedRound(
            total=total, room=None, groups=groups, one_voice=None, hidden=total, withheld=True
        )

    groups = tuple(
        GroupSummary(group=name, suppressed=True, summary=None, reason=reasons[name])
        if name in reasons
        else GroupSummary(group=name, suppressed=False, summary=summaries[name])
        for name in sorted(summaries, key=_group_order)
    )
    # A group whose median falls between two stages counts at the lower one: the toolkit asks
    # areas to claim a stage only when they can show it, so round cautiously. A group that only
    # said "don't know" abstains as one voice. The hidden groups share one voice, the median of
    # their pooled answers, which room minus the shown groups gives away anyway; a voice each
    # would publish something about them that nothing else does.
    voices = [summaries[name].median_low for name in summaries if name not in reasons]
    if voices and hidden:
        pool = [vote for name in reasons for vote in grouped[name]]
        voices.append(summarise_votes(pool).median_low)
    return PublishedRound(
        total=total,
        room=summarise_votes(everyone),
        groups=groups,
        # With every group hidden there is no breakdown, so no one-voice view either.
        one_voice=summarise_votes(voices) if voices else None,
        hidden=hidden,
    )


def publish_revotes(
    rounds: Sequence[Iterable[tuple[str | None, int | None]]],
) -> list[PublishedRound]:
    """A strand's first round and its revotes, in order, each published as `publish_round` does,
    each hiding at least every group the round before it hid.

    The first round is published exactly as it was when the room saw it. A revote then asks the
    same people again; if it showed a group the first round hid, the first round's hidden pool
    minus that group's new tally would give the smaller groups' votes away to anyone assuming
    that group had not changed its mind. Hiding the same groups again (and more when the revote's
    own tally needs it) keeps the pools comparable only as wholes. The groups an earlier vote
    showed are `known`: they give a smaller group no cover in the vote again, and when what is
    left cannot cover it, the vote again publishes only its count (`withheld`). Which groups are
    hidden still depends only on published figures and group sizes (docs/anonymity.md).
    """
    published: list[PublishedRound] = []
    known: set[str] = set()
    for votes in rounds:
        earlier = published[-1] if published else None
        hide = [g.group for g in earlier.groups if g.suppressed] if earlier is not None else []
        published.append(publish_round(votes, hide=hide, known=known))
        known |= {g.group for g in published[-1].groups if not g.suppressed}
    return published


def publishable(summary: VoteSummary) -> VoteSummary | None:
    """A room's or strand's summary when at least 3 people are in it, else None."""
    return summary if summary.total >= SUPPRESS_BELOW else None


def carried_figures(summary: VoteSummary) -> dict:
    """A summary's figures as the assessment keeps them (a room's or a survey's result carried
    in), in plain JSON values; with fewer than 3 people, only how many."""
    if publishable(summary) is None:
        return withheld_figures(summary.total)
    return {
        "n": summary.n,
        "abstentions": summary.abstentions,
        "total": summary.total,
        "counts": {str(stage): summary.counts[stage] for stage in (1, 2, 3, 4)},
        "mean": round(summary.mean, 4) if summary.mean is not None else None,
        "median": summary.median.code if summary.median is not None else None,
        "consensus": round(summary.consensus, 4) if summary.consensus is not None else None,
    }


def withheld_figures(total: int) -> dict:
    """Only how many answered: the figures of a result the rule holds back."""
    empty = dict.fromkeys(("n", "abstentions", "counts", "mean", "median", "consensus"))
    return {**empty, "total": total, "withheld": SUPPRESSED_FEWER}
