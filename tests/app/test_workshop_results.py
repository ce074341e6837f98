"""Results: per round, by organisation type, one voice, flags; carrying into the assessment;
CSV and XLSX; the API."""

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from maturity.auth.tokens import create_token
from maturity.extensions import db
from maturity.models import HistoryEntry, StrandRating
from maturity.workshops import operations
from tests.support.workshops import join, vote


def run_round(app, workshop, round_, ballots, hand=None):
    """Open a round, vote (org type, stage) for each ballot from new phones, close it."""
    operations.go_to(workshop, round_.id)
    operations.open_round(workshop, round_.id)
    db.session.commit()
    for org_type, stage in ballots:
        assert vote(join(app, workshop, org_type), workshop, round_.id, stage).status_code == 200
    for stage, count in (hand or {}).items():
        operations.add_manual_tally(workshop, round_.id, stage, count, "cards")
    operations.close_round(workshop, round_.id)
    db.session.commit()


ROOM = [("police", 1), ("police", 1), ("police", 2), ("health", 4), ("health", 4), ("health", 3),
        ("schools", 4), (None, "dont-know")]


def held_workshop(app, make_assessment, coordinator, make_workshop, end=True):  # noqa: F811
    assessment = make_assessment(area=coordinator.memberships[0].area)
    leadership = next(s for s in assessment.framework.strands if s.key == "leadership")
    delivery = next(s for s in assessment.framework.strands if s.key == "delivery")
    row = next(r for r in assessment.strand_ratings if r.strand_id == leadership.id)
    row.self_rating = "early"
    db.session.commit()
    workshop = make_workshop(
        assessment=assessment,
        title="=HYPERLINK(\"http://evil\")",
        rounds=[(leadership, None), (delivery, delivery.elements[0]), (delivery, delivery.elements[1])],
    )
    rounds = workshop.rounds
    run_round(app, workshop, rounds[0], ROOM, hand={3: 2})
    run_round(app, workshop, rounds[1], [("police", 2), ("health", 2), ("schools", 3)])
    run_round(app, workshop, rounds[2], [("police", 3), ("health", 3), ("schools", 3), ("schools", 4)])
    if end:
        operations.end_workshop(workshop)
        db.session.commit()
    return workshop


def test_results_page_per_round_with_breakdown_one_voice_and_flags(app, client, login, coordinator, make_assessment, make_workshop):  # noqa: F811
    workshop = held_workshop(app, make_assessment, coordinator, make_workshop)
    login(coordinator)
    overview = client.get(f"/workshops/{workshop.id}/results").get_data(as_text=True)
    assert "Each round at a glance" in overview and "Reveal and carry into the assessment" in overview
    first = workshop.rounds[0]
    page = client.get(f"/workshops/{workshop.id}/rounds/{first.id}/results").get_data(as_text=True)
    # 1, 1, 2, 3, 3, 3, 4, 4, 4 (two of the 3s counted by hand) and one "don't know"
    assert "<strong>Maturing</strong>" in page
    assert "2 of the votes were counted by hand" in page
    assert "Fewer than 3 people" in page  # schools (1) and "not given" (1) are hidden
    assert "Police" in page and "Health" in page and "Counted by hand" in page
    assert "Low consensus" in page and "Partner divergence" in page
    assert "Self-rating differs from the room" in page
    assert "<caption" in page and 'scope="col"' in page

    one_voice = client.get(f"/workshops/{workshop.id}/rounds/{first.id}/results?view=one-voice").get_data(as_text=True)
    assert "One organisation type, one voice" in one_voice and 'aria-current="page"' in one_voice


