"""Sessions that end, passwords people cannot guess, limits that see the real client."""

import re
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
import redis
import yaml
from flask import Flask, g
from sqlalchemy import func, select

from maturity import create_app
from maturity.auth.passwords import common_passwords, password_problem
from maturity.config import ROOT
from maturity.extensions import db, limiter
from maturity.models import User, UserSession
from tests.conftest import PASSWORD, make_app
from tests.support.services import redis_answers


class Fresh:
    """A test client whose every request loads the user afresh, as a real server does.

    The tests run inside one application context, and Flask-Login caches the current user on
    `g` there: without this, one browser's sign-in would be seen by the next browser's request.
    """

    def __init__(self, client):
        self.client = client

    def __getattr__(self, name):
        attribute = getattr(self.client, name)
        if name in ("get", "post"):
            def request(*args, **kwargs):
                g.pop("_login_user", None)
                return attribute(*args, **kwargs)
            return request
        return attribute


def _browser(app):
    return Fresh(app.test_client())


def _sign_in(client, user, remember=False, **kwargs):
    data = {"email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/sign-in", data=data, **kwargs)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response


def _cookie(client, name):
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def test_a_copied_session_cookie_stops_working_after_sign_out(app, make_user):
    user = make_user()
    client = _browser(app)
    _sign_in(client, user)
    copied = _cookie(client, "session")
    assert client.get("/profile").status_code == 200
    client.post("/sign-out")

    thief = _browser(app)
    thief.set_cookie("session", copied)
    response = thief.get("/profile")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_remember_cookie_is_revoked_by_sign_out_and_is_short_lived(app, make_user):
    user = make_user()
    browser = _browser(app)
    response = _sign_in(browser, user, remember=True)
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
    assert "SameSite=Lax" in header and "HttpOnly" in header
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=30)
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", header).group(1))
    assert timedelta(days=29, hours=23) < expires - datetime.now(UTC) <= timedelta(days=30)
    remembered = _cookie(browser, "remember_token")

    # The remember cookie alone signs the browser back in while the sign-in lasts...
    returning = _browser(app)
    returning.set_cookie("remember_token", remembered)
    assert returning.get("/profile").status_code == 200
    # ...and is replaced on that use, so the old copy is worth nothing afterwards.
    rotated = _cookie(returning, "remember_token")
    assert rotated and rotated != remembered
    stale = _browser(app)
    stale.set_cookie("remember_token", remembered)
    assert stale.get("/profile").status_code == 302

    returning.post("/sign-out")
    replay = _browser(app)
    replay.set_cookie("remember_token", rotated)
    assert replay.get("/profile").status_code == 302


def test_remember_cookie_is_secure_under_secure_cookies(schema, tmp_path, make_user):
    secure = make_app(schema, UPLOAD_FOLDER=str(tmp_path), REMEMBER_COOKIE_SECURE=True, SESSION_COOKIE_SECURE=True)
    user = make_user()
    with secure.app_context():
        response = _sign_in(_browser(secure), user, remember=True, base_url="https://localhost")
        header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
        assert "Secure" in header and "SameSite=Lax" in header


def test_secure_cookies_setting_makes_both_cookies_secure():
    probe = "from maturity.config import Config as C; print(C.SESSION_COOKIE_SECURE, C.REMEMBER_COOKIE_SECURE, C.REMEMBER_COOKIE_SAMESITE)"
    for setting, expected in (("1", "True True Lax"), ("0", "False False Lax")):
        out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60,
                             env={"PATH": "/usr/bin:/bin", "SECURE_COOKIES": setting})
        assert out.stdout.split("\n")[0] == expected, out.stderr


