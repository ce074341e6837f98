"""Writes for assessments: open a cycle, record ratings, move through the lifecycle.

Every change of state or rating goes through `record_history`. Functions change the objects,
flush, and leave the commit to the request. A refusal the user can act on raises
`OperationError` with a sentence to show them.
"""

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from secrets import token_hex
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from maturity.assessments.queries import latest_submitted_review
from maturity.core.scoring import RATINGS, Rating
from maturity.errors import OperationError
from maturity.extensions import db
from maturity.history import record_history
from maturity.models import (
    ACTION_STATUSES,
    ASSESSMENT_STATUSES,
    Action,
    Area,
    Assessment,
    Element,
    ElementRating,
    Evidence,
    Feature,
    FrameworkVersion,
    Organisation,
    Strand,
    StrandRating,
    User,
)
from maturity.models.base import utcnow

#: The lifecycle in order; an assessment moves forward one step at a time.
STATUS_ORDER: list[str] = list(ASSESSMENT_STATUSES)
#: Once governance has confirmed the ratings they are locked until someone steps back.
LOCKED_STATUSES = frozenset({"confirmed", "peer_reviewed", "shared"})


def create_assessment(
    area: Area,
    framework: FrameworkVersion,
    title: str,
    period_label: str,
    user: User | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
    previous: Assessment | None = None,
) -> Assessment:
    """Open an assessment cycle with an empty rating row for every strand of its framework."""
    assessment = Assessment(
        area=area,
        framework=framework,
        title=title.strip(),
        period_label=period_label.strip(),
        period_start=period_start,
        period_end=period_end,
        previous=previous,
        created_by=user,
        status="draft",
    )
    db.session.add(assessment)
    for strand in framework.strands:
        assessment.strand_ratings.append(StrandRating(strand=strand))
    db.session.flush()
    record_history(assessment, user, "status", None, None, "draft", note="Assessment opened")
    db.session.flush()
    return assessment


# --------------------------------------------------------------------------------------------
# Ratings
# --------------------------------------------------------------------------------------------


def rating_code(code: str | None) -> str:
    """The canonical code of a rating a person may record, or OperationError."""
    try:
        rating = Rating.parse((code or "").strip())
    except ValueError:
        rating = None
    if rating is None or rating not in RATINGS:
        raise OperationError(
            "Choose a rating from the list: one stage, or between two neighbouring stages"
        )
    return rating.code


def is_locked(assessment: Assessment) -> bool:
    return assessment.status in LOCKED_STATUSES


def _check_unlocked(assessment: Assessment) -> None:
    if is_locked(assessment):
        raise OperationError(
            f"The ratings are locked because the assessment is "
            f"{assessment.status_label.lower()}. Step it back to \u2018Agreed with partners\u2019 "
            "to change them."
        )


def strand_row(assessment: Assessment, strand: Strand) -> StrandRating:
    """The assessment's rating row for a strand, created if the framework gained a strand."""
    if strand.framework_id != assessment.framework_id:
        raise OperationError("That strand belongs to a different version of the model")
    row = assessment.rating_for(strand)
    if row is None:
        row = StrandRating(strand=strand)
        assessment.strand_ratings.append(row)
    return row


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def _rating_given(assessment: Assessment, code: str, rationale: str | None) -> tuple[str, str | None]:
    """The rating and rationale given, checked and tidied, once the ratings may still change."""
    _check_unlocked(assessment)
    return rating_code(code), _clean(rationale)


def set_self_rating(
    assessment: Assessment, strand: Strand, code: str, rationale: str | None, user: User | None
) -> StrandRating:
    """Record the desktop self rating of a strand, with its rationale."""
    code, rationale = _rating_given(assessment, code, rationale)
    row = strand_row(assessment, strand)
    changed, old = _give_self_rating(row, code, rationale)
    if changed:
        row.self_rated_by = user
        row.self_rated_at = utcnow()
        _recorded(assessment, user, "self_rating", strand.short_name, old, code, rationale)
    return row


def _give_self_rating(
    row: StrandRating | ElementRating, code: str, rationale: str | None
) -> tuple[bool, str | None]:
    """Give a rating row its new self rating: (whether that changed it, the rating it had)."""
    old = row.self_rating
    if old == code and row.self_rationale == rationale:
        return False, old
    row.self_rating = code
    row.self_rationale = rationale
    return True, old


