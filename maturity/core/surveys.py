"""Surveys before (or instead of) a workshop, as data: the optional questions a survey may ask
about the person answering, and which one breaks the results down.

A survey's ratings are published by the same rule as a workshop round
(maturity.core.anonymity.publish_round) with one partition: the breakdown question the
coordinator chose. The other optional questions are only ever counted (how many answered from
each grade), never set beside a stage: two breakdowns of the same people could be laid over
each other to pick out a small group that neither shows on its own.

Pure: no Flask, no database.
"""

import hashlib
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from maturity.core.anonymity import PublishedRound, publish_round
from maturity.core.scoring import person_median
from maturity.core.vocabulary import ORGANISATION_TYPES

#: The longest reason a person may give for a rating.
MAX_REASON = 500

#: Staff grades, as the toolkit suggests a breakdown by grade; broad bands so that few people
#: share a band with nobody else.
GRADES: dict[str, str] = {
    "practitioner": "Practitioner",
    "senior-practitioner": "Senior practitioner or team leader",
    "manager": "Manager",
    "senior-manager": "Senior manager or director",
}

#: What the person's work is, in broad terms.
ROLES: dict[str, str] = {
    "direct": "Works directly with families",
    "supervises": "Supervises or manages people who do",
    "plans": "Plans, commissions or leads services",
    "other": "Another role",
}

#: The optional questions, in the order asked: field name, label, choices.
QUESTIONS: dict[str, tuple[str, dict[str, str]]] = {
    "org_type": ("Kind of organisation", ORGANISATION_TYPES),
    "grade": ("Grade", GRADES),
    "role": ("Role", ROLES),
}

STATUSES: dict[str, str] = {"setup": "Not opened yet", "open": "Open", "closed": "Closed"}


def label(question: str, value: str | None) -> str | None:
    """The words for one answer to an optional question; None when not given."""
    if value is None:
        return None
    return QUESTIONS[question][1].get(value, value)


# --------------------------------------------------------------------------------------------
# What a finished survey may publish
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedItem:
    """Everything about one survey question (a strand or an element) that may leave the server."""

    #: the ratings, by the workshops' rule (maturity.core.anonymity.publish_round)
    ratings: PublishedRound
    #: the reasons people gave, sorted, with nothing that says whose, which stage or when;
    #: empty when fewer than SUPPRESS_BELOW people answered
    reasons: tuple[str, ...]


def publish_item(answers: Iterable[tuple[str | None, int | None, str | None]]) -> PublishedItem:
    """The publishable result of one question from (group, stage, reason) per person.

    The group is the person's answer to the survey's breakdown question (None when not given),
    the stage 1-4 or None for "don't know", the reason their "why?" (None or blank when they
    gave none, or when the coordinator hid it). Reasons go out as a sorted list, never beside a
    stage, a group or the order people answered in, and only when at least three people
    answered the question: with one or two, a reason is as good as signed.
    """
    rows = list(answers)
    ratings = publish_round((group, stage) for group, stage, _ in rows)
    given = (reason.strip() for _, _, reason in rows if reason and reason.strip())
    reasons = tuple(sorted(given, key=str.casefold)) if ratings.room is not None else ()
    return PublishedItem(ratings=ratings, reasons=reasons)


def publish_strand(ballots: Iterable[tuple[Hashable, str | None, int | None]]) -> PublishedRound:
    """A strand asked element by element: each person once, by the median of the elements they
    rated (the lower stage when between, as in workshops), then the workshops' rule.

    `ballots` are (person, group, stage) for every element answer.
    """
    groups: dict[Hashable, str | None] = {}
    stages: dict[Hashable, list[int | None]] = {}
    for person, group, stage in ballots:
        groups[person] = group
        stages.setdefault(person, []).append(stage)
    return publish_round((groups[person], person_median(votes)) for person, votes in stages.items())


def reason_digest(reason: str) -> str:
    """A short fingerprint of a reason's words: how the coordinator's "hide" button names the
    reason without an answer's id, whose order would say who answered when."""
    return hashlib.sha256(reason.strip().encode("utf-8")).hexdigest()[:20]
