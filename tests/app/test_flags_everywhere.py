"""Every place a strand's rating shows carries the same flags, from one function (issue 11 §4):
task list, strand page, one-page summary and its CSV/XLSX, comparison and its CSV/XLSX and API,
the area's benchmark view and the assessment API."""

import csv
import html
import io
import re
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from maturity.assessments import operations
from maturity.assessments.export import SUMMARY_HEADINGS
from maturity.auth import tokens
from maturity.core.scoring import FLAG_LABELS
from maturity.extensions import db
from maturity.models import Evidence, PeerReview, PeerStrandReview, StrandRating
from maturity.workshops import operations as workshop_operations
from tests.support.workshops import join, vote

ALL_FLAGS = set(FLAG_LABELS)


def strand_of(framework, key):
    return next(s for s in framework.strands if s.key == key)


@pytest.fixture
def flagged(make_area, make_user, make_assessment, framework):
    """Culture carries every flag; strategy carries none."""
    area = make_area("Hampshire")
    coordinator = make_user("coordinator", area)
    # The earlier cycle first, so the flagged one is the area's latest (the benchmark's source).
    other = make_assessment(area=area, user=coordinator, title="Cycle without")
    assessment = make_assessment(area=area, user=coordinator, title="Cycle with flags")
    culture, strategy = strand_of(framework, "culture"), strand_of(framework, "strategy")
    db.session.add(
        Evidence(
            assessment=assessment, title="Staff survey notes", kind="qualitative",
            status="accepted", features=[culture.elements[0].features_at(2)[0]],
        )
    )
    operations.set_self_rating(assessment, culture, "mature", "Staff all know the vision", coordinator)
    operations.set_agreed_rating(assessment, culture, "maturing", "Agreed at the board", coordinator)
    # A split room (low consensus, the self rating far from it) in which the police, a group of
    # three the results page showed, stood a stage and a half from the room.
    operations.carry_in_room_result(
        assessment, culture,
        {
            "workshop_title": "Partnership day", "n": 6, "abstentions": 0, "total": 6,
            "counts": {"1": 3, "2": 0, "3": 0, "4": 3}, "mean": 2.5, "median": "early-mature",
            "consensus": 0.0, "groups": [{"group": "Police", "median": "mature"}],
        },
        coordinator,
    )
    operations.set_self_rating(assessment, strategy, "early", "Not started", coordinator)
    review = PeerReview(
        assessment=assessment, reviewing_area=make_area("Leeds"), status="submitted",
        submitted_at=datetime.now(UTC).replace(tzinfo=None),
    )
    db.session.add(review)
    db.session.flush()
    db.session.add(PeerStrandReview(review_id=review.id, strand_id=culture.id, peer_rating="developing"))
    db.session.commit()
    _, token = tokens.create_token(coordinator, "tests")
    return assessment, other, coordinator, {"Authorization": f"Bearer {token}"}


def labels_in(text: str) -> set[str]:
    """The flag codes whose labels appear in some text."""
    return {code for code, label in FLAG_LABELS.items() if label in text}


def section(body: str, start: str, end: str) -> str:
    """The part of a page from one marker to the next, so a strand's flags are its own."""
    body = html.unescape(body)
    begin = body.index(start)
    return body[begin:body.index(end, begin + len(start))]


