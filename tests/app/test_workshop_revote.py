"""Discuss, then vote again: a revote is a new round of the same strand, never the old round
reopened, and each person counts once, in their last say (issue 14, part 2)."""

import pytest
from sqlalchemy import select

from maturity.assessments.queries import participation
from maturity.errors import OperationError
from maturity.extensions import db
from maturity.models import Round, StrandRating, Workshop
from maturity.workshops import operations
from maturity.workshops.queries import load_workshop
from tests.support.workshops import join, vote


def leadership_workshop(make_assessment, make_workshop, coordinator):
    assessment = make_assessment(area=coordinator.memberships[0].area)
    strands = {s.key: s for s in assessment.framework.strands}
    rounds = [(strands["leadership"], None), (strands["strategy"], None), (strands["culture"], None)]
    return make_workshop(assessment=assessment, rounds=rounds), strands["leadership"]


def held(app, workshop, stages, kinds=None, phones=None):
    """Vote on the round on screen with these stages, close and reveal it."""
    round_ = operations.open_round(workshop)
    db.session.commit()
    phones = phones or [join(app, workshop, kind) for kind in (kinds or [None] * len(stages))]
    for phone, stage in zip(phones, stages, strict=True):
        assert vote(phone, workshop, round_.id, stage).status_code == 200
    operations.reveal_round(workshop, True)
    db.session.commit()
    return round_, phones


def revoted(workshop, phones, stages):
    """Vote again on the round on screen, and reveal the new round."""
    new = operations.revote(workshop)
    db.session.commit()
    for phone, stage in zip(phones, stages, strict=True):
        assert vote(phone, workshop, new.id, stage).status_code == 200
    operations.reveal_round(workshop, True)
    db.session.commit()
    return new


def test_a_revote_is_a_new_round_straight_after_the_first_and_leaves_it_as_published(app, coordinator, make_assessment, make_workshop):
    workshop, leadership = leadership_workshop(make_assessment, make_workshop, coordinator)
    first, phones = held(app, workshop, [2, 2, 3, 1])
    new = operations.revote(workshop)
    db.session.commit()
    workshop = load_workshop(db.session, workshop.id)
    titles = [(r.position, r.strand.key, r.revote_of_id) for r in workshop.rounds]
    assert titles == [(1, "leadership", None), (2, "leadership", first.id), (3, "strategy", None), (4, "culture", None)]
    assert workshop.current_round_id == new.id and new.state == "open" and not new.revealed
    first = db.session.get(Round, first.id)
    # The first round is untouched: still closed and still showing the result the room saw.
    assert (first.state, first.revealed) == ("closed", True)
    # Phones are asked to vote on the new round; their first vote is not carried over.
    state = phones[0].get(f"/live/join/{workshop.join_code}/state").get_json()
    assert state["round"]["id"] == new.id and state["round"]["revote_of"] == first.id
    assert state["my_vote"] is None and state["round"]["state"] == "open"


def test_a_revote_is_refused_before_the_room_has_seen_the_result_and_only_once_per_round(app, coordinator, make_assessment, make_workshop):
    workshop, _ = leadership_workshop(make_assessment, make_workshop, coordinator)
    operations.open_round(workshop)
    with pytest.raises(OperationError, match="show the room its result"):
        operations.revote(workshop)
    db.session.rollback()
    workshop = db.session.get(Workshop, workshop.id)
    first, phones = held(app, workshop, [2, 3, 3])
    operations.revote(workshop)
    db.session.commit()
    with pytest.raises(OperationError, match="voted on again already"):
        operations.revote(workshop, first.id)
    db.session.rollback()
    operations.end_workshop(db.session.get(Workshop, workshop.id))
    db.session.commit()
    with pytest.raises(OperationError, match="has ended"):
        operations.revote(db.session.get(Workshop, workshop.id))


def test_an_element_round_is_not_revoted(app, coordinator, make_assessment, make_workshop):
    assessment = make_assessment(area=coordinator.memberships[0].area)
    delivery = next(s for s in assessment.framework.strands if s.key == "delivery")
    workshop = make_workshop(assessment=assessment, rounds=[(delivery, e) for e in delivery.elements])
    held(app, workshop, [2, 3, 3])
    with pytest.raises(OperationError, match="whole strand"):
        operations.revote(workshop)


