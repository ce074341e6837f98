"""Comparison of two assessments: the page, its exports and GET /api/v1/compare.

Any two assessments the user may see compare side by side; one they may not see answers 404 and
the response holds nothing of either assessment."""

import csv
import io
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from maturity.auth import tokens
from maturity.extensions import db
from maturity.models import Evidence, Feature
from maturity.reviews import operations


@pytest.fixture
def two(make_area, make_user, make_assessment, framework):
    leeds = make_area("Leeds", kind="metropolitan")
    norfolk = make_area("Norfolk")
    coordinator = make_user("coordinator", leeds)
    outsider = make_user("coordinator", norfolk)
    first = make_assessment(leeds, title="Leeds first cycle", period_label="2016 to 2017")
    second = make_assessment(leeds, title="Leeds second cycle", period_label="2017 to 2018")
    hidden = make_assessment(norfolk, title="Norfolk private assessment", period_label="2016 to 2017")
    strands = {s.key: s for s in framework.strands}
    first.rating_for(strands["culture"]).self_rating = "developing"
    first.rating_for(strands["culture"]).agreed_rating = "developing"
    second.rating_for(strands["culture"]).agreed_rating = "maturing"
    first.rating_for(strands["leadership"]).agreed_rating = "developing"
    second.rating_for(strands["leadership"]).agreed_rating = "developing-maturing"
    second.rating_for(strands["strategy"]).room_result = {
        "n": 6, "counts": {"1": 0, "2": 1, "3": 4, "4": 1}, "mean": 3.0, "median": "maturing", "consensus": 0.7,
    }
    features = list(db.session.scalars(select(Feature).where(Feature.framework_id == framework.id, Feature.key.in_(["str-dev-1", "str-dev-2"]))))
    db.session.add_all(
        [
            Evidence(assessment=second, title="Strategy", kind="qualitative", status="accepted", features=features),
            Evidence(assessment=second, title="Figures", kind="quantitative", status="draft", features=features[:1]),
            Evidence(assessment=second, title="Rejected", kind="quantitative", status="rejected", features=features),
        ]
    )
    db.session.commit()
    return SimpleNamespace(**locals())


def compare(client, a, b, path="/compare"):
    return client.get(path, query_string={"a": a, "b": b})


def test_two_cycles_of_one_area_side_by_side(client, login, two):
    login(two.coordinator)
    response = compare(client, two.first.id, two.second.id)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Leeds and Leeds side by side" in body
    assert "A: 2016 to 2017" in body and "B: 2017 to 2018" in body  # one area: the cycles name the sides
    assert body.count("Differs by 1 stage") >= 1  # culture: developing to maturing
    assert "Differs by half a stage" in body  # leadership
    assert "6 votes, consensus 0.70" in body
    assert "2 items: 1 qualitative, 1 quantitative" in body  # the rejected item does not count
    assert "Download as a spreadsheet (XLSX)" in body
    assert 'data-chart="radar"' in body and 'data-chart="evidence"' in body
    assert "<caption" in body and 'scope="row"' in body


def test_picker_lists_only_assessments_the_user_may_see(client, login, two):
    login(two.coordinator)
    page = client.get("/compare").get_data(as_text=True)
    assert "Leeds first cycle" in page and "Leeds second cycle" in page
    assert "Norfolk" not in page


@pytest.mark.parametrize("hidden_side", ["a", "b"])
def test_refuses_an_assessment_the_user_may_not_see(client, login, two, hidden_side):
    login(two.coordinator)
    ids = {"a": two.first.id, "b": two.hidden.id} if hidden_side == "b" else {"a": two.hidden.id, "b": two.first.id}
    for path in ("/compare", "/compare.csv", "/compare.xlsx"):
        response = compare(client, ids["a"], ids["b"], path)
        assert response.status_code == 404, path
        body = response.get_data(as_text=True)
        for secret in ("Norfolk", "Leeds first cycle", "private assessment"):
            assert secret not in body, (path, secret)


