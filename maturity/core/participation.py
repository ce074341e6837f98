"""Who took part in an assessment: which kinds of partner voted in a workshop or brought evidence.

The toolkit asks the core partners (local authority, police, health, schools, Jobcentre Plus,
probation, housing, the voluntary sector) to co-own the assessment, so a core type that neither
voted in any of its workshops nor owns any of its evidence is a gap: "No voice from health".
Rejected evidence does not count; the caller leaves it out. An area may choose its own core
types. Only whether a kind of partner voted is used, never how it voted or how many came.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from maturity.core.vocabulary import ORGANISATION_TYPES, ORGANISATION_VOICES


def no_voice_from(org_type: str) -> str:
    """The gap's wording, e.g. "No voice from health"."""
    return f"No voice from {ORGANISATION_VOICES.get(org_type, org_type)}"


@dataclass(frozen=True)
class PartnerPart:
    """One kind of partner: where it took part."""

    org_type: str
    core: bool
    voted: tuple[bool, ...]  # per workshop, in the order the workshops were given
    evidence: int  # evidence items it owns (not rejected)

    @property
    def label(self) -> str:
        return ORGANISATION_TYPES.get(self.org_type, self.org_type)

    @property
    def took_part(self) -> bool:
        return any(self.voted) or self.evidence > 0


@dataclass(frozen=True)
class Participation:
    """Who took part, core types first (in the area's order), then any other type that did."""

    parts: tuple[PartnerPart, ...]

    @property
    def gaps(self) -> list[str]:
        """Core types that neither voted nor brought evidence."""
        return [p.org_type for p in self.parts if p.core and not p.took_part]

    @property
    def gap_labels(self) -> list[str]:
        return [no_voice_from(t) for t in self.gaps]

    @property
    def core_taking_part(self) -> list[PartnerPart]:
        return [p for p in self.parts if p.core and p.took_part]

    @property
    def others(self) -> list[PartnerPart]:
        """Types outside the core that took part anyway (fire and rescue, say)."""
        return [p for p in self.parts if not p.core]

    def voted_in(self, index: int) -> list[PartnerPart]:
        """The kinds of partner with someone voting in the workshop at `index`."""
        return [p for p in self.parts if p.voted[index]]

    def workshop_gaps(self, index: int) -> list[str]:
        """Core types with nobody voting in the workshop at `index`."""
        return [p.org_type for p in self.parts if p.core and not p.voted[index]]

    def workshop_gap_labels(self, index: int) -> list[str]:
        return [no_voice_from(t) for t in self.workshop_gaps(index)]


def who_took_part(
    core_types: Sequence[str],
    voted_by_workshop: Sequence[Collection[str | None]],
    evidence_by_type: Mapping[str | None, int],
) -> Participation:
    """Combine the core types, the types that voted in each workshop and the evidence owners."""
    core = list(dict.fromkeys(core_types))
    seen = {t for voted in voted_by_workshop for t in voted if t} | {
        t for t, n in evidence_by_type.items() if t and n > 0
    }
    others = [t for t in ORGANISATION_TYPES if t in seen and t not in core]
    others += sorted(seen - set(core) - set(others))
    return Participation(
        tuple(
            PartnerPart(
                org_type=t,
                core=t in core,
                voted=tuple(t in voted for voted in voted_by_workshop),
                evidence=evidence_by_type.get(t, 0),
            )
            for t in core + others
        )
    )
