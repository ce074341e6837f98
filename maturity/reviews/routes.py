"""Routes of the reviews blueprint: request a peer review, record it, answer it, close it.

The reviewed assessment and the review are always loaded through `maturity.access` or
`maturity.reviews.access.load_review`: 404 when the user has no part in it, 403 when their part
does not allow the action.
"""

from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from maturity.access import can, get_or_404
from maturity.assessments import queries as assessment_queries
from maturity.core.matching import suggest_partners
from maturity.core.scoring import STAGES, parse_rating
from maturity.errors import OperationError
from maturity.models import Area, Assessment, PeerReview, Strand
from maturity.reports import queries as reports
from maturity.reviews import bp, operations, queries
from maturity.reviews.access import WRITABLE, load_review, review_allows
from maturity.reviews.forms import (
    ChooseAreaForm,
    RequestReviewForm,
    ResponseForm,
    StrandReviewForm,
    SummaryForm,
)


@bp.before_request
@login_required
def require_sign_in() -> None:
    """Every peer review page needs a signed-in user; each object is checked per route."""


@bp.context_processor
def helpers() -> dict[str, Any]:
    return {"parse_peer": parse_rating, "STAGES": STAGES}


def _me():
    return current_user._get_current_object()


def _strands(review: PeerReview) -> list[Strand]:
    return queries.strands_of(review.assessment.framework_id)


def _strand(review: PeerReview, strand_key: str) -> Strand:
    strand = assessment_queries.strand_of(review.assessment, strand_key)
    if strand is None:
        abort(404)
    return strand


# --------------------------------------------------------------------------------------------
# Shown on the assessment page (templates/reviews/_assessment_reviews.html), read through
# maturity.assessments.panels
# --------------------------------------------------------------------------------------------


def peer_review_panel(assessment: Assessment) -> dict[str, Any]:
    """The reviews of an assessment, the latest peer ratings with their flags, and what the user may do."""
    reviews = [r for r in queries.reviews_of(assessment) if review_allows(current_user, "view", r)]
    latest = assessment_queries.latest_submitted_review(assessment)
    peer_rows = []
    if latest is not None and review_allows(current_user, "view", latest):
        figures = reports.assessment_figures(assessment)
        entries = {entry.strand.key: entry for entry in latest.strand_reviews}
        for strand in figures.strands:
            if strand.peer is None:
                continue
            # The strand's flags as every other page shows them (core.comparison.figures_flags).
            peer_rows.append({"strand": strand, "entry": entries.get(strand.key), "flags": strand.flags})
    open_review = next((r for r in reviews if r.is_open), None)
    can_manage = can(current_user, "manage", assessment)
    return {
        "reviews": reviews,
        "latest": latest,
        "peer_rows": peer_rows,
        "can_request": can_manage and open_review is None,
        "open_review": open_review,
        "request_url": url_for("reviews.new", assessment_id=assessment.id),
        "compare_url": url_for("compare.show", a=assessment.id),
    }


# --------------------------------------------------------------------------------------------
# Lists
# --------------------------------------------------------------------------------------------


@bp.get("/peer-reviews")
def index():
    found = queries.reviews_for(_me())
    return render_template("reviews/index.html", doing=found["doing"], received=found["received"])


# --------------------------------------------------------------------------------------------
# Requesting a review
# --------------------------------------------------------------------------------------------


def _suggestions(assessment: Assessment):
    names = {s.key: s.short_name or s.name for s in queries.strands_of(assessment.framework_id)}
    return suggest_partners(
        reports.subject_profile(assessment),
        reports.area_profiles(exclude_area_id=assessment.area_id),
        names,
        last_paired=queries.last_pairings(assessment.area_id),
        limit=5,
    )


