"""One error type for refused operations: a view that lets it through answers with its status
and message, as a page for browsers and as JSON for API clients, and nothing it wrote is kept."""

from sqlalchemy import select

from maturity.errors import OperationError
from maturity.extensions import db
from maturity.models import Area


def _refusing_route(app, path: str, status: int | None = None):
    def refuse():
        db.session.add(Area(name="Written before the refusal", kind="county"))
        db.session.flush()
        if status is None:
            raise OperationError("This step is locked.")
        raise OperationError("No such round in this workshop.", status)

    app.add_url_rule(path, endpoint=f"refuse{path.replace('/', '_')}", view_func=refuse)


def test_a_refusal_answers_a_browser_with_a_page(app, client):
    _refusing_route(app, "/refuse-page")
    response = client.get("/refuse-page")
    assert response.status_code == 409 and response.mimetype == "text/html"
    assert "This step is locked." in response.get_data(as_text=True)
    assert db.session.scalar(select(Area).where(Area.name == "Written before the refusal")) is None


def test_a_refusal_answers_an_api_client_in_json_with_its_status(app, client):
    _refusing_route(app, "/api/v1/refuse", status=404)
    response = client.get("/api/v1/refuse")
    assert response.status_code == 404
    assert response.get_json() == {"error": "Not Found", "message": "No such round in this workshop.", "status": 404}
