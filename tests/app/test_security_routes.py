"""No reading or changing another area by changing an id, on every route of the URL map.

A "world" holds one object of each kind in area A (Zephyrshire): an assessment, evidence with a
file, an action, a workshop with rounds, a participant's vote and a hand count, a peer review by
a third area, an API token. People with no part in A (a coordinator of area B, a reviewer of
the reviewing area who is not named on the review, and a signed-out visitor) then request every
route with an argument, by every method it takes, filled with A's ids; and every route that
takes ids in its query string. Each must answer 401/403/404 (or send the visitor to sign in),
say nothing of A, and change nothing.

A new route is covered automatically. If it has an argument this test does not know how to
fill, the test fails and names it: add it to FILL (and to the world), or to PUBLIC with the
reason it is not area-scoped.
"""

from __future__ import annotations

import io
import re
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import MetaData, select
from werkzeug.routing import IntegerConverter

from maturity.extensions import db, limiter
from tests.conftest import KEEP_TABLES, make_app
from tests.support.files import pdf_bytes

#: Endpoints that are not area-scoped, and why; everything else must refuse outsiders.
PUBLIC = {
    "static": "front-end files",
    "framework.version": "the model is the same for every area",
    "framework.strand": "the model is the same for every area",
    "workshops.join_workshop": "anyone with the join code may take part; the code is the secret",
    "workshops.participate": "anyone with the join code may take part; the code is the secret",
    "live.participant_state_json": "anyone with the join code may take part; the code is the secret",
    "live.vote": "anyone with the join code may take part; the code is the secret",
    "families.answer": "families answer with no account; the questionnaire's random code is the secret",
    "families.thanks": "families answer with no account; the questionnaire's random code is the secret",
    "families.privacy": "families answer with no account; the questionnaire's random code is the secret",
    "families.printable": "families answer with no account; the questionnaire's random code is the secret",
    "surveys.enter_code": "partners answer surveys with no account; the survey's code is the secret",
    "surveys.start": "partners answer surveys with no account; the survey's code is the secret",
    "surveys.person_link": "partners answer surveys with no account; the survey's code is the secret",
    "surveys.question": "partners answer surveys with no account; the survey's code is the secret",
    "surveys.check": "partners answer surveys with no account; the survey's code is the secret",
    "surveys.done": "partners answer surveys with no account; the survey's code is the secret",
    "surveys.saved": "partners answer surveys with no account; the survey's code is the secret",
}

#: Routes that take ids in the query string: endpoint -> the query arguments, filled like FILL.
QUERY_ROUTES = {
    "compare.show": ("a", "b"),
    "compare.export_csv": ("a", "b"),
    "compare.export_xlsx": ("a", "b"),
    "api.compare_assessments": ("a", "b"),
}

#: A form body with something for every form, so a POST that slipped past the access check
#: would get as far as changing something.
POST_DATA = {
    "title": "Changed by an outsider", "description": "Changed by an outsider", "rating": "mature",
    "rationale": "Changed", "decision": "accepted", "reason": "x", "status": "done", "name": "x",
    "kind": "qualitative", "peer_rating": "mature", "position": "agree", "summary": "x",
    "response": "x", "note": "x", "count": "5", "stage": "4", "round_id": "1", "reviewers": "1",
    "self-rating": "mature", "self-rationale": "x", "agreed-rating": "mature", "agreed-rationale": "x",
    "action-description": "x", "action-status": "done", "code": "x", "period_label": "x",
}


def _fill_values(world) -> dict:
    """Every route argument this test knows, filled with area A's objects."""
    a = world.a
    return {
        "area_id": a.area.id,
        "assessment_id": a.assessment.id,
        "evidence_id": a.evidence.id,
        "action_id": a.action.id,
        "workshop_id": a.workshop.id,
        "round_id": a.round.id,
        "tally_id": a.tally.id,
        "review_id": a.review.id,
        "token_id": a.token.id,
        "user_id": a.coordinator.id,
        "membership_id": a.membership.id,
        "questionnaire_id": a.family.id,
        "response_id": a.family_response.id,
        "survey_id": a.survey.id,
        "position": 1,
        "token": a.survey_link,
        # Global things, the same in every area: only the object ids around them are A's.
        "strand_id": a.round.strand_id,
        "strand_key": "leadership",
        "element_key": "local-determination",
        "framework_id": world.framework.id,
        "key": "leadership",
        "code": a.workshop.join_code,
        "filename": "css/app.css",
        # Query-string ids of QUERY_ROUTES: A's assessment with the outsider's own.
        "a": a.assessment.id,
        "b": world.b.assessment.id,
    }


