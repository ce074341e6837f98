"""The toolkit's evidence rule as people meet it: task list, strand page, summary, exports, API."""

import csv
import html
import io
import re

import pytest
from openpyxl import load_workbook

from maturity.auth import tokens
from maturity.extensions import db
from maturity.models import Evidence

PROGRESS = "Developing \u00b7 maturing 5 of 8 achievements evidenced"


def features(framework, *keys):
    by_key = {
        f.key: f for s in framework.strands for e in s.elements for f in e.features
    }
    return [by_key[key] for key in keys]


def add_evidence(assessment, linked, status="accepted", title="Evidence"):
    db.session.add(
        Evidence(
            assessment=assessment, title=title, kind="qualitative", status=status,
            features=list(linked),
        )
    )
    db.session.commit()


@pytest.fixture
def family(make_area, make_user, make_assessment, framework):
    area = make_area("Hampshire")
    coordinator = make_user("coordinator", area)
    assessment = make_assessment(area=area, user=coordinator)
    # Every achievement of developing and five of maturing's eight; no limitation evidenced.
    add_evidence(
        assessment,
        features(framework, "fe-dev-1", "fe-dev-2", "fe-dev-3", *[f"fe-mat-{i}" for i in range(1, 6)]),
    )
    _, token = tokens.create_token(coordinator, "tests")
    return assessment, coordinator, {"Authorization": f"Bearer {token}"}


def text(response):
    assert response.status_code == 200, response.status_code
    return html.unescape(response.get_data(as_text=True))


def api_strand(client, assessment, headers, key="family-experience"):
    body = client.get(f"/api/v1/assessments/{assessment.id}", headers=headers).get_json()
    return next(s for s in body["strands"] if s["key"] == key)


def test_achievements_of_developing_and_most_of_maturing_give_developing_with_progress(
    client, login, family
):
    assessment, coordinator, headers = family
    login(coordinator)
    assert PROGRESS in text(client.get(f"/assessments/{assessment.id}"))
    strand_page = text(client.get(f"/assessments/{assessment.id}/strands/family-experience"))
    assert PROGRESS in strand_page
    assert PROGRESS in text(client.get(f"/assessments/{assessment.id}/summary"))
    rows = list(csv.reader(io.StringIO(text(client.get(f"/assessments/{assessment.id}/summary.csv")))))
    assert any(PROGRESS in row for row in rows)
    sheet = load_workbook(
        io.BytesIO(client.get(f"/assessments/{assessment.id}/summary.xlsx").data)
    ).active
    assert any(cell.value == PROGRESS for row in sheet.iter_rows() for cell in row)

    strand = api_strand(client, assessment, headers)
    assert strand["evidenced"]["code"] == "developing"
    assert strand["evidenced_capped"] is False
    assert strand["next_stage"] == {
        "stage": {"stage": 3, "code": "maturing", "label": "Maturing"},
        "evidenced": 5,
        "total": 8,
    }
    assert strand["elements"][0]["next_stage"]["evidenced"] == 5


def test_evidence_that_a_developing_limitation_still_holds_caps_the_stage(
    client, login, family, framework
):
    assessment, coordinator, headers = family
    add_evidence(assessment, features(framework, "fe-mat-6", "fe-mat-7", "fe-mat-8"))
    strand = api_strand(client, assessment, headers)
    assert strand["evidenced"]["code"] == "maturing"
    assert strand["next_stage"]["stage"]["code"] == "mature"

    # A draft counts; a rejected item never does.
    add_evidence(assessment, features(framework, "fe-dev-6"), status="rejected")
    assert api_strand(client, assessment, headers)["evidenced"]["code"] == "maturing"
    add_evidence(assessment, features(framework, "fe-dev-5"), status="draft", title="Audit")
    strand = api_strand(client, assessment, headers)
    assert strand["evidenced"]["code"] == "developing"
    assert strand["evidenced_capped"] is True
    assert strand["next_stage"]["evidenced"] == strand["next_stage"]["total"] == 8

    login(coordinator)
    page = text(client.get(f"/assessments/{assessment.id}/strands/family-experience"))
    assert "held back: a developing limitation still holds" in page


