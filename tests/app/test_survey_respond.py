"""A partner answering a survey, as they would: with a code or a link, one question per page,
leaving and coming back on the same phone, checking and sending; and everything a careless or
hostile visitor might send (bad choices, long or odd reasons, guessed codes and links, a second
try at a second response) answered with a message, never a 500 or a second response."""

import re
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from maturity.extensions import db, limiter
from maturity.models import SurveyAnswer, SurveyResponse
from maturity.surveys import operations
from tests.conftest import make_app


def _responses(survey) -> list[SurveyResponse]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(SurveyResponse).where(SurveyResponse.survey_id == survey.id).order_by(SurveyResponse.id)
    ))


def _answers(response: SurveyResponse) -> dict[int, tuple[int | None, str | None]]:
    return {a.item.position: (a.stage, a.reason) for a in response.answers}


def _started(app: Flask, survey, about=None):
    phone = app.test_client()
    started = phone.post(f"/survey/{survey.code}", data=about or {})
    assert started.status_code == 302 and started.headers["Location"].endswith("/q/1")
    return phone


def _text(page) -> str:
    return page.get_data(as_text=True)


def _error_page(page, message: str) -> str:
    """A 400 with the GOV.UK error summary and the message, in the summary and by the field."""
    text = _text(page)
    assert page.status_code == 400, text[:300]
    assert "govuk-error-summary" in text and "There is a problem" in text
    assert text.count(message) >= 2, f"{message!r} should be in the summary and by the field"
    assert "<title>Error: " in text
    return text


# --------------------------------------------------------------------------------------------
# Answering
# --------------------------------------------------------------------------------------------


def test_a_partner_answers_every_question_checks_and_sends(app, make_survey):
    survey = make_survey(ask_why=True, ask_grade=True)
    phone = app.test_client()
    start = _text(phone.get(f"/survey/{survey.code}"))
    # Sending before answering anything sends nothing: it goes to the first question.
    phone.post(f"/survey/{survey.code}", data={})
    assert phone.post(f"/survey/{survey.code}/check").headers["Location"].endswith("/q/1")
    assert not _responses(survey)[0].submitted
    assert survey.items[0].name in start and "What we keep, and who sees it" in start
    assert "not your name" in start and "the day you started" in start
    assert 'name="org_type"' in start and 'name="grade"' in start and 'name="role"' not in start
    phone.post(f"/survey/{survey.code}", data={"org_type": "police", "grade": "manager"})
    page = _text(phone.get(f"/survey/{survey.code}/q/1"))
    assert f"Question 1 of {len(survey.items)}" in page and "Don’t know" in page
    assert "What each stage means in full" in page and "Do not name anyone" in page
    for item in survey.items:
        stage = "dont-know" if item.position == 2 else str(item.position % 4 + 1)
        went = phone.post(f"/survey/{survey.code}/q/{item.position}", data={"stage": stage, "reason": f"Seen at {item.position}"})
        following = f"/q/{item.position + 1}" if item.position < len(survey.items) else "/check"
        assert went.status_code == 302 and went.headers["Location"].endswith(following)
    check = _text(phone.get(f"/survey/{survey.code}/check"))
    assert "Check your answers" in check and "Don’t know" in check and "Seen at 3" in check
    assert check.count(">Change<") == len(survey.items)
    assert phone.post(f"/survey/{survey.code}/check").headers["Location"].endswith("/done")
    [response] = _responses(survey)
    assert response.submitted and response.org_type == "police" and response.grade == "manager"
    assert response.started_on == date.today() and response.device_hash and response.link_hash is None
    assert _answers(response)[2] == (None, "Seen at 2") and _answers(response)[1] == (2, "Seen at 1")
    # Sent, the answers can still be changed while the survey is open.
    assert phone.post(f"/survey/{survey.code}/q/1", data={"stage": "4", "reason": ""}).headers["Location"].endswith("/check")
    assert _answers(_responses(survey)[0])[1] == (4, None)
    assert "Send my answers again" in _text(phone.get(f"/survey/{survey.code}/check"))


def test_a_survey_that_does_not_ask_why_keeps_no_reason_whatever_is_sent(app, make_survey):
    survey = make_survey(ask_why=False)
    phone = _started(app, survey)
    assert "Why?" not in _text(phone.get(f"/survey/{survey.code}/q/1"))
    assert phone.post(f"/survey/{survey.code}/q/1", data={"stage": "3", "reason": "x" * 900}).status_code == 302
    assert _answers(_responses(survey)[0]) == {1: (3, None)}