FILL = {
    "area_id", "assessment_id", "evidence_id", "action_id", "workshop_id", "round_id", "tally_id",
    "review_id", "token_id", "user_id", "membership_id", "strand_id", "strand_key", "element_key",
    "framework_id", "key", "code", "filename", "questionnaire_id", "response_id", "survey_id",
    "position", "token",
}
#: Arguments naming an object that belongs to one area (or one person).
SCOPED = {
    "area_id", "assessment_id", "evidence_id", "action_id", "workshop_id", "round_id", "tally_id",
    "review_id", "token_id", "user_id", "membership_id", "questionnaire_id", "response_id",
    "survey_id",
}


def _build_area(name: str, make_area, make_user, make_assessment, framework, upload_folder, people=("coordinator",)):
    from maturity.assessments import operations as assessments
    from maturity.auth import tokens
    from maturity.evidence import operations as evidence
    from maturity.evidence import uploads
    from maturity.families import operations as families
    from maturity.surveys import operations as surveys
    from maturity.workshops import operations as workshops

    area = make_area(name)
    users = {role: make_user(role, area, email=f"{role}@{name.lower()}.example.org") for role in people}
    coordinator = users["coordinator"]
    assessment = make_assessment(area, title=f"{name} secret assessment", user=coordinator)
    leadership = next(s for s in framework.strands if s.key == "leadership")
    feature = leadership.elements[0].features[0]
    checked = uploads.check_upload(io.BytesIO(pdf_bytes()), f"{name} secret file.pdf", uploads.MB)
    item = evidence.add_evidence(
        assessment, coordinator,
        {"title": f"{name} secret evidence", "description": f"{name} secret description", "kind": "qualitative",
         "organisation_id": area.organisations[0].id, "source_type": "Board minutes"},
        [feature], uploads.store(checked, upload_folder),
    )
    assessments.set_self_rating(assessment, leadership, "developing", f"{name} secret rationale", coordinator)
    action = assessments.add_action(assessment, leadership, f"{name} secret action", area.organisations[0], None, coordinator)
    workshop = workshops.create_workshop(assessment, f"{name} secret workshop", [(s, None) for s in framework.strands[:2]], user=coordinator)
    round_ = workshops.open_round(workshop)
    participant = workshops.join(workshop, "police")
    db.session.flush()
    workshops.cast_vote(workshop.id, round_.id, participant.id, 3)
    tally = workshops.add_manual_tally(workshop, round_.id, 2, 4, f"{name} secret tally", coordinator)
    token, token_value = tokens.create_token(coordinator, f"{name} secret token")
    membership = next(m for m in coordinator.memberships if m.area_id == area.id)
    family = families.create_questionnaire(assessment, coordinator)
    families.open_questionnaire(family, coordinator)
    family_response = families.transcribe(family, {"one-worker": "no"}, f"{name} secret family comment")
    survey = surveys.create_survey(assessment, f"{name} secret survey", [(leadership, None)], coordinator, ask_why=True)
    surveys.open_survey(survey)
    survey_link = surveys.add_person_links(survey, 1)[0]
    for stage in (1, 2, 3):
        answered = surveys.start_response(survey, f"{name}-{stage}".ljust(64, "0"), date(2016, 11, 1))
        surveys.save_answer(answered, survey.items[0], stage, f"{name} secret survey reason")
    surveys.close_survey(survey)
    db.session.commit()
    return SimpleNamespace(
        area=area, assessment=assessment, evidence=item, action=action, workshop=workshop, round=round_,
        tally=tally, token=token, token_value=token_value, membership=membership, family=family,
        family_response=family_response, survey=survey, survey_link=survey_link, **users,
    )


