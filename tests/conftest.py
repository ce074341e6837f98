"""Fixtures shared by the app tests: one schema per database per session, cleaned between tests.

Every app test runs on SQLite, and on PostgreSQL as well when TEST_DATABASE_URL is set.
"""

import os
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, delete, make_url, text

from maturity import create_app
from maturity.config import TestConfig
from maturity.extensions import db

PASSWORD = "correct-horse-battery"

#: Tables kept between tests: the framework is loaded once per session.
KEEP_TABLES = {"framework_versions", "strands", "elements", "features", "alembic_version"}


def run_postgres_url() -> str | None:
    """The run's PostgreSQL database (TEST_DATABASE_URL) in SQLAlchemy's psycopg form."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return None
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def postgres_url() -> str | None:
    """This process's PostgreSQL database: the run's own, or with pytest-xdist a database of each
    worker's (the run's name + "_gw0", ...), made at the worker's start and dropped at its end,
    so workers never empty each other's tables."""
    url = run_postgres_url()
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if url is None or not worker:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


def _worker_database(action: str) -> None:
    run_url, own_url = run_postgres_url(), postgres_url()
    if run_url is None or own_url == run_url:
        return
    name = make_url(own_url).database
    engine = create_engine(run_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if action == "create":
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


def pytest_sessionstart(session) -> None:
    _worker_database("create")


def pytest_sessionfinish(session, exitstatus) -> None:
    _worker_database("drop")


DATABASES = ["sqlite"] + (["postgresql"] if postgres_url() else [])


def drop_everything(app: Flask) -> None:
    """Empty the database completely, including tables from earlier runs and alembic_version."""
    with app.app_context():
        from sqlalchemy import MetaData

        meta = MetaData()
        meta.reflect(bind=db.engine)
        meta.drop_all(bind=db.engine)
        db.engine.dispose()


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request, tmp_path_factory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    return postgres_url()


def make_app(database_url: str, **overrides) -> Flask:
    config = {
        key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()
    }
    config.update(SQLALCHEMY_DATABASE_URI=database_url, SQLALCHEMY_ENGINE_OPTIONS={})
    config.update(overrides)
    app = create_app(config)
    _made_apps.append(app)
    return app


#: Apps built by tests themselves; their connection pools are closed after each test so no
#: connection outlives the test that opened it (PostgreSQL warns about unclosed ones).
_made_apps: list[Flask] = []


@pytest.fixture(autouse=True)
def _dispose_made_apps():
    yield
    while _made_apps:
        made = _made_apps.pop()
        with made.app_context():
            db.session.remove()
            for engine in made.extensions["sqlalchemy"].engines.values():
                engine.dispose()


@pytest.fixture(scope="session")
def schema(database_url, tmp_path_factory) -> str:
    """Build the schema through the migrations (never create_all) and load the framework once."""
    app = make_app(database_url, UPLOAD_FOLDER=str(tmp_path_factory.mktemp("uploads")))
    drop_everything(app)
    with app.app_context():
        upgrade(revision="heads")
        from maturity.framework.operations import load_file

        load_file(app.config["FRAMEWORK_FILE"])
        db.session.commit()
        db.engine.dispose()
    return database_url


@pytest.fixture
def app(schema, tmp_path) -> Iterator[Flask]:
    app = make_app(schema, UPLOAD_FOLDER=str(tmp_path / "uploads"))
    with app.app_context():
        yield app
        db.session.remove()
        # Empty every table but the framework, children first.
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in KEEP_TABLES:
                db.session.execute(delete(table))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def framework(app):
    from maturity.framework.operations import latest_framework

    return latest_framework()


@pytest.fixture
def make_area(app) -> Callable:
    from maturity.admin import operations

    counter = {"n": 0}

    def make(name: str | None = None, kind: str = "county", **kwargs):
        counter["n"] += 1
        area = operations.create_area(name or f"Area {counter['n']}", kind, kwargs.get("region"))
        for org_name, org_type in kwargs.get("organisations", [(f"{area.name} Council", "local-authority"), (f"{area.name} Police", "police")]):
            operations.add_organisation(area, org_name, org_type)
        db.session.commit()
        return area

    return make


@pytest.fixture
def make_user(app) -> Callable:
    from maturity.admin import operations

    counter = {"n": 0}

    def make(role: str | None = None, area=None, admin: bool = False, email: str | None = None):
        counter["n"] += 1
        user = operations.create_user(email or f"user{counter['n']}@example.org", f"User {counter['n']}", PASSWORD, admin)
        if role and area is not None:
            operations.set_membership(user, area, role)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(client) -> Callable:
    def do_login(user, password: str = PASSWORD):
        response = client.post("/sign-in", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return do_login


@pytest.fixture
def make_assessment(app, framework, make_area) -> Callable:
    """Open an assessment for an area (a new area when none is given)."""
    from maturity.assessments.operations import create_assessment

    def make(area=None, title: str = "Maturity assessment", period_label: str = "2016 to 2017", user=None, **kwargs):
        area = area or make_area()
        assessment = create_assessment(area, framework, title, period_label, user, **kwargs)
        db.session.commit()
        return assessment

    return make
