"""The server killed mid-workshop and started again loses no vote, and the workshop goes on.

A real gunicorn process serves the app from a database file (and, when TEST_DATABASE_URL is
set, from PostgreSQL too). Everything goes over HTTP, CSRF tokens and all: the facilitator signs
in and runs the rounds, participants join with the code and vote, some change their minds.
Mid-round the whole process group is killed with SIGKILL (no shutdown, no cleanup). Started
again on the same database, the facilitator's console shows the same round open with every
acknowledged vote; participants' phones carry on with the cookies they have, and the final
tally is exactly right.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, select, text

from maturity.config import ROOT
from tests.conftest import PASSWORD, postgres_url
from tests.e2e.conftest import _build_database, _free_port, _server_app, _wait_until_up

pytestmark = pytest.mark.slow

SECRET = "restart-test-secret"
PG_SCHEMA = "e2e_restart"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


class Server:
    """gunicorn in a process group of its own, so a kill takes the workers with it."""

    def __init__(self, database_url: str, uploads: Path):
        self.database_url = database_url
        self.uploads = uploads
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "SECRET_KEY": SECRET,
            "ASSET_SOURCE": "local",
            "RATELIMIT_ENABLED": "0",
            "UPLOAD_FOLDER": str(self.uploads),
        }
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [str(gunicorn), "--workers", "2", "--worker-class", "gevent", "--bind", f"127.0.0.1:{self.port}",
             "--log-level", "warning", "app:app"],
            cwd=str(ROOT), env=env, start_new_session=True,
        )
        _wait_until_up(self.url, self.process)

    def kill(self) -> None:
        """SIGKILL to the master and its workers at once: nothing gets to finish or tidy up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _csrf(page: requests.Response) -> str:
    found = CSRF.search(page.text)
    assert found, f"no CSRF token on {page.url}"
    return found.group(1)


class Facilitator:
    def __init__(self, server: Server, email: str, workshop_id: int):
        self.server, self.workshop_id = server, workshop_id
        self.http = requests.Session()
        page = self.http.get(f"{server.url}/sign-in")
        signed_in = self.http.post(f"{server.url}/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": _csrf(page)})
        assert "Sign out" in signed_in.text

    def press(self, control: str) -> dict:
        console = self.http.get(f"{self.server.url}/workshops/{self.workshop_id}/facilitate")
        response = self.http.post(
            f"{self.server.url}/workshops/{self.workshop_id}/{control}",
            data={"csrf_token": _csrf(console)}, headers={"Accept": "application/json"},
        )
        assert response.status_code == 200, (control, response.text[:300])
        return response.json()["state"]

    def state(self) -> dict:
        response = self.http.get(f"{self.server.url}/live/workshops/{self.workshop_id}/state", params={"view": "facilitator"})
        assert response.status_code == 200, response.text[:300]
        return response.json()


class Phone:
    def __init__(self, server: Server, code: str, org_type: str):
        self.server, self.code = server, code
        self.http = requests.Session()
        page = self.http.get(f"{server.url}/join/{code}")
        joined = self.http.post(f"{server.url}/join/{code}", data={"org_type": org_type, "csrf_token": _csrf(page)})
        assert joined.url.endswith("/vote"), joined.url
        self.token = _csrf(joined)

    def vote(self, round_id: int, stage: int) -> None:
        response = self.http.post(
            f"{self.server.url}/live/join/{self.code}/vote",
            json={"round_id": round_id, "stage": stage}, headers={"X-CSRFToken": self.token},
        )
        assert response.status_code == 200, response.text[:300]
        assert response.json()["my_vote"]["stage"] == stage


