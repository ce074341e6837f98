"""The coordinator's survey pages: set up, open and close a survey, follow how many have
answered, give out per-person links, read the results, hide a reason and carry a strand's
result into the assessment."""

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from maturity import access, routing
from maturity.assessments import panels
from maturity.core.scoring import STAGES, agreement
from maturity.core.surveys import QUESTIONS, reason_digest
from maturity.errors import OperationError
from maturity.exports import csv_response
from maturity.extensions import db
from maturity.models import Assessment, Survey
from maturity.qr import qr_svg
from maturity.surveys import bp, exports, operations, queries
from maturity.surveys.forms import LinksForm, SurveyButtonForm, SurveyForm


def today() -> date:
    return date.today()


def survey_url(survey: Survey) -> str:
    return url_for("surveys.start", code=survey.code, _external=True)


@bp.context_processor
def survey_context() -> dict:
    return {"STAGES": STAGES, "agreement": agreement, "QUESTIONS": QUESTIONS, "reason_digest": reason_digest}


def survey_panel(assessment: Assessment) -> list[Survey]:
    """The assessment page's surveys panel: its surveys, newest first."""
    return queries.assessment_surveys(assessment)


panels.register("surveys", survey_panel)


def _back(survey: Survey):
    return redirect(url_for("surveys.show", survey_id=survey.id))


def _refused(error: OperationError, survey: Survey):
    """A refused change said on the survey's page; nothing the request wrote is kept."""
    db.session.rollback()
    flash(error.message, "info")
    return _back(survey)


# --------------------------------------------------------------------------------------------
# Setting up
# --------------------------------------------------------------------------------------------


@bp.route("/assessments/<int:assessment_id>/surveys/new", methods=["GET", "POST"])
@login_required
def new_survey(assessment_id: int):
    assessment = access.get_or_404(Assessment, assessment_id, "manage")
    form = SurveyForm(framework=assessment.framework)
    if form.validate_on_submit():
        try:
            survey = operations.create_survey(
                assessment, form.title.data, form.rounds.data, current_user, **form.settings()
            )
        except OperationError as error:
            form.rounds.errors = [error.message]
        else:
            flash(f"Survey \u2018{survey.title}\u2019 set up. Open it when you are ready for partners to answer.", "success")
            return _back(survey)
    return render_template("surveys/form.html", form=form, assessment=assessment, survey=None), 400 if form.errors else 200


@bp.route("/surveys/<int:survey_id>/edit", methods=["GET", "POST"])
@login_required
def edit(survey_id: int):
    survey = access.get_or_404(Survey, survey_id, "manage")
    if survey.status != "setup":
        flash("A survey can be changed only before it opens: people may already have answered.", "info")
        return _back(survey)
    form = SurveyForm(framework=survey.assessment.framework, survey=survey)
    if form.validate_on_submit():
        try:
            operations.update_survey(survey, form.title.data, form.rounds.data, **form.settings())
        except OperationError as error:
            form.rounds.errors = [error.message]
        else:
            flash("Survey saved.", "success")
            return _back(survey)
    return render_template(
        "surveys/form.html", form=form, assessment=survey.assessment, survey=survey
    ), 400 if form.errors else 200


# --------------------------------------------------------------------------------------------
# The survey's page: sharing, progress, results
# --------------------------------------------------------------------------------------------


@bp.get("/surveys/<int:survey_id>")
@login_required
def show(survey_id: int):
    survey = access.get_or_404(Survey, survey_id, "view")
    finished = survey.finished(today())
    manage = access.can(current_user, "manage", survey)
    return render_template(
        "surveys/show.html",
        survey=survey,
        assessment=survey.assessment,
        can_manage=manage,
        finished=finished,
        taking_answers=survey.taking_answers(today()),
        url=survey_url(survey),
        qr=qr_svg(survey_url(survey)) if manage and survey.status == "open" and not finished else None,
        responded=queries.response_count(survey),
        counts=queries.counts_by_question(survey),
        results=queries.results(survey) if finished else None,
        links_form=LinksForm(),
        button=SurveyButtonForm(),
    )


