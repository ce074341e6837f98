"""Faults: the database out of reach, and framework files with errors.

- The database unavailable, for real (a PostgreSQL port where nothing listens, an SQLite file in
  a folder that does not exist): pages answer a friendly 503 in HTML, API and live endpoints a
  503 in JSON; never a traceback, never the connection details.
- A framework file with an error is refused with a message naming the file and the place, and
  the database is exactly as it was, also when the error is only found part way through
  writing (a feature that evidence links to, removed by an update).

(tests/app/test_cli.py covers a missing stage; tests/e2e/test_restart_fault.py kills a server.)
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from maturity.extensions import db
from tests.conftest import PASSWORD, make_app

FRAMEWORK = Path(__file__).resolve().parents[2] / "seed" / "framework" / "early-help-2016.yaml"
FRAMEWORK_TABLES = ("framework_versions", "strands", "elements", "features")


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _unreachable(kind: str, tmp_path: Path) -> str:
    if kind == "postgresql, nothing listening":
        return f"postgresql+psycopg://postgres@127.0.0.1:{_unused_port()}/nowhere?connect_timeout=3"
    return f"sqlite:///{tmp_path / 'no-such-folder' / 'maturity.sqlite'}"


@pytest.fixture
def signed_in_cookie(client, make_user) -> str:
    """A real session cookie of a signed-in coordinator (valid for any app with the same secret)."""
    user = make_user()
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    return client.get_cookie("session").value


@pytest.mark.parametrize("kind", ["postgresql, nothing listening", "sqlite, folder missing"])
def test_database_out_of_reach_gives_a_friendly_503_everywhere(schema, tmp_path, signed_in_cookie, kind):
    url = _unreachable(kind, tmp_path)
    broken = make_app(url, UPLOAD_FOLDER=str(tmp_path / "uploads"))
    # No app context around the requests: each gets its own, as in production (a shared one
    # would keep the first request's anonymous user in `g`).
    client = broken.test_client()
    pages = [
        ("POST", "/sign-in", {"email": "someone@example.org", "password": "a-long-password"}, None),
        ("GET", "/areas/", None, signed_in_cookie),
        ("GET", "/assessments/1", None, signed_in_cookie),
        ("POST", "/join", {"code": "ABCD-EFGH"}, None),
    ]
    for method, path, data, cookie in pages:
        if cookie:
            client.set_cookie("session", cookie)
        response = client.open(path, method=method, data=data)
        body = response.get_data(as_text=True)
        assert response.status_code == 503, (path, response.status_code, body[:300])
        assert response.mimetype == "text/html"
        assert "cannot reach its database" in body and "Nothing you sent was saved" in body
        _reveals_nothing(body, url)
        client.delete_cookie("session")
    for path, headers, cookie in (
        ("/api/v1/areas", {"Authorization": "Bearer emm_not-a-real-token-but-well-formed"}, None),
        ("/live/join/ABCDEFGH/state", {}, None),
        ("/live/workshops/1/state?view=presenter", {}, signed_in_cookie),
    ):
        if cookie:
            client.set_cookie("session", cookie)
        response = client.get(path, headers=headers)
        assert response.status_code == 503, (path, response.status_code)
        assert response.is_json, path
        body = response.get_json()
        assert body["status"] == 503 and "cannot reach its database" in body["message"]
        _reveals_nothing(response.get_data(as_text=True), url)
    vote = client.post("/live/join/ABCDEFGH/vote", json={"round_id": 1, "stage": 3})
    assert vote.status_code == 503 and vote.is_json
    with broken.app_context():
        db.engine.dispose()


def _reveals_nothing(body: str, url: str) -> None:
    assert "Traceback" not in body and "OperationalError" not in body and "sqlalchemy" not in body.lower()
    assert "psycopg" not in body and "sqlite3" not in body
    assert "127.0.0.1" not in body and "no-such-folder" not in body and url not in body


def test_pages_that_need_no_database_still_answer(schema, tmp_path):
    broken = make_app(_unreachable("sqlite, folder missing", tmp_path), UPLOAD_FOLDER=str(tmp_path / "uploads"))
    client = broken.test_client()
    for path in ("/sign-in", "/privacy", "/accessibility", "/healthz", "/static/css/app.css"):
        response = client.get(path)
        response.close()
        assert response.status_code == 200, path
    with broken.app_context():
        db.engine.dispose()


# --------------------------------------------------------------------------------------------
# Framework files with errors
# --------------------------------------------------------------------------------------------


def framework_rows() -> dict[str, list[tuple]]:
    """Every row of the framework's tables, for comparing before and after."""
    from sqlalchemy import MetaData

    meta = MetaData()
    meta.reflect(bind=db.engine, only=FRAMEWORK_TABLES)
    db.session.expire_all()
    return {
        name: sorted(tuple(str(v) for v in row) for row in db.session.execute(meta.tables[name].select()))
        for name in FRAMEWORK_TABLES
    }


