"""The anonymity attacker end to end (docs/anonymity.md): rooms recorded through the app, their
figures read back from every channel that publishes them, checked against the one rule and
attacked.

The channels: the presenter's and a phone's live state (read while the round is on screen),
the results page and its one-voice view, the CSV and XLSX exports, the API and the result
carried into the assessment. Each must publish exactly the figures `publish_round` allows and
nothing more, so the attacker, which knows all of them, cannot pin down a small group.
"""

from __future__ import annotations

import csv
import io
import random
from html.parser import HTMLParser

from openpyxl import load_workbook
from sqlalchemy import select

from maturity.auth.tokens import create_token
from maturity.core.anonymity import group_name, publish_revotes, publish_round
from maturity.core.scoring import STAGES
from maturity.core.vocabulary import ORGANISATION_TYPES
from maturity.extensions import db
from maturity.models import StrandRating
from maturity.workshops import operations, queries
from tests.support.anonymity_attacker import (
    attacker_wins,
    family_attacker_wins,
    publish_each_alone,
    revote_attacker_wins,
)
from tests.support.workshops import join, vote

DK = "dont-know"
#: Rooms as (organisation type, vote) ballots from phones and {stage: count} hand counts.
ROOMS = [
    # The example: one schools voter beside two delegations of three.
    ([("police", 3)] * 3 + [("health", 2)] * 3 + [("schools", 1)], {}),
    # Three people alone in their groups, all developing: their pool would be unanimous.
    ([("police", 2), ("health", 2), ("schools", 2), ("housing", 1), ("housing", 1), ("housing", 2)], {}),
    # Hand counts and "not given" as small groups, a "don't know" among them.
    ([("police", 1), ("police", 1), ("police", 2)] + [("local-authority", 3)] * 4 + [(None, DK), ("fire", 4)], {3: 2}),
    # A room of two: only its count.
    ([("police", 2), ("schools", 3)], {}),
    # No small group: everything shown, hand counts included.
    ([("police", 2)] * 3 + [("health", 3), ("health", 3), ("health", DK)], {3: 3}),
]
KINDS = ["police", "health", "schools", "housing", "local-authority", None]


def random_rooms(count: int, seed: int = 11):
    chooser = random.Random(seed)
    rooms = []
    for _ in range(count):
        ballots = []
        for kind in chooser.sample(KINDS, chooser.randint(2, 4)):
            size = chooser.choice([1, 2, 3, 4])
            ballots += [(kind, chooser.choice([1, 2, 3, 4, DK])) for _ in range(size)]
        hand = {chooser.randint(1, 4): chooser.randint(1, 3)} if chooser.random() < 0.4 else {}
        rooms.append((ballots, hand))
    return rooms


def element_rounds(assessment):
    """Every whole strand without elements, and every element of the strands that have some."""
    specs = []
    for strand in assessment.framework.strands:
        if len(strand.elements) > 1:
            specs.extend((strand, element) for element in strand.elements)
        else:
            specs.append((strand, None))
    return specs


# --------------------------------------------------------------------------------------------
# Reading each channel into one shape: counts as (early, developing, maturing, mature, don't know)
# --------------------------------------------------------------------------------------------


def counts_of(summary) -> tuple[int, ...]:
    return (*(summary.counts[stage] for stage in STAGES), summary.abstentions)


def label(name: str) -> str:
    """A group's name as the channels print it (the results page capitalises "not given")."""
    return name.casefold()


def expected_figures(pairs, published=None):
    published = published or publish_round(pairs)
    manual = published.group(queries.MANUAL_GROUP)
    manual_counts = None
    if manual is not None and not manual.suppressed:
        manual_counts = counts_of(manual.summary)
    return {
        "room": counts_of(published.room) if published.room else None,
        "groups": {
            label(g.group): None if g.suppressed else counts_of(g.summary) for g in published.groups
        },
        "one_voice": counts_of(published.one_voice) if published.one_voice else None,
        "manual": manual_counts,
    }


def json_counts(summary):
    if summary is None:
        return None
    return (*(summary["counts"][str(stage)] for stage in STAGES), summary["abstentions"])


