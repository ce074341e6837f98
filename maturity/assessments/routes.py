"""Routes of the assessments blueprint: cycles, strand pages, ratings, lifecycle, actions, exports.

Every route loads the assessment through `maturity.access`, so someone from another area gets
404 and a member whose role lacks the need gets 403.
"""

from datetime import date
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from maturity.access import can, check, get_or_404
from maturity.assessments import bp, export, operations, panels, queries
from maturity.assessments.forms import (
    ActionForm,
    AdvanceForm,
    AgreedRatingForm,
    AssessmentForm,
    NextCycleForm,
    RatingForm,
    StepBackForm,
)
from maturity.assessments.overview import build_overview, load_framework, strand_view, strands_done
from maturity.assessments.trend import build_trend
from maturity.core.action_plan import RAG_LABELS, RAG_MEANINGS
from maturity.core.scoring import STAGES, parse_rating
from maturity.errors import OperationError
from maturity.extensions import db
from maturity.families import queries as family_queries
from maturity.models import (
    ACTION_STATUSES,
    ASSESSMENT_STATUSES,
    Action,
    Area,
    Assessment,
    Evidence,
    HistoryEntry,
    Organisation,
    Strand,
)


@bp.before_request
@login_required
def require_sign_in() -> None:
    """Every assessment page needs a signed-in user; access to each object is checked per route."""


def _me():
    return current_user._get_current_object()


def _assessment(assessment_id: int, need: str = "view") -> Assessment:
    return get_or_404(Assessment, assessment_id, need=need)


def _strand(assessment: Assessment, strand_key: str) -> Strand:
    strand = queries.strand_of(assessment, strand_key)
    if strand is None:
        abort(404)
    return strand


def _organisation(area: Area, value: str | None) -> Organisation | None:
    if not value:
        return None
    return next((o for o in area.organisations if str(o.id) == value), None)


def _status_code(form) -> int:
    return 400 if form.errors else 200


def evidence_url(item: Evidence) -> str:
    """The evidence register's page for an item."""
    return url_for("evidence.show", evidence_id=item.id)


def evidence_register_url(assessment: Assessment) -> str:
    return url_for("evidence.register", assessment_id=assessment.id)


@bp.context_processor
def helpers() -> dict[str, Any]:
    return {
        "STAGES": STAGES,
        "ASSESSMENT_STATUSES": ASSESSMENT_STATUSES,
        "ACTION_STATUSES": ACTION_STATUSES,
        "parse_rating": parse_rating,
        "evidence_url": evidence_url,
        "evidence_register_url": evidence_register_url,
        "today": date.today(),
    }


# --------------------------------------------------------------------------------------------
# Opening an assessment, and the task list
# --------------------------------------------------------------------------------------------


@bp.route("/areas/<int:area_id>/new", methods=["GET", "POST"])
def new(area_id: int):
    area = get_or_404(Area, area_id, need="manage")
    form = AssessmentForm()
    if form.validate_on_submit():
        framework = form.framework()
        if framework is None:
            abort(400)
        assessment = operations.create_assessment(
            area,
            framework,
            form.title.data,
            form.period_label.data,
            _me(),
            period_start=form.period_start.data,
            period_end=form.period_end.data,
        )
        flash(f"Assessment opened: {assessment.title}.", "success")
        return redirect(url_for(".show", assessment_id=assessment.id))
    return render_template("assessments/new.html", form=form, area=area), _status_code(form)


@bp.get("/<int:assessment_id>")
def show(assessment_id: int):
    assessment = _assessment(assessment_id)
    views = build_overview(assessment)
    took_part_workshops, took_part = queries.participation(assessment)
    return render_template(
        "assessments/show.html",
        assessment=assessment,
        views=views,
        done=strands_done(views),
        panels=panels.read(assessment),
        took_part=took_part,
        took_part_workshops=took_part_workshops,
        can_manage_area=can(current_user, "manage", assessment.area),
        can_manage=can(current_user, "manage", assessment),
        locked=operations.is_locked(assessment),
        next_status=operations.next_status(assessment),
        statuses=list(ASSESSMENT_STATUSES.items()),
        previous=assessment.previous if assessment.previous and can(current_user, "view", assessment.previous) else None,
    )


