"""The README's production command, as written: it refuses a missing secret, starts with one,
and with Redis for rate limits every worker process counts against the same limit."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest
import requests

from maturity.config import ROOT
from tests.conftest import make_app

README = (ROOT / "README.md").read_text()


def _production_command() -> list[str]:
    block = README[README.index("## Production"):]
    command = re.search(r"\.venv/bin/gunicorn[^\n`]*", block).group(0)
    return [str(ROOT / ".venv" / "bin" / "gunicorn"), *command.split()[1:]]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def _env(**settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "FLASK_DEBUG", "DATABASE_URL", "RATELIMIT_STORAGE_URI")}
    env.update(settings)
    return env


def test_app_refuses_to_start_without_secret_key(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "import app"], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env=_env(DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite'}"),
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.slow
@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "gunicorn").exists(), reason="gunicorn is not installed in .venv")
def test_readme_production_command_starts_and_shares_limits_across_workers(tmp_path):
    database = f"sqlite:///{tmp_path / 'prod.sqlite'}"
    builder = make_app(database, UPLOAD_FOLDER=str(tmp_path / "uploads"))
    with builder.app_context():
        from flask_migrate import upgrade

        upgrade(revision="heads")
    settings = {"DATABASE_URL": database, "SECRET_KEY": uuid.uuid4().hex * 2, "UPLOAD_FOLDER": str(tmp_path / "uploads")}
    shared = _redis_answers()
    if shared:
        settings.update(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0", RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}")
    port = _free_port()
    command = _production_command() + ["--bind", f"127.0.0.1:{port}"]
    assert "--workers" in command
    server = subprocess.Popen(command, cwd=ROOT, env=_env(**settings), start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stderr.read().decode()[-2000:]
            try:
                with urllib.request.urlopen(url + "/sign-in", timeout=2) as response:
                    assert response.status == 200
                    break
            except (urllib.error.URLError, ConnectionError, OSError):
                assert time.monotonic() < deadline, "the production command did not start"
                time.sleep(0.3)
        if not shared:
            pytest.skip("Redis does not answer on 127.0.0.1:6379: started, but limits are per process")
        # Each attempt on a new connection, so gunicorn spreads them over both workers.
        statuses = []
        for _ in range(12):
            with requests.Session() as browser:
                page = browser.get(url + "/sign-in", timeout=10).text
                token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
                answer = browser.post(url + "/sign-in", timeout=10, headers={"Connection": "close"},
                                      data={"csrf_token": token, "email": "someone@example.org", "password": "not-it-at-all"})
                statuses.append(answer.status_code)
        # The stated limit (10 a minute per email) holds across the worker processes.
        assert statuses[:10] == [200] * 10 and statuses[10:] == [429, 429]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        server.stderr.close()