class Tables(HTMLParser):
    """The tables of a page: caption and rows of cell texts."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: list[dict] = []
        self._cell: list[str] | None = None
        self._in_caption = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None:
            self.tables[-1]["rows"][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._in_caption:
            self.tables[-1]["caption"] += data
        elif self._cell is not None:
            self._cell.append(data)

    def table(self, caption: str):
        return next((t for t in self.tables if caption in t["caption"]), None)


def stage_table_counts(table):
    """(counts, hand counts or None) from a summary table: rows Early..Mature, Don't know."""
    if table is None:
        return None, None
    rows = {row[0]: row[1:] for row in table["rows"][1:]}
    order = [*STAGES.values(), "Don’t know"]
    counts = tuple(int(rows[name][0]) for name in order)
    with_hand = len(table["rows"][0]) == 4
    hand = tuple(int(rows[name][2]) for name in order) if with_hand else None
    return counts, hand


def page_figures(client, workshop, round_):
    url = f"/workshops/{workshop.id}/rounds/{round_.id}/results"
    page = Tables(client.get(url).get_data(as_text=True))
    room, hand = stage_table_counts(page.table("Votes for each stage"))
    groups = {}
    for row in page.table("Votes by kind of organisation")["rows"][1:]:
        shown = len(row) == 8
        if not shown:
            assert len(row) == 2, row  # the group's name and why it is hidden: no figure at all
        groups[label(row[0])] = tuple(int(cell) for cell in row[1:6]) if shown else None
    voice_page = Tables(client.get(url + "?view=one-voice").get_data(as_text=True))
    one_voice, _ = stage_table_counts(voice_page.table("one voice each"))
    return {"room": room, "groups": groups, "one_voice": one_voice, "manual": hand}


def api_figures(data):
    return {
        "room": json_counts(data["summary"]),
        "groups": {
            label(g["group"]): None if g["suppressed"] else json_counts(g["summary"])
            for g in data["by_organisation_type"]
        },
        "one_voice": json_counts(data["one_voice"]),
    }


def sheet_counts(row, votes: int, dont_know: int, early: int):
    """Counts from a CSV or XLSX row, given the columns of votes, don't know and early."""
    if not str(row[votes]).isdigit():
        return None  # "not shown yet", "fewer than 3 ..."
    return (*(int(row[early + offset]) for offset in range(4)), int(row[dont_know]))


#: Columns of the rounds' rows (CSV and XLSX) and of the XLSX groups' rows.
ROUND_COLUMNS = (5, 6, 8)
GROUP_COLUMNS = (3, 4, 5)


# --------------------------------------------------------------------------------------------
# The test
# --------------------------------------------------------------------------------------------


