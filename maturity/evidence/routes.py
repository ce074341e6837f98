"""The evidence register: list, filter and search; add, edit, review and remove; download files."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from maturity import access
from maturity.errors import error_response, wants_json
from maturity.evidence import bp, operations, queries, uploads
from maturity.evidence.forms import DeleteForm, EvidenceForm, ReviewForm, max_upload_bytes
from maturity.extensions import db
from maturity.models import EVIDENCE_KINDS, EVIDENCE_STATUSES, Assessment, Evidence, Feature
from maturity.routing import parse_id

VIEWS = {"list": "All evidence", "strand": "By strand", "organisation": "By partner organisation"}


def _id_arg(name: str) -> int | None:
    return parse_id(request.args.get(name))


def _stale_days() -> int:
    return int(current_app.config.get("EVIDENCE_STALE_DAYS", 365))


def may_edit(evidence: Evidence) -> bool:
    """Coordinators may edit any item; partners the items they added or their organisation owns."""
    if access.can(current_user, "manage", evidence):
        return True
    if not access.can(current_user, "contribute", evidence):
        return False
    if evidence.created_by_id == current_user.id:
        return True
    membership = next(
        (m for m in current_user.memberships if m.area_id == evidence.area_id), None
    )
    return bool(membership and membership.organisation_id and membership.organisation_id == evidence.organisation_id)


def may_delete(evidence: Evidence) -> bool:
    if access.can(current_user, "manage", evidence):
        return True
    return evidence.status != "accepted" and evidence.created_by_id == current_user.id and access.can(
        current_user, "contribute", evidence
    )


def _features(form: EvidenceForm) -> list[Feature]:
    return queries.features_by_id(form.chosen_feature_ids)


def _store(form: EvidenceForm) -> uploads.StoredFile | None:
    if form.checked_file is None:
        return None
    return uploads.store(form.checked_file, current_app.config["UPLOAD_FOLDER"])


def _filters() -> queries.Filters:
    args = request.args
    kind = args.get("kind") if args.get("kind") in EVIDENCE_KINDS else None
    status = args.get("status") if args.get("status") in EVIDENCE_STATUSES else None
    stale = args.get("stale") if args.get("stale") in ("stale", "current") else None
    q = (args.get("q") or "").strip()[:200] or None
    return queries.Filters(
        strand_id=_id_arg("strand"),
        organisation_id=_id_arg("organisation"),
        kind=kind,
        status=status,
        stale=stale,
        q=q,
    )


def _filter_args(filters: queries.Filters) -> dict:
    args = {
        "strand": filters.strand_id,
        "organisation": filters.organisation_id,
        "kind": filters.kind,
        "status": filters.status,
        "stale": filters.stale,
        "q": filters.q,
    }
    return {key: value for key, value in args.items() if value}


def _view_links(assessment: Assessment, filters: queries.Filters, current: str) -> list[dict]:
    """The register's three views, each keeping the filters in force."""
    return [
        {
            "text": label,
            "href": url_for("evidence.register", assessment_id=assessment.id, view=key, **_filter_args(filters)),
            "current": key == current,
        }
        for key, label in VIEWS.items()
    ]


def _groups(view: str, filters: queries.Filters, items, strands, places, organisations) -> list | None:
    """The register's items grouped by strand or by organisation (None for the plain list);
    a group left empty by a filter on that grouping is not shown."""
    if view == "strand":
        groups = queries.group_by_strand(items, strands, places)
        return [g for g in groups if g.items] if filters.strand_id else groups
    if view == "organisation":
        groups = queries.group_by_organisation(items, organisations)
        return [g for g in groups if g.items] if filters.organisation_id else groups
    return None


