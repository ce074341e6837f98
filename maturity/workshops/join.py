"""Participants' pages: join with a code, then vote from a phone. No account is needed.

The voting page is a plain form that works without JavaScript; workshop-participant.js
enhances it (votes sent with fetch, the page following the facilitator by polling).
"""

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from maturity.errors import OperationError
from maturity.extensions import db, limiter
from maturity.models import Workshop
from maturity.workshops import bp, codes, forms, operations, participants, phones, queries
from maturity.workshops.forms import NOT_GIVEN, JoinCodeForm, JoinForm
from maturity.workshops.participants import NO_SUCH_WORKSHOP, VOTE_LIMIT, room_of
from maturity.workshops.state import personal_state, vote_message


def _workshop(code: str) -> Workshop | None:
    """The workshop with this code, looked up under the join-code limits unless this browser
    has joined it (participants.look_up)."""
    joined = participants.token_for(code) is not None
    return participants.look_up(joined, lambda: queries.workshop_with_code(db.session, code))


def _ended(workshop: Workshop):
    return render_template("workshops/join_ended.html", workshop=workshop), 410


@bp.route("/join", methods=["GET", "POST"])
def join_form():
    form = JoinCodeForm()
    if not form.is_submitted() and request.args.get("code"):
        form.code.data = request.args["code"][:40]
    status = 200
    if form.validate_on_submit():
        code = codes.normalise(form.code.data)
        workshop = _workshop(code) if code else None
        if code is None:
            form.code.errors = ["Enter the join code as 8 letters and numbers, like ABCD-EFGH"]
            status = 400
        elif workshop is None:
            form.code.errors = ["There is no workshop with that code. Check the code on the screen"]
            status = 404
        elif workshop.status == "closed":
            return _ended(workshop)
        else:
            return _join(workshop, form)  # code and organisation on one screen: straight in
    elif form.is_submitted():
        status = 400
    return render_template("workshops/join_code.html", form=form), status


def _join(workshop: Workshop, form: forms.JoinForm):
    """Join (once per browser) with the form's kind of organisation, then go to the vote page."""
    if participants.find(workshop.id, workshop.join_code) is None:
        org_type = form.org_type.data if workshop.ask_org_type else None
        if org_type in (NOT_GIVEN, "", None):
            org_type = None
        # Committed after the view with the redirect; refused: the app answers (410, 400).
        participant = operations.join(workshop, org_type)
        participants.remember(workshop.join_code, participant.token)
    return redirect(url_for("workshops.participate", code=workshop.join_code))


@bp.route("/join/<code>", methods=["GET", "POST"])
def join_workshop(code: str):
    workshop = _workshop(code)
    if workshop is None:
        form = JoinCodeForm(formdata=None, code=code[:40])
        form.code.errors = ["There is no workshop with that code. Check the code on the screen"]
        return render_template("workshops/join_code.html", form=form), 404
    if code != workshop.join_code:
        return redirect(url_for("workshops.join_workshop", code=workshop.join_code))
    if workshop.status == "closed":
        return _ended(workshop)
    if participants.find(workshop.id, workshop.join_code) is not None:
        return redirect(url_for("workshops.participate", code=workshop.join_code))
    form = JoinForm()
    if form.validate_on_submit():
        return _join(workshop, form)
    status = 400 if form.errors else 200
    return render_template("workshops/join.html", workshop=workshop, form=form), status


def _participant_page(workshop, participant, status: int = 200, error: str | None = None):
    room = room_of(workshop)
    round_ = room.state["round"]
    voted, stage = queries.my_vote(db.session, participant.id, round_["id"]) if round_ else (False, None)
    state = personal_state(room.state, voted, stage)
    template = (
        "workshops/_participant_panel.html"
        if request.args.get("fragment")
        else "workshops/participate.html"
    )
    return (
        render_template(
            template, workshop=workshop, state=state, code=workshop.join_code, vote_error=error,
            phone_streams=phones.streams_enabled(current_app.config),
        ),
        status,
    )


@bp.route("/join/<code>/vote", methods=["GET", "POST"])
@limiter.limit(VOTE_LIMIT, key_func=participants.rate_key, methods=["POST"])
def participate(code: str):
    workshop = _workshop(code)
    if workshop is None:
        abort(404, NO_SUCH_WORKSHOP)
    if code != workshop.join_code:
        return redirect(url_for("workshops.participate", code=workshop.join_code))
    participant = participants.find(workshop.id, workshop.join_code)
    if request.method == "GET":
        if participant is None:
            if workshop.status == "closed":
                return _ended(workshop)
            return redirect(url_for("workshops.join_workshop", code=workshop.join_code))
        return _participant_page(workshop, participant)
    return _vote_from_form(workshop)


def _vote_from_form(workshop: Workshop):
    """The form's vote without JavaScript: show the page again, with the error when refused."""
    participant = participants.require(workshop.id, workshop.join_code)  # 401 or 403
    try:
        round_id, stage = forms.parse_vote(request.form)
        cast = operations.record_vote(workshop.id, participant.id, round_id, stage)
    except OperationError as error:
        return _participant_page(workshop, participant, error.status, error.message)
    flash(vote_message(cast.stage, cast.allow_changes), "success")
    return redirect(url_for("workshops.participate", code=workshop.join_code))
