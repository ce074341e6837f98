"""Assessment pages through the test client: task list, strand page, forms, access, exports."""

import csv
import io
import json
import re
from datetime import date

import pytest
from markupsafe import escape
from openpyxl import load_workbook
from sqlalchemy import select

from maturity.assessments import operations
from maturity.extensions import db
from maturity.models import Action, Assessment, Evidence, HistoryEntry


def strand_of(framework, key):
    return next(s for s in framework.strands if s.key == key)


def add_evidence(assessment, features, kind="qualitative", status="accepted", title="Evidence", **fields):
    item = Evidence(
        assessment=assessment, title=title, kind=kind, status=status, features=list(features), **fields
    )
    db.session.add(item)
    db.session.commit()
    return item


@pytest.fixture
def hampshire(make_area, make_user, make_assessment):
    area = make_area("Hampshire")
    coordinator = make_user("coordinator", area, email="coordinator@hampshire.example.org")
    contributor = make_user("contributor", area, email="police@hampshire.example.org")
    assessment = make_assessment(area=area, title="Self-assessment 2016", user=coordinator)
    return area, coordinator, contributor, assessment


def page(response) -> str:
    return response.get_data(as_text=True)


# --------------------------------------------------------------------------------------------
# Opening an assessment
# --------------------------------------------------------------------------------------------


def test_area_page_lists_assessments_and_offers_to_open_one(client, login, hampshire):
    area, coordinator, contributor, assessment = hampshire
    login(coordinator)
    body = page(client.get(f"/areas/{area.id}"))
    assert "Self-assessment 2016" in body and "Open an assessment" in body
    client.post("/sign-out")
    login(contributor)
    body = page(client.get(f"/areas/{area.id}"))
    assert "Self-assessment 2016" in body and "Open an assessment" not in body


def test_coordinator_opens_an_assessment(client, login, hampshire, framework):
    area, coordinator, _, _ = hampshire
    login(coordinator)
    form = page(client.get(f"/assessments/areas/{area.id}/new"))
    assert f'value="{framework.id}" selected' in form  # the latest version by default
    response = client.post(
        f"/assessments/areas/{area.id}/new",
        data={
            "title": "Self-assessment 2017", "period_label": "2017 to 2018",
            "period_start": ["1", "4", "2017"], "period_end": ["31", "3", "2018"],
            "framework_id": str(framework.id),
        },
    )
    assert response.status_code == 302
    created = db.session.scalar(select(Assessment).where(Assessment.title == "Self-assessment 2017"))
    assert created.area_id == area.id and created.created_by_id == coordinator.id
    assert (created.period_start, created.period_end) == (date(2017, 4, 1), date(2018, 3, 31))
    assert response.headers["Location"].endswith(f"/assessments/{created.id}")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "period_label": "2017"}, "Enter a title"),
        ({"title": "T", "period_label": ""}, "Enter the period the assessment covers"),
        ({"title": "T", "period_label": "2017", "period_start": ["31", "2", "2017"]}, "Start date (optional) must be a real date"),
        ({"title": "T", "period_label": "2017", "period_start": ["1", "", "2017"]}, "must include a day, month and year"),
        ({"title": "T", "period_label": "2017", "period_start": ["1", "4", "2018"], "period_end": ["1", "4", "2017"]}, "end date must be the same as or after"),
        ({"title": "T", "period_label": "2017", "framework_id": "999999"}, "Choose a version of the model"),
        ({"title": "x" * 201, "period_label": "2017"}, "200 characters or fewer"),
    ],
)
def test_opening_refuses_bad_input_and_keeps_what_was_typed(client, login, hampshire, framework, data, message):
    area, coordinator, _, _ = hampshire
    login(coordinator)
    data = {"framework_id": str(framework.id), **data}
    response = client.post(f"/assessments/areas/{area.id}/new", data=data)
    assert response.status_code == 400
    body = page(response)
    assert "There is a problem" in body and message in body
    if data["period_label"]:
        assert f'value="{data["period_label"]}"' in body
    assert db.session.scalar(select(Assessment).where(Assessment.title == data["title"])) is None


def test_contributor_cannot_open_an_assessment(client, login, hampshire):
    area, _, contributor, _ = hampshire
    login(contributor)
    assert client.get(f"/assessments/areas/{area.id}/new").status_code == 403
    assert client.post(f"/assessments/areas/{area.id}/new", data={"title": "T", "period_label": "P"}).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, hampshire):
    response = client.get(f"/assessments/{hampshire[3].id}")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