def test_save_and_come_back_later_saves_what_is_on_the_page(app, make_survey):
    survey = make_survey(ask_why=True)
    phone = _started(app, survey)
    later = phone.post(f"/survey/{survey.code}/q/1", data={"stage": "2", "reason": "Patchy", "later": "y"})
    assert later.status_code == 303 and later.headers["Location"].endswith("/saved")
    saved = _text(phone.get(f"/survey/{survey.code}/saved"))
    assert "Your answers are saved" in saved and f"answered 1 of {len(survey.items)}" in saved
    assert survey.display_code in saved
    # Nothing chosen on the page: nothing to save, and no error for leaving.
    assert phone.post(f"/survey/{survey.code}/q/2", data={"later": "y"}).status_code == 303
    assert _answers(_responses(survey)[0]) == {1: (2, "Patchy")}
    # A bad answer is not left behind silently.
    _error_page(phone.post(f"/survey/{survey.code}/q/2", data={"stage": "7", "later": "y"}), "Choose one of the stages shown")


# --------------------------------------------------------------------------------------------
# One response per device, resumed on that device
# --------------------------------------------------------------------------------------------


def test_the_same_device_resumes_at_the_first_question_it_has_not_answered(app, make_survey):
    survey = make_survey(ask_why=True)
    phone = _started(app, survey, {"org_type": "health"})
    phone.post(f"/survey/{survey.code}/q/1", data={"stage": "2", "reason": "Early days"})
    phone.post(f"/survey/{survey.code}/q/2", data={"stage": "dont-know"})
    # Coming back: the start page says how far they got, keeps what they said about themselves,
    # and Continue goes to the third question.
    start = _text(phone.get(f"/survey/{survey.code}"))
    assert f"You have answered 2 of {len(survey.items)}" in start
    assert re.search(r'<option[^>]*value="health"[^>]*selected|<option[^>]*selected[^>]*value="health"', start)
    assert phone.post(f"/survey/{survey.code}", data={"org_type": "health"}).headers["Location"].endswith("/q/3")
    # An answered question shows the answer given; going back to change it carries on at 3.
    first = _text(phone.get(f"/survey/{survey.code}/q/1"))
    assert re.search(r'value="2" checked', first) and "Early days" in first
    assert phone.post(f"/survey/{survey.code}/q/1", data={"stage": "3"}).headers["Location"].endswith("/q/3")
    # A question further on than the first unanswered one is not skipped to the check page.
    assert len(_responses(survey)) == 1


def test_a_second_device_has_its_own_response(app, make_survey):
    survey = make_survey()
    mine, theirs = _started(app, survey), _started(app, survey)
    mine.post(f"/survey/{survey.code}/q/1", data={"stage": "1"})
    theirs.post(f"/survey/{survey.code}/q/1", data={"stage": "4"})
    first, second = _responses(survey)
    assert _answers(first) == {1: (1, None)} and _answers(second) == {1: (4, None)}
    assert first.device_hash != second.device_hash
    # Neither sees the other's answers.
    assert 'value="1" checked' in _text(mine.get(f"/survey/{survey.code}/q/1"))
    assert 'value="4" checked' in _text(theirs.get(f"/survey/{survey.code}/q/1"))