def test_unrevealed_rounds_of_a_live_workshop_show_only_their_count(app, client, login, coordinator, make_assessment, make_workshop):  # noqa: F811
    workshop = held_workshop(app, make_assessment, coordinator, make_workshop, end=False)
    login(coordinator)
    first = workshop.rounds[0]
    page = client.get(f"/workshops/{workshop.id}/rounds/{first.id}/results").get_data(as_text=True)
    assert "has not been revealed to the room yet" in page and "<strong>Maturing</strong>" not in page
    rows = list(csv.reader(io.StringIO(client.get(f"/workshops/{workshop.id}/results.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1][5] == "not shown yet"
    operations.reveal_round(workshop, True, first.id)
    db.session.commit()
    assert "<strong>Maturing</strong>" in client.get(f"/workshops/{workshop.id}/rounds/{first.id}/results").get_data(as_text=True)


def test_carrying_the_room_result_into_the_assessment(app, client, login, coordinator, make_assessment, make_workshop, make_user):  # noqa: F811
    workshop = held_workshop(app, make_assessment, coordinator, make_workshop)
    leadership = workshop.rounds[0].strand
    delivery = workshop.rounds[1].strand
    contributor = make_user("contributor", workshop.assessment.area)
    login(contributor)
    assert client.post(f"/workshops/{workshop.id}/strands/{leadership.id}/carry").status_code == 403
    client.post("/sign-out")
    login(coordinator)
    page = client.get(f"/workshops/{workshop.id}/results").get_data(as_text=True)
    assert "Reveal and carry into the assessment" in page and "has not been revealed" in page
    done = client.post(f"/workshops/{workshop.id}/strands/{leadership.id}/carry", data={"reveal": "yes"})
    assert done.status_code == 302
    assert "is now part of the assessment" in client.get(done.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    row = db.session.scalar(select(StrandRating).where(StrandRating.assessment_id == workshop.assessment_id, StrandRating.strand_id == leadership.id))
    result = row.room_result
    assert result["workshop_id"] == workshop.id and result["workshop_title"] == workshop.title
    assert result["round_id"] == workshop.rounds[0].id
    assert result["n"] == 9 and result["abstentions"] == 1
    assert result["counts"] == {"1": 2, "2": 1, "3": 3, "4": 3}
    assert result["median"] == "maturing" and result["manual"] == 2
    assert result["mean"] == round(25 / 9, 4) and 0 <= result["consensus"] <= 1
    assert result["carried_at"] and row.room_carried_at is not None
    history = db.session.scalar(select(HistoryEntry).where(HistoryEntry.kind == "room_result"))
    assert history.user_id == coordinator.id and history.to_value == "maturing" and history.from_value is None

    # Delivery was voted element by element: the strand gets the pooled votes and each element's.
    client.post(f"/workshops/{workshop.id}/strands/{delivery.id}/carry", data={"reveal": "yes"})
    db.session.expire_all()
    pooled = db.session.scalar(select(StrandRating.room_result).where(StrandRating.assessment_id == workshop.assessment_id, StrandRating.strand_id == delivery.id))
    assert pooled["n"] == 7 and pooled["round_ids"] == [workshop.rounds[1].id, workshop.rounds[2].id]
    assert [e["median"] for e in pooled["elements"]] == ["developing", "maturing"]

    assert client.post(f"/workshops/{workshop.id}/strands/999999/carry").status_code == 404


def test_only_a_revealed_result_is_carried_unless_carrying_reveals_it(app, client, login, coordinator, make_assessment, make_workshop):  # noqa: F811
    workshop = held_workshop(app, make_assessment, coordinator, make_workshop, end=False)
    leadership = workshop.rounds[0]
    operations.go_to(workshop, leadership.id)
    db.session.commit()
    login(coordinator)
    before = client.get(f"/live/workshops/{workshop.id}/state").get_json()
    assert before["result"] is None and before["round"]["revealed"] is False

    refused = client.post(f"/workshops/{workshop.id}/strands/{leadership.strand_id}/carry")
    message = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "The result for Leadership has not been revealed, so it was not carried in" in message
    db.session.expire_all()
    assert db.session.scalar(select(HistoryEntry).where(HistoryEntry.kind == "room_result")) is None
    assert db.session.get(type(leadership), leadership.id).revealed is False

    done = client.post(f"/workshops/{workshop.id}/strands/{leadership.strand_id}/carry", data={"reveal": "yes"})
    assert "is now part of the assessment" in client.get(done.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(leadership), leadership.id).revealed is True
    after = client.get(f"/live/workshops/{workshop.id}/state").get_json()
    assert after["revision"] > before["revision"] and after["result"]["median"]["code"] == "maturing"
    # Revealed now: carrying it in again needs no second reveal.
    page = client.get(f"/workshops/{workshop.id}/results").get_data(as_text=True)
    assert page.count("Reveal and carry into the assessment") == 1  # delivery's rounds only
    again = client.post(f"/workshops/{workshop.id}/strands/{leadership.strand_id}/carry")
    assert "is now part of the assessment" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_a_strand_still_open_cannot_be_carried(app, client, login, coordinator, make_assessment, make_workshop):  # noqa: F811
    workshop = make_workshop(assessment=make_assessment(area=coordinator.memberships[0].area))
    round_ = workshop.rounds[0]
    operations.open_round(workshop)
    db.session.commit()
    vote(join(app, workshop), workshop, round_.id, 2)
    login(coordinator)
    response = client.post(f"/workshops/{workshop.id}/strands/{round_.strand_id}/carry")
    assert "Close voting on this strand" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(HistoryEntry).where(HistoryEntry.kind == "room_result")) is None


def test_csv_and_xlsx_exports(app, client, login, coordinator, make_assessment, make_workshop):  # noqa: F811
    workshop = held_workshop(app, make_assessment, coordinator, make_workshop)
    login(coordinator)
    response = client.get(f"/workshops/{workshop.id}/results.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["Round", "Strand", "Element", "Voting"]
    assert rows[1][1] == "Leadership" and rows[1][13] == "Maturing" and rows[1][15] == "Early"
    assert rows[2][2] == "Delivery structures"

    book = load_workbook(io.BytesIO(client.get(f"/workshops/{workshop.id}/results.xlsx").get_data()))
    assert book.sheetnames == ["Rounds", "By organisation type", "Counted by hand"]
    assert book["Rounds"]["A1"].value.startswith("'=")  # never a formula
    groups = [row for row in book["By organisation type"].iter_rows(values_only=True) if row[0] == 1]
    assert ("fewer than 3" in [row[3] for row in groups if row[2] == "Schools"])
    # The two hand-counted votes of round 1 are a group of fewer than 3: hidden here too.
    assert list(book["Counted by hand"].iter_rows(min_row=2, values_only=True)) == []


def test_the_results_api(app, client, coordinator, make_assessment, make_workshop, make_area, make_user):  # noqa: F811
    workshop = held_workshop(app, make_assessment, coordinator, make_workshop)
    _, token = create_token(coordinator, "Power BI")
    db.session.commit()
    url = f"/api/v1/workshops/{workshop.id}/results"
    assert client.get(url).status_code == 401
    data = client.get(url, headers={"Authorization": f"Bearer {token}"}).get_json()
    assert data["workshop"]["id"] == workshop.id and data["workshop"]["status"] == "closed"
    first = data["rounds"][0]
    assert first["summary"]["median"]["code"] == "maturing"
    assert first["summary"]["counts"] == {"1": 2, "2": 1, "3": 3, "4": 3}
    assert first["manual_votes"] == 2 and first["self_rating"]["code"] == "early"
    assert {g["group"]: g["suppressed"] for g in first["by_organisation_type"]}["Schools"] is True
    assert {f["code"] for f in first["flags"]} >= {"self_room_gap"}
    assert data["rounds"][1]["element"]["key"] == "delivery-structures"

    outsider = make_user("coordinator", make_area("Faraway"))
    _, other_token = create_token(outsider, "theirs")
    db.session.commit()
    assert client.get(url, headers={"Authorization": f"Bearer {other_token}"}).status_code == 404
    assert client.get(f"/api/v1/workshops/{2**40}/results", headers={"Authorization": f"Bearer {token}"}).status_code == 404

    document = client.get("/api/v1/openapi.json").get_json()
    assert "/workshops/{workshop_id}/results" in document["paths"]
    assert "WorkshopResults" in document["components"]["schemas"]