# --------------------------------------------------------------------------------------------
# Task list and strand page
# --------------------------------------------------------------------------------------------


def test_task_list_shows_strands_elements_statuses_and_flags(client, login, hampshire, framework):
    area, coordinator, _, assessment = hampshire
    culture = strand_of(framework, "culture")
    operations.set_self_rating(assessment, culture, "maturing", "Why", coordinator)
    add_evidence(assessment, strand_of(framework, "strategy").elements[0].features_at(2), "qualitative", "draft")
    operations.carry_in_room_result(
        assessment, strand_of(framework, "leadership"),
        {"workshop_title": "Partnership workshop", "n": 12, "abstentions": 2, "counts": {"1": 1, "2": 6, "3": 4, "4": 1}, "mean": 2.42, "median": "developing", "consensus": 0.63},
        coordinator,
    )
    db.session.commit()
    login(coordinator)
    body = page(client.get(f"/assessments/{assessment.id}"))
    assert "govuk-task-list" in body
    for strand in framework.strands:
        assert strand.name in body
    assert "Delivery structures" in body and "Keyworker/frontline worker view of services" in body
    # culture rated, strategy in progress (evidence), family experience not started
    assert re.search(r"4\. Culture.*?Rated", body, re.S)
    assert re.search(r"3\. Strategy.*?In progress", body, re.S)
    assert re.search(r"1\. The family experience of transformed services.*?Not started", body, re.S)
    assert "Claim above evidence" in body  # maturing against an evidenced stage of early
    assert "Developing" in body and "12 votes" in body and "consensus 0.63" in body
    assert "Draft" in body


def test_strand_page_shows_guidance_stages_and_evidence_per_feature(client, login, hampshire, framework):
    area, coordinator, _, assessment = hampshire
    leadership = strand_of(framework, "leadership")
    feature = leadership.elements[0].features_at(2)[0]
    add_evidence(assessment, [feature], title="Strategic board terms of reference", organisation_id=area.organisations[0].id)
    add_evidence(assessment, [feature], title="Old minutes", status="rejected")
    login(coordinator)
    body = page(client.get(f"/assessments/{assessment.id}/strands/leadership"))
    assert leadership.purpose in body
    assert leadership.what_to_look_for[0] in body and leadership.measures in body
    assert leadership.evidence_sources[0] in body
    for element in leadership.elements:
        assert f'id="element-{element.key}"' in body
    assert feature.text in body
    assert "Strategic board terms of reference" in body and "Hampshire Council" in body
    assert "app-feature-evidence__item--rejected" in body
    assert "No evidence linked yet." in body
    # One question per page: the strand page links to each rating's page and holds no form.
    assert "<form" not in body.split('<main', 1)[1]
    base = f"/assessments/{assessment.id}/strands/leadership"
    assert f'href="{base}/self-rating"' in body and f'href="{base}/agreed-rating"' in body
    assert f'href="{base}/elements/{leadership.elements[0].key}/rating"' in body
    assert f'href="{base}/actions"' in body


@pytest.mark.parametrize(
    ("path", "field", "heading"),
    [
        ("self-rating", "self-rating", "What is your self rating of Leadership?"),
        ("agreed-rating", "agreed-rating", "What rating has the partnership agreed for Leadership?"),
        ("elements/local-determination/rating", "element-local-determination-rating",
         "What is your self rating of Local determination?"),
    ],
)
def test_each_rating_has_a_page_of_its_own(client, login, hampshire, framework, path, field, heading):
    _, coordinator, _, assessment = hampshire
    leadership = strand_of(framework, "leadership")
    operations.set_self_rating(assessment, leadership, "developing", "Boards in place", coordinator)
    db.session.commit()
    login(coordinator)
    body = page(client.get(f"/assessments/{assessment.id}/strands/leadership/{path}"))
    assert heading in body and f'name="{field}"' in body
    assert 'class="govuk-back-link"' in body and f'href="/assessments/{assessment.id}/strands/leadership"' in body
    # The stage definitions sit beside the choices, in the project's words for each stage.
    element = leadership.elements[0]
    for stage in range(1, 5):
        assert str(escape(element.summary(stage))) in body
    if path == "self-rating":
        assert 'value="developing" checked' in body and "Boards in place</textarea>" in body
    if path == "agreed-rating":
        assert "What to weigh" in body


