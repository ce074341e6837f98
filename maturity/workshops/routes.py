"""Pages of the workshops blueprint: set-up, the facilitator console, the presenter screen,
results and exports. Joining and voting are in maturity.workshops.join.
"""

from flask import (
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup

from maturity import access
from maturity.assessments.queries import participation
from maturity.core.revotes import survey_words
from maturity.core.scoring import STAGES, agreement
from maturity.errors import OperationError, wants_json
from maturity.extensions import db
from maturity.models import Assessment, Strand, Workshop
from maturity.qr import qr_svg
from maturity.workshops import bp, exports, operations, queries
from maturity.workshops.forms import ManualTallyForm, WorkshopForm
from maturity.workshops.queries import load_workshop
from maturity.workshops.results import build_reports
from maturity.workshops.state import staff_state


def join_url(workshop: Workshop) -> str:
    return url_for("workshops.join_workshop", code=workshop.join_code, _external=True)


def join_qr(workshop: Workshop) -> Markup:
    """The join address as a QR code."""
    return qr_svg(join_url(workshop))


def _loaded(workshop_id: int, need: str) -> Workshop:
    """The workshop with its rounds, once the user's access to it has been checked (404/403)."""
    access.get_or_404(Workshop, workshop_id, need)
    return load_workshop(db.session, workshop_id)


def _refused(error: OperationError, back: str):
    """A refused change said on the page it came from. Nothing the request wrote is kept: the
    redirect would otherwise be committed after the view (maturity/transaction.py)."""
    db.session.rollback()
    flash(error.message, "info")
    return redirect(back)


@bp.context_processor
def workshop_context() -> dict:
    return {"STAGES": STAGES, "agreement": agreement, "survey_words": survey_words}


def workshop_panel(assessment: Assessment) -> list[Workshop]:
    """The assessment page's workshops panel (assessments.panels): its workshops, newest first."""
    return queries.assessment_workshops(db.session, assessment.id)


@bp.app_template_global()
def can_manage_workshops(assessment: Assessment) -> bool:
    return access.can(current_user, "manage", assessment)


# --------------------------------------------------------------------------------------------
# Setting up
# --------------------------------------------------------------------------------------------


def _settings(form: WorkshopForm) -> dict:
    return {
        "held_on": form.held_on.data,
        "offer_dont_know": form.offer_dont_know.data,
        "allow_changes": form.allow_changes.data,
        "ask_org_type": form.ask_org_type.data,
        "results_visible": form.results_visible.data,
    }


@bp.get("/assessments/<int:assessment_id>/workshops")
@login_required
def assessment_workshops(assessment_id: int):
    assessment = access.get_or_404(Assessment, assessment_id, "view")
    return render_template(
        "workshops/index.html", assessment=assessment, workshop_list=workshop_panel(assessment)
    )


@bp.route("/assessments/<int:assessment_id>/workshops/new", methods=["GET", "POST"])
@login_required
def new_workshop(assessment_id: int):
    assessment = access.get_or_404(Assessment, assessment_id, "manage")
    form = WorkshopForm(framework=assessment.framework)
    if form.validate_on_submit():
        try:
            workshop = operations.create_workshop(
                assessment, form.title.data, form.rounds.data, user=current_user, **_settings(form)
            )
        except OperationError as error:
            form.rounds.errors = [error.message]  # shown again with 400: nothing is committed
        else:
            flash(f"Workshop \u2018{workshop.title}\u2019 set up. Its join code is {workshop.display_code}.", "success")
            return redirect(url_for("workshops.show", workshop_id=workshop.id))
    status = 400 if form.errors else 200
    return render_template("workshops/form.html", form=form, assessment=assessment, workshop=None), status


@bp.get("/workshops/<int:workshop_id>")
@login_required
def show(workshop_id: int):
    workshop = access.get_or_404(Workshop, workshop_id, "view")
    return render_template(
        "workshops/show.html",
        workshop=workshop,
        assessment=workshop.assessment,
        join_url=join_url(workshop),
        can_manage=access.can(current_user, "manage", workshop),
    )


@bp.route("/workshops/<int:workshop_id>/edit", methods=["GET", "POST"])
@login_required
def edit(workshop_id: int):
    workshop = access.get_or_404(Workshop, workshop_id, "manage")
    if workshop.status != "setup":
        flash("A workshop can only be changed before it starts.", "info")
        return redirect(url_for("workshops.show", workshop_id=workshop.id))
    form = WorkshopForm(framework=workshop.assessment.framework, workshop=workshop)
    if form.validate_on_submit():
        try:
            operations.update_workshop(workshop, form.title.data, form.rounds.data, **_settings(form))
        except OperationError as error:
            form.rounds.errors = [error.message]  # shown again with 400: nothing is committed
        else:
            flash("Workshop saved.", "success")
            return redirect(url_for("workshops.show", workshop_id=workshop.id))
    status = 400 if form.errors else 200
    return (
        render_template("workshops/form.html", form=form, assessment=workshop.assessment, workshop=workshop),
        status,
    )


@bp.post("/workshops/<int:workshop_id>/delete")
@login_required
def delete(workshop_id: int):
    workshop = access.get_or_404(Workshop, workshop_id, "manage")
    assessment_id = workshop.assessment_id
    try:
        operations.delete_workshop(workshop)
    except OperationError as error:
        return _refused(error, url_for("workshops.show", workshop_id=workshop_id))
    flash("Workshop deleted.", "success")
    return redirect(url_for("workshops.assessment_workshops", assessment_id=assessment_id))


# --------------------------------------------------------------------------------------------
# Facilitating
# --------------------------------------------------------------------------------------------


def _console(workshop_id: int, form: ManualTallyForm | None = None, status: int = 200):
    workshop = load_workshop(db.session, workshop_id)
    state = staff_state(db.session, workshop, "facilitator")
    template = (
        "workshops/_console_status.html"
        if request.args.get("fragment") == "status"
        else "workshops/facilitate.html"
    )
    return (
        render_template(
            template,
            workshop=workshop,
            state=state,
            form=form or ManualTallyForm(formdata=None, workshop=workshop),
            join_url=join_url(workshop),
        ),
        status,
    )


@bp.get("/workshops/<int:workshop_id>/facilitate")
@login_required
def facilitate(workshop_id: int):
    workshop = access.get_or_404(Workshop, workshop_id, "manage")
    return _console(workshop.id)


def _check_round_on_screen(workshop: Workshop) -> None:
    """Refuse a button pressed on a page that still showed an earlier round."""
    sent = request.form.get("round_id", "").strip()
    if sent and sent != str(workshop.current_round_id):
        raise OperationError(
            "The workshop has moved to another round since this page was loaded, so nothing "
            "was changed. Check the console and try again."
        )


def _control(workshop_id: int, action, done: str, check_screen: bool = True):
    """Run a facilitator's change; answer with the console (or JSON, for its script)."""
    workshop = access.get_or_404(Workshop, workshop_id, "manage")
    try:
        if check_screen:
            _check_round_on_screen(workshop)
        action(workshop)
    except OperationError as error:
        if wants_json():
            raise  # the app's handler answers with its status and message, keeping nothing
        return _refused(error, url_for("workshops.facilitate", workshop_id=workshop_id))
    if wants_json():
        workshop = load_workshop(db.session, workshop_id)
        return jsonify({"message": done, "state": staff_state(db.session, workshop, "facilitator")})
    flash(done, "success")
    return redirect(url_for("workshops.facilitate", workshop_id=workshop_id))


def _button(action, done: str):
    """The view of one console button: the facilitator's change `action`, then `done` said."""

    def view(workshop_id: int):
        return _control(workshop_id, action, done)

    return login_required(view)


#: The console's buttons that act on the round on screen: (path and endpoint, change, message).
_BUTTONS = [
    ("start", "start", operations.start_workshop, "The workshop has started."),
    ("open", "open_voting", operations.open_round, "Voting is open."),
    ("close", "close_voting", operations.close_round, "Voting is closed."),
    ("reveal", "reveal", lambda w: operations.reveal_round(w, True), "The result is showing."),
    ("hide", "hide", lambda w: operations.reveal_round(w, False), "The result is hidden."),
    ("next", "next_round", lambda w: operations.move(w, +1), "Moved to the next round."),
    ("revote", "revote", operations.revote, "Voting again on this strand: voting is open."),
    ("previous", "previous_round", lambda w: operations.move(w, -1), "Moved to the previous round."),
]
for _path, _endpoint, _action, _done in _BUTTONS:
    bp.add_url_rule(
        f"/workshops/<int:workshop_id>/{_path}", _endpoint, _button(_action, _done), methods=["POST"]
    )


@bp.route("/workshops/<int:workshop_id>/end", methods=["GET", "POST"])
@login_required
def end(workshop_id: int):
    """Ending cannot be undone, so it is asked on a page of its own (GET); its form POSTs here."""
    if request.method == "POST":
        done = "The workshop has ended. Its results are ready."
        return _control(workshop_id, operations.end_workshop, done)
    workshop = access.get_or_404(Workshop, workshop_id, "manage")
    if workshop.status == "closed":
        flash("This workshop has already ended.", "info")
        return redirect(url_for("workshops.facilitate", workshop_id=workshop.id))
    return render_template("workshops/end.html", workshop=workshop)


@bp.post("/workshops/<int:workshop_id>/rounds/<int:round_id>/show")
@login_required
def go_to_round(workshop_id: int, round_id: int):
    return _control(workshop_id, lambda w: operations.go_to(w, round_id), "Moved to that round.")


@bp.post("/workshops/<int:workshop_id>/hand-counts")
@login_required
def add_hand_count(workshop_id: int):
    workshop = access.get_or_404(Workshop, workshop_id, "manage")
    form = ManualTallyForm(workshop=workshop)
    if not form.validate():
        if wants_json():
            first = next(iter(form.errors.values()))[0]
            abort(400, first)
        return _console(workshop.id, form, 400)
    done = f"{form.count.data} hand-counted vote{'s' if form.count.data != 1 else ''} added."
    return _control(
        workshop_id,
        lambda w: operations.add_manual_tally(
            w, form.round_id.data, form.stage_value(), form.count.data, form.note.data, current_user
        ),
        done,
        check_screen=False,  # its round is chosen in the form
    )


@bp.post("/workshops/<int:workshop_id>/hand-counts/<int:tally_id>/remove")
@login_required
def remove_hand_count(workshop_id: int, tally_id: int):
    return _control(
        workshop_id, lambda w: operations.remove_manual_tally(w, tally_id), "Hand count removed."
    )


# --------------------------------------------------------------------------------------------
# Presenting
# --------------------------------------------------------------------------------------------


@bp.get("/workshops/<int:workshop_id>/present")
@login_required
def present(workshop_id: int):
    workshop = _loaded(workshop_id, "view")
    state = staff_state(db.session, workshop, "presenter")
    return render_template(
        "workshops/present.html",
        workshop=workshop,
        state=state,
        join_url=join_url(workshop),
        join_address=url_for("workshops.join_form", _external=True).split("://", 1)[-1],
        qr=join_qr(workshop),
    )


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


def _strand_groups(reports) -> list[dict]:
    groups: dict[int, dict] = {}
    for report in reports:
        strand = report.round.strand
        group = groups.setdefault(strand.id, {"strand": strand, "reports": []})
        group["reports"].append(report)
    return list(groups.values())


@bp.get("/workshops/<int:workshop_id>/results")
@login_required
def results(workshop_id: int):
    workshop = _loaded(workshop_id, "view")
    reports = build_reports(workshop)
    held, took_part = participation(workshop.assessment)
    return render_template(
        "workshops/results.html",
        workshop=workshop,
        assessment=workshop.assessment,
        reports=reports,
        took_part=took_part,
        took_part_index=held.index(workshop) if workshop in held else None,
        strands=_strand_groups(reports),
        carried=queries.carried_ratings(db.session, workshop),
        can_manage=access.can(current_user, "manage", workshop),
    )


@bp.get("/workshops/<int:workshop_id>/rounds/<int:round_id>/results")
@login_required
def round_results(workshop_id: int, round_id: int):
    workshop = _loaded(workshop_id, "view")
    round_ = next((r for r in workshop.rounds if r.id == round_id), None)
    if round_ is None:
        abort(404)
    report = build_reports(workshop, [round_])[0]
    view = "one-voice" if request.args.get("view") == "one-voice" else "room"
    return render_template(
        "workshops/round_results.html", workshop=workshop, report=report, view=view
    )


@bp.post("/workshops/<int:workshop_id>/strands/<int:strand_id>/carry")
@login_required
def carry(workshop_id: int, strand_id: int):
    workshop = access.get_or_404(Workshop, workshop_id, "manage")
    strand = db.session.get(Strand, strand_id)
    if strand is None or strand.framework_id != workshop.assessment.framework_id:
        abort(404)
    back = url_for("workshops.results", workshop_id=workshop_id) + f"#strand-{strand_id}"
    try:
        reveal = request.form.get("reveal") == "yes"
        result = operations.carry_room_result(workshop, strand, current_user, reveal=reveal)
    except OperationError as error:
        return _refused(error, back)
    median = exports.median_label(result.get("median"))
    flash(f"The room\u2019s result for {strand.name} ({median}) is now part of the assessment.", "success")
    return redirect(back)


@bp.get("/workshops/<int:workshop_id>/results.csv")
@login_required
def results_csv(workshop_id: int):
    workshop = _loaded(workshop_id, "view")
    return exports.results_csv(workshop, build_reports(workshop))


@bp.get("/workshops/<int:workshop_id>/results.xlsx")
@login_required
def results_xlsx(workshop_id: int):
    workshop = _loaded(workshop_id, "view")
    return exports.results_xlsx(workshop, build_reports(workshop))