@bp.get("/assessments/<int:assessment_id>/evidence")
@login_required
def register(assessment_id: int):
    assessment = access.get_or_404(Assessment, assessment_id)
    filters = _filters()
    view = request.args.get("view") if request.args.get("view") in VIEWS else "list"
    today = date.today()
    items = queries.register(assessment, filters, today, _stale_days())
    strands = queries.framework_tree(assessment.framework)
    places = queries.feature_places(assessment.framework, strands)
    organisations = assessment.area.organisations
    return render_template(
        "evidence/register.html",
        assessment=assessment,
        items=items,
        groups=_groups(view, filters, items, strands, places, organisations),
        view=view,
        view_links=_view_links(assessment, filters, view),
        filters=filters,
        strands=strands,
        places=places,
        strands_of=queries.strands_of,
        organisations=organisations,
        kinds=EVIDENCE_KINDS,
        statuses=EVIDENCE_STATUSES,
        today=today,
        stale_days=_stale_days(),
        can_contribute=access.can(current_user, "contribute", assessment),
    )


@contextmanager
def _saved_with(stored: uploads.StoredFile | None) -> Iterator[None]:
    """Commit the evidence change made inside the block now, not after the view: a file just
    stored must never outlive a row that failed to save, so on any failure the change is rolled
    back and the file removed."""
    try:
        yield
        db.session.commit()
    except Exception:
        db.session.rollback()
        if stored is not None:
            uploads.remove(current_app.config["UPLOAD_FOLDER"], stored.key)
        raise


@bp.route("/assessments/<int:assessment_id>/evidence/new", methods=["GET", "POST"])
@login_required
def new(assessment_id: int):
    assessment = access.get_or_404(Assessment, assessment_id, need="contribute")
    form = EvidenceForm.for_new(assessment, current_user)
    if form.validate_on_submit():
        stored = _store(form)
        with _saved_with(stored):
            evidence = operations.add_evidence(
                assessment, current_user, form.fields(), _features(form), stored
            )
        flash(f"‘{evidence.title}’ added to the evidence register as a draft.", "success")
        return redirect(url_for("evidence.show", evidence_id=evidence.id))
    return _render_form(form, assessment, None)


def _evidence_allowed(evidence_id: int, allowed: Callable[[Evidence], bool], refusal: str) -> Evidence:
    """An evidence item the user may contribute to and, by `allowed`, change in this way (else 403)."""
    evidence = access.get_or_404(Evidence, evidence_id, need="contribute")
    if not allowed(evidence):
        abort(403, refusal)
    return evidence


def _saved_message(evidence: Evidence, was: str) -> str:
    """What an edit says once saved: an accepted or rejected item that changed is a draft again."""
    if was == evidence.status:
        return f"Changes to ‘{evidence.title}’ saved."
    return (
        f"Changes to ‘{evidence.title}’ saved. It was {EVIDENCE_STATUSES[was].lower()}, "
        "so it is a draft again until a coordinator accepts it."
    )


@bp.route("/evidence/<int:evidence_id>/edit", methods=["GET", "POST"])
@login_required
def edit(evidence_id: int):
    evidence = _evidence_allowed(
        evidence_id, may_edit,
        "Only a coordinator, the person who added it or its owner organisation can change this evidence.",
    )
    form = EvidenceForm.for_edit(evidence)
    if form.validate_on_submit():
        stored = _store(form)
        was = evidence.status
        with _saved_with(stored):
            unused = operations.update_evidence(
                evidence, current_user, form.fields(), _features(form), stored,
                remove_file=bool(form.remove_file.data),
            )
        uploads.remove(current_app.config["UPLOAD_FOLDER"], unused)
        flash(_saved_message(evidence, was), "success")
        return redirect(url_for("evidence.show", evidence_id=evidence.id))
    return _render_form(form, evidence.assessment, evidence)


def _render_form(form: EvidenceForm, assessment: Assessment, evidence: Evidence | None):
    return render_template(
        "evidence/form.html",
        form=form,
        assessment=assessment,
        evidence=evidence,
        strands=queries.framework_tree(assessment.framework),
        stages={s["value"]: s["name"] for s in assessment.framework.stages},
        chosen=form.chosen_feature_ids,
        max_upload=uploads.human_size(max_upload_bytes()),
        accept=uploads.ACCEPT_ATTRIBUTE,
    ), (400 if form.errors else 200)