def _choose_reviewing_area(assessment: Assessment) -> tuple[ChooseAreaForm, Area | None]:
    """The area picker, and the area chosen in it (None, with the picker's error, when the
    choice names no other area)."""
    areas = queries.other_areas(assessment.area_id)
    chosen_id = request.form.get("reviewing_area_id") if request.method == "POST" else request.args.get("reviewing_area")
    choose = ChooseAreaForm(formdata=request.args if request.method == "GET" and chosen_id is not None else None)
    choose.reviewing_area.choices = [("", "Choose an area")] + [(str(a.id), a.name) for a in areas]
    reviewing_area = None
    if chosen_id is not None:
        reviewing_area = next((a for a in areas if str(a.id) == chosen_id), None)
        if reviewing_area is None:
            choose.reviewing_area.data = chosen_id
            choose.reviewing_area.errors = ["Select the area that will carry out the review"]
    return choose, reviewing_area


def _back_to_review(review: PeerReview, message: str, anchor: str = "") -> Response:
    """To the review's page with a confirmation banner (and to a part of it with `anchor`)."""
    flash(message, "success")
    return redirect(url_for(".show", review_id=review.id) + anchor)


def _request_review(assessment: Assessment, reviewing_area: Area, reviewers: list, form: RequestReviewForm):
    """Request the review the valid form asks for: a redirect to it, or None with the form's
    error when the request is refused."""
    chosen = [u for u in reviewers if str(u.id) in set(form.reviewers.data)]
    try:
        review = operations.request_review(assessment, reviewing_area, chosen, _me(), form.note.data)
    except OperationError as error:
        form.reviewers.errors = [str(error)]
        return None
    return _back_to_review(
        review,
        f"Peer review requested from {reviewing_area.name}. The reviewers can now read "
        "this assessment, its evidence and its workshop results until the review is closed.",
    )


@bp.route("/assessments/<int:assessment_id>/peer-reviews/new", methods=["GET", "POST"])
def new(assessment_id: int):
    assessment = get_or_404(Assessment, assessment_id, need="manage")
    open_review = queries.open_review_of(assessment)
    if open_review is not None:
        flash("This assessment already has a peer review under way. Close it before requesting another.")
        return redirect(url_for(".show", review_id=open_review.id))
    choose, reviewing_area = _choose_reviewing_area(assessment)
    form = None
    reviewers = []
    if reviewing_area is not None:
        choose.reviewing_area.data = str(reviewing_area.id)
        reviewers = queries.eligible_reviewers(reviewing_area)
        form = RequestReviewForm(reviewer_choices=[(str(u.id), u.name) for u in reviewers])
        form.reviewing_area_id.data = str(reviewing_area.id)
        if form.validate_on_submit() and (done := _request_review(assessment, reviewing_area, reviewers, form)):
            return done
    failed = form if form is not None and form.errors else (choose if choose.reviewing_area.errors else None)
    return render_template(
        "reviews/new.html",
        assessment=assessment,
        choose=choose,
        form=failed or form,
        request_form=form,
        reviewing_area=reviewing_area,
        reviewers=reviewers,
        suggestions=_suggestions(assessment),
    ), (400 if failed is not None else 200)


# --------------------------------------------------------------------------------------------
# The review
# --------------------------------------------------------------------------------------------


def _render_review(review: PeerReview, submit_errors: list[tuple[str, str]] | None = None):
    strands = _strands(review)
    figures = reports.assessment_figures(review.assessment)
    rows = []
    for strand in strands:
        entry = review.strand_review(strand)
        own = figures.strand(strand.key)
        rows.append({"strand": strand, "entry": entry, "own": own})
    user = _me()
    return render_template(
        "reviews/show.html",
        review=review,
        assessment=review.assessment,
        rows=rows,
        can_write=review_allows(user, "review", review) and review.status in WRITABLE,
        can_manage=review_allows(user, "manage", review) and review.is_open,
        is_reviewer=review.is_reviewer(user),
        submit_errors=submit_errors or [],
        assessment_url=url_for("assessments.show", assessment_id=review.assessment_id),
        evidence_url=url_for("evidence.register", assessment_id=review.assessment_id),
    ), (400 if submit_errors else 200)


