"""Personal API tokens: made on the profile page, shown once, stored as a hash, revocable."""

import hashlib
import re

import pytest
from sqlalchemy import select

from maturity.auth import tokens
from maturity.extensions import db
from maturity.models import ApiToken


@pytest.fixture
def member(make_area, make_user):
    area = make_area("Hampshire")
    return make_user("coordinator", area)


def create_via_profile(client, name="Power BI dashboard") -> str:
    response = client.post("/profile/api-tokens", data={"name": name})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    found = re.search(r'<code class="app-token" id="new-token">([^<]+)</code>', page)
    assert found, page[-3000:]
    return found.group(1)


def test_token_is_shown_once_and_only_its_hash_is_kept(client, login, member):
    login(member)
    assert "API tokens" in client.get("/profile").get_data(as_text=True)
    value = create_via_profile(client)
    token = db.session.scalar(select(ApiToken))
    assert token.user_id == member.id and token.name == "Power BI dashboard"
    assert token.token_hash == hashlib.sha256(value.encode()).hexdigest()
    assert value.startswith(token.prefix) and len(token.prefix) == tokens.PREFIX_LENGTH
    assert value not in {token.token_hash, token.prefix, token.name}
    again = client.get("/profile").get_data(as_text=True)
    assert value not in again
    assert token.prefix in again and "Never" in again


def test_token_name_is_required(client, login, member):
    login(member)
    response = client.post("/profile/api-tokens", data={"name": "  "})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and "Enter a name for the token" in page
    assert db.session.scalar(select(ApiToken)) is None


def test_token_works_until_revoked(client, login, member):
    login(member)
    value = create_via_profile(client)
    headers = {"Authorization": f"Bearer {value}"}
    assert client.get("/api/v1/areas", headers=headers).status_code == 200
    token = db.session.scalar(select(ApiToken))
    assert token.last_used_at is not None
    response = client.post(f"/profile/api-tokens/{token.id}/revoke")
    assert response.status_code == 302
    db.session.refresh(token)
    assert token.revoked_at is not None
    refused = client.get("/api/v1/areas", headers=headers)
    assert refused.status_code == 401
    assert refused.get_json()["message"] == "The API token is not valid or has been revoked."
    assert "Revoked" in client.get("/profile").get_data(as_text=True)


def test_cannot_revoke_someone_elses_token(client, login, member, make_user):
    other = make_user()
    token, _ = tokens.create_token(other, "theirs")
    db.session.commit()
    login(member)
    assert client.post(f"/profile/api-tokens/{token.id}/revoke").status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc", "Bearer not-a-token", "Bearer " + "x" * 300],
)
def test_missing_or_bad_token_is_401_json(client, member, header):
    headers = {"Authorization": header} if header is not None else {}
    for url in ("/api/v1/areas", "/api/v1/assessments/1"):
        response = client.get(url, headers=headers)
        assert response.status_code == 401
        assert response.is_json
        body = response.get_json()
        assert body["status"] == 401 and body["error"] == "Unauthorized" and body["message"]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "Set-Cookie" not in response.headers


def test_deactivated_users_tokens_stop_working(client, member):
    token, value = tokens.create_token(member, "x")
    member.is_active_account = False
    db.session.commit()
    assert client.get("/api/v1/areas", headers={"Authorization": f"Bearer {value}"}).status_code == 401


def test_api_uses_no_session_cookie(client, login, member, make_user, make_area):
    other = make_user("coordinator", make_area("Tameside"))
    _, value = tokens.create_token(other, "x")
    db.session.commit()
    # A browser signed in as `member`: its session alone does not open the API ...
    login(member)
    assert client.get("/api/v1/areas").status_code == 401
    # ... and with a token the API acts as the token's user, not the session's, and sets no cookie.
    response = client.get("/api/v1/areas", headers={"Authorization": f"Bearer {value}"})
    assert [a["name"] for a in response.get_json()["areas"]] == ["Tameside"]
    assert "Set-Cookie" not in response.headers
    fresh = client.application.test_client()
    response = fresh.get("/api/v1/areas", headers={"Authorization": f"Bearer {value}"})
    assert response.status_code == 200 and "Set-Cookie" not in response.headers


def test_api_is_exempt_from_csrf_but_read_only(app, client, member):
    app.config["WTF_CSRF_ENABLED"] = True
    _, value = tokens.create_token(member, "x")
    db.session.commit()
    headers = {"Authorization": f"Bearer {value}"}
    assert client.get("/api/v1/areas", headers=headers).status_code == 200
    response = client.post("/api/v1/areas", headers=headers)
    assert response.status_code == 405 and response.is_json


def test_token_creation_works_with_csrf_on(app, client, member):
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/sign-in", data={"email": member.email, "password": "correct-horse-battery", "csrf_token": token})
    assert client.post("/profile/api-tokens", data={"name": "x"}).status_code == 400
    page = client.get("/profile").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/profile/api-tokens", data={"name": "x", "csrf_token": token}).status_code == 200
    assert db.session.scalar(select(ApiToken)) is not None


def test_api_is_rate_limited(schema, tmp_path, make_user, app):
    from tests.conftest import make_app

    user = make_user()
    _, value = tokens.create_token(user, "x")
    db.session.commit()
    limited = make_app(schema, UPLOAD_FOLDER=str(tmp_path), RATELIMIT_ENABLED=True)
    client = limited.test_client()
    headers = {"Authorization": f"Bearer {value}"}
    codes = [client.get("/api/v1/areas", headers=headers).status_code for _ in range(301)]
    assert codes[:300] == [200] * 300 and codes[300] == 429
    response = client.get("/api/v1/areas", headers=headers)
    assert response.is_json and response.get_json()["status"] == 429
