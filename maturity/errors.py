"""Error pages for browsers and JSON errors for the API and live endpoints, and the one error
type for an operation refused for a reason the user can act on."""

from flask import Flask, g, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import (
    Conflict,
    HTTPException,
    InternalServerError,
    ServiceUnavailable,
    default_exceptions,
)

from maturity.extensions import db, limiter, login_manager
from maturity.ratelimit import seconds_until

JSON_PREFIXES = ("/api/",)


class OperationError(ValueError):
    """An operation refused (a locked rating, a closed round, a step out of order).

    `message` is written for the user; `status` is the HTTP status to answer when a view lets
    the error through to the app's handler (409 unless the operation says otherwise). A
    ValueError, so callers that already treat bad values as refusals keep doing so.
    """

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.message = message
        self.status = status


def wants_json() -> bool:
    """API and live endpoints answer in JSON; so does any client that asks for it first."""
    if request.path.startswith(JSON_PREFIXES) or request.blueprint in {"live", "api"}:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(error: HTTPException, message: str | None = None):
    code = error.code or 500
    message = message or error.description
    if wants_json():
        response = jsonify({"error": error.name, "message": message, "status": code})
    else:
        response = make_response(render_template("errors/error.html", error=error, message=message))
    response.status_code = code
    # Keep headers the exception carries, such as Allow on a 405 or Retry-After on a 429.
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _seconds_to_wait() -> int:
    """When the limit that refused this request lets it through again, in seconds from now (a
    minute when the counter cannot be read). Worked out only for a refusal: the limiter's
    headers are off, so an answer that passes costs no second read of the counter."""
    try:
        refused_by = limiter.current_limit
        reset_at = refused_by.reset_at if refused_by is not None else None
    except Exception:  # noqa: BLE001 - the storage failing must not turn a 429 into a 500
        reset_at = None
    if reset_at is None:
        return 60
    return seconds_until(reset_at)


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return error_response(
            error,
            "The form had expired or was sent from somewhere else, so nothing was saved. "
            "Go back, reload the page and try again.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code == 429:
            response = error_response(error, "Too many attempts. Wait a minute and try again.")
            if "Retry-After" not in response.headers:
                response.headers["Retry-After"] = str(_seconds_to_wait())
            return response
        return error_response(error)

    @app.errorhandler(OperationError)
    def refused(error: OperationError):
        db.session.rollback()
        return error_response(default_exceptions.get(error.status, Conflict)(), error.message)

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError):
        db.session.rollback()
        app.logger.error("Database unavailable: %s", error)
        # Show the page as to a signed-out visitor: loading (or refreshing) the signed-in user
        # would ask the database again and fail inside this handler.
        g._login_user = login_manager.anonymous_user()
        return error_response(
            ServiceUnavailable(),
            "The service cannot reach its database just now. Nothing you sent was saved. "
            "Try again in a few minutes.",
        )

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        db.session.rollback()
        app.logger.exception("Unhandled error")
        return error_response(
            InternalServerError(),
            "Something went wrong on our side and nothing was saved. Try again, and tell the "
            "national team if it keeps happening.",
        )