@pytest.fixture
def world(app, make_area, make_user, make_assessment, framework):
    from maturity.auth import tokens
    from maturity.reviews import operations as reviews

    upload_folder = app.config["UPLOAD_FOLDER"]
    a = _build_area("Zephyrshire", make_area, make_user, make_assessment, framework, upload_folder)
    b = _build_area("Borealshire", make_area, make_user, make_assessment, framework, upload_folder)
    c = make_area("Championshire")
    named = make_user("reviewer", c, email="named.reviewer@championshire.example.org")
    unnamed = make_user("reviewer", c, email="unnamed.reviewer@championshire.example.org")
    a.review = reviews.request_review(a.assessment, c, [named], a.coordinator, "Zephyrshire secret request note")
    _, unnamed_token = tokens.create_token(unnamed, "Reviewer's token")
    db.session.commit()
    secrets = [
        "Zephyrshire", "Zephyrshire secret assessment", "Zephyrshire secret evidence",
        "Zephyrshire secret description", "Zephyrshire secret rationale", "Zephyrshire secret action",
        "Zephyrshire secret workshop", "Zephyrshire secret tally", "Zephyrshire secret file",
        "Zephyrshire secret request note", "Zephyrshire secret token", a.workshop.join_code,
        a.workshop.display_code, a.coordinator.email, a.token.prefix, "Zephyrshire secret family comment",
        a.family.code, "Zephyrshire secret survey", "Zephyrshire secret survey reason", a.survey.code,
    ]
    return SimpleNamespace(
        a=a, b=b, c=c, named=named, unnamed=unnamed, unnamed_token=unnamed_token, framework=framework, secrets=secrets
    )


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table but the framework's, the people's, their sign-ins and the tokens' (signing in
    and using a token touch those)."""
    meta = MetaData()
    meta.reflect(bind=db.engine)
    skip = KEEP_TABLES | {"users", "api_tokens", "user_sessions"}
    db.session.expire_all()
    return {
        name: sorted((tuple(str(v) for v in row) for row in db.session.execute(table.select())), key=str)
        for name, table in meta.tables.items()
        if name not in skip
    }


def read(response) -> str:
    """The body, read carefully: a stream that should never have been opened is cut short."""
    chunks, size = [], 0
    for chunk in response.response:
        chunks.append(chunk if isinstance(chunk, bytes) else chunk.encode())
        size += len(chunks[-1])
        if size > 500_000 or response.mimetype == "text/event-stream":
            break
    response.close()
    return b"".join(chunks).decode("utf-8", errors="replace")


def routes_to_sweep(app) -> list:
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in PUBLIC]
    unknown = sorted({arg for r in rules for arg in r.arguments} - FILL)
    if unknown:
        pytest.fail(
            "Routes with arguments this sweep cannot fill: "
            + ", ".join(f"{arg} (in {', '.join(r.rule for r in rules if arg in r.arguments)})" for arg in unknown)
            + ". Add each to FILL and the world in tests/app/test_security_routes.py, or the endpoint to PUBLIC."
        )
    return [r for r in rules if r.arguments or r.endpoint in QUERY_ROUTES]


def requests_for(app, world) -> list[tuple[str, str, str, str]]:
    """(endpoint, method, url, persona hint) for every route with an argument, filled with A's ids."""
    values = _fill_values(world)
    found = []
    for rule in routes_to_sweep(app):
        url = rule.build({name: values[name] for name in rule.arguments})[1]
        if rule.endpoint in QUERY_ROUTES:
            for first, second in (("a", "b"), ("b", "a")):
                query = "&".join(f"{arg}={values[first if arg == 'a' else second]}" for arg in QUERY_ROUTES[rule.endpoint])
                found.append((rule.endpoint, "GET", f"{url}?{query}", ""))
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, url, ""))
    return found


def sweep(app, client, world, token=None, refused=(403, 404), signed_out=False) -> list[str]:
    """Request everything; the problems found, each naming the route."""
    problems = []
    requests = requests_for(app, world)
    for endpoint, method, url, _ in requests:
        extra = {"Authorization": f"Bearer {token}"} if endpoint.startswith("api.") and token else {}
        response = client.open(url, method=method, data=POST_DATA if method == "POST" else None, headers=extra, buffered=False)
        body = read(response)
        status = response.status_code
        where = f"{method} {url} ({endpoint})"
        if signed_out:
            sent_to_sign_in = status == 302 and "/sign-in" in response.headers.get("Location", "")
            if not (sent_to_sign_in or status in (401, 403, 404)):
                problems.append(f"{where}: {status} for a signed-out visitor")
        elif status not in refused:
            problems.append(f"{where}: {status}, expected one of {refused}")
        leaked = [s for s in world.secrets if s in body or s in response.headers.get("Location", "")]
        if leaked:
            problems.append(f"{where}: the response mentions {leaked}")
        if status >= 500:
            problems.append(f"{where}: server error")
    assert len(requests) > 60, "the sweep found suspiciously few routes"
    return problems


def _sign_in(client, email):
    from tests.conftest import PASSWORD

    assert client.post("/sign-in", data={"email": email, "password": PASSWORD}).status_code == 302


