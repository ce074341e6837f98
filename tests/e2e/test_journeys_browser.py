"""Journeys through the pages in headless Chromium, as people would make them.

Signing in; a coordinator's path through an assessment (open it, add evidence with a file,
accept it, rate a strand, agree the rating, read the summary); a peer review from request to
answer; and a comparison of two areas with its charts. Any JavaScript error or CSP violation
fails a journey. The live workshop has its own test (test_workshop_browser.py).
"""

import re
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.support.browser import (
    arrange,
    chart_table_problems,
    make_area_with_people,
    new_page,
    sign_in,
    unique,
    watch_errors,
    write_pdf,
)
from tests.support.files import pdf_bytes

pytestmark = pytest.mark.browser


def test_sign_in_refuses_a_wrong_password_then_signs_in_and_out(live_server, browser):
    name = unique("Signshire")
    people = arrange(live_server, lambda: {
        "email": make_area_with_people(name, {"coordinator": "coordinator"})["coordinator"].email
    })
    page = new_page(browser)
    errors: list[str] = []
    watch_errors(page, errors)
    base = live_server.url

    page.goto(f"{base}/areas/")
    assert re.search(r"/sign-in", page.url), "a signed-out visitor is sent to sign in"
    page.get_by_label("Email address").fill(people["email"])
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "There is a problem" in summary.inner_text()
    assert page.get_by_label("Email address").input_value() == people["email"]
    assert page.get_by_label("Password", exact=True).input_value() == ""

    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()
    assert "/sign-in" not in page.url
    page.goto(f"{base}/areas/")
    assert page.locator("main").get_by_role("link", name=name, exact=True).count() == 1

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sign out").wait_for(state="detached")
    page.goto(f"{base}/areas/")
    assert "/sign-in" in page.url
    assert errors == [], errors
    page.context.close()


def test_coordinator_takes_an_assessment_from_opening_to_its_summary(live_server, browser, tmp_path):
    name = unique("Journeyshire")
    people = arrange(live_server, lambda: {
        key: (value.email if key != "area" else value.id)
        for key, value in make_area_with_people(name, {"coordinator": "coordinator"}).items()
    })
    page = new_page(browser)
    errors: list[str] = []
    watch_errors(page, errors)
    sign_in(page, live_server.url, people["coordinator"])

    # Open an assessment from the area's page.
    page.goto(f"{live_server.url}/areas/")
    page.locator("main").get_by_role("link", name=name, exact=True).click()
    page.get_by_role("link", name="Open an assessment").click()
    page.get_by_label("Title").fill("Early help maturity self-assessment 2017")
    page.get_by_label("Period").fill("2017 to 2018")
    page.get_by_role("button", name="Open the assessment").click()
    page.get_by_role("heading", level=1, name="Early help maturity self-assessment 2017").wait_for()
    assert "Assessment opened" in page.locator(".govuk-notification-banner").inner_text()
    assessment_url = page.url
    assert page.locator(".govuk-task-list__item").count() >= 6

    # Add evidence with a file, linked to a leadership feature.
    page.get_by_role("link", name="Evidence register").click()
    page.get_by_role("link", name="Add evidence").click()
    page.get_by_label("Title").fill("Early help board minutes, March 2017")
    page.get_by_label("Description").fill("The board agreed the shared outcomes framework.")
    page.get_by_label("Owner organisation").select_option(label=f"{name} Council")
    page.get_by_label("Qualitative").check()
    page.get_by_label("Source of evidence").select_option(label="Other")
    page.get_by_label("Describe the source").fill("Board minutes")
    page.get_by_label("Upload a file (optional)").set_input_files(str(write_pdf(tmp_path)))
    page.get_by_label(re.compile("I confirm the file holds no personal data")).check()
    leadership = page.locator("details.app-evidence-strand", has_text="Leadership")
    leadership.locator("summary").click()
    feature = leadership.locator("input[name=features]").first
    feature.check()
    page.get_by_role("button", name="Save evidence").click()
    page.get_by_role("heading", level=1, name="Early help board minutes, March 2017").wait_for()

    # The file downloads as it was uploaded.
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Board minutes.pdf")).first.click()
    assert download.value.suggested_filename == "Board minutes.pdf"
    assert Path(download.value.path()).read_bytes() == pdf_bytes()

    # The coordinator accepts it.
    page.get_by_label(re.compile("Accept: it supports")).check()
    page.get_by_role("button", name="Save decision").click()
    page.locator(".govuk-tag", has_text="Accepted").first.wait_for()

    # Rate leadership, then record the rating agreed with partners.
    page.goto(assessment_url)
    page.get_by_role("link", name=re.compile(r"^\s*2\. Leadership")).click()
    # One question per page: each rating on a page of its own, then back to the strand page
    # with the confirmation in view.
    page.get_by_role("link", name="Rate Leadership", exact=True).click()
    page.get_by_role("heading", level=1, name="What is your self rating of Leadership?").wait_for()
    page.get_by_label("Developing", exact=True).check()
    page.get_by_label("Rationale", exact=True).fill("Leaders committed; demand data still partial.")
    page.get_by_role("button", name="Save self rating").click()
    banner = page.locator(".govuk-notification-banner", has_text="Self rating saved for Leadership")
    banner.wait_for()
    assert banner.is_visible() and page.evaluate("() => window.scrollY") == 0

    page.get_by_role("link", name="Agree a rating for Leadership").click()
    page.get_by_label("Developing–Maturing", exact=True).check()
    page.get_by_label("Why the partnership agreed this rating").fill("The room saw more progress than the desk.")
    page.get_by_role("button", name="Save agreed rating").click()
    page.locator(".govuk-notification-banner", has_text="Agreed rating saved for Leadership").wait_for()
    ratings = page.locator("#ratings + dl").inner_text()
    assert "Developing–Maturing" in ratings and "The room saw more progress than the desk." in ratings

    # The one-page summary shows the agreed rating and the accepted evidence.
    page.goto(assessment_url)
    page.get_by_role("link", name="One-page summary").click()
    row = page.locator("tr", has=page.get_by_role("rowheader", name="Leadership", exact=True))
    text = row.inner_text()
    assert "D–M" in text and "agreed" in text
    assert "Early help board minutes, March 2017" in text
    assert errors == [], errors
    page.context.close()