def test_one_response_per_device_cannot_be_multiplied(app, make_survey):
    survey = make_survey()
    other = make_survey()
    phone = app.test_client()
    # Looking, or trying to answer before starting, makes no response.
    phone.get(f"/survey/{survey.code}")
    assert phone.post(f"/survey/{survey.code}/q/1", data={"stage": "2"}).headers["Location"].endswith(f"/survey/{survey.code}")
    phone.get(f"/survey/{survey.code}/check")
    assert phone.post(f"/survey/{survey.code}/check").status_code == 302
    assert _responses(survey) == []
    # Starting again and again, or by another spelling of the code, keeps the one response.
    for code in (survey.code, survey.code.lower(), f"{survey.code[:4]}-{survey.code[4:]}"):
        phone.post(f"/survey/{code}", data={})
    phone.post(f"/survey/{survey.code}/q/1", data={"stage": "2"})
    assert len(_responses(survey)) == 1
    # A device's token for one survey is no use on another: that one starts from nothing.
    assert phone.post(f"/survey/{other.code}/q/1", data={"stage": "2"}).status_code == 302
    assert _responses(other) == []
    # A token the server never gave out finds no response: that browser starts from nothing.
    forged = app.test_client()
    with forged.session_transaction() as session:
        session["survey_tokens"] = {survey.code: "device:not-a-token-we-gave"}
    assert forged.post(f"/survey/{survey.code}/q/1", data={"stage": "4"}).status_code == 302
    assert len(_responses(survey)) == 1
    # Only the hash of the device's token is kept; the cookie's token is not.
    with phone.session_transaction() as session:
        token = session["survey_tokens"][survey.code].split(":", 1)[1]
    assert _responses(survey)[0].device_hash == operations.token_hash(token) != token


def test_a_sealed_session_cannot_name_another_devices_response(app, make_survey):
    survey = make_survey()
    owner = _started(app, survey)
    owner.post(f"/survey/{survey.code}/q/1", data={"stage": "1"})
    stored = _responses(survey)[0]
    intruder = app.test_client()
    for guess in (f"device:{stored.device_hash}", f"link:{stored.device_hash}", "device:", "other:x", "x" * 5000):
        with intruder.session_transaction() as session:
            session["survey_tokens"] = {survey.code: guess}
        assert intruder.get(f"/survey/{survey.code}/q/1").status_code == 302  # sent to the start
        assert "You have answered" not in _text(intruder.get(f"/survey/{survey.code}"))
    with intruder.session_transaction() as session:
        session["survey_tokens"] = ["not", "a", "dict"]
    assert intruder.get(f"/survey/{survey.code}").status_code == 200


# --------------------------------------------------------------------------------------------
# Per-person links
# --------------------------------------------------------------------------------------------


def test_a_per_person_link_follows_its_person_to_any_device(app, make_survey):
    survey = make_survey()
    tokens = operations.add_person_links(survey, 2)
    db.session.commit()
    assert all(r.link_hash == operations.token_hash(t) for r, t in zip(_responses(survey), tokens, strict=True))
    laptop = app.test_client()
    opened = laptop.get(f"/survey/{survey.code}/p/{tokens[0]}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/survey/{survey.code}")
    laptop.post(f"/survey/{survey.code}", data={"org_type": "schools"})
    laptop.post(f"/survey/{survey.code}/q/1", data={"stage": "3"})
    # The same link on a phone: the same response, at the next question.
    phone = app.test_client()
    assert phone.get(f"/survey/{survey.code.lower()}/p/{tokens[0]}").headers["Location"].endswith("/q/2")
    phone.post(f"/survey/{survey.code}/q/2", data={"stage": "1"})
    responses = _responses(survey)
    assert len(responses) == 2 and responses[0].device_hash is None
    assert _answers(responses[0]) == {1: (3, None), 2: (1, None)} and responses[0].org_type == "schools"
    assert responses[0].started_on == date.today() and responses[1].started_on is None
    # A device that began on its own, then opens a link, carries on with the link's response.
    mine = _started(app, survey)
    assert mine.get(f"/survey/{survey.code}/p/{tokens[1]}").status_code == 302
    mine.post(f"/survey/{survey.code}", data={})
    mine.post(f"/survey/{survey.code}/q/1", data={"stage": "2"})
    assert _answers(_responses(survey)[1]) == {1: (2, None)}


def test_a_link_that_is_wrong_or_for_another_survey_finds_nothing(app, make_survey):
    survey, other = make_survey(), make_survey()
    [token] = operations.add_person_links(survey, 1)
    db.session.commit()
    phone = app.test_client()
    for path in (f"/survey/{other.code}/p/{token}", f"/survey/{survey.code}/p/{token[:-1]}",
                 f"/survey/{survey.code}/p/{operations.token_hash(token)}", f"/survey/ZZZZZZZZ/p/{token}"):
        assert phone.get(path).status_code == 404, path
    assert _responses(other) == [] and all(r.started_on is None for r in _responses(survey))


