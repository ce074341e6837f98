"""The coordinator's survey pages and a partner answering, through the test client."""

from datetime import date

import pytest

from maturity.extensions import db
from maturity.models import HistoryEntry, StrandRating, SurveyResponse
from maturity.surveys import operations


@pytest.fixture
def signed_in(client, login, coordinator):
    login(coordinator)
    return client


def _assessment_of(user, make_assessment):
    return make_assessment(area=user.memberships[0].area)


def _answer_all(app, survey, stage_for, reason=None, about=None):
    """A new phone answers every question of the survey; returns its client."""
    phone = app.test_client()
    response = phone.post(f"/survey/{survey.code}", data=about or {})
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    for item in survey.items:
        data = {"stage": str(stage_for(item))}
        if reason:
            data["reason"] = reason
        got = phone.post(f"/survey/{survey.code}/q/{item.position}", data=data)
        assert got.status_code == 302, got.get_data(as_text=True)[:400]
    assert phone.post(f"/survey/{survey.code}/check").status_code == 303
    return phone


def test_a_coordinator_sets_up_opens_shares_and_closes_a_survey(signed_in, coordinator, make_assessment):
    assessment = _assessment_of(coordinator, make_assessment)
    page = signed_in.get(f"/assessments/{assessment.id}/surveys/new")
    assert page.status_code == 200 and "Set up a survey" in page.get_data(as_text=True)
    data = {"title": "Before the workshop", "rounds": [f"s{s.id}" for s in assessment.framework.strands[:2]],
            "ask_org_type": "y", "ask_grade": "y", "breakdown": "grade", "ask_why": "y",
            "closes_on": ["30", "11", "2030"]}
    made = signed_in.post(f"/assessments/{assessment.id}/surveys/new", data=data)
    assert made.status_code == 302
    survey_id = int(made.headers["Location"].rsplit("/", 1)[1])
    shown = signed_in.get(f"/surveys/{survey_id}").get_data(as_text=True)
    assert "Open the survey" in shown and "Results are shown by grade only" in shown
    assert signed_in.post(f"/surveys/{survey_id}/open").status_code == 302
    shown = signed_in.get(f"/surveys/{survey_id}").get_data(as_text=True)
    assert "Share the survey" in shown and "<svg" in shown and "0 people have answered so far" in shown
    assert "Close the survey" in signed_in.get(f"/surveys/{survey_id}/close").get_data(as_text=True)
    assert signed_in.post(f"/surveys/{survey_id}/close").status_code == 302
    assert "Results" in signed_in.get(f"/surveys/{survey_id}").get_data(as_text=True)


def test_a_breakdown_by_a_question_not_asked_is_refused_with_a_message(signed_in, coordinator, make_assessment):
    assessment = _assessment_of(coordinator, make_assessment)
    data = {"title": "Survey", "rounds": [f"s{assessment.framework.strands[0].id}"], "ask_org_type": "y",
            "breakdown": "role", "opens_on": ["5", "1", "2031"], "closes_on": ["1", "1", "2031"]}
    page = signed_in.post(f"/assessments/{assessment.id}/surveys/new", data=data)
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "Ask people’s role too" in text and "must be the same as or after the opening date" in text


def test_while_open_the_coordinator_sees_counts_by_group_never_stages(app, signed_in, coordinator, make_assessment, make_survey):
    survey = make_survey(_assessment_of(coordinator, make_assessment), ask_grade=True)
    for _ in range(3):
        _answer_all(app, survey, lambda item: 2, about={"org_type": "police", "grade": "manager"})
    page = signed_in.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "3 people have answered so far" in page and "Manager" in page
    assert "Ratings for each stage" not in page and "Median" not in page


def test_results_follow_the_workshop_rule_and_reasons_come_sorted_without_attribution(app, signed_in, coordinator, make_assessment, make_survey):
    assessment = _assessment_of(coordinator, make_assessment)
    strand = assessment.framework.strands[0]
    survey = make_survey(assessment, items=[(strand, None)], ask_why=True)
    for stage, group, reason in [(2, "police", "Zebra crossing"), (2, "police", None), (3, "police", "apples"),
                                 (3, "health", "Middle"), (3, "health", None), (4, "health", None), (1, "schools", "Only one")]:
        _answer_all(app, survey, lambda item, s=stage: s, reason=reason, about={"org_type": group})
    operations.close_survey(survey)
    db.session.commit()
    page = signed_in.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "Ratings for each stage" in page
    assert page.index("apples") < page.index("Middle") < page.index("Only one") < page.index("Zebra crossing")
    assert "Fewer than 3 people" in page  # the one school hidden