# --------------------------------------------------------------------------------------------
# Strand page and ratings
# --------------------------------------------------------------------------------------------


def _limitation_to_tackle(strand: Strand, key: str | None) -> Any:
    """The strand's limitation a "Draft an action" link names, to pre-fill the action form."""
    if not key:
        return None
    found = next(
        (f for e in strand.elements for f in e.features if f.key == key and f.is_limitation),
        None,
    )
    if found is None:
        flash(
            "That link names no shortcoming of this strand, so the action form is blank.",
            "error",
        )
    return found


def _rating_form(cls, prefix: str, rating: str | None, rationale: str | None, **kwargs):
    """A rating form: what was posted, or (on GET) filled with the rating recorded so far."""
    if request.method == "POST":
        return cls(prefix=prefix, **kwargs)
    return cls(formdata=None, prefix=prefix, data={"rating": rating, "rationale": rationale}, **kwargs)


def _strand_or_404(assessment: Assessment, strand_key: str):
    views = build_overview(assessment)
    view = strand_view(views, strand_key)
    if view is None:
        abort(404)
    return views, view


def _back_to_strand(assessment: Assessment, strand: Strand):
    """After saving, the strand page from its top, where the confirmation banner shows."""
    return redirect(url_for(".strand", assessment_id=assessment.id, strand_key=strand.key))


@bp.get("/<int:assessment_id>/strands/<strand_key>")
def strand(assessment_id: int, strand_key: str):
    """The picture of one strand: its stages, features and evidence, ratings, flags and actions.
    Each rating and action is made on a page of its own (the links on this page)."""
    assessment = _assessment(assessment_id)
    views, view = _strand_or_404(assessment, strand_key)
    strand = view.strand
    index = next(i for i, v in enumerate(views) if v is view)
    return render_template(
        "assessments/strand.html",
        assessment=assessment,
        framework=strand.framework,
        strand=strand,
        view=view,
        views=views,
        previous_view=views[index - 1] if index > 0 else None,
        next_view=views[index + 1] if index + 1 < len(views) else None,
        can_manage=can(current_user, "manage", assessment),
        can_contribute=can(current_user, "contribute", assessment),
        locked=operations.is_locked(assessment),
        evidence_by_feature=queries.evidence_by_feature(assessment, strand),
        actions=queries.strand_actions(assessment, strand),
        family=family_queries.strand_family_results(assessment, strand),
    )


def _refuse_if_locked(assessment: Assessment, strand_key: str):
    if operations.is_locked(assessment):
        flash(
            f"The ratings are locked because the assessment is {assessment.status_label.lower()}. "
            "Step it back to change them.",
        )
        return redirect(url_for(".strand", assessment_id=assessment.id, strand_key=strand_key))
    return None


def _rating_page(assessment: Assessment, view, form, kind: str, element=None):
    """One question per page: the rating, with the stage definitions beside it and a back link."""
    return render_template(
        "assessments/rate.html",
        assessment=assessment,
        framework=view.strand.framework,
        strand=view.strand,
        view=view,
        element=element,
        form=form,
        kind=kind,
    ), _status_code(form)


def _open_to_rating(assessment_id: int, strand_key: str):
    """The assessment and strand view a rating page is for, and the redirect to answer with
    instead when the ratings are locked (else None)."""
    assessment = _assessment(assessment_id, "manage")
    _, view = _strand_or_404(assessment, strand_key)
    return assessment, view, _refuse_if_locked(assessment, strand_key)


def _save_rating(assessment: Assessment, view, form, kind: str, save, saved: str, element=None):
    """The rating pages' POST and GET: run `save` with the valid form and go back to the strand
    page with a banner, or show the page again (with the refusal, if any)."""
    if form.validate_on_submit():
        try:
            save()
        except OperationError as error:
            form.rating.errors = [str(error)]
        else:
            flash(f"{'Agreed' if kind == 'agreed' else 'Self'} rating saved for {saved}.", "success")
            return _back_to_strand(assessment, view.strand)
    return _rating_page(assessment, view, form, kind, element)


