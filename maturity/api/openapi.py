"""The OpenAPI 3.1 description of /api/v1, built as a dict and served at /api/v1/openapi.json.

Paths are relative to the server URL /api/v1. Any other module of the maturity.api package
documents its own routes with a module-level OPENAPI_PATHS dict (path -> path item) and, if it
needs them, OPENAPI_SCHEMAS (name -> schema, added to components; ours win on a clash). A path
written in full ("/api/v1/...") is accepted too and shortened.
"""

from __future__ import annotations

import copy
import importlib
import pkgutil
from typing import Any

from maturity.models import ASSESSMENT_STATUSES

API_PREFIX = "/api/v1"


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [schema, {"type": "null"}]}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


STAGE_CODES = ["early", "developing", "maturing", "mature"]

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "message", "status"],
        "properties": {
            "error": {"type": "string", "description": "The HTTP status name"},
            "message": {"type": "string", "description": "What went wrong, in plain English"},
            "status": {"type": "integer"},
        },
    },
    "Rating": {
        "type": "object",
        "description": "A stage, or a position between two stages (low < high), as Hampshire's 'D M'.",
        "required": ["code", "label", "low", "high"],
        "properties": {
            "code": {"type": "string", "examples": ["developing", "developing-maturing"]},
            "label": {"type": "string", "examples": ["Developing", "Developing–Maturing"]},
            "low": {"type": "integer", "minimum": 1, "maximum": 4},
            "high": {"type": "integer", "minimum": 1, "maximum": 4},
        },
    },
    "Stage": {
        "type": "object",
        "required": ["stage", "code", "label"],
        "properties": {
            "stage": {"type": "integer", "minimum": 1, "maximum": 4, "description": "1 early to 4 mature"},
            "code": {"type": "string", "enum": STAGE_CODES},
            "label": {"type": "string"},
        },
    },
    "AssessmentSummary": {
        "type": "object",
        "required": ["id", "title", "period_label", "status", "status_label"],
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "period_label": {"type": "string"},
            "status": {"type": "string", "enum": list(ASSESSMENT_STATUSES)},
            "status_label": {"type": "string"},
        },
    },
    "Area": {
        "type": "object",
        "required": ["id", "name", "kind", "kind_label", "region", "parent_id", "assessments"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "kind": {"type": "string"},
            "kind_label": {"type": "string"},
            "region": {"type": ["string", "null"]},
            "parent_id": {"type": ["integer", "null"], "description": "A district's county"},
            "assessments": {"type": "array", "items": _ref("AssessmentSummary")},
        },
    },
    "AreaList": {
        "type": "object",
        "required": ["areas"],
        "properties": {"areas": {"type": "array", "items": _ref("Area")}},
    },
    "EvidenceCounts": {
        "type": "object",
        "description": "Evidence items that have not been rejected and support the strand, by kind.",
        "required": ["qualitative", "quantitative", "total"],
        "properties": {
            "qualitative": {"type": "integer", "minimum": 0},
            "quantitative": {"type": "integer", "minimum": 0},
            "total": {"type": "integer", "minimum": 0},
        },
    },
    "NextStage": {
        "type": "object",
        "description": (
            "Progress toward the stage above the evidenced one: how many of that stage's "
            "achievement features have evidence that has not been rejected, of how many "
            "(\"Developing \u00b7 maturing 5 of 8 achievements evidenced\")."
        ),
        "required": ["stage", "evidenced", "total"],
        "properties": {
            "stage": _ref("Stage"),
            "evidenced": {"type": "integer", "minimum": 0},
            "total": {"type": "integer", "minimum": 1},
        },
    },
    "ElementFigures": {
        "type": "object",
        "required": ["key", "name", "self_rating", "evidenced", "evidenced_capped", "next_stage"],
        "properties": {
            "key": {"type": "string"},
            "name": {"type": "string"},
            "self_rating": _nullable(_ref("Rating")),
            "evidenced": _ref("Stage"),
            "evidenced_capped": {"type": "boolean"},
            "next_stage": _nullable(_ref("NextStage")),
        },
    },
    "StrandFigures": {
        "type": "object",
        "required": [
            "id", "key", "name", "short_name", "position", "self_rating", "evidenced",
            "evidenced_capped", "next_stage", "agreed_rating", "flags", "evidence", "features",
            "elements",
        ],
        "properties": {
            "id": {"type": "integer"},
            "key": {"type": "string"},
            "name": {"type": "string"},
            "short_name": {"type": "string"},
            "position": {"type": "integer"},
            "self_rating": _nullable(_ref("Rating")),
            "evidenced": {
                **_ref("Stage"),
                "description": (
                    "The toolkit's evidence rule: the highest stage every achievement feature of "
                    "which has evidence that has not been rejected (early when none), held at the "
                    "stage of any limitation feature that evidence shows still holds. Advice "
                    "beside the agreed rating, which people decide"
                ),
            },
            "evidenced_capped": {
                "type": "boolean",
                "description": "True when evidence of a limitation holds the evidenced stage below "
                "what the achievements alone show",
            },
            "next_stage": {
                **_nullable(_ref("NextStage")),
                "description": "Progress toward the next stage; null at mature",
            },
            "agreed_rating": _nullable(_ref("Rating")),
            "flags": {
                "type": "array",
                "items": {
                    "type": "string",
                    "enum": [
                        "claim_above_evidence", "low_consensus", "partner_divergence",
                        "self_room_gap", "peer_challenge", "one_kind_of_evidence",
                    ],
                },
            },
            "evidence": _ref("EvidenceCounts"),
            "features": {
                "type": "object",
                "required": ["total", "supported"],
                "properties": {
                    "total": {"type": "integer", "minimum": 0},
                    "supported": {"type": "integer", "minimum": 0},
                },
            },
            "elements": {"type": "array", "items": _ref("ElementFigures")},
        },
    },
    "Assessment": {
        "type": "object",
        "required": [
            "id", "title", "period_label", "period_start", "period_end", "status", "status_label",
            "previous_id", "area", "framework", "governance", "strands",
        ],
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "period_label": {"type": "string"},
            "period_start": {"type": ["string", "null"], "format": "date"},
            "period_end": {"type": ["string", "null"], "format": "date"},
            "status": {"type": "string", "enum": list(ASSESSMENT_STATUSES)},
            "status_label": {"type": "string"},
            "previous_id": {"type": ["integer", "null"], "description": "The cycle this one started from"},
            "area": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
            },
            "framework": {
                "type": "object",
                "required": ["id", "key", "version", "title"],
                "properties": {
                    "id": {"type": "integer"},
                    "key": {"type": "string"},
                    "version": {"type": "string"},
                    "title": {"type": "string"},
                },
            },
            "governance": {
                "type": "object",
                "required": ["board", "date", "minute"],
                "properties": {
                    "board": {"type": ["string", "null"]},
                    "date": {"type": ["string", "null"], "format": "date"},
                    "minute": {"type": ["string", "null"]},
                },
            },
            "strands": {"type": "array", "items": _ref("StrandFigures")},
        },
    },
}


