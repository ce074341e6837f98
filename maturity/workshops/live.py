"""The "live" blueprint: JSON state, votes and the event stream. Errors answer in JSON.

Participants poll /live/join/<code>/state with the revision as ETag (304 while nothing has
changed); the presenter and facilitator hold /live/workshops/<id>/events and fall back to
polling /live/workshops/<id>/state.
"""

from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, request
from flask_login import current_user
from sqlalchemy import select

from maturity.extensions import db, limiter
from maturity.models import Workshop
from maturity.workshops import codes, operations, participants, sse
from maturity.workshops.guard import workshop_or_404
from maturity.workshops.operations import WorkshopError
from maturity.workshops.state import (
    cached_participant_state,
    etag,
    load_workshop,
    staff_state,
    stage_label,
)

bp = Blueprint("live", __name__, url_prefix="/live")

#: Far above what a person does by hand (changing their mind a few times a minute), far below
#: what a script stuffing votes would need. Keyed by participant, so a room behind one address
#: is never throttled as a whole.
VOTE_LIMIT = "60/minute"
VIEWS = ("presenter", "facilitator")


def _no_cache(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-cache, private"
    return response


def _not_modified(tag: str) -> Response | None:
    if request.if_none_match.contains(tag):
        response = Response(status=304)
        response.set_etag(tag)
        return _no_cache(response)
    return None


def _json_with_etag(data: dict[str, Any], tag: str) -> Response:
    response = jsonify(data)
    response.set_etag(tag)
    return _no_cache(response)


def workshop_by_code(code: str) -> tuple[int, int, str] | None:
    """(id, revision, status) of the workshop with this join code, in one small query."""
    normal = codes.normalise(code)
    if normal is None:
        return None
    row = db.session.execute(
        select(Workshop.id, Workshop.revision, Workshop.status).where(Workshop.join_code == normal)
    ).one_or_none()
    return tuple(row) if row is not None else None


def _require_workshop(code: str) -> tuple[int, int, str]:
    found = workshop_by_code(code)
    if found is None:
        abort(404, "There is no workshop with that join code. Check the code on the screen.")
    return found


@bp.get("/join/<code>/state")
def participant_state_json(code: str):
    workshop_id, revision, _status = _require_workshop(code)
    token = participants.token_for(code)
    if token is None:
        abort(401, "This browser has not joined the workshop. Open the join link again.")
    tag = etag(workshop_id, revision, participants.token_tag(token))
    cached = _not_modified(tag)
    if cached is not None:
        return cached
    participant = participants.require(workshop_id, code)
    normal = codes.normalise(code) or code
    data = cached_participant_state(db.session, workshop_id, normal, revision, participant.id)
    if data is None:
        abort(404, "There is no workshop with that join code. Check the code on the screen.")
    return _json_with_etag(data, etag(workshop_id, data["revision"], participants.token_tag(token)))


def parse_vote(payload: Any) -> tuple[int, int | None]:
    """(round id, stage) from a vote's JSON or form fields; 400 when either is not valid."""
    if not hasattr(payload, "get"):
        abort(400, "Send the vote as a form or a JSON object with round_id and stage.")
    raw_round, raw_stage = payload.get("round_id"), payload.get("stage")
    try:
        round_id = int(raw_round)
        if round_id < 1:
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        abort(400, "The vote did not say which strand it was for. Reload the page and try again.")
    if isinstance(raw_stage, str):
        raw_stage = raw_stage.strip()
    if raw_stage in ("dont-know", "dont_know", None, ""):
        if raw_stage in (None, ""):
            abort(400, "Choose one of the four stages, from early to mature.")
        return round_id, None
    if isinstance(raw_stage, bool):
        abort(400, "Choose one of the four stages, from early to mature.")
    try:
        stage = int(raw_stage)
    except (TypeError, ValueError, OverflowError):
        abort(400, "Choose one of the four stages, from early to mature.")
    if stage not in (1, 2, 3, 4):
        abort(400, "There is no such stage. Choose early, developing, maturing or mature.")
    return round_id, stage


def vote_message(stage: int | None, allow_changes: bool) -> str:
    then = " You can change it until voting closes." if allow_changes else ""
    return f"Vote received: {stage_label(stage)}.{then}"


def record_vote(workshop_id: int, code: str, payload: Any) -> dict[str, Any]:
    """Validate and store one vote, committing; aborts with a 4xx and stores nothing on error."""
    participant = participants.require(workshop_id, code)
    round_id, stage = parse_vote(payload)
    try:
        cast = operations.cast_vote(workshop_id, round_id, participant.id, stage)
        db.session.commit()
    except WorkshopError as error:
        db.session.rollback()
        abort(error.status, error.message)
    return {
        "ok": True,
        "round_id": cast.round_id,
        "my_vote": {"stage": cast.stage, "label": stage_label(cast.stage)},
        "revision": cast.revision,
        "message": vote_message(cast.stage, cast.allow_changes),
    }


@bp.post("/join/<code>/vote")
@limiter.limit(VOTE_LIMIT, key_func=participants.rate_key)
def vote(code: str):
    workshop_id, _revision, _status = _require_workshop(code)
    payload = request.get_json(silent=True) if request.is_json else request.form
    return jsonify(record_vote(workshop_id, code, payload))


def _staff_view() -> str:
    if not current_user.is_authenticated:
        abort(401, "Sign in to follow this workshop.")
    view = request.args.get("view", "presenter")
    if view not in VIEWS:
        abort(400, "Ask for view=presenter or view=facilitator.")
    return view


@bp.get("/workshops/<int:workshop_id>/state")
def staff_state_json(workshop_id: int):
    view = _staff_view()
    workshop = workshop_or_404(workshop_id, "manage" if view == "facilitator" else "view")
    tag = etag(workshop.id, workshop.revision, view)
    cached = _not_modified(tag)
    if cached is not None:
        return cached
    workshop = load_workshop(db.session, workshop_id)
    data = staff_state(db.session, workshop, view)
    return _json_with_etag(data, etag(workshop.id, data["revision"], view))


@bp.get("/workshops/<int:workshop_id>/events")
def events(workshop_id: int):
    view = _staff_view()
    workshop_or_404(workshop_id, "manage" if view == "facilitator" else "view")
    try:
        last_event_id = int(request.headers.get("Last-Event-ID", ""))
    except ValueError:
        last_event_id = None
    engine = db.engine
    options = sse.settings(current_app.config)
    # The stream runs after this view returns: give the request's connection back now.
    db.session.close()
    response = Response(
        sse.stream(engine, workshop_id, view, last_event_id, options),
        mimetype="text/event-stream",
    )
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"
    return response