def test_hiding_a_reason_is_recorded_without_its_words(app, signed_in, coordinator, make_assessment, make_survey):
    from maturity.core.surveys import reason_digest

    assessment = _assessment_of(coordinator, make_assessment)
    survey = make_survey(assessment, items=[(assessment.framework.strands[0], None)], ask_why=True)
    for reason in ("Ask Jo Bloggs", "Fine", "Good"):
        _answer_all(app, survey, lambda item: 2, reason=reason)
    operations.close_survey(survey)
    db.session.commit()
    item = survey.items[0]
    hidden = signed_in.post(f"/surveys/{survey.id}/reasons/hide", data={"item_id": item.id, "reason": reason_digest("Ask Jo Bloggs")})
    assert hidden.status_code == 302
    page = signed_in.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "Jo Bloggs" not in page and "Fine" in page
    entries = db.session.query(HistoryEntry).filter_by(kind="survey_reason_hidden").all()
    assert len(entries) == 1 and "Jo Bloggs" not in (entries[0].note or "")
    again = signed_in.post(f"/surveys/{survey.id}/reasons/hide", data={"item_id": item.id, "reason": "x" * 20})
    assert again.status_code == 302


def test_carrying_a_strand_keeps_the_survey_result_beside_the_room_and_in_the_agreed_snapshot(app, signed_in, coordinator, make_assessment, make_survey):
    assessment = _assessment_of(coordinator, make_assessment)
    strand = assessment.framework.strands[0]
    survey = make_survey(assessment, items=[(strand, None)], title="Partners before the day")
    for stage in (2, 2, 3, 3):
        _answer_all(app, survey, lambda item, s=stage: s)
    early = signed_in.post(f"/surveys/{survey.id}/strands/{strand.id}/carry")
    assert early.status_code == 302
    assert not any(r.survey_result for r in db.session.query(StrandRating).filter_by(assessment_id=assessment.id))
    operations.close_survey(survey)
    db.session.commit()
    carried = signed_in.post(f"/surveys/{survey.id}/strands/{strand.id}/carry")
    assert carried.status_code == 302 and f"/strands/{strand.key}" in carried.headers["Location"]
    row = db.session.query(StrandRating).filter_by(assessment_id=assessment.id, strand_id=strand.id).one()
    assert row.survey_result["n"] == 4 and row.survey_result["median"] == "developing-maturing"
    strand_page = signed_in.get(carried.headers["Location"]).get_data(as_text=True)
    assert "Partners’ survey" in strand_page and "Partners before the day" in strand_page
    signed_in.post(f"/assessments/{assessment.id}/strands/{strand.key}/agreed-rating", data={"agreed-rating": "developing", "agreed-rationale": "Agreed with the survey in view"})
    db.session.refresh(row)
    assert row.agreed_inputs and row.agreed_inputs["survey_result"]["n"] == 4


def test_per_person_links_download_once_and_each_gives_one_response(app, signed_in, coordinator, make_assessment, make_survey):
    survey = make_survey(_assessment_of(coordinator, make_assessment))
    download = signed_in.post(f"/surveys/{survey.id}/links", data={"count": "3"})
    assert download.status_code == 200 and download.mimetype == "text/csv"
    links = [line.split(",")[1].strip() for line in download.get_data(as_text=True).splitlines()[1:]]
    assert len(links) == 3
    stored = db.session.query(SurveyResponse).filter_by(survey_id=survey.id).all()
    assert all(r.link_hash and links[0].rsplit("/", 1)[1] not in r.link_hash for r in stored)
    person = app.test_client()
    path = links[0].split("localhost", 1)[1]
    assert person.get(path).status_code == 302  # to the start page, to begin
    assert person.post(f"/survey/{survey.code}", data={}).status_code == 302
    assert person.post(f"/survey/{survey.code}/q/1", data={"stage": "3"}).status_code == 302
    assert db.session.query(SurveyResponse).filter_by(survey_id=survey.id).count() == 3
    too_many = signed_in.post(f"/surveys/{survey.id}/links", data={"count": "5000"})
    assert too_many.status_code == 302


def test_a_partner_leaves_and_comes_back_to_the_next_question_on_the_same_device(app, make_survey):
    survey = make_survey()
    phone = app.test_client()
    assert phone.post(f"/survey/{survey.code}", data={"org_type": "police"}).headers["Location"].endswith("/q/1")
    phone.post(f"/survey/{survey.code}/q/1", data={"stage": "2"})
    phone.post(f"/survey/{survey.code}/q/2", data={"stage": "dont-know"})
    resumed = phone.post(f"/survey/{survey.code}", data={})
    assert resumed.headers["Location"].endswith("/q/3")
    other = app.test_client()
    assert other.post(f"/survey/{survey.code}", data={}).headers["Location"].endswith("/q/1")
    assert db.session.query(SurveyResponse).filter_by(survey_id=survey.id).count() == 2


@pytest.mark.parametrize("data, message", [
    ({}, "Choose a stage"),
    ({"stage": "5"}, "Choose one of the stages shown"),
    ({"stage": ["2", "3"]}, "Choose one answer"),
    ({"stage": "2", "reason": "x" * 501}, "500 characters"),
])
def test_a_bad_answer_is_a_400_with_its_message_and_keeps_what_was_typed(app, make_survey, data, message):
    survey = make_survey(ask_why=True)
    phone = app.test_client()
    phone.post(f"/survey/{survey.code}", data={})
    page = phone.post(f"/survey/{survey.code}/q/1", data=data)
    assert page.status_code == 400 and message in page.get_data(as_text=True)
    if "reason" in data:
        assert "x" * 501 in page.get_data(as_text=True)