def test_the_console_button_votes_again_and_says_why_when_it_cannot(app, client, login, coordinator, make_assessment, make_workshop):
    workshop, _ = leadership_workshop(make_assessment, make_workshop, coordinator)
    login(coordinator)
    first, _ = held(app, workshop, [2, 3, 3])
    page = client.get(f"/workshops/{workshop.id}/facilitate").get_data(as_text=True)
    assert "Vote again after discussion" in page
    # A page that still showed another round changes nothing.
    stale = client.post(f"/workshops/{workshop.id}/revote", data={"round_id": "999999"})
    assert stale.status_code == 302
    assert len(load_workshop(db.session, workshop.id).rounds) == 3
    answer = client.post(
        f"/workshops/{workshop.id}/revote", data={"round_id": str(first.id)},
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["message"].startswith("Voting again")
    assert body["state"]["round"]["revote_of"] == first.id and body["state"]["round"]["position"] == 2
    # The first round now has its revote: pressing again on it is refused with the reason.
    again = client.post(
        f"/workshops/{workshop.id}/rounds/{first.id}/show", headers={"Accept": "application/json"}
    )
    assert again.status_code == 200
    refused = client.post(
        f"/workshops/{workshop.id}/revote", data={"round_id": str(first.id)},
        headers={"Accept": "application/json"},
    )
    assert refused.status_code == 409 and "voted on again already" in refused.get_json()["message"]
    assert len(load_workshop(db.session, workshop.id).rounds) == 4


def test_a_contributor_cannot_press_revote(app, client, login, make_user, coordinator, make_assessment, make_workshop):
    workshop, _ = leadership_workshop(make_assessment, make_workshop, coordinator)
    held(app, workshop, [2, 3, 3])
    login(make_user("contributor", coordinator.memberships[0].area))
    assert client.post(f"/workshops/{workshop.id}/revote").status_code == 403
    assert len(load_workshop(db.session, workshop.id).rounds) == 3


def test_carrying_takes_the_final_round_and_people_count_once(app, client, login, coordinator, make_assessment, make_workshop):
    workshop, leadership = leadership_workshop(make_assessment, make_workshop, coordinator)
    kinds = ["police"] * 3 + ["health"] * 3
    first, phones = held(app, workshop, [1, 2, 2, 2, 2, 4], kinds)
    final = revoted(workshop, phones, [2, 2, 3, 3, 3, 3])
    login(coordinator)
    client.post(f"/workshops/{workshop.id}/strands/{leadership.id}/carry")
    db.session.expire_all()
    result = db.session.scalar(
        select(StrandRating.room_result).where(
            StrandRating.assessment_id == workshop.assessment_id, StrandRating.strand_id == leadership.id
        )
    )
    # Six people, counted once, with their second say: not twelve votes.
    assert result["round_id"] == final.id and result["total"] == 6
    assert result["counts"] == {"1": 0, "2": 2, "3": 4, "4": 0} and result["median"] == "maturing"
    # The snapshot keeps the first vote beside the final one, with the shift in words.
    assert result["first_vote"]["round_id"] == first.id and result["first_vote"]["total"] == 6
    assert result["first_vote"]["counts"] == {"1": 1, "2": 4, "3": 0, "4": 1}
    assert result["first_vote"]["shift"].startswith("Discussion moved the room from Developing")
    page = client.get(f"/assessments/{workshop.assessment_id}/strands/{leadership.key}").get_data(as_text=True)
    assert "After discussion" in page and "Discussion moved the room from Developing" in page
    # Who took part: the same kinds of partner, whether they voted once or twice.
    held_workshops, took_part = participation(workshop.assessment)
    index = held_workshops.index(db.session.get(Workshop, workshop.id))
    assert sorted(k.org_type for k in took_part.voted_in(index)) == ["health", "police"]


def test_the_shift_shows_on_the_results_page_and_the_projector_in_the_room_s_words(app, client, login, coordinator, make_assessment, make_workshop):
    workshop, leadership = leadership_workshop(make_assessment, make_workshop, coordinator)
    first, phones = held(app, workshop, [2, 2, 2, 3, 1, 2])
    login(coordinator)
    # Before the revote is revealed the projector shows only its count, and no shift.
    new = operations.revote(workshop)
    db.session.commit()
    for phone, stage in zip(phones, [2, 3, 3, 2, 3, 2], strict=True):
        vote(phone, workshop, new.id, stage)
    presenter = client.get(f"/live/workshops/{workshop.id}/state?view=presenter").get_json()
    assert presenter["result"] is None and "shift" not in presenter
    operations.reveal_round(workshop, True)
    db.session.commit()
    presenter = client.get(f"/live/workshops/{workshop.id}/state?view=presenter").get_json()
    assert presenter["shift"]["before"]["counts"] == {"1": 1, "2": 4, "3": 1, "4": 0}
    assert presenter["result"]["counts"] == {"1": 0, "2": 3, "3": 3, "4": 0}
    # The projector speaks in agreement words; the console gives the numbers.
    assert presenter["shift"]["words"] == (
        "Discussion moved the room from Developing (strong agreement) to Developing–Maturing (mixed views)."
    )
    console = client.get(f"/live/workshops/{workshop.id}/state?view=facilitator").get_json()
    assert console["shift"]["words"] == (
        "Discussion moved the room from Developing (consensus 0.81) to Developing–Maturing (0.74)."
    )
    console_page = client.get(f"/workshops/{workshop.id}/facilitate").get_data(as_text=True)
    assert "Discussion moved the room from Developing (consensus 0.81)" in console_page
    assert "voting again after discussion" in console_page and "Vote again</strong>" in console_page
    screen = client.get(f"/workshops/{workshop.id}/present").get_data(as_text=True)
    assert "voting again after discussion" in screen and "First vote" in screen
    assert "Discussion moved the room from Developing (strong agreement)" in screen
    page = client.get(f"/workshops/{workshop.id}/results").get_data(as_text=True)
    assert "How discussion moved the room" in page
    assert "Discussion moved the room from Developing (consensus 0.81) to Developing–Maturing (0.74)." in page
    assert 'data-chart="shift"' in page and "Before and after discussion: votes per stage" in page


def test_a_revote_hides_every_group_the_first_vote_hid(app, client, login, coordinator, make_assessment, make_workshop):
    workshop, leadership = leadership_workshop(make_assessment, make_workshop, coordinator)
    # Round 1: a school and two people who gave no kind are hidden, and the room's most common
    # answer (4 said maturing) needs a pool of 5, so the health visitors are hidden with them.
    # Round 2 spreads the votes (at most 2 each): on its own it would show the health visitors.
    kinds = ["police"] * 4 + ["health"] * 3 + [None] * 2 + ["schools"]
    first, phones = held(app, workshop, [3, 3, 3, 2, 2, 2, 1, 3, 1, 1], kinds)
    new = revoted(workshop, phones, [1, 2, 3, 4, 1, 2, "dont-know", 3, 4, "dont-know"])
    from maturity.core.anonymity import SUPPRESSED_EARLIER, publish_round
    from maturity.workshops.queries import group_votes, published_rounds

    workshop = load_workshop(db.session, workshop.id)
    rounds = {r.id: r for r in workshop.rounds}
    published = published_rounds(db.session, [rounds[new.id]])
    health = next(g.group for g in published[first.id].groups if g.group.startswith("Health"))
    hidden_first = {g.group for g in published[first.id].groups if g.suppressed}
    hidden_final = {g.group for g in published[new.id].groups if g.suppressed}
    assert health in hidden_first and hidden_first == hidden_final
    assert published[new.id].shown("Police")
    # On its own the revote would have shown the health visitors.
    alone = publish_round(group_votes(db.session, [new.id])[new.id])
    assert alone.shown(health)
    assert published[new.id].group(health).reason == SUPPRESSED_EARLIER
    login(coordinator)
    page = client.get(f"/workshops/{workshop.id}/rounds/{new.id}/results").get_data(as_text=True)
    assert "Hidden as in the earlier vote on this strand" in page and "Discussion moved the room" in page


def test_a_revote_the_rule_holds_back_shows_only_its_count_everywhere(app, client, login, coordinator, make_assessment, make_workshop):
    """The first vote showed the police's three votes and pooled three single-person groups. In
    the revote the single people agree (all developing): the room's figures minus the police's,
    which anyone may assume unchanged, would say how each of them voted. So the revote publishes
    only its count: on the phones, the projector, the console, the results page and the carried
    result alike."""
    workshop, leadership = leadership_workshop(make_assessment, make_workshop, coordinator)
    kinds = ["police"] * 3 + ["health", "schools", "housing"]
    first, phones = held(app, workshop, [1, 2, 3, 1, 3, 4], kinds)
    final = revoted(workshop, phones, [1, 3, 4, 2, 2, 2])
    from maturity.workshops.queries import published_rounds

    workshop = load_workshop(db.session, workshop.id)
    rounds = {r.id: r for r in workshop.rounds}
    published = published_rounds(db.session, [rounds[final.id]])
    assert published[first.id].shown("Police") and not published[first.id].withheld
    assert published[final.id].withheld and published[final.id].room is None

    phone = phones[0].get(f"/live/join/{workshop.join_code}/state").get_json()
    assert phone["result"] is None and phone.get("withheld") is True
    why = "Beside the first vote, the figures of this vote again would show how a small group voted"
    assert why in phone["withheld_words"] and "Fewer than 3" not in phone["withheld_words"]
    phone_page = phones[0].get(f"/join/{workshop.join_code}/vote").get_data(as_text=True)
    assert why in phone_page and "Fewer than 3 people voted" not in phone_page
    login(coordinator)
    for view in ("presenter", "facilitator"):
        staff = client.get(f"/live/workshops/{workshop.id}/state?view={view}").get_json()
        assert staff["result"] is None and staff.get("withheld") is True and "shift" not in staff, view
        assert why in staff["withheld_words"], view
    for page in (f"/workshops/{workshop.id}/present", f"/workshops/{workshop.id}/facilitate",
                 f"/workshops/{workshop.id}/rounds/{final.id}/results"):
        text = client.get(page).get_data(as_text=True)
        assert ("this vote again" in text.lower() or why in text) and "With fewer than 3" not in text, page
    assert "Only the count: beside the first vote" in client.get(f"/workshops/{workshop.id}/results").get_data(as_text=True)
    refused = client.post(f"/workshops/{workshop.id}/strands/{leadership.id}/carry", follow_redirects=True)
    assert "The vote again on" in refused.get_data(as_text=True)
    client.post(f"/workshops/{workshop.id}/strands/{leadership.id}/carry")
    db.session.expire_all()
    carried = db.session.scalar(
        select(StrandRating.room_result).where(
            StrandRating.assessment_id == workshop.assessment_id, StrandRating.strand_id == leadership.id
        )
    )
    assert carried is None or (carried["counts"] is None and carried["total"] == 6 and "first_vote" not in carried)
    from maturity.auth import tokens

    _, token = tokens.create_token(coordinator, "revote test")
    db.session.commit()
    api = client.get(f"/api/v1/workshops/{workshop.id}/results", headers={"Authorization": f"Bearer {token}"})
    revote = next(r for r in api.get_json()["rounds"] if r["id"] == final.id)
    assert revote["summary"] is None and revote["shift"]["after"] is None
    assert all(g["suppressed"] and g["summary"] is None for g in revote["by_organisation_type"])


def test_the_partners_survey_stands_beside_the_shift_where_the_assessment_has_one(app, client, login, coordinator, make_assessment, make_workshop, make_survey):
    from maturity.surveys import operations as surveys

    workshop, leadership = leadership_workshop(make_assessment, make_workshop, coordinator)
    survey = make_survey(workshop.assessment, items=[(leadership, None)], title="Before the day")
    for n, stage in enumerate((1, 2, 2, 2)):
        answered = surveys.start_response(survey, f"device-{n}".ljust(64, "0"), survey.created_at.date())
        surveys.save_answer(answered, survey.items[0], stage, None)
    surveys.close_survey(survey)
    surveys.carry_survey_result(survey, leadership, coordinator, survey.created_at.date())
    db.session.commit()
    first, phones = held(app, workshop, [2, 2, 2, 3, 1, 2])
    revoted(workshop, phones, [2, 3, 3, 2, 3, 2])
    login(coordinator)
    presenter = client.get(f"/live/workshops/{workshop.id}/state?view=presenter").get_json()
    assert presenter["shift"]["survey"] == "The partners’ survey beforehand said Developing (strong agreement)."
    console = client.get(f"/live/workshops/{workshop.id}/state?view=facilitator").get_json()
    assert console["shift"]["survey"] == "The partners’ survey beforehand said Developing (consensus 0.80, 4 people)."
    screen = client.get(f"/workshops/{workshop.id}/present").get_data(as_text=True)
    assert "The partners’ survey beforehand said Developing (strong agreement)." in screen
    page = client.get(f"/workshops/{workshop.id}/results").get_data(as_text=True)
    assert "The partners’ survey beforehand said Developing (consensus 0.80, 4 people)." in page
    assert "Before the day" in page
    from maturity.auth import tokens

    _, token = tokens.create_token(coordinator, "survey beside the shift")
    db.session.commit()
    api = client.get(f"/api/v1/workshops/{workshop.id}/results", headers={"Authorization": f"Bearer {token}"}).get_json()
    shifts = [r["shift"] for r in api["rounds"] if r.get("shift")]
    assert [s["survey"] for s in shifts] == ["The partners’ survey beforehand said Developing (consensus 0.80, 4 people)."]


def test_without_a_survey_the_shift_says_nothing_of_one(app, client, login, coordinator, make_assessment, make_workshop):
    workshop, _ = leadership_workshop(make_assessment, make_workshop, coordinator)
    _, phones = held(app, workshop, [2, 2, 2, 3, 1, 2])
    revoted(workshop, phones, [2, 3, 3, 2, 3, 2])
    login(coordinator)
    presenter = client.get(f"/live/workshops/{workshop.id}/state?view=presenter").get_json()
    assert "survey" not in presenter["shift"]
    assert "partners’ survey" not in client.get(f"/workshops/{workshop.id}/results").get_data(as_text=True)


def test_the_one_page_summary_says_how_discussion_moved_the_carried_room(app, client, login, coordinator, make_assessment, make_workshop):
    workshop, leadership = leadership_workshop(make_assessment, make_workshop, coordinator)
    _, phones = held(app, workshop, [2, 2, 2, 3, 1, 2])
    revoted(workshop, phones, [2, 3, 3, 2, 3, 2])
    operations.carry_room_result(workshop, leadership, coordinator)
    db.session.commit()
    login(coordinator)
    page = client.get(f"/assessments/{workshop.assessment_id}/summary").get_data(as_text=True)
    assert "Workshop: Developing–Maturing after discussion (first vote Developing)" in page


def test_a_round_the_room_has_seen_never_takes_votes_again(app, client, login, coordinator, make_assessment, make_workshop):
    workshop, leadership = leadership_workshop(make_assessment, make_workshop, coordinator)
    first, phones = held(app, workshop, [2, 2, 3])
    with pytest.raises(OperationError, match="cannot reopen.*Vote again after discussion"):
        operations.open_round(workshop, first.id)
    db.session.rollback()
    # Hiding the result again does not make the round new: it was published.
    operations.reveal_round(workshop, False, first.id)
    db.session.commit()
    with pytest.raises(OperationError, match="cannot reopen"):
        operations.open_round(workshop, first.id)
    db.session.rollback()
    login(coordinator)
    refused = client.post(f"/workshops/{workshop.id}/open", data={"round_id": first.id}, follow_redirects=True)
    assert "cannot reopen" in refused.get_data(as_text=True)
    assert vote(phones[0], workshop, first.id, 4).status_code in (403, 409)
    state = client.get(f"/live/workshops/{workshop.id}/state?view=facilitator").get_json()
    assert state["round"]["shown"] is True
    console = client.get(f"/workshops/{workshop.id}/facilitate").get_data(as_text=True)
    open_form = console[console.index('data-control="open"') - 200:console.index('data-control="open"') + 60]
    assert "hidden" in open_form
    # A round closed before anyone saw its result may still reopen.
    operations.move(workshop, 1)
    second = operations.open_round(workshop)
    operations.close_round(workshop)
    assert operations.open_round(workshop).id == second.id


def test_a_vote_again_is_for_the_people_who_were_there_for_the_first_vote(app, coordinator, make_assessment, make_workshop):
    workshop, leadership = leadership_workshop(make_assessment, make_workshop, coordinator)
    first, phones = held(app, workshop, [2, 2, 3])
    late = join(app, workshop, "police")
    new = operations.revote(workshop)
    db.session.commit()
    refused = vote(late, workshop, new.id, 4)
    assert refused.status_code == 403
    assert "vote again for the people who were in the room for the first vote" in refused.get_json()["message"]
    page = late.post(f"/join/{workshop.join_code}/vote", data={"round_id": new.id, "stage": "4"})
    assert page.status_code == 403 and "Your vote counts from the next round" in page.get_data(as_text=True)
    assert all(vote(phone, workshop, new.id, 3).status_code == 200 for phone in phones)
    from maturity.workshops.queries import tally

    assert tally(db.session, new.id).total == 3
    operations.reveal_round(workshop, True)
    operations.move(workshop, 1)
    following = operations.open_round(workshop)
    db.session.commit()
    assert vote(late, workshop, following.id, 2).status_code == 200
