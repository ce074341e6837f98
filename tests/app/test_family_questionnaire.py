"""The family questionnaire: set up, open and close, families answering once per device, paper
answers typed in, results held back below ten families, hiding free text, retention."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from maturity.core.families import MIN_FAMILIES, QUESTION_KEYS
from maturity.extensions import db
from maturity.families import operations, queries
from maturity.models import FamilyAnswer, FamilyQuestionnaire, FamilyResponse, HistoryEntry


@pytest.fixture
def questionnaire(app, make_assessment, coordinator):
    assessment = make_assessment(coordinator.memberships[0].area, user=coordinator)
    questionnaire = operations.create_questionnaire(assessment, coordinator)
    operations.open_questionnaire(questionnaire, coordinator)
    db.session.commit()
    return questionnaire


def all_yes() -> dict[str, str]:
    return {key: "yes-a-lot" for key in QUESTION_KEYS}


def add_families(questionnaire, yes: int, no: int = 0) -> None:
    for _ in range(yes):
        operations.transcribe(questionnaire, all_yes(), None)
    for _ in range(no):
        operations.transcribe(questionnaire, {key: "no" for key in QUESTION_KEYS}, None)
    db.session.commit()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_coordinator_sets_up_and_opens_the_questionnaire(client, login, coordinator, make_assessment):
    assessment = make_assessment(coordinator.memberships[0].area, user=coordinator)
    login(coordinator)
    page = client.get(f"/assessments/{assessment.id}/family-questionnaire")
    assert page.status_code == 200 and "Set up the family questionnaire" in page.get_data(as_text=True)
    response = client.post(f"/assessments/{assessment.id}/family-questionnaire", data={"retention_months": "6"})
    assert response.status_code == 302
    questionnaire = queries.questionnaire_of(assessment)
    assert questionnaire.retention_months == 6 and questionnaire.status == "setup"
    assert client.post(f"/family-questionnaires/{questionnaire.id}/open").status_code == 302
    db.session.refresh(questionnaire)
    assert questionnaire.is_open
    kinds = db.session.scalars(select(HistoryEntry.to_value).where(HistoryEntry.kind == "family_questionnaire"))
    assert set(kinds) >= {"set up", "Open"}


def test_bad_retention_is_refused_with_a_message(client, login, coordinator, make_assessment):
    assessment = make_assessment(coordinator.memberships[0].area, user=coordinator)
    login(coordinator)
    for bad in ("0", "37", "ten", "", "-3", "99999999999999999999"):
        response = client.post(f"/assessments/{assessment.id}/family-questionnaire", data={"retention_months": bad})
        assert response.status_code == 400, bad
        assert "months" in response.get_data(as_text=True)
    assert queries.questionnaire_of(assessment) is None


def test_a_family_answers_once_per_device_and_nothing_names_them(client, questionnaire):
    url = f"/family/{questionnaire.code}"
    page = client.get(url)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Did you have one worker you knew" in text and "I would rather not say" in text
    assert "do not write anyone" in text and f"/family/{questionnaire.code}/privacy" in text
    form = text.split('<form method="post"')[1].split("</form>")[0]
    assert "<script" not in form  # a plain form: answering needs no script
    assert len(page.data) < 40_000  # a small page for a slow connection
    data = {"one-worker": "yes-a-lot", "story-once": "prefer-not", "comment": "Good help"}
    response = client.post(url, data=data)
    assert response.status_code == 303
    again = client.post(url, data=data)
    assert again.status_code == 200 and "already sent your answers" in again.get_data(as_text=True)
    assert count(FamilyResponse) == 1
    response_row = db.session.scalar(select(FamilyResponse))
    assert response_row.device_hash and len(response_row.device_hash) == 64 and not response_row.transcribed
    assert response_row.comment == "Good help" and response_row.answered_on == date.today()
    assert {(a.question_key, a.answer) for a in response_row.answers} == {("one-worker", "yes-a-lot"), ("story-once", "prefer-not")}
    # Another device (a fresh browser) may answer too.
    other = client.application.test_client()
    assert other.post(url, data=data).status_code == 303
    assert count(FamilyResponse) == 2


def test_answers_off_the_scale_or_too_long_are_refused_and_nothing_is_saved(client, questionnaire):
    url = f"/family/{questionnaire.code}"
    for data in ({"one-worker": "maybe"}, {"comment": "x" * 501}, {"one-worker": ["yes-a-lot", "no"]}):
        response = client.post(url, data=data)
        assert response.status_code == 400, data
        assert "govuk-error-summary" in response.get_data(as_text=True)
    assert count(FamilyResponse) == 0


def test_a_closed_or_unknown_questionnaire_takes_no_answers(client, questionnaire, coordinator):
    operations.close_questionnaire(questionnaire, coordinator)
    db.session.commit()
    response = client.post(f"/family/{questionnaire.code}", data={"one-worker": "no"})
    assert response.status_code == 410 and "not open" in response.get_data(as_text=True)
    assert client.get("/family/ZZZZZZZZ").status_code == 404
    assert client.get("/family/" + "A" * 500).status_code == 404
    assert count(FamilyResponse) == 0


def test_a_worker_types_in_a_paper_answer_marked_as_transcribed(client, login, make_user, questionnaire):
    contributor = make_user("contributor", questionnaire.assessment.area)
    login(contributor)
    url = f"/family-questionnaires/{questionnaire.id}/transcribe"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"one-plan": "not-really", "comment": "Paper comment"})
    assert response.status_code == 303
    row = db.session.scalar(select(FamilyResponse))
    assert row.transcribed and row.device_hash is None and row.comment == "Paper comment"
    # Contributors may type in answers but not open, close or read free text.
    assert client.post(f"/family-questionnaires/{questionnaire.id}/close").status_code == 403
    page = client.get(f"/assessments/{questionnaire.assessment_id}/family-questionnaire").get_data(as_text=True)
    assert "Paper comment" not in page


def test_people_outside_the_area_get_nothing(client, login, make_area, make_user, questionnaire):
    stranger = make_user("coordinator", make_area("Elsewhere"))
    login(stranger)
    for url in (
        f"/assessments/{questionnaire.assessment_id}/family-questionnaire",
        f"/family-questionnaires/{questionnaire.id}/transcribe",
    ):
        assert client.get(url).status_code == 404
    assert client.post(f"/family-questionnaires/{questionnaire.id}/close").status_code == 404


@pytest.fixture
def make_questionnaire(make_assessment, coordinator):
    def make(yes: int, no: int = 0, close: bool = True):
        assessment = make_assessment(coordinator.memberships[0].area, user=coordinator)
        questionnaire = operations.create_questionnaire(assessment, coordinator)
        operations.open_questionnaire(questionnaire, coordinator)
        add_families(questionnaire, yes, no)
        if close:
            operations.close_questionnaire(questionnaire, coordinator)
        db.session.commit()
        return questionnaire

    return make


def test_results_are_held_back_at_nine_families_and_shown_at_ten(client, login, coordinator, make_questionnaire):
    login(coordinator)
    nine = make_questionnaire(MIN_FAMILIES - 1)
    assert queries.results_for(nine) is None
    page = client.get(f"/assessments/{nine.assessment_id}/strands/family-experience").get_data(as_text=True)
    assert "9 families have answered" in page and "families said" not in page
    open_ten = make_questionnaire(9, no=1, close=False)
    page = client.get(f"/assessments/{open_ten.assessment_id}/strands/family-experience").get_data(as_text=True)
    assert "10 families have answered" in page and "families said" not in page
    ten = make_questionnaire(9, no=1)
    page = client.get(f"/assessments/{ten.assessment_id}/strands/family-experience").get_data(as_text=True)
    assert "9 of 10 families said they had one worker they knew" in page
    assert "Counts as evidence" in page


def test_a_closed_questionnaire_stays_as_published(client, login, coordinator, make_questionnaire):
    questionnaire = make_questionnaire(10)
    login(coordinator)
    client.post(f"/family-questionnaires/{questionnaire.id}/open")
    db.session.refresh(questionnaire)
    assert questionnaire.is_closed
    response = client.post(f"/family-questionnaires/{questionnaire.id}/transcribe", data={"one-worker": "no"})
    assert response.status_code == 409 and "published" in response.get_data(as_text=True)
    assert queries.response_count(questionnaire) == 10


def test_family_results_count_through_the_evidence_rule(coordinator, questionnaire):
    from maturity.assessments.queries import supported_feature_ids
    from maturity.models import Feature

    assessment = questionnaire.assessment
    assert supported_feature_ids(assessment) == set()
    add_families(questionnaire, 8, no=4)
    operations.close_questionnaire(questionnaire, coordinator)
    db.session.commit()
    keys = set(
        db.session.scalars(select(Feature.key).where(Feature.id.in_(supported_feature_ids(assessment))))
    )
    assert keys == {"fe-dev-3", "fe-mat-1", "fe-mature-1", "fe-mat-6", "fe-mature-5", "fe-mat-4", "fe-mat-3", "fe-mature-4", "fe-mature-7", "fe-mature-2"}


def test_mostly_no_answers_support_no_feature(coordinator, questionnaire):
    from maturity.assessments.queries import supported_feature_ids

    add_families(questionnaire, 4, no=8)
    operations.close_questionnaire(questionnaire, coordinator)
    db.session.commit()
    assert queries.results_for(questionnaire) is not None
    assert supported_feature_ids(questionnaire.assessment) == set()


def test_only_coordinators_read_free_text_and_can_hide_it(client, login, coordinator, questionnaire):
    operations.transcribe(questionnaire, {}, "Our worker Sam was great")
    db.session.commit()
    login(coordinator)
    page = client.get(f"/assessments/{questionnaire.assessment_id}/family-questionnaire").get_data(as_text=True)
    assert "Our worker Sam was great" in page
    row = db.session.scalar(select(FamilyResponse))
    assert client.post(f"/family-responses/{row.id}/hide").status_code == 302
    page = client.get(f"/assessments/{questionnaire.assessment_id}/family-questionnaire").get_data(as_text=True)
    assert "Our worker Sam was great" not in page and "Hidden because it named someone" in page
    entry = db.session.scalar(select(HistoryEntry).where(HistoryEntry.subject == "Family free-text answer"))
    assert entry is not None and entry.to_value == "hidden" and entry.user_id == coordinator.id
    # The free text is never on the strand page, even with results published.
    strand = client.get(f"/assessments/{questionnaire.assessment_id}/strands/family-experience").get_data(as_text=True)
    assert "Sam" not in strand


def test_privacy_notice_and_printable_version(client, questionnaire):
    privacy = client.get(f"/family/{questionnaire.code}/privacy")
    text = privacy.get_data(as_text=True)
    assert privacy.status_code == 200 and "deleted 12 months after" in text and "at least 10 families" in text
    printable = client.get(f"/family/{questionnaire.code}/print").get_data(as_text=True)
    assert "families.css" in printable and "Did you only have to tell your story once?" in printable


def test_retention_command_deletes_only_answers_past_retention(runner, questionnaire):
    questionnaire.retention_months = 6
    add_families(questionnaire, 3)
    rows = list(db.session.scalars(select(FamilyResponse).order_by(FamilyResponse.id)))
    today = date(2026, 12, 3)
    rows[0].answered_on = date(2026, 6, 2)  # past six months
    rows[1].answered_on = date(2026, 6, 3)  # exactly six months: kept
    rows[2].answered_on = today - timedelta(days=1)
    db.session.commit()
    kept = [rows[1].id, rows[2].id]
    result = runner.invoke(args=["delete-old-family-answers", "--today", "2026-12-03"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 family answer past retention." in result.output
    db.session.expire_all()
    assert list(db.session.scalars(select(FamilyResponse.id).order_by(FamilyResponse.id))) == kept
    assert db.session.scalar(select(func.count()).select_from(FamilyAnswer)) == 2 * len(QUESTION_KEYS)
    assert db.session.get(FamilyQuestionnaire, questionnaire.id) is not None


def test_a_closed_questionnaire_loses_all_its_answers_at_once(runner, make_questionnaire):
    questionnaire = make_questionnaire(12)
    questionnaire.retention_months = 1
    rows = list(db.session.scalars(select(FamilyResponse).where(FamilyResponse.questionnaire_id == questionnaire.id)))
    rows[0].answered_on = date(2026, 10, 1)
    for row in rows[1:]:
        row.answered_on = date(2026, 11, 20)
    db.session.commit()
    # Deleting only the oldest would change the published figures by one family's answers.
    result = runner.invoke(args=["delete-old-family-answers", "--today", "2026-11-15"])
    assert "Deleted 12 family answers" in result.output
    assert queries.response_count(questionnaire) == 0 and queries.results_for(questionnaire) is None


def test_summary_exports_and_api_carry_the_published_results(client, login, coordinator, make_questionnaire):
    questionnaire = make_questionnaire(31, no=17)
    login(coordinator)
    sentence = "31 of 48 families said they had one worker they knew"
    base = f"/assessments/{questionnaire.assessment_id}"
    assert sentence in client.get(f"{base}/summary").get_data(as_text=True)
    assert sentence in client.get(f"{base}/summary.csv").get_data(as_text=True)
    from io import BytesIO

    from openpyxl import load_workbook

    workbook = load_workbook(BytesIO(client.get(f"{base}/summary.xlsx").data))
    cells = [str(cell.value) for row in workbook["Summary"].iter_rows() for cell in row if cell.value]
    assert any(sentence in cell for cell in cells)
    from maturity.auth import tokens

    _, token = tokens.create_token(coordinator, "Dashboard")
    db.session.commit()
    data = client.get(f"/api/v1{base}/family-results", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert data["results_available"] is True and data["questionnaire"]["families_answered"] == 48
    first = data["results"][0]
    assert first["sentence"] == sentence and first["said_yes"] == 31 and first["counts_as_evidence"] is True
    assert "comment" not in str(data)


def test_api_gives_no_results_below_ten(client, coordinator, make_questionnaire):
    from maturity.auth import tokens

    questionnaire = make_questionnaire(9)
    _, token = tokens.create_token(coordinator, "Dashboard")
    db.session.commit()
    data = client.get(
        f"/api/v1/assessments/{questionnaire.assessment_id}/family-results", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    assert data["results_available"] is False and data["results"] == []


def test_the_demo_shows_illustrative_family_results(app, client, framework):
    from maturity.demo import load_yaml, seed_demo
    from maturity.models import Assessment, User

    seed_demo()
    db.session.commit()
    hampshire = db.session.scalar(select(Assessment).where(Assessment.title == "Early help maturity self-assessment 2016").join(Assessment.area).where(Assessment.area.has(name="Hampshire")))
    questionnaire = queries.questionnaire_of(hampshire)
    assert questionnaire.illustrative and questionnaire.is_closed and queries.response_count(questionnaire) == 48
    coordinator = db.session.scalar(select(User).where(User.email == "coordinator@hampshire.example.org"))
    client.post("/sign-in", data={"email": coordinator.email, "password": load_yaml("areas.yaml")["password"]})
    page = client.get(f"/assessments/{hampshire.id}/strands/family-experience").get_data(as_text=True)
    assert "31 of 46 families said they had one worker they knew" in page
    assert "Illustrative: these answers are made-up demo data" in page


def test_published_family_results_count_as_quantitative_evidence_for_the_kinds_flag(coordinator, questionnaire):
    from maturity.assessments.overview import build_overview
    from maturity.assessments.queries import evidence_counts
    from maturity.evidence import operations as evidence
    from maturity.reports.queries import assessment_figures

    assessment = questionnaire.assessment
    strand = next(s for s in assessment.framework.strands if s.key == "family-experience")
    feature = strand.elements[0].features[0]
    evidence.add_evidence(
        assessment, coordinator,
        {"title": "Case file audit", "kind": "qualitative", "organisation_id": assessment.area.organisations[0].id,
         "source_type": "Audit"},
        [feature], None,
    )
    db.session.commit()

    def kinds_flagged() -> bool:
        view = next(v for v in build_overview(assessment) if v.strand.key == "family-experience")
        return any(f.code == "one_kind_of_evidence" for f in view.flags)

    assert kinds_flagged() and evidence_counts(assessment)[strand.id]["quantitative"] == 0
    add_families(questionnaire, 9)
    assert kinds_flagged()  # open, and too few: nothing published, so nothing counts
    add_families(questionnaire, 3)
    operations.close_questionnaire(questionnaire, coordinator)
    db.session.commit()
    assert evidence_counts(assessment)[strand.id] == {"qualitative": 1, "quantitative": 1, "total": 2}
    assert not kinds_flagged()
    figures = next(f for f in assessment_figures(assessment).strands if f.key == "family-experience")
    assert figures.quantitative == 1


def test_answers_past_retention_stop_counting_before_anything_deletes_them(runner, coordinator, questionnaire, make_questionnaire):
    from maturity.models.base import utcnow

    today = utcnow().date()
    questionnaire.retention_months = 6
    add_families(questionnaire, 3)
    rows = list(db.session.scalars(select(FamilyResponse).where(FamilyResponse.questionnaire_id == questionnaire.id)))
    rows[0].answered_on = today - timedelta(days=400)
    db.session.commit()
    # Open: the one past retention no longer counts, though it is still stored.
    assert queries.response_count(questionnaire) == 2
    assert count(FamilyResponse) == 3
    # Closed with ten families, one past retention: all stop counting together.
    closed = make_questionnaire(12)
    closed.retention_months = 1
    first = db.session.scalars(select(FamilyResponse).where(FamilyResponse.questionnaire_id == closed.id)).first()
    first.answered_on = today - timedelta(days=90)
    db.session.commit()
    assert queries.response_count(closed) == 0 and queries.results_for(closed) is None
    # `flask bootstrap` (make run) deletes them, as the daily job does.
    result = runner.invoke(args=["bootstrap"])
    assert result.exit_code == 0, result.output
    assert "Deleted 13 families' answers past their retention setting." in result.output
    assert count(FamilyResponse) == 2


def test_the_families_link_has_a_qr_code_on_the_page_and_the_paper_version(client, login, coordinator, questionnaire):
    login(coordinator)
    page = client.get(f"/assessments/{questionnaire.assessment_id}/family-questionnaire").get_data(as_text=True)
    url = f"http://localhost/family/{questionnaire.code}"
    assert "QR code for the link" in page and f"QR code of the address {url}" in page and 'role="img"' in page
    paper = client.get(f"/family/{questionnaire.code}/print").get_data(as_text=True)
    assert f"QR code of the address {url}" in paper and f"go to {url}" in paper
    operations.close_questionnaire(questionnaire, coordinator)
    db.session.commit()
    assert "<svg" not in client.get(f"/family/{questionnaire.code}/print").get_data(as_text=True)
