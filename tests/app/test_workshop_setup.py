"""Setting up a workshop: the form, its defaults and errors, access, editing and deleting."""

import re

from sqlalchemy import select

from maturity.extensions import db
from maturity.models import Round, Workshop
from maturity.workshops import codes, operations


def choice_keys(framework):
    keys = {}
    for strand in framework.strands:
        keys[strand.key] = f"s{strand.id}"
        for element in strand.elements:
            keys[f"{strand.key}/{element.key}"] = f"e{element.id}"
    return keys


def test_the_form_offers_the_six_strands_with_delivery_as_two_elements(client, login, coordinator, make_assessment, framework):
    assessment = make_assessment(area=coordinator.memberships[0].area)
    login(coordinator)
    page = client.get(f"/assessments/{assessment.id}/workshops/new").get_data(as_text=True)
    checked = re.findall(r'id="round-([se]\d+)" name="rounds" type="checkbox" value="[se]\d+" checked', page)
    keys = choice_keys(framework)
    expected = [keys[s.key] for s in framework.strands if s.key != "delivery"] + [
        keys["delivery/delivery-structures"], keys["delivery/delivery-processes"]
    ]
    assert sorted(checked) == sorted(expected)
    assert 'name="offer_dont_know" type="checkbox" value="y" checked' in page.replace("\n", " ") or "offer_dont_know" in page
    assert "Set up a workshop" in page