@bp.get("/evidence/<int:evidence_id>")
@login_required
def show(evidence_id: int):
    evidence = access.get_or_404(Evidence, evidence_id)
    form = ReviewForm() if access.can(current_user, "manage", evidence) else None
    if form is not None:
        form.decision.data = evidence.status if evidence.status != "draft" else None
        form.reason.data = evidence.status_reason
    return _render_show(evidence, form)


def _render_show(evidence: Evidence, form: ReviewForm | None):
    places = queries.feature_places(evidence.assessment.framework)
    linked = sorted(
        (places[f.id] for f in evidence.features if f.id in places),
        key=lambda p: (p.strand.position, p.element.position, p.feature.stage, p.feature.position),
    )
    return render_template(
        "evidence/show.html",
        evidence=evidence,
        assessment=evidence.assessment,
        linked=linked,
        form=form,
        may_edit=may_edit(evidence),
        may_delete=may_delete(evidence),
        stale=evidence.is_stale(date.today(), _stale_days()),
        stale_days=_stale_days(),
        file_size=uploads.human_size(evidence.file_size) if evidence.file_size else None,
    ), (400 if form is not None and form.errors else 200)


@bp.post("/evidence/<int:evidence_id>/review")
@login_required
def review(evidence_id: int):
    evidence = access.get_or_404(Evidence, evidence_id, need="manage")
    form = ReviewForm()
    if form.validate_on_submit():
        operations.review_evidence(evidence, current_user, form.decision.data, form.reason.data)
        flash(f"‘{evidence.title}’ is now {evidence.status_label.lower()}.", "success")
        return redirect(url_for("evidence.show", evidence_id=evidence.id))
    return _render_show(evidence, form)


@bp.route("/evidence/<int:evidence_id>/delete", methods=["GET", "POST"])
@login_required
def delete(evidence_id: int):
    evidence = _evidence_allowed(
        evidence_id, may_delete,
        "Only a coordinator, or the person who added it before it is accepted, can remove this evidence.",
    )
    form = DeleteForm()
    if form.validate_on_submit():
        assessment_id = evidence.assessment_id
        title = evidence.title
        key = operations.delete_evidence(evidence, current_user)
        db.session.commit()
        uploads.remove(current_app.config["UPLOAD_FOLDER"], key)
        flash(f"‘{title}’ removed from the evidence register.", "success")
        return redirect(url_for("evidence.register", assessment_id=assessment_id))
    return render_template("evidence/delete.html", evidence=evidence, assessment=evidence.assessment, delete_form=form)


@bp.get("/evidence/<int:evidence_id>/file")
@login_required
def download(evidence_id: int):
    evidence = access.get_or_404(Evidence, evidence_id)
    if not evidence.file_key:
        abort(404)
    try:
        path = uploads.path_for(current_app.config["UPLOAD_FOLDER"], evidence.file_key)
    except ValueError:
        abort(404)
    if not path.is_file():
        current_app.logger.warning("Evidence %s: stored file %s is missing", evidence.id, evidence.file_key)
        abort(404)
    response = send_file(
        path,
        mimetype=evidence.file_type or "application/octet-stream",
        as_attachment=True,
        download_name=evidence.file_name or "evidence",
        conditional=False,
        etag=False,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.app_errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge):
    """Werkzeug refuses a request body over MAX_CONTENT_LENGTH before any view sees it."""
    if request.mimetype == "multipart/form-data":
        heading = "The file is too big"
        message = (
            f"The file you chose is too big. Files must be smaller than "
            f"{uploads.human_size(max_upload_bytes())}. Nothing was saved: go back and choose a "
            "smaller file, or add a link to where the document is kept instead."
        )
    else:
        heading = "That was too much to send"
        message = "What you sent was too big for the service to accept, so nothing was saved. Go back and shorten it."
    if wants_json():
        return error_response(error, message)
    return render_template("evidence/too_large.html", heading=heading, message=message), 413