def test_sign_out_everywhere_ends_other_sessions_but_not_this_one(app, make_user):
    user = make_user()
    laptop, phone = _browser(app), _browser(app)
    _sign_in(laptop, user)
    _sign_in(phone, user, remember=True)
    page = laptop.get("/profile").get_data(as_text=True)
    assert "Sign out everywhere else" in page and "Change your password" in page
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "the profile page's forms share element ids"
    response = laptop.post("/profile/sign-out-everywhere", follow_redirects=True)
    assert "Signed out on 1 other device" in response.get_data(as_text=True)
    assert laptop.get("/profile").status_code == 200
    assert phone.get("/profile").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)) == 1


def test_sign_ins_run_out_and_are_cleared_away(app, make_user):
    from maturity.models.base import utcnow

    user = make_user()
    browser, kept = _browser(app), _browser(app)
    _sign_in(browser, user)
    _sign_in(kept, user, remember=True)
    rows = {row.remembered: row for row in db.session.scalars(select(UserSession).where(UserSession.user_id == user.id))}
    rows[False].created_at = utcnow() - timedelta(hours=13)  # past a plain sign-in's 12 hours
    rows[True].created_at = utcnow() - timedelta(days=29)  # still inside "keep me signed in"
    db.session.commit()
    assert browser.get("/profile").status_code == 302
    assert kept.get("/profile").status_code == 200
    # The next sign-in deletes what has run out, and nothing else.
    _sign_in(_browser(app), user)
    left = db.session.scalars(select(UserSession.remembered).where(UserSession.user_id == user.id)).all()
    assert sorted(left) == [False, True]


def test_deactivated_account_is_signed_out_at_once_and_for_good(app, make_user):
    user = make_user()
    browser = _browser(app)
    _sign_in(browser, user, remember=True)
    db.session.get(User, user.id).is_active_account = False
    db.session.commit()
    assert browser.get("/profile").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)) == 0
    # Made active again, the account does not get its old sessions back.
    db.session.get(User, user.id).is_active_account = True
    db.session.commit()
    assert browser.get("/profile").status_code == 302


def test_unknown_email_costs_a_password_check_too(app, make_user, monkeypatch):
    from maturity.auth import sessions

    checked = []
    real = sessions.check_password_hash
    monkeypatch.setattr(sessions, "check_password_hash", lambda h, p: checked.append(h) or real(h, p))
    _browser(app).post("/sign-in", data={"email": "nobody@example.org", "password": "a-wrong-password"})
    assert len(checked) == 1
    # The dummy hash costs what a real one does: same method and work factor.
    user = make_user()
    assert checked[0].split("$")[0] == user.password_hash.split("$")[0]


@pytest.mark.parametrize("weak", ["aaaaaaaaaaaa", "password12", "password1234", "Password1234!", "qwertyuiop12", "123456789012", "qwertyuiopas", "ann other at home"])
def test_new_user_form_refuses_weak_passwords(client, login, make_user, weak):
    login(make_user(admin=True))
    response = client.post("/admin/users/new", data={"name": "Ann Other", "email": "ann@example.org", "password": weak})
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert db.session.scalar(select(User).where(User.email == "ann@example.org")) is None


def test_the_rule_refuses_common_passwords_but_sets_no_composition_rules():
    assert len(common_passwords()) >= 10000  # the list shipped with the app is read
    assert "common password" in password_problem("iloveyou1234")
    assert "common password" in password_problem("Sunshine2024!")
    for fine in ("plum orchard lantern", "ALLCAPSNODIGITSHERE", "just lower case words", "x7$kq!m2p#zr"):
        assert password_problem(fine) is None, fine
    assert password_problem("é" * 3 + "plum orchard lantern" * 9) is None  # long ones too


def test_demo_and_test_passwords_meet_the_rule():
    demo = yaml.safe_load((ROOT / "seed" / "demo" / "areas.yaml").read_text())
    for user in demo["users"]:
        assert password_problem(demo["password"], user["email"], user["name"]) is None
    assert password_problem(PASSWORD, "someone@example.org", "Some One") is None


