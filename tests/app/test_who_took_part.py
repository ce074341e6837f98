"""Who took part: core partner types that voted in a workshop or own evidence, the gaps flagged on
the task list and the one-page summary, and the area setting that says which types are core."""

from datetime import date, timedelta

from sqlalchemy import select

from maturity.assessments import operations as assessments
from maturity.assessments.queries import participation
from maturity.evidence import operations as evidence
from maturity.extensions import db
from maturity.models import Area, Feature
from maturity.workshops import operations as workshops

ORGANISATIONS = [
    ("Testshire Council", "local-authority"),
    ("Testshire Police", "police"),
    ("Testshire Health", "health"),
    ("Testshire Schools", "schools"),
    ("Testshire Voluntary Action", "voluntary"),
    ("Testshire Fire", "fire"),
]


def scene(make_area, make_user, make_assessment):
    """Police and health vote; the voluntary sector and fire own evidence; schools' is rejected."""
    area = make_area("Testshire", organisations=ORGANISATIONS)
    coordinator = make_user("coordinator", area)
    assessment = make_assessment(area)
    strand = assessment.framework.strands[0]
    workshop = workshops.create_workshop(assessment, "Spring workshop", [(strand, None)], held_on=date(2017, 3, 1))
    people = [workshops.join(workshop, t) for t in ("police", "health", "health", None)]
    round_ = workshops.open_round(workshop)
    for person in people:
        workshops.cast_vote(workshop.id, round_.id, person.id, 3)
    workshops.join(workshop, "housing")  # joined but never voted: not a voice
    workshops.close_round(workshop, round_.id)
    feature = db.session.scalar(select(Feature).where(Feature.framework_id == assessment.framework_id))
    organisations = {o.org_type: o for o in area.organisations}
    for org_type, status in (("voluntary", "accepted"), ("fire", "draft"), ("schools", "rejected")):
        item = evidence.add_evidence(
            assessment, coordinator,
            {"title": f"{org_type} evidence", "kind": "qualitative", "organisation_id": organisations[org_type].id},
            [feature],
        )
        if status != "draft":
            evidence.review_evidence(item, coordinator, status, "Not about services" if status == "rejected" else None)
    db.session.commit()
    return area, coordinator, assessment, workshop


def test_voters_and_evidence_owners_take_part_and_core_gaps_are_named(app, make_area, make_user, make_assessment):
    area, _coordinator, assessment, workshop = scene(make_area, make_user, make_assessment)
    found_workshops, found = participation(assessment)
    assert found_workshops == [workshop]
    parts = {p.org_type: p for p in found.parts}
    assert parts["police"].voted == (True,) and parts["health"].voted == (True,)
    assert parts["voluntary"].evidence == 1 and not any(parts["voluntary"].voted)
    assert parts["schools"].evidence == 0  # rejected evidence is no voice
    assert parts["housing"].voted == (False,)  # joined, never voted
    assert found.gaps == ["local-authority", "schools", "jobcentre-plus", "probation", "housing"]
    assert [p.org_type for p in found.others] == ["fire"]


def test_a_workshop_still_being_set_up_is_not_listed(app, make_area, make_user, make_assessment):
    area = make_area("Quietshire")
    assessment = make_assessment(area)
    workshops.create_workshop(assessment, "Not yet", [(assessment.framework.strands[0], None)])
    db.session.commit()
    found_workshops, found = participation(assessment)
    assert found_workshops == [] and len(found.gaps) == 8


def test_the_task_list_and_summary_flag_the_gaps(app, client, login, make_area, make_user, make_assessment):
    area, coordinator, assessment, _workshop = scene(make_area, make_user, make_assessment)
    login(coordinator)
    page = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert "Who took part" in page
    assert "No voice from schools. No voice from Jobcentre Plus" in page
    assert "Voted in Spring workshop (1 March 2017)" in page
    assert f"/areas/{area.id}/settings" in page
    summary = client.get(f"/assessments/{assessment.id}/summary").get_data(as_text=True)
    assert "No voice from the local authority" in summary and "No voice from housing" in summary
    assert "Core partners taking part (voted in a workshop or own evidence): Police, Health / clinical commissioning group, Voluntary and community sector." in summary
    assert "Also: Fire and rescue." in summary