def test_add_person_links_keeps_only_hashes_and_refuses_a_closed_survey(app, make_survey):
    from maturity.errors import OperationError

    survey = make_survey()
    tokens = operations.add_person_links(survey, 3)
    assert len(set(tokens)) == 3 and all(len(t) >= 32 for t in tokens)
    stored = [r.link_hash for r in _responses(survey)]
    assert not any(t in h for t in tokens for h in stored)
    closed = make_survey(status="closed")
    with pytest.raises(OperationError):
        operations.add_person_links(closed, 1)


# --------------------------------------------------------------------------------------------
# Not open yet, closed
# --------------------------------------------------------------------------------------------


def test_a_survey_not_open_yet_says_when_it_opens(app, make_survey):
    setup = make_survey(status="setup")
    later = make_survey(opens_on=date.today() + timedelta(days=3))
    phone = app.test_client()
    page = phone.get(f"/survey/{setup.code}")
    assert page.status_code == 410 and "This survey is not open yet" in _text(page)
    page = phone.get(f"/survey/{later.code}")
    assert page.status_code == 410 and "It opens on" in _text(page)
    assert phone.post(f"/survey/{later.code}", data={}).status_code == 410
    assert _responses(later) == []


def test_a_closed_survey_takes_no_more_answers_anywhere(app, make_survey):
    survey = make_survey(ask_why=True)
    phone = _started(app, survey)
    phone.post(f"/survey/{survey.code}/q/1", data={"stage": "2"})
    [token] = operations.add_person_links(survey, 1)
    operations.close_survey(survey, date.today())
    db.session.commit()
    for method, path, data in (("get", "", None), ("post", "", {}), ("get", "/q/2", None),
                               ("post", "/q/1", {"stage": "4"}), ("post", "/q/2", {"stage": "4"}),
                               ("get", "/check", None), ("post", "/check", {}), ("get", f"/p/{token}", None)):
        page = getattr(phone, method)(f"/survey/{survey.code}{path}", data=data)
        assert page.status_code == 410 and "This survey has closed" in _text(page), path
    assert "Change your answers" not in _text(phone.get(f"/survey/{survey.code}/done"))
    [response, link] = _responses(survey)
    assert _answers(response) == {1: (2, None)} and not response.submitted and link.started_on is None
    past = make_survey(closes_on=date.today() - timedelta(days=1))
    assert app.test_client().get(f"/survey/{past.code}").status_code == 410


# --------------------------------------------------------------------------------------------
# Every mistake is a 400 with its message, and nothing typed is lost
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed, message", [
    ("", "Enter the survey code"),
    ("ABC", "Enter the survey code"),
    ("ABCD-EFG0", "Enter the survey code"),  # 0 is not in the codes' alphabet
    ("ZZZZ-ZZZZ", "No survey has that code"),
])
def test_a_wrong_code_is_a_400_with_its_message(app, typed, message):
    _error_page(app.test_client().post("/survey", data={"code": typed}), message)


def test_a_code_is_found_however_it_is_typed(app, make_survey):
    survey = make_survey()
    for typed in (survey.code.lower(), f" {survey.code[:4]} - {survey.code[4:]} ", f"{survey.code[:4]}_{survey.code[4:]}"):
        went = app.test_client().post("/survey", data={"code": typed})
        assert went.status_code == 302 and went.headers["Location"].endswith(f"/survey/{survey.code}"), typed


@pytest.mark.parametrize("field, value, message", [
    ("org_type", "martians", "Choose your kind of organisation from the list"),
    ("grade", "chief-executive", "Choose your grade from the list"),
    ("role", "<script>", "Choose your role from the list"),
])
def test_an_unknown_answer_about_the_person_is_a_400(app, make_survey, field, value, message):
    survey = make_survey(ask_grade=True, ask_role=True)
    data = {"org_type": "police", "grade": "manager", "role": "direct", field: value}
    text = _error_page(app.test_client().post(f"/survey/{survey.code}", data=data), message)
    assert "&lt;script&gt;" not in text or field == "role"  # never echoed as markup
    assert "<script>" not in text.split("</head>", 1)[1].replace('<script src', '').replace("<script nonce", "")
    assert _responses(survey) == []


