"""Peer matching: which areas would make good peer review partners for an assessment.

Pure: plain values in, plain values out. The toolkit asks an area to find the best "fit" for its
peer review from its strengths and weaknesses and its kind of area, and the national team
brokers the pairs. A good partner is strong (maturing or mature) in the strands where this
assessment is weak (early or developing), is a similar kind of area, and has not been paired with
this area in the last twelve months. Every suggestion says why in a sentence.

A rating between two stages counts at its lower stage, as elsewhere in the product: "developing
to maturing" is still developing for matching, so it is weak in the subject and not yet strong in
a candidate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from maturity.core.scoring import MATURING, STAGES, Rating

#: Kinds of area (keys of core.vocabulary.AREA_KINDS) as they read after "also".
KIND_PHRASES = {
    "county": "a county",
    "district": "a district or borough",
    "unitary": "a unitary authority",
    "metropolitan": "a metropolitan borough",
    "london": "a London borough",
}
#: Kinds that are alike though not the same: every single-tier council runs all local services.
SINGLE_TIER = frozenset({"unitary", "metropolitan", "london"})

#: Weights of the score: each complementary strand counts far more than anything else, then the
#: size of the gaps, then the kind of area.
PER_STRAND = 10.0
SAME_KIND = 3.0
SIMILAR_KIND = 1.5


@dataclass(frozen=True)
class AreaProfile:
    """An area as matching sees it: its kind and its standing rating per strand key."""

    area_id: int
    name: str
    kind: str
    ratings: Mapping[str, Rating]


@dataclass(frozen=True)
class Suggestion:
    area_id: int
    name: str
    kind: str
    score: float
    #: strand keys where the candidate is strong and the subject weak, in framework order
    strands: tuple[str, ...]
    same_kind: bool
    similar_kind: bool
    reason: str


def is_weak(rating: Rating | None) -> bool:
    """Early or developing (a between rating counts at its lower stage)."""
    return rating is not None and rating.low < MATURING


def is_strong(rating: Rating | None) -> bool:
    """Maturing or mature (a between rating counts at its lower stage)."""
    return rating is not None and rating.low >= MATURING


def one_year_before(today: date) -> date:
    """The same day a year earlier (28 February for 29 February)."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:
        return today.replace(year=today.year - 1, day=28)


def paired_recently(last_paired: date | None, today: date) -> bool:
    """True when the two areas were paired for a peer review in the last twelve months."""
    return last_paired is not None and last_paired > one_year_before(today)


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _kind_likeness(a: str, b: str) -> tuple[bool, bool]:
    same = a == b
    return same, same or (a in SINGLE_TIER and b in SINGLE_TIER)


def explain(
    strands: Iterable[str],
    subject: AreaProfile,
    strand_names: Mapping[str, str],
    same_kind: bool,
    similar_kind: bool,
) -> str:
    """"Strong in leadership and culture where you are developing; also a county"."""
    by_stage: dict[int, list[str]] = {}
    for key in strands:
        stage = subject.ratings[key].low
        by_stage.setdefault(stage, []).append(_lower_first(strand_names.get(key, key)))
    # The strands where the subject is furthest behind come first: that is the biggest need.
    parts = [
        f"in {_join(names)} where you are {STAGES[stage].lower()}"
        for stage, names in sorted(by_stage.items())
    ]
    sentence = "Strong " + ", and ".join(parts)
    if same_kind:
        sentence += f"; also {KIND_PHRASES.get(subject.kind, 'the same kind of area')}"
    elif similar_kind:
        sentence += "; also a single-tier authority"
    return sentence


def suggest_partners(
    subject: AreaProfile,
    candidates: Iterable[AreaProfile],
    strand_names: Mapping[str, str],
    last_paired: Mapping[int, date] | None = None,
    today: date | None = None,
    limit: int | None = 10,
) -> list[Suggestion]:
    """Rank candidate areas as peer review partners for the subject, best first, with reasons.

    Only candidates strong in at least one strand where the subject is weak are suggested; the
    subject's own area and areas paired with it in the last twelve months are left out.
    `strand_names` gives the order and the words used for the strands (short names read best).
    """
    last_paired = last_paired or {}
    today = today or date.today()
    order = {key: position for position, key in enumerate(strand_names)}
    weak = [key for key, rating in subject.ratings.items() if is_weak(rating)]
    suggestions = []
    for candidate in candidates:
        if candidate.area_id == subject.area_id:
            continue
        if paired_recently(last_paired.get(candidate.area_id), today):
            continue
        strands = sorted(
            (key for key in weak if is_strong(candidate.ratings.get(key))),
            key=lambda key: (order.get(key, len(order)), key),
        )
        if not strands:
            continue
        same_kind, similar_kind = _kind_likeness(subject.kind, candidate.kind)
        gaps = sum(
            candidate.ratings[key].midpoint - subject.ratings[key].midpoint for key in strands
        )
        score = PER_STRAND * len(strands) + gaps
        score += SAME_KIND if same_kind else SIMILAR_KIND if similar_kind else 0.0
        suggestions.append(
            Suggestion(
                area_id=candidate.area_id,
                name=candidate.name,
                kind=candidate.kind,
                score=score,
                strands=tuple(strands),
                same_kind=same_kind,
                similar_kind=similar_kind,
                reason=explain(strands, subject, strand_names, same_kind, similar_kind),
            )
        )
    suggestions.sort(key=lambda s: (-s.score, s.name.casefold(), s.area_id))
    return suggestions if limit is None else suggestions[:limit]