@bp.route("/<int:assessment_id>/strands/<strand_key>/self-rating", methods=["GET", "POST"])
def self_rating(assessment_id: int, strand_key: str):
    return _strand_rating(assessment_id, strand_key, "self")


@bp.route("/<int:assessment_id>/strands/<strand_key>/agreed-rating", methods=["GET", "POST"])
def agreed_rating(assessment_id: int, strand_key: str):
    return _strand_rating(assessment_id, strand_key, "agreed")


def _strand_rating(assessment_id: int, strand_key: str, kind: str):
    """A strand's self rating or agreed rating, on its own page."""
    assessment, view, locked = _open_to_rating(assessment_id, strand_key)
    if locked is not None:
        return locked
    row = view.rating_row
    agreed = kind == "agreed"
    form = _rating_form(
        AgreedRatingForm if agreed else RatingForm, kind,
        row and (row.agreed_rating if agreed else row.self_rating),
        row and (row.agreed_rationale if agreed else row.self_rationale),
    )

    def save() -> None:
        rating, rationale = form.rating.data, form.rationale.data
        if agreed:
            operations.set_agreed_rating(assessment, view.strand, rating, rationale, _me(), inputs=view.agreed_inputs())
        else:
            operations.set_self_rating(assessment, view.strand, rating, rationale, _me())

    return _save_rating(assessment, view, form, kind, save=save, saved=view.strand.short_name)


@bp.route("/<int:assessment_id>/strands/<strand_key>/elements/<element_key>/rating", methods=["GET", "POST"])
def element_rating(assessment_id: int, strand_key: str, element_key: str):
    assessment = _assessment(assessment_id, "manage")
    _, view = _strand_or_404(assessment, strand_key)
    element_view = next((e for e in view.elements if e.element.key == element_key), None)
    if element_view is None:
        abort(404)
    element = element_view.element
    if (locked := _refuse_if_locked(assessment, strand_key)) is not None:
        return locked
    row = element_view.rating_row
    form = _rating_form(
        RatingForm, f"element-{element.key}", row and row.self_rating, row and row.self_rationale,
        rationale_required=False,
    )
    return _save_rating(
        assessment, view, form, "element", saved=element.name, element=element_view,
        save=lambda: operations.set_element_rating(assessment, element, form.rating.data, form.rationale.data, _me()),
    )


# --------------------------------------------------------------------------------------------
# Action plan
# --------------------------------------------------------------------------------------------


@bp.route("/<int:assessment_id>/strands/<strand_key>/actions", methods=["GET", "POST"])
def add_action(assessment_id: int, strand_key: str):
    """Add an action to a strand's plan, on its own page; a "Draft an action" link fills it in
    from a shortcoming still to tackle (?tackle=<feature key>)."""
    assessment = _assessment(assessment_id, "manage")
    strand = _strand(assessment, strand_key)
    drafted_from = _limitation_to_tackle(strand, request.args.get("tackle"))
    if request.method == "POST":
        form = ActionForm(prefix="action", area=assessment.area)
    else:
        form = ActionForm(
            formdata=None, prefix="action", area=assessment.area,
            data={"description": f"Tackle: {drafted_from.text}"} if drafted_from else None,
        )
    if form.validate_on_submit():
        try:
            operations.add_action(
                assessment, strand, form.description.data,
                _organisation(assessment.area, form.owner_id.data), form.due_date.data, _me(),
                status=form.status.data,
            )
        except OperationError as error:
            form.description.errors = [str(error)]
        else:
            flash(f"Action added to the {strand.short_name} action plan.", "success")
            return _back_to_strand(assessment, strand)
    form.submit.label.text = "Add action"
    return render_template(
        "assessments/action_form.html", assessment=assessment, strand=strand, action=None,
        form=form, drafted_from=drafted_from,
    ), _status_code(form)


@bp.get("/<int:assessment_id>/actions")
def actions(assessment_id: int):
    assessment = _assessment(assessment_id)
    framework = load_framework(assessment.framework_id)
    by_strand = queries.actions_by_strand(assessment)
    items = [item for plan in by_strand.values() for item in plan]
    return render_template(
        "assessments/actions.html",
        assessment=assessment,
        strands=framework.strands,
        by_strand=by_strand,
        overdue=sum(1 for item in items if item.is_overdue(date.today())),
        total=len(items),
        can_manage=can(current_user, "manage", assessment),
    )


