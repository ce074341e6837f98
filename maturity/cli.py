"""Flask commands: `flask --app app framework load PATH`, `users create`, `seed-demo`, `bootstrap`,
`delete-old-family-answers` (run it daily: deletes families' answers past their retention)."""

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from maturity.core.vocabulary import ROLES
from maturity.extensions import db

framework_cli = AppGroup("framework", help="Load and list versions of the maturity model.")
users_cli = AppGroup("users", help="Manage accounts.")


@framework_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def framework_load(path: str) -> None:
    """Validate a framework file and load it (or update the version it names)."""
    from maturity.core.framework import FrameworkError
    from maturity.framework.operations import load_file

    try:
        result = load_file(path)
    except FrameworkError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    fw = result.framework
    if result.created:
        click.echo(f"Loaded {fw.key} version {fw.version}: {len(fw.strands)} strands.")
    elif result.changed:
        click.echo(f"Updated {fw.key} version {fw.version}.")
    else:
        click.echo(f"{fw.key} version {fw.version} is already loaded and unchanged.")


@framework_cli.command("list")
def framework_list() -> None:
    """List the framework versions in the database."""
    from maturity.models import FrameworkVersion

    for fw in db.session.scalars(select(FrameworkVersion).order_by(FrameworkVersion.id)):
        click.echo(f"{fw.id}\t{fw.key}\t{fw.version}\t{fw.title}")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--admin", is_flag=True, help="National team: sees and manages every area.")
@click.option("--area", "area_name", help="Name of the area for the role.")
@click.option("--role", type=click.Choice(sorted(ROLES)), help="Role in that area.")
def users_create(email: str, name: str, password: str, admin: bool, area_name: str | None, role: str | None) -> None:
    """Create an account, e.g. the first national team admin."""
    from maturity.admin import operations
    from maturity.auth.passwords import password_problem
    from maturity.models import Area

    problem = password_problem(password, email, name)
    if problem:
        raise click.ClickException(problem)
    if bool(area_name) != bool(role):
        raise click.ClickException("Give both --area and --role, or neither.")
    try:
        user = operations.create_user(email, name, password, is_admin=admin)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    if area_name:
        area = db.session.scalar(select(Area).where(func.lower(Area.name) == area_name.lower()))
        if area is None:
            db.session.rollback()
            raise click.ClickException(f"There is no area called {area_name!r}.")
        operations.set_membership(user, area, role)
    db.session.commit()
    click.echo(f"Created {user.email}{' (national team)' if admin else ''}.")


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Load the demo areas, partnerships, users and assessments (safe to run again)."""
    from maturity.demo import seed_demo
    from maturity.framework.operations import latest_framework, load_file

    if latest_framework() is None:
        load_file(current_app.config["FRAMEWORK_FILE"])
    logins = seed_demo()
    click.echo(f"Demo data loaded. {len(logins)} demo accounts.")


@click.command("bootstrap")
def bootstrap_command() -> None:
    """For `make run`: load the framework and demo data when the database is empty, then print logins."""
    from maturity.demo import demo_logins, seed_demo
    from maturity.framework.operations import load_file
    from maturity.models import Area

    load_file(current_app.config["FRAMEWORK_FILE"])
    db.session.commit()
    if db.session.scalar(select(func.count()).select_from(Area)) == 0:
        seed_demo()
        click.echo("Loaded the framework and the demo data.")
    # Families' answers past their retention setting go on every start, as the daily job does.
    from maturity.families.operations import delete_expired_answers
    from maturity.models.base import utcnow

    if deleted := delete_expired_answers(utcnow().date()):
        click.echo(f"Deleted {deleted} families' answers past their retention setting.")
    db.session.commit()
    click.echo("\nDemo sign-ins (password for all: {}):".format(demo_logins()[0]["password"]))
    for login in demo_logins():
        click.echo(f"  {login['email']:<42} {login['who']}")


@click.command("delete-old-family-answers")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Count retention from this day (YYYY-MM-DD) instead of today.")
def delete_old_family_answers_command(today) -> None:
    """Delete families' answers older than their questionnaire's retention setting."""
    from maturity.families.operations import delete_expired_answers
    from maturity.models.base import utcnow

    day = today.date() if today is not None else utcnow().date()
    deleted = delete_expired_answers(day)
    db.session.commit()
    click.echo(f"Deleted {deleted} family answer{'' if deleted == 1 else 's'} past retention.")


def register_cli(app: Flask) -> None:
    app.cli.add_command(framework_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(bootstrap_command)
    app.cli.add_command(delete_old_family_answers_command)
