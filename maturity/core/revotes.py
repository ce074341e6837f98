"""How discussion moved a room: the shift between a strand's first vote and its revote.

A revote is a new round of the same strand after discussion (maturity/workshops/operations.py
`revote`). Both rounds are published on their own through `anonymity.publish_revotes`; the
shift is built only from their published room summaries, so it says nothing that the two
rounds' results do not already say. Pure functions over plain values.
"""

from __future__ import annotations

from dataclasses import dataclass

from maturity.core.scoring import VoteSummary, agreement, parse_rating


@dataclass(frozen=True)
class Shift:
    """The room's summary before and after discussion; either None when withheld (fewer than 3)."""

    before: VoteSummary | None
    after: VoteSummary | None
    #: The vote again publishes only its count because, beside the first vote, its figures
    #: would give a small group away (anonymity.publish_revotes), not because few answered.
    held_back: bool = False

    @property
    def comparable(self) -> bool:
        return self.before is not None and self.after is not None

    @property
    def moved(self) -> bool | None:
        """Whether the median changed; None when the two cannot be compared."""
        if not self.comparable:
            return None
        return _median(self.before) != _median(self.after)

    @property
    def consensus_change(self) -> float | None:
        if not self.comparable or self.before.consensus is None or self.after.consensus is None:
            return None
        return self.after.consensus - self.before.consensus

    def words(self, numbers: bool = True) -> str:
        """The shift in a sentence a room understands.

        With `numbers` (results page, console): "Discussion moved the room from Developing
        (consensus 0.52) to Developing–Maturing (0.71)." Without (the projector): the plain
        agreement words of `scoring.agreement` instead of the consensus figures.
        """
        if self.held_back:
            return (
                "This vote again shows only its count: beside the first vote, its figures would "
                "show how a small group voted, so the two are not compared."
            )
        if not self.comparable:
            return (
                "Fewer than 3 people answered in one of the two votes, so the two cannot be "
                "compared without showing how they voted."
            )
        before, after = self.before, self.after
        if numbers:
            was = f"consensus {_consensus(before)}"
            now = _consensus(after)
        else:
            was = _agreement(before)
            now = _agreement(after)
        if self.moved:
            return f"Discussion moved the room from {_median(before)} ({was}) to {_median(after)} ({now})."
        if numbers:
            return (
                f"After discussion the room still says {_median(after)}: consensus "
                f"{_consensus(before)} before, {_consensus(after)} after."
            )
        return (
            f"After discussion the room still says {_median(after)}: "
            f"{_agreement(before)} before, {_agreement(after)} after."
        )


def _median(summary: VoteSummary) -> str:
    return summary.median.label if summary.median is not None else "no stage (only \u201cdon\u2019t know\u201d)"


def _consensus(summary: VoteSummary) -> str:
    return f"{summary.consensus:.2f}" if summary.consensus is not None else "none"


def _agreement(summary: VoteSummary) -> str:
    words = agreement(summary.consensus)
    return words.lower() if words else "no stage chosen"


def survey_words(figures: dict | None, numbers: bool = True) -> str | None:
    """A partners' survey carried into the assessment, in a sentence beside the shift: what the
    people who answered beforehand said. `figures` are the carried result's (median code,
    consensus, n, survey_title); None when there is none or it was withheld."""
    if not figures or not figures.get("median"):
        return None
    median = parse_rating(figures["median"])
    if median is None:
        return None
    consensus = figures.get("consensus")
    if numbers:
        detail = f"consensus {consensus:.2f}, " if isinstance(consensus, int | float) else ""
        people = figures.get("n") or 0
        detail += f"{people} {'person' if people == 1 else 'people'}"
    else:
        detail = (agreement(consensus) or "no stage chosen").lower() if isinstance(consensus, int | float) else "no stage chosen"
    return f"The partners\u2019 survey beforehand said {median.label} ({detail})."
