"""The three spreadsheet downloads share one safe-cell rule: a title holding a control character
(which XLSX cannot store) still downloads, without the character, and formulas stay text."""

import csv
import io

from openpyxl import load_workbook

from maturity.extensions import db

HOSTILE = "A\x01B"


def _xlsx_values(response) -> list:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.get_data()))
    return [value for sheet in book for row in sheet.iter_rows(values_only=True) for value in row]


def _csv_values(response) -> list:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data().decode("utf-8")
    assert body.startswith("\ufeff")  # Excel needs the byte order mark to read UTF-8
    return [value for row in csv.reader(io.StringIO(body[1:])) for value in row]


def test_workshop_results_with_a_control_character_in_the_title(client, login, coordinator, make_workshop, make_assessment):
    workshop = make_workshop(assessment=make_assessment(area=coordinator.memberships[0].area), title=HOSTILE)
    login(coordinator)
    assert "AB" in _xlsx_values(client.get(f"/workshops/{workshop.id}/results.xlsx"))
    values = _csv_values(client.get(f"/workshops/{workshop.id}/results.csv"))
    assert values[0] == "Round" and not any("\x01" in str(v) for v in values)


def test_comparison_with_a_control_character_in_a_title(client, login, make_area, make_user, make_assessment):
    area = make_area("Leeds")
    user = make_user("coordinator", area)
    first = make_assessment(area, title=HOSTILE, period_label="2016\x02 to 2017")
    second = make_assessment(area, title="Second", period_label="2017 to 2018")
    login(user)
    query = {"a": first.id, "b": second.id}
    values = _xlsx_values(client.get("/compare.xlsx", query_string=query))
    assert "Leeds: AB (2016 to 2017)" in values
    csv_values = _csv_values(client.get("/compare.csv", query_string=query))
    assert "Leeds: AB (2016 to 2017)" in csv_values


def test_assessment_summary_with_control_characters(client, login, make_area, make_user, make_assessment, framework):
    area = make_area("Leeds")
    user = make_user("coordinator", area)
    assessment = make_assessment(area, title=HOSTILE)
    leadership = next(s for s in framework.strands if s.key == "leadership")
    row = assessment.rating_for(leadership)
    row.self_rating = "early"
    row.self_rationale = "-why\x07 not"
    db.session.commit()
    login(user)
    values = _xlsx_values(client.get(f"/assessments/{assessment.id}/summary.xlsx"))
    assert "'-why not" in values
    assert "'-why not" in _csv_values(client.get(f"/assessments/{assessment.id}/summary.csv"))
