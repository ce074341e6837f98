"""Routes of the read-only API: areas, one assessment's per-strand figures, the OpenAPI file.

Every route but the OpenAPI document needs `Authorization: Bearer <token>`. The token's user
becomes `current_user` for the request only (nothing is written to the session), so the usual
access rules apply: another area's assessment answers 404.
"""

from flask import g, jsonify, request
from flask_login import current_user
from sqlalchemy import select

from maturity import access
from maturity.api import bp, openapi
from maturity.assessments.overview import build_overview
from maturity.auth import tokens
from maturity.core.scoring import STAGE_KEYS, STAGES, Rating, StageEvidence
from maturity.extensions import db, login_manager
from maturity.models import Area, Assessment

#: Endpoints anyone may call without a token.
PUBLIC_ENDPOINTS = {"api.openapi_document"}


def unauthorised(message: str):
    response = jsonify({"error": "Unauthorized", "message": message, "status": 401})
    response.status_code = 401
    response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@bp.before_request
def authenticate_token():
    """Answer 401 unless the request carries a live token; then act as the token's user."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization")
    found = tokens.authenticate(header)
    if found is None:
        if tokens.bearer_value(header) is None:
            return unauthorised(
                "Send a personal API token in the header 'Authorization: Bearer <token>'. "
                "Create one on your profile page."
            )
        return unauthorised("The API token is not valid or has been revoked.")
    user, token = found
    g.api_token = token
    # Make the token's user current for this request only; a session cookie sent alongside is
    # never read or written.
    login_manager._update_request_context_with_user(user)
    return None


def rating_json(rating: Rating | None) -> dict | None:
    if rating is None:
        return None
    return {"code": rating.code, "label": rating.label, "low": rating.low, "high": rating.high}


def stage_json(stage: int) -> dict:
    return {"stage": stage, "code": STAGE_KEYS[stage], "label": STAGES[stage]}


def next_stage_json(evidence: StageEvidence) -> dict | None:
    """Progress toward the stage above the evidenced one; None at mature."""
    following = evidence.next_stage
    if following is None:
        return None
    return {
        "stage": stage_json(following.stage),
        "evidenced": following.evidenced,
        "total": following.total,
    }


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


@bp.get("/areas")
def areas():
    ids = access.visible_area_ids(current_user)
    query = select(Area).order_by(Area.name)
    if ids is not None:
        query = query.where(Area.id.in_(ids))
    found = list(db.session.scalars(query))
    assessments: dict[int, list[Assessment]] = {}
    if found:
        rows = db.session.scalars(
            select(Assessment)
            .where(Assessment.area_id.in_([a.id for a in found]))
            .order_by(Assessment.created_at, Assessment.id)
        )
        for assessment in rows:
            assessments.setdefault(assessment.area_id, []).append(assessment)
    return jsonify({"areas": [area_json(area, assessments.get(area.id, [])) for area in found]})


def area_json(area: Area, assessments: list[Assessment]) -> dict:
    return {
        "id": area.id,
        "name": area.name,
        "kind": area.kind,
        "kind_label": area.kind_label,
        "region": area.region,
        "parent_id": area.parent_id,
        "assessments": [
            {
                "id": a.id,
                "title": a.title,
                "period_label": a.period_label,
                "status": a.status,
                "status_label": a.status_label,
            }
            for a in assessments
        ],
    }


@bp.get("/assessments/<int:assessment_id>")
def assessment(assessment_id: int):
    found = access.get_or_404(Assessment, assessment_id)
    return jsonify(assessment_json(found, build_overview(found)))


def assessment_json(found: Assessment, views) -> dict:
    framework = found.framework
    return {
        "id": found.id,
        "title": found.title,
        "period_label": found.period_label,
        "period_start": _iso(found.period_start),
        "period_end": _iso(found.period_end),
        "status": found.status,
        "status_label": found.status_label,
        "previous_id": found.previous_id,
        "area": {"id": found.area.id, "name": found.area.name},
        "framework": {
            "id": framework.id,
            "key": framework.key,
            "version": framework.version,
            "title": framework.title,
        },
        "governance": {
            "board": found.governance_board,
            "date": _iso(found.governance_date),
            "minute": found.governance_minute,
        },
        "strands": [strand_json(view) for view in views],
    }


def strand_json(view) -> dict:
    return {
        "id": view.strand.id,
        "key": view.strand.key,
        "name": view.strand.name,
        "short_name": view.strand.short_name,
        "position": view.strand.position,
        "self_rating": rating_json(view.self_rating),
        "evidenced": stage_json(view.evidenced),
        "evidenced_capped": view.evidence.capped,
        "next_stage": next_stage_json(view.evidence),
        "agreed_rating": rating_json(view.agreed_rating),
        "flags": [flag.code for flag in view.flags],
        "evidence": {
            "qualitative": view.counts.get("qualitative", 0),
            "quantitative": view.counts.get("quantitative", 0),
            "total": view.counts.get("total", 0),
        },
        "features": {"total": view.feature_count, "supported": view.supported},
        "elements": [
            {
                "key": element.element.key,
                "name": element.element.name,
                "self_rating": rating_json(element.self_rating),
                "evidenced": stage_json(element.evidenced),
                "evidenced_capped": element.evidence.capped,
                "next_stage": next_stage_json(element.evidence),
            }
            for element in view.elements
        ],
    }


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.build_document())
