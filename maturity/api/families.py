"""API route for family questionnaire results: GET /api/v1/assessments/<id>/family-results.

Only what the strand page publishes: results in words and figures once the questionnaire is
closed and at least MIN_FAMILIES families answered (maturity.core.families); never the
free-text answers, never one family's answers.
"""

from flask import jsonify

from maturity import access
from maturity.api import bp
from maturity.core.families import MIN_FAMILIES
from maturity.families import queries
from maturity.models import Assessment


@bp.get("/assessments/<int:assessment_id>/family-results")
def family_results(assessment_id: int):
    assessment = access.get_or_404(Assessment, assessment_id, "view")
    questionnaire, results = queries.assessment_results(assessment)
    return jsonify(
        {
            "assessment_id": assessment.id,
            "questionnaire": None if questionnaire is None else {
                "status": questionnaire.status,
                "illustrative": questionnaire.illustrative,
                "families_answered": queries.response_count(questionnaire),
            },
            "minimum_families": MIN_FAMILIES,
            "results_available": results is not None,
            "results": [] if results is None else [
                {
                    "question": result.question.key,
                    "text": result.question.text,
                    "said_yes": result.yes,
                    "answered": result.answered,
                    "sentence": result.sentence,
                    "features": list(result.question.features),
                    "counts_as_evidence": result.mostly_yes,
                }
                for result in results.questions
            ],
        }
    )


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


#: Component schemas for the route, merged into /api/v1/openapi.json.
OPENAPI_SCHEMAS: dict = {
    "FamilyResult": {
        "type": "object",
        "required": ["question", "text", "said_yes", "answered", "sentence", "features", "counts_as_evidence"],
        "properties": {
            "question": {"type": "string", "examples": ["one-worker"]},
            "text": {"type": "string", "description": "The question as families read it"},
            "said_yes": {"type": "integer", "minimum": 0, "description": "Families who answered yes, a lot or a bit"},
            "answered": {"type": "integer", "minimum": MIN_FAMILIES, "description": "Families who gave an answer on the scale (\"prefer not to say\" left out)"},
            "sentence": {"type": "string", "examples": ["31 of 48 families said they had one worker they knew"]},
            "features": {"type": "array", "items": {"type": "string"}, "description": "Keys of the family experience features the answer bears on"},
            "counts_as_evidence": {"type": "boolean", "description": "Most families who answered said yes, so the features count as evidenced"},
        },
    },
    "FamilyResults": {
        "type": "object",
        "required": ["assessment_id", "questionnaire", "minimum_families", "results_available", "results"],
        "properties": {
            "assessment_id": {"type": "integer"},
            "questionnaire": {
                "oneOf": [
                    {
                        "type": "object",
                        "required": ["status", "illustrative", "families_answered"],
                        "properties": {
                            "status": {"type": "string", "enum": ["setup", "open", "closed"]},
                            "illustrative": {"type": "boolean"},
                            "families_answered": {"type": "integer", "minimum": 0},
                        },
                    },
                    {"type": "null"},
                ]
            },
            "minimum_families": {"type": "integer"},
            "results_available": {"type": "boolean"},
            "results": {"type": "array", "items": _ref("FamilyResult")},
        },
    },
}

#: OpenAPI path items for these routes, merged into /api/v1/openapi.json.
OPENAPI_PATHS: dict = {
    "/assessments/{assessment_id}/family-results": {
        "get": {
            "operationId": "getFamilyResults",
            "summary": "What families said in the family questionnaire, per question, once enough answered",
            "description": (
                f"Results are given only once the questionnaire is closed and at least {MIN_FAMILIES} "
                f"families have answered, and a question only when {MIN_FAMILIES} or more families "
                "gave it an answer on the scale. Free-text answers are never given."
            ),
            "tags": ["Families"],
            "parameters": [
                {"name": "assessment_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
            ],
            "responses": {
                "200": {"description": "The questionnaire's state and its published results", "content": {"application/json": {"schema": _ref("FamilyResults")}}},
                "401": _error("No token, or a token that is not valid or has been revoked"),
                "404": _error("No such assessment, or one you may not see"),
            },
        }
    }
}