def test_missing_assessment_is_404(client, login, two):
    login(two.coordinator)
    assert compare(client, two.first.id, 987654).status_code == 404


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [
        ("", "", "Select the first assessment"),
        ("abc", "1", "Select the first assessment"),
        ("1", "-2", "Select the second assessment"),
        ("SAME", "SAME", "Select two different assessments"),
        ("99999999999999999999", "1", "Select the first assessment"),
        ("<script>", "1", "Select the first assessment"),
    ],
)
def test_bad_input_shows_the_picker_with_an_error(client, login, two, a, b, message):
    login(two.coordinator)
    a = str(two.first.id) if a == "SAME" else a
    b = str(two.first.id) if b == "SAME" else b
    response = compare(client, a, b)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert message in body and "There is a problem" in body
    assert "<script>" not in body
    assert compare(client, a, b, "/compare.csv").status_code == 400


def test_csv_export(client, login, two):
    login(two.coordinator)
    response = compare(client, two.first.id, two.second.id, "/compare.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["A", "Leeds: Leeds first cycle (2016 to 2017)", "", "", "", ""]
    assert ["Culture", "Agreed rating", "Developing", "Maturing", "1", "yes"] in rows
    assert ["Strategy", "Votes in the room (early / developing / maturing / mature)", "", "0 / 1 / 4 / 1", "", ""] in rows


def test_xlsx_export(client, login, two):
    login(two.coordinator)
    response = compare(client, two.first.id, two.second.id, "/compare.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[2][0] == "Strand"
    assert ["Leadership", "Agreed rating", "Developing", "Developing–Maturing", 0.5, None] in values


def test_formula_like_titles_are_defused_in_exports(client, login, two):
    two.first.title = "=HYPERLINK(\"http://evil\")"
    db.session.commit()
    login(two.coordinator)
    text = compare(client, two.first.id, two.second.id, "/compare.csv").get_data(as_text=True)
    assert "Leeds: =HYPERLINK" in text  # not at the start of a cell, so harmless
    two.first.area.name = "=cmd"
    db.session.commit()
    text = compare(client, two.first.id, two.second.id, "/compare.csv").get_data(as_text=True)
    assert ",'=cmd: " in text


def test_signed_out_users_are_sent_to_sign_in(client, two):
    response = compare(client, two.first.id, two.second.id)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_national_team_compares_any_two_areas(client, login, make_user, two):
    login(make_user(admin=True))
    body = compare(client, two.first.id, two.hidden.id).get_data(as_text=True)
    assert "Leeds and Norfolk side by side" in body


def test_peer_reviewer_compares_the_reviewed_assessment_with_their_own(client, login, make_user, two):
    reviewer = make_user("reviewer", two.norfolk)
    review = operations.request_review(two.first, two.norfolk, [reviewer], two.coordinator)
    db.session.commit()
    login(reviewer)
    assert compare(client, two.first.id, two.hidden.id).status_code == 200
    assert compare(client, two.second.id, two.hidden.id).status_code == 404  # the other cycle is not theirs
    operations.close(review, two.coordinator)
    db.session.commit()
    assert compare(client, two.first.id, two.hidden.id).status_code == 404


# --------------------------------------------------------------------------------------------
# API
# --------------------------------------------------------------------------------------------


@pytest.fixture
def bearer(two):
    _, value = tokens.create_token(two.coordinator, "tests")
    db.session.commit()
    return {"Authorization": f"Bearer {value}"}


def test_api_compare(client, two, bearer):
    response = client.get("/api/v1/compare", query_string={"a": two.first.id, "b": two.second.id}, headers=bearer)
    assert response.status_code == 200
    data = response.get_json()
    assert data["a"] == {"id": two.first.id, "area": "Leeds", "title": "Leeds first cycle", "period_label": "2016 to 2017"}
    culture = next(s for s in data["strands"] if s["key"] == "culture")
    agreed = next(d for d in culture["differences"] if d["measure"] == "agreed")
    assert agreed["a"]["code"] == "developing" and agreed["b"]["code"] == "maturing"
    assert agreed["gap"] == 1.0 and agreed["marked"] is True
    strategy = next(s for s in data["strands"] if s["key"] == "strategy")
    assert strategy["b"]["room"]["counts"] == {"1": 0, "2": 1, "3": 4, "4": 1}
    assert strategy["b"]["evidence"] == {"qualitative": 1, "quantitative": 1, "total": 2, "one_kind_only": False}
    assert data["marked"] >= 1


def test_api_compare_refuses_what_the_token_user_may_not_see(client, two, bearer):
    response = client.get("/api/v1/compare", query_string={"a": two.first.id, "b": two.hidden.id}, headers=bearer)
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert response.is_json and "Norfolk" not in body and "Leeds" not in body


@pytest.mark.parametrize("query", [{}, {"a": "1"}, {"a": "x", "b": "2"}, {"a": "0", "b": "2"}, {"a": "SAME", "b": "SAME"}, {"a": "1", "b": "9" * 30}])
def test_api_compare_bad_input_is_400_json(client, two, bearer, query):
    query = {k: (str(two.first.id) if v == "SAME" else v) for k, v in query.items()}
    response = client.get("/api/v1/compare", query_string=query, headers=bearer)
    assert response.status_code == 400
    assert response.is_json and response.get_json()["status"] == 400


def test_api_compare_needs_a_token(client, two):
    response = client.get("/api/v1/compare", query_string={"a": two.first.id, "b": two.second.id})
    assert response.status_code == 401 and response.is_json


def test_api_compare_is_described_for_openapi():
    from maturity.api import compare as api_compare

    operation = api_compare.OPENAPI_PATHS["/compare"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"a", "b"}
    assert {"200", "400", "401", "404"} <= set(operation["responses"])
    assert {"Comparison", "ComparedStrand", "RoomResult", "ComparedAssessment"} <= set(api_compare.OPENAPI_SCHEMAS)


# --------------------------------------------------------------------------------------------
# The picker: options grouped by area, the GOV.UK select markup around them
# --------------------------------------------------------------------------------------------


class _Picker(HTMLParser):
    """Reads each <select> of a page: its attributes, and its options with their group."""

    def __init__(self):
        super().__init__()
        self.selects: dict[str, dict] = {}
        self._select = self._group = self._option = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self._select = self.selects[attrs["id"]] = {"attrs": attrs, "options": [], "groups": []}
        elif tag == "optgroup" and self._select is not None:
            self._group = attrs["label"]
            self._select["groups"].append(self._group)
        elif tag == "option" and self._select is not None:
            self._option = {"group": self._group, "value": attrs.get("value"), "selected": "selected" in attrs, "text": ""}
            self._select["options"].append(self._option)

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data

    def handle_endtag(self, tag):
        if tag == "option":
            self._option = None
        elif tag == "optgroup":
            self._group = None
        elif tag == "select":
            self._select = None


def pickers(body: str) -> dict[str, dict]:
    parser = _Picker()
    parser.feed(body)
    return parser.selects


def test_picker_groups_the_assessments_by_area(client, login, make_user, two):
    login(make_user(admin=True))
    selects = pickers(client.get("/compare").get_data(as_text=True))
    assert set(selects) == {"a", "b"}
    for picker in selects.values():
        assert picker["groups"] == ["Leeds", "Norfolk"]
        first, *options = picker["options"]
        assert first == {"group": None, "value": "", "selected": False, "text": "Choose an assessment"}
        assert [(o["group"], o["value"], o["text"]) for o in options] == [
            ("Leeds", str(two.second.id), "Leeds: Leeds second cycle (2017 to 2018)"),
            ("Leeds", str(two.first.id), "Leeds: Leeds first cycle (2016 to 2017)"),
            ("Norfolk", str(two.hidden.id), "Norfolk: Norfolk private assessment (2016 to 2017)"),
        ]


def test_peer_reviewer_picker_holds_their_own_area_and_the_assessment_they_review(client, login, make_user, two):
    reviewer = make_user("reviewer", two.norfolk)
    operations.request_review(two.first, two.norfolk, [reviewer], two.coordinator)
    db.session.commit()
    login(reviewer)
    selects = pickers(client.get("/compare").get_data(as_text=True))
    assert selects["a"]["groups"] == ["Leeds", "Norfolk"]
    values = {o["value"] for o in selects["a"]["options"]}
    assert values == {"", str(two.first.id), str(two.hidden.id)}  # not Leeds's other cycle


def test_picker_keeps_the_chosen_assessments(client, login, two):
    login(two.coordinator)
    selects = pickers(compare(client, two.first.id, two.second.id).get_data(as_text=True))
    for side, chosen in (("a", two.first), ("b", two.second)):
        selected = [o["value"] for o in selects[side]["options"] if o["selected"]]
        assert selected == [str(chosen.id)], side
        assert "aria-describedby" not in selects[side]["attrs"]


def test_picker_error_is_tied_to_its_select(client, login, two):
    login(two.coordinator)
    response = compare(client, two.first.id, two.first.id)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    selects = pickers(body)
    b = selects["b"]["attrs"]
    assert b["aria-describedby"] == "b-error"
    assert b["class"] == "govuk-select app-reviews-picker__select govuk-select--error"
    assert '<p id="b-error" class="govuk-error-message">' in body
    assert '<span class="govuk-visually-hidden">Error:</span> Select two different assessments' in body
    assert '<a href="#b">Select two different assessments</a>' in body  # the error summary links to it
    assert body.count("govuk-form-group--error") == 1
    assert '<label class="govuk-label" for="b">' in body and '<label class="govuk-label" for="a">' in body
    # both choices are kept, so the user corrects one rather than starting again
    assert [o["value"] for o in selects["a"]["options"] if o["selected"]] == [str(two.first.id)]
    assert [o["value"] for o in selects["b"]["options"] if o["selected"]] == [str(two.first.id)]
    assert "aria-describedby" not in selects["a"]["attrs"]


def test_picker_escapes_area_names_and_titles(client, login, two):
    two.first.title = '<script>alert("t")</script>'
    two.leeds.name = 'Leeds "&" <b>'
    db.session.commit()
    login(two.coordinator)
    body = client.get("/compare").get_data(as_text=True)
    assert "<script>alert" not in body and "<b>" not in body
    assert 'label="Leeds &#34;&amp;&#34; &lt;b&gt;"' in body
    assert pickers(body)["a"]["groups"] == ['Leeds "&" <b>']


def _form(app, query: str, choices):
    """The comparison form as the page builds it, from a query string; validated."""
    from urllib.parse import parse_qsl

    from werkzeug.datastructures import MultiDict

    from maturity.reports.forms import CompareForm

    with app.test_request_context("/compare"):
        form = CompareForm(formdata=MultiDict(parse_qsl(query, keep_blank_values=True)))
        form.a.choices = form.b.choices = choices
        valid = form.validate()
        return valid, {name: list(errors) for name, errors in form.errors.items()}, form


def test_compare_form_checks_the_choice_against_the_grouped_options(app, two):
    from maturity.reports.compare import picker_choices

    choices = picker_choices(two.coordinator)
    assert list(choices) == ["Leeds"]
    first, second, hidden = two.first.id, two.second.id, two.hidden.id
    assert _form(app, f"a={first}&b={second}", choices)[:2] == (True, {})
    assert _form(app, f"a={first}&b={hidden}", choices)[1] == {"b": ["Not a valid choice."]}
    assert _form(app, f"a=&b={second}", choices)[1] == {"a": ["Select the first assessment"]}
    assert _form(app, f"a={first}&b={first}", choices)[1] == {"b": ["Select two different assessments"]}


def test_grouped_select_shows_a_hint_and_an_error_together(app, two):
    from maturity.reports.compare import picker_choices

    choices = picker_choices(two.coordinator)
    _, _, form = _form(app, "a=&b=", choices)
    form.a.description = "Two cycles of one area, or two areas"
    with app.test_request_context("/compare"):
        html = str(form.a(params={"classes": "app-reviews-picker__select"}))
    assert '<div id="a-hint" class="govuk-hint">' in html
    assert '<p id="a-error" class="govuk-error-message">' in html
    attrs = pickers(html)["a"]["attrs"]
    assert attrs["aria-describedby"] == "a-hint a-error"
    assert attrs["name"] == "a" and "required" in attrs
    assert html.index("a-hint") < html.index("a-error") < html.index("<select")