def _arrange_review(live):
    """Two areas: A's coordinator and assessment (self-rated), B's reviewer and agreed assessment."""

    def build():
        from maturity.assessments.operations import create_assessment
        from maturity.framework.operations import latest_framework

        framework = latest_framework()
        reviewed = make_area_with_people(unique("Reviewedshire"), {"coordinator": "coordinator"})
        champion = make_area_with_people(unique("Championshire"), {"reviewer": "reviewer"})
        a = create_assessment(reviewed["area"], framework, "Self-assessment 2016", "2016 to 2017", reviewed["coordinator"])
        b = create_assessment(champion["area"], framework, "Champion self-assessment 2016", "2016 to 2017")
        for strand in framework.strands:
            a.rating_for(strand).self_rating = "developing"
            b.rating_for(strand).agreed_rating = "maturing"
        a.rating_for(framework.strands[0]).self_rating = "mature"
        return {
            "coordinator": reviewed["coordinator"].email,
            "reviewer": champion["reviewer"].email,
            "reviewer_name": champion["reviewer"].name,
            "a_area": reviewed["area"].name,
            "b_area": champion["area"].name,
            "a": a.id,
            "b": b.id,
            "strands": [(s.key, s.name) for s in framework.strands],
        }

    return arrange(live, build)


def test_peer_review_from_request_to_answer_then_a_comparison(live_server, browser):
    data = _arrange_review(live_server)
    base = live_server.url
    errors: list[str] = []

    # A's coordinator asks B for a peer review, naming the reviewer.
    coordinator = new_page(browser)
    watch_errors(coordinator, errors)
    sign_in(coordinator, base, data["coordinator"])
    coordinator.goto(f"{base}/assessments/{data['a']}")
    coordinator.get_by_role("link", name="Request a peer review").click()
    coordinator.get_by_label("Reviewing area").select_option(label=data["b_area"])
    coordinator.get_by_role("button", name="Choose reviewers").click()
    coordinator.get_by_label(data["reviewer_name"]).check()
    coordinator.get_by_label(re.compile("What would you like the reviewers to look at")).fill("Please test leadership.")
    coordinator.get_by_role("button", name="Request the peer review").click()
    coordinator.locator(".govuk-notification-banner", has_text=f"Peer review requested from {data['b_area']}").wait_for()
    review_url = coordinator.url

    # B's reviewer finds it, rates every strand (challenging leadership), sums up and submits.
    reviewer = new_page(browser)
    watch_errors(reviewer, errors)
    sign_in(reviewer, base, data["reviewer"])
    reviewer.goto(f"{base}/peer-reviews")
    reviewer.get_by_role("link", name=re.compile(data["a_area"])).first.click()
    reviewer.wait_for_url(review_url)
    for key, strand_name in data["strands"]:
        reviewer.goto(f"{review_url}/strands/{key}")
        challenge = key == "leadership"
        reviewer.get_by_label("Developing–Maturing" if challenge else "Developing", exact=True).check()
        reviewer.get_by_label("Challenge the area's rating" if challenge else "Agree with the area's rating").check()
        reviewer.get_by_label("Strengths").fill(f"Clear plans for {strand_name}.")
        if challenge:
            reviewer.get_by_label("Questions for the area").fill("Which partners have signed the outcomes plan?")
        reviewer.get_by_role("button", name="Save this strand").click()
        reviewer.wait_for_url(re.compile(r"/peer-reviews/\d+(#.*)?$"))
    reviewer.get_by_role("link", name=re.compile("the overall summary")).click()
    reviewer.get_by_label("Overall summary").fill("A candid assessment, well evidenced in most strands.")
    reviewer.get_by_role("button", name="Save the summary").click()
    reviewer.get_by_role("button", name="Submit the review").click()
    reviewer.locator(".govuk-notification-banner", has_text="Peer review submitted").wait_for()

    # A's coordinator answers the challenge.
    coordinator.goto(review_url)
    coordinator.get_by_role("link", name=re.compile("Answer the challenge")).click()
    coordinator.get_by_role("heading", level=1, name="Answer the challenge on Leadership").wait_for()
    assert "Which partners have signed the outcomes plan?" in coordinator.locator("main").inner_text()
    coordinator.get_by_label("Your answer to the challenge").fill("All eight partners signed in May.")
    coordinator.get_by_role("button", name="Save the answer").click()
    coordinator.wait_for_url(re.compile(r"/peer-reviews/\d+(#.*)?$"))
    coordinator.locator("main", has_text="All eight partners signed in May.").wait_for()
    coordinator.goto(f"{base}/assessments/{data['a']}")
    panel = coordinator.locator("section.app-reviews-panel")
    peer_row = panel.locator("tr", has=coordinator.get_by_role("rowheader", name="Leadership", exact=True))
    assert "Developing–Maturing" in peer_row.inner_text()
    assert "Submitted" in panel.inner_text()

    # The reviewer compares the two areas side by side: charts drawn, tables beside them.
    reviewer.goto(f"{base}/compare")
    reviewer.get_by_label("First assessment (A)").select_option(label=f"{data['a_area']}: Self-assessment 2016 (2016 to 2017)")
    reviewer.get_by_label("Second assessment (B)").select_option(label=f"{data['b_area']}: Champion self-assessment 2016 (2016 to 2017)")
    reviewer.get_by_role("button", name="Compare").click()
    reviewer.get_by_role("heading", level=1, name=f"{data['a_area']} and {data['b_area']} side by side").wait_for()
    reviewer.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('compare-radar'))")
    assert chart_table_problems(reviewer) == []
    leadership = reviewer.locator("#strand-leadership").inner_text()
    assert "Peer rating" in leadership and "Developing–Maturing" in leadership
    standing = reviewer.locator(".app-reviews-chart-table table").first
    family = standing.locator("tr", has=reviewer.get_by_role("rowheader", name="Family experience", exact=True))
    assert "Differs by 1 stage" in family.inner_text() and f"({data['a_area']} higher)" in family.inner_text()
    assert errors == [], errors
    coordinator.context.close()
    reviewer.context.close()
