from pathlib import Path

import yaml
from sqlalchemy import func, select

from maturity.extensions import db
from maturity.models import Area, Feature, FrameworkVersion, Membership, Organisation, User

FRAMEWORK = Path(__file__).resolve().parents[2] / "seed" / "framework" / "early-help-2016.yaml"


def test_framework_load_is_idempotent(runner):
    result = runner.invoke(args=["framework", "load", str(FRAMEWORK)])
    assert result.exit_code == 0, result.output
    assert "already loaded and unchanged" in result.output
    assert db.session.scalar(select(func.count()).select_from(FrameworkVersion).where(FrameworkVersion.key == "early-help-2016")) == 1


def test_second_version_sits_beside_the_first(runner, tmp_path):
    data = yaml.safe_load(FRAMEWORK.read_text())
    data["version"] = "2026-local"
    data["strands"][0]["purpose"] = "A locally adapted purpose."
    path = tmp_path / "local.yaml"
    path.write_text(yaml.safe_dump(data))
    result = runner.invoke(args=["framework", "load", str(path)])
    assert result.exit_code == 0, result.output
    assert "Loaded early-help-2016 version 2026-local: 6 strands" in result.output
    versions = list(db.session.scalars(select(FrameworkVersion).where(FrameworkVersion.key == "early-help-2016")))
    assert {v.version for v in versions} >= {"2016", "2026-local"}
    local = next(v for v in versions if v.version == "2026-local")
    assert local.strands[0].purpose == "A locally adapted purpose."
    # each version keeps its own features
    counts = {
        v.version: db.session.scalar(select(func.count()).select_from(Feature).where(Feature.framework_id == v.id))
        for v in versions
    }
    assert counts["2016"] == counts["2026-local"] > 0
    db.session.delete(local)
    db.session.commit()


def test_updating_a_version_keeps_feature_ids(runner, tmp_path, framework):
    data = yaml.safe_load(FRAMEWORK.read_text())
    data["version"] = "update-test"
    path = tmp_path / "v.yaml"
    path.write_text(yaml.safe_dump(data))
    assert runner.invoke(args=["framework", "load", str(path)]).exit_code == 0
    fw = db.session.scalar(select(FrameworkVersion).where(FrameworkVersion.version == "update-test"))
    first_key = data["strands"][1]["elements"][0]["stages"]["developing"]["features"][0]["key"]
    before = db.session.scalar(select(Feature).where(Feature.framework_id == fw.id, Feature.key == first_key))
    before_id = before.id
    data["strands"][1]["elements"][0]["stages"]["developing"]["features"][0]["text"] = "Reworded feature."
    path.write_text(yaml.safe_dump(data))
    result = runner.invoke(args=["framework", "load", str(path)])
    assert "Updated early-help-2016 version update-test" in result.output
    db.session.expire_all()
    after = db.session.scalar(select(Feature).where(Feature.framework_id == fw.id, Feature.key == first_key))
    assert after.id == before_id and after.text == "Reworded feature."
    db.session.delete(db.session.get(FrameworkVersion, fw.id))
    db.session.commit()


def test_bad_framework_file_is_refused_and_database_unchanged(runner, tmp_path):
    data = yaml.safe_load(FRAMEWORK.read_text())
    data["version"] = "broken"
    del data["strands"][2]["elements"][0]["stages"]["maturing"]
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data))
    before = db.session.scalar(select(func.count()).select_from(FrameworkVersion))
    result = runner.invoke(args=["framework", "load", str(path)])
    assert result.exit_code != 0
    assert "broken.yaml" in result.output
    assert "strands[2].elements[0].stages" in result.output
    assert db.session.scalar(select(func.count()).select_from(FrameworkVersion)) == before


def test_users_create_first_admin(runner):
    result = runner.invoke(args=["users", "create", "--email", "First@Example.org", "--name", "First Admin", "--password", "a-long-password", "--admin"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "first@example.org"))
    assert user.is_admin and user.check_password("a-long-password")