def test_adding_an_action_has_a_page_of_its_own(client, login, hampshire, framework):
    area, coordinator, _, assessment = hampshire
    login(coordinator)
    url = f"/assessments/{assessment.id}/strands/culture/actions"
    body = page(client.get(url))
    assert "Add an action" in body and 'name="action-description"' in body and "govuk-back-link" in body
    bad = client.post(url, data={"action-description": "", "action-status": "not_started"})
    assert bad.status_code == 400 and "There is a problem" in page(bad)
    done = client.post(url, data={"action-description": "Run a culture survey", "action-status": "not_started",
                                  "action-owner_id": str(area.organisations[0].id)})
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/assessments/{assessment.id}/strands/culture")
    assert "Action added to the Culture action plan." in page(client.get(done.headers["Location"]))


def test_unknown_strand_is_404(client, login, hampshire):
    login(hampshire[1])
    assert client.get(f"/assessments/{hampshire[3].id}/strands/no-such-strand").status_code == 404


def test_contributor_sees_the_strand_page_without_rating_forms(client, login, hampshire):
    login(hampshire[2])
    body = page(client.get(f"/assessments/{hampshire[3].id}/strands/culture"))
    assert "Culture" in body and "/self-rating" not in body and "Add an action" not in body
    assert client.get(f"/assessments/{hampshire[3].id}/strands/culture/self-rating").status_code == 403


# --------------------------------------------------------------------------------------------
# Rating forms
# --------------------------------------------------------------------------------------------


def test_self_rating_form_saves_and_records_history(client, login, hampshire, framework):
    _, coordinator, _, assessment = hampshire
    login(coordinator)
    response = client.post(
        f"/assessments/{assessment.id}/strands/culture/self-rating",
        data={"self-rating": "developing-maturing", "self-rationale": "Vision shared by leaders only"},
    )
    # Back to the strand page from its top, where the confirmation banner is in view.
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/assessments/{assessment.id}/strands/culture")
    row = assessment.rating_for(strand_of(framework, "culture"))
    db.session.refresh(row)
    assert row.self_rating == "developing-maturing"
    body = page(client.get(f"/assessments/{assessment.id}/strands/culture"))
    assert "Self rating saved for Culture." in body and "Developing–Maturing" in body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"self-rating": "early-mature", "self-rationale": "x"}, "Choose a rating from the list"),
        ({"self-rating": "brilliant", "self-rationale": "x"}, "Choose a rating from the list"),
        ({"self-rationale": "x"}, "Select a stage, or two neighbouring stages"),
        ({"self-rating": "maturing", "self-rationale": "  "}, "Say why you chose this rating"),
        ({"self-rating": "maturing", "self-rationale": "x" * 5001}, "5,000 characters or fewer"),
    ],
)
def test_self_rating_refuses_bad_input(client, login, hampshire, framework, data, message):
    _, coordinator, _, assessment = hampshire
    login(coordinator)
    response = client.post(f"/assessments/{assessment.id}/strands/culture/self-rating", data=data)
    assert response.status_code == 400
    body = page(response)
    assert "There is a problem" in body and message in body
    if data.get("self-rationale", "").strip() == "x":
        assert ">x</textarea>" in body  # what was typed is kept
    assert assessment.rating_for(strand_of(framework, "culture")).self_rating is None
    assert db.session.scalar(select(HistoryEntry).where(HistoryEntry.kind == "self_rating")) is None


def test_element_rating_form(client, login, hampshire, framework):
    _, coordinator, _, assessment = hampshire
    login(coordinator)
    url = f"/assessments/{assessment.id}/strands/delivery/elements/delivery-processes/rating"
    bad = client.post(url, data={"element-delivery-processes-rating": "mature-early"})
    assert bad.status_code == 400 and "Choose a rating from the list" in page(bad)
    good = client.post(url, data={"element-delivery-processes-rating": "maturing"})
    assert good.status_code == 302
    element = next(e for e in strand_of(framework, "delivery").elements if e.key == "delivery-processes")
    assert assessment.element_rating_for(element).self_rating == "maturing"
    assert client.post(f"/assessments/{assessment.id}/strands/delivery/elements/no-such/rating", data={}).status_code == 404
    assert client.post(f"/assessments/{assessment.id}/strands/culture/elements/delivery-processes/rating", data={}).status_code == 404


