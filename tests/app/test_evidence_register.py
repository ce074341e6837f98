"""The evidence register: adding, validating, reviewing, editing, filtering, grouping, staleness."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from maturity.evidence import operations
from maturity.extensions import db
from maturity.models import Evidence, Feature, HistoryEntry


@pytest.fixture
def setting(make_area, make_user, make_assessment, framework):
    """An area with a coordinator, a police contributor, an assessment and some features."""
    from maturity.admin import operations as admin

    area = make_area("Hampshire")
    council, police = area.organisations[0], area.organisations[1]
    coordinator = make_user("coordinator", area)
    partner = make_user()
    admin.set_membership(partner, area, "contributor", police)
    db.session.commit()
    assessment = make_assessment(area, title="Early help maturity self-assessment 2016")
    features = {
        f.key: f for f in db.session.scalars(select(Feature).where(Feature.framework_id == framework.id))
    }
    return {
        "area": area,
        "council": council,
        "police": police,
        "coordinator": coordinator,
        "partner": partner,
        "assessment": assessment,
        "features": features,
    }


def form_data(setting, **overrides):
    features = setting["features"]
    data = {
        "title": "Strategic board terms of reference",
        "description": "Partners on the board and what it decides.",
        "organisation_id": str(setting["council"].id),
        "kind": "qualitative",
        "about_date": ["31", "3", "2016"],
        "source_type": setting["assessment"].framework.strands[1].evidence_sources[1],
        "source_other": "",
        "link": "https://www.example.org/board",
        "features": [str(features["lead-dm-dev-1"].id), str(features["lead-pc-dev-1"].id)],
    }
    data.update(overrides)
    return data


def add(setting, user=None, status="draft", **fields):
    """Add an item through the operation (faster than the form)."""
    features = fields.pop("features", ["lead-dm-dev-1"])
    values = {
        "title": "Item",
        "description": None,
        "organisation_id": setting["council"].id,
        "kind": "qualitative",
        "about_date": date.today() - timedelta(days=10),
        "source_type": "Other source",
        "link": None,
    }
    values.update(fields)
    evidence = operations.add_evidence(
        setting["assessment"], user or setting["coordinator"], values, [setting["features"][k] for k in features]
    )
    if status != "draft":
        operations.review_evidence(evidence, setting["coordinator"], status, "Not relevant" if status == "rejected" else None)
    db.session.commit()
    return evidence


# -- adding ----------------------------------------------------------------------------------


def test_partner_adds_evidence_as_a_draft(client, login, setting):
    login(setting["partner"])
    url = f"/assessments/{setting['assessment'].id}/evidence/new"
    page = client.get(url).get_data(as_text=True)
    # The owner organisation defaults to the partner's own.
    assert re.search(rf'<option value="{setting["police"].id}" selected', page)
    assert "Features this evidence supports" in page
    response = client.post(url, data=form_data(setting, organisation_id=str(setting["police"].id)))
    assert response.status_code == 302
    evidence = db.session.scalar(select(Evidence))
    assert evidence.status == "draft"
    assert evidence.organisation_id == setting["police"].id
    assert evidence.about_date == date(2016, 3, 31)
    assert evidence.created_by_id == setting["partner"].id
    assert {f.key for f in evidence.features} == {"lead-dm-dev-1", "lead-pc-dev-1"}
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Strategic board terms of reference" in shown and "Draft" in shown


def test_quantitative_evidence_keeps_its_figures(client, login, setting):
    login(setting["coordinator"])
    data = form_data(
        setting, kind="quantitative", value="1,240", unit="families", baseline="980", period="2015 to 2016"
    )
    assert client.post(f"/assessments/{setting['assessment'].id}/evidence/new", data=data).status_code == 302
    evidence = db.session.scalar(select(Evidence))
    assert (evidence.value, evidence.unit, evidence.baseline, evidence.period) == (1240, "families", 980, "2015 to 2016")


def test_qualitative_evidence_drops_stray_figures(client, login, setting):
    login(setting["coordinator"])
    data = form_data(setting, kind="qualitative", value="12", unit="x")
    client.post(f"/assessments/{setting['assessment'].id}/evidence/new", data=data)
    evidence = db.session.scalar(select(Evidence))
    assert evidence.value is None and evidence.unit is None


def test_other_source_needs_describing_and_is_stored(client, login, setting):
    login(setting["coordinator"])
    url = f"/assessments/{setting['assessment'].id}/evidence/new"
    page = client.post(url, data=form_data(setting, source_type="__other__", source_other="")).get_data(as_text=True)
    assert "Describe the source of the evidence" in page
    client.post(url, data=form_data(setting, source_type="__other__", source_other="District council minutes"))
    assert db.session.scalar(select(Evidence.source_type)) == "District council minutes"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Enter a title for the evidence"),
        ({"title": "x" * 201}, "Title must be 200 characters or fewer"),
        ({"kind": ""}, "Select whether the evidence is qualitative or quantitative"),
        ({"kind": "anecdote"}, "Not a valid choice"),
        ({"kind": "quantitative", "value": ""}, "Enter the value for quantitative evidence"),
        ({"kind": "quantitative", "value": "lots"}, "Value must be a number"),
        ({"kind": "quantitative", "value": "nan"}, "Value must be a number"),
        ({"kind": "quantitative", "value": "3", "baseline": "some"}, "Baseline must be a number"),
        ({"features": []}, "Select at least one feature the evidence supports"),
        ({"features": ["999999"]}, "Select features from this assessment"),
        ({"features": ["abc"]}, "Select"),
        ({"link": "javascript:alert(1)"}, "Enter a link starting http:// or https://"),
        ({"link": "ftp://example.org/file"}, "Enter a link starting http:// or https://"),
        ({"link": "https://"}, "Enter a link starting http:// or https://"),
        ({"about_date": ["31", "2", "2016"]}, "must be a real date"),
        ({"about_date": ["", "2", "2016"]}, "must include a day"),
        ({"about_date": ["1", "1", str(date.today().year + 1)]}, "must be today or in the past"),
        ({"source_type": ""}, "Select the source of the evidence"),
        ({"source_type": "Something made up"}, "Not a valid choice"),
        ({"organisation_id": ""}, "Select the organisation that owns the evidence"),
        ({"organisation_id": "999999"}, "Not a valid choice"),
    ],
)
def test_bad_input_shows_errors_and_keeps_what_was_typed(client, login, setting, overrides, message):
    login(setting["coordinator"])
    data = form_data(setting, description="Kept description text", **overrides)
    response = client.post(f"/assessments/{setting['assessment'].id}/evidence/new", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert message in page
    assert "Kept description text" in page
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0


def test_features_stay_ticked_after_an_error(client, login, setting):
    login(setting["coordinator"])
    feature = setting["features"]["str-mat-2"]
    page = client.post(
        f"/assessments/{setting['assessment'].id}/evidence/new",
        data=form_data(setting, title="", features=[str(feature.id)]),
    ).get_data(as_text=True)
    assert re.search(rf'value="{feature.id}" checked', page)


def test_another_areas_organisation_cannot_own_evidence(client, login, setting, make_area):
    other = make_area("Tameside")
    login(setting["coordinator"])
    page = client.post(
        f"/assessments/{setting['assessment'].id}/evidence/new",
        data=form_data(setting, organisation_id=str(other.organisations[0].id)),
    ).get_data(as_text=True)
    assert "Not a valid choice" in page
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0


def test_evidence_form_works_with_csrf_on(app, client, login, setting):
    app.config["WTF_CSRF_ENABLED"] = True
    login_page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page) or re.search(
        r'name="csrf_token" value="([^"]+)"', login_page
    )
    client.post("/sign-in", data={"email": setting["coordinator"].email, "password": "correct-horse-battery", "csrf_token": token.group(1)})
    url = f"/assessments/{setting['assessment'].id}/evidence/new"
    assert client.post(url, data=form_data(setting)).status_code == 400
    page = client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post(url, data=form_data(setting, csrf_token=token)).status_code == 302


# -- reviewing and editing ------------------------------------------------------------------


def test_coordinator_accepts_and_it_is_in_the_history(client, login, setting):
    evidence = add(setting, user=setting["partner"], title="Police secondments")
    login(setting["coordinator"])
    page = client.get(f"/evidence/{evidence.id}").get_data(as_text=True)
    assert "Accept or reject" in page
    response = client.post(f"/evidence/{evidence.id}/review", data={"decision": "accepted"})
    assert response.status_code == 302
    db.session.refresh(evidence)
    assert evidence.status == "accepted" and evidence.reviewed_by_id == setting["coordinator"].id
    entry = db.session.scalar(select(HistoryEntry).where(HistoryEntry.kind == "evidence_status"))
    assert (entry.subject, entry.from_value, entry.to_value) == ("Police secondments", "Draft", "Accepted")
    assert entry.user_id == setting["coordinator"].id


def test_rejecting_needs_a_reason_which_is_recorded(client, login, setting):
    evidence = add(setting, title="Unsigned data sharing agreement")
    login(setting["coordinator"])
    page = client.post(f"/evidence/{evidence.id}/review", data={"decision": "rejected", "reason": "  "})
    assert page.status_code == 400
    assert "Enter the reason for rejecting the evidence" in page.get_data(as_text=True)
    db.session.refresh(evidence)
    assert evidence.status == "draft"
    client.post(f"/evidence/{evidence.id}/review", data={"decision": "rejected", "reason": "It is an unsigned draft."})
    db.session.refresh(evidence)
    assert evidence.status == "rejected" and evidence.status_reason == "It is an unsigned draft."
    entry = db.session.scalar(select(HistoryEntry).where(HistoryEntry.kind == "evidence_status"))
    assert entry.note == "It is an unsigned draft." and entry.to_value == "Rejected"
    shown = client.get(f"/evidence/{evidence.id}").get_data(as_text=True)
    assert "It is an unsigned draft." in shown


def test_bad_decision_is_refused(client, login, setting):
    evidence = add(setting)
    login(setting["coordinator"])
    response = client.post(f"/evidence/{evidence.id}/review", data={"decision": "promoted"})
    assert response.status_code == 400
    db.session.refresh(evidence)
    assert evidence.status == "draft"


def test_contributor_cannot_accept_even_their_own_evidence(client, login, setting):
    evidence = add(setting, user=setting["partner"], organisation_id=setting["police"].id)
    login(setting["partner"])
    assert "Accept or reject" not in client.get(f"/evidence/{evidence.id}").get_data(as_text=True)
    assert client.post(f"/evidence/{evidence.id}/review", data={"decision": "accepted"}).status_code == 403
    db.session.refresh(evidence)
    assert evidence.status == "draft"


def test_editing_accepted_evidence_returns_it_to_draft(client, login, setting):
    evidence = add(setting, status="accepted", title="Family plan template", features=["del-dp-mat-1"])
    login(setting["coordinator"])
    page = client.get(f"/evidence/{evidence.id}/edit").get_data(as_text=True)
    assert "Family plan template" in page and "becomes a draft again" in page
    data = form_data(setting, title="Family plan template (2017 version)", features=[str(setting["features"]["del-dp-mat-1"].id)])
    assert client.post(f"/evidence/{evidence.id}/edit", data=data).status_code == 302
    db.session.refresh(evidence)
    assert evidence.status == "draft" and evidence.reviewed_by_id is None
    entry = db.session.scalar(select(HistoryEntry).where(HistoryEntry.kind == "evidence_status"))
    assert entry is not None
    entries = list(db.session.scalars(select(HistoryEntry).where(HistoryEntry.kind == "evidence_status").order_by(HistoryEntry.id)))
    assert [(e.from_value, e.to_value) for e in entries] == [("Draft", "Accepted"), ("Accepted", "Draft")]


def test_saving_accepted_evidence_unchanged_keeps_it_accepted(client, login, setting):
    evidence = add(setting, status="accepted")
    login(setting["coordinator"])
    page = client.get(f"/evidence/{evidence.id}/edit").get_data(as_text=True)
    assert 'value="Item"' in page
    data = {
        "title": "Item", "description": "", "organisation_id": str(setting["council"].id), "kind": "qualitative",
        "about_date": [str(evidence.about_date.day), str(evidence.about_date.month), str(evidence.about_date.year)],
        "source_type": "__other__", "source_other": "Other source", "link": "",
        "features": [str(setting["features"]["lead-dm-dev-1"].id)],
    }
    assert client.post(f"/evidence/{evidence.id}/edit", data=data).status_code == 302
    db.session.refresh(evidence)
    assert evidence.status == "accepted"


def test_partners_edit_only_their_own_or_their_organisations_evidence(client, login, setting, make_user):
    from maturity.admin import operations as admin

    mine = add(setting, user=setting["partner"], organisation_id=setting["council"].id)
    ours = add(setting, user=setting["coordinator"], organisation_id=setting["police"].id)
    theirs = add(setting, user=setting["coordinator"], organisation_id=setting["council"].id)
    login(setting["partner"])
    assert client.get(f"/evidence/{mine.id}/edit").status_code == 200
    assert client.get(f"/evidence/{ours.id}/edit").status_code == 200
    assert client.get(f"/evidence/{theirs.id}/edit").status_code == 403
    assert client.post(f"/evidence/{theirs.id}/edit", data=form_data(setting)).status_code == 403
    reviewer = make_user()
    admin.set_membership(reviewer, setting["area"], "reviewer")
    db.session.commit()
    client.post("/sign-out")
    login(reviewer)
    assert client.get(f"/evidence/{mine.id}").status_code == 200
    assert client.get(f"/evidence/{mine.id}/edit").status_code == 403
    assert client.get(f"/assessments/{setting['assessment'].id}/evidence/new").status_code == 403


def test_remove_evidence(client, login, setting):
    evidence = add(setting, user=setting["partner"], title="Duplicate item")
    accepted = add(setting, user=setting["partner"], status="accepted")
    login(setting["partner"])
    assert client.get(f"/evidence/{accepted.id}/delete").status_code == 403
    assert "Remove ‘Duplicate item’" in client.get(f"/evidence/{evidence.id}/delete").get_data(as_text=True)
    response = client.post(f"/evidence/{evidence.id}/delete")
    assert response.status_code == 302
    assert db.session.get(Evidence, evidence.id) is None
    assert db.session.scalar(select(HistoryEntry).where(HistoryEntry.kind == "evidence_removed")).subject == "Duplicate item"


# -- register, filters, groups, staleness ---------------------------------------------------


@pytest.fixture
def register_items(setting):
    return {
        "board": add(setting, title="Strategic board minutes", description="Decisions by partners",
                     features=["lead-dm-dev-1"], status="accepted"),
        "secondments": add(setting, user=setting["partner"], title="Police secondments", organisation_id=setting["police"].id,
                           features=["lead-pc-dev-1"], description="Officers in the family team"),
        "work": add(setting, title="Families into work", kind="quantitative", value=312, unit="families",
                    features=["fe-mat-4"], status="accepted"),
        "agreement": add(setting, title="Data sharing agreement (unsigned)", features=["del-ds-mat-3"],
                         organisation_id=setting["police"].id, status="rejected"),
        "old": add(setting, title="2013 family survey", features=["fe-dev-3"], about_date=date.today() - timedelta(days=900)),
    }


def titles(page: str) -> set[str]:
    return set(re.findall(r'href="/evidence/\d+">([^<]+)</a>', page))


ALL = {"Strategic board minutes", "Police secondments", "Families into work", "Data sharing agreement (unsigned)", "2013 family survey"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ALL),
        ("kind=quantitative", {"Families into work"}),
        ("kind=qualitative", ALL - {"Families into work"}),
        ("status=accepted", {"Strategic board minutes", "Families into work"}),
        ("status=rejected", {"Data sharing agreement (unsigned)"}),
        ("status=draft", {"Police secondments", "2013 family survey"}),
        ("stale=stale", {"2013 family survey"}),
        ("stale=current", ALL - {"2013 family survey"}),
        ("q=police", {"Police secondments"}),
        ("q=PARTNERS", {"Strategic board minutes"}),
        ("q=family+team", {"Police secondments"}),
        ("q=100%25", set()),
        ("q=_", set()),
        ("kind=bogus&status=bogus&stale=bogus&strand=abc&organisation=xyz", ALL),
    ],
)
def test_register_filters_and_search(client, login, setting, register_items, query, expected):
    login(setting["partner"])
    response = client.get(f"/assessments/{setting['assessment'].id}/evidence?{query}")
    assert response.status_code == 200
    assert titles(response.get_data(as_text=True)) == expected


def test_filter_by_strand_and_organisation(client, login, setting, register_items):
    login(setting["coordinator"])
    strands = {s.key: s for s in setting["assessment"].framework.strands}
    url = f"/assessments/{setting['assessment'].id}/evidence"
    assert titles(client.get(f"{url}?strand={strands['leadership'].id}").get_data(as_text=True)) == {
        "Strategic board minutes", "Police secondments"
    }
    assert titles(client.get(f"{url}?organisation={setting['police'].id}").get_data(as_text=True)) == {
        "Police secondments", "Data sharing agreement (unsigned)"
    }
    assert titles(
        client.get(f"{url}?organisation={setting['police'].id}&status=draft").get_data(as_text=True)
    ) == {"Police secondments"}


def test_register_by_strand_and_by_partner(client, login, setting, register_items):
    login(setting["coordinator"])
    url = f"/assessments/{setting['assessment'].id}/evidence"
    by_strand = client.get(f"{url}?view=strand").get_data(as_text=True)
    for strand in setting["assessment"].framework.strands:
        assert f'id="strand-{strand.key}"' in by_strand
    leadership = by_strand.split('id="strand-leadership"')[1].split('id="strand-')[0]
    assert titles(leadership) == {"Strategic board minutes", "Police secondments"}
    by_partner = client.get(f"{url}?view=organisation").get_data(as_text=True)
    police = by_partner.split(f'id="organisation-{setting["police"].id}"')[1].split('<h2')[0]
    assert titles(police) == {"Police secondments", "Data sharing agreement (unsigned)"}


def test_stale_marker_follows_the_setting(app, client, login, setting, register_items):
    login(setting["coordinator"])
    old = register_items["old"]
    assert "Stale" in client.get(f"/evidence/{old.id}").get_data(as_text=True)
    assert "Stale" not in client.get(f"/evidence/{register_items['board'].id}").get_data(as_text=True)
    app.config["EVIDENCE_STALE_DAYS"] = 5
    url = f"/assessments/{setting['assessment'].id}/evidence?stale=stale"
    assert titles(client.get(url).get_data(as_text=True)) == ALL
    app.config["EVIDENCE_STALE_DAYS"] = 1000
    assert titles(client.get(url).get_data(as_text=True)) == set()


def test_stale_uses_the_created_date_when_there_is_no_about_date(app, setting):
    evidence = add(setting, about_date=None)
    evidence.created_at = evidence.created_at - timedelta(days=400)
    db.session.commit()
    assert evidence.is_stale(date.today(), 365)
    assert not evidence.is_stale(date.today(), 500)
    from maturity.evidence import queries

    stale = queries.register(setting["assessment"], queries.Filters(stale="stale"), date.today(), 365)
    assert [e.id for e in stale] == [evidence.id]


def test_carried_forward_items_are_marked(client, login, setting, make_assessment):
    original = add(setting, title="Board minutes 2016")
    copy = add(setting, title="Board minutes carried")
    copy.carried_from_id = original.id
    db.session.commit()
    login(setting["coordinator"])
    page = client.get(f"/assessments/{setting['assessment'].id}/evidence").get_data(as_text=True)
    row = page.split("Board minutes carried")[1].split("</tr>")[0]
    assert "Carried forward" in row
    assert "Carried forward" not in page.split("Board minutes 2016")[1].split("</tr>")[0]
    shown = client.get(f"/evidence/{copy.id}").get_data(as_text=True)
    assert "Carried forward from" in shown and f'href="/evidence/{original.id}"' in shown


def test_empty_register_says_so(client, login, setting):
    login(setting["coordinator"])
    page = client.get(f"/assessments/{setting['assessment'].id}/evidence").get_data(as_text=True)
    assert "No evidence has been added to this register yet." in page
    assert "Add evidence" in page


def test_hostile_text_is_escaped(client, login, setting):
    add(setting, title="<script>alert(1)</script>", description="<img src=x onerror=alert(1)>")
    login(setting["coordinator"])
    page = client.get(f"/assessments/{setting['assessment'].id}/evidence").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<img src=x" not in page


# -- framework reloads keep linked features --------------------------------------------------


def test_features_linked_to_evidence_count_as_in_use(setting):
    from maturity.framework.operations import FEATURE_IN_USE_CHECKS, feature_in_use

    assert operations.evidence_links_feature in FEATURE_IN_USE_CHECKS
    assert FEATURE_IN_USE_CHECKS.count(operations.evidence_links_feature) == 1
    feature = setting["features"]["str-mat-2"]
    assert not feature_in_use(feature)
    add(setting, features=["str-mat-2"])
    assert feature_in_use(feature)


def test_operations_refuse_bad_values(setting):
    with pytest.raises(ValueError):
        add(setting, kind="anecdote")
    db.session.rollback()
    with pytest.raises(ValueError):
        add(setting, kind="quantitative", value=None)
    db.session.rollback()
    with pytest.raises(ValueError):
        add(setting, features=[])
    db.session.rollback()
    with pytest.raises(ValueError):
        add(setting, link="javascript:alert(1)")
    db.session.rollback()
    evidence = add(setting)
    with pytest.raises(ValueError):
        operations.review_evidence(evidence, setting["coordinator"], "rejected", "")
