"""Area scoping: one area's people cannot see or change another area's pages."""

import pytest

from maturity.access import can
from maturity.models import Area


@pytest.fixture
def two_areas(make_area, make_user):
    hampshire = make_area("Hampshire")
    tameside = make_area("Tameside", kind="metropolitan")
    coordinator = make_user("coordinator", hampshire)
    return hampshire, tameside, coordinator


def test_coordinator_sees_own_area(client, login, two_areas):
    hampshire, tameside, coordinator = two_areas
    login(coordinator)
    page = client.get(f"/areas/{hampshire.id}")
    assert page.status_code == 200
    assert "Hampshire Police" in page.get_data(as_text=True)


def test_coordinator_gets_404_for_another_area(client, login, two_areas):
    hampshire, tameside, coordinator = two_areas
    login(coordinator)
    response = client.get(f"/areas/{tameside.id}")
    assert response.status_code == 404
    assert "Tameside" not in response.get_data(as_text=True)


def test_area_list_shows_only_own_areas(client, login, two_areas):
    hampshire, tameside, coordinator = two_areas
    login(coordinator)
    page = client.get("/areas/").get_data(as_text=True)
    assert "Hampshire" in page
    assert "Tameside" not in page


def test_national_team_sees_every_area(client, login, two_areas, make_user):
    hampshire, tameside, _ = two_areas
    login(make_user(admin=True))
    assert client.get(f"/areas/{tameside.id}").status_code == 200
    page = client.get("/areas/").get_data(as_text=True)
    assert "Hampshire" in page and "Tameside" in page


def test_missing_area_is_404(client, login, two_areas):
    login(two_areas[2])
    assert client.get("/areas/999999").status_code == 404


def test_admin_pages_refuse_coordinators(client, login, two_areas):
    login(two_areas[2])
    for path in ("/admin/", "/admin/areas", "/admin/users", "/admin/areas/new"):
        assert client.get(path).status_code == 403, path


def test_signed_out_users_are_sent_to_sign_in(client, two_areas):
    response = client.get(f"/areas/{two_areas[0].id}")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize(
    ("role", "need", "allowed"),
    [
        ("coordinator", "view", True),
        ("coordinator", "manage", True),
        ("contributor", "contribute", True),
        ("contributor", "manage", False),
        ("reviewer", "view", True),
        ("reviewer", "contribute", False),
    ],
)
def test_roles_grant_needs(app, make_area, make_user, role, need, allowed):
    area = make_area()
    other = make_area()
    user = make_user(role, area)
    assert can(user, need, area) is allowed
    assert can(user, need, other) is False
    assert isinstance(area, Area)