def _action(assessment: Assessment, action_id: int) -> Action:
    action = db.session.get(Action, action_id)
    if action is None or action.assessment_id != assessment.id:
        abort(404)
    check(action, "view")
    return action


@bp.route("/<int:assessment_id>/actions/<int:action_id>/edit", methods=["GET", "POST"])
def edit_action(assessment_id: int, action_id: int):
    assessment = _assessment(assessment_id, "manage")
    action = _action(assessment, action_id)
    form = ActionForm(area=assessment.area)
    form.submit.label.text = "Save action"
    if not form.is_submitted():
        form.description.data = action.description
        form.owner_id.data = str(action.owner_organisation_id or "")
        form.due_date.data = action.due_date
        form.status.data = action.status
    if form.validate_on_submit():
        try:
            operations.update_action(
                action, _me(),
                description=form.description.data,
                owner=_organisation(assessment.area, form.owner_id.data),
                due_date=form.due_date.data,
                status=form.status.data,
            )
        except OperationError as error:
            form.description.errors = [str(error)]
        else:
            flash("Action saved.", "success")
            return _back_to_strand(assessment, action.strand)
    return render_template(
        "assessments/action_form.html", assessment=assessment, action=action, form=form
    ), _status_code(form)


# --------------------------------------------------------------------------------------------
# Lifecycle and history
# --------------------------------------------------------------------------------------------


def _render_status(assessment: Assessment, advance_form=None, back_form=None):
    target = operations.next_status(assessment)
    if advance_form is None:
        advance_form = AdvanceForm(formdata=None, prefix="advance", data={
            "expected": target,
            "governance_board": assessment.governance_board,
            "governance_date": assessment.governance_date,
            "governance_minute": assessment.governance_minute,
        })
    back_form = back_form or StepBackForm(formdata=None, prefix="back")
    failed = advance_form if advance_form.errors else (back_form if back_form.errors else None)
    missing = operations.strands_without_agreed_rating(assessment) if target == "agreed" else []
    return render_template(
        "assessments/status.html",
        assessment=assessment,
        statuses=list(ASSESSMENT_STATUSES.items()),
        next_status=target,
        previous_status=operations.previous_status(assessment),
        advance_form=advance_form,
        back_form=back_form,
        form=failed,
        missing=missing,
    ), (400 if failed is not None else 200)


def _moved(assessment: Assessment, field, banner: str, move):
    """Run a status move: to the assessment page with "<banner> ‘<new status>’", or None with
    the refusal put on `field` so the status page shows it."""
    try:
        new_status = move()
    except OperationError as error:
        field.errors = [str(error)]
        return None
    flash(f"{banner} \u2018{ASSESSMENT_STATUSES[new_status]}\u2019.", "success")
    return redirect(url_for(".show", assessment_id=assessment.id))


@bp.get("/<int:assessment_id>/status")
def status(assessment_id: int):
    assessment = _assessment(assessment_id, "manage")
    return _render_status(assessment)


@bp.post("/<int:assessment_id>/status/forward")
def advance(assessment_id: int):
    assessment = _assessment(assessment_id, "manage")
    target = operations.next_status(assessment)
    form = AdvanceForm(prefix="advance", needs_governance=target == "confirmed")
    if form.validate_on_submit():
        governance = operations.Governance(
            form.governance_board.data, form.governance_date.data, form.governance_minute.data
        )
        moved = _moved(assessment, form.submit, "The assessment is now", lambda: operations.advance(
            assessment, _me(), expected=form.expected.data or None, governance=governance, note=form.note.data
        ))
        if moved is not None:
            return moved
    return _render_status(assessment, advance_form=form)


@bp.post("/<int:assessment_id>/status/back")
def step_back(assessment_id: int):
    assessment = _assessment(assessment_id, "manage")
    form = StepBackForm(prefix="back")
    if form.validate_on_submit():
        moved = _moved(
            assessment, form.reason, "The assessment is back at",
            lambda: operations.step_back(assessment, _me(), form.reason.data),
        )
        if moved is not None:
            return moved
    return _render_status(assessment, back_form=form)


