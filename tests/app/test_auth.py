from maturity.models import User
from tests.conftest import PASSWORD


def test_sign_in_and_out(client, make_user):
    user = make_user()
    response = client.post("/sign-in", data={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert user.name in home.get_data(as_text=True)

    response = client.post("/sign-out", follow_redirects=True)
    assert "You have signed out" in response.get_data(as_text=True)
    assert client.get("/areas/").status_code == 302  # back to sign-in


def test_wrong_password_shows_error_summary(client, make_user):
    user = make_user()
    response = client.post("/sign-in", data={"email": user.email, "password": "not-the-password"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Enter a correct email address and password" in page
    assert "<title>Error: Sign in" in page


def test_unknown_email_gets_the_same_message(client):
    response = client.post("/sign-in", data={"email": "nobody@example.org", "password": "whatever-it-is"})
    assert "Enter a correct email address and password" in response.get_data(as_text=True)


def test_empty_form_names_each_field(client):
    page = client.post("/sign-in", data={}).get_data(as_text=True)
    assert "Enter your email address" in page
    assert "Enter your password" in page


def test_inactive_account_cannot_sign_in(client, make_user, app):
    from maturity.extensions import db

    user = make_user()
    user.is_active_account = False
    db.session.commit()
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.get_data(as_text=True)


def test_next_only_follows_local_paths(client, make_user):
    user = make_user()
    response = client.post("/sign-in?next=https://evil.example/steal", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"
    client.post("/sign-out")
    response = client.post("/sign-in?next=/areas/", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/areas/"


def test_passwords_are_hashed(app, make_user):
    user = make_user()
    stored = app.extensions["sqlalchemy"].session.get(User, user.id).password_hash
    assert PASSWORD not in stored
    assert stored.startswith(("scrypt:", "pbkdf2:"))