@pytest.mark.parametrize("data, message", [
    ({}, "Choose a stage, or"),
    ({"stage": ""}, "Choose a stage, or"),
    ({"stage": "5"}, "Choose one of the stages shown"),
    ({"stage": "0"}, "Choose one of the stages shown"),
    ({"stage": " 2"}, "Choose one of the stages shown"),
    ({"stage": "2.0"}, "Choose one of the stages shown"),
    ({"stage": "Dont-Know"}, "Choose one of the stages shown"),
    ({"stage": "\u0663"}, "Choose one of the stages shown"),  # an Arabic-Indic three
    ({"stage": ["2", "3"]}, "Choose one answer for this question"),
    ({"stage": "2", "reason": "é" * 501}, "Your reason must be 500 characters or fewer"),
])
def test_a_bad_answer_is_a_400_with_its_message_and_keeps_what_was_typed(app, make_survey, data, message):
    survey = make_survey(ask_why=True)
    phone = _started(app, survey)
    data = {"reason": "What I typed stays", **data}
    text = _error_page(phone.post(f"/survey/{survey.code}/q/1", data=data), message)
    assert data["reason"] in text
    assert '<details class="govuk-details app-survey-why" open>' in text  # the reason is on show
    assert 'href="#stage"' in text or 'href="#reason"' in text
    assert _answers(_responses(survey)[0]) == {}


def test_a_reason_loses_control_characters_and_counts_a_line_break_once(app, make_survey):
    survey = make_survey(ask_why=True)
    phone = _started(app, survey)
    typed = "Two\x00 lines\x07\x1b[31m,\r\nthen\ta tab\x7f"
    assert phone.post(f"/survey/{survey.code}/q/1", data={"stage": "2", "reason": typed}).status_code == 302
    assert _answers(_responses(survey)[0])[1] == (2, "Two lines[31m,\nthen\ta tab")
    # 500 characters in a browser (line breaks counted once) are 500 here, though sent as 600.
    full = "abcd\r\n" * 100
    assert phone.post(f"/survey/{survey.code}/q/2", data={"stage": "3", "reason": full}).status_code == 302
    assert _answers(_responses(survey)[0])[2][1] == ("abcd\n" * 100).strip()


def test_hostile_input_on_every_partner_page_is_never_a_server_error(app, make_survey):
    survey = make_survey(ask_why=True, ask_grade=True, ask_role=True)
    phone = _started(app, survey)
    nasty = ["\x00", "\x00" * 10, "'; DROP TABLE surveys; --", "<script>alert(1)</script>", "9" * 400,
             "%00", "../../etc/passwd", "\u202e", " ", "{{7*7}}", "x" * 20_000]
    codes = [survey.code, "ZZZZZZZZ", "%00", "a" * 300, "..", "\u00e9\u00e9\u00e9", "ABCD%2FEFGH"]
    statuses = set()
    for value in nasty:
        for field in ("stage", "reason", "org_type", "grade", "role", "code", "later", "submit", "csrf_token"):
            data = {field: value}
            for path in ("/survey", f"/survey/{survey.code}", f"/survey/{survey.code}/q/1",
                         f"/survey/{survey.code}/check"):
                statuses.add(phone.post(path, data=data).status_code)
        statuses.add(phone.get("/survey", query_string={"code": value}).status_code)
    for code in codes:
        for tail in ("", "/q/1", "/q/0", "/q/99999999999999999999", "/check", "/done", "/saved", "/p/x", f"/p/{'y' * 3000}"):
            statuses.add(phone.get(f"/survey/{code}{tail}").status_code)
            statuses.add(phone.post(f"/survey/{code}{tail}", data={"stage": "2"}).status_code)
    for body in (b"stage=%ff%fe&reason=%ed%a0%80", b"stage=2&reason=%c0%80", b"\xff\xfe=\x00"):
        for path in (f"/survey/{survey.code}", f"/survey/{survey.code}/q/1", "/survey"):
            statuses.add(phone.post(path, data=body, content_type="application/x-www-form-urlencoded").status_code)
    assert statuses <= {200, 302, 303, 400, 404, 405, 410}, statuses
    assert len(_responses(survey)) == 1
    stages = {a.stage for a in db.session.scalars(select(SurveyAnswer))}
    assert stages <= {1, 2, 3, 4, None}


# --------------------------------------------------------------------------------------------
# Guessing codes and links counts toward the workshops' join-code limit
# --------------------------------------------------------------------------------------------


