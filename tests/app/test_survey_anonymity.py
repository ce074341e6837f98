"""The anonymity attacker on surveys, end to end (docs/anonymity.md, "Surveys"): surveys
answered through the partners' pages, their results read back from every channel that
publishes them (the survey page, its CSV and XLSX, the read API, the result carried into the
assessment and the one-page summary), checked against the one rule and attacked.

Each channel must publish exactly what `core.surveys.publish_item` allows: the workshops' rule
for the ratings, so the attacker cannot pin down a small group, and the reasons only as a
sorted list beside no stage or group, so no reason can be tied to anyone.
"""

from __future__ import annotations

import csv
import io
import random
import re

from openpyxl import load_workbook

from maturity.auth.tokens import create_token
from maturity.core.scoring import STAGES
from maturity.core.surveys import label, publish_item
from maturity.extensions import db
from maturity.models import StrandRating
from maturity.surveys import operations
from tests.support.anonymity_attacker import attacker_wins

KINDS = ("local-authority", "police", "health", "schools", "voluntary")
REASONS = ("We share one plan now", "Training is patchy", "Families say it is better", "Hard to tell yet")


def random_surveys(count: int, seed: int = 14):
    chooser = random.Random(seed)
    for _ in range(count):
        people = []
        for kind in chooser.sample(KINDS, chooser.randint(2, 4)):
            for _ in range(chooser.choice([1, 2, 3, 4])):
                reason = chooser.choice(REASONS) + f" ({chooser.randint(1, 999)})" if chooser.random() < 0.6 else None
                people.append((kind, chooser.choice([1, 2, 3, 4, None]), reason))
        yield people


def answer(app, survey, kind, stage, reason):
    phone = app.test_client()
    assert phone.post(f"/survey/{survey.code}", data={"org_type": kind}).status_code == 302
    data = {"stage": "dont-know" if stage is None else str(stage), "reason": reason or ""}
    assert phone.post(f"/survey/{survey.code}/q/1", data=data).status_code == 302


def expected(people):
    """What the rule allows: the room's and each shown group's counts, hidden groups as None."""
    published = publish_item((label("org_type", kind), stage, reason) for kind, stage, reason in people)
    counts = lambda s: tuple(s.counts[stage] for stage in STAGES) + (s.abstentions,)  # noqa: E731
    room = counts(published.ratings.room) if published.ratings.room else None
    groups = {g.group: (None if g.suppressed else counts(g.summary)) for g in published.ratings.groups} if room else {}
    return {"room": room, "groups": groups, "reasons": list(published.reasons)}


def api_figures(strand):
    def counts(summary):
        return tuple(summary["counts"][str(stage)] for stage in STAGES) + (summary["abstentions"],)

    room = counts(strand["summary"]) if strand["summary"] else None
    groups = {g["group"]: (counts(g["summary"]) if g["summary"] else None) for g in strand["groups"]}
    return {"room": room, "groups": groups, "reasons": strand["questions"][0]["reasons"]}


def csv_figures(text):
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    blank = rows.index([])
    table, reasons = rows[1:blank], rows[blank + 2:]
    figures = {"room": None, "groups": {}, "reasons": [r[2] for r in reasons]}
    for row in table:
        counts = tuple(int(c) for c in row[4:9]) if row[4] != "" else None
        if row[2] == "Everyone":
            figures["room"] = counts
        else:
            figures["groups"][row[2]] = counts
        assert len(reasons) == 0 or all(len(r) == 3 for r in reasons)  # a reason has no stage or group beside it
    return figures


def xlsx_figures(data):
    book = load_workbook(io.BytesIO(data))
    figures = {"room": None, "groups": {}, "reasons": []}
    for row in book["Results"].iter_rows(min_row=2, values_only=True):
        if not row or row[0] is None or row[2] is None:
            continue
        counts = tuple(row[4:9]) if row[4] not in (None, "") else None
        if row[2] == "Everyone":
            figures["room"] = counts
        else:
            figures["groups"][row[2]] = counts
    figures["reasons"] = [row[2] for row in book["Reasons"].iter_rows(min_row=2, values_only=True)]
    return figures


def page_reasons(html):
    return [re.sub(r"\s+", " ", m).strip() for m in re.findall(r'<li class="app-survey-reason"><q>(.*?)</q>', html, re.S)]


def test_no_channel_gives_a_small_group_or_a_reason_away(app, client, login, coordinator, make_assessment, make_survey):
    area = coordinator.memberships[0].area
    _, token = create_token(coordinator, "attacker")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    login(coordinator)
    checked, shown, hidden, with_reasons = 0, 0, 0, 0
    for people in random_surveys(10):
        assessment = make_assessment(area=area)
        strand = assessment.framework.strands[0]
        survey = make_survey(assessment, items=[(strand, None)], ask_why=True)
        for kind, stage, reason in people:
            answer(app, survey, kind, stage, reason)
        # While open: counts only, never a stage, anywhere.
        open_page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
        assert "Ratings for each stage" not in open_page and "app-survey-reason" not in open_page
        [listed] = client.get(f"/api/v1/assessments/{assessment.id}/surveys", headers=headers).get_json()["surveys"]
        assert listed["results"] is None
        assert client.get(f"/surveys/{survey.id}/results.csv").status_code == 302
        operations.close_survey(survey)
        db.session.commit()

        want = expected(people)
        [listed] = client.get(f"/api/v1/assessments/{assessment.id}/surveys", headers=headers).get_json()["surveys"]
        channels = {
            "api": api_figures(listed["results"][0]),
            "csv": csv_figures(client.get(f"/surveys/{survey.id}/results.csv").get_data(as_text=True)),
            "xlsx": xlsx_figures(client.get(f"/surveys/{survey.id}/results.xlsx").data),
        }
        for name, got in channels.items():
            assert got == want, (name, people)
        page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
        assert page_reasons(page) == [r.replace("'", "&#39;") for r in want["reasons"]]
        for _, _, reason in people:
            if reason and want["reasons"]:
                # A reason is never printed in the same table row as a group's figures.
                assert not re.search(re.escape(reason) + r"[^<]*</td>", page)

        carried = client.post(f"/surveys/{survey.id}/strands/{strand.id}/carry")
        row = db.session.query(StrandRating).filter_by(assessment_id=assessment.id, strand_id=strand.id).one()
        db.session.refresh(row)
        if want["room"] is None:
            assert row.survey_result is None, people  # refused: too few to show
        else:
            assert carried.status_code == 302 and row.survey_result["total"] == len(people)
            visible = {g for g, counts in want["groups"].items() if counts is not None}
            assert {g["group"] for g in row.survey_result["groups"]} <= visible
        votes = [(label("org_type", kind), stage) for kind, stage, _ in people]
        assert attacker_wins(votes) is None, people
        checked += 1
        shown += want["room"] is not None
        hidden += any(counts is None for counts in want["groups"].values())
        with_reasons += bool(want["reasons"])
    # The random surveys cover what matters: published rooms, hidden groups, published reasons.
    assert checked == 10 and shown >= 5 and hidden >= 3 and with_reasons >= 5, (shown, hidden, with_reasons)