def _recorded(
    assessment: Assessment, user: User | None, kind: str, subject: str, old: str | None, code: str,
    rationale: str | None,
) -> None:
    """Write the change, then its line in the history."""
    db.session.flush()
    record_history(assessment, user, kind, subject, old, code, note=rationale)
    db.session.flush()


def set_element_rating(
    assessment: Assessment, element: Element, code: str, rationale: str | None, user: User | None
) -> ElementRating:
    """Record the desktop self rating of one element of a strand."""
    code, rationale = _rating_given(assessment, code, rationale)
    if element.strand.framework_id != assessment.framework_id:
        raise OperationError("That element belongs to a different version of the model")
    row = assessment.element_rating_for(element)
    if row is None:
        row = ElementRating(element=element)
        assessment.element_ratings.append(row)
    changed, old = _give_self_rating(row, code, rationale)
    if changed:
        row.rated_by_id = user.id if user is not None else None
        row.rated_at = utcnow()
        subject = f"{element.strand.short_name}: {element.name}"
        _recorded(assessment, user, "element_rating", subject, old, code, rationale)
    return row


def set_agreed_rating(
    assessment: Assessment,
    strand: Strand,
    code: str,
    rationale: str | None,
    user: User | None,
    inputs: dict[str, Any] | None = None,
) -> StrandRating:
    """Record the rating agreed with partners, why, and a snapshot of what it was decided from."""
    code, rationale = _rating_given(assessment, code, rationale)
    if rationale is None:
        raise OperationError("Say why the partnership agreed this rating")
    row = strand_row(assessment, strand)
    old = row.agreed_rating
    row.agreed_rating = code
    row.agreed_rationale = rationale
    row.agreed_by = user
    row.agreed_at = utcnow()
    row.agreed_inputs = dict(inputs or {})
    db.session.flush()
    record_history(assessment, user, "agreed_rating", strand.short_name, old, code, note=rationale)
    db.session.flush()
    return row


def carry_in_room_result(
    assessment: Assessment, strand: Strand, result: dict[str, Any], user: User | None
) -> StrandRating:
    """Carry a workshop room's result into the strand as an input to the agreed rating.

    `result` holds what the room found: workshop_id, workshop_title, round_id, n, abstentions,
    counts {"1": .., "4": ..}, mean, median (a rating code), consensus, carried_at.
    """
    _check_unlocked(assessment)
    row = strand_row(assessment, strand)
    old = (row.room_result or {}).get("median") if row.room_result else None
    stamped = dict(result)
    now = utcnow()
    stamped.setdefault("carried_at", now.isoformat(timespec="seconds"))
    row.room_result = stamped
    row.room_carried_at = now
    db.session.flush()
    title = stamped.get("workshop_title")
    note = f"From the workshop \u2018{title}\u2019" if title else "From a workshop"
    record_history(
        assessment, user, "room_result", strand.short_name, old, stamped.get("median"), note=note
    )
    db.session.flush()
    return row


def carry_in_survey_result(
    assessment: Assessment, strand: Strand, result: dict[str, Any], user: User | None
) -> StrandRating:
    """Carry a survey's result into the strand as an input to the agreed rating, beside the
    room's; `result` has the room result's figures with survey_id and survey_title."""
    _check_unlocked(assessment)
    row = strand_row(assessment, strand)
    old = (row.survey_result or {}).get("median")
    now = utcnow()
    row.survey_result = {**result, "carried_at": now.isoformat(timespec="seconds")}
    row.survey_carried_at = now
    db.session.flush()
    note = f"From the survey \u2018{result.get('survey_title')}\u2019"
    record_history(assessment, user, "survey_result", strand.short_name, old, result.get("median"), note=note)
    db.session.flush()
    return row


# --------------------------------------------------------------------------------------------
# Lifecycle
# --------------------------------------------------------------------------------------------


def next_status(assessment: Assessment) -> str | None:
    index = STATUS_ORDER.index(assessment.status) if assessment.status in STATUS_ORDER else 0
    return STATUS_ORDER[index + 1] if index + 1 < len(STATUS_ORDER) else None


def previous_status(assessment: Assessment) -> str | None:
    if assessment.status not in STATUS_ORDER:
        return None
    index = STATUS_ORDER.index(assessment.status)
    return STATUS_ORDER[index - 1] if index > 0 else None


