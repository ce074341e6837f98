"""Surveys before (or instead of) a workshop, as data: the optional questions a survey may ask
about the person answering, and which one breaks the results down.

A survey's ratings are published by the same rule as a workshop round
(maturity.core.anonymity.publish_round) with one partition: the breakdown question the
coordinator chose. The other optional questions are only ever counted (how many answered from
each grade), never set beside a stage: two breakdowns of the same people could be laid over
each other to pick out a small group that neither shows on its own.

Pure: no Flask, no database.
"""

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
