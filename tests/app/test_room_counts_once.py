"""A strand voted element by element counts each person once (docs/anonymity.md), results are
shown only once voting has closed, and a room of fewer than 3 shows only its count."""

import pytest
from sqlalchemy import select

from maturity.core.scoring import Rating
from maturity.demo import seed_demo
from maturity.errors import OperationError
from maturity.extensions import db
from maturity.models import Area, Assessment, StrandRating, Workshop
from maturity.workshops import operations
from tests.support.workshops import join, vote


def delivery_workshop(make_assessment, make_workshop, coordinator):  # noqa: F811
    assessment = make_assessment(area=coordinator.memberships[0].area)
    delivery = next(s for s in assessment.framework.strands if s.key == "delivery")
    workshop = make_workshop(assessment=assessment, rounds=[(delivery, e) for e in delivery.elements])
    return workshop, delivery


def hold(app, workshop, round_, phones, stages, hand=None):
    operations.open_round(workshop, round_.id)
    db.session.commit()
    for phone, stage in zip(phones, stages, strict=True):
        assert vote(phone, workshop, round_.id, stage).status_code == 200
    for stage, count in (hand or {}).items():
        operations.add_manual_tally(workshop, round_.id, stage, count, "cards")
    operations.close_round(workshop, round_.id)
    db.session.commit()


def carried(workshop, strand):
    db.session.expire_all()
    return db.session.scalar(
        select(StrandRating.room_result).where(
            StrandRating.assessment_id == workshop.assessment_id, StrandRating.strand_id == strand.id
        )
    )


def test_the_same_people_in_two_element_rounds_count_once(app, client, login, coordinator, make_assessment, make_workshop):  # noqa: F811
    workshop, delivery = delivery_workshop(make_assessment, make_workshop, coordinator)
    phones = [join(app, workshop, kind) for kind in ["police"] * 3 + ["health"] * 2]
    structures, processes = workshop.rounds
    # Person by person: (2, 3), (2, 2), (3, 3), (1, don't know), (don't know, don't know).
    hold(app, workshop, structures, phones, [2, 2, 3, 1, "dont-know"], hand={2: 1, 4: 1})
    hold(app, workshop, processes, phones, [3, 2, 3, "dont-know", "dont-know"], hand={3: 2})
    login(coordinator)
    client.post(f"/workshops/{workshop.id}/strands/{delivery.id}/carry", data={"reveal": "yes"})
    result = carried(workshop, delivery)
    # Five people and two hand-counted cards each round: seven people, not fourteen votes.
    # Their medians (the lower stage when between): 2, 2, 3, 1, none; cards by rank: (2, 3) -> 2
    # and (4, 3) -> 3.
    assert result["total"] == 7 and result["n"] == 6 and result["abstentions"] == 1
    assert result["counts"] == {"1": 1, "2": 3, "3": 2, "4": 0}
    assert result["median"] == "developing" and result["counted"] == "each person once"
    assert result["manual"] == 2
    # Each element as it is.
    assert [(e["key"], e["n"], e["median"]) for e in result["elements"]] == [
        ("delivery-structures", 6, "developing"),
        ("delivery-processes", 5, "maturing"),
    ]
    # The strand page lists the elements and says how the strand counts people.
    page = client.get(f"/assessments/{workshop.assessment_id}/strands/{delivery.key}").get_data(as_text=True)
    assert "(6 people, 1 don’t know" in page and "each person counts once" in page
    assert "Delivery structures: Developing (6 votes, 1 don’t know)" in page


def test_a_strand_with_an_element_round_of_two_is_not_carried(app, client, login, coordinator, make_assessment, make_workshop):  # noqa: F811
    workshop, delivery = delivery_workshop(make_assessment, make_workshop, coordinator)
    structures, processes = workshop.rounds
    hold(app, workshop, structures, [join(app, workshop) for _ in range(4)], [1, 2, 2, 3])
    # Two other people on processes: the strand's tally minus structures' would be theirs.
    hold(app, workshop, processes, [join(app, workshop) for _ in range(2)], [4, 4])
    login(coordinator)
    answer = client.post(f"/workshops/{workshop.id}/strands/{delivery.id}/carry", data={"reveal": "yes"})
    assert "Fewer than 3 people answered on" in client.get(answer.headers["Location"]).get_data(as_text=True)
    assert carried(workshop, delivery) is None


def test_revealing_closes_voting_and_a_shown_round_never_opens_again(app, make_workshop):  # noqa: F811
    workshop = make_workshop()
    round_ = operations.open_round(workshop)
    operations.reveal_round(workshop, True)
    assert (round_.state, round_.revealed) == ("closed", True) and round_.revealed_at is not None
    with pytest.raises(OperationError, match="cannot reopen"):
        operations.open_round(workshop, round_.id)


def test_a_revealed_room_of_two_shows_only_its_count(app, client, login, coordinator, make_assessment, make_workshop):  # noqa: F811
    workshop = make_workshop(assessment=make_assessment(area=coordinator.memberships[0].area))
    phones = [join(app, workshop, "police"), join(app, workshop, "schools")]
    round_ = workshop.rounds[0]
    hold(app, workshop, round_, phones, [2, 3])
    operations.reveal_round(workshop, True, round_.id)
    db.session.commit()
    login(coordinator)
    presenter = client.get(f"/live/workshops/{workshop.id}/state?view=presenter").get_json()
    assert presenter["result"] is None and presenter["withheld"] is True
    assert presenter["count"] == {"total": 2}
    phone = phones[0].get(f"/live/join/{workshop.join_code}/state").get_json()
    assert phone["result"] is None and phone["withheld"] is True and phone["screen"].split("|")[3] == "withheld"
    assert "Fewer than 3 people voted" in client.get(f"/workshops/{workshop.id}/present").get_data(as_text=True)
    page = client.get(f"/workshops/{workshop.id}/rounds/{round_.id}/results").get_data(as_text=True)
    assert "With fewer than 3, anyone could work out how they voted" in page
    assert "Votes for each stage" not in page


def test_hampshire_s_delivery_counts_its_23_people_once(app, framework):
    seed_demo()
    assessment = db.session.scalar(
        select(Assessment).join(Area, Area.id == Assessment.area_id).where(Area.name == "Hampshire")
    )
    workshop = db.session.scalar(select(Workshop).where(Workshop.assessment_id == assessment.id))
    delivery = next(s for s in assessment.framework.strands if s.key == "delivery")
    result = carried(workshop, delivery)
    assert result["total"] == 23 and result["counted"] == "each person once"
    # Annex 3: delivery structures D, delivery processes M.
    assert [Rating.parse(e["median"]).short for e in result["elements"]] == ["D", "M"]
    assert [e["total"] for e in result["elements"]] == [23, 23]
