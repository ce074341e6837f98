"""The home page says what is waiting for the signed-in person, and the task list counts strands done."""

import re
from datetime import date, timedelta

from maturity.assessments import operations
from maturity.extensions import db
from maturity.models import PeerReview, PeerStrandReview
from maturity.reviews import operations as reviews
from maturity.workshops import operations as workshops


def page(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _world(make_area, make_user, make_assessment, framework):
    hampshire = make_area("Hampshire")
    coordinator = make_user("coordinator", hampshire)
    partner = make_user("contributor", hampshire)
    cheshire = make_area("Cheshire West and Chester")
    reviewer = make_user("reviewer", cheshire)
    assessment = make_assessment(area=hampshire, title="Self-assessment 2016", user=coordinator)
    strands = framework.strands
    operations.set_self_rating(assessment, strands[0], "developing", "Why", coordinator)
    operations.set_agreed_rating(assessment, strands[1], "maturing", "Agreed", coordinator)
    operations.add_action(assessment, strands[2], "Publish the early help strategy", None,
                          date.today() - timedelta(days=3), coordinator)
    operations.add_action(assessment, strands[2], "Train every keyworker", None,
                          date.today() + timedelta(days=30), coordinator)
    workshops.create_workshop(assessment, "Partnership workshop", [(strands[0], None)],
                              held_on=date.today() + timedelta(days=7), user=coordinator)
    asked = reviews.request_review(assessment, cheshire, [reviewer], coordinator)
    # A submitted review of an earlier cycle with one challenge not yet answered.
    earlier = make_assessment(area=hampshire, title="Self-assessment 2015", user=coordinator)
    done = PeerReview(assessment=earlier, reviewing_area=cheshire, reviewers=[reviewer], status="submitted")
    done.strand_reviews.append(PeerStrandReview(strand=strands[3], peer_rating="early", position="challenge"))
    done.strand_reviews.append(PeerStrandReview(strand=strands[4], peer_rating="early", position="agree"))
    db.session.add(done)
    db.session.commit()
    return {"coordinator": coordinator, "partner": partner, "reviewer": reviewer,
            "assessment": assessment, "asked": asked, "done": done}


def test_home_page_lists_what_waits_for_a_coordinator(client, login, make_area, make_user, make_assessment, framework):
    world = _world(make_area, make_user, make_assessment, framework)
    login(world["coordinator"])
    body = page(client.get("/"))
    assert "Assessments to continue" in body
    assert re.search(r"Self-assessment 2016</a><br>\s*<span[^>]*>2 of 6 strands done", body)
    assert "0 of 6 strands done" in body  # the 2015 cycle
    assert "Challenges to answer" in body
    assert f"/peer-reviews/{world['done'].id}/strands/{framework.strands[3].key}/answer" in body
    assert f"/strands/{framework.strands[4].key}/answer" not in body  # agreed, nothing to answer
    assert "Actions overdue" in body and "Publish the early help strategy" in body
    assert "Train every keyworker" not in body
    assert "Workshops coming up" in body and "Partnership workshop" in body
    assert "Peer reviews asked of you" not in body


def test_home_page_lists_reviews_asked_of_a_reviewer(client, login, make_area, make_user, make_assessment, framework):
    world = _world(make_area, make_user, make_assessment, framework)
    login(world["reviewer"])
    body = page(client.get("/"))
    assert "Peer reviews asked of you" in body
    assert f"/peer-reviews/{world['asked'].id}" in body
    assert f"/peer-reviews/{world['done'].id}\"" not in body  # submitted: no longer waiting
    for heading in ("Assessments to continue", "Challenges to answer", "Actions overdue", "Workshops coming up"):
        assert heading not in body


def test_home_page_for_a_partner_shows_their_area_but_no_challenges(client, login, make_area, make_user, make_assessment, framework):
    world = _world(make_area, make_user, make_assessment, framework)
    login(world["partner"])
    body = page(client.get("/"))
    assert "Assessments to continue" in body and "2 of 6 strands done" in body
    assert "Actions overdue" in body and "Workshops coming up" in body
    assert "Challenges to answer" not in body and "Peer reviews asked of you" not in body


def test_home_page_says_when_nothing_waits(client, login, make_area, make_user):
    login(make_user("coordinator", make_area("Tameside")))
    assert "Nothing is waiting for you" in page(client.get("/"))


def test_task_list_counts_strands_done_and_untouched_strands_are_not_started(client, login, make_area, make_user, make_assessment, framework):
    area = make_area("Hartlepool")
    coordinator = make_user("coordinator", area)
    assessment = make_assessment(area=area, user=coordinator)
    login(coordinator)
    body = page(client.get(f"/assessments/{assessment.id}"))
    assert "0 of 6 strands done" in body
    assert body.count("Not started") >= 6 and "In progress" not in body
    operations.set_self_rating(assessment, framework.strands[0], "early", "Why", coordinator)
    db.session.commit()
    assert "1 of 6 strands done" in page(client.get(f"/assessments/{assessment.id}"))