def strands_without_agreed_rating(assessment: Assessment) -> list[Strand]:
    rated = {r.strand_id for r in assessment.strand_ratings if r.agreed_rating}
    return [s for s in assessment.framework.strands if s.id not in rated]


@dataclass
class Governance:
    """The board that confirmed the assessment, when, and the minute that records it."""

    board: str | None = None
    meeting_date: date | None = None
    minute: str | None = None


def advance(
    assessment: Assessment,
    user: User | None,
    *,
    expected: str | None = None,
    governance: Governance | None = None,
    note: str | None = None,
    today: date | None = None,
) -> str:
    """Move the assessment one step forward; returns the new status.

    `expected` is the step the user saw on the page, so a second click (or a colleague's move
    in the meantime) does not skip a step.
    """
    target = next_status(assessment)
    if target is None:
        raise OperationError("The assessment is already shared with the national team: the last step")
    if expected is not None and expected != target:
        raise OperationError(
            f"The assessment has moved on to \u2018{assessment.status_label}\u2019 since you loaded the page. "
            "Check the status and try again."
        )
    if target == "agreed":
        missing = strands_without_agreed_rating(assessment)
        if missing:
            names = ", ".join(s.short_name for s in missing)
            raise OperationError(
                f"Record an agreed rating for every strand first. Still to agree: {names}"
            )
    if target == "peer_reviewed" and latest_submitted_review(assessment) is None:
        raise OperationError(
            "A peer review must be submitted before the assessment can be marked peer reviewed"
        )
    if target == "confirmed":
        governance = governance or Governance()
        board, minute = _clean(governance.board), _clean(governance.minute)
        if not board or governance.meeting_date is None or not minute:
            raise OperationError(
                "Enter the governance board, the date it confirmed the assessment and the minute reference"
            )
        if governance.meeting_date > (today or date.today()):
            raise OperationError("The date of the governance decision must be today or in the past")
        assessment.governance_board = board
        assessment.governance_date = governance.meeting_date
        assessment.governance_minute = minute
    old = assessment.status
    assessment.status = target
    db.session.flush()
    if target == "confirmed":
        detail = (
            f"Confirmed by {assessment.governance_board} on "
            f"{assessment.governance_date:%-d %B %Y}, minute {assessment.governance_minute}"
        )
        note = f"{detail}. {note}" if _clean(note) else detail
    record_history(assessment, user, "status", None, old, target, note=_clean(note))
    db.session.flush()
    return target


def step_back(assessment: Assessment, user: User | None, reason: str | None) -> str:
    """Move the assessment back one step, with the reason kept in the history."""
    target = previous_status(assessment)
    if target is None:
        raise OperationError("A draft assessment has no earlier step to go back to")
    reason = _clean(reason)
    if reason is None:
        raise OperationError("Say why the assessment is going back a step")
    old = assessment.status
    assessment.status = target
    db.session.flush()
    record_history(assessment, user, "status", None, old, target, note=f"Stepped back: {reason}")
    db.session.flush()
    return target


# --------------------------------------------------------------------------------------------
# Action plan
# --------------------------------------------------------------------------------------------


def _check_owner(assessment: Assessment, owner: Organisation | None) -> None:
    if owner is not None and owner.area_id != assessment.area_id:
        raise OperationError("Choose an organisation from the area's partnership")


def _check_action_status(status: str) -> None:
    if status not in ACTION_STATUSES:
        raise OperationError("Choose a status: not started, in progress or done")


def add_action(
    assessment: Assessment,
    strand: Strand,
    description: str,
    owner: Organisation | None,
    due_date: date | None,
    user: User | None,
    status: str = "not_started",
) -> Action:
    """Add a next step to a strand's action plan."""
    description = _clean(description)
    if description is None:
        raise OperationError("Describe the action")
    if strand.framework_id != assessment.framework_id:
        raise OperationError("That strand belongs to a different version of the model")
    _check_owner(assessment, owner)
    _check_action_status(status)
    action = Action(
        assessment=assessment,
        strand=strand,
        description=description,
        owner_organisation=owner,
        due_date=due_date,
        status=status,
        created_by_id=user.id if user is not None else None,
    )
    db.session.add(action)
    db.session.flush()
    record_history(
        assessment, user, "action", strand.short_name, None, ACTION_STATUSES[status],
        note=f"Action added: {description}",
    )
    db.session.flush()
    return action