def test_guessed_survey_codes_and_links_count_toward_the_join_code_limit(schema, tmp_path, app, make_survey, make_workshop):
    survey, workshop = make_survey(), make_workshop()
    limited = make_app(schema, UPLOAD_FOLDER=str(tmp_path), RATELIMIT_ENABLED=True)
    limiter.reset()
    try:
        with limited.app_context():
            guesser = limited.test_client()
            probes = ([("post", "/survey", {"code": f"ZZZZ-ZZZ{n}"}) for n in range(2, 9)]
                      + [("get", f"/survey/ZZZZ-ZZY{n}", None) for n in range(2, 9)]
                      + [("get", f"/survey/{survey.code}/p/guess{n}", None) for n in range(3)]
                      + [("get", f"/join/ZZZZ-ZZX{n}", None) for n in range(2, 5)])
            assert [getattr(guesser, m)(p, data=d).status_code for m, p, d in probes] == [400] * 7 + [404] * 13
            # Over the limit: the real survey, and a real workshop, are as closed to it as a guess.
            for path in (f"/survey/{survey.code}", f"/survey/{survey.code}/q/1", f"/join/{workshop.join_code}"):
                assert guesser.get(path).status_code == 429, path
            assert guesser.post("/survey", data={"code": survey.code}).status_code == 429
            # Another phone at the same address answers the survey.
            phone = limited.test_client()
            assert phone.post(f"/survey/{survey.code}", data={}).status_code == 302
            assert phone.post(f"/survey/{survey.code}/q/1", data={"stage": "2"}).status_code == 302
            db.session.remove()
    finally:
        limiter.reset()


def test_a_partner_answering_never_uses_up_the_limit(schema, tmp_path, app, make_survey):
    survey = make_survey()
    limited = make_app(schema, UPLOAD_FOLDER=str(tmp_path), RATELIMIT_ENABLED=True)
    limiter.reset()
    try:
        with limited.app_context():
            phone = limited.test_client()
            phone.post(f"/survey/{survey.code}", data={})
            for _ in range(3):  # back and forth over every question, far more than 20 requests
                for item in survey.items:
                    assert phone.post(f"/survey/{survey.code}/q/{item.position}", data={"stage": "2"}).status_code == 302
                    assert phone.get(f"/survey/{survey.code}/q/{item.position}").status_code == 200
            assert phone.get(f"/survey/{survey.code}/check").status_code == 200
            db.session.remove()
    finally:
        limiter.reset()


def test_the_same_page_sent_twice_at_once_keeps_one_answer(app, make_survey):
    """A double tap on a slow phone: the second request finds no answer (the first has not
    committed), then meets the first one's row when it inserts, and changes it instead."""
    survey = make_survey()
    phone = _started(app, survey)
    response = _responses(survey)[0]
    assert response.answers == []  # what the second request saw
    with db.engine.begin() as other_request:  # the first request's answer, committed meanwhile
        other_request.execute(SurveyAnswer.__table__.insert().values(
            response_id=response.id, item_id=survey.items[0].id, stage=1, reason_hidden=False))
    operations.save_answer(response, survey.items[0], 3, "Second tap")
    db.session.commit()
    assert _answers(_responses(survey)[0]) == {1: (3, "Second tap")}
    assert phone.get(f"/survey/{survey.code}").status_code == 200


def test_two_taps_on_start_at_once_make_one_response(app, make_survey):
    """The device's token is given on the start page, so both taps carry the same one; the second
    to arrive finds the first one's response."""
    survey = make_survey()
    phone = app.test_client()
    phone.get(f"/survey/{survey.code}")
    with phone.session_transaction() as session:
        token = session["survey_tokens"][survey.code].split(":", 1)[1]
    assert phone.get(f"/survey/{survey.code}").status_code == 200  # looking again keeps it
    with phone.session_transaction() as session:
        assert session["survey_tokens"][survey.code] == f"device:{token}"
    assert _responses(survey) == []  # nothing is stored for looking
    first = operations.start_response(survey, operations.token_hash(token), date.today())
    db.session.commit()
    # The second tap's request had looked before the first one's response was there.
    assert operations.start_response(survey, operations.token_hash(token), date.today()).id == first.id
    db.session.commit()
    assert phone.post(f"/survey/{survey.code}", data={}).headers["Location"].endswith("/q/1")
    assert [r.id for r in _responses(survey)] == [first.id]
