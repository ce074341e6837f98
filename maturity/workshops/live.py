"""The "live" blueprint: JSON state, votes and the event stream. Errors answer in JSON.

Participants poll /live/join/<code>/state with the state's version in the ETag (304 while
nothing has changed); with ?screen=<the screen the phone shows> the answer carries the new
screen's HTML when it differs, so a phone follows the facilitator in one request. The
presenter and facilitator hold /live/workshops/<id>/events and fall back to polling
/live/workshops/<id>/state.
"""

import json
import re
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
)
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

from maturity import access
from maturity.auth.sessions import load_user
from maturity.core.scoring import STAGES
from maturity.extensions import db, limiter
from maturity.models import Workshop
from maturity.workshops import forms, operations, participants, phones, queries, sse
from maturity.workshops.participants import (
    NO_SUCH_WORKSHOP,
    QUICK_VOTE_COUNTED,
    VOTE_LIMIT,
    room_of,
)
from maturity.workshops.queries import Found
from maturity.workshops.state import (
    PhoneState,
    Room,
    etag,
    personal_state,
    staff_state,
    staff_version,
    stage_label,
    vote_message,
)

bp = Blueprint("live", __name__, url_prefix="/live")

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


def _require_workshop(code: str, token: str | None = None, with_vote: bool = False) -> Found:
    """The workshop, or 404; looked up under the join-code limits unless this browser joined it."""
    found = participants.look_up(
        token is not None, lambda: queries.workshop_by_code(db.session, code, token, with_vote)
    )
    if found is None:
        abort(404, NO_SUCH_WORKSHOP)
    return found


#: Rendered phone screens per (join code, workshop revision, screen): everyone in a room who
#: sees the same screen gets the same HTML but for their CSRF token and the room's count, which
#: are put in afterwards. Within a revision only the count moves (the middle part of a room's
#: version), so a room voting renders each screen once, not once per new count.
_PANELS: dict[tuple[str, str, str, bool], str] = {}
_PANELS_MAX = 512
_CSRF_MARK = phones.CSRF_MARK
_COUNT_MARK = "@@vote-count@@"
_COUNT_WORDS_MARK = "@@vote-count-words@@"


#: Where a phone's own vote shows on a shared screen (the template's vote_marks): rendered once
#: for everyone on the screen, each phone's vote put in afterwards (_personal).
_VOTE_MARKS = {"screen": "@@screen@@", "pressed": "@@pressed-", "mine": "@@mine-",
               "open_line": "@@open-line@@", "closed_line": "@@closed-line@@"}
_VOTE_MARK = re.compile(r"@@(?:(pressed|mine)-(\w+)|(screen|open-line|closed-line))@@")
#: What a phone's vote puts on its screen, by (stage, label, changes allowed, as JSON).
_VOTE_WORDS: dict[tuple, dict[str, str]] = {}


def _panel_html(state: PhoneState, code: str) -> str:
    """The screen shared by every phone showing it, with this state's count and vote in it and a
    mark where the CSRF token goes."""
    return _personal(_marked_panel(state, code), state, current_app.jinja_env)


def _marked_panel(state: PhoneState, code: str, as_json: bool = False) -> str:
    """The shared screen with the marks for the count, the phone's vote and the CSRF token,
    rendered once per key; `as_json`: as a JSON string (the marks come through the encoding as
    they are), so an answer that carries it does not encode the same HTML for every vote."""
    key = _panel_key(state, code)
    found = _PANELS.get((*key, as_json))
    if found is None:
        if as_json:
            found = json.dumps(_marked_panel(state, code))
        else:
            found = render_template(
                "workshops/_participant_panel.html",
                state=state, code=code, vote_error=None, STAGES=STAGES, csrf_value=_CSRF_MARK,
                count_mark=_COUNT_MARK, count_words_mark=_COUNT_WORDS_MARK, vote_marks=_VOTE_MARKS,
            )
        if len(_PANELS) >= _PANELS_MAX:
            _PANELS.clear()
        _PANELS[(*key, as_json)] = found
    return found


def _panel_key(state: PhoneState, code: str) -> tuple[str, str, str]:
    """(code, revision, the screen but for the phone's own vote, its last part)."""
    return (code, state["version"].split(".", 1)[0], state["screen"].rsplit("|", 1)[0])