def test_agreed_rating_stores_a_snapshot_of_its_inputs(client, login, hampshire, framework):
    _, coordinator, _, assessment = hampshire
    strategy = strand_of(framework, "strategy")
    add_evidence(assessment, strategy.elements[0].features_at(2), "quantitative")
    operations.set_self_rating(assessment, strategy, "maturing", "Self", coordinator)
    operations.carry_in_room_result(assessment, strategy, {"n": 9, "median": "developing-maturing", "counts": {"2": 5, "3": 4}}, coordinator)
    db.session.commit()
    login(coordinator)
    missing = client.post(f"/assessments/{assessment.id}/strands/strategy/agreed-rating", data={"agreed-rating": "developing-maturing"})
    assert missing.status_code == 400 and "Say why you chose this rating" in page(missing)
    response = client.post(
        f"/assessments/{assessment.id}/strands/strategy/agreed-rating",
        data={"agreed-rating": "developing-maturing", "agreed-rationale": "Between the room and the evidence"},
    )
    assert response.status_code == 302
    row = assessment.rating_for(strategy)
    db.session.refresh(row)
    assert row.agreed_rating == "developing-maturing"
    inputs = row.agreed_inputs
    assert inputs["self_rating"] == "maturing"
    assert inputs["room_result"]["median"] == "developing-maturing"
    assert inputs["evidenced_stage"] == 2
    assert inputs["evidence_counts"] == {"qualitative": 0, "quantitative": 1, "total": 1}
    body = page(client.get(f"/assessments/{assessment.id}/strands/strategy"))
    assert "What the agreed rating was decided from" in body


@pytest.mark.parametrize(
    "path",
    [
        "strands/culture/self-rating",
        "strands/culture/agreed-rating",
        "strands/delivery/elements/delivery-structures/rating",
        "strands/culture/actions",
        "status/forward",
        "status/back",
        "next",
    ],
)
def test_contributors_get_403_on_every_change(client, login, hampshire, path):
    _, _, contributor, assessment = hampshire
    login(contributor)
    response = client.post(
        f"/assessments/{assessment.id}/{path}",
        data={"self-rating": "mature", "self-rationale": "x", "agreed-rating": "mature", "agreed-rationale": "x", "back-reason": "x"},
    )
    assert response.status_code == 403
    assert db.session.scalar(select(HistoryEntry).where(HistoryEntry.kind != "status")) is None
    assert assessment.status == "draft"


def test_ratings_are_locked_after_confirmation(client, login, hampshire, framework):
    _, coordinator, _, assessment = hampshire
    assessment.status = "confirmed"
    db.session.commit()
    login(coordinator)
    response = client.post(
        f"/assessments/{assessment.id}/strands/culture/self-rating",
        data={"self-rating": "mature", "self-rationale": "x"},
        follow_redirects=True,
    )
    assert "ratings are locked" in page(response)
    assert assessment.rating_for(strand_of(framework, "culture")).self_rating is None
    assert "/self-rating" not in page(client.get(f"/assessments/{assessment.id}/strands/culture"))
    locked_page = client.get(f"/assessments/{assessment.id}/strands/culture/self-rating", follow_redirects=True)
    assert "ratings are locked" in page(locked_page)