@bp.get("/peer-reviews/<int:review_id>")
def show(review_id: int):
    return _render_review(load_review(review_id))


def _refuse_unless_writable(review: PeerReview):
    if review.status not in WRITABLE:
        flash(f"This peer review is {review.status_label.lower()}, so it can no longer be changed.")
        return redirect(url_for(".show", review_id=review.id))
    return None


@bp.route("/peer-reviews/<int:review_id>/strands/<strand_key>", methods=["GET", "POST"])
def strand(review_id: int, strand_key: str):
    review = load_review(review_id, "review")
    strand = _strand(review, strand_key)
    refused = _refuse_unless_writable(review)
    if refused:
        return refused
    entry = review.strand_review(strand)
    form = StrandReviewForm(obj=entry)
    if form.validate_on_submit():
        operations.record_strand(
            review, strand, _me(), form.peer_rating.data, form.position.data,
            form.strengths.data, form.development.data, form.questions.data,
        )
        return _back_to_review(review, f"{strand.name}: peer rating saved.", anchor=f"#strand-{strand.key}")
    figures = reports.assessment_figures(review.assessment)
    return render_template(
        "reviews/strand.html",
        review=review,
        strand=strand,
        own=figures.strand(strand.key),
        form=form,
        strand_url=url_for("assessments.strand", assessment_id=review.assessment_id, strand_key=strand.key),
        evidence_url=url_for("evidence.register", assessment_id=review.assessment_id),
    ), (400 if form.errors else 200)


@bp.route("/peer-reviews/<int:review_id>/summary", methods=["GET", "POST"])
def summary(review_id: int):
    review = load_review(review_id, "review")
    refused = _refuse_unless_writable(review)
    if refused:
        return refused
    form = SummaryForm(obj=review)
    if form.validate_on_submit():
        operations.record_summary(review, _me(), form.summary.data)
        return _back_to_review(review, "Overall summary saved.", anchor="#summary")
    return render_template("reviews/summary.html", review=review, form=form), (
        400 if form.errors else 200
    )


@bp.post("/peer-reviews/<int:review_id>/submit")
def submit(review_id: int):
    review = load_review(review_id, "review")
    refused = _refuse_unless_writable(review)
    if refused:
        return refused
    strands = _strands(review)
    missing = operations.missing_for_submission(review, strands)
    if missing:
        return _render_review(review, missing)
    operations.submit(review, _me(), strands)
    return _back_to_review(
        review,
        f"Peer review submitted to {review.assessment.area.name}. "
        "They will answer each challenge before closing the review.",
    )


@bp.route("/peer-reviews/<int:review_id>/strands/<strand_key>/answer", methods=["GET", "POST"])
def answer(review_id: int, strand_key: str):
    review = load_review(review_id, "manage")
    strand = _strand(review, strand_key)
    entry = review.strand_review(strand)
    if entry is None or not entry.is_challenge:
        abort(404)
    if not review.is_open:
        flash("This peer review is closed, so it can no longer be changed.")
        return redirect(url_for(".show", review_id=review.id))
    form = ResponseForm(obj=entry)
    if form.validate_on_submit():
        operations.respond(entry, _me(), form.response.data)
        return _back_to_review(
            review, f"{strand.name}: answer to the challenge saved.", anchor=f"#strand-{strand.key}"
        )
    return render_template(
        "reviews/answer.html", review=review, strand=strand, entry=entry, form=form
    ), (400 if form.errors else 200)


@bp.post("/peer-reviews/<int:review_id>/close")
def close(review_id: int):
    review = load_review(review_id, "manage")
    try:
        operations.close(review, _me())
    except OperationError as error:
        flash(str(error))
        return redirect(url_for(".show", review_id=review.id))
    return _back_to_review(
        review, "Peer review closed. The reviewers no longer have access to this assessment."
    )
