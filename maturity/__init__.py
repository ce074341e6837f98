"""Early Help Service Transformation Maturity Model: the Flask application."""

import os
import time
from pathlib import Path

from flask import Flask
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import Pool

from maturity.config import DEVELOPMENT_SECRET, ROOT, Config, database_url


def create_app(config: type | dict | None = None) -> Flask:
    """Build the application: config, extensions, blueprints, error handlers and commands."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_relative_config=True,
    )
    from maturity import routing

    routing.register_converters(app)
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.from_mapping(config)
    elif config is not None:
        app.config.from_object(config)
    _require_real_secret(app)
    from maturity.workshops.quick_votes import QuickVotes

    # Inside the proxy fix (when there is one), so a quick vote sees the real scheme and address.
    app.wsgi_app = QuickVotes(app, app.wsgi_app)  # type: ignore[method-assign]
    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app.instance_path)
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = os.path.join(app.instance_path, "uploads")
    _engine_options(app)

    _register_templates(app)
    _register_extensions(app)
    _register_blueprints(app)

    from maturity import errors, security, transaction
    from maturity.cli import register_cli

    errors.register(app)
    transaction.register(app)
    routing.register(app)
    security.register(app)
    register_cli(app)
    return app


def _require_real_secret(app: Flask) -> None:
    """Outside debug mode and tests, refuse to start with no SECRET_KEY or the development one:
    anyone who knows that key could forge a signed-in session."""
    if app.debug or app.testing:
        return
    key = app.config.get("SECRET_KEY") or ""
    if key == DEVELOPMENT_SECRET or len(key) < 16:
        raise RuntimeError(
            "SECRET_KEY is not set (or is shorter than 16 characters). Set the SECRET_KEY "
            "environment variable to a long random value, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`. On a developer's "
            "machine `make run` makes one for you; FLASK_DEBUG=1 also allows the development key."
        )


def _engine_options(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("sqlite"):
        # Threads in one process share the file; wait for a writer instead of failing at once.
        options.setdefault("connect_args", {"timeout": 15, "check_same_thread": False})
    else:
        # Not pool_pre_ping, which costs a round trip on every request: _ping_if_idle checks
        # only connections that have been idle a while, the ones a restart may have broken.
        options.setdefault("pool_size", int(os.environ.get("DB_POOL_SIZE", "10")))
        # No overflow by default: under gevent a busy worker has hundreds of requests at once,
        # and connections opened past the pool were closed again after one request, so each
        # cost PostgreSQL a new backend. Requests wait for a pooled connection instead (their
        # queries are short), which keeps a busy room from tipping the machine into overload.
        options.setdefault("max_overflow", int(os.environ.get("DB_MAX_OVERFLOW", "0")))
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


#: A pooled connection idle this long is checked with one round trip before it is used again.
PING_AFTER_IDLE_SECONDS = 10.0


@event.listens_for(Pool, "checkin")
def _note_checkin(dbapi_connection, connection_record) -> None:
    if connection_record is not None:
        connection_record.info["checked_in"] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _ping_if_idle(dbapi_connection, connection_record, connection_proxy) -> None:
    """Check a connection that has been idle for a while (PostgreSQL may have restarted or
    closed it); one in steady use is not checked, which saves a round trip on each request of
    a busy room. A broken one is replaced by the pool (DisconnectionError)."""
    last = connection_record.info.get("checked_in")
    if last is None or time.monotonic() - last < PING_AFTER_IDLE_SECONDS:
        return  # new, or in steady use
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        dbapi_connection.rollback()  # leave no transaction open behind the check
    except Exception as error:  # noqa: BLE001 - whatever the driver raises, the connection is gone
        raise DisconnectionError("an idle pooled connection no longer answers") from error


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """WAL, foreign keys and a busy timeout on every SQLite connection."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _register_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    from maturity import templating

    templating.register(app)


def _register_extensions(app: Flask) -> None:
    from govuk_frontend_wtf.main import WTFormsHelpers

    from maturity.extensions import csrf, db, limiter, login_manager, migrate
    from maturity.ratelimit import storage_uri

    app.config["RATELIMIT_STORAGE_URI"] = storage_uri(app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    WTFormsHelpers(app)

    import maturity.models  # noqa: F401  (registers every table with the metadata)
    from maturity.auth import sessions

    sessions.register(login_manager)


def _register_blueprints(app: Flask) -> None:
    from maturity import (
        admin,
        api,
        areas,
        assessments,
        auth,
        evidence,
        families,
        framework,
        main,
        reviews,
        surveys,
        workshops,
    )
    from maturity.reports import benchmark, compare

    for package in (main, auth, admin, areas, framework, assessments, evidence, workshops, workshops.live, families, surveys, reviews, compare, benchmark, api):
        app.register_blueprint(package.bp)