def test_rating_form_with_csrf_on_refuses_a_missing_token(app, client, login, hampshire):
    _, coordinator, _, assessment = hampshire
    login(coordinator)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(
        f"/assessments/{assessment.id}/strands/culture/self-rating",
        data={"self-rating": "mature", "self-rationale": "x"},
    )
    assert response.status_code == 400 and "nothing was saved" in page(response)
    body = page(client.get(f"/assessments/{assessment.id}/strands/culture/self-rating"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', body)
    value = token.group(1) or token.group(2)
    ok = client.post(
        f"/assessments/{assessment.id}/strands/culture/self-rating",
        data={"self-rating": "mature", "self-rationale": "x", "self-csrf_token": value, "csrf_token": value},
    )
    assert ok.status_code == 302


# --------------------------------------------------------------------------------------------
# Lifecycle and history
# --------------------------------------------------------------------------------------------


def test_lifecycle_through_the_status_page(client, login, hampshire, framework):
    _, coordinator, _, assessment = hampshire
    login(coordinator)
    body = page(client.get(f"/assessments/{assessment.id}/status"))
    assert "Move to ‘Evidence gathering’" in body
    assert client.post(f"/assessments/{assessment.id}/status/forward", data={"advance-expected": "evidence"}).status_code == 302
    stale = client.post(f"/assessments/{assessment.id}/status/forward", data={"advance-expected": "evidence"})
    assert stale.status_code == 400 and "moved on" in page(stale)
    assert client.post(f"/assessments/{assessment.id}/status/forward", data={"advance-expected": "workshop"}).status_code == 302
    refused = client.post(f"/assessments/{assessment.id}/status/forward", data={"advance-expected": "agreed"})
    assert refused.status_code == 400 and "Still to agree" in page(refused)
    for strand in framework.strands:
        operations.set_agreed_rating(assessment, strand, "developing", "Agreed", coordinator)
    db.session.commit()
    assert client.post(f"/assessments/{assessment.id}/status/forward", data={"advance-expected": "agreed"}).status_code == 302
    body = page(client.get(f"/assessments/{assessment.id}/status"))
    assert "Governance board" in body and "Minute reference" in body
    missing = client.post(f"/assessments/{assessment.id}/status/forward", data={"advance-expected": "confirmed", "advance-governance_board": "Health and Wellbeing Board"})
    assert missing.status_code == 400
    text = page(missing)
    assert "Enter the date the board confirmed the assessment" in text and "Enter the minute reference" in text
    assert 'value="Health and Wellbeing Board"' in text
    future = client.post(
        f"/assessments/{assessment.id}/status/forward",
        data={"advance-expected": "confirmed", "advance-governance_board": "HWB", "advance-governance_date": ["1", "1", str(date.today().year + 1)], "advance-governance_minute": "M1"},
    )
    assert future.status_code == 400 and "today or in the past" in page(future)
    done = client.post(
        f"/assessments/{assessment.id}/status/forward",
        data={"advance-expected": "confirmed", "advance-governance_board": "Health and Wellbeing Board", "advance-governance_date": ["14", "3", "2017"], "advance-governance_minute": "HWB/17/04"},
    )
    assert done.status_code == 302
    db.session.refresh(assessment)
    assert assessment.status == "confirmed" and assessment.governance_minute == "HWB/17/04"
    body = page(client.get(f"/assessments/{assessment.id}"))
    assert "Confirmed by Health and Wellbeing Board on 14 March 2017" in body

    no_reason = client.post(f"/assessments/{assessment.id}/status/back", data={"back-reason": ""})
    assert no_reason.status_code == 400 and "Say why the assessment is going back a step" in page(no_reason)
    back = client.post(f"/assessments/{assessment.id}/status/back", data={"back-reason": "Board asked for police data"})
    assert back.status_code == 302
    db.session.refresh(assessment)
    assert assessment.status == "agreed"

    history = page(client.get(f"/assessments/{assessment.id}/history"))
    assert "Stepped back: Board asked for police data" in history
    assert "Confirmed by governance" in history and "Agreed with partners" in history
    assert coordinator.name in history
    assert "Agreed rating: Culture" in history


# --------------------------------------------------------------------------------------------
# Action plan
# --------------------------------------------------------------------------------------------


def test_actions_added_edited_and_overdue(client, login, hampshire, make_area):
    area, coordinator, _, assessment = hampshire
    login(coordinator)
    police = next(o for o in area.organisations if o.name.endswith("Police"))
    url = f"/assessments/{assessment.id}/strands/delivery/actions"
    bad = client.post(url, data={"action-description": "", "action-owner_id": "", "action-status": "not_started"})
    assert bad.status_code == 400
    assert "Describe the action" in page(bad) and "Choose the organisation that owns the action" in page(bad)
    other = make_area("Tameside")
    foreign = client.post(url, data={"action-description": "X", "action-owner_id": str(other.organisations[0].id), "action-status": "not_started"})
    assert foreign.status_code == 400 and "partnership" in page(foreign)
    wrong_status = client.post(url, data={"action-description": "X", "action-owner_id": str(police.id), "action-status": "finished"})
    assert wrong_status.status_code == 400 and "Choose a status" in page(wrong_status)
    ok = client.post(url, data={"action-description": "Agree data sharing with police", "action-owner_id": str(police.id), "action-due_date": ["31", "3", "2017"], "action-status": "in_progress"})
    assert ok.status_code == 302
    action = db.session.scalar(select(Action).where(Action.assessment_id == assessment.id))
    assert action.owner_organisation_id == police.id and action.due_date == date(2017, 3, 31)
    plan = page(client.get(f"/assessments/{assessment.id}/actions"))
    assert "Agree data sharing with police" in plan and "Overdue" in plan and "1 overdue" in plan
    edit_url = f"/assessments/{assessment.id}/actions/{action.id}/edit"
    assert "Agree data sharing with police" in page(client.get(edit_url))
    assert client.post(edit_url, data={"description": "Agree data sharing with police", "owner_id": str(police.id), "due_date": ["31", "3", "2017"], "status": "done"}).status_code == 302
    db.session.refresh(action)
    assert action.status == "done"
    assert "Overdue" not in page(client.get(f"/assessments/{assessment.id}/actions"))


# --------------------------------------------------------------------------------------------
# Every route answers 404 to another area's coordinator
# --------------------------------------------------------------------------------------------


def test_every_assessments_route_is_404_for_another_areas_coordinator(app, client, login, hampshire, make_area, make_user, framework):
    area, coordinator, _, assessment = hampshire
    action = operations.add_action(assessment, strand_of(framework, "culture"), "Do it", None, None, coordinator)
    db.session.commit()
    other_area = make_area("Tameside")
    login(make_user("coordinator", other_area))
    values = {
        "assessment_id": assessment.id, "area_id": area.id, "strand_key": "delivery",
        "element_key": "delivery-structures", "action_id": action.id,
    }
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("assessments."):
            continue
        url = rule.build({name: values[name] for name in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={"title": "x"})
            assert response.status_code == 404, (method, url, response.status_code)
            assert "Self-assessment 2016" not in page(response)
            checked += 1
    assert checked >= 20


# --------------------------------------------------------------------------------------------
# Next cycle and trend
# --------------------------------------------------------------------------------------------


def test_start_the_next_cycle_and_see_the_trend(app, client, login, hampshire, framework):
    area, coordinator, _, assessment = hampshire
    assessment.period_start = date(2016, 4, 1)
    culture = strand_of(framework, "culture")
    operations.set_self_rating(assessment, culture, "developing", "Self", coordinator)
    operations.set_agreed_rating(assessment, culture, "developing-maturing", "Agreed", coordinator)
    add_evidence(assessment, culture.elements[0].features_at(2), title="Staff survey 2016")
    add_evidence(assessment, culture.elements[0].features_at(3), title="Dropped", status="rejected")
    db.session.commit()
    login(coordinator)
    form = page(client.get(f"/assessments/{assessment.id}/next"))
    assert "Self-assessment 2017" in form  # the year moved on
    assert "1 evidence item (everything not rejected) will be carried forward" in form
    response = client.post(
        f"/assessments/{assessment.id}/next",
        data={"title": "Self-assessment 2017", "period_label": "2017 to 2018", "period_start": ["1", "4", "2017"], "framework_id": str(framework.id)},
    )
    assert response.status_code == 302
    new = db.session.scalar(select(Assessment).where(Assessment.title == "Self-assessment 2017"))
    assert new.previous_id == assessment.id
    carried = db.session.scalars(select(Evidence).where(Evidence.assessment_id == new.id)).all()
    assert [e.title for e in carried] == ["Staff survey 2016"] and carried[0].carried_from_id is not None
    shown = page(client.get(response.headers["Location"]))
    assert "1 evidence item carried forward" in shown and "Follows" in shown
    operations.set_self_rating(new, strand_of(framework, "culture"), "maturing", "Better", coordinator)
    db.session.commit()

    trend = page(client.get(f"/assessments/{new.id}/trend"))
    data = json.loads(re.search(r'<script type="application/json" id="trend-chart-data">(.*?)</script>', trend, re.S).group(1))
    assert data["labels"] == ["2016 to 2017", "2017 to 2018"]
    culture_line = next(d for d in data["datasets"] if d["label"] == "Culture")
    assert culture_line["data"] == [2.5, 3.0]
    assert "Developing–Maturing" in trend and "(agreed)" in trend and "(self rating)" in trend
    assert "<caption" in trend  # the table beside the chart
    assert re.search(r'<script src="[^"]*chart\.umd\.min\.js" integrity="sha384-[^"]+" crossorigin="anonymous">', trend)
    assert "/static/js/assessments.js" in trend
    # No inline script apart from the nonce'd GOV.UK initialiser.
    scripts = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)([^>]*)>", trend)
    assert all("nonce=" in attrs for attrs in scripts)


def test_next_cycle_refuses_bad_input(client, login, hampshire, framework):
    _, coordinator, _, assessment = hampshire
    login(coordinator)
    response = client.post(f"/assessments/{assessment.id}/next", data={"title": "", "period_label": "", "framework_id": str(framework.id)})
    assert response.status_code == 400 and "Enter a title" in page(response)
    assert db.session.scalar(select(Assessment).where(Assessment.previous_id == assessment.id)) is None


# --------------------------------------------------------------------------------------------
# One-page summary and exports
# --------------------------------------------------------------------------------------------


@pytest.fixture
def rated(hampshire, framework):
    area, coordinator, _, assessment = hampshire
    leadership = strand_of(framework, "leadership")
    operations.set_self_rating(assessment, leadership, "developing", "Strong governance by a strategic board", coordinator)
    operations.set_self_rating(assessment, strand_of(framework, "workforce-development"), "developing-maturing", "=HYPERLINK(\"http://evil\")", coordinator)
    delivery = strand_of(framework, "delivery")
    operations.set_self_rating(assessment, delivery, "developing-maturing", "Per element", coordinator)
    structures, processes = delivery.elements
    operations.set_element_rating(assessment, structures, "developing", "Data sharing still hard", coordinator)
    operations.set_element_rating(assessment, processes, "maturing", "Integrated family plans", coordinator)
    operations.set_agreed_rating(assessment, strand_of(framework, "strategy"), "maturing", "Agreed at the workshop", coordinator)
    add_evidence(assessment, leadership.elements[0].features_at(2), title="Board terms of reference", organisation_id=area.organisations[0].id)
    add_evidence(assessment, leadership.elements[0].features_at(3), title="Draft paper", status="draft")
    add_evidence(assessment, leadership.elements[1].features_at(2), title="Rejected paper", status="rejected")
    operations.add_action(assessment, delivery, "Agree data sharing", area.organisations[1], date(2017, 3, 31), coordinator, status="in_progress")
    db.session.commit()
    return assessment


def test_summary_page_is_like_hampshires_table(client, login, hampshire, rated):
    login(hampshire[2])  # any member of the area may read it
    body = page(client.get(f"/assessments/{rated.id}/summary"))
    assert "Transformation strand" in body and "Summary of key evidence" in body
    assert ">D<" in body and ">D–M<" in body and ">M<" in body
    assert "Strong governance by a strategic board" in body
    assert "Board terms of reference" in body
    assert "Draft paper" not in body and "Rejected paper" not in body  # accepted evidence only
    # Delivery's elements were rated differently, so each gets its own row, as Hampshire's did.
    assert "Delivery structures" in body and "Data sharing still hard" in body
    assert "summary.xlsx" in body and "summary.csv" in body
    assert "data-print" in body


def test_summary_csv(client, login, hampshire, rated):
    login(hampshire[1])
    response = client.get(f"/assessments/{rated.id}/summary.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Strand", "Element", "Rating"]
    by_strand = {(row[0], row[1]): row for row in rows[1:]}
    leadership = by_strand[("Leadership", "")]
    assert leadership[2:5] == ["D", "Developing", "Self rating"]
    assert "Accepted evidence: Board terms of reference" in leadership[6]
    assert by_strand[("Strategy", "")][2:5] == ["M", "Maturing", "Agreed"]
    assert by_strand[("Delivery structures and processes", "Delivery structures")][2] == "D"
    assert by_strand[("Delivery structures and processes", "Delivery processes")][2] == "M"
    assert by_strand[("Workforce development", "")][6].startswith("'=")  # never a formula
    assert by_strand[("Culture", "")][3] == "Not rated yet"


def test_summary_xlsx_has_three_sheets(client, login, hampshire, rated):
    login(hampshire[1])
    response = client.get(f"/assessments/{rated.id}/summary.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Summary", "Evidence register", "Action plan"]
    summary = [[c.value for c in row] for row in workbook["Summary"].iter_rows()]
    assert summary[0][0] == "Strand"
    assert any(row[0] == "Leadership" and row[2] == "D" for row in summary)
    assert all(not str(row[6] or "").startswith("=") for row in summary)
    evidence = [[c.value for c in row] for row in workbook["Evidence register"].iter_rows()]
    titles = {row[0]: row for row in evidence[1:]}
    assert set(titles) == {"Board terms of reference", "Draft paper", "Rejected paper"}
    assert titles["Board terms of reference"][1] == "Leadership"
    assert titles["Board terms of reference"][13] == "Accepted"
    assert titles["Rejected paper"][13] == "Rejected"
    actions = [[c.value for c in row] for row in workbook["Action plan"].iter_rows()]
    assert actions[1][:3] == ["Delivery", "Agree data sharing", "Hampshire Police"]
    assert actions[1][5] == "Overdue"


def test_exports_survive_hostile_text(client, login, hampshire, framework):
    _, coordinator, _, assessment = hampshire
    operations.set_self_rating(assessment, strand_of(framework, "culture"), "mature", "Bell \x07 and <script>alert(1)</script> 東京 \u202e", coordinator)
    db.session.commit()
    login(coordinator)
    assert client.get(f"/assessments/{assessment.id}/summary.xlsx").status_code == 200
    body = page(client.get(f"/assessments/{assessment.id}/summary"))
    assert "<script>alert(1)" not in body and "&lt;script&gt;" in body


# --------------------------------------------------------------------------------------------
# No query per row
# --------------------------------------------------------------------------------------------


def count_queries(client, url) -> int:
    from sqlalchemy import event

    statements = []
    # Requests in these tests share the fixture's app context, so its session and `g`: start
    # each from an empty session and no cached user, as a real request does.
    from flask import g

    db.session.remove()
    g.pop("_login_user", None)

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200, url
    return len(statements)


def add_rows(assessment, framework, area, user, start, how_many):
    strands = framework.strands
    for index in range(start, start + how_many):
        features = [f for e in strands[index % len(strands)].elements for f in e.features]
        feature = features[(index // len(strands)) % len(features)]
        add_evidence(
            assessment, [feature], "quantitative" if index % 2 else "qualitative",
            ["accepted", "draft", "rejected"][index % 3], title=f"Item {index}",
            organisation_id=area.organisations[index % 2].id, created_by_id=user.id,
        )
        strand = framework.strands[index % len(framework.strands)]
        operations.add_action(assessment, strand, f"Action {index}", area.organisations[index % 2], date(2017, 1, 1), user)
        operations.set_self_rating(assessment, strand, ["developing", "maturing"][index % 2], f"Reason {index}", user)
    db.session.commit()


def test_pages_do_not_query_per_row(client, login, hampshire, framework, make_assessment):
    area, coordinator, _, assessment = hampshire
    make_assessment(area=area, title="Earlier cycle")
    login(coordinator)
    ids = (assessment.id, area.id, coordinator.id, framework.id)
    add_rows(assessment, framework, area, coordinator, 0, 3)
    paths = ["", "/strands/leadership", "/summary", "/summary.csv", "/summary.xlsx", "/history", "/actions", "/trend", "/status", "/next"]
    few = {path: count_queries(client, f"/assessments/{ids[0]}{path}") for path in paths}
    from maturity.models import Area, FrameworkVersion, User

    assessment, area, coordinator = db.session.get(Assessment, ids[0]), db.session.get(Area, ids[1]), db.session.get(User, ids[2])
    add_rows(assessment, db.session.get(FrameworkVersion, ids[3]), area, coordinator, 3, 30)
    many = {path: count_queries(client, f"/assessments/{ids[0]}{path}") for path in paths}
    assert many == few
    assert max(many.values()) <= 25, many


def test_partial_room_results_are_shown_without_errors(client, login, hampshire, framework):
    _, coordinator, _, assessment = hampshire
    strands = framework.strands
    operations.carry_in_room_result(assessment, strands[0], {"median": "maturing"}, coordinator)
    operations.carry_in_room_result(assessment, strands[1], {"counts": {"1": 2, "2": 2}, "abstentions": 1}, coordinator)
    operations.carry_in_room_result(assessment, strands[2], {"counts": "garbled", "median": "nonsense", "n": 3}, coordinator)
    db.session.commit()
    login(coordinator)
    body = page(client.get(f"/assessments/{assessment.id}"))
    assert "Maturing" in body and "Early–Developing" in body and "No median" in body
    for strand in strands[:3]:
        assert client.get(f"/assessments/{assessment.id}/strands/{strand.key}").status_code == 200
    history = page(client.get(f"/assessments/{assessment.id}/history"))
    assert "Workshop result carried in" in history


def test_someone_granted_one_assessment_sees_no_other_cycle(client, login, hampshire, make_user, make_assessment, monkeypatch):
    from maturity import access

    area, coordinator, _, first = hampshire
    second, _ = operations.start_next_cycle(first, "Secret second cycle", "2017 to 2018", coordinator)
    db.session.commit()
    outsider = make_user()
    granted_id = second.id
    monkeypatch.setattr(
        access, "GRANTS",
        [lambda user, need, obj: need == "view" and user.id == outsider.id and isinstance(obj, Assessment) and obj.id == granted_id],
    )
    login(outsider)
    assert client.get(f"/assessments/{first.id}").status_code == 404
    shown = page(client.get(f"/assessments/{second.id}"))
    assert "Secret second cycle" in shown and "Self-assessment 2016" not in shown  # no "Follows" link
    trend = page(client.get(f"/assessments/{second.id}/trend"))
    assert "2017 to 2018" in trend and "2016 to 2017" not in trend