def test_users_create_refuses_a_common_password(runner):
    result = runner.invoke(args=["users", "create", "--email", "c@example.org", "--name", "C", "--password", "password1234"])
    assert result.exit_code != 0 and "common password" in result.output
    assert db.session.scalar(select(User).where(User.email == "c@example.org")) is None


def test_change_password_needs_the_current_one_and_signs_out_elsewhere(app, make_user):
    user = make_user()
    here, elsewhere = _browser(app), _browser(app)
    _sign_in(here, user)
    _sign_in(elsewhere, user)

    wrong = here.post("/profile/password", data={"current_password": "not-my-password", "new_password": "plum orchard lantern", "confirm_password": "plum orchard lantern"})
    assert wrong.status_code == 400 and "Your current password is not right" in wrong.get_data(as_text=True)
    weak = here.post("/profile/password", data={"current_password": PASSWORD, "new_password": "password1234", "confirm_password": "password1234"})
    assert weak.status_code == 400 and "common password" in weak.get_data(as_text=True)

    done = here.post("/profile/password", data={"current_password": PASSWORD, "new_password": "plum orchard lantern", "confirm_password": "plum orchard lantern"}, follow_redirects=True)
    assert "Password changed. You have been signed out on 1 other device." in done.get_data(as_text=True)
    assert here.get("/profile").status_code == 200
    assert elsewhere.get("/profile").status_code == 302
    assert db.session.get(User, user.id).check_password("plum orchard lantern")

    # A long passphrase is fine too (no upper limit short of 200 characters).
    long_one = "plum orchard lantern under a quiet harbour moon " * 3
    done = here.post("/profile/password", data={"current_password": "plum orchard lantern", "new_password": long_one, "confirm_password": long_one})
    assert done.status_code == 302


# --- Production settings --------------------------------------------------------------------


