"""One place commits: a write answered with success or a redirect is committed after the view;
a form shown again with errors (400), a refusal, or a GET keeps nothing."""

import pytest
from flask import redirect
from sqlalchemy import select

from maturity.extensions import db
from maturity.models import Area


def _writing_route(app, path: str, status: int, methods=("POST",)):
    def write():
        db.session.add(Area(name=f"Area from {path}", kind="county"))
        db.session.flush()
        return redirect("/") if status == 302 else ("", status)

    app.add_url_rule(path, endpoint=f"write{path.replace('/', '_')}", view_func=write, methods=list(methods))


def _kept(path: str) -> bool:
    db.session.rollback()
    return db.session.scalar(select(Area).where(Area.name == f"Area from {path}")) is not None


@pytest.mark.parametrize("status", [200, 302])
def test_a_successful_write_is_committed_after_the_view(app, client, status):
    _writing_route(app, "/write-ok", status)
    assert client.post("/write-ok").status_code == status
    assert _kept("/write-ok")


def test_a_write_answered_with_an_error_keeps_nothing(app, client):
    _writing_route(app, "/write-refused", 400)
    assert client.post("/write-refused").status_code == 400
    assert not _kept("/write-refused")


def test_a_get_commits_nothing(app, client):
    _writing_route(app, "/read-only", 200, methods=("GET",))
    assert client.get("/read-only").status_code == 200
    assert not _kept("/read-only")
