"""Scoring and aggregation for the maturity model (DESIGN.md section 3).

Pure functions over plain values: no Flask, no SQLAlchemy, stdlib only, so every rule can be
unit-tested and reused by the web views, the workshop presenter screen and exports alike.

Stage values: early 1, developing 2, maturing 3, mature 4. A "don't know" vote is ``None``: it
is counted (as an abstention) and shown, never averaged.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

EARLY, DEVELOPING, MATURING, MATURE = 1, 2, 3, 4
STAGES = {1: "Early", 2: "Developing", 3: "Maturing", 4: "Mature"}
STAGE_KEYS = {1: "early", 2: "developing", 3: "maturing", 4: "mature"}
# Hampshire's summary table wrote "D" for developing, "M" for maturing and "D M" for between
# the two, so maturing keeps "M" and mature takes "Ma" to stay distinct.
STAGE_SHORT = {1: "E", 2: "D", 3: "M", 4: "Ma"}
_STAGE_BY_KEY = {key: stage for stage, key in STAGE_KEYS.items()}

# Width of the ordinal scale (mature - early), the d in Tastle & Wierman's consensus measure.
SCALE_WIDTH = MATURE - EARLY
EN_DASH = "\u2013"


def _is_stage(value: object) -> bool:
    """True for a whole-number stage 1..4 (bools are ints in Python, so rule them out)."""
    return isinstance(value, int) and not isinstance(value, bool) and EARLY <= value <= MATURE


# --------------------------------------------------------------------------------------------
# Ratings
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Rating:
    """A stage (low == high) or a position between two stages (low < high)."""

    low: int
    high: int

    def __post_init__(self) -> None:
        if not (_is_stage(self.low) and _is_stage(self.high)):
            raise ValueError(
                "a rating's stages must be whole numbers 1-4 (early to mature), "
                f"got low={self.low!r}, high={self.high!r}"
            )
        if self.low > self.high:
            raise ValueError(
                f"a rating's low stage must not be above its high stage, "
                f"got low={self.low}, high={self.high}"
            )
        # Normalise int subclasses (e.g. an IntEnum) so equality, hashing and repr are plain.
        object.__setattr__(self, "low", int(self.low))
        object.__setattr__(self, "high", int(self.high))

    @classmethod
    def single(cls, stage: int) -> Rating:
        """The rating for exactly one stage."""
        return cls(stage, stage)

    @classmethod
    def parse(cls, code: str) -> Rating:
        """Read a code such as "developing" or "developing-maturing" (lower stage first)."""
        if not isinstance(code, str):
            raise ValueError(
                "a rating code must be text such as 'developing' or 'developing-maturing', "
                f"got {code!r}"
            )
        parts = code.split("-")
        if len(parts) not in (1, 2) or any(part not in _STAGE_BY_KEY for part in parts):
            raise ValueError(
                f"unknown rating {code!r}: expected one of early, developing, maturing, mature, "
                "or two of them joined by '-', lower stage first (e.g. 'developing-maturing')"
            )
        if len(parts) == 1:
            return cls.single(_STAGE_BY_KEY[parts[0]])
        low, high = _STAGE_BY_KEY[parts[0]], _STAGE_BY_KEY[parts[1]]
        if low == high:
            raise ValueError(f"rating {code!r} names the same stage twice; write {parts[0]!r}")
        if low > high:
            raise ValueError(
                f"rating {code!r} puts the higher stage first; write '{parts[1]}-{parts[0]}'"
            )
        return cls(low, high)

    @property
    def is_between(self) -> bool:
        """True when the rating sits between two stages."""
        return self.low != self.high

    @property
    def code(self) -> str:
        """Stable text code for storage and forms: "developing" or "developing-maturing"."""
        if self.is_between:
            return f"{STAGE_KEYS[self.low]}-{STAGE_KEYS[self.high]}"
        return STAGE_KEYS[self.low]

    @property
    def label(self) -> str:
        """Display label: "Developing" or "Developing–Maturing" (en dash)."""
        if self.is_between:
            return f"{STAGES[self.low]}{EN_DASH}{STAGES[self.high]}"
        return STAGES[self.low]

    @property
    def short(self) -> str:
        """Compact label for tables and the projector: "D" or "D–M"."""
        if self.is_between:
            return f"{STAGE_SHORT[self.low]}{EN_DASH}{STAGE_SHORT[self.high]}"
        return STAGE_SHORT[self.low]

    @property
    def midpoint(self) -> float:
        """Numeric position on the 1-4 scale, used to compare ratings."""
        return (self.low + self.high) / 2

    def __str__(self) -> str:
        return self.label


def parse_rating(code: str | None) -> Rating | None:
    """A stored rating code as a Rating; None when empty or not a valid code."""
    if not code or not isinstance(code, str):
        return None
    return _parse_code(code)


@lru_cache(maxsize=128)
def _parse_code(code: str) -> Rating | None:
    """Rating codes are few (ten good ones) and a Rating is immutable, so each is read once:
    the national benchmark reads two codes per strand of every assessment in the country."""
    try:
        return Rating.parse(code)
    except ValueError:
        return None


# The values a person may record by hand: each stage and each adjacent pair, in scale order.
# (Non-adjacent Ratings still exist, e.g. the median of [1, 1, 3, 3], but nobody should choose one.)
RATINGS: tuple[Rating, ...] = (
    Rating(1, 1),
    Rating(1, 2),
    Rating(2, 2),
    Rating(2, 3),
    Rating(3, 3),
    Rating(3, 4),
    Rating(4, 4),
)
RATING_CHOICES: list[tuple[str, str]] = [(rating.code, rating.label) for rating in RATINGS]


# --------------------------------------------------------------------------------------------
# Vote summaries
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoteSummary:
    """Summary of one round of votes (or of any tally of stage votes)."""

    n: int  # votes excluding "don't know"
    abstentions: int  # "don't know" votes
    counts: dict[int, int]  # always all four stages 1..4
    shares: dict[int, float]  # count / n; 0.0 when n == 0
    mean: float | None
    median_low: int | None  # differs from median_high only when n is even and the middle differs
    median_high: int | None
    modes: tuple[int, ...]  # stages sharing the top count, ascending; () when n == 0
    consensus: float | None  # Tastle-Wierman, 0..1

    @property
    def median(self) -> Rating | None:
        """The median as a Rating, between two stages when the middle two votes differ."""
        if self.median_low is None or self.median_high is None:
            return None
        return Rating(self.median_low, self.median_high)

    @property
    def total(self) -> int:
        """Everyone who voted, including "don't know"."""
        return self.n + self.abstentions


def _check_count(value: object, what: str) -> int:
    """Return a non-negative whole-number count or raise ValueError naming it."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{what} must be a whole number 0 or more, got {value!r}")
    return int(value)