def test_refuses_to_start_without_a_real_secret_key(monkeypatch):
    for unsafe in (None, "dev-only-not-secret", "short"):
        config = {"TESTING": False, "DEBUG": False, "SECRET_KEY": unsafe, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            create_app(config)
    app = create_app({"TESTING": False, "SECRET_KEY": "x" * 32, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert isinstance(app, Flask)


def _limited(schema, tmp_path, **overrides) -> Flask:
    app = make_app(schema, UPLOAD_FOLDER=str(tmp_path), RATELIMIT_ENABLED=True, **overrides)
    limiter.reset()
    return app


def test_one_persons_wrong_passwords_do_not_lock_out_their_office(schema, tmp_path, make_user):
    user = make_user()
    office = _limited(schema, tmp_path)
    try:
        with office.app_context():
            careless = _browser(office)
            codes = [careless.post("/sign-in", data={"email": "careless@example.org", "password": "wrong-password"}).status_code for _ in range(11)]
            assert codes[-1] == 429
            # Same address (the test client's), another person: signs in at once.
            assert _browser(office).post("/sign-in", data={"email": user.email, "password": PASSWORD}).status_code == 302
    finally:
        limiter.reset()


def test_guessing_the_current_password_on_the_profile_page_is_limited(schema, tmp_path, make_user):
    user = make_user()
    app = _limited(schema, tmp_path)
    try:
        with app.app_context():
            stolen_session = _browser(app)
            _sign_in(stolen_session, user)
            guess = {"current_password": "a-guess-at-it", "new_password": "plum orchard lantern", "confirm_password": "plum orchard lantern"}
            codes = [stolen_session.post("/profile/password", data=guess).status_code for _ in range(11)]
            assert codes == [400] * 10 + [429]
    finally:
        limiter.reset()


def test_behind_a_trusted_proxy_limits_see_the_real_client(schema, tmp_path, make_user):
    user = make_user()
    for hops, other_client_blocked in ((1, False), (0, True)):
        app = _limited(schema, tmp_path, TRUSTED_PROXIES=hops)
        try:
            with app.app_context():
                browser = _browser(app)
                for n in range(61):  # a guesser trying many emails from one real address
                    last = browser.post("/sign-in", data={"email": f"guess{n}@example.org", "password": "nope-nope-nope"}, headers={"X-Forwarded-For": "203.0.113.9"})
                assert last.status_code == 429
                other = _browser(app).post("/sign-in", data={"email": user.email, "password": PASSWORD}, headers={"X-Forwarded-For": "198.51.100.4"})
                assert (other.status_code == 429) is other_client_blocked
        finally:
            limiter.reset()


def test_every_route_that_reveals_a_code_counts_toward_the_join_limit(schema, tmp_path, app, make_workshop):
    workshop = make_workshop()
    limited = _limited(schema, tmp_path)
    try:
        with limited.app_context():
            prober = _browser(limited)
            probes = [f"/join/ZZZZ-ZZZ{n}/vote" for n in range(2, 9)] + [f"/live/join/ZZZZ-ZZY{n}/state" for n in range(2, 9)] + [f"/join/ZZZZ-ZZX{n}" for n in range(2, 8)]
            assert [prober.get(url).status_code for url in probes] == [404] * 20
            # Now over the limit: a real code gives the same 429 as any other, on every route.
            for url in (f"/join/{workshop.join_code}/vote", f"/live/join/{workshop.join_code}/state", f"/join/{workshop.join_code}"):
                assert prober.get(url).status_code == 429
            assert prober.post("/join", data={"code": workshop.join_code}).status_code == 429
            # Another phone in the room, same address, joins and follows the workshop.
            phone = _browser(limited)
            assert phone.post(f"/join/{workshop.join_code}").status_code == 302
            assert phone.get(f"/live/join/{workshop.join_code}/state").status_code == 200
    finally:
        limiter.reset()


def test_polls_of_a_joined_phone_never_touch_the_join_limit(schema, tmp_path, app, make_workshop):
    workshop = make_workshop()
    limited = _limited(schema, tmp_path)
    try:
        with limited.app_context():
            phone = _browser(limited)
            assert phone.post(f"/join/{workshop.join_code}").status_code == 302
            for n in range(20):  # the same browser mistypes another code many times
                phone.post("/join", data={"code": f"ZZZZ-ZZW{n % 7 + 2}"})
            assert phone.post("/join", data={"code": "ZZZZ-ZZW2"}).status_code == 429
            # Its own workshop still answers: it holds that workshop's token.
            assert all(phone.get(f"/live/join/{workshop.join_code}/state").status_code == 200 for _ in range(5))
    finally:
        limiter.reset()


@pytest.mark.skipif(not redis_answers(), reason="Redis does not answer on 127.0.0.1:6379")
def test_with_redis_two_app_instances_count_against_one_limit(schema, tmp_path):
    """Two instances of the app (as two worker processes would be) share the sign-in limit.
    With the in-memory storage the second would start counting again from nothing."""
    run = uuid.uuid4().hex  # this run's own email and address: nothing left in Redis counts
    address = f"198.51.{int(run[:2], 16)}.{int(run[2:4], 16)}"
    settings = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/13", "TRUSTED_PROXIES": 1}
    wrong = {"email": f"someone-{run}@example.org", "password": "not-the-password"}
    statuses = []
    try:
        for attempts in (6, 5):
            instance = make_app(schema, UPLOAD_FOLDER=str(tmp_path), **settings)
            with instance.app_context():
                browser = _browser(instance)
                statuses += [browser.post("/sign-in", data=wrong, headers={"X-Forwarded-For": address}).status_code for _ in range(attempts)]
        assert statuses == [200] * 10 + [429]
    finally:
        store = redis.Redis.from_url(settings["RATELIMIT_STORAGE_URI"])
        keys = [key for pattern in (f"*{run}*", f"*/{address}/*") for key in store.scan_iter(pattern)]
        if keys:
            store.delete(*keys)
        store.close()