@pytest.mark.parametrize("who", ["coordinator of another area", "reviewer not named on the review"])
def test_outsiders_get_403_or_404_on_every_route_and_nothing_leaks_or_changes(app, client, world, who):
    person, token = (world.b.coordinator, world.b.token_value) if who.startswith("coordinator") else (world.unnamed, world.unnamed_token)
    before = snapshot()
    _sign_in(client, person.email)
    problems = sweep(app, client, world, token)
    db.session.rollback()
    assert problems == [], "\n".join(problems)
    after = snapshot()
    changed = {name: (before[name], after[name]) for name in before if before[name] != after[name]}
    assert not changed, f"outsider requests changed tables: {list(changed)}"


def test_signed_out_visitors_are_sent_to_sign_in_and_see_nothing(app, client, world):
    before = snapshot()
    problems = sweep(app, client, world, signed_out=True)
    db.session.rollback()
    assert problems == [], "\n".join(problems)
    assert snapshot() == before


def test_objects_of_another_area_inside_ones_own_are_refused(app, client, world):
    """Route arguments mixed: the outsider's own assessment or workshop around A's action, round
    or hand count. The outer object is theirs, so only the inner check can refuse."""
    values = _fill_values(world)
    own = {"assessment_id": world.b.assessment.id, "workshop_id": world.b.workshop.id, "review_id": None}
    before = snapshot()
    _sign_in(client, world.b.coordinator.email)
    problems, checked = [], []
    for rule in routes_to_sweep(app):
        outer = [arg for arg in rule.arguments if arg in own and own[arg] is not None]
        inner = [arg for arg in rule.arguments if arg in SCOPED and arg not in outer]
        if not outer or not inner:
            continue
        url = rule.build({name: (own[name] if name in outer else values[name]) for name in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data=POST_DATA if method == "POST" else None, buffered=False)
            body = read(response)
            checked.append(f"{method} {rule.rule}")
            # A refused control may answer with a message on the console (a redirect).
            allowed = (302, 400, 403, 404) if method == "POST" else (403, 404)
            if response.status_code not in allowed:
                problems.append(f"{method} {url}: {response.status_code}")
            leaked = [s for s in world.secrets if s in body]
            if leaked:
                problems.append(f"{method} {url}: mentions {leaked}")
    db.session.rollback()
    assert len(checked) >= 5, checked
    assert problems == [], "\n".join(problems)
    assert snapshot() == before


def test_ids_of_another_area_in_form_fields_are_refused(app, client, world):
    """The outsider's own forms, sent with A's organisation, round or reviewer in the body."""
    from maturity.models import Action, Evidence, ManualTally, PeerReview

    a, b = world.a, world.b
    _sign_in(client, b.coordinator.email)
    leadership_feature = a.evidence.features[0].id
    evidence = client.post(
        f"/assessments/{b.assessment.id}/evidence/new",
        data={"title": "Borrowed owner", "kind": "qualitative", "organisation_id": str(a.area.organisations[0].id),
              "source_type": "__other__", "source_other": "x", "features": [str(leadership_feature)]},
    )
    assert evidence.status_code == 400 and "There is a problem" in evidence.get_data(as_text=True)
    action = client.post(
        f"/assessments/{b.assessment.id}/strands/leadership/actions",
        data={"action-description": "Borrowed owner", "action-owner_id": str(a.area.organisations[0].id), "action-status": "not_started"},
    )
    assert action.status_code == 400 and "There is a problem" in action.get_data(as_text=True)
    tally = client.post(f"/workshops/{b.workshop.id}/hand-counts", data={"round_id": str(a.round.id), "stage": "4", "count": "7"})
    assert tally.status_code == 400
    review = client.post(
        f"/assessments/{b.assessment.id}/peer-reviews/new",
        # A's coordinator named as a reviewer from Championshire, where they have no role.
        data={"reviewing_area_id": str(world.c.id), "reviewers": [str(a.coordinator.id)]},
    )
    assert review.status_code == 400
    db.session.expire_all()
    assert db.session.scalar(select(Evidence).where(Evidence.title == "Borrowed owner")) is None
    assert db.session.scalar(select(Action).where(Action.description == "Borrowed owner")) is None
    assert db.session.scalar(select(ManualTally).where(ManualTally.count == 7)) is None
    assert db.session.scalar(select(PeerReview).where(PeerReview.assessment_id == b.assessment.id)) is None


def test_listing_pages_show_an_outsider_nothing_of_another_area(app, client, world):
    """Pages without an id list what the user may see: none of A for B's coordinator."""
    _sign_in(client, world.b.coordinator.email)
    checked = []
    for rule in app.url_map.iter_rules():
        if rule.arguments or "GET" not in rule.methods or rule.endpoint in PUBLIC:
            continue
        headers = {"Authorization": f"Bearer {world.b.token_value}"} if rule.endpoint.startswith("api.") else {}
        response = client.get(rule.rule, headers=headers, buffered=False)
        body = read(response)
        assert response.status_code < 500, rule.rule
        leaked = [s for s in world.secrets if s in body]
        assert not leaked, f"{rule.rule} mentions {leaked}"
        checked.append(rule.rule)
    assert {"/areas/", "/peer-reviews", "/compare", "/api/v1/areas", "/profile"} <= set(checked)


def test_a_named_reviewer_sees_the_reviewed_assessment_but_a_colleague_does_not(app, client, world):
    """The sweep's control: the same requests work for someone who may see A."""
    _sign_in(client, world.named.email)
    assert client.get(f"/assessments/{world.a.assessment.id}").status_code == 200
    with client.get(f"/evidence/{world.a.evidence.id}/file") as download:
        assert download.status_code == 200 and download.data == pdf_bytes()
    client.post("/sign-out")
    _sign_in(client, world.unnamed.email)
    assert client.get(f"/assessments/{world.a.assessment.id}").status_code == 404
    assert client.get("/peer-reviews").status_code == 200
    assert "Zephyrshire" not in client.get("/peer-reviews").get_data(as_text=True)


def test_the_sweep_names_routes_it_cannot_fill(app, world, monkeypatch):
    """A new route with an unknown argument fails the sweep, naming the argument and the route."""
    app.add_url_rule("/widgets/<int:widget_id>", "widgets.show", lambda widget_id: "")
    with pytest.raises(pytest.fail.Exception, match=r"widget_id \(in /widgets/<int:widget_id>\)"):
        routes_to_sweep(app)


# --------------------------------------------------------------------------------------------
# Join codes are rate limited however they are guessed
# --------------------------------------------------------------------------------------------


def test_guessing_join_codes_in_the_address_is_rate_limited(schema, tmp_path, app, world):
    limited = make_app(schema, UPLOAD_FOLDER=str(tmp_path), RATELIMIT_ENABLED=True)
    limiter.reset()
    try:
        with limited.app_context():
            # A whole room behind one address joins with the right code: successes do not count.
            room = [limited.test_client() for _ in range(30)]
            assert [phone.post(f"/join/{world.b.workshop.join_code}").status_code for phone in room] == [302] * 30
            guesser = limited.test_client()
            codes = [guesser.get(f"/join/ZZZZ-ZZZ{n % 8 + 2}").status_code for n in range(21)]
            assert codes[:20] == [404] * 20 and codes[20] == 429
            page = guesser.get(f"/join/{world.a.workshop.join_code}")
            assert page.status_code == 429 and "Too many attempts" in page.get_data(as_text=True)
            assert world.a.workshop.join_code not in page.get_data(as_text=True)
            db.session.remove()
    finally:
        limiter.reset()


def test_ids_no_row_can_have_answer_404_not_a_server_error(app, client, make_user, login):
    """Ids beyond what a database integer holds (PostgreSQL refuses to compare with them) and
    ids of nothing, on every route with an id, as the national team, who may see everything."""
    from maturity.auth import tokens

    national = make_user(admin=True)
    _, token = tokens.create_token(national, "Everything")
    db.session.commit()
    login(national)
    problems, checked = [], 0
    for rule in app.url_map.iter_rules():
        ids = [name for name, converter in rule._converters.items() if isinstance(converter, IntegerConverter)]
        if not ids:
            continue
        for absurd in (2**40, 2**31, 999_999):
            values = {name: absurd if name in ids else "leadership" for name in rule.arguments}
            url = rule.build(values)[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                headers = {"Authorization": f"Bearer {token}"} if rule.endpoint.startswith("api.") else {}
                response = client.open(url, method=method, data={"title": "x"}, headers=headers, buffered=False)
                read(response)
                checked += 1
                if response.status_code not in (302, 400, 404):
                    problems.append(f"{method} {url}: {response.status_code}")
    assert checked > 100
    assert problems == [], "\n".join(problems)


#: Every query parameter any page reads (grep request.args in maturity/): each is sent hostile.
QUERY_PARAMETERS = (
    "q", "kind", "status", "view", "strand", "organisation", "feature", "a", "b", "code", "next",
    "screen", "panel", "fragment", "reviewing_area", "page", "sort", "group", "cycle",
)
#: Hostile values: NUL, overlong, out of any integer's range, and not numbers at all.
HOSTILE_KEYS = ("%00", "leader%00ship", "x" * 600, "%C0%AF", "..%2F..%2Fetc", "%F0%9F%9A%80" * 50)
HOSTILE_IDS = ("2147483648", "99999999999999999999999999", "0", "-1", "1.5", "%00", "1e9")
HOSTILE_QUERY = ("%00", "x%00y", "z" * 5000, "2147483648", "-99999999999999999999", "%FF%FE")


ARGUMENT = re.compile(r"<(?:[^:>]+:)?([^>]+)>")


def _hostile_requests(app, values):
    """(method, url) for every route: each path argument in turn made hostile (the rest good),
    and every query parameter made hostile at once, for each hostile value."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        def url_with(bad_name=None, bad_value=None, rule=rule):
            def fill(match):
                name = match.group(1)
                return bad_value if name == bad_name else str(values[name])
            return ARGUMENT.sub(fill, rule.rule)

        for name, converter in rule._converters.items():
            hostile = HOSTILE_IDS if isinstance(converter, IntegerConverter) else HOSTILE_KEYS
            found.extend((method, url_with(name, value)) for value in hostile for method in methods)
        if "GET" in methods:
            base = url_with()
            for value in HOSTILE_QUERY:
                query = "&".join(f"{param}={value}" for param in QUERY_PARAMETERS)
                found.append(("GET", f"{base}?{query}"))
    return found


def test_hostile_values_in_every_path_argument_and_query_parameter_never_give_a_server_error(
    app, client, world, make_user, login, caplog
):
    """NUL, overlong and out-of-range values in every path argument and every query parameter of
    every route, as the national team (who may see everything, so no access check stops them
    early): never a 5xx, never a traceback in the log."""
    import logging

    from maturity.auth import tokens

    national = make_user(admin=True)
    _, token = tokens.create_token(national, "Everything")
    db.session.commit()
    login(national)
    values = _fill_values(world)
    problems = []
    requests = _hostile_requests(app, values)
    caplog.set_level(logging.ERROR)
    for method, url in requests:
        headers = {"Authorization": f"Bearer {token}"} if url.startswith("/api/") else {}
        response = client.open(url, method=method, data=POST_DATA if method == "POST" else None, headers=headers, buffered=False)
        read(response)
        if response.status_code >= 500:
            problems.append(f"{method} {url[:120]}: {response.status_code}")
        db.session.rollback()
    logged = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(requests) > 800
    assert problems == [], "\n".join(problems[:40])
    assert logged == [], logged[:5]


def test_deeply_nested_json_is_a_clear_400(app, client, world):
    deep = "[" * 5000 + "]" * 5000
    for url in (f"/live/join/{world.a.workshop.join_code}/vote", "/api/v1/areas"):
        response = client.post(url, data=deep, content_type="application/json")
        assert response.status_code in (400, 401, 405), (url, response.status_code)
    phone = world_phone(app, world)
    response = phone.post(f"/live/join/{world.a.workshop.join_code}/vote", data='{"round_id": ' + deep + "}", content_type="application/json")
    assert response.status_code == 400


def world_phone(app, world):
    phone = app.test_client()
    assert phone.post(f"/join/{world.a.workshop.join_code}").status_code == 302
    return phone


@pytest.mark.parametrize("stage", [2.5, 2.0, "2.0", " 2", "2 ", True, "two", [2], {"n": 2}, 5, 0, -1, "02"])
def test_a_vote_is_one_of_the_allowed_values_exactly(app, world, stage):
    from maturity.workshops import operations

    workshop = world.a.workshop
    operations.open_round(workshop)
    db.session.commit()
    phone = world_phone(app, world)
    round_id = workshop.current_round_id
    response = phone.post(f"/live/join/{workshop.join_code}/vote", json={"round_id": round_id, "stage": stage})
    assert response.status_code == 400
    assert phone.post(f"/live/join/{workshop.join_code}/vote", json={"round_id": round_id, "stage": 2}).status_code == 200
    assert phone.post(f"/live/join/{workshop.join_code}/vote", json={"round_id": 2147483648, "stage": 2}).status_code == 400
