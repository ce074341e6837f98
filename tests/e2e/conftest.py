"""Browser tests: a real server and headless Chromium (Debian's, driven by Playwright).

`live_server` serves the app from a werkzeug server thread (threaded, like a small deployment)
against a fresh SQLite file built with the migrations and the framework loaded. When
TEST_DATABASE_URL is set it is also parametrised with gunicorn running two gevent worker
processes on PostgreSQL, as in production, in a schema of its own: there the phones stream
(workshops/phones.py), and on the werkzeug thread they poll, so both ways are tried. Assets are served locally (ASSET_SOURCE=local):
`make assets` (scripts/fetch_assets.py) fills static/vendor. Tests are skipped, with the reason,
when Chromium or those files are missing.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from maturity.config import ASSET_PINS, ROOT
from tests.conftest import make_app, postgres_url

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PG_SCHEMA = "e2e_live"
SECRET = "e2e-secret-key-for-the-browser-tests"  # 16+ characters, or gunicorn refuses it


def skip_reason() -> str | None:
    """Why browser tests cannot run here, or None when they can."""
    if not Path(CHROMIUM).exists():
        return f"Chromium is not installed at {CHROMIUM}"
    missing = [
        name
        for name, pin in ASSET_PINS.items()
        if not (ROOT / "static" / "vendor" / f"{pin['package']}@{pin['version']}" / pin["file"]).exists()
    ]
    if missing:
        return f"front-end assets missing from static/vendor ({', '.join(missing)}): run `make assets`"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[dev]')"
    return None


@dataclass
class LiveServer:
    url: str
    #: an app on the same database, for arranging data from the test (use its app_context)
    app: Flask
    kind: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _build_database(app: Flask) -> None:
    from flask_migrate import upgrade

    from maturity.extensions import db
    from maturity.framework.operations import load_file

    with app.app_context():
        upgrade(revision="heads")
        load_file(app.config["FRAMEWORK_FILE"])
        db.session.commit()
        db.engine.dispose()


def _server_app(database_url: str, tmp: Path, **overrides) -> Flask:
    settings = {
        "UPLOAD_FOLDER": str(tmp / "uploads"),
        "ASSET_SOURCE": "local",
        "WTF_CSRF_ENABLED": True,
        "SECRET_KEY": SECRET,
    }
    return make_app(database_url, **{**settings, **overrides})


def _files_read_whole(app):
    """Serve a file's body read whole, its file closed before the server writes a byte.

    werkzeug's development server closes a response's file only after draining the request's
    socket; when the browser drops the connection first (a favicon fetch cut short by the next
    page) that drain raises and the file is left open for the garbage collector, which warns.
    Production serves through gunicorn, which closes it; this keeps the test server as tidy."""
    from werkzeug.wsgi import FileWrapper

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        if not isinstance(body, FileWrapper):
            return body
        try:
            return [b"".join(body)]
        finally:
            body.close()

    return wsgi


def _sqlite_server(tmp: Path, **overrides) -> Iterator[LiveServer]:
    """A werkzeug server thread on a fresh SQLite file; `overrides` change the app's settings."""
    from werkzeug.serving import make_server

    database_url = f"sqlite:///{tmp / 'live.sqlite'}"
    app = _server_app(database_url, tmp, **overrides)
    _build_database(app)
    server = make_server("127.0.0.1", 0, _files_read_whole(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app, "sqlite")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def _pg_url_with_schema(url: str) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{PG_SCHEMA}"


def _wait_until_up(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/sign-in", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start in time")


def _postgres_server(tmp: Path) -> Iterator[LiveServer]:
    from sqlalchemy import create_engine, text

    base = postgres_url()
    engine = create_engine(base)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {PG_SCHEMA}"))
    database_url = _pg_url_with_schema(base)
    app = _server_app(database_url, tmp)
    _build_database(app)
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "ASSET_SOURCE": "local",
        "RATELIMIT_ENABLED": "0",
        "UPLOAD_FOLDER": str(tmp / "uploads"),
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "--workers", "2", "--worker-class", "gevent", "--worker-connections", "500",
         # Open phone streams would hold a graceful stop for its full 30 s.
         "--graceful-timeout", "2", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "app:app"],
        cwd=str(ROOT),
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        yield LiveServer(url, app, "postgresql")
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        with app.app_context():
            from maturity.extensions import db

            db.engine.dispose()
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        engine.dispose()


SERVERS = ["sqlite"] + (["postgresql"] if postgres_url() else [])


@pytest.fixture(scope="session", params=SERVERS)
def live_server(request, tmp_path_factory) -> Iterator[LiveServer]:
    """The app served for real: a werkzeug thread on SQLite (phones poll), or gunicorn (2 gevent
    workers) on PostgreSQL (phones stream)."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp(f"live-{request.param}")
    factory = _sqlite_server if request.param == "sqlite" else _postgres_server
    yield from factory(tmp)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium, shared by the session's browser tests."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# --------------------------------------------------------------------------------------------
# Screenshots of every open page when a browser test fails
# --------------------------------------------------------------------------------------------

SCREENSHOTS = ROOT / "build" / "screenshots"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_test_failed = report.failed
    return report


@pytest.fixture(autouse=True)
def screenshots_on_failure(request):
    """When a test fails, save each page still open in the shared browser under build/screenshots/."""
    yield
    browser = request.node.funcargs.get("browser")
    if browser is None or not getattr(request.node, "browser_test_failed", False):
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    stem = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in request.node.nodeid.split("::", 1)[-1])
    saved = []
    for c, context in enumerate(browser.contexts):
        for p, page in enumerate(context.pages):
            path = SCREENSHOTS / f"{stem}-{c}-{p}.png"
            try:
                page.screenshot(path=str(path), full_page=True, timeout=5_000)
            except Exception as error:  # a crashed or closed page must not hide the real failure
                print(f"no screenshot of {page.url}: {error}", file=sys.stderr)
                continue
            saved.append(f"{path.relative_to(ROOT)} ({page.url})")
    if saved:
        print("Screenshots of the open pages:\n  " + "\n  ".join(saved), file=sys.stderr)
