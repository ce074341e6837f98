"""The issue's "done when", tried as new users would through the pages: Hampshire's coordinator
requests a peer review, a reviewer from Cheshire West and Chester records challenges on two
strands, Hampshire answers them, and the reviewer compares the two areas side by side."""

import re

from sqlalchemy import select

from maturity.extensions import db
from maturity.models import PeerReview

HAMPSHIRE_SELF = {
    "family-experience": "maturing",
    "leadership": "developing",
    "strategy": "maturing",
    "culture": "developing-maturing",
    "workforce-development": "developing-maturing",
    "delivery": "developing-maturing",
}
CHESHIRE_AGREED = {
    "family-experience": "developing",
    "leadership": "maturing",
    "strategy": "maturing",
    "culture": "developing",
    "workforce-development": "maturing",
    "delivery": "maturing",
}
PEER = {
    "family-experience": ("maturing", "agree"),
    "leadership": ("developing", "agree"),
    "strategy": ("developing-maturing", "challenge"),
    "culture": ("developing", "challenge"),
    "workforce-development": ("developing-maturing", "agree"),
    "delivery": ("developing-maturing", "agree"),
}


def test_peer_review_journey(client, login, make_area, make_user, make_assessment, framework):
    hampshire = make_area("Hampshire")
    cheshire = make_area("Cheshire West and Chester", kind="unitary")
    harriet = make_user("coordinator", hampshire, email="coordinator@hampshire.example.org")
    priya = make_user("reviewer", cheshire, email="reviewer@cheshirewest.example.org")
    hampshire_2016 = make_assessment(hampshire, title="Early help maturity self-assessment 2016", user=harriet)
    cheshire_2016 = make_assessment(cheshire, title="Cheshire West and Chester self-assessment 2016")
    strands = {s.key: s for s in framework.strands}
    for key, code in HAMPSHIRE_SELF.items():
        hampshire_2016.rating_for(strands[key]).self_rating = code
    for key, code in CHESHIRE_AGREED.items():
        cheshire_2016.rating_for(strands[key]).agreed_rating = code
    db.session.commit()

    # 1. Hampshire's coordinator requests the review, guided by the suggested partners.
    login(harriet)
    assert client.get(f"/assessments/{hampshire_2016.id}").status_code == 200
    new_url = f"/assessments/{hampshire_2016.id}/peer-reviews/new"
    page = client.get(new_url).get_data(as_text=True)
    assert "Strong in leadership, workforce and delivery where you are developing" in page
    choose = re.search(rf'href="([^"]*reviewing_area={cheshire.id})"', page)
    step_two = client.get(choose.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert priya.name in step_two
    response = client.post(new_url, data={"reviewing_area_id": str(cheshire.id), "reviewers": [str(priya.id)], "note": "Please test culture."})
    assert response.status_code == 302
    review_url = response.headers["Location"]
    assert "Peer review requested from Cheshire West and Chester" in client.get(review_url).get_data(as_text=True)
    client.post("/sign-out")

    # 2. The reviewer finds the review, reads the assessment and evidence, records every strand
    #    with challenges on strategy and culture, writes the summary and submits.
    login(priya)
    listing = client.get("/peer-reviews").get_data(as_text=True)
    assert review_url.split("localhost")[-1] in listing
    assert client.get(f"/assessments/{hampshire_2016.id}").status_code == 200
    assert client.get(f"/assessments/{hampshire_2016.id}/evidence").status_code == 200
    review = db.session.scalar(select(PeerReview))
    for key, (rating, position) in PEER.items():
        data = {"peer_rating": rating, "position": position, "strengths": f"Strength in {key}"}
        if position == "challenge":
            data["development"] = f"The evidence for {key} shows intent more than practice."
            data["questions"] = f"What has changed in {key} this year?"
        assert client.post(f"/peer-reviews/{review.id}/strands/{key}", data=data).status_code == 302
    assert client.post(f"/peer-reviews/{review.id}/summary", data={"summary": "Candid and well evidenced."}).status_code == 302
    submitted = client.post(f"/peer-reviews/{review.id}/submit")
    assert submitted.status_code == 302
    assert "Peer review submitted to Hampshire" in client.get(submitted.headers["Location"]).get_data(as_text=True)
    client.post("/sign-out")

    # 3. Hampshire answers both challenges.
    login(harriet)
    page = client.get(f"/peer-reviews/{review.id}").get_data(as_text=True)
    assert page.count("To answer") == 2
    for key in ("strategy", "culture"):
        answer_page = client.get(f"/peer-reviews/{review.id}/strands/{key}/answer").get_data(as_text=True)
        assert f"What has changed in {key} this year?" in answer_page
        response = client.post(f"/peer-reviews/{review.id}/strands/{key}/answer", data={"response": f"Our answer on {key}."})
        assert response.status_code == 302
    page = client.get(f"/peer-reviews/{review.id}").get_data(as_text=True)
    assert "To answer" not in page and page.count("Answered") == 2
    assert "Our answer on culture." in page
    client.post("/sign-out")

    # 4. The reviewer compares Hampshire with Cheshire West and Chester side by side.
    login(priya)
    picker = client.get("/compare").get_data(as_text=True)
    assert "Hampshire: Early help maturity self-assessment 2016" in picker
    assert "Cheshire West and Chester: Cheshire West and Chester self-assessment 2016" in picker
    compared = client.get("/compare", query_string={"a": hampshire_2016.id, "b": cheshire_2016.id})
    assert compared.status_code == 200
    body = compared.get_data(as_text=True)
    assert "Hampshire and Cheshire West and Chester side by side" in body
    assert "Differs by 1 stage" in body  # family experience and leadership
    assert "Peer rating" in body and "Developing–Maturing" in body
    assert 'id="compare-radar-data"' in body and "compare-charts.js" in body
    csv = client.get("/compare.csv", query_string={"a": hampshire_2016.id, "b": cheshire_2016.id})
    assert csv.status_code == 200
    assert "Leadership,Self rating,Developing,," in csv.get_data(as_text=True)
    assert "Leadership,Agreed rating,,Maturing" in csv.get_data(as_text=True)
    assert "Leadership,Peer rating,Developing,," in csv.get_data(as_text=True)
    client.post("/sign-out")

    # 5. Hampshire closes the review; the reviewer's access ends.
    login(harriet)
    assert client.post(f"/peer-reviews/{review.id}/close").status_code == 302
    client.post("/sign-out")
    login(priya)
    assert client.get(f"/assessments/{hampshire_2016.id}").status_code == 404
    assert client.get("/compare", query_string={"a": hampshire_2016.id, "b": cheshire_2016.id}).status_code == 404
