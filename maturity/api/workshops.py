"""API route for workshop results: GET /api/v1/workshops/<id>/results.

The api blueprint authenticates the Bearer token first (maturity.api.routes) and makes its user
`current_user`, so the usual area access rules apply: another area's workshop answers 404.
"""

from flask import jsonify

from maturity import access
from maturity.api import bp
from maturity.extensions import db
from maturity.models import Workshop
from maturity.workshops.queries import load_workshop
from maturity.workshops.results import build_reports, report_json


@bp.get("/workshops/<int:workshop_id>/results")
def workshop_results(workshop_id: int):
    access.get_or_404(Workshop, workshop_id, "view")
    workshop = load_workshop(db.session, workshop_id)
    reports = build_reports(workshop)
    return jsonify(
        {
            "workshop": {
                "id": workshop.id,
                "title": workshop.title,
                "held_on": workshop.held_on.isoformat() if workshop.held_on else None,
                "status": workshop.status,
                "assessment_id": workshop.assessment_id,
                "area_id": workshop.area_id,
                "offer_dont_know": workshop.offer_dont_know,
            },
            "rounds": [report_json(report) for report in reports],
        }
    )


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    return {"oneOf": [schema, {"type": "null"}]}


_STAGE_COUNTS = {
    "type": "object",
    "description": "Count per stage, keyed \"1\" (early) to \"4\" (mature)",
    "required": ["1", "2", "3", "4"],
    "properties": {key: {"type": "integer", "minimum": 0} for key in ("1", "2", "3", "4")},
}