def _data() -> dict:
    return yaml.safe_load(FRAMEWORK.read_text(encoding="utf-8"))


def _break_syntax(path: Path) -> None:
    text = FRAMEWORK.read_text(encoding="utf-8").replace("version: \"2016\"", "version: \"broken\"")
    lines = text.splitlines()
    lines[-3] = lines[-3] + " : : ["  # an unclosed flow sequence near the end
    path.write_text("\n".join(lines), encoding="utf-8")


def _duplicate_feature_in_the_last_strand(path: Path) -> None:
    data = _data()
    data["version"] = "broken"
    features = data["strands"][-1]["elements"][-1]["stages"]["mature"]["features"]
    features.append(dict(features[0]))
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def _stage_that_is_not_text(path: Path) -> None:
    data = _data()
    data["version"] = "broken"
    data["stages"][2]["name"] = ["Maturing"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def _not_utf8(path: Path) -> None:
    path.write_bytes(FRAMEWORK.read_text(encoding="utf-8").replace("version: \"2016\"", "version: \"broken\"").encode("utf-16"))


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (_break_syntax, "YAML syntax error"),
        (_duplicate_feature_in_the_last_strand, "duplicate feature key"),
        (_stage_that_is_not_text, "stages[2].name"),
        (_not_utf8, "not valid UTF-8"),
    ],
    ids=["syntax", "duplicate key late in the file", "wrong type", "encoding"],
)
def test_a_framework_file_with_an_error_is_refused_with_its_message(runner, tmp_path, breakage, message):
    path = tmp_path / "broken-framework.yaml"
    breakage(path)
    before = framework_rows()
    result = runner.invoke(args=["framework", "load", str(path)])
    assert result.exit_code != 0
    assert "broken-framework.yaml" in result.output and message in result.output, result.output
    assert "Traceback" not in result.output and str(tmp_path) not in result.output
    assert framework_rows() == before


def test_an_update_refused_part_way_through_leaves_the_database_as_it_was(runner, tmp_path, make_area, make_user, make_assessment, framework):
    """The loaded version, updated in place: the first strand renamed, a feature that evidence
    links to removed. The rename is written before the removal is found to be refused; the
    whole load is rolled back."""
    from maturity.evidence import operations as evidence

    area = make_area("Hampshire")
    assessment = make_assessment(area, user=make_user("coordinator", area))
    data = _data()
    last_element = data["strands"][-1]["elements"][-1]
    removed_key = last_element["stages"]["mature"]["features"].pop()["key"]
    from maturity.models import Feature

    linked = db.session.scalar(select(Feature).where(Feature.framework_id == framework.id, Feature.key == removed_key))
    evidence.add_evidence(assessment, None, {"title": "Board minutes", "kind": "qualitative"}, [linked])
    db.session.commit()
    data["strands"][0]["name"] = "Renamed by a refused update"
    path = tmp_path / "update.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    before = framework_rows()
    result = runner.invoke(args=["framework", "load", str(path)])
    assert result.exit_code != 0
    assert f"features.{removed_key}" in result.output and "linked to evidence" in result.output, result.output
    assert framework_rows() == before
    assert "Renamed by a refused update" not in str(before)