def _personal(marked: str, state: PhoneState, env: Any, as_json: bool = False) -> str:
    """A marked screen (_marked_panel) with this state's count and this phone's vote put in."""
    total = int((state.get("count") or {}).get("total") or 0)
    text = marked.replace(_COUNT_MARK, str(total)).replace(_COUNT_WORDS_MARK, "vote" if total == 1 else "votes")
    my_vote = state["my_vote"]
    chosen = None if my_vote is None else ("none" if my_vote["stage"] is None else str(my_vote["stage"]))
    words = _vote_words(env, state, as_json)
    screen = str(escape(state["screen"]))
    if as_json:
        screen = json.dumps(screen)[1:-1]

    def fill(found: re.Match) -> str:
        kind, value, whole = found.groups()
        if whole == "screen":
            return screen
        if whole is not None:
            return words[whole]
        if kind == "pressed":
            return "true" if value == chosen else "false"
        return words["mine"] if value == chosen else ""

    return _VOTE_MARK.sub(fill, text)


def _vote_words(env: Any, state: PhoneState, as_json: bool) -> dict[str, str]:
    """The template's own words for this phone's vote (workshops/_my_vote.html), made once per
    stage and rule; JSON-encoded (without the quotes) for a screen kept as JSON."""
    my_vote = state["my_vote"]
    allow = bool(state["workshop"]["allow_changes"])
    key = (None if my_vote is None else (my_vote["stage"], my_vote["label"]), allow, as_json)
    found = _VOTE_WORDS.get(key)
    if found is None:
        macros = env.get_template("workshops/_my_vote.html").module
        found = {
            "mine": str(macros.mine(True)),
            "open-line": str(macros.open_line(my_vote, allow)),
            "closed-line": str(macros.closed_line(my_vote)),
        }
        if as_json:
            found = {name: json.dumps(text)[1:-1] for name, text in found.items()}
        if len(_VOTE_WORDS) >= 64:
            _VOTE_WORDS.clear()
        _VOTE_WORDS[key] = found
    return found


def render_panel(state: PhoneState, code: str) -> str:
    """The phone's screen (the same template the page includes), for the script to swap in."""
    return _panel_html(state, code).replace(_CSRF_MARK, generate_csrf())


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
    if found.participant_id is None:  # a token that is not valid here: 403
        participants.require_id(found.id, code)
    data = _phone_state(room, found, code, found.current_round_id, found.voted, found.vote_stage)
    screen = request.args.get("screen")
    if screen is not None and screen != data["screen"]:
        data["panel"] = render_panel(data, found.join_code)
    return _json_with_etag(data, tag)


NO_PHONE_STREAMS = "This server does not stream to phones: poll the state instead."


