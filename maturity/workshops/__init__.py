"""Live push-voting workshops: set-up, joining, voting, facilitating, presenting, results.

Two blueprints: "workshops" (pages, no url prefix; this module's `bp`) and "live" (JSON and
the event stream under /live, whose errors answer in JSON; `live.bp`).

Which module holds what
-----------------------
Routes (thin: read the request, call the modules below, answer):
    routes.py        staff pages: set-up, facilitator console and its buttons, presenter
                     screen, results and their exports
    join.py          participants' pages: the join code, the join form, the voting page
                     that works without JavaScript
    live.py          the "live" blueprint: a phone's state poll and vote, the staff state and
                     the event stream
Request-side helpers:
    forms.py         every form, and the one place a vote's round and stage are read and
                     checked (`parse_vote`, `parse_stage`)
    participants.py  the browser's anonymous token (in its signed session), finding its
                     participant (401/403), looking a code up under the join-code limits
                     (`look_up`), the vote limit, and the room's shared state for a phone
Reads and writes:
    queries.py       loading a workshop (by id for staff, by code for the join pages, and
                     `workshop_by_code` in one small query for phones), tallies, vote rules
    operations.py    every write: set-up, the facilitator's changes (each bumps the
                     revision; a revote is a new round of the strand after the first),
                     joining, recording a vote, carrying a result into the assessment
Building what is shown:
    state.py         the live states (typed: RoomState, PhoneState, StaffState), the room
                     state shared per worker, versions and ETags; results stay hidden here,
                     on the server, until revealed
    sse.py           the presenter's and facilitator's event stream
    results.py       a workshop's results per round, for the results page, exports and API,
                     with a revote's shift from its strand's first vote (core/revotes.py)
    exports.py       the results as CSV and XLSX
Other:
    codes.py         join codes and participant tokens (pure)

How a vote travels from the phone to the presenter
--------------------------------------------------
1. The phone's script (static/js/workshop-participant.js) posts {round_id, stage} as JSON
   to live.vote, `/live/join/<code>/vote?panel=1` (the plain form posts to join.participate).
2. live.vote runs statement by statement on PostgreSQL, finds the workshop and this
   browser's participant in one query (queries.workshop_by_code), reads the fields with
   forms.parse_vote, and calls operations.record_vote: one INSERT ... SELECT the round
   FOR SHARE ... ON CONFLICT that stores the vote only while the round is open and adds one
   to the vote row's version. A refusal is a 4xx with the reason; nothing is stored.
3. The answer carries the phone's new screen (live.render_panel, shared by phones on the
   same screen) so the phone need not ask again.
4. The presenter's event stream (sse.stream) reads the staff version (revision, vote writes
   in the current round, people joined) every quarter second; the vote moved it, so it
   builds the staff state (state.staff_state, counting from the vote rows) and sends it.
   Other phones see the new count at their next poll, from the room's state that each worker
   shares and checks at most every WORKSHOP_ROOM_MAX_AGE seconds (state.room).
"""

from flask import Blueprint

bp = Blueprint("workshops", __name__)

from maturity.assessments import panels  # noqa: E402
from maturity.workshops import join, live, routes  # noqa: E402,F401

# The assessment page shows the assessment's workshops (templates/workshops/_assessment_workshops.html).
panels.register("workshops", routes.workshop_panel)
