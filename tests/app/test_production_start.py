"""The README's production command, as written: it refuses a missing secret, starts with one,
and with Redis for rate limits every worker process counts against the same limit."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid

import pytest

from maturity.config import ROOT
from tests.conftest import make_app
from tests.support.services import redis_answers

README = (ROOT / "README.md").read_text()
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"


def _readme_command() -> tuple[dict[str, str], list[str]]:
    """The environment and command of the README's production block, exactly as printed."""
    block = README[README.index("## Production"):]
    shell = re.search(r"```sh\n(.*?)```", block, re.S).group(1).replace("\\\n", " ")
    words = shell.split()
    env = {}
    while "=" in words[0]:
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    assert words[0] == ".venv/bin/gunicorn", shell
    return env, [str(GUNICORN), *words[1:]]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(documented: dict[str, str], **real: str) -> dict[str, str]:
    """This machine's environment without any of the app's settings, plus the README's, with
    its placeholders ("...") filled in from `real` (a placeholder left unfilled is left out)."""
    ours = set(documented) | {"FLASK_DEBUG", "FLASK_ENV", "RATELIMIT_KEY_PREFIX", "UPLOAD_FOLDER"}
    env = {name: value for name, value in os.environ.items() if name not in ours}
    for name, value in documented.items():
        if "..." not in value:
            env[name] = value
    env.update(real)
    return env


def _built_database(tmp_path) -> str:
    database = f"sqlite:///{tmp_path / 'prod.sqlite'}"
    builder = make_app(database, UPLOAD_FOLDER=str(tmp_path / "uploads"))
    with builder.app_context():
        from flask_migrate import upgrade

        upgrade(revision="heads")
    return database


def _start(command: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _stop(server: subprocess.Popen) -> str:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
    try:
        _, errors = server.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        _, errors = server.communicate(timeout=30)
    return errors or ""


def test_app_refuses_to_start_without_secret_key(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "import app"], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env=_environment({"SECRET_KEY": "", "FLASK_DEBUG": ""}, DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite'}"),
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.slow
@pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed in .venv")
def test_readme_production_command_refuses_a_missing_secret(tmp_path):
    documented, command = _readme_command()
    assert "SECRET_KEY" in documented
    server = _start(command + ["--bind", f"127.0.0.1:{_free_port()}"],
                    _environment(documented, DATABASE_URL=_built_database(tmp_path), UPLOAD_FOLDER=str(tmp_path / "uploads")))
    try:
        server.wait(timeout=90)
    finally:
        errors = _stop(server)
    assert server.returncode != 0
    assert "SECRET_KEY is not set" in errors, errors[-2000:]


def _request(port: int, method: str, path: str, headers: dict, body: str | None = None) -> http.client.HTTPResponse:
    """One request on a connection of its own, so gunicorn hands them to either worker."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers={"Connection": "close", **headers})
        response = connection.getresponse()
        response.text = response.read().decode()
        return response
    finally:
        connection.close()


@pytest.mark.slow
@pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed in .venv")
def test_readme_production_command_starts_and_shares_limits_across_workers(tmp_path):
    documented, command = _readme_command()
    assert "--workers" in command and documented.get("SECURE_COOKIES") == "1"
    real = {"DATABASE_URL": _built_database(tmp_path), "SECRET_KEY": uuid.uuid4().hex * 2,
            "UPLOAD_FOLDER": str(tmp_path / "uploads")}
    run = uuid.uuid4().hex
    shared = redis_answers()
    if shared:  # the README's Redis, with counters kept apart from anything else in it
        real["RATELIMIT_KEY_PREFIX"] = f"test-{run}"
    else:
        real["RATELIMIT_STORAGE_URI"] = "memory://"
    port = _free_port()
    server = _start(command + ["--bind", f"127.0.0.1:{port}"], _environment(documented, **real))
    # The documented TRUSTED_PROXIES=1 means one proxy in front, which says the visitor's
    # address and that it was reached over HTTPS (as SECURE_COOKIES=1 expects).
    proxy = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https",
             "Referer": f"https://127.0.0.1:{port}/sign-in"}
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, "the production command stopped"
            try:
                page = _request(port, "GET", "/sign-in", proxy)
                break
            except OSError:
                assert time.monotonic() < deadline, "the production command did not start"
                time.sleep(0.3)
        assert page.status == 200
        assert "Secure" in page.getheader("Set-Cookie") and page.getheader("Strict-Transport-Security")
        if not shared:
            pytest.skip("Redis does not answer on 127.0.0.1:6379: started, but limits are per process")

        statuses = []
        for _ in range(12):
            page = _request(port, "GET", "/sign-in", proxy)
            cookie = page.getheader("Set-Cookie").split(";")[0]
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
            body = f"csrf_token={token}&email=someone-{run}%40example.org&password=not-it-at-all"
            answer = _request(port, "POST", "/sign-in", {**proxy, "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}, body)
            statuses.append(answer.status)
        # The stated limit (10 failures a minute per email) holds across the worker processes.
        assert statuses == [200] * 10 + [429, 429]
    finally:
        errors = _stop(server)
        if shared:
            import redis

            store = redis.Redis.from_url(documented["RATELIMIT_STORAGE_URI"])
            keys = list(store.scan_iter(f"*{run}*"))
            if keys:
                store.delete(*keys)
            store.close()
    assert "Traceback" not in errors, errors[-2000:]