@bp.get("/join/<code>/events")
def phone_events(code: str):
    """The phone's stream (workshops/phones.py): its state now, then whenever the room's
    screen changes, and the count now and then. Only where the server holds idle connections
    cheaply (phones.streams_enabled); elsewhere phones poll, and this answers 404."""
    if not phones.streams_enabled(current_app.config):
        abort(404, NO_PHONE_STREAMS)
    _statement_by_statement()
    token = participants.token_for(code)
    found = _require_workshop(code, token, with_vote=True)
    if token is None:
        abort(401, "This browser has not joined the workshop. Open the join link again.")
    participant_id = found.participant_id or participants.require_id(found.id, code)
    first = _phone_state(room_of(found), found, code, found.current_round_id, found.voted, found.vote_stage)
    options = phones.settings(current_app.config)
    room = phones.watch(db.engine, found.id, found.join_code, options)
    stream = phones.stream(
        room, participant_id, first, request.args.get("screen"), _shared_panels(found.join_code), options, generate_csrf()
    )
    # The stream runs after this view returns: give the request's connection back now.
    db.session.close()
    response = Response(stream, mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-cache, private"
    response.headers["X-Accel-Buffering"] = "no"
    return response


def _shared_panels(join_code: str) -> Callable[[PhoneState], str]:
    """For a phone's stream: a screen's HTML, shared by the room's phones. Only the first to
    need it renders it, in a context of this request's own pushed just for that (the stream
    holds none); phones.stream puts the phone's CSRF token in."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    environ = dict(request.environ)

    def panel(state: PhoneState) -> str:
        return shared_panel(app, environ, state, join_code)

    return panel


def shared_panel(app: Flask, environ: dict, state: PhoneState, join_code: str, as_json: bool = False) -> str:
    """A screen's HTML shared by the room, with phones.CSRF_MARK where the token goes: the one
    rendered already, or rendered now in a request context made from `environ` (for callers
    outside a request's own: a phone's stream, the quick vote path); `as_json`: as a JSON string."""
    found = _PANELS.get((*_panel_key(state, join_code), as_json))
    if found is None:
        with app.request_context(environ):
            found = _marked_panel(state, join_code, as_json)
    return _personal(found, state, app.jinja_env, as_json)


def _phone_state(
    room: Room, found: Found, code: str, round_id: int | None, voted: bool, stage: int | None
) -> PhoneState:
    """The room's state with this phone's vote, given as (`voted`, `stage`) in round `round_id`
    when the caller has read it already; read again when the room has moved on since."""
    on_screen = room.state["round"]
    if on_screen is None:
        voted, stage = False, None
    elif on_screen["id"] != round_id:
        _id, voted, stage = participants.require_with_vote(found.id, code, on_screen["id"])
    return personal_state(room.state, voted, stage)


def vote_json(cast: operations.CastVote) -> dict[str, Any]:
    """A stored vote's answer to the phone."""
    return {
        "ok": True,
        "round_id": cast.round_id,
        "my_vote": {"stage": cast.stage, "label": stage_label(cast.stage)},
        "message": vote_message(cast.stage, cast.allow_changes),
    }


@bp.post("/join/<code>/vote")
@limiter.limit(VOTE_LIMIT, key_func=participants.rate_key, exempt_when=lambda: bool(request.environ.get(QUICK_VOTE_COUNTED)))
def vote(code: str):
    """Store a vote. With ?panel=1 the answer also carries the phone's screen with the vote
    marked (and its screen key), so the phone need not ask for it again."""
    _statement_by_statement()
    found = _require_workshop(code, participants.token_for(code))
    # No participant found: 401 (not joined) or 403 (not valid here), as `require` answers.
    participant_id = found.participant_id or participants.require_id(found.id, code)
    payload = request.get_json(silent=True) if request.is_json else request.form
    # A refused vote (OperationError) is answered by the app's handler: its status, its message.
    round_id, stage = forms.parse_vote(payload)
    cast = operations.record_vote(found.id, participant_id, round_id, stage, found.rules)
    result = vote_json(cast)
    if request.args.get("panel"):
        data = _phone_state(room_of(found), found, code, cast.round_id, True, cast.stage)
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
    workshop = queries.load_workshop(db.session, workshop_id)
    data = staff_state(db.session, workshop, view)
    return _json_with_etag(data, etag(workshop.id, data["version"], view))


def _access_lasts(workshop_id: int, need: str) -> Callable[[], bool]:
    """For the event stream, which runs after the view has returned: whether this sign-in may
    still `need` the workshop, checked afresh in a short app context of its own each time."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    sign_in = current_user.get_id()

    def still_allowed() -> bool:
        with app.app_context():
            user = load_user(sign_in) if sign_in else None
            workshop = db.session.get(Workshop, workshop_id) if user is not None else None
            return workshop is not None and access.can(user, need, workshop)

    return still_allowed


@bp.get("/workshops/<int:workshop_id>/events")
def events(workshop_id: int):
    view = _staff_view()
    need = "manage" if view == "facilitator" else "view"
    access.get_or_404(Workshop, workshop_id, need)
    last_event_id = request.headers.get("Last-Event-ID", "").strip()[:64] or None
    engine = db.engine
    options = sse.settings(current_app.config)
    still_allowed = _access_lasts(workshop_id, need)
    # The stream runs after this view returns: give the request's connection back now.
    db.session.close()
    response = Response(
        sse.stream(engine, workshop_id, view, last_event_id, options, still_allowed=still_allowed),
        mimetype="text/event-stream",
    )
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"
    return response