#: Component schemas for the route, merged into /api/v1/openapi.json.
OPENAPI_SCHEMAS: dict = {
    "RoomRating": {
        "type": "object",
        "description": "A stage, or between two stages when the middle two votes differ.",
        "required": ["code", "label", "short"],
        "properties": {
            "code": {"type": "string", "examples": ["developing", "developing-maturing"]},
            "label": {"type": "string", "examples": ["Developing", "Developing–Maturing"]},
            "short": {"type": "string", "examples": ["D", "D–M"]},
        },
    },
    "VoteSummary": {
        "type": "object",
        "required": ["n", "abstentions", "total", "counts", "shares", "mean", "median", "modes", "consensus"],
        "properties": {
            "n": {"type": "integer", "minimum": 0, "description": "Votes for a stage"},
            "abstentions": {"type": "integer", "minimum": 0, "description": "\"Don't know\" votes"},
            "total": {"type": "integer", "minimum": 0},
            "counts": _STAGE_COUNTS,
            "shares": {
                "type": "object",
                "properties": {key: {"type": "number"} for key in ("1", "2", "3", "4")},
            },
            "mean": {"type": ["number", "null"], "description": "1.00 (early) to 4.00 (mature)"},
            "median": _nullable(_ref("RoomRating")),
            "modes": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 4}},
            "consensus": {"type": ["number", "null"], "description": "Tastle–Wierman, 0 to 1"},
        },
    },
    "PublishedGroup": {
        "type": "object",
        "required": ["group", "suppressed", "reason", "summary"],
        "properties": {
            "group": {"type": "string"},
            "suppressed": {
                "type": "boolean",
                "description": "Hidden so that nobody's vote can be worked out: a group of fewer than 3, or a larger one hidden with it (docs/anonymity.md)",
            },
            "reason": {"type": ["string", "null"]},
            "summary": _nullable(_ref("VoteSummary")),
        },
    },
    "WorkshopRound": {
        "type": "object",
        "required": [
            "id", "position", "strand", "element", "state", "revealed", "results_available",
            "votes", "manual_votes", "summary", "by_organisation_type", "one_voice",
            "self_rating", "flags", "revote_of", "shift",
        ],
        "properties": {
            "id": {"type": "integer"},
            "position": {"type": "integer"},
            "strand": {
                "type": "object",
                "required": ["key", "name"],
                "properties": {"key": {"type": "string"}, "name": {"type": "string"}},
            },
            "element": _nullable(
                {
                    "type": "object",
                    "required": ["key", "name"],
                    "properties": {"key": {"type": "string"}, "name": {"type": "string"}},
                }
            ),
            "state": {"type": "string", "enum": ["pending", "open", "closed"]},
            "revealed": {"type": "boolean"},
            "results_available": {
                "type": "boolean",
                "description": "False while the workshop is live and the round not revealed: then only the count is given",
            },
            "votes": {"type": "integer", "minimum": 0, "description": "Everyone counted, hand counts and don't know included"},
            "manual_votes": {"type": "integer", "minimum": 0},
            "summary": {
                **_nullable(_ref("VoteSummary")),
                "description": "The room's figures; null until results are available, and when fewer than 3 answered (docs/anonymity.md)",
            },
            "by_organisation_type": {"type": "array", "items": _ref("PublishedGroup")},
            "one_voice": {
                **_nullable(_ref("VoteSummary")),
                "description": "Each shown group's median once, and the hidden groups together as one voice; null when every group is hidden",
            },
            "self_rating": _nullable(_ref("RoomRating")),
            "revote_of": {
                **_nullable(
                    {
                        "type": "object",
                        "required": ["id", "position"],
                        "properties": {"id": {"type": "integer"}, "position": {"type": "integer"}},
                    }
                ),
                "description": "For a revote (the strand voted on again after discussion): the round it votes on again; null otherwise",
            },
            "shift": {
                **_nullable(_ref("Shift")),
                "description": "For a revote whose first round's result is available too: how discussion moved the room; null otherwise",
            },
            "flags": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["code", "label", "detail"],
                    "properties": {
                        "code": {"type": "string"},
                        "label": {"type": "string"},
                        "detail": {"type": "string"},
                    },
                },
            },
        },
    },
    "Shift": {
        "type": "object",
        "description": (
            "A revote beside its strand's first vote, built from the two rounds' published room "
            "figures only. The revote hides every organisation type the first vote hid, so the "
            "two cannot be compared to work out a small group's votes (docs/anonymity.md)."
        ),
        "required": ["first_round", "before", "after", "moved", "words"],
        "properties": {
            "first_round": {
                "type": "object",
                "required": ["id", "position"],
                "properties": {"id": {"type": "integer"}, "position": {"type": "integer"}},
            },
            "before": {**_nullable(_ref("VoteSummary")), "description": "The first vote; null when fewer than 3 answered"},
            "after": {**_nullable(_ref("VoteSummary")), "description": "The vote after discussion; null when fewer than 3 answered"},
            "moved": {"type": ["boolean", "null"], "description": "Whether the median changed; null when the two cannot be compared"},
            "words": {
                "type": "string",
                "examples": ["Discussion moved the room from Developing (consensus 0.52) to Developing–Maturing (0.71)."],
            },
            "survey": {
                "type": ["string", "null"],
                "description": "The partners' survey result carried into the assessment for this strand, in words; null when there is none",
                "examples": ["The partners’ survey beforehand said Developing (consensus 0.61, 14 people)."],
            },
        },
    },
    "WorkshopResults": {
        "type": "object",
        "required": ["workshop", "rounds"],
        "properties": {
            "workshop": {
                "type": "object",
                "required": ["id", "title", "held_on", "status", "assessment_id", "area_id", "offer_dont_know"],
                "properties": {
                    "id": {"type": "integer"},
                    "title": {"type": "string"},
                    "held_on": {"type": ["string", "null"], "format": "date"},
                    "status": {"type": "string", "enum": ["setup", "live", "closed"]},
                    "assessment_id": {"type": "integer"},
                    "area_id": {"type": "integer"},
                    "offer_dont_know": {"type": "boolean"},
                },
            },
            "rounds": {"type": "array", "items": _ref("WorkshopRound")},
        },
    },
}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


#: OpenAPI path items for these routes, merged into /api/v1/openapi.json.
OPENAPI_PATHS: dict = {
    "/workshops/{workshop_id}/results": {
        "get": {
            "operationId": "getWorkshopResults",
            "summary": "A workshop's results per round: distribution, summary, breakdown by organisation type, one-organisation-one-voice, flags",
            "description": (
                "While a workshop is live, a round's figures are given only once the facilitator "
                "has revealed it; until then `results_available` is false and only the count is "
                "given. Groups of fewer than 3 voters are suppressed."
            ),
            "tags": ["Workshops"],
            "parameters": [
                {
                    "name": "workshop_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1},
                }
            ],
            "responses": {
                "200": {
                    "description": "The workshop and its rounds in order",
                    "content": {"application/json": {"schema": _ref("WorkshopResults")}},
                },
                "401": _error("No token, or a token that is not valid or has been revoked"),
                "404": _error("No such workshop, or one you may not see"),
            },
        }
    }
}
