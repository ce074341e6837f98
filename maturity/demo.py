"""Load the demo data set (seed/demo/*.yaml). Every step is idempotent: run it twice, get one copy."""

from collections.abc import Callable
from pathlib import Path

import yaml
from sqlalchemy import select

from maturity.admin import operations
from maturity.config import ROOT
from maturity.extensions import db
from maturity.models import Area, Organisation, User

DEMO_DIR = ROOT / "seed" / "demo"


def _demo_steps() -> list[Callable[[], None]]:
    """Each capability's demo step, in the order they build on each other."""
    from maturity.assessments import demo as assessments_demo
    from maturity.evidence import demo as evidence_demo
    from maturity.reviews import demo as reviews_demo
    from maturity.workshops import demo as workshops_demo

    return [assessments_demo.seed, evidence_demo.seed, workshops_demo.seed, reviews_demo.seed]


def load_yaml(name: str) -> dict:
    return yaml.safe_load((DEMO_DIR / name).read_text(encoding="utf-8"))


def seed_areas(data: dict) -> dict[str, Area]:
    areas: dict[str, Area] = {a.name: a for a in db.session.scalars(select(Area))}
    for item in data["areas"]:
        area = areas.get(item["name"])
        if area is None:
            area = operations.create_area(item["name"], item["kind"], item.get("region"))
            areas[area.name] = area
        if item.get("parent"):
            area.parent = areas[item["parent"]]
        existing = {o.name for o in area.organisations}
        for name, org_type in item.get("organisations", []):
            if name not in existing:
                operations.add_organisation(area, name, org_type)
    db.session.flush()
    return areas


def seed_users(data: dict, areas: dict[str, Area]) -> None:
    for item in data["users"]:
        user = db.session.scalar(select(User).where(User.email == item["email"]))
        if user is None:
            user = operations.create_user(item["email"], item["name"], data["password"], item.get("admin", False))
        if item.get("area"):
            area = areas[item["area"]]
            organisation = db.session.scalar(
                select(Organisation).where(
                    Organisation.area_id == area.id, Organisation.name == item.get("organisation")
                )
            )
            operations.set_membership(user, area, item["role"], organisation)
    db.session.flush()


def seed_demo() -> list[dict]:
    """Load areas, partners and demo users, then each later step; returns the demo logins."""
    data = load_yaml("areas.yaml")
    areas = seed_areas(data)
    seed_users(data, areas)
    for step in _demo_steps():
        step()
    db.session.commit()
    return [
        {"email": u["email"], "password": data["password"], "who": u["name"]} for u in data["users"]
    ]


def demo_logins() -> list[dict]:
    data = load_yaml("areas.yaml")
    return [{"email": u["email"], "password": data["password"], "who": u["name"]} for u in data["users"]]


def demo_file(name: str) -> Path:
    return DEMO_DIR / name
