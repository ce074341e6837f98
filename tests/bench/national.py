"""The national-scale data set for benchmarks: about 150 areas, two assessment cycles each.

Every area gets partner organisations, a coordinator, two cycles (last year's, shared with the
national team, and this year's, further back in its lifecycle) with self, element, room and
agreed ratings, history, an action plan, an evidence register (about 20 items per cycle, linked
to features, some carried forward) and a closed workshop per cycle with votes on every round.
About a third of last year's cycles were peer reviewed by another area. Two more areas,
"Smallshire" and "Largeshire", differ only in how many rows they hold (a few evidence items,
actions and voters against hundreds), so a page whose number of SQL queries grows with rows
shows up when the two are compared.

Rows are written with bulk inserts of the app's own tables (fast, same schema and defaults as
the operations use); the framework is loaded by the app's loader. Call `generate()` inside an
app context on an empty, migrated database.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update

from maturity.core.scoring import RATINGS, STAGES, summarise_counts
from maturity.core.vocabulary import AREA_KINDS, REGIONS
from maturity.extensions import db
from maturity.models import (
    Action,
    Area,
    Assessment,
    ElementRating,
    Evidence,
    HistoryEntry,
    Membership,
    Organisation,
    Participant,
    PeerReview,
    PeerStrandReview,
    Round,
    StrandRating,
    User,
    Vote,
    Workshop,
    evidence_features,
    peer_review_reviewers,
)

PASSWORD = "bench-password-not-secret"
ADMIN_EMAIL = "national@bench.example"

_STEMS = [
    "Ash", "Bark", "Brook", "Calder", "Chal", "Cold", "Dun", "East", "Elm", "Fen", "Glen",
    "Hart", "Holm", "Kings", "Lang", "Mar", "Mill", "North", "Oak", "Pen", "Red", "Ridge",
    "Salt", "Stan", "Thorn", "Wake", "West", "Whit", "Wold", "York",
]
_ENDINGS = ["shire", "ford", "ley", "ton", "wick", "bury", "dale", "field", "ham", "mouth"]
_PARTNERS = [
    ("local-authority", "Council"), ("police", "Police"), ("health", "Clinical Commissioning Group"),
    ("schools", "Schools Forum"), ("voluntary", "Council for Voluntary Service"),
    ("housing", "Homes"), ("jobcentre-plus", "Jobcentre Plus"),
]
_SOURCES = [
    "Troubled Families outcomes data", "Case file audit", "Family feedback survey",
    "Multi-agency safeguarding hub review", "Workforce survey", "Partnership board minutes",
    "Early help assessments completed", "Staff focus group",
]


@dataclass
class Shape:
    """How many rows one cycle of an area holds."""

    evidence: int = 20
    actions: int = 8
    participants: int = 25
    history: int = 10


@dataclass
class NationalData:
    admin_email: str = ADMIN_EMAIL
    password: str = PASSWORD
    areas: int = 0
    assessments: int = 0
    evidence: int = 0
    votes: int = 0
    #: per area name, [last year's assessment id, this year's]
    cycles: dict[str, list[int]] = field(default_factory=dict)
    area_ids: dict[str, int] = field(default_factory=dict)
    workshops: dict[int, int] = field(default_factory=dict)  # assessment id -> workshop id


def _area_names(count: int, rng: random.Random) -> list[str]:
    names = [stem + ending for stem in _STEMS for ending in _ENDINGS]
    rng.shuffle(names)
    extra = 2
    while len(names) < count:  # more areas than combinations: number the rest
        names.extend(f"{name} {extra}" for name in list(names[: count - len(names)]))
        extra += 1
    return names[:count]


def _insert(model_or_table, rows: list[dict[str, Any]], returning: bool = False) -> list[int]:
    """Insert many rows at once; with returning=True, their ids in the order of `rows`."""
    if not rows:
        return []
    table = getattr(model_or_table, "__table__", model_or_table)
    keys = {key for row in rows for key in row}
    rows = [{key: row.get(key) for key in keys} for row in rows]  # executemany: same keys in every row
    if returning:
        result = db.session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
        )
        return [row[0] for row in result]
    db.session.execute(insert(table), rows)
    return []


def _rating(rng: random.Random, centre: float) -> str:
    """A rating code near `centre` (1-4), sometimes between two stages."""
    stage = min(4, max(1, round(rng.gauss(centre, 0.7))))
    if rng.random() < 0.2 and stage < 4:
        return next(r.code for r in RATINGS if r.low == stage and r.high == stage + 1)
    return next(r.code for r in RATINGS if r.low == stage and r.high == stage)


def _room(rng: random.Random, centre: float, voters: int) -> dict[int | None, int]:
    counts: dict[int | None, int] = {}
    for _ in range(voters):
        stage = None if rng.random() < 0.05 else min(4, max(1, round(rng.gauss(centre, 0.8))))
        counts[stage] = counts.get(stage, 0) + 1
    return counts


def _figures(counts: dict[int | None, int]) -> dict[str, Any]:
    summary = summarise_counts(counts)
    return {
        "n": summary.n,
        "abstentions": summary.abstentions,
        "counts": {str(stage): summary.counts[stage] for stage in STAGES},
        "mean": round(summary.mean, 4) if summary.mean is not None else None,
        "median": summary.median.code if summary.median is not None else None,
        "consensus": round(summary.consensus, 4) if summary.consensus is not None else None,
    }


class _Framework:
    def __init__(self, framework) -> None:
        self.id = framework.id
        self.strands = list(framework.strands)
        self.elements = [e for s in self.strands for e in s.elements]
        self.features = [f for e in self.elements for f in e.features]
        #: what a workshop votes on: each strand, delivery as its elements
        self.rounds = []
        for strand in self.strands:
            if len(strand.elements) > 1 and strand.key == "delivery":
                self.rounds.extend((strand, element) for element in strand.elements)
            else:
                self.rounds.append((strand, None))


def _cycle(
    rng: random.Random,
    fw: _Framework,
    data: NationalData,
    area_id: int,
    org_ids: list[int],
    org_types: list[str],
    user_id: int,
    previous_id: int | None,
    year: int,
    status: str,
    shape: Shape,
    ability: float,
    codes: set[str],
) -> int:
    """One assessment cycle with its ratings, history, actions, evidence and workshop."""
    start = date(year, 4, 1)
    created = datetime(year, 4, 2, 9, 0)
    [assessment_id] = _insert(
        Assessment,
        [{
            "area_id": area_id, "framework_id": fw.id, "title": f"Early help maturity {year} to {year + 1}",
            "period_label": f"{year} to {year + 1}", "period_start": start,
            "period_end": date(year + 1, 3, 31), "status": status, "previous_id": previous_id,
            "governance_board": "Children and Families Partnership Board" if status in ("confirmed", "peer_reviewed", "shared") else None,
            "governance_date": date(year, 11, 20) if status in ("confirmed", "peer_reviewed", "shared") else None,
            "governance_minute": f"CFPB/{year}/{rng.randint(10, 99)}" if status in ("confirmed", "peer_reviewed", "shared") else None,
            "created_by_id": user_id, "created_at": created, "updated_at": created,
        }],
        returning=True,
    )
    agreed = status in ("agreed", "confirmed", "peer_reviewed", "shared")
    centre = {s.id: ability + rng.uniform(-0.8, 0.8) for s in fw.strands}

    # The workshop first: its results are carried into the strand ratings.
    held = datetime(year, 9, 15, 10, 0)
    code = None
    while code is None or code in codes:
        code = "".join(rng.choice("23456789ABCDEFGHJKMNPQRSTUVWXYZ") for _ in range(8))
    codes.add(code)
    [workshop_id] = _insert(
        Workshop,
        [{
            "assessment_id": assessment_id, "title": f"Partnership workshop {year}",
            "held_on": held.date(), "join_code": code, "status": "closed", "revision": 200,
            "created_by_id": user_id, "created_at": held - timedelta(days=7),
            "started_at": held, "ended_at": held + timedelta(hours=2),
        }],
        returning=True,
    )
    data.workshops[assessment_id] = workshop_id
    round_ids = _insert(
        Round,
        [
            {"workshop_id": workshop_id, "strand_id": strand.id,
             "element_id": element.id if element else None, "position": position,
             "state": "closed", "revealed": True, "opened_at": held, "closed_at": held + timedelta(minutes=10)}
            for position, (strand, element) in enumerate(fw.rounds, start=1)
        ],
        returning=True,
    )
    db.session.execute(update(Workshop).where(Workshop.id == workshop_id).values(current_round_id=round_ids[-1]))
    participant_ids = _insert(
        Participant,
        [
            {"workshop_id": workshop_id, "token": f"{code}-{i:05d}-{rng.getrandbits(64):016x}",
             "org_type": rng.choice(org_types + [None]), "created_at": held}
            for i in range(shape.participants)
        ],
        returning=True,
    )
    votes = []
    room: dict[int, dict[int | None, int]] = {}
    for round_id, (strand, _element) in zip(round_ids, fw.rounds, strict=True):
        tally = room.setdefault(strand.id, {})
        for participant_id in participant_ids:
            if rng.random() < 0.08:
                continue  # did not vote on this round
            stage = None if rng.random() < 0.05 else min(4, max(1, round(rng.gauss(centre[strand.id], 0.8))))
            tally[stage] = tally.get(stage, 0) + 1
            votes.append({"round_id": round_id, "participant_id": participant_id, "stage": stage,
                          "created_at": held, "updated_at": held})
    _insert(Vote, votes)
    data.votes += len(votes)

    strand_rows = []
    for strand in fw.strands:
        self_code = _rating(rng, centre[strand.id])
        room_result = {
            "workshop_id": workshop_id, "workshop_title": f"Partnership workshop {year}",
            "round_id": round_ids[[s.id for s, _ in fw.rounds].index(strand.id)],
            **_figures(room[strand.id]), "manual": 0,
            "carried_at": (held + timedelta(days=1)).isoformat(timespec="seconds"),
        }
        agreed_code = _rating(rng, centre[strand.id]) if agreed else None
        strand_rows.append({
            "assessment_id": assessment_id, "strand_id": strand.id,
            "self_rating": self_code, "self_rationale": f"Our reading of the {strand.short_name.lower()} descriptors and the evidence register.",
            "self_rated_by_id": user_id, "self_rated_at": created + timedelta(days=30),
            "room_result": room_result, "room_carried_at": held + timedelta(days=1),
            "agreed_rating": agreed_code,
            "agreed_rationale": "Agreed at the partnership board after the workshop." if agreed else None,
            "agreed_by_id": user_id if agreed else None,
            "agreed_at": held + timedelta(days=20) if agreed else None,
            "agreed_inputs": {"self_rating": self_code, "room_median": room_result["median"]} if agreed else None,
        })
    _insert(StrandRating, strand_rows)
    _insert(ElementRating, [
        {"assessment_id": assessment_id, "element_id": element.id,
         "self_rating": _rating(rng, centre[element.strand_id]), "rated_by_id": user_id,
         "rated_at": created + timedelta(days=30)}
        for element in fw.elements if len(element.strand.elements) > 1
    ])

    history = [{"assessment_id": assessment_id, "occurred_at": created, "user_id": user_id,
                "kind": "status", "from_value": None, "to_value": "draft", "note": "Assessment opened"}]
    for i in range(shape.history - 1):
        strand = rng.choice(fw.strands)
        history.append({"assessment_id": assessment_id, "occurred_at": created + timedelta(days=i + 1),
                        "user_id": user_id, "kind": "self_rating", "subject": strand.short_name,
                        "from_value": None, "to_value": _rating(rng, centre[strand.id])})
    _insert(HistoryEntry, history)

    _insert(Action, [
        {"assessment_id": assessment_id, "strand_id": rng.choice(fw.strands).id,
         "description": f"Next step {i + 1}: {rng.choice(['agree a shared outcomes framework', 'train keyworkers in whole-family assessment', 'publish the early help strategy', 'set up a family feedback panel', 'join up the front door with health'])}",
         "owner_organisation_id": rng.choice(org_ids), "due_date": date(year + 1, rng.randint(1, 12), 1),
         "status": rng.choice(["not_started", "in_progress", "done"]), "created_by_id": user_id,
         "created_at": created + timedelta(days=40)}
        for i in range(shape.actions)
    ])

    earlier = []
    if previous_id is not None:
        earlier = list(db.session.scalars(
            select(Evidence.id).where(Evidence.assessment_id == previous_id).order_by(Evidence.id)
        ))
    evidence_rows = []
    for i in range(shape.evidence):
        quantitative = rng.random() < 0.4
        status_ = rng.choices(["accepted", "draft", "rejected"], weights=[75, 20, 5])[0]
        evidence_rows.append({
            "assessment_id": assessment_id,
            "title": f"{rng.choice(_SOURCES)} {year}-{i + 1:02d}",
            "description": "A summary of what this shows about services for families.",
            "organisation_id": rng.choice(org_ids),
            "kind": "quantitative" if quantitative else "qualitative",
            "value": round(rng.uniform(10, 95), 1) if quantitative else None,
            "unit": "%" if quantitative else None,
            "baseline": round(rng.uniform(10, 95), 1) if quantitative else None,
            "period": f"{year} to {year + 1}" if quantitative else None,
            "about_date": start + timedelta(days=rng.randint(0, 300)),
            "source_type": rng.choice(_SOURCES),
            "status": status_,
            "reviewed_by_id": user_id if status_ != "draft" else None,
            "reviewed_at": created + timedelta(days=60) if status_ != "draft" else None,
            "carried_from_id": earlier[i] if i < len(earlier) and i % 3 == 0 else None,
            "no_personal_data": False,
            "created_by_id": user_id, "created_at": created + timedelta(days=i), "updated_at": created + timedelta(days=i),
        })
    evidence_ids = _insert(Evidence, evidence_rows, returning=True)
    links = set()
    for evidence_id in evidence_ids:
        for feature in rng.sample(fw.features, k=rng.randint(1, 4)):
            links.add((evidence_id, feature.id))
    _insert(evidence_features, [{"evidence_id": e, "feature_id": f} for e, f in sorted(links)])
    data.evidence += len(evidence_ids)
    data.assessments += 1
    return assessment_id


def _area(
    rng: random.Random, fw: _Framework, data: NationalData, name: str, password_hash: str,
    shape: Shape, codes: set[str], number: int,
) -> tuple[int, int, list[int]]:
    [area_id] = _insert(
        Area,
        [{"name": name, "kind": rng.choice(list(AREA_KINDS)), "region": rng.choice(REGIONS)}],
        returning=True,
    )
    partners = rng.sample(_PARTNERS, k=5)
    if partners[0][0] != "local-authority":
        partners = [("local-authority", "Council")] + [p for p in partners if p[0] != "local-authority"][:4]
    org_ids = _insert(
        Organisation,
        [{"area_id": area_id, "name": f"{name} {label}", "org_type": org_type} for org_type, label in partners],
        returning=True,
    )
    [user_id] = _insert(
        User,
        [{"email": f"coordinator{number:03d}@bench.example", "name": f"Coordinator of {name}",
          "password_hash": password_hash, "is_admin": False, "is_active_account": True}],
        returning=True,
    )
    _insert(Membership, [{"user_id": user_id, "area_id": area_id, "role": "coordinator", "organisation_id": org_ids[0]}])
    ability = rng.uniform(1.6, 3.4)
    org_types = [t for t, _ in partners]
    last_year = _cycle(rng, fw, data, area_id, org_ids, org_types, user_id, None, 2023,
                       "shared", shape, ability, codes)
    this_year = _cycle(rng, fw, data, area_id, org_ids, org_types, user_id, last_year, 2024,
                       rng.choice(["evidence", "workshop", "agreed", "confirmed"]), shape,
                       ability + 0.3, codes)
    data.cycles[name] = [last_year, this_year]
    data.area_ids[name] = area_id
    data.areas += 1
    return area_id, user_id, [last_year, this_year]


def _peer_reviews(rng: random.Random, fw: _Framework, data: NationalData, areas: list[tuple[int, int, list[int]]]) -> None:
    """About a third of last year's cycles were reviewed by another area's coordinator."""
    for index, (_area_id, _user, cycles) in enumerate(areas):
        if index % 3:
            continue
        reviewer_area, reviewer_user, _ = areas[(index + 7) % len(areas)]
        when = datetime(2024, 2, 1, 10, 0)
        [review_id] = _insert(
            PeerReview,
            [{"assessment_id": cycles[0], "reviewing_area_id": reviewer_area, "status": "closed",
              "request_note": "Please look hardest at workforce development.",
              "summary": "A partnership that knows itself well; the evidence for culture is thin.",
              "requested_at": when, "started_at": when + timedelta(days=3),
              "submitted_at": when + timedelta(days=30), "closed_at": when + timedelta(days=45),
              "submitted_by_id": reviewer_user}],
            returning=True,
        )
        _insert(peer_review_reviewers, [{"review_id": review_id, "user_id": reviewer_user}])
        _insert(PeerStrandReview, [
            {"review_id": review_id, "strand_id": strand.id, "peer_rating": _rating(rng, 2.5),
             "position": rng.choice(["agree", "agree", "challenge"]),
             "strengths": "Leaders speak with one voice about early help.",
             "development": "Use family feedback to shape services.",
             "questions": "How do partners share data about demand?",
             "updated_by_id": reviewer_user, "updated_at": when + timedelta(days=20)}
            for strand in fw.strands
        ])


def generate(areas: int = 150, shape: Shape | None = None, seed: int = 7, say=print) -> NationalData:
    """Fill an empty, migrated database with the national-scale set (inside an app context)."""
    from flask import current_app

    from maturity.admin.operations import create_user
    from maturity.framework.operations import latest_framework, load_file

    rng = random.Random(seed)
    shape = shape or Shape()
    framework = latest_framework() or load_file(current_app.config["FRAMEWORK_FILE"]).framework
    fw = _Framework(framework)
    admin = create_user(ADMIN_EMAIL, "National team (benchmark)", PASSWORD, is_admin=True)
    password_hash = admin.password_hash
    data = NationalData()
    codes: set[str] = set()
    made = []
    for number, name in enumerate(_area_names(areas, rng), start=1):
        made.append(_area(rng, fw, data, name, password_hash, shape, codes, number))
        if number % 25 == 0:
            db.session.flush()
            say(f"  {number} areas")
    _peer_reviews(rng, fw, data, made)
    # Same structure, different numbers of rows: for "does the query count grow with rows?"
    _area(rng, fw, data, "Smallshire", password_hash, Shape(evidence=2, actions=1, participants=3, history=2),
          codes, 998)
    _area(rng, fw, data, "Largeshire", password_hash,
          Shape(evidence=200, actions=60, participants=300, history=150), codes, 999)
    db.session.commit()
    return data