def test_users_create_refuses_bad_input(runner, make_area):
    make_area("Norfolk")
    short = runner.invoke(args=["users", "create", "--email", "a@example.org", "--name", "A", "--password", "short"])
    assert short.exit_code != 0 and "at least 12 characters" in short.output
    no_area = runner.invoke(args=["users", "create", "--email", "b@example.org", "--name", "B", "--password", "a-long-password", "--area", "Atlantis", "--role", "coordinator"])
    assert no_area.exit_code != 0 and "no area called 'Atlantis'" in no_area.output
    assert db.session.scalar(select(User).where(User.email == "b@example.org")) is None
    ok = runner.invoke(args=["users", "create", "--email", "c@example.org", "--name", "C", "--password", "a-long-password", "--area", "norfolk", "--role", "contributor"])
    assert ok.exit_code == 0, ok.output


def test_seed_demo_is_idempotent(runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    counts = [db.session.scalar(select(func.count()).select_from(m)) for m in (Area, Organisation, User, Membership)]
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert [db.session.scalar(select(func.count()).select_from(m)) for m in (Area, Organisation, User, Membership)] == counts
    hampshire = db.session.scalar(select(Area).where(Area.name == "Hampshire"))
    assert hampshire is not None and len(hampshire.organisations) >= 8
    tamworth = db.session.scalar(select(Area).where(Area.name == "Tamworth"))
    assert tamworth.parent.name == "Staffordshire"
    for name in ("Cheshire West and Chester", "Bath and North East Somerset", "Leicestershire", "Norfolk", "Leeds", "Tameside", "Hartlepool", "Newcastle-under-Lyme"):
        assert db.session.scalar(select(Area).where(Area.name == name)) is not None, name
    roles = {m.role for m in db.session.scalars(select(Membership))}
    assert roles == {"coordinator", "contributor", "reviewer"}
    assert db.session.scalar(select(User).where(User.is_admin)) is not None


def test_bootstrap_prints_demo_logins(runner):
    result = runner.invoke(args=["bootstrap"])
    assert result.exit_code == 0, result.output
    assert "coordinator@hampshire.example.org" in result.output
    assert "password for all" in result.output


def test_reloading_the_tagged_file_over_an_untagged_one_keeps_ids_and_adds_the_split_features(
    runner, tmp_path
):
    """A database loaded before features had kinds: the reload tags them, keeps every feature's
    id (so evidence stays linked) and adds the features split off mixed ones."""
    new = yaml.safe_load(FRAMEWORK.read_text())
    new["version"] = "kinds-test"
    split_off = {"lead-pc-dev-4", "lead-pc-mat-4", "cul-dev-7", "wf-fv-dev-5"}
    old = yaml.safe_load(yaml.safe_dump(new))
    for strand in old["strands"]:
        strand.pop("label", None)
        for element in strand["elements"]:
            element.pop("label", None)
            for descriptor in element["stages"].values():
                descriptor["features"] = [
                    {"key": f["key"], "text": f["text"]}
                    for f in descriptor["features"]
                    if f["key"] not in split_off
                ]
    path = tmp_path / "kinds.yaml"
    path.write_text(yaml.safe_dump(old))
    assert runner.invoke(args=["framework", "load", str(path)]).exit_code == 0
    fw = db.session.scalar(select(FrameworkVersion).where(FrameworkVersion.version == "kinds-test"))
    ids_before = dict(db.session.execute(select(Feature.key, Feature.id).where(Feature.framework_id == fw.id)).all())
    assert len(ids_before) == 208
    assert {k for k, in db.session.execute(select(Feature.kind).where(Feature.framework_id == fw.id))} == {"achievement"}

    path.write_text(yaml.safe_dump(new))
    result = runner.invoke(args=["framework", "load", str(path)])
    assert "Updated early-help-2016 version kinds-test" in result.output, result.output
    db.session.expire_all()
    rows = {f.key: f for f in db.session.scalars(select(Feature).where(Feature.framework_id == fw.id))}
    assert set(rows) == set(ids_before) | split_off
    assert all(rows[key].id == feature_id for key, feature_id in ids_before.items())
    assert rows["fe-dev-4"].kind == "limitation" and rows["fe-dev-1"].kind == "achievement"
    assert all(rows[key].kind == "limitation" for key in split_off)
    strands = {s.key: s for s in db.session.get(FrameworkVersion, fw.id).strands}
    assert strands["leadership"].label == "Partnership working and governance"
    db.session.delete(db.session.get(FrameworkVersion, fw.id))
    db.session.commit()