def test_creating_a_workshop_in_a_chosen_order(client, login, coordinator, make_assessment, framework):
    assessment = make_assessment(area=coordinator.memberships[0].area)
    keys = choice_keys(framework)
    login(coordinator)
    response = client.post(
        f"/assessments/{assessment.id}/workshops/new",
        data={
            "title": "  Partnership event  ",
            "held_on": ["17", "11", "2016"],
            "rounds": [keys["strategy"], keys["leadership"], keys["delivery/delivery-processes"]],
            f"order-{keys['strategy']}": "2",
            f"order-{keys['leadership']}": "1",
            f"order-{keys['delivery/delivery-processes']}": "",
            "offer_dont_know": "y",
            "ask_org_type": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    workshop = db.session.scalar(select(Workshop))
    assert workshop.title == "Partnership event"
    assert workshop.held_on.isoformat() == "2016-11-17"
    assert (workshop.offer_dont_know, workshop.allow_changes, workshop.ask_org_type, workshop.results_visible) == (True, False, True, False)
    assert [r.title for r in workshop.rounds] == ["Leadership", "Strategy", "Delivery processes"]
    assert workshop.status == "setup" and workshop.current_round_id == workshop.rounds[0].id
    assert codes.normalise(workshop.join_code) == workshop.join_code
    assert response.headers["Location"].endswith(f"/workshops/{workshop.id}")


def test_bad_set_up_shows_errors_keeps_what_was_typed_and_stores_nothing(client, login, coordinator, make_assessment, framework):
    assessment = make_assessment(area=coordinator.memberships[0].area)
    keys = choice_keys(framework)
    login(coordinator)
    url = f"/assessments/{assessment.id}/workshops/new"

    response = client.post(url, data={"title": "Kept title", "held_on": ["31", "2", "2017"]})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "govuk-error-summary" in page and "Choose at least one strand or element to vote on" in page
    assert "must be a real date" in page
    assert 'value="Kept title"' in page

    both = client.post(url, data={"title": "x", "rounds": [keys["delivery"], keys["delivery/delivery-structures"]]})
    assert both.status_code == 400
    assert "either as a whole strand or by its elements, not both" in both.get_data(as_text=True)

    bad_order = client.post(url, data={"title": "x", "rounds": [keys["culture"]], f"order-{keys['culture']}": "first"})
    assert bad_order.status_code == 400
    assert "Enter the order of Culture as a whole number from 1 to 99" in bad_order.get_data(as_text=True)
    assert 'value="first"' in bad_order.get_data(as_text=True)

    no_title = client.post(url, data={"title": "  ", "rounds": [keys["culture"]]})
    assert no_title.status_code == 400 and "Enter a title for the workshop" in no_title.get_data(as_text=True)

    forged = client.post(url, data={"title": "x", "rounds": ["s999999"]})
    assert forged.status_code == 400
    assert db.session.scalar(select(Workshop)) is None


def test_only_the_areas_coordinators_may_set_up_and_others_cannot_see(client, login, make_area, make_user, make_assessment, make_workshop):
    home, other = make_area("Home"), make_area("Elsewhere")
    assessment = make_assessment(area=home)
    workshop = make_workshop(assessment=assessment)
    contributor = make_user("contributor", home)
    outsider = make_user("coordinator", other)

    assert client.get(f"/workshops/{workshop.id}").status_code == 302  # sign in first
    login(contributor)
    assert client.get(f"/assessments/{assessment.id}/workshops/new").status_code == 403
    assert client.get(f"/workshops/{workshop.id}").status_code == 200
    assert client.get(f"/workshops/{workshop.id}/facilitate").status_code == 403
    assert client.post(f"/workshops/{workshop.id}/open").status_code == 403
    assert client.get(f"/workshops/{workshop.id}/present").status_code == 200
    client.post("/sign-out")
    login(outsider)
    for url in (f"/workshops/{workshop.id}", f"/workshops/{workshop.id}/present", f"/workshops/{workshop.id}/results",
                f"/workshops/{workshop.id}/results.csv", f"/assessments/{assessment.id}/workshops/new",
                f"/live/workshops/{workshop.id}/state", f"/live/workshops/{workshop.id}/events",
                f"/workshops/{2**40}", f"/assessments/{2**40}/workshops/new"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/workshops/{workshop.id}/open").status_code == 404
    assert db.session.get(Workshop, workshop.id).status == "setup"


def test_editing_before_the_start_replaces_the_rounds_and_deleting_removes_it(client, login, coordinator, make_assessment, make_workshop, framework):
    assessment = make_assessment(area=coordinator.memberships[0].area)
    workshop = make_workshop(assessment=assessment)
    keys = choice_keys(framework)
    login(coordinator)
    page = client.get(f"/workshops/{workshop.id}/edit").get_data(as_text=True)
    assert 'value="Partnership workshop"' in page
    response = client.post(
        f"/workshops/{workshop.id}/edit",
        data={"title": "Renamed", "rounds": [keys["culture"], keys["strategy"]], "allow_changes": "y"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    workshop = db.session.get(Workshop, workshop.id)
    assert workshop.title == "Renamed" and [r.title for r in workshop.rounds] == ["Strategy", "Culture"]
    assert workshop.current_round_id == workshop.rounds[0].id
    assert workshop.revision >= 1

    operations.start_workshop(workshop)
    db.session.commit()
    assert client.get(f"/workshops/{workshop.id}/edit").status_code == 302
    assert client.post(f"/workshops/{workshop.id}/delete").status_code == 302
    assert db.session.get(Workshop, workshop.id) is not None  # started: kept on record

    fresh = make_workshop(assessment=assessment)
    assert client.post(f"/workshops/{fresh.id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(Workshop, fresh.id) is None
    assert db.session.scalar(select(Round).where(Round.workshop_id == fresh.id)) is None


def test_the_assessment_partial_lists_workshops_and_offers_set_up(client, login, coordinator, make_assessment, make_workshop, make_user, app):
    area = coordinator.memberships[0].area
    assessment = make_assessment(area=area)
    make_workshop(assessment=assessment, title="Spring workshop")
    login(coordinator)
    page = client.get(f"/assessments/{assessment.id}/workshops").get_data(as_text=True)
    assert "Spring workshop" in page and "Set up a workshop" in page
    client.post("/sign-out")
    login(make_user("reviewer", area))
    page = client.get(f"/assessments/{assessment.id}/workshops").get_data(as_text=True)
    assert "Spring workshop" in page and "Set up a workshop" not in page


def test_one_set_up_form_with_csrf_on(app, client, login, coordinator, make_assessment, framework):
    assessment = make_assessment(area=coordinator.memberships[0].area)
    login(coordinator)
    app.config["WTF_CSRF_ENABLED"] = True
    keys = choice_keys(framework)
    refused = client.post(f"/assessments/{assessment.id}/workshops/new", data={"title": "x", "rounds": [keys["culture"]]})
    assert refused.status_code == 400 and "nothing was saved" in refused.get_data(as_text=True)
    page = client.get(f"/assessments/{assessment.id}/workshops/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(r'name="csrf_token" value="([^"]+)"', page)
    accepted = client.post(
        f"/assessments/{assessment.id}/workshops/new",
        data={"csrf_token": token.group(1), "title": "x", "rounds": [keys["culture"]]},
    )
    assert accepted.status_code == 302