def update_action(
    action: Action,
    user: User | None,
    *,
    description: str,
    owner: Organisation | None,
    due_date: date | None,
    status: str,
) -> Action:
    """Change an action; a change of status is kept in the history."""
    description = _clean(description)
    if description is None:
        raise OperationError("Describe the action")
    _check_owner(action.assessment, owner)
    _check_action_status(status)
    old_status = action.status
    action.description = description
    action.owner_organisation = owner
    action.due_date = due_date
    action.status = status
    db.session.flush()
    if old_status != status:
        record_history(
            action.assessment, user, "action", action.strand.short_name,
            ACTION_STATUSES.get(old_status, old_status), ACTION_STATUSES[status],
            note=f"Action: {description}",
        )
        db.session.flush()
    return action


# --------------------------------------------------------------------------------------------
# Next cycle
# --------------------------------------------------------------------------------------------

#: Evidence columns copied as they are into the next cycle.
_CARRIED_COLUMNS = (
    "title", "description", "organisation_id", "kind", "value", "unit", "baseline", "period",
    "about_date", "source_type", "link", "file_name", "file_type", "file_size",
    "no_personal_data", "created_by_id",
)


def stored_file(upload_folder: str | Path | None, file_key: str | None) -> Path | None:
    """The path of a stored upload, or None when there is none (or the key is not a bare name)."""
    if not upload_folder or not file_key:
        return None
    if "/" in file_key or "\\" in file_key or file_key.startswith("."):
        return None
    path = Path(upload_folder) / file_key
    return path if path.is_file() else None


def _copy_file(upload_folder: str | Path, file_key: str) -> str | None:
    """Copy an upload under a new random name; None when the original is gone."""
    source = stored_file(upload_folder, file_key)
    if source is None:
        return None
    # Same form as the evidence register's own keys: 32 hex digits, no extension.
    new_key = token_hex(16)
    shutil.copyfile(source, Path(upload_folder) / new_key)
    return new_key


def carry_evidence_forward(
    previous: Assessment, assessment: Assessment, upload_folder: str | Path | None
) -> list[Evidence]:
    """Copy every non-rejected evidence item of `previous` into `assessment` as a draft.

    Each copy is linked to its original and to the same features, matched by key when the new
    cycle uses another version of the model; an uploaded file is copied under a new name so
    each cycle's item can be downloaded (or deleted) on its own.
    """
    items = list(
        db.session.scalars(
            select(Evidence)
            .where(Evidence.assessment_id == previous.id, Evidence.status != "rejected")
            .options(selectinload(Evidence.features))
            .order_by(Evidence.id)
        )
    )
    same_framework = previous.framework_id == assessment.framework_id
    features_by_key: dict[str, Feature] = {}
    if not same_framework:
        features_by_key = {
            f.key: f
            for f in db.session.scalars(
                select(Feature).where(Feature.framework_id == assessment.framework_id)
            )
        }
    copies = []
    for item in items:
        copy = Evidence(assessment=assessment, status="draft", carried_from_id=item.id)
        for column in _CARRIED_COLUMNS:
            setattr(copy, column, getattr(item, column))
        if item.file_key:
            copy.file_key = _copy_file(upload_folder, item.file_key) if upload_folder else None
            if copy.file_key is None:
                copy.file_name = copy.file_type = copy.file_size = None
        if same_framework:
            copy.features = list(item.features)
        else:
            copy.features = [features_by_key[f.key] for f in item.features if f.key in features_by_key]
        db.session.add(copy)
        copies.append(copy)
    db.session.flush()
    return copies


def start_next_cycle(
    previous: Assessment,
    title: str,
    period_label: str,
    user: User | None,
    *,
    framework: FrameworkVersion | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
    upload_folder: str | Path | None = None,
) -> tuple[Assessment, int]:
    """Open the area's next cycle from `previous`, carrying its evidence forward.

    Returns the new assessment and how many evidence items were carried forward.
    """
    assessment = create_assessment(
        previous.area,
        framework or previous.framework,
        title,
        period_label,
        user,
        period_start=period_start,
        period_end=period_end,
        previous=previous,
    )
    copies = carry_evidence_forward(previous, assessment, upload_folder)
    record_history(
        assessment, user, "evidence", None, None, None,
        note=f"{len(copies)} evidence item{'s' if len(copies) != 1 else ''} carried forward "
        f"from \u2018{previous.title}\u2019 as drafts",
    )
    db.session.flush()
    return assessment, len(copies)
