"""All models, imported here so Alembic and the app see the whole schema."""

from maturity.models.accounts import Membership, User, UserSession
from maturity.models.areas import Area, Organisation
from maturity.models.assessments import (
    ACTION_STATUSES,
    ASSESSMENT_STATUSES,
    Action,
    Assessment,
    ElementRating,
    HistoryEntry,
    StrandRating,
)
from maturity.models.evidence import (
    EVIDENCE_KINDS,
    EVIDENCE_STATUSES,
    ApiToken,
    Evidence,
    evidence_features,
)
from maturity.models.families import (
    QUESTIONNAIRE_STATUSES,
    FamilyAnswer,
    FamilyQuestionnaire,
    FamilyResponse,
)
from maturity.models.framework import Element, Feature, FrameworkVersion, Strand
from maturity.models.reviews import (
    REVIEW_POSITIONS,
    REVIEW_STATUSES,
    PeerReview,
    PeerStrandReview,
    peer_review_reviewers,
)
from maturity.models.surveys import Survey, SurveyAnswer, SurveyItem, SurveyResponse
from maturity.models.workshops import (
    ROUND_STATES,
    WORKSHOP_STATUSES,
    ManualTally,
    Participant,
    Round,
    Vote,
    Workshop,
)

__all__ = [
    "Survey",
    "SurveyAnswer",
    "SurveyItem",
    "SurveyResponse",
    "QUESTIONNAIRE_STATUSES",
    "FamilyAnswer",
    "FamilyQuestionnaire",
    "FamilyResponse",
    "ACTION_STATUSES",
    "ASSESSMENT_STATUSES",
    "EVIDENCE_KINDS",
    "EVIDENCE_STATUSES",
    "Action",
    "ApiToken",
    "Assessment",
    "ElementRating",
    "Evidence",
    "HistoryEntry",
    "StrandRating",
    "evidence_features",
    "Area",
    "Element",
    "Feature",
    "FrameworkVersion",
    "Membership",
    "PeerReview",
    "PeerStrandReview",
    "REVIEW_POSITIONS",
    "REVIEW_STATUSES",
    "peer_review_reviewers",
    "Organisation",
    "Strand",
    "User",
    "UserSession",
    "ManualTally",
    "Participant",
    "ROUND_STATES",
    "Round",
    "Vote",
    "WORKSHOP_STATUSES",
    "Workshop",
]