def _json_response(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERROR_RESPONSES = {
    "401": _json_response("No token, or a token that is not valid or has been revoked", _ref("Error")),
    "429": _json_response("Too many requests in a minute: wait and try again", _ref("Error")),
}

PATHS: dict[str, Any] = {
    "/areas": {
        "get": {
            "operationId": "listAreas",
            "summary": "Areas you may see, each with its assessments",
            "tags": ["Areas"],
            "responses": {
                "200": _json_response("The areas, by name", _ref("AreaList")),
                **ERROR_RESPONSES,
            },
        }
    },
    "/assessments/{assessment_id}": {
        "get": {
            "operationId": "getAssessment",
            "summary": "One assessment: per strand the self, evidenced and agreed ratings, flags and evidence counts",
            "tags": ["Assessments"],
            "parameters": [
                {
                    "name": "assessment_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                }
            ],
            "responses": {
                "200": _json_response("The assessment", _ref("Assessment")),
                **ERROR_RESPONSES,
                "404": _json_response("No such assessment, or one you may not see", _ref("Error")),
            },
        }
    },
    "/openapi.json": {
        "get": {
            "operationId": "getOpenApi",
            "summary": "This document",
            "tags": ["Meta"],
            "security": [],
            "responses": {
                "200": {"description": "The OpenAPI document", "content": {"application/json": {}}},
                "429": ERROR_RESPONSES["429"],
            },
        }
    },
}


def _relative(path: str) -> str:
    if path.startswith(API_PREFIX + "/"):
        return path[len(API_PREFIX):]
    return path


def _contributions() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(OPENAPI_PATHS, OPENAPI_SCHEMAS) of every module in maturity.api that defines them."""
    import maturity.api as package

    found = []
    for module_info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if module_info.name in ("openapi", "routes"):
            continue
        module = importlib.import_module(f"maturity.api.{module_info.name}")
        paths = getattr(module, "OPENAPI_PATHS", None)
        if paths:
            found.append((paths, getattr(module, "OPENAPI_SCHEMAS", None) or {}))
    return found


def build_document() -> dict[str, Any]:
    """The whole OpenAPI document, with the paths other modules of maturity.api document merged in
    (maturity.api.workshops for workshop results, maturity.api.compare for comparisons)."""
    paths = copy.deepcopy(PATHS)
    schemas = copy.deepcopy(SCHEMAS)
    for extra_paths, extra_schemas in _contributions():
        for path, item in extra_paths.items():
            paths.setdefault(_relative(path), {}).update(copy.deepcopy(item))
        for name, schema in extra_schemas.items():
            schemas.setdefault(name, copy.deepcopy(schema))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Early help maturity self-assessment API",
            "version": "1.0.0",
            "description": (
                "Read-only figures from the Early Help Service Transformation Maturity Model "
                "self-assessment, for dashboards such as Power BI. Create a personal API token on "
                "your profile page and send it as 'Authorization: Bearer <token>'. You see the "
                "same areas and assessments as you do when signed in."
            ),
        },
        "servers": [{"url": API_PREFIX}],
        "security": [{"bearerAuth": []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token from your profile page",
                }
            },
        },
    }