def _arrange(app) -> dict:
    from maturity.admin import operations as admin
    from maturity.assessments.operations import create_assessment
    from maturity.extensions import db
    from maturity.framework.operations import latest_framework
    from maturity.workshops.operations import create_workshop

    with app.app_context():
        framework = latest_framework()
        area = admin.create_area(f"Restartshire {uuid.uuid4().hex[:6]}", "county")
        coordinator = admin.create_user(f"coordinator-{uuid.uuid4().hex[:6]}@example.org", "Cora", PASSWORD)
        admin.set_membership(coordinator, area, "coordinator")
        assessment = create_assessment(area, framework, "Self-assessment 2016", "2016 to 2017", coordinator)
        workshop = create_workshop(assessment, "Workshop that survives", [(s, None) for s in framework.strands[:3]], user=coordinator)
        db.session.commit()
        data = {"email": coordinator.email, "workshop": workshop.id, "code": workshop.join_code, "rounds": [r.id for r in workshop.rounds]}
        db.session.remove()
        db.engine.dispose()
    return data


def _votes_in_the_database(database_url: str, round_ids: list[int]) -> dict[int, Counter]:
    from maturity.models import Vote

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(Vote.round_id, Vote.stage).where(Vote.round_id.in_(round_ids))).all()
    finally:
        engine.dispose()
    found = {round_id: Counter() for round_id in round_ids}
    for round_id, stage in rows:
        found[round_id][stage] += 1
    return found


DATABASES = ["sqlite"] + (["postgresql"] if postgres_url() else [])


@pytest.fixture(params=DATABASES)
def database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'workshop.sqlite'}"
        return
    base = postgres_url()
    engine = create_engine(base)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {PG_SCHEMA}"))
    try:
        separator = "&" if "?" in base else "?"
        yield f"{base}{separator}options=-csearch_path%3D{PG_SCHEMA}"
    finally:
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        engine.dispose()


def test_a_server_killed_mid_round_loses_no_vote_and_the_workshop_resumes(database, tmp_path):
    app = _server_app(database, tmp_path)
    _build_database(app)
    data = _arrange(app)
    first, second, third = data["rounds"]
    server = Server(database, tmp_path / "uploads")
    server.start()
    try:
        facilitator = Facilitator(server, data["email"], data["workshop"])
        assert facilitator.press("open")["round"]["id"] == first
        phones = [Phone(server, data["code"], org) for org in ("police", "health", "schools", "housing") * 2]
        final_first = {}
        for n, phone in enumerate(phones):
            phone.vote(first, n % 4 + 1)
            final_first[n] = n % 4 + 1
        for n in (0, 5):  # two change their minds
            phones[n].vote(first, 4)
            final_first[n] = 4
        facilitator.press("close")
        facilitator.press("next")
        assert facilitator.press("open")["round"]["id"] == second
        final_second = {}
        for n, phone in enumerate(phones[:5]):
            phone.vote(second, 2 if n < 3 else 3)
            final_second[n] = 2 if n < 3 else 3

        server.kill()
        assert _votes_in_the_database(database, [first, second]) == {
            first: Counter(final_first.values()), second: Counter(final_second.values())
        }, "every acknowledged vote is on disk"

        server.start()
        state = facilitator.state()  # the same signed-in session, after the restart
        assert state["round"]["id"] == second and state["round"]["state"] == "open"
        assert [(r["id"], r["count"]) for r in state["rounds"]] == [(first, 8), (second, 5), (third, 0)]

        # The phones carry on: the rest vote, one changes their mind, and nobody counts twice.
        for n, phone in enumerate(phones[5:], start=5):
            phone.vote(second, 4)
            final_second[n] = 4
        phones[0].vote(second, 1)
        final_second[0] = 1
        facilitator.press("close")
        result = facilitator.press("reveal")["result"]
        expected = Counter(final_second.values())
        assert result["counts"] == {str(stage): expected.get(stage, 0) for stage in (1, 2, 3, 4)}
        assert result["n"] == 8
        assert _votes_in_the_database(database, [first, second, third]) == {
            first: Counter(final_first.values()), second: expected, third: Counter()
        }
    finally:
        server.stop()
        with app.app_context():
            from maturity.extensions import db

            db.engine.dispose()