HISTORY_KINDS = {
    "status": "Status",
    "self_rating": "Self rating",
    "element_rating": "Element self rating",
    "agreed_rating": "Agreed rating",
    "room_result": "Workshop result carried in",
    "action": "Action plan",
    "evidence": "Evidence",
    "evidence_status": "Evidence status",
    "peer_rating": "Peer rating",
    "family_questionnaire": "Family questionnaire",
    "survey_result": "Survey result carried in",
    "survey_reason_hidden": "Survey reason hidden",
}
RATING_KINDS = {"self_rating", "element_rating", "agreed_rating", "room_result", "survey_result", "peer_rating"}


def history_value(entry: HistoryEntry, value: str | None) -> str:
    """A stored from/to value in words: status and rating codes become their labels."""
    if value is None:
        return ""
    if entry.kind == "status":
        return ASSESSMENT_STATUSES.get(value, value)
    if entry.kind in RATING_KINDS:
        rating = parse_rating(value)
        return rating.label if rating else value
    return value


@bp.get("/<int:assessment_id>/history")
def history(assessment_id: int):
    assessment = _assessment(assessment_id)
    entries = queries.history_of(assessment)
    return render_template(
        "assessments/history.html",
        assessment=assessment,
        entries=entries,
        kinds=HISTORY_KINDS,
        history_value=history_value,
    )


# --------------------------------------------------------------------------------------------
# Next cycle and trend
# --------------------------------------------------------------------------------------------


@bp.route("/<int:assessment_id>/next", methods=["GET", "POST"])
def next_cycle(assessment_id: int):
    previous = _assessment(assessment_id, "manage")
    form = NextCycleForm() if request.method == "POST" else NextCycleForm(data=queries.next_cycle_suggestion(previous))
    carried = queries.evidence_to_carry(previous)
    if form.validate_on_submit():
        framework = form.framework()
        if framework is None:
            abort(400)
        assessment, count = operations.start_next_cycle(
            previous, form.title.data, form.period_label.data, _me(),
            framework=framework,
            period_start=form.period_start.data,
            period_end=form.period_end.data,
            upload_folder=current_app.config.get("UPLOAD_FOLDER"),
        )
        flash(
            f"Next cycle started: {assessment.title}. {count} evidence "
            f"item{'s' if count != 1 else ''} carried forward as drafts to review.",
            "success",
        )
        return redirect(url_for(".show", assessment_id=assessment.id))
    return render_template(
        "assessments/next.html", assessment=previous, form=form, carried=carried
    ), _status_code(form)


@bp.get("/<int:assessment_id>/trend")
def trend(assessment_id: int):
    assessment = _assessment(assessment_id)
    data = build_trend(assessment, visible=lambda cycle: can(current_user, "view", cycle))
    return render_template(
        "assessments/trend.html",
        assessment=assessment,
        trend=data,
        can_manage=can(current_user, "manage", assessment),
    )


# --------------------------------------------------------------------------------------------
# One-page summary and exports
# --------------------------------------------------------------------------------------------


@bp.get("/<int:assessment_id>/summary")
def summary(assessment_id: int):
    assessment = _assessment(assessment_id)
    views = build_overview(assessment, with_titles=True)
    took_part_workshops, took_part = queries.participation(assessment)
    return render_template(
        "assessments/summary.html",
        assessment=assessment,
        views=views,
        plans=queries.strand_plans(assessment, date.today()),
        took_part=took_part,
        took_part_workshops=took_part_workshops,
        RAG_LABELS=RAG_LABELS,
        RAG_MEANINGS=RAG_MEANINGS,
    )


@bp.get("/<int:assessment_id>/summary.csv")
def summary_csv(assessment_id: int):
    assessment = _assessment(assessment_id)
    views = build_overview(assessment, with_titles=True)
    return export.csv_response(assessment, views)


@bp.get("/<int:assessment_id>/summary.xlsx")
def summary_xlsx(assessment_id: int):
    assessment = _assessment(assessment_id)
    views = build_overview(assessment, with_titles=True)
    return export.xlsx_response(assessment, views)
