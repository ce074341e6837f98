"""Security headers, CSRF on every POST, login rate limits, a friendly 503 without a database."""

import re

import pytest
from sqlalchemy.exc import OperationalError
from werkzeug.routing import IntegerConverter

from tests.conftest import PASSWORD, make_app


def fill(rule) -> str:
    """A URL for a rule with every argument filled by a harmless placeholder."""
    values = {}
    for name, converter in rule._converters.items():
        values[name] = 1 if isinstance(converter, IntegerConverter) else "x"
    return rule.build(values)[1]


def test_security_headers_on_pages(client):
    response = client.get("/sign-in")
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp
    assert "object-src 'none'" in csp
    assert re.search(r"script-src 'self' 'nonce-[\w-]+'", csp)
    assert "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cache-Control"] == "no-store"


def test_csp_allows_only_the_pinned_cdn_host(schema, tmp_path):
    app = make_app(schema, UPLOAD_FOLDER=str(tmp_path), ASSET_SOURCE="cdn")
    response = app.test_client().get("/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "https://cdn.jsdelivr.net" in csp
    hosts = set(re.findall(r"https://[^\s;]+", csp))
    assert hosts == {"https://cdn.jsdelivr.net"}
    page = response.get_data(as_text=True)
    assert 'integrity="sha384-' in page


def test_secure_cookies_and_hsts_over_https(schema, tmp_path, make_user, app):
    user = make_user()
    secure_app = make_app(schema, UPLOAD_FOLDER=str(tmp_path), SESSION_COOKIE_SECURE=True)
    client = secure_app.test_client()
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD}, base_url="https://localhost")
    assert response.status_code == 302
    cookie = response.headers.get("Set-Cookie", "")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


def test_every_post_route_refuses_a_missing_csrf_token(schema, tmp_path):
    app = make_app(schema, UPLOAD_FOLDER=str(tmp_path), WTF_CSRF_ENABLED=True)
    client = app.test_client()
    checked = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint.startswith("api."):
            continue
        url = fill(rule)
        response = client.post(url, data={"anything": "1"})
        assert response.status_code == 400, (rule.rule, response.status_code)
        body = response.get_data(as_text=True)
        assert "nothing was saved" in body or "CSRF" in body or "expired" in body, rule.rule
        checked.append(rule.rule)
    assert "/sign-in" in checked and "/sign-out" in checked


def test_login_is_rate_limited(schema, tmp_path):
    app = make_app(schema, UPLOAD_FOLDER=str(tmp_path), RATELIMIT_ENABLED=True)
    client = app.test_client()
    answers = [
        client.post("/sign-in", data={"email": "nobody@example.org", "password": "wrong-password"})
        for _ in range(12)
    ]
    codes = [a.status_code for a in answers]
    assert codes[:10] == [200] * 10
    assert codes[-1] == 429
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 61
    page = client.post("/sign-in", data={"email": "nobody@example.org", "password": "y"}).get_data(as_text=True)
    assert "Too many attempts" in page


def test_database_unavailable_gives_friendly_503(client, make_user, login, monkeypatch):
    user = make_user()
    login(user)
    from maturity.areas import queries

    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("could not connect to server"))

    monkeypatch.setattr(queries, "visible_area_ids", broken)
    response = client.get("/areas/")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "cannot reach its database" in page
    assert "Traceback" not in page and "could not connect" not in page


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_api_paths_answer_json_errors(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.is_json and response.get_json()["status"] == 404


@pytest.mark.parametrize(
    "text",
    ["<img src=x onerror=alert(1)>", "\"'><script>alert('x')</script>", "Ünïcödé – 東京 🚀 \u202e", "x" * 120],
)
def test_hostile_area_names_round_trip_escaped(client, login, make_user, text):
    from maturity.extensions import db
    from maturity.models import Area

    login(make_user(admin=True))
    response = client.post("/admin/areas/new", data={"name": text, "kind": "county"})
    assert response.status_code == 302
    page = client.get("/admin/areas").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    stored = db.session.query(Area).filter_by(name=text.strip()).one_or_none()
    if len(text) <= 120:
        assert stored is not None and stored.name == text.strip()