def _download(survey_id: int, write):
    survey = access.get_or_404(Survey, survey_id, "view")
    if not survey.finished(today()):
        flash("The results can be downloaded once the survey has closed.", "info")
        return _back(survey)
    return write(survey, queries.results(survey))


@bp.get("/surveys/<int:survey_id>/results.csv")
@login_required
def results_csv(survey_id: int):
    return _download(survey_id, exports.csv_response)


@bp.get("/surveys/<int:survey_id>/results.xlsx")
@login_required
def results_xlsx(survey_id: int):
    return _download(survey_id, exports.xlsx_response)


@bp.post("/surveys/<int:survey_id>/open")
@login_required
def open_survey(survey_id: int):
    survey = access.get_or_404(Survey, survey_id, "manage")
    if SurveyButtonForm().validate_on_submit():
        try:
            operations.open_survey(survey)
        except OperationError as error:
            return _refused(error, survey)
        flash("The survey is open. Share its link, code or QR code with partners.", "success")
    return _back(survey)


@bp.route("/surveys/<int:survey_id>/close", methods=["GET", "POST"])
@login_required
def close(survey_id: int):
    survey = access.get_or_404(Survey, survey_id, "manage")
    form = SurveyButtonForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            operations.close_survey(survey, today())
        except OperationError as error:
            return _refused(error, survey)
        flash("The survey is closed. Its results are below.", "success")
        return _back(survey)
    return render_template(
        "surveys/close.html", survey=survey, responded=queries.response_count(survey), form=form
    )


@bp.post("/surveys/<int:survey_id>/links")
@login_required
def person_links(survey_id: int):
    survey = access.get_or_404(Survey, survey_id, "manage")
    form = LinksForm()
    if not form.validate_on_submit():
        flash(form.count.errors[0] if form.count.errors else "Enter how many links to create.", "info")
        return _back(survey)
    if survey.status == "closed" or survey.finished(today()):
        return _refused(OperationError("This survey has closed, so it takes no new links."), survey)
    tokens = operations.add_person_links(survey, form.count.data)
    rows = [("Person", "Link (each one for one person only)")]
    rows += [
        (f"Person {n}", url_for("surveys.person_link", code=survey.code, token=token, _external=True))
        for n, token in enumerate(tokens, start=1)
    ]
    return csv_response(rows, f"survey-{survey.id}-links.csv")


@bp.post("/surveys/<int:survey_id>/reasons/hide")
@login_required
def hide_reason(survey_id: int):
    survey = access.get_or_404(Survey, survey_id, "manage")
    item_id = routing.parse_id(request.form.get("item_id"))
    item = next((i for i in survey.items if i.id == item_id), None)
    digest = request.form.get("reason", "")
    if not SurveyButtonForm().validate_on_submit() or item is None or len(digest) != 20:
        flash("That reason could not be found. Nothing was hidden.", "info")
        return _back(survey)
    try:
        operations.hide_reason(survey, item, digest, current_user)
    except OperationError as error:
        return _refused(error, survey)
    flash("The reason is hidden. The assessment\u2019s history records that a reason was hidden, not its words.", "success")
    return redirect(url_for("surveys.show", survey_id=survey.id, _anchor=f"item-{item.id}"))


@bp.post("/surveys/<int:survey_id>/strands/<int:strand_id>/carry")
@login_required
def carry(survey_id: int, strand_id: int):
    survey = access.get_or_404(Survey, survey_id, "manage")
    strand = next((i.strand for i in survey.items if i.strand_id == strand_id), None)
    if strand is None or not SurveyButtonForm().validate_on_submit():
        return _refused(OperationError("This survey did not ask about that strand."), survey)
    try:
        operations.carry_survey_result(survey, strand, current_user, today())
    except OperationError as error:
        return _refused(error, survey)
    flash(f"The survey\u2019s result for {strand.name} is carried into the assessment, beside the workshop room\u2019s.", "success")
    return redirect(url_for("assessments.strand", assessment_id=survey.assessment_id, strand_key=strand.key))

