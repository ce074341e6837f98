"""The partners' survey pages: no account; one response per device (a random token in the
signed session cookie, kept only as a hash) or per per-person link; answers are saved question
by question, so a person can leave and come back on the same device."""

import secrets

from flask import abort, redirect, render_template, url_for

from maturity import device_tokens
from maturity.models import Survey, SurveyResponse
from maturity.ratelimit import check_join_code_limit, count_unknown_code
from maturity.surveys import bp, operations, queries
from maturity.surveys.forms import SurveyButtonForm
from maturity.surveys.respond_forms import (
    AboutYouForm,
    RatingAnswerForm,
    SurveyCodeForm,
)
from maturity.surveys.routes import today
from maturity.workshops import codes
from maturity.workshops.state import stage_options

SESSION_KEY = "survey_tokens"
MAX_REMEMBERED = 10


def _response(survey: Survey) -> SurveyResponse | None:
    """This device's response to the survey: through its per-person link, or its own token."""
    token = device_tokens.token_for(SESSION_KEY, survey.code)
    if token is None or ":" not in token:
        return None
    kind, raw = token.split(":", 1)
    return queries.response_for(survey, kind, operations.token_hash(raw))


def _remember(code: str, token: str) -> None:
    device_tokens.remember(SESSION_KEY, code, token, MAX_REMEMBERED)


def _device_token(survey: Survey) -> str:
    """The token this device is given for the survey on its start page (kept in its session
    only): the same one on every request until it starts, so two taps on Start make one
    response."""
    held = device_tokens.token_for(SESSION_KEY, survey.code)
    if held is not None and held.startswith("device:") and len(held) > len("device:"):
        return held.split(":", 1)[1]
    token = secrets.token_urlsafe(24)
    _remember(survey.code, "device:" + token)
    return token


def _survey(code: str) -> Survey:
    """The survey with this code; a code not found counts toward the join-code limits."""
    check_join_code_limit()
    survey = queries.survey_with_code(codes.normalise(code))
    if survey is None:
        count_unknown_code()
        abort(404)
    return survey


def _not_taking(survey: Survey):
    """The page for a survey that takes no answers today, or None when it does."""
    if survey.taking_answers(today()):
        return None
    return render_template("surveys/respond/closed.html", survey=survey, today=today()), 410


def _next_page(survey: Survey, response: SurveyResponse):
    answered = {a.item_id for a in response.answers}
    position = next((i.position for i in survey.items if i.id not in answered), None)
    if position is None:
        return redirect(url_for("surveys.check", code=survey.code))
    return redirect(url_for("surveys.question", code=survey.code, position=position))


@bp.route("/survey", methods=["GET", "POST"])
def enter_code():
    form = SurveyCodeForm()
    if form.validate_on_submit():
        check_join_code_limit()
        survey = queries.survey_with_code(codes.normalise(form.code.data))
        if survey is not None:
            return redirect(url_for("surveys.start", code=survey.code))
        count_unknown_code()
        form.code.errors = ["No survey has that code. Check it and try again"]
    return render_template("surveys/respond/code.html", form=form), 400 if form.errors else 200


@bp.route("/survey/<code>", methods=["GET", "POST"])
def start(code: str):
    survey = _survey(code)
    if (closed := _not_taking(survey)) is not None:
        return closed
    response = _response(survey)
    token = _device_token(survey) if response is None else None
    form = AboutYouForm.for_survey(survey, obj=response)
    if form.validate_on_submit():
        if token is not None:
            response = operations.start_response(survey, operations.token_hash(token), today())
        operations.set_about(response, form.about(survey), today())
        return _next_page(survey, response)
    return render_template(
        "surveys/respond/start.html", survey=survey, form=form, response=response
    ), 400 if form.errors else 200


@bp.get("/survey/<code>/p/<token>")
def person_link(code: str, token: str):
    survey = _survey(code)
    response = queries.response_for(survey, "link", operations.token_hash(token))
    if response is None:
        count_unknown_code()
        abort(404)
    if (closed := _not_taking(survey)) is not None:
        return closed
    _remember(survey.code, "link:" + token)
    if response.started_on is None:
        return redirect(url_for("surveys.start", code=survey.code))
    return _next_page(survey, response)


@bp.route("/survey/<code>/q/<int:position>", methods=["GET", "POST"])
def question(code: str, position: int):
    survey = _survey(code)
    if (closed := _not_taking(survey)) is not None:
        return closed
    item = next((i for i in survey.items if i.position == position), None)
    if item is None:
        abort(404)
    response = _response(survey)
    if response is None or response.started_on is None:
        return redirect(url_for("surveys.start", code=survey.code))
    options = stage_options(item, survey)
    given = next((a for a in response.answers if a.item_id == item.id), None)
    form = RatingAnswerForm(options=options, ask_why=survey.ask_why, data=_given(given))
    if form.is_submitted() and form.leaving_blank():
        return redirect(url_for("surveys.saved", code=survey.code), 303)
    if form.validate_on_submit():
        operations.save_answer(response, item, form.chosen_stage(), form.given_reason())
        if form.later.data:
            return redirect(url_for("surveys.saved", code=survey.code), 303)
        return _next_page(survey, response)
    return render_template(
        "surveys/respond/question.html", survey=survey, item=item, form=form, options=options,
        count=len(survey.items),
    ), 400 if form.errors else 200


@bp.get("/survey/<code>/saved")
def saved(code: str):
    """Leaving for later: what is saved, and how to come back."""
    survey = _survey(code)
    response = _response(survey)
    answered = len(response.answers) if response is not None else 0
    return render_template("surveys/respond/saved.html", survey=survey, answered=answered, today=today())


def _given(answer) -> dict | None:
    if answer is None:
        return None
    return {"stage": "dont-know" if answer.stage is None else str(answer.stage), "reason": answer.reason}


@bp.route("/survey/<code>/check", methods=["GET", "POST"])
def check(code: str):
    survey = _survey(code)
    if (closed := _not_taking(survey)) is not None:
        return closed
    response = _response(survey)
    if response is None or response.started_on is None:
        return redirect(url_for("surveys.start", code=survey.code))
    form = SurveyButtonForm()
    if form.validate_on_submit():
        if not response.answers:
            return _next_page(survey, response)  # nothing to send yet: to the first question
        operations.submit_response(response)
        return redirect(url_for("surveys.done", code=survey.code), 303)
    answers = {a.item_id: a for a in response.answers}
    return render_template("surveys/respond/check.html", survey=survey, response=response, answers=answers, form=form)


@bp.get("/survey/<code>/done")
def done(code: str):
    survey = _survey(code)
    return render_template("surveys/respond/done.html", survey=survey, response=_response(survey), today=today())
