"""The schema only changes through migrations: they must agree with the models, and go both ways."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from maturity.extensions import db
from tests.conftest import drop_everything, make_app


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], differences


def test_upgrade_from_empty_then_downgrade_to_base(schema, tmp_path):
    # A separate database (file or schema) so the session's schema is untouched.
    url = f"sqlite:///{tmp_path / 'migrations.sqlite'}" if schema.startswith("sqlite") else schema
    app = make_app(url, UPLOAD_FOLDER=str(tmp_path))
    with app.app_context():
        if not url.startswith("sqlite"):
            # PostgreSQL: run in its own schema so the shared test schema stays put.
            from sqlalchemy import text

            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS migration_check CASCADE"))
                conn.execute(text("CREATE SCHEMA migration_check"))
            db.engine.dispose()
    if not url.startswith("sqlite"):
        app = make_app(url, UPLOAD_FOLDER=str(tmp_path), SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"options": "-csearch_path=migration_check"}})
    with app.app_context():
        upgrade(revision="heads")
        tables = set(inspect(db.engine).get_table_names())
        assert {"areas", "users", "memberships", "framework_versions", "features"} <= tables
        downgrade(revision="base")
        remaining = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        db.engine.dispose()
    if not url.startswith("sqlite"):
        cleanup = make_app(url, UPLOAD_FOLDER=str(tmp_path))
        with cleanup.app_context():
            from sqlalchemy import text

            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS migration_check CASCADE"))
            db.engine.dispose()
    assert drop_everything  # the helper stays importable for other tests