def test_the_area_setting_decides_which_types_are_core(app, client, login, make_area, make_user, make_assessment):
    area, coordinator, assessment, _workshop = scene(make_area, make_user, make_assessment)
    login(coordinator)
    form = client.get(f"/areas/{area.id}/settings")
    assert form.status_code == 200 and 'value="jobcentre-plus" checked' in form.get_data(as_text=True)
    saved = client.post(f"/areas/{area.id}/settings", data={"core_partner_types": ["police", "health", "fire"], "about": " Four localities. "})
    assert saved.status_code == 302
    db.session.expire_all()
    area = db.session.get(Area, area.id)
    assert area.core_partner_types == ["police", "health", "fire"] and area.about == "Four localities."
    page = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert "No voice from" not in page and "Every core partner took part" in page
    assert "Core partners, whose voice each assessment looks for: Police, Health / clinical commissioning group, Fire and rescue." in client.get(f"/areas/{area.id}").get_data(as_text=True)
    # Choosing the toolkit's list again stores no list of the area's own.
    client.post(f"/areas/{area.id}/settings", data={"core_partner_types": ["local-authority", "police", "health", "schools", "jobcentre-plus", "probation", "housing", "voluntary"]})
    db.session.expire_all()
    assert db.session.get(Area, area.id).core_partner_types is None


def test_the_settings_refuse_bad_input_with_a_message(app, client, login, make_area, make_user):
    area = make_area("Testshire")
    login(make_user("coordinator", area))
    none = client.post(f"/areas/{area.id}/settings", data={"about": "x"})
    assert none.status_code == 400 and "Select at least one kind of partner" in none.get_data(as_text=True)
    unknown = client.post(f"/areas/{area.id}/settings", data={"core_partner_types": ["police", "martians"]})
    assert unknown.status_code == 400 and "not a valid choice" in unknown.get_data(as_text=True)
    long = client.post(f"/areas/{area.id}/settings", data={"core_partner_types": ["police"], "about": "x" * 2001})
    assert long.status_code == 400 and "2,000 characters or fewer" in long.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Area, area.id).core_partner_types is None


def test_only_the_area_s_coordinator_may_change_its_settings(app, client, login, make_area, make_user):
    area, other = make_area("Testshire"), make_area("Elsewhere")
    login(make_user("contributor", area))
    assert client.get(f"/areas/{area.id}/settings").status_code == 403
    assert client.post(f"/areas/{area.id}/settings", data={"core_partner_types": ["police"]}).status_code == 403
    assert client.get(f"/areas/{other.id}/settings").status_code == 404
    assert "Change the area’s settings" not in client.get(f"/areas/{area.id}").get_data(as_text=True)


def test_the_summary_shows_a_rag_per_strand_from_its_next_steps(app, client, login, make_area, make_user, make_assessment):
    area = make_area("Testshire")
    coordinator = make_user("coordinator", area)
    assessment = make_assessment(area)
    strands = assessment.framework.strands
    today = date.today()
    assessments.add_action(assessment, strands[0], "All done", None, today - timedelta(days=9), coordinator, status="done")
    assessments.add_action(assessment, strands[1], "On its way", None, today + timedelta(days=9), coordinator, status="in_progress")
    assessments.add_action(assessment, strands[2], "Late", None, today - timedelta(days=1), coordinator, status="not_started")
    db.session.commit()
    login(coordinator)
    page = client.get(f"/assessments/{assessment.id}/summary").get_data(as_text=True)
    assert "Next steps plan" in page and "Key to the next steps (RAG)" in page
    rags = [page.count(f"app-rag--{colour}\">") for colour in ("red", "amber", "green")]
    # In the ratings table and the plan, each strand once; the key adds one of each.
    assert rags == [2 * (len(strands) - 2) + 1, 2 + 1, 2 + 1]
    assert "Overdue" in page and "No next step planned yet." in page


def test_a_workshop_s_results_say_who_voted_and_who_did_not(app, client, login, make_area, make_user, make_assessment):
    area, coordinator, assessment, workshop = scene(make_area, make_user, make_assessment)
    login(coordinator)
    page = client.get(f"/workshops/{workshop.id}/results").get_data(as_text=True)
    assert "Kinds of partner with someone voting: Police, Health / clinical commissioning group." in page
    # The voluntary sector owns evidence, but nobody from it voted in this workshop.
    assert "No voice from the voluntary sector" in page and "No voice from the police" not in page