def _nth_vote(counts: Mapping[int, int], index: int) -> int:
    """The stage of the index-th vote (0-based) when the votes are sorted."""
    seen = 0
    for stage in STAGES:
        seen += counts[stage]
        if index < seen:
            return stage
    raise IndexError(index)  # unreachable while 0 <= index < n


def _consensus(counts: Mapping[int, int], n: int) -> float:
    """Tastle-Wierman consensus for a non-empty tally with all four stages present."""
    mean = sum(stage * count for stage, count in counts.items()) / n
    total = 0.0
    for stage, count in counts.items():
        if count == 0:
            continue  # p_i = 0 contributes nothing (and log2(0) would be -inf)
        # |X_i - mean| reaches the full width only if everyone voted the other extreme, in which
        # case this stage's count is 0 and it was skipped above, so log2 never sees 0.
        total += (count / n) * math.log2(1 - abs(stage - mean) / SCALE_WIDTH)
    # The measure is 0..1 in exact arithmetic; clamp float noise such as 1.0000000000000002.
    return min(1.0, max(0.0, 1.0 + total))


def _summary(counts: dict[int, int], abstentions: int) -> VoteSummary:
    """Build the summary from a complete, validated tally (the one code path for both entries)."""
    n = sum(counts.values())
    if n == 0:
        return VoteSummary(
            n=0,
            abstentions=abstentions,
            counts=counts,
            shares=dict.fromkeys(STAGES, 0.0),
            mean=None,
            median_low=None,
            median_high=None,
            modes=(),
            consensus=None,
        )
    top = max(counts.values())
    return VoteSummary(
        n=n,
        abstentions=abstentions,
        counts=counts,
        shares={stage: counts[stage] / n for stage in STAGES},
        mean=sum(stage * count for stage, count in counts.items()) / n,
        median_low=_nth_vote(counts, (n - 1) // 2),
        median_high=_nth_vote(counts, n // 2),
        modes=tuple(stage for stage in STAGES if counts[stage] == top),
        consensus=_consensus(counts, n),
    )


def _tally(counts: Mapping[int | None, int], abstentions: int) -> tuple[dict[int, int], int]:
    """Validate a stage -> count mapping; a None key (a GROUP BY on a nullable column) abstains."""
    abstentions = _check_count(abstentions, "abstentions")
    tally = dict.fromkeys(STAGES, 0)
    for stage, count in counts.items():
        if stage is None:
            abstentions += _check_count(count, "the count of don't-know votes")
        elif _is_stage(stage):
            tally[int(stage)] += _check_count(count, f"the count for stage {stage}")
        else:
            raise ValueError(
                f"not a stage: {stage!r} (expected 1-4, early to mature, or None for don't know)"
            )
    return tally, abstentions


def summarise_counts(counts: Mapping[int | None, int], abstentions: int = 0) -> VoteSummary:
    """Summarise a tally of stage -> count; equals summarise_votes on the expanded votes."""
    tally, abstentions = _tally(counts, abstentions)
    return _summary(tally, abstentions)


def summarise_votes(votes: Iterable[int | None]) -> VoteSummary:
    """Summarise individual votes: 1-4 for a stage, None for "don't know"."""
    tally = dict.fromkeys(STAGES, 0)
    abstentions = 0
    for vote in votes:
        if vote is None:
            abstentions += 1
        elif _is_stage(vote):
            tally[int(vote)] += 1
        else:
            raise ValueError(
                f"not a vote: {vote!r} (expected 1-4, early to mature, or None for don't know)"
            )
    return _summary(tally, abstentions)


def consensus(counts: Mapping[int, int]) -> float | None:
    """Tastle-Wierman consensus 1 + sum p_i*log2(1 - |X_i - mean|/3); None with no votes."""
    tally, _ = _tally(counts, 0)  # a None key is "don't know": it never enters the measure
    n = sum(tally.values())
    return _consensus(tally, n) if n else None


# --------------------------------------------------------------------------------------------
# Several rounds of one strand: each person counts once
# --------------------------------------------------------------------------------------------
#
# A strand voted element by element (delivery's structures and processes, leadership's four
# elements, workforce development's four) has one round per element, and the same people vote
# in each. Pooling the rounds' tallies would count each person once per element (23 people
# became n=43), so the strand's result is built per person instead: each person's median across
# the elements they rated, rounded down when it falls between two stages (the cautious rounding
# the one-voice view uses: a stage is claimed only when it can be shown), then the usual
# summary of those medians. Someone who said "don't know" to every element they were asked
# abstains once; n and abstentions count distinct people. The element results are reported as
# they are, beside it.


def person_median(votes: Iterable[int | None]) -> int | None:
    """One person's answer across several elements: their median stage, the lower when between."""
    return summarise_votes(votes).median_low


def summarise_people(ballots: Iterable[tuple[Hashable, int | None]]) -> VoteSummary:
    """Summarise (person, vote) pairs from several rounds, each person once by their median."""
    by_person: dict[Hashable, list[int | None]] = {}
    for person, vote in ballots:
        by_person.setdefault(person, []).append(vote)
    return summarise_votes(person_median(votes) for votes in by_person.values())


def hand_counted_people(
    rounds: Iterable[Mapping[int | None, int]],
) -> list[tuple[tuple[str, int], int | None]]:
    """(person, vote) pairs for hand counts from several rounds, paired by rank.

    Cards and raised hands carry no name, so nobody can say which card in one round was the
    same person's as which in the next. The k-th lowest card of each round is taken to be the
    k-th hand-counted person's (a "don't know" after every stage): that counts as many people
    as the round with the most cards, each once, and each person's median stays between the
    rounds' own results.
    """
    pairs: list[tuple[tuple[str, int], int | None]] = []
    for counts in rounds:
        tally, abstentions = _tally(counts, 0)
        cards: list[int | None] = [s for s in STAGES for _ in range(tally[s])]
        cards += [None] * abstentions
        pairs.extend((("hand count", rank), card) for rank, card in enumerate(cards))
    return pairs


# --------------------------------------------------------------------------------------------
# Evidenced stage
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NextStage:
    """Progress toward the stage above the evidenced one: its achievements with evidence."""

    stage: int
    evidenced: int
    total: int

    @property
    def text(self) -> str:
        """'maturing 5 of 8 achievements evidenced'."""
        noun = "achievement" if self.total == 1 else "achievements"
        return f"{STAGE_KEYS[self.stage]} {self.evidenced} of {self.total} {noun} evidenced"


@dataclass(frozen=True)
class StageEvidence:
    """The evidenced stage of an element or strand, what caps it, and progress to the next."""

    stage: int
    #: the highest stage whose achievements are all evidenced, before any cap
    achieved: int
    #: the lowest stage with a limitation that evidence shows still holds; None when none does
    cap: int | None
    #: None at mature, or when no stage above has achievements to evidence
    next_stage: NextStage | None

    @property
    def capped(self) -> bool:
        """True when a limitation's evidence holds the stage below what the achievements show."""
        return self.stage < self.achieved

    @property
    def label(self) -> str:
        """'Developing · maturing 5 of 8 achievements evidenced', or just 'Mature'."""
        parts = [STAGES[self.stage]]
        if self.next_stage is not None:
            parts.append(self.next_stage.text)
        if self.capped:
            parts.append(f"held back: a {STAGE_KEYS[self.cap]} limitation still holds")
        return " \u00b7 ".join(parts)


def _stage_keys(
    by_stage: Mapping[int, Iterable[str]], what: str
) -> dict[int, set[str]]:
    """Validate a stage -> feature keys mapping and return it as sets."""
    checked: dict[int, set[str]] = {}
    for stage, features in by_stage.items():
        if not _is_stage(stage):
            raise ValueError(f"not a stage: {stage!r} (expected 1-4, early to mature)")
        if isinstance(features, str):
            # A bare string would be read one character at a time and silently match nothing.
            raise ValueError(
                f"{what} for stage {stage} must be a collection of feature keys, "
                f"not the single string {features!r}"
            )
        checked[int(stage)] = set(features)
    return checked


def stage_evidence(
    achievements: Mapping[int, Iterable[str]],
    supported: Collection[str],
    limitations: Mapping[int, Iterable[str]] | None = None,
) -> StageEvidence:
    """The evidenced stage under the toolkit's rule (DESIGN.md section 3).

    A stage is evidenced when every achievement feature of it has evidence (`supported` holds
    the keys of features with at least one non-rejected evidence item); limitations need none.
    The result is the highest evidenced stage, early when none, lowered to the stage of any
    limitation that evidence shows still holds.
    """
    supported_keys = set(supported)
    wanted = _stage_keys(achievements, "achievements")
    shortcomings = _stage_keys(limitations or {}, "limitations")
    # Early is where every area starts, so it needs no evidence; a stage with nothing to
    # evidence is not claimed by default. Each stage is judged on its own achievements (the
    # toolkit's words), so a fully evidenced mature stage counts even if a maturing achievement
    # lacks evidence: the reviewers of the rating question that gap.
    evidenced = {
        stage for stage, keys in wanted.items() if stage != EARLY and keys and keys <= supported_keys
    }
    best = max(evidenced, default=EARLY)
    held = [stage for stage, keys in shortcomings.items() if keys & supported_keys]
    cap = min(held) if held else None
    # Under a cap, the highest stage that is itself evidenced and not above the cap.
    result = best if cap is None else max((s for s in evidenced if s <= cap), default=EARLY)
    above = result + 1
    next_keys = wanted.get(above, set())
    next_stage = (
        NextStage(above, len(next_keys & supported_keys), len(next_keys)) if next_keys else None
    )
    return StageEvidence(stage=result, achieved=best, cap=cap, next_stage=next_stage)


def evidenced_stage(
    achievements: Mapping[int, Iterable[str]],
    supported: Collection[str],
    limitations: Mapping[int, Iterable[str]] | None = None,
) -> int:
    """The evidenced stage alone (see stage_evidence)."""
    return stage_evidence(achievements, supported, limitations).stage


# --------------------------------------------------------------------------------------------
# Flags
# --------------------------------------------------------------------------------------------

CLAIM_ABOVE_EVIDENCE = "claim_above_evidence"
LOW_CONSENSUS_FLAG = "low_consensus"
PARTNER_DIVERGENCE = "partner_divergence"
SELF_ROOM_GAP = "self_room_gap"
PEER_CHALLENGE = "peer_challenge"
ONE_KIND_OF_EVIDENCE = "one_kind_of_evidence"

FLAG_LABELS = {
    CLAIM_ABOVE_EVIDENCE: "Claim above evidence",
    LOW_CONSENSUS_FLAG: "Low consensus",
    PARTNER_DIVERGENCE: "Partner divergence",
    SELF_ROOM_GAP: "Self-rating differs from the room",
    PEER_CHALLENGE: "Peer challenge",
    ONE_KIND_OF_EVIDENCE: "Evidence of one kind only",
}

LOW_CONSENSUS = 0.5  # consensus strictly below this is flagged
DIVERGENCE_STAGES = 1.0  # a gap of this many stages or more is flagged

#: Plain words for the consensus measure, for a room that should not have to read a number.
#: 1 means everyone chose one stage; half the room on each of two neighbouring stages scores
#: about 0.74 ("mixed views"); three in four on one stage and the rest on a neighbour about
#: 0.80; anything the low-consensus flag marks (below 0.5) is "split", as is a room divided
#: between stages two apart (0.42) or between early and mature (0).
STRONG_AGREEMENT = 0.8
AGREEMENT_WORDS = ("Strong agreement", "Mixed views", "Split")


def agreement(consensus: float | None) -> str | None:
    """The consensus in plain words: "Strong agreement" from 0.8, "Mixed views" from 0.5 (the
    low-consensus flag's line) and "Split" below it; None when nobody voted for a stage."""
    if consensus is None:
        return None
    if consensus >= STRONG_AGREEMENT:
        return AGREEMENT_WORDS[0]
    if consensus >= LOW_CONSENSUS:
        return AGREEMENT_WORDS[1]
    return AGREEMENT_WORDS[2]


@dataclass(frozen=True)
class Flag:
    """A warning shown beside a rating: stable code, short label, one-sentence detail."""

    code: str
    label: str
    detail: str


def _flag(code: str, detail: str) -> Flag:
    return Flag(code=code, label=FLAG_LABELS[code], detail=detail)


def _stages_text(gap: float) -> str:
    """'1 stage', '1.5 stages', '2 stages'."""
    return f"{gap:g} stage" + ("" if gap == 1 else "s")


def _join(items: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


class ShownGroup(Protocol):
    """What the flags read of a partner type's published summary: core.anonymity's GroupSummary,
    which builds on this module (so this module names the shape rather than importing it)."""

    @property
    def group(self) -> str: ...

    @property
    def suppressed(self) -> bool: ...

    @property
    def summary(self) -> VoteSummary | None: ...


def strand_flags(
    *,
    self_rating: Rating | None = None,
    agreed_rating: Rating | None = None,
    evidenced: int | None = None,
    room: VoteSummary | None = None,
    groups: Sequence[ShownGroup] = (),
    group_medians: Sequence[tuple[str, Rating]] = (),
    peer_rating: Rating | None = None,
    qualitative: int = 0,
    quantitative: int = 0,
    toward_next: int = 0,
) -> list[Flag]:
    """The flags that apply to one strand (or element), in a fixed order; [] when none.

    `toward_next` counts the achievements of the stage above the evidenced one that have
    evidence (StageEvidence.next_stage.evidenced).

    Partner types come either as the round's published groups or, for a result carried into
    an assessment, as the (partner type, median) pairs it published.
    """
    if evidenced is not None and not _is_stage(evidenced):
        raise ValueError(f"evidenced must be a stage 1-4 or None, got {evidenced!r}")
    qualitative = _check_count(qualitative, "qualitative")
    quantitative = _check_count(quantitative, "quantitative")
    flags: list[Flag] = []
    room_median = room.median if room is not None else None

    # The agreed rating supersedes the self-rating once it exists, so judge whichever is current.
    claim, claim_name = (
        (agreed_rating, "agreed rating")
        if agreed_rating is not None
        else (self_rating, "self-rating")
    )
    # A claim between two stages says the lower one is reached and the upper one under way, so
    # it stands on the evidence when the lower stage is evidenced and some achievement of the
    # upper one has evidence (toward_next); a claim of a whole stage needs the stage evidenced.
    if claim is not None and evidenced is not None and claim.high > evidenced:
        under_way = claim.is_between and claim.low == evidenced and toward_next > 0
        if not under_way:
            missing = (
                f"no {STAGE_KEYS[claim.high]} achievement has evidence yet"
                if claim.is_between and claim.low == evidenced
                else "every achievement of a stage needs evidence to claim it"
            )
            flags.append(
                _flag(
                    CLAIM_ABOVE_EVIDENCE,
                    f"The {claim_name} ({claim.label}) is above the evidenced stage "
                    f"({STAGES[evidenced]}): {missing}.",
                )
            )

    if room is not None and room.consensus is not None and room.consensus < LOW_CONSENSUS:
        # Never print a rounded "0.50" next to "below 0.5".
        shown = min(round(room.consensus, 2), LOW_CONSENSUS - 0.01)
        flags.append(
            _flag(
                LOW_CONSENSUS_FLAG,
                f"Consensus in the room was {shown:.2f}, below {LOW_CONSENSUS:g}, "
                f"across {room.n} votes.",
            )
        )

    if room_median is not None:
        medians = [
            (g.group, g.summary.median)
            for g in groups
            if not g.suppressed and g.summary is not None and g.summary.median is not None
        ]
        medians += list(group_medians)
        divergent = [
            f"{group} (median {median.label})"
            for group, median in medians
            if abs(median.midpoint - room_median.midpoint) >= DIVERGENCE_STAGES
        ]
        if divergent:
            verb = "is" if len(divergent) == 1 else "are"
            flags.append(
                _flag(
                    PARTNER_DIVERGENCE,
                    f"{_join(divergent)} {verb} a stage or more from "
                    f"the room's median ({room_median.label}).",
                )
            )

    if self_rating is not None and room_median is not None:
        gap = abs(self_rating.midpoint - room_median.midpoint)
        if gap >= DIVERGENCE_STAGES:
            flags.append(
                _flag(
                    SELF_ROOM_GAP,
                    f"The self-rating ({self_rating.label}) is {_stages_text(gap)} from "
                    f"the room's median ({room_median.label}).",
                )
            )

    if peer_rating is not None and agreed_rating is not None and peer_rating != agreed_rating:
        flags.append(
            _flag(
                PEER_CHALLENGE,
                f"The peer reviewer rated this {peer_rating.label}; "
                f"the agreed rating is {agreed_rating.label}.",
            )
        )

    total = qualitative + quantitative
    if total and (qualitative == 0 or quantitative == 0):
        kind, missing = (
            ("qualitative", "quantitative")
            if quantitative == 0
            else ("quantitative", "qualitative")
        )
        items = "The only evidence item is" if total == 1 else f"All {total} evidence items are"
        flags.append(
            _flag(
                ONE_KIND_OF_EVIDENCE,
                f"{items} {kind}; the toolkit asks for a mix, so add {missing} evidence.",
            )
        )

    return flags