def test_claim_above_evidence_follows_the_new_rule(client, login, family, framework):
    assessment, coordinator, headers = family
    login(coordinator)
    client.post(
        f"/assessments/{assessment.id}/strands/family-experience/self-rating",
        data={"self-rating": "developing", "self-rationale": "Keyworkers known to families"},
    )
    assert "claim_above_evidence" not in api_strand(client, assessment, headers)["flags"]
    # Between developing and maturing: developing evidenced and maturing under way (5 of 8).
    client.post(
        f"/assessments/{assessment.id}/strands/family-experience/self-rating",
        data={"self-rating": "developing-maturing", "self-rationale": "Plans partly made"},
    )
    strand = api_strand(client, assessment, headers)
    assert strand["self_rating"]["code"] == "developing-maturing"
    assert "claim_above_evidence" not in strand["flags"]
    client.post(
        f"/assessments/{assessment.id}/strands/family-experience/self-rating",
        data={"self-rating": "maturing", "self-rationale": "Plans made with families"},
    )
    assert "claim_above_evidence" in api_strand(client, assessment, headers)["flags"]


def test_limitations_are_still_to_tackle_and_draft_an_action(client, login, family, framework):
    assessment, coordinator, _ = family
    login(coordinator)
    url = f"/assessments/{assessment.id}/strands/family-experience"
    page = text(client.get(url))
    assert "Still to tackle at this stage (Developing)" in page
    limitation = features(framework, "fe-dev-5")[0]
    assert limitation.text in page
    # An achievement is never offered as a shortcoming.
    to_tackle = page.split("Still to tackle")[1].split("</ul>")[0]
    assert features(framework, "fe-dev-1")[0].text not in to_tackle

    # One click on a shortcoming's "Draft an action" opens the action form filled in from it.
    links = re.findall(r'href="([^"]*tackle=([a-z0-9-]+)[^"]*)"', to_tackle)
    assert {key for _, key in links} == {f"fe-dev-{i}" for i in range(4, 9)}
    href = next(link for link, key in links if key == limitation.key)
    drafted = text(client.get(href))
    assert f"Tackle: {limitation.text}</textarea>" in drafted
    assert "Drafted from a shortcoming still to tackle" in drafted

    blank = text(client.get(href.replace(limitation.key, "fe-dev-1")))  # an achievement
    assert "names no shortcoming of this strand" in blank
    assert "Tackle:" not in blank


def test_row_labels_show_on_the_strand_page(client, login, family):
    assessment, coordinator, _ = family
    login(coordinator)
    assert "Partnership working and governance" in text(
        client.get(f"/assessments/{assessment.id}/strands/leadership")
    )
    delivery = text(client.get(f"/assessments/{assessment.id}/strands/delivery"))
    assert "Integration of teams across disciplines and organisations" in delivery
    assert "Tools and approaches to identify and work with complex families" in delivery


def test_the_model_pages_mark_shortcomings_and_row_labels(client, login, family, framework):
    _, coordinator, _ = family
    login(coordinator)
    page = text(client.get(f"/model/{framework.id}/strands/leadership"))
    assert "Partnership working and governance" in page
    limitation = features(framework, "lead-ld-dev-2")[0]
    achievement = features(framework, "lead-ld-dev-1")[0]
    marked = re.compile(r'<li id="feature-([a-z0-9-]+)"><strong[^>]*>Shortcoming</strong>')
    keys = set(marked.findall(page))
    assert limitation.key in keys and achievement.key not in keys
    assert keys == {
        f.key for e in next(s for s in framework.strands if s.key == "leadership").elements
        for f in e.features if f.is_limitation
    }
