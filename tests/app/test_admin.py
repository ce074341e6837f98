from sqlalchemy import select

from maturity.extensions import db
from maturity.models import Area, Membership, Organisation, User


def test_admin_creates_area_organisation_and_user(client, login, make_user):
    login(make_user(admin=True))
    response = client.post("/admin/areas/new", data={"name": "Hartlepool", "kind": "unitary", "region": "North East", "parent_id": ""})
    assert response.status_code == 302
    area = db.session.scalar(select(Area).where(Area.name == "Hartlepool"))
    assert area.kind == "unitary" and area.region == "North East"

    response = client.post(f"/admin/areas/{area.id}/organisations/new", data={"name": "Cleveland Police", "org_type": "police"})
    assert response.status_code == 302
    assert db.session.scalar(select(Organisation).where(Organisation.name == "Cleveland Police")).area_id == area.id

    response = client.post(
        "/admin/users/new",
        data={"name": "Ben Harper", "email": "ben@example.org", "password": "a-long-password", "area_id": str(area.id), "role": "coordinator"},
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "ben@example.org"))
    membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    assert membership.role == "coordinator" and membership.area_id == area.id


def test_bad_area_input_is_explained_and_nothing_saved(client, login, make_user, make_area):
    make_area("Leeds", kind="metropolitan")
    login(make_user(admin=True))
    before = db.session.query(Area).count()
    page = client.post("/admin/areas/new", data={"name": "leeds", "kind": "not-a-kind"}).get_data(as_text=True)
    assert "An area with that name already exists" in page
    assert "Not a valid choice" in page
    assert db.session.query(Area).count() == before


def test_duplicate_email_and_short_password_refused(client, login, make_user):
    admin = make_user(admin=True)
    login(admin)
    page = client.post("/admin/users/new", data={"name": "X", "email": admin.email, "password": "short"}).get_data(as_text=True)
    assert "An account with that email address already exists" in page
    assert "Password must be at least 12 characters" in page


def test_hostile_text_is_escaped(client, login, make_user):
    login(make_user(admin=True))
    client.post("/admin/areas/new", data={"name": "<script>alert(1)</script>", "kind": "county"})
    page = client.get("/admin/areas").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
