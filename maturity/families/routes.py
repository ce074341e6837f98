"""Family questionnaire pages: families answer with no account (one response per device, its
token in the signed session cookie); staff set it up, open and close it, type in paper answers
and, for coordinators, read and hide free-text answers."""

import hashlib
import secrets

from flask import abort, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required

from maturity import access
from maturity.core.families import MIN_FAMILIES, QUESTIONS, SCALE
from maturity.errors import OperationError
from maturity.families import bp, operations, queries
from maturity.families.forms import (
    COMMENT_HINT,
    FamilyAnswerForm,
    FamilyButtonForm,
    FamilyQuestionnaireForm,
    FamilyTranscriptionForm,
)
from maturity.models import Assessment, FamilyQuestionnaire, FamilyResponse
from maturity.qr import qr_svg

SESSION_KEY = "family_tokens"
MAX_REMEMBERED = 10


def _device_hash(code: str, create: bool) -> str | None:
    """A one-way hash of this device's random token for the questionnaire (made if asked)."""
    tokens = dict(session.get(SESSION_KEY) or {}) if isinstance(session.get(SESSION_KEY), dict) else {}
    token = tokens.get(code)
    if not isinstance(token, str) or not token:
        if not create:
            return None
        token = secrets.token_urlsafe(24)
        tokens[code] = token
        while len(tokens) > MAX_REMEMBERED:
            tokens.pop(next(iter(tokens)))
        session[SESSION_KEY] = tokens
        session.permanent = True
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _by_code(code: str) -> FamilyQuestionnaire:
    questionnaire = queries.questionnaire_with_code(code)
    if questionnaire is None:
        abort(404)
    return questionnaire


@bp.route("/family/<code>", methods=["GET", "POST"])
def answer(code: str):
    questionnaire = _by_code(code)
    if not questionnaire.is_open:
        return render_template("families/closed.html", questionnaire=questionnaire), 410
    if queries.has_answered(questionnaire, _device_hash(questionnaire.code, create=False)):
        return render_template("families/thanks.html", questionnaire=questionnaire, again=True)
    form = FamilyAnswerForm()
    if form.validate_on_submit():
        device = _device_hash(questionnaire.code, create=True)
        operations.answer(questionnaire, device, form.answers(), form.comment.data)
        return redirect(url_for("families.thanks", code=questionnaire.code), 303)
    return render_template(
        "families/answer.html", questionnaire=questionnaire, form=form, hint=COMMENT_HINT
    ), 400 if form.errors else 200


@bp.get("/family/<code>/thanks")
def thanks(code: str):
    return render_template("families/thanks.html", questionnaire=_by_code(code), again=False)


@bp.get("/family/<code>/privacy")
def privacy(code: str):
    return render_template("families/privacy.html", questionnaire=_by_code(code))


def _families_url(questionnaire: FamilyQuestionnaire) -> str:
    return url_for("families.answer", code=questionnaire.code, _external=True)


@bp.get("/family/<code>/print")
def printable(code: str):
    questionnaire = _by_code(code)
    return render_template(
        "families/print.html", questionnaire=questionnaire, questions=QUESTIONS, scale=SCALE, hint=COMMENT_HINT,
        url=_families_url(questionnaire), qr=qr_svg(_families_url(questionnaire)) if questionnaire.is_open else None,
    )


@bp.route("/assessments/<int:assessment_id>/family-questionnaire", methods=["GET", "POST"])
@login_required
def manage(assessment_id: int):
    assessment = access.get_or_404(Assessment, assessment_id, "contribute")
    questionnaire = queries.questionnaire_of(assessment)
    form = FamilyQuestionnaireForm(obj=questionnaire)
    if form.validate_on_submit():
        access.check(assessment, "manage")
        if questionnaire is None:
            operations.create_questionnaire(assessment, current_user, form.retention_months.data)
            flash("Family questionnaire set up. Open it when you are ready for families to answer.", "success")
        else:
            operations.set_retention(questionnaire, form.retention_months.data, current_user)
            flash("How long answers are kept is saved.", "success")
        return redirect(url_for("families.manage", assessment_id=assessment.id))
    return render_template(
        "families/manage.html", **_manage_context(assessment, questionnaire), form=form
    ), 400 if form.errors else 200


def _manage_context(assessment: Assessment, questionnaire: FamilyQuestionnaire | None) -> dict:
    coordinator = access.can(current_user, "manage", assessment)
    return {
        "assessment": assessment,
        "questionnaire": questionnaire,
        "can_manage": coordinator,
        "count": queries.response_count(questionnaire) if questionnaire else 0,
        "sources": queries.counts_by_source(questionnaire) if questionnaire else {},
        "results": queries.results_for(questionnaire),
        "comments": queries.comments(questionnaire) if questionnaire and coordinator else [],
        "minimum": MIN_FAMILIES,
        "button": FamilyButtonForm(),
        "qr": qr_svg(_families_url(questionnaire)) if questionnaire and questionnaire.is_open else None,
    }


@bp.post("/family-questionnaires/<int:questionnaire_id>/open")
@login_required
def open_questionnaire(questionnaire_id: int):
    return _change_status(questionnaire_id, operations.open_questionnaire)


@bp.post("/family-questionnaires/<int:questionnaire_id>/close")
@login_required
def close_questionnaire(questionnaire_id: int):
    return _change_status(questionnaire_id, operations.close_questionnaire)


def _change_status(questionnaire_id: int, change):
    questionnaire = access.get_or_404(FamilyQuestionnaire, questionnaire_id, "manage")
    if FamilyButtonForm().validate_on_submit():
        try:
            change(questionnaire, current_user)
        except OperationError as error:
            flash(error.message, "info")
        else:
            flash(f"The family questionnaire is {questionnaire.status_label.lower()}.", "success")
    return redirect(url_for("families.manage", assessment_id=questionnaire.assessment_id))


@bp.route("/family-questionnaires/<int:questionnaire_id>/transcribe", methods=["GET", "POST"])
@login_required
def transcribe(questionnaire_id: int):
    questionnaire = access.get_or_404(FamilyQuestionnaire, questionnaire_id, "contribute")
    form = FamilyTranscriptionForm()
    if form.validate_on_submit():
        operations.transcribe(questionnaire, form.answers(), form.comment.data)
        flash("Paper answer saved, marked as typed in from paper. You can type in the next one.", "success")
        return redirect(url_for("families.transcribe", questionnaire_id=questionnaire.id), 303)
    return render_template(
        "families/transcribe.html", questionnaire=questionnaire, assessment=questionnaire.assessment,
        form=form, hint=COMMENT_HINT,
    ), 400 if form.errors else 200


@bp.post("/family-responses/<int:response_id>/hide")
@login_required
def hide_comment(response_id: int):
    response = access.get_or_404(FamilyResponse, response_id, "manage")
    if FamilyButtonForm().validate_on_submit():
        operations.hide_comment(response, current_user)
        flash("The free-text answer is hidden. The history records that it was hidden.", "success")
    return redirect(url_for("families.manage", assessment_id=response.questionnaire.assessment_id))
