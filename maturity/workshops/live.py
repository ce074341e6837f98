"""The "live" blueprint: JSON state, votes and the event stream. Errors answer in JSON.

Participants poll /live/join/<code>/state with the state's version in the ETag (304 while
nothing has changed); with ?screen=<the screen the phone shows> the answer carries the new
screen's HTML when it differs, so a phone follows the facilitator in one request. The
presenter and facilitator hold /live/workshops/<id>/events and fall back to polling
/live/workshops/<id>/state.
"""

from typing import Any, NamedTuple

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from maturity import access
from maturity.core.scoring import STAGES
from maturity.extensions import db, limiter
from maturity.models import Participant, Vote, Workshop
from maturity.ratelimit import check_join_code_limit, count_unknown_code
from maturity.routing import parse_id
from maturity.workshops import codes, operations, participants, sse
from maturity.workshops import state as live_state
from maturity.workshops.operations import VoteRules, WorkshopError
from maturity.workshops.state import (
    etag,
    load_workshop,
    personal_state,
    staff_state,
    staff_version,
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


class Found(NamedTuple):
    """What the phones' endpoints need of a workshop, read in one small query."""

    id: int
    revision: int
    status: str
    join_code: str
    offer_dont_know: bool
    allow_changes: bool
    #: With `workshop_by_code(code, token)`: the id of the participant with that token in
    #: this workshop, or None when there is none.
    participant_id: int | None = None
    #: With `with_vote=True` too: the round on screen and that participant's vote in it.
    current_round_id: int | None = None
    voted: bool = False
    vote_stage: int | None = None

    @property
    def rules(self) -> VoteRules:
        return VoteRules(self.status, self.offer_dont_know, self.allow_changes)


def workshop_by_code(code: str, token: str | None = None, with_vote: bool = False) -> Found | None:
    """The workshop with this join code and, given a participant's token, its participant (and
    with `with_vote`, their vote in the round on screen): one query for all of it."""
    normal = codes.normalise(code)
    if normal is None:
        return None
    columns = [
        Workshop.id,
        Workshop.revision,
        Workshop.status,
        Workshop.join_code,
        Workshop.offer_dont_know,
        Workshop.allow_changes,
    ]
    query = select(*columns)
    if token is not None:
        query = query.add_columns(Participant.id.label("participant_id")).outerjoin(
            Participant, (Participant.token == token) & (Participant.workshop_id == Workshop.id)
        )
        if with_vote:
            query = query.add_columns(
                Workshop.current_round_id, Vote.id.label("vote_id"), Vote.stage.label("vote_stage")
            ).outerjoin(
                Vote,
                (Vote.participant_id == Participant.id) & (Vote.round_id == Workshop.current_round_id),
            )
    row = db.session.execute(query.where(Workshop.join_code == normal)).one_or_none()
    if row is None:
        return None
    values = dict(row._mapping)
    vote_id = values.pop("vote_id", None)
    return Found(**values, voted=vote_id is not None)


NO_SUCH_WORKSHOP = "There is no workshop with that join code. Check the code on the screen."


def _require_workshop(code: str, token: str | None = None, with_vote: bool = False) -> Found:
    """The workshop, or 404. Without a participant's token for this code the look-up counts
    toward the join-code limits, so these routes cannot be used to test codes either; a phone
    that has joined (the token is in its signed session) never touches the limits."""
    if token is None:
        check_join_code_limit()
    found = workshop_by_code(code, token, with_vote)
    if found is None:
        if token is None:
            count_unknown_code()
        abort(404, NO_SUCH_WORKSHOP)
    return found


def room_of(found: Found | Workshop) -> live_state.Room:
    """The room's shared state at the revision just read, or newer (see state.room)."""
    max_age = float(current_app.config.get("WORKSHOP_ROOM_MAX_AGE", 1.0))
    room = live_state.room(db.session, found.id, found.join_code, found.revision, max_age)
    if room is None:
        abort(404, NO_SUCH_WORKSHOP)
    return room


#: Rendered phone screens per (join code, room version, screen): everyone in a room who sees
#: the same screen gets the same HTML but for their CSRF token, which is put in afterwards.
_PANELS: dict[tuple[str, str, str], str] = {}
_PANELS_MAX = 512
_CSRF_MARK = "@@csrf-token@@"


def render_panel(state: dict[str, Any], code: str) -> str:
    """The phone's screen (the same template the page includes), for the script to swap in."""
    key = (code, state["version"], state["screen"])
    html = _PANELS.get(key)
    if html is None:
        html = render_template(
            "workshops/_participant_panel.html",
            state=state, code=code, vote_error=None, STAGES=STAGES, csrf_value=_CSRF_MARK,
        )
        if len(_PANELS) >= _PANELS_MAX:
            _PANELS.clear()
        _PANELS[key] = html
    return html.replace(_CSRF_MARK, generate_csrf())


def _statement_by_statement() -> None:
    """Run a phone's request without an enclosing transaction on PostgreSQL, saving the BEGIN
    and COMMIT (or ROLLBACK) round trips on the requests a room sends most. A poll only reads,
    and each statement sees what is committed, as it would in a READ COMMITTED transaction. A
    vote writes in ONE statement (operations._write_if_open), which is a transaction of its
    own and holds the round's SHARE lock until it commits, so it is ordered against closing
    the round as before. (Only when the request has not begun a transaction already.)"""
    if not db.session().in_transaction() and db.session.get_bind().dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


@bp.get("/join/<code>/state")
def participant_state_json(code: str):
    _statement_by_statement()
    token = participants.token_for(code)
    found = _require_workshop(code, token, with_vote=True)
    if token is None:
        abort(401, "This browser has not joined the workshop. Open the join link again.")
    room = room_of(found)
    tag = etag(found.id, room.version, participants.token_tag(token))
    cached = _not_modified(tag)
    if cached is not None:
        return cached
    round_ = room.state["round"]
    if found.participant_id is not None and round_ is None:
        voted, stage = False, None
    elif found.participant_id is not None and round_["id"] == found.current_round_id:
        voted, stage = found.voted, found.vote_stage  # read with the workshop, above
    else:  # not valid here (403), or the room moved on since: look again
        _id, voted, stage = participants.require_with_vote(found.id, code, round_["id"] if round_ else None)
    data = personal_state(room.state, voted, stage)
    screen = request.args.get("screen")
    if screen is not None and screen != data["screen"]:
        data["panel"] = render_panel(data, found.join_code)
    return _json_with_etag(data, tag)


#: What a vote's stage may be, exactly: a whole number 1 to 4 (JSON), its digit (a form), or
#: "don't know". Anything else — 2.5, "2.0", " 2", true — is refused, never rounded.
_STAGE_VALUES: dict[Any, int | None] = {
    **{n: n for n in (1, 2, 3, 4)},
    **{str(n): n for n in (1, 2, 3, 4)},
    "dont-know": None,
    "dont_know": None,
}


def parse_vote(payload: Any) -> tuple[int, int | None]:
    """(round id, stage) from a vote's JSON or form fields; 400 when either is not valid."""
    if not hasattr(payload, "get"):
        abort(400, "Send the vote as a form or a JSON object with round_id and stage.")
    raw_round, raw_stage = payload.get("round_id"), payload.get("stage")
    round_id = parse_id(raw_round)
    if round_id is None:
        abort(400, "The vote did not say which strand it was for. Reload the page and try again.")
    if raw_stage in (None, ""):
        abort(400, "Choose one of the four stages, from early to mature.")
    # bool is an int in Python (True == 1): it is not a stage.
    if isinstance(raw_stage, bool) or not isinstance(raw_stage, int | str) or raw_stage not in _STAGE_VALUES:
        abort(400, "There is no such stage. Choose early, developing, maturing or mature.")
    return round_id, _STAGE_VALUES[raw_stage]


def vote_message(stage: int | None, allow_changes: bool) -> str:
    then = " You can change it until voting closes." if allow_changes else ""
    return f"Vote received: {stage_label(stage)}.{then}"


def record_vote(
    workshop_id: int,
    code: str,
    payload: Any,
    rules: VoteRules | None = None,
    participant_id: int | None = None,
) -> dict[str, Any]:
    """Validate and store one vote, committing; aborts with a 4xx and stores nothing on error.
    `rules` and `participant_id` save queries when the caller has read them already."""
    if participant_id is None:
        participant_id = participants.require_id(workshop_id, code)
    round_id, stage = parse_vote(payload)
    try:
        cast = operations.cast_vote(workshop_id, round_id, participant_id, stage, rules)
        db.session.commit()
    except WorkshopError as error:
        db.session.rollback()
        abort(error.status, error.message)
    return {
        "ok": True,
        "round_id": cast.round_id,
        "my_vote": {"stage": cast.stage, "label": stage_label(cast.stage)},
        "message": vote_message(cast.stage, cast.allow_changes),
    }


@bp.post("/join/<code>/vote")
@limiter.limit(VOTE_LIMIT, key_func=participants.rate_key)
def vote(code: str):
    """Store a vote. With ?panel=1 the answer also carries the phone's screen with the vote
    marked (and its screen key), so the phone need not ask for it again."""
    _statement_by_statement()
    found = _require_workshop(code, participants.token_for(code))
    # No participant found: 401 (not joined) or 403 (not valid here), as `require` answers.
    participant_id = found.participant_id or participants.require_id(found.id, code)
    payload = request.get_json(silent=True) if request.is_json else request.form
    result = record_vote(found.id, code, payload, found.rules, participant_id)
    if request.args.get("panel"):
        room = room_of(found)
        round_ = room.state["round"]
        if round_ is not None and round_["id"] == result["round_id"]:
            voted, stage = True, result["my_vote"]["stage"]
        else:  # the room has moved on since: show what is on screen now
            _id, voted, stage = participants.require_with_vote(
                found.id, code, round_["id"] if round_ else None
            )
        data = personal_state(room.state, voted, stage)
        result["screen"] = data["screen"]
        result["panel"] = render_panel(data, found.join_code)
    return jsonify(result)


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
    workshop = access.get_or_404(Workshop, workshop_id, "manage" if view == "facilitator" else "view")
    tag = etag(workshop.id, staff_version(db.session, workshop.id) or "", view)
    cached = _not_modified(tag)
    if cached is not None:
        return cached
    workshop = load_workshop(db.session, workshop_id)
    data = staff_state(db.session, workshop, view)
    return _json_with_etag(data, etag(workshop.id, data["version"], view))


@bp.get("/workshops/<int:workshop_id>/events")
def events(workshop_id: int):
    view = _staff_view()
    access.get_or_404(Workshop, workshop_id, "manage" if view == "facilitator" else "view")
    last_event_id = request.headers.get("Last-Event-ID", "").strip()[:64] or None
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
