"""API: GET /api/v1/compare?a=<id>&b=<id> — two assessments side by side, per strand.

Authenticated by the blueprint's Bearer token check like every API route. Both assessments go
through `maturity.access.get_or_404`, so one the token's user may not see answers 404 and the
response carries nothing of either.
"""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, request

from maturity.api import bp
from maturity.api.routes import rating_json, stage_json
from maturity.core.comparison import Comparison, RoomResult, StrandFigures
from maturity.core.scoring import FLAG_LABELS
from maturity.reports.compare import comparison_for
from maturity.routing import MAX_ID, parse_id


def _id(name: str) -> int:
    value = parse_id((request.args.get(name) or "").strip())
    if value is None:
        abort(400, f"Give '{name}' as the id of an assessment, a whole number such as {name}=12.")
    return value


def _room(room: RoomResult | None) -> dict[str, Any] | None:
    if room is None:
        return None
    return {
        "n": room.n,
        "counts": {str(stage): count for stage, count in room.counts.items()},
        "mean": room.mean,
        "median": rating_json(room.median),
        "consensus": room.consensus,
    }


def _side(figures: StrandFigures | None) -> dict[str, Any] | None:
    if figures is None:
        return None
    return {
        "self_rating": rating_json(figures.self_rating),
        "room": _room(figures.room),
        "evidenced": stage_json(figures.evidenced) if figures.evidenced is not None else None,
        "next_stage": (
            {
                "stage": stage_json(figures.next_stage.stage),
                "evidenced": figures.next_stage.evidenced,
                "total": figures.next_stage.total,
            }
            if figures.next_stage is not None
            else None
        ),
        "agreed_rating": rating_json(figures.agreed),
        "peer_rating": rating_json(figures.peer),
        "flags": [flag.code for flag in figures.flags],
        "evidence": {
            "qualitative": figures.qualitative,
            "quantitative": figures.quantitative,
            "total": figures.evidence_total,
            "one_kind_only": figures.one_kind_only,
        },
    }


def comparison_json(comparison: Comparison) -> dict[str, Any]:
    return {
        "a": {
            "id": comparison.a.id,
            "area": comparison.a.area,
            "title": comparison.a.title,
            "period_label": comparison.a.period,
        },
        "b": {
            "id": comparison.b.id,
            "area": comparison.b.area,
            "title": comparison.b.title,
            "period_label": comparison.b.period,
        },
        "marked": comparison.marked_count,
        "strands": [
            {
                "key": row.key,
                "name": row.name,
                "a": _side(row.a),
                "b": _side(row.b),
                "differences": [
                    {
                        "measure": d.measure,
                        "label": d.label,
                        "a": rating_json(d.a),
                        "b": rating_json(d.b),
                        "gap": d.gap,
                        "marked": d.marked,
                    }
                    for d in row.differences
                ],
            }
            for row in comparison.rows
        ],
    }


@bp.get("/compare")
def compare_assessments():
    a_id, b_id = _id("a"), _id("b")
    if a_id == b_id:
        abort(400, "Give two different assessments to compare.")
    return jsonify(comparison_json(comparison_for(a_id, b_id)))


# --------------------------------------------------------------------------------------------
# OpenAPI: merged into /api/v1/openapi.json
# --------------------------------------------------------------------------------------------


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [schema, {"type": "null"}]}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


OPENAPI_SCHEMAS: dict[str, Any] = {
    "RoomResult": {
        "type": "object",
        "description": "The workshop room's result carried into the assessment",
        "required": ["n", "counts", "mean", "median", "consensus"],
        "properties": {
            "n": {"type": "integer", "minimum": 0},
            "counts": {
                "type": "object",
                "description": "Votes per stage, keyed '1' (early) to '4' (mature)",
                "additionalProperties": {"type": "integer", "minimum": 0},
            },
            "mean": {"type": ["number", "null"]},
            "median": _nullable(_ref("Rating")),
            "consensus": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
        },
    },
    "ComparedStrand": {
        "type": "object",
        "required": [
            "self_rating", "room", "evidenced", "next_stage", "agreed_rating", "peer_rating",
            "flags", "evidence",
        ],
        "properties": {
            "self_rating": _nullable(_ref("Rating")),
            "room": _nullable(_ref("RoomResult")),
            "evidenced": _nullable(_ref("Stage")),
            "next_stage": _nullable(_ref("NextStage")),
            "agreed_rating": _nullable(_ref("Rating")),
            "peer_rating": _nullable(_ref("Rating")),
            "flags": {
                "type": "array",
                "description": "The same flags the assessment's own pages show for this strand",
                "items": {"type": "string", "enum": list(FLAG_LABELS)},
            },
            "evidence": {
                "type": "object",
                "required": ["qualitative", "quantitative", "total", "one_kind_only"],
                "properties": {
                    "qualitative": {"type": "integer", "minimum": 0},
                    "quantitative": {"type": "integer", "minimum": 0},
                    "total": {"type": "integer", "minimum": 0},
                    "one_kind_only": {"type": "boolean"},
                },
            },
        },
    },
    "Comparison": {
        "type": "object",
        "required": ["a", "b", "marked", "strands"],
        "properties": {
            "a": _ref("ComparedAssessment"),
            "b": _ref("ComparedAssessment"),
            "marked": {
                "type": "integer",
                "description": "How many strand ratings differ by a stage or more",
            },
            "strands": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["key", "name", "a", "b", "differences"],
                    "properties": {
                        "key": {"type": "string"},
                        "name": {"type": "string"},
                        "a": _nullable(_ref("ComparedStrand")),
                        "b": _nullable(_ref("ComparedStrand")),
                        "differences": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["measure", "label", "a", "b", "gap", "marked"],
                                "properties": {
                                    "measure": {
                                        "type": "string",
                                        "enum": ["self", "room", "evidenced", "agreed", "peer"],
                                    },
                                    "label": {"type": "string"},
                                    "a": _nullable(_ref("Rating")),
                                    "b": _nullable(_ref("Rating")),
                                    "gap": {
                                        "type": ["number", "null"],
                                        "description": "B minus A, in stages",
                                    },
                                    "marked": {
                                        "type": "boolean",
                                        "description": "True when they differ by a stage or more",
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
    "ComparedAssessment": {
        "type": "object",
        "required": ["id", "area", "title", "period_label"],
        "properties": {
            "id": {"type": "integer"},
            "area": {"type": "string"},
            "title": {"type": "string"},
            "period_label": {"type": "string"},
        },
    },
}

OPENAPI_PATHS: dict[str, Any] = {
    "/compare": {
        "get": {
            "operationId": "compareAssessments",
            "summary": "Two assessments side by side: per strand self, room, evidenced, agreed and peer ratings, evidence, differences",
            "tags": ["Comparison"],
            "parameters": [
                {
                    "name": side,
                    "in": "query",
                    "required": True,
                    "description": f"The id of assessment {side.upper()}",
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                }
                for side in ("a", "b")
            ],
            "responses": {
                "200": {
                    "description": "The comparison",
                    "content": {"application/json": {"schema": _ref("Comparison")}},
                },
                "400": _error("A missing or malformed id, or the same assessment twice"),
                "401": _error("No token, or a token that is not valid or has been revoked"),
                "404": _error("No such assessment, or one you may not see"),
                "429": _error("Too many requests in a minute: wait and try again"),
            },
        }
    }
}
