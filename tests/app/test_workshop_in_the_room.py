"""The workshop in the room: ending on a confirmation page, plain words for agreement on the
projector, the facilitator's private preview, and the phone's one-screen join."""

from flask import g

from maturity.extensions import db
from maturity.models import Workshop
from tests.support.workshops import join, open_current, vote


def _room(client, login, coordinator, make_assessment, make_workshop, **settings):
    assessment = make_assessment(area=coordinator.memberships[0].area)
    workshop = make_workshop(assessment=assessment, **settings)
    login(coordinator)
    return workshop


# --------------------------------------------------------------------------------------------
# Ending asks on a page of its own
# --------------------------------------------------------------------------------------------


def test_ending_asks_on_a_confirmation_page_and_the_post_ends_it(client, login, coordinator, make_assessment, make_workshop):
    workshop = _room(client, login, coordinator, make_assessment, make_workshop)
    wid = workshop.id
    open_current(workshop)
    console = client.get(f"/workshops/{wid}/facilitate").get_data(as_text=True)
    assert f'href="/workshops/{wid}/end"' in console
    assert "data-confirm" not in console  # no browser confirm() box

    page = client.get(f"/workshops/{wid}/end")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Are you sure you want to end the workshop?" in html
    assert 'class="govuk-back-link"' in html and f'href="/workshops/{wid}/facilitate"' in html
    assert "govuk-button--warning" in html and f'action="/workshops/{wid}/end"' in html
    assert db.session.get(Workshop, wid).status == "live"  # looking at the page changes nothing

    ended = client.post(f"/workshops/{wid}/end")
    assert ended.status_code == 302 and ended.headers["Location"].endswith(f"/workshops/{wid}/facilitate")
    db.session.expire_all()
    assert db.session.get(Workshop, wid).status == "closed"
    after = client.get(f"/workshops/{wid}/facilitate").get_data(as_text=True)
    assert "The workshop has ended" in after and f'href="/workshops/{wid}/end"' not in after

    again = client.get(f"/workshops/{wid}/end")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/workshops/{wid}/facilitate")


def test_the_confirmation_page_needs_a_sign_in(app, client, login, coordinator, make_assessment, make_workshop):
    workshop = _room(client, login, coordinator, make_assessment, make_workshop)
    g.pop("_login_user", None)  # Flask-Login caches the signed-in user in the test's context
    stranger = app.test_client().get(f"/workshops/{workshop.id}/end")
    assert stranger.status_code == 302 and "/sign-in" in stranger.headers["Location"]


# --------------------------------------------------------------------------------------------
# The facilitator's private preview, and plain words on the projector
# --------------------------------------------------------------------------------------------


def _voted(app, workshop, stages):
    round_ = open_current(workshop)
    for stage in stages:
        assert vote(join(app, workshop, "police"), workshop, round_.id, stage).status_code == 200
    return round_


def test_the_facilitator_previews_a_closed_round_that_nobody_else_sees(app, client, login, coordinator, make_assessment, make_workshop):
    workshop = _room(client, login, coordinator, make_assessment, make_workshop)
    wid = workshop.id
    _voted(app, workshop, [2, 3, 3, 3])
    phone = join(app, workshop)
    staff = f"/live/workshops/{wid}/state"

    # While voting is open nobody sees the tally, the facilitator included.
    open_state = client.get(f"{staff}?view=facilitator").get_json()
    assert "preview" not in open_state and open_state["result"] is None
    assert "Close voting to preview" in client.get(f"/workshops/{wid}/facilitate").get_data(as_text=True)

    client.post(f"/workshops/{wid}/close")
    preview = client.get(f"{staff}?view=facilitator").get_json()["preview"]
    assert preview["counts"] == {"1": 0, "2": 1, "3": 3, "4": 0}
    assert preview["median"]["label"] == "Maturing" and preview["agreement"] == "Strong agreement"
    console = client.get(f"/workshops/{wid}/facilitate").get_data(as_text=True)
    assert "Preview the result before the room sees it" in console and "Only you can see this" in console
    assert "consensus 0.80" in console  # the number stays on the console

    # The presenter and the phones still carry the count only.
    presenter = client.get(f"{staff}?view=presenter").get_json()
    assert presenter["result"] is None and "preview" not in presenter
    assert presenter["count"] == {"total": 4}
    on_phone = phone.get(f"/live/join/{workshop.join_code}/state").get_json()
    assert on_phone["result"] is None and "preview" not in on_phone
    projector = client.get(f"/workshops/{wid}/present").get_data(as_text=True)
    assert "Strong agreement" not in projector and "Maturing</dd>" not in projector

    # Revealed: the projector shows the median and plain words, the console the numbers too.
    client.post(f"/workshops/{wid}/reveal")
    shown = client.get(f"{staff}?view=presenter").get_json()["result"]
    assert shown["median"]["label"] == "Maturing" and shown["agreement"] == "Strong agreement"
    projector = client.get(f"/workshops/{wid}/present").get_data(as_text=True)
    assert 'id="p-agreement">Strong agreement<' in projector
    assert "Mean" not in projector and "Consensus" not in projector and "0.80" not in projector
    assert "What the middle vote and agreement mean" in projector
    console = client.get(f"/workshops/{wid}/facilitate").get_data(as_text=True)
    assert "showing on the projector" in console and "consensus 0.80" in console
    assert "Preview the result" not in console


def test_a_preview_of_fewer_than_three_voters_shows_only_that(app, client, login, coordinator, make_assessment, make_workshop):
    workshop = _room(client, login, coordinator, make_assessment, make_workshop)
    _voted(app, workshop, [1, 4])
    client.post(f"/workshops/{workshop.id}/close")
    state = client.get(f"/live/workshops/{workshop.id}/state?view=facilitator").get_json()
    assert state["preview"] is None and state["preview_withheld"] is True
    console = client.get(f"/workshops/{workshop.id}/facilitate").get_data(as_text=True)
    assert "revealing will show only the count" in console


def test_the_results_page_keeps_the_numbers_and_explains_them(app, client, login, coordinator, make_assessment, make_workshop):
    workshop = _room(client, login, coordinator, make_assessment, make_workshop)
    round_ = _voted(app, workshop, [1, 1, 4, 4])
    client.post(f"/workshops/{workshop.id}/reveal")
    page = client.get(f"/workshops/{workshop.id}/results").get_data(as_text=True)
    assert "0.00" in page and "(split)" in page
    assert "What the middle vote and agreement mean" in page
    one = client.get(f"/workshops/{workshop.id}/rounds/{round_.id}/results").get_data(as_text=True)
    assert "Agreement" in one and "Split" in one and "What the middle vote and agreement mean" in one
