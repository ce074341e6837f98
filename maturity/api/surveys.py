"""API route for partners' surveys: GET /api/v1/assessments/<id>/surveys.

Only what the survey's page publishes: while a survey is open, how many have answered; once it
has finished, each strand's figures by the workshops' anonymity rule and the reasons as a
sorted list (maturity.core.surveys), never one person's answers.
"""

from datetime import date
from typing import Any

from flask import jsonify

from maturity import access
from maturity.api import bp
from maturity.core.anonymity import PublishedRound
from maturity.core.surveys import QUESTIONS
from maturity.models import Assessment, Survey
from maturity.surveys import queries
from maturity.workshops.results import group_json
from maturity.workshops.state import summary_json


def _ratings(published: PublishedRound) -> dict[str, Any]:
    return {
        "answered": published.total,
        "withheld": published.room is None and published.total > 0,
        "summary": summary_json(published.room) if published.room is not None else None,
        "groups": [group_json(g) for g in published.groups] if published.room is not None else [],
    }


def survey_json(survey: Survey, today: date) -> dict[str, Any]:
    finished = survey.finished(today)
    return {
        "id": survey.id,
        "title": survey.title,
        "status": survey.status,
        "finished": finished,
        "illustrative": survey.illustrative,
        "opens_on": survey.opens_on.isoformat() if survey.opens_on else None,
        "closes_on": survey.closes_on.isoformat() if survey.closes_on else None,
        "asks": survey.asked,
        "results_by": QUESTIONS[survey.breakdown][0] if survey.asked else None,
        "answered": queries.response_count(survey),
        "results": None if not finished else [
            {
                "strand": {"key": result.strand.key, "name": result.strand.name},
                "counted": "each person once, by the middle of their element ratings" if result.by_elements else "each answer once",
                **_ratings(result.ratings),
                "questions": [
                    {
                        "element": item.item.element.key if item.item.element else None,
                        "name": item.item.name,
                        **_ratings(item.published.ratings),
                        "reasons": list(item.published.reasons),
                    }
                    for item in result.items
                ],
            }
            for result in queries.results(survey)
        ],
    }


@bp.get("/assessments/<int:assessment_id>/surveys")
def assessment_surveys(assessment_id: int):
    assessment = access.get_or_404(Assessment, assessment_id, "view")
    today = date.today()
    return jsonify(
        {
            "assessment_id": assessment.id,
            "surveys": [survey_json(survey, today) for survey in queries.assessment_surveys(assessment)],
        }
    )


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    return {"oneOf": [schema, {"type": "null"}]}


_RATINGS = {
    "answered": {"type": "integer", "minimum": 0, "description": "How many people answered, \u201cdon\u2019t know\u201d included"},
    "withheld": {"type": "boolean", "description": "Too few answered (or an element had one or two answers) for the figures to be shown"},
    "summary": _nullable(_ref("VoteSummary")),
    "groups": {"type": "array", "items": _ref("PublishedGroup"), "description": "By the survey's one breakdown question; small groups hidden"},
}

#: Component schemas for the route, merged into /api/v1/openapi.json.
OPENAPI_SCHEMAS: dict = {
    "SurveyQuestion": {
        "type": "object",
        "required": ["element", "name", *_RATINGS, "reasons"],
        "properties": {
            "element": {"type": ["string", "null"], "description": "The element's key; null for a whole strand"},
            "name": {"type": "string"},
            **_RATINGS,
            "reasons": {
                "type": "array",
                "items": {"type": "string"},
                "description": "The reasons people gave, sorted, never beside a rating or a group; empty under 3 answers",
            },
        },
    },
    "SurveyStrand": {
        "type": "object",
        "required": ["strand", "counted", *_RATINGS, "questions"],
        "properties": {
            "strand": {
                "type": "object",
                "required": ["key", "name"],
                "properties": {"key": {"type": "string"}, "name": {"type": "string"}},
            },
            "counted": {"type": "string"},
            **_RATINGS,
            "questions": {"type": "array", "items": _ref("SurveyQuestion")},
        },
    },
    "Survey": {
        "type": "object",
        "required": ["id", "title", "status", "finished", "illustrative", "opens_on", "closes_on", "asks", "results_by", "answered", "results"],
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "status": {"type": "string", "enum": ["setup", "open", "closed"]},
            "finished": {"type": "boolean", "description": "Closed, or past its closing date: results are published"},
            "illustrative": {"type": "boolean"},
            "opens_on": {"type": ["string", "null"], "format": "date"},
            "closes_on": {"type": ["string", "null"], "format": "date"},
            "asks": {"type": "array", "items": {"type": "string", "enum": list(QUESTIONS)}},
            "results_by": {"type": ["string", "null"], "description": "The one question the results break down by"},
            "answered": {"type": "integer", "minimum": 0},
            "results": {**_nullable({"type": "array", "items": _ref("SurveyStrand")}), "description": "Null until the survey has finished"},
        },
    },
    "SurveyList": {
        "type": "object",
        "required": ["assessment_id", "surveys"],
        "properties": {
            "assessment_id": {"type": "integer"},
            "surveys": {"type": "array", "items": _ref("Survey")},
        },
    },
}

#: OpenAPI path items for these routes, merged into /api/v1/openapi.json.
OPENAPI_PATHS: dict = {
    "/assessments/{assessment_id}/surveys": {
        "get": {
            "operationId": "getAssessmentSurveys",
            "summary": "The assessment's partners' surveys and, once each has finished, its published results",
            "description": (
                "While a survey is open only how many have answered is given. Once it has closed (or "
                "passed its closing date), each strand's figures follow the workshops' anonymity rule, "
                "broken down by the survey's one breakdown question, and the reasons come as a sorted "
                "list that says nothing of whose they are."
            ),
            "tags": ["Surveys"],
            "parameters": [
                {"name": "assessment_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
            ],
            "responses": {
                "200": {"description": "The surveys, newest first", "content": {"application/json": {"schema": _ref("SurveyList")}}},
                "401": {"description": "No token, or a token that is not valid or has been revoked", "content": {"application/json": {"schema": _ref("Error")}}},
                "404": {"description": "No such assessment, or one you may not see", "content": {"application/json": {"schema": _ref("Error")}}},
            },
        }
    }
}