def test_a_survey_not_open_or_past_its_date_takes_no_answers(app, make_survey):
    waiting = make_survey(status="setup")
    past = make_survey(closes_on=date(2020, 1, 1))
    phone = app.test_client()
    assert phone.get(f"/survey/{waiting.code}").status_code == 410
    assert "not open yet" in phone.get(f"/survey/{waiting.code}").get_data(as_text=True)
    assert phone.post(f"/survey/{past.code}", data={}).status_code == 410
    assert phone.get("/survey/ZZZZZZZZ").status_code == 404
    typed = phone.post("/survey", data={"code": waiting.code.lower()[:4] + "-" + waiting.code[4:]})
    assert typed.status_code == 302 and typed.headers["Location"].endswith(f"/survey/{waiting.code}")
    assert phone.post("/survey", data={"code": "nope"}).status_code == 400


def test_the_summary_and_its_exports_say_what_the_survey_and_the_room_said(app, signed_in, coordinator, make_assessment, make_survey):
    import csv
    import io

    from openpyxl import load_workbook

    from maturity.assessments.export import SUMMARY_HEADINGS

    assessment = _assessment_of(coordinator, make_assessment)
    strand = assessment.framework.strands[0]
    survey = make_survey(assessment, items=[(strand, None)])
    for stage in (2, 2, 3, 3):
        _answer_all(app, survey, lambda item, s=stage: s)
    operations.close_survey(survey)
    operations.carry_survey_result(survey, strand, coordinator, date.today())
    db.session.commit()
    said = "Partners’ survey: Developing–Maturing (4 people)"
    assert said in signed_in.get(f"/assessments/{assessment.id}/summary").get_data(as_text=True)
    text = signed_in.get(f"/assessments/{assessment.id}/summary.csv").get_data(as_text=True).lstrip("\ufeff")
    row = next(r for r in csv.reader(io.StringIO(text)) if r[0] == strand.name)
    assert row[SUMMARY_HEADINGS.index("Workshop and survey")] == said
    sheet = load_workbook(io.BytesIO(signed_in.get(f"/assessments/{assessment.id}/summary.xlsx").data)).active
    assert any(said in str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell)


def test_the_read_api_gives_counts_while_open_and_published_figures_once_finished(app, client, coordinator, make_assessment, make_survey):
    from maturity.auth import tokens

    assessment = _assessment_of(coordinator, make_assessment)
    strand = assessment.framework.strands[0]
    survey = make_survey(assessment, items=[(strand, None)], ask_why=True)
    for stage, group, reason in [(2, "police", "b"), (2, "police", None), (3, "police", "a"), (1, "schools", "c")]:
        _answer_all(app, survey, lambda item, s=stage: s, reason=reason, about={"org_type": group})
    _, token = tokens.create_token(coordinator, "surveys")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    body = client.get(f"/api/v1/assessments/{assessment.id}/surveys", headers=headers).get_json()
    [listed] = body["surveys"]
    assert listed["answered"] == 4 and listed["results"] is None and not listed["finished"]
    operations.close_survey(survey)
    db.session.commit()
    [listed] = client.get(f"/api/v1/assessments/{assessment.id}/surveys", headers=headers).get_json()["surveys"]
    [strand_result] = listed["results"]
    assert strand_result["answered"] == 4 and strand_result["summary"]["n"] == 4
    groups = {g["group"]: g for g in strand_result["groups"]}
    assert groups["Schools"]["suppressed"] and groups["Schools"]["summary"] is None
    assert strand_result["questions"][0]["reasons"] == ["a", "b", "c"]
    outsider = client.get(f"/api/v1/assessments/{assessment.id + 999}/surveys", headers=headers)
    assert outsider.status_code == 404


def test_the_results_download_as_csv_and_xlsx_once_finished_with_hostile_text_made_safe(app, signed_in, coordinator, make_assessment, make_survey):
    import io

    from openpyxl import load_workbook

    assessment = _assessment_of(coordinator, make_assessment)
    survey = make_survey(assessment, items=[(assessment.framework.strands[0], None)], ask_why=True, title="=cmd|A\x01B")
    early = signed_in.get(f"/surveys/{survey.id}/results.csv")
    assert early.status_code == 302
    for reason in ("=HYPERLINK(\"x\")", "Plain words", None):
        _answer_all(app, survey, lambda item: 2, reason=reason, about={"org_type": "police"})
    operations.close_survey(survey)
    db.session.commit()
    text = signed_in.get(f"/surveys/{survey.id}/results.csv").get_data(as_text=True)
    assert "Everyone,3" in text and "'=HYPERLINK" in text and "Plain words" in text
    book = load_workbook(io.BytesIO(signed_in.get(f"/surveys/{survey.id}/results.xlsx").data))
    assert book.sheetnames == ["Results", "Reasons"]
    reasons = [row[2] for row in book["Reasons"].iter_rows(min_row=2, values_only=True)]
    assert reasons == ["'=HYPERLINK(\"x\")", "Plain words"]