def test_every_channel_publishes_only_what_the_rule_allows_and_the_attacker_fails(
    app, client, login, coordinator, make_assessment, make_workshop  # noqa: F811
):
    assessment = make_assessment(area=coordinator.memberships[0].area)
    rooms = ROOMS + random_rooms(8)
    specs = element_rounds(assessment)
    assert len(specs) >= len(rooms)
    workshop = make_workshop(assessment=assessment, rounds=specs[: len(rooms)])
    login(coordinator)
    live: dict[int, dict] = {}
    for round_, (ballots, hand) in zip(workshop.rounds, rooms, strict=True):
        operations.go_to(workshop, round_.id)
        operations.open_round(workshop, round_.id)
        db.session.commit()
        phone = None
        for kind, stage in ballots:
            phone = join(app, workshop, kind)
            assert vote(phone, workshop, round_.id, stage).status_code == 200
        for stage, count in hand.items():
            operations.add_manual_tally(workshop, round_.id, stage, count, "cards")
        operations.close_round(workshop, round_.id)
        operations.reveal_round(workshop, True, round_.id)
        db.session.commit()
        presenter = client.get(f"/live/workshops/{workshop.id}/state?view=presenter").get_json()
        mine = phone.get(f"/live/join/{workshop.join_code}/state").get_json()
        live[round_.id] = {"presenter": presenter, "phone": mine}
    operations.end_workshop(workshop)
    db.session.commit()

    _, token = create_token(coordinator, "attacker")
    db.session.commit()
    api = client.get(
        f"/api/v1/workshops/{workshop.id}/results", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    api_rounds = {r["id"]: r for r in api["rounds"]}
    csv_rows = list(csv.reader(io.StringIO(client.get(f"/workshops/{workshop.id}/results.csv").get_data(as_text=True).lstrip("\ufeff"))))
    book = load_workbook(io.BytesIO(client.get(f"/workshops/{workshop.id}/results.xlsx").get_data()))
    xlsx_rounds = [row for row in book["Rounds"].iter_rows(min_row=5, values_only=True)]
    xlsx_groups = list(book["By organisation type"].iter_rows(min_row=2, values_only=True))
    xlsx_hand = list(book["Counted by hand"].iter_rows(min_row=2, values_only=True))

    carried = {}
    for strand in {round_.strand for round_ in workshop.rounds}:
        answer = client.post(f"/workshops/{workshop.id}/strands/{strand.id}/carry")
        assert answer.status_code == 302
    db.session.expire_all()
    for row in db.session.scalars(select(StrandRating).where(StrandRating.assessment_id == assessment.id)):
        if not row.room_result:
            continue
        for element in row.room_result.get("elements") or [row.room_result]:
            carried[element["round_id"]] = element

    pairs_by_round = queries.group_votes(db.session, [r.id for r in workshop.rounds])
    hidden_somewhere = 0
    for index, round_ in enumerate(workshop.rounds):
        pairs = pairs_by_round[round_.id]
        expected = expected_figures(pairs)
        hidden_somewhere += sum(1 for counts in expected["groups"].values() if counts is None)
        position = round_.position

        # The live states: the room's figures only, or nothing but the count under 3.
        for who, state in live[round_.id].items():
            result = state["result"]
            assert json_counts(result) == expected["room"], who
            if result is not None:
                assert set(result["manual"]) == {"total"}, who  # never hand counts per stage
        # The results page, both views.
        assert page_figures(client, workshop, round_) == expected
        # The API.
        assert api_figures(api_rounds[round_.id]) == {k: expected[k] for k in ("room", "groups", "one_voice")}
        # CSV and XLSX: the room per round; XLSX also by group and hand counts.
        csv_row = csv_rows[1 + index]
        assert sheet_counts(csv_row, *ROUND_COLUMNS) == expected["room"]
        assert sheet_counts(xlsx_rounds[index], *ROUND_COLUMNS) == expected["room"]
        groups = {}
        for row in (r for r in xlsx_groups if r[0] == position):
            groups[label(row[2])] = sheet_counts(row, *GROUP_COLUMNS)
            if groups[label(row[2])] is None:
                assert not any(isinstance(cell, int) for cell in row[3:]), row
        assert groups == expected["groups"]
        hand = [row for row in xlsx_hand if row[0] == position]
        if expected["manual"] is None:
            assert hand == []
        else:
            assert sum(row[3] for row in hand) == sum(expected["manual"])
        # The result carried into the assessment.
        # A strand with a round of 1 or 2 answers is not carried at all (docs/anonymity.md).
        strand_withheld = any(
            0 < len(pairs_by_round[r.id]) < 3 for r in workshop.rounds if r.strand_id == round_.strand_id
        )
        assert (round_.id not in carried) == strand_withheld
        if not strand_withheld:
            snapshot = carried[round_.id]
            assert json_counts(snapshot if snapshot["counts"] is not None else None) == expected["room"]

        # Everything published is what the rule allows, so the attacker's view is complete.
        assert attacker_wins(pairs) is None, (round_.title, pairs)

    assert hidden_somewhere >= 10  # the rooms do exercise the rule
    assert {label(ORGANISATION_TYPES["schools"]), label(group_name(None))} <= {
        name for r in api["rounds"] for name in api_figures(r)["groups"]
    }


# --------------------------------------------------------------------------------------------
# A revote: the first and final rounds of a strand, read from every channel and differenced
# --------------------------------------------------------------------------------------------

#: (first vote, vote again) of the same people, by position in the ballots.
REVOTES = [
    # The first vote hides health with a school and two people who gave no kind; the vote again
    # spreads out and, published alone, would show health unchanged: the school's vote would
    # then be the first pool minus health's tally.
    (
        [("police", 3)] * 3 + [("police", 2), ("health", 2), ("health", 2), ("health", 3), (None, 1), (None, 1), ("schools", 1)],
        [3, 4, 4, DK, 2, 2, 3, DK, 1, 1],
    ),
    # A small group changing its mind in a room where everything else is shown.
    ([("police", 2)] * 3 + [("health", 3)] * 3 + [("housing", 1)], [2, 2, 2, 3, 3, 3, 2]),
]


def test_a_revote_publishes_both_rounds_by_the_rule_everywhere_and_differencing_them_fails(
    app, client, login, coordinator, make_assessment, make_workshop  # noqa: F811
):
    assessment = make_assessment(area=coordinator.memberships[0].area)
    whole = [s for s in assessment.framework.strands if len(s.elements) <= 1][: len(REVOTES)]
    workshop = make_workshop(assessment=assessment, rounds=[(s, None) for s in whole])
    login(coordinator)
    live: dict[int, dict] = {}
    pairs_of: list[tuple[int, int]] = []
    for strand, (ballots, again) in zip(whole, REVOTES, strict=True):
        first = next(r for r in workshop.rounds if r.strand_id == strand.id)
        operations.go_to(workshop, first.id)
        operations.open_round(workshop, first.id)
        db.session.commit()
        phones = []
        for kind, stage in ballots:
            phones.append(join(app, workshop, kind))
            assert vote(phones[-1], workshop, first.id, stage).status_code == 200
        operations.reveal_round(workshop, True, first.id)
        db.session.commit()
        final = operations.revote(workshop, first.id)
        db.session.commit()
        for phone, stage in zip(phones, again, strict=True):
            assert vote(phone, workshop, final.id, stage).status_code == 200
        operations.reveal_round(workshop, True, final.id)
        db.session.commit()
        live[final.id] = client.get(f"/live/workshops/{workshop.id}/state?view=presenter").get_json()
        pairs_of.append((first.id, final.id))
    operations.end_workshop(workshop)
    db.session.commit()

    _, token = create_token(coordinator, "attacker")
    db.session.commit()
    api = client.get(
        f"/api/v1/workshops/{workshop.id}/results", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    api_rounds = {r["id"]: r for r in api["rounds"]}
    csv_rows = list(csv.reader(io.StringIO(client.get(f"/workshops/{workshop.id}/results.csv").get_data(as_text=True).lstrip("\ufeff"))))
    book = load_workbook(io.BytesIO(client.get(f"/workshops/{workshop.id}/results.xlsx").get_data()))
    xlsx_rounds = list(book["Rounds"].iter_rows(min_row=5, values_only=True))
    xlsx_groups = list(book["By organisation type"].iter_rows(min_row=2, values_only=True))
    moved = list(book["After discussion"].iter_rows(min_row=2, values_only=True))
    for strand in whole:
        assert client.post(f"/workshops/{workshop.id}/strands/{strand.id}/carry").status_code == 302
    db.session.expire_all()
    carried = {
        row.room_result["round_id"]: row.room_result
        for row in db.session.scalars(select(StrandRating).where(StrandRating.assessment_id == assessment.id))
        if row.room_result
    }

    workshop = queries.load_workshop(db.session, workshop.id)
    rounds = {r.id: r for r in workshop.rounds}
    pairs_by_round = queries.group_votes(db.session, list(rounds))
    for first_id, final_id in pairs_of:
        first_pairs, final_pairs = pairs_by_round[first_id], pairs_by_round[final_id]
        published = publish_revotes([first_pairs, final_pairs])
        for round_id, rule in zip((first_id, final_id), published, strict=True):
            round_ = rounds[round_id]
            expected = expected_figures(pairs_by_round[round_id], rule)
            assert page_figures(client, workshop, round_) == expected
            assert api_figures(api_rounds[round_id]) == {k: expected[k] for k in ("room", "groups", "one_voice")}
            index = round_.position - 1
            assert sheet_counts(csv_rows[1 + index], *ROUND_COLUMNS) == expected["room"]
            assert sheet_counts(xlsx_rounds[index], *ROUND_COLUMNS) == expected["room"]
            groups = {
                label(row[2]): sheet_counts(row, *GROUP_COLUMNS)
                for row in xlsx_groups if row[0] == round_.position
            }
            assert groups == expected["groups"]
        if published[1].withheld:
            # The rule holds the revote back beside the first vote: only its count, everywhere.
            assert live[final_id]["result"] is None and "shift" not in live[final_id]
            assert api_rounds[final_id]["summary"] is None and api_rounds[final_id]["shift"]["after"] is None
            snapshot = carried.get(final_id)
            assert snapshot is None or (snapshot["counts"] is None and "first_vote" not in snapshot)
            assert revote_attacker_wins(first_pairs, final_pairs) is None, (first_pairs, final_pairs)
            continue
        before, after = (counts_of(p.room) for p in published)
        # The shift: on the projector, in the API, the export and the carried snapshot, only
        # the two rooms' published tallies.
        shift = live[final_id]["shift"]
        assert json_counts(shift["before"]) == before and json_counts(live[final_id]["result"]) == after
        api_shift = api_rounds[final_id]["shift"]
        assert json_counts(api_shift["before"]) == before and json_counts(api_shift["after"]) == after
        assert api_rounds[final_id]["revote_of"]["id"] == first_id
        row = next(r for r in moved if r[2] == rounds[final_id].position)
        assert (*row[3:7], row[7]) == before and (*row[8:12], row[12]) == after
        snapshot = carried[final_id]
        assert json_counts(snapshot) == after
        assert json_counts(snapshot["first_vote"]) == before and snapshot["first_vote"]["round_id"] == first_id
        # Everything published for both rounds is what the rule allows; differencing fails.
        assert revote_attacker_wins(first_pairs, final_pairs) is None, (first_pairs, final_pairs)
    # The first room shows why the revote hides what the first vote hid.
    first_id, final_id = pairs_of[0]
    assert revote_attacker_wins(
        pairs_by_round[first_id], pairs_by_round[final_id], publish_each_alone
    ) is not None


# --------------------------------------------------------------------------------------------
# Family questionnaire: every channel that shows family results, read after every change
# --------------------------------------------------------------------------------------------


def family_figures(texts) -> dict[str, tuple[int, int]] | None:
    """The figures the texts publish, {question key: (yes, answered)}, or None when none."""
    import re

    from maturity.core.families import QUESTIONS

    said = {question.said: question.key for question in QUESTIONS}
    found: dict[str, tuple[int, int]] = {}
    for text in texts:
        for yes, answered, phrase in re.findall(r"(\d+) of (\d+) famil(?:y|ies) said they ([a-z ]+)", text):
            key = said.get(phrase.strip())
            assert key is not None, phrase
            figures = (int(yes), int(answered))
            assert found.setdefault(key, figures) == figures, "two channels disagree"
    return found or None


def family_channels(client, questionnaire, token) -> list[str]:
    base = f"/assessments/{questionnaire.assessment_id}"
    return [
        client.get(f"{base}/strands/family-experience").get_data(as_text=True),
        client.get(f"{base}/summary").get_data(as_text=True),
        client.get(f"{base}/summary.csv").get_data(as_text=True),
        client.get(f"{base}/family-questionnaire").get_data(as_text=True),
        str(client.get(f"/api/v1{base}/family-results", headers={"Authorization": f"Bearer {token}"}).get_json()),
    ]


def test_the_family_attacker_can_win():
    assert family_attacker_wins([(9, {"one-worker": (5, 9)})])
    assert family_attacker_wins([(10, {"one-worker": (5, 10)}), (11, {"one-worker": (6, 11)})])
    assert family_attacker_wins([(10, {"one-worker": (5, 10)}), (20, {"one-worker": (6, 11)})])
    assert family_attacker_wins([(10, {"one-worker": (5, 10)}), (10, {"one-worker": (5, 10)})]) is None


def test_family_results_give_no_family_away_through_any_channel(app, client, login, coordinator, make_assessment, runner):
    from maturity.core.families import QUESTION_KEYS, SCALE
    from maturity.errors import OperationError
    from maturity.families import operations as families

    login(coordinator)
    _, token = create_token(coordinator, "Dashboard")
    rng = random.Random(14)
    for total in (9, 14):
        assessment = make_assessment(coordinator.memberships[0].area, title=f"Cycle {total}", user=coordinator)
        questionnaire = families.create_questionnaire(assessment, coordinator)
        families.open_questionnaire(questionnaire, coordinator)
        db.session.commit()
        observations = [(0, family_figures(family_channels(client, questionnaire, token)))]
        for n in range(1, total + 1):
            answers = {key: rng.choice(list(SCALE)) for key in QUESTION_KEYS if rng.random() < 0.9}
            if n % 2:
                phone = app.test_client()
                assert phone.post(f"/family/{questionnaire.code}", data=answers).status_code == 303
            else:
                families.transcribe(questionnaire, answers, None)
                db.session.commit()
            observations.append((n, family_figures(family_channels(client, questionnaire, token))))
        assert all(figures is None for _, figures in observations), "published while open"
        families.close_questionnaire(questionnaire, coordinator)
        db.session.commit()
        observations.append((total, family_figures(family_channels(client, questionnaire, token))))
        # Attempts to change a published result by a family or two are refused.
        for attempt in (families.open_questionnaire, lambda q, u: families.transcribe(q, {"one-worker": "no"}, None)):
            try:
                attempt(questionnaire, coordinator)
            except OperationError:
                db.session.rollback()
            else:
                raise AssertionError("a closed questionnaire took a change")
        phone = app.test_client()
        assert phone.post(f"/family/{questionnaire.code}", data={"one-worker": "no"}).status_code == 410
        observations.append((total, family_figures(family_channels(client, questionnaire, token))))
        runner.invoke(args=["delete-old-family-answers", "--today", "2099-01-01"])
        observations.append((0, family_figures(family_channels(client, questionnaire, token))))
        if total < 10:
            assert all(figures is None for _, figures in observations)
        else:
            assert observations[-2][1] is not None and observations[-1][1] is None
        assert family_attacker_wins(observations) is None, observations