def test_every_page_and_output_shows_the_same_flags(client, login, flagged, framework):
    assessment, other, coordinator, headers = flagged
    login(coordinator)
    seen: dict[str, set[str]] = {}

    task_list = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    glance = section(task_list, "Ratings at a glance", "</table>")
    seen["task list"] = labels_in(section(glance, ">Culture<", "</tr>"))
    assert labels_in(section(glance, ">Strategy<", "</tr>")) == set()

    strand_page = client.get(f"/assessments/{assessment.id}/strands/culture").get_data(as_text=True)
    seen["strand page"] = labels_in(section(strand_page, ">Flags</dt>", "</dd>"))

    summary = client.get(f"/assessments/{assessment.id}/summary").get_data(as_text=True)
    seen["one-page summary"] = labels_in(section(summary, ">Culture<", "</tr>"))

    csv_text = client.get(f"/assessments/{assessment.id}/summary.csv").get_data(as_text=True)
    csv_row = next(r for r in csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))) if r[0] == "Culture")
    seen["summary CSV"] = labels_in(csv_row[SUMMARY_HEADINGS.index("Flags")])
    sheet = load_workbook(io.BytesIO(client.get(f"/assessments/{assessment.id}/summary.xlsx").data)).active
    culture_row = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "Culture")
    seen["summary XLSX"] = labels_in(" ".join(str(cell) for cell in culture_row if cell))

    query = {"a": assessment.id, "b": other.id}
    compare_page = client.get("/compare", query_string=query).get_data(as_text=True)
    culture_table = section(compare_page, 'id="strand-culture"', "</table>")
    flags_row = section(culture_table, ">Flags</th>", "</tr>")
    cells = re.findall(r"<td[^>]*>(.*?)</td>", flags_row, re.S)
    seen["comparison (A)"] = labels_in(cells[0])
    assert labels_in(cells[1]) == set()  # B has no ratings, so no flags

    compare_csv = client.get("/compare.csv", query_string=query).get_data(as_text=True)
    compare_row = next(r for r in csv.reader(io.StringIO(compare_csv.lstrip("\ufeff"))) if r[:2] == ["Culture", "Flags"])
    seen["comparison CSV"] = labels_in(compare_row[2])
    compare_sheet = load_workbook(io.BytesIO(client.get("/compare.xlsx", query_string=query).data)).active
    row = next(r for r in compare_sheet.iter_rows(values_only=True) if r[:2] == ("Culture", "Flags"))
    seen["comparison XLSX"] = labels_in(str(row[2]))

    benchmark = client.get(f"/areas/{assessment.area_id}/benchmark").get_data(as_text=True)
    seen["benchmark area view"] = labels_in(section(benchmark, ">Culture<", "</tr>"))

    api = client.get(f"/api/v1/assessments/{assessment.id}", headers=headers).get_json()
    seen["assessment API"] = set(next(s for s in api["strands"] if s["key"] == "culture")["flags"])
    compared = client.get("/api/v1/compare", query_string=query, headers=headers).get_json()
    seen["comparison API"] = set(next(s for s in compared["strands"] if s["key"] == "culture")["a"]["flags"])

    assert seen == dict.fromkeys(seen, ALL_FLAGS), {
        where: sorted(ALL_FLAGS - flags) for where, flags in seen.items() if flags != ALL_FLAGS
    }


# --------------------------------------------------------------------------- from the workshop


def test_partner_divergence_follows_a_carried_room_result_onto_the_assessment(
    app, client, login, make_user, make_area, make_assessment, framework
):
    """The results page's partner divergence shows on the assessment once the result is carried
    in, from the partner types' medians the round published (never a hidden group's)."""
    area = make_area("Tameside")
    coordinator = make_user("coordinator", area)
    assessment = make_assessment(area=area, user=coordinator)
    culture = strand_of(framework, "culture")
    workshop = workshop_operations.create_workshop(assessment, "Partnership day", [(culture, None)])
    db.session.commit()
    round_ = workshop.rounds[0]
    workshop_operations.open_round(workshop, round_.id)
    db.session.commit()
    ballots = [("police", 4)] * 3 + [("health", 2)] * 3 + [("schools", 2)] * 3
    for org_type, stage in ballots:
        assert vote(join(app, workshop, org_type), workshop, round_.id, stage).status_code == 200
    workshop_operations.close_round(workshop, round_.id)
    db.session.commit()
    login(coordinator)
    done = client.post(f"/workshops/{workshop.id}/strands/{culture.id}/carry", data={"reveal": "yes"})
    assert done.status_code == 302
    db.session.expire_all()
    carried = db.session.scalar(
        select(StrandRating.room_result).where(
            StrandRating.assessment_id == assessment.id, StrandRating.strand_id == culture.id
        )
    )
    medians = {entry["group"].split(" ")[0]: entry["median"] for entry in carried["groups"]}
    assert medians == {"Health": "developing", "Police": "mature", "Schools": "developing"}
    page = html.unescape(client.get(f"/assessments/{assessment.id}/strands/culture").get_data(as_text=True))
    flags = section(page, ">Flags</dt>", "</dd>")
    assert "Partner divergence" in flags and "(median Mature)" in flags


def test_phone_shows_annex_1_row_labels_in_the_full_text(app, make_area, make_user, make_assessment, framework):
    area = make_area("Hartlepool")
    assessment = make_assessment(area=area, user=make_user("coordinator", area))
    delivery = strand_of(framework, "delivery")
    workshop = workshop_operations.create_workshop(assessment, "Locality day", [(delivery, None)])
    db.session.commit()
    workshop_operations.open_round(workshop, workshop.rounds[0].id)
    db.session.commit()
    phone = join(app, workshop, "police")
    page = html.unescape(phone.get(f"/join/{workshop.join_code}/vote").get_data(as_text=True))
    assert "(Integration of teams across disciplines and organisations)" in page
    assert "(Tools and approaches to identify and work with complex families)" in page
