"""Load the demo data set, `seed/demo/*.yaml`, through the same operations people use.

`areas.yaml` holds the areas, their partnerships and the demo accounts; every other file holds
assessments (with their ratings, actions, evidence and workshop) and the peer reviews one area
carries out of another's. Every step is idempotent: an area, person, assessment, evidence item,
workshop or peer review that already exists (by name, email or title) is left as it is, so
`flask seed-demo` run twice changes nothing.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import yaml
from sqlalchemy import select

from maturity.admin import operations as admin
from maturity.assessments import operations as assessments
from maturity.config import ROOT
from maturity.core.scoring import STAGE_KEYS, summarise_counts
from maturity.core.surveys import GRADES
from maturity.evidence import operations as evidence
from maturity.extensions import db
from maturity.families import operations as family_operations
from maturity.families import queries as family_queries
from maturity.models import (
    Area,
    Assessment,
    Evidence,
    Feature,
    FrameworkVersion,
    Organisation,
    PeerReview,
    Strand,
    User,
    Workshop,
)
from maturity.reviews import operations as reviews
from maturity.surveys import operations as survey_operations
from maturity.surveys import queries as survey_queries
from maturity.workshops import operations as workshops

DEMO_DIR = ROOT / "seed" / "demo"
AREAS_FILE = "areas.yaml"
#: How the files name a vote: a stage's key, or "dont-know".
VOTES: dict[str, int | None] = {key: stage for stage, key in STAGE_KEYS.items()} | {"dont-know": None}


def load_yaml(name: str) -> dict:
    return yaml.safe_load((DEMO_DIR / name).read_text(encoding="utf-8"))


def assessment_files() -> list[dict]:
    """Every demo file but the areas, in name order."""
    return [load_yaml(p.name) for p in sorted(DEMO_DIR.glob("*.yaml")) if p.name != AREAS_FILE]


# --------------------------------------------------------------------------------------------
# Areas, partnerships and people
# --------------------------------------------------------------------------------------------


def seed_areas(data: dict) -> dict[str, Area]:
    areas: dict[str, Area] = {a.name: a for a in db.session.scalars(select(Area))}
    for item in data["areas"]:
        area = areas.get(item["name"])
        if area is None:
            area = admin.create_area(item["name"], item["kind"], item.get("region"))
            areas[area.name] = area
        if item.get("parent"):
            area.parent = areas[item["parent"]]
        if area.about is None and item.get("about"):
            area.about = item["about"].strip()
        existing = {o.name for o in area.organisations}
        for name, org_type in item.get("organisations", []):
            if name not in existing:
                admin.add_organisation(area, name, org_type)
    db.session.flush()
    return areas


def seed_users(data: dict, areas: dict[str, Area]) -> None:
    for item in data["users"]:
        user = _user(item["email"])
        if user is None:
            user = admin.create_user(item["email"], item["name"], data["password"], item.get("admin", False))
        if item.get("area"):
            area = areas[item["area"]]
            organisation = _organisation(area, item.get("organisation"))
            admin.set_membership(user, area, item["role"], organisation)
    db.session.flush()


def demo_logins() -> list[dict]:
    data = load_yaml(AREAS_FILE)
    return [{"email": u["email"], "password": data["password"], "who": u["name"]} for u in data["users"]]


# --------------------------------------------------------------------------------------------
# Assessments and what hangs off them
# --------------------------------------------------------------------------------------------


def _user(email: str | None) -> User | None:
    return db.session.scalar(select(User).where(User.email == email)) if email else None


def _organisation(area: Area, name: str | None) -> Organisation | None:
    return next((o for o in area.organisations if o.name == name), None)


def _find_assessment(area_name: str, title: str) -> Assessment | None:
    return db.session.scalar(
        select(Assessment)
        .join(Area, Area.id == Assessment.area_id)
        .where(Area.name == area_name, Assessment.title == title)
        .order_by(Assessment.id)
    )


def _strands(framework: FrameworkVersion) -> dict[str, Strand]:
    return {s.key: s for s in framework.strands}


def _rate(assessment: Assessment, spec: dict, user: User | None) -> None:
    strands = _strands(assessment.framework)
    elements = {e.key: e for s in strands.values() for e in s.elements}
    for key, rating in (spec.get("self_ratings") or {}).items():
        assessments.set_self_rating(assessment, strands[key], rating["rating"], rating.get("rationale"), user)
    for key, rating in (spec.get("element_ratings") or {}).items():
        assessments.set_element_rating(
            assessment, elements[key], rating["rating"], rating.get("rationale"), user
        )
    room = spec.get("room_results") or {}
    for key, votes in (room.get("votes") or {}).items():
        assessments.carry_in_room_result(
            assessment, strands[key], _room_result(room["workshop_title"], votes), user
        )
    for key, rating in (spec.get("agreed_ratings") or {}).items():
        assessments.set_agreed_rating(assessment, strands[key], rating["rating"], rating["rationale"], user)
    for action in spec.get("actions") or []:
        assessments.add_action(
            assessment, strands[action["strand"]], action["description"],
            _organisation(assessment.area, action.get("owner")), action.get("due"), user,
            status=action.get("status", "not_started"),
        )


def _room_result(workshop_title: str, votes: dict[str, int]) -> dict[str, Any]:
    """A room's result recorded without a workshop in the app (paper or another system)."""
    summary = summarise_counts({VOTES[stage]: count for stage, count in votes.items()})
    return {
        "workshop_title": workshop_title,
        "n": summary.n,
        "abstentions": summary.abstentions,
        "counts": {str(stage): count for stage, count in summary.counts.items()},
        "mean": summary.mean,
        "median": summary.median.code if summary.median else None,
        "consensus": summary.consensus,
    }


def _source(strands: dict[str, Strand], source: str | dict) -> str:
    """An evidence source: the text given, or one of a strand's suggested sources by position."""
    if isinstance(source, str):
        return source
    suggestions = strands[source["strand"]].evidence_sources
    return suggestions[source["index"]] if source["index"] < len(suggestions) else "Local evidence"


def _add_evidence(assessment: Assessment, items: list[dict], coordinator: User | None) -> None:
    existing = set(db.session.scalars(select(Evidence.title).where(Evidence.assessment_id == assessment.id)))
    features = {
        f.key: f
        for f in db.session.scalars(select(Feature).where(Feature.framework_id == assessment.framework_id))
    }
    strands = _strands(assessment.framework)
    for item in items:
        if item["title"] in existing:
            continue
        organisation = _organisation(assessment.area, item.get("organisation"))
        added = evidence.add_evidence(
            assessment,
            _user(item.get("added_by")) or coordinator,
            {
                "title": item["title"],
                "description": item.get("description"),
                "organisation_id": organisation.id if organisation else None,
                "kind": item["kind"],
                "value": item.get("value"),
                "unit": item.get("unit"),
                "baseline": item.get("baseline"),
                "period": item.get("period"),
                "about_date": item["about"],
                "source_type": _source(strands, item["source"]),
                "link": None,
            },
            [features[key] for key in item["features"]],
        )
        if item.get("status", "draft") != "draft" and coordinator is not None:
            evidence.review_evidence(added, coordinator, item["status"], item.get("reason"))


def _run_workshop(assessment: Assessment, spec: dict, coordinator: User | None) -> None:
    """Hold a recorded workshop as a live one runs: join, open, vote, close, reveal, end, carry.

    Who cast which vote is drawn at random (seeded, so every load is the same); the rounds of
    one strand, voted element by element, are voted by the same people.
    """
    exists = db.session.scalar(
        select(Workshop.id).where(Workshop.assessment_id == assessment.id, Workshop.title == spec["title"])
    )
    if exists is not None:
        return
    strands = _strands(assessment.framework)
    specs = []
    for r in spec["rounds"]:
        strand = strands[r["strand"]]
        element = next(e for e in strand.elements if e.key == r["element"]) if r.get("element") else None
        specs.append((strand, element))
    workshop = workshops.create_workshop(
        assessment, spec["title"], specs, held_on=spec.get("held_on"), user=coordinator
    )
    people = [
        workshops.join(workshop, org_type)
        for org_type, count in spec["participants"].items()
        for _ in range(count)
    ]
    chooser = random.Random(spec.get("seed", 0))
    sizes = Counter()
    for r in spec["rounds"]:
        votes = [r["votes"], *([r["revote"]] if r.get("revote") else [])]
        sizes[r["strand"]] = max(sizes[r["strand"]], *(sum(v.values()) for v in votes))
    voters_of = {strand: chooser.sample(people, size) for strand, size in sizes.items()}

    def hold(round_id: int, votes: dict[str, int], voters: list) -> None:
        ballots = [VOTES[stage] for stage, count in votes.items() for _ in range(count)]
        for person, stage in zip(voters, ballots, strict=False):
            workshops.cast_vote(workshop.id, round_id, person.id, stage)

    originals = list(workshop.rounds)
    for round_, r in zip(originals, spec["rounds"], strict=True):
        workshops.open_round(workshop, round_.id)
        # Each person in the room gives one of the votes, in an order of the seed's choosing.
        voters = voters_of[r["strand"]]
        hold(round_.id, r["votes"], voters)
        for stage, count in (r.get("hand_counts") or {}).items():
            workshops.add_manual_tally(
                workshop, round_.id, VOTES[stage], count, spec.get("hand_count_note"), coordinator
            )
        workshops.close_round(workshop, round_.id)
        workshops.reveal_round(workshop, True, round_.id)
        if r.get("revote"):
            # Discussed, then voted again by the same people (a new round after this one).
            again = workshops.revote(workshop, round_.id)
            hold(again.id, r["revote"], chooser.sample(voters, len(voters)))
            workshops.close_round(workshop, again.id)
            workshops.reveal_round(workshop, True, again.id)
        if round_ is not originals[-1]:
            workshops.move(workshop, +1)
    workshops.end_workshop(workshop)
    if not assessments.is_locked(assessment):
        for key in dict.fromkeys(r["strand"] for r in spec["rounds"]):
            workshops.carry_room_result(workshop, strands[key], coordinator)


def _seed_family_questionnaire(assessment: Assessment, spec: dict, coordinator: User | None) -> None:
    """An illustrative family questionnaire, closed, with `families` made-up responses built from
    how many gave each answer to each question; the first `transcribed` came on paper."""
    if family_queries.questionnaire_of(assessment) is not None:
        return
    questionnaire = family_operations.create_questionnaire(
        assessment, coordinator, spec.get("retention_months"), illustrative=True
    )
    family_operations.open_questionnaire(questionnaire, coordinator)
    families = int(spec["families"])
    responses: list[dict[str, str]] = [{} for _ in range(families)]
    for key, counts in (spec.get("answers") or {}).items():
        answers = [answer for answer, count in counts.items() for _ in range(int(count))]
        if len(answers) > families:
            raise ValueError(f"family questionnaire: {key} has more answers than families")
        for response, answer in zip(responses, answers, strict=False):
            response[key] = answer
    comments = list(spec.get("comments") or [])
    for number, answers in enumerate(responses):
        comment = comments[number] if number < len(comments) else None
        if number < int(spec.get("transcribed", 0)):
            family_operations.transcribe(questionnaire, answers, comment)
        else:
            family_operations.answer(questionnaire, f"demo-{number}", answers, comment)
    family_operations.close_questionnaire(questionnaire, coordinator)


def _seed_survey(assessment: Assessment, spec: dict, coordinator: User | None) -> None:
    """An illustrative partners' survey, closed, with made-up people (`people` by kind of
    organisation, grades in turn) whose ratings add up to `ratings` per strand or element;
    `reasons` go to the first people. Its results are carried into the assessment."""
    if any(s.title == spec["title"] for s in survey_queries.assessment_surveys(assessment)):
        return
    strands = {s.key: s for s in assessment.framework.strands}
    items = []
    for key in spec["ratings"]:
        if key in strands:
            items.append((strands[key], None))
        else:
            element = next(e for s in strands.values() for e in s.elements if e.key == key)
            items.append((element.strand, element))
    survey = survey_operations.create_survey(
        assessment, spec["title"], items, coordinator, opens_on=spec.get("opens_on"),
        closes_on=spec.get("closes_on"), ask_grade=bool(spec.get("ask_grade")),
        ask_why=bool(spec.get("ask_why")), breakdown=spec.get("breakdown", "org_type"), illustrative=True,
    )
    survey_operations.open_survey(survey)
    chooser = random.Random(spec.get("seed", 2016))
    grades = list(GRADES)
    kinds = [kind for kind, count in spec["people"].items() for _ in range(int(count))]
    people = []
    for number, kind in enumerate(kinds):
        response = survey_operations.start_response(survey, survey_operations.token_hash(f"demo-survey-{number}"), spec["opens_on"])
        survey_operations.set_about(response, {"org_type": kind, "grade": grades[number % len(grades)]})
        people.append(response)
    for item in survey.items:
        key = item.element.key if item.element is not None else item.strand.key
        stages = [VOTES[name] for name, count in spec["ratings"][key].items() for _ in range(int(count))]
        if len(stages) > len(people):
            raise ValueError(f"survey: {key} has more ratings than people")
        reasons = list((spec.get("reasons") or {}).get(key) or [])
        for index, (response, stage) in enumerate(zip(chooser.sample(people, len(stages)), stages, strict=True)):
            survey_operations.save_answer(response, item, stage, reasons[index] if index < len(reasons) else None)
    survey_operations.close_survey(survey)
    if not assessments.is_locked(assessment):
        for strand in dict.fromkeys(item.strand for item in survey.items):
            survey_operations.carry_survey_result(survey, strand, coordinator, spec["closes_on"])


def seed_assessment(spec: dict, framework: FrameworkVersion) -> Assessment | None:
    """One assessment as its file describes it; an existing one only gains missing evidence."""
    area = db.session.scalar(select(Area).where(Area.name == spec["area"]))
    if area is None:
        return None
    coordinator = _user(spec.get("coordinator"))
    assessment = _find_assessment(spec["area"], spec["title"])
    if assessment is None:
        assessment = assessments.create_assessment(
            area, framework, spec["title"], spec["period"], coordinator,
            period_start=spec.get("starts"), period_end=spec.get("ends"),
        )
        assessment.illustrative_note = " ".join((spec.get("illustrative_note") or "").split()) or None
        _rate(assessment, spec, coordinator)
    _add_evidence(assessment, spec.get("evidence") or [], coordinator)
    if spec.get("family_questionnaire"):
        _seed_family_questionnaire(assessment, spec["family_questionnaire"], coordinator)
    if spec.get("survey"):
        _seed_survey(assessment, spec["survey"], coordinator)
    if spec.get("workshop"):
        _run_workshop(assessment, spec["workshop"], coordinator)
    while assessment.status != spec.get("status", "draft") and assessments.next_status(assessment):
        assessments.advance(assessment, coordinator, note=spec.get("status_note"))
    db.session.flush()
    return assessment


def seed_review(spec: dict) -> PeerReview | None:
    """One area's peer review of another's assessment, submitted, with the answers given."""
    assessment = _find_assessment(spec["of"]["area"], spec["of"]["title"])
    reviewing = db.session.scalar(select(Area).where(Area.name == spec["reviewing_area"]))
    if assessment is None or reviewing is None:
        return None
    already = list(db.session.scalars(select(PeerReview).where(PeerReview.assessment_id == assessment.id)))
    mine = next((r for r in already if r.reviewing_area_id == reviewing.id), None)
    if mine is not None or any(r.is_open for r in already):
        return mine  # someone else's open review is left alone
    reviewers = [u for u in map(_user, spec["reviewers"]) if u is not None]
    if not reviewers:
        return None
    coordinator = _user(spec.get("requested_by"))
    review = reviews.request_review(assessment, reviewing, reviewers, coordinator, spec.get("request_note"))
    strands = _strands(assessment.framework)
    for key, entry in spec["strands"].items():
        reviews.record_strand(
            review, strands[key], reviewers[0], entry["rating"], entry["position"],
            entry.get("strengths"), entry.get("development"), entry.get("questions"),
        )
    reviews.record_summary(review, reviewers[0], spec["summary"])
    reviews.submit(review, reviewers[0], strands.values())
    for key, entry in spec["strands"].items():
        if entry.get("answer"):
            reviews.respond(review.strand_review(strands[key]), coordinator, entry["answer"])
    db.session.flush()
    return review


def seed_demo() -> list[dict]:
    """Load the whole demo data set; returns the demo logins."""
    from maturity.framework.operations import latest_framework

    data = load_yaml(AREAS_FILE)
    seed_users(data, seed_areas(data))
    framework = latest_framework()
    if framework is not None:
        files = assessment_files()
        for spec in (s for f in files for s in f.get("assessments", [])):
            seed_assessment(spec, framework)
        for spec in (s for f in files for s in f.get("peer_reviews", [])):
            seed_review(spec)
    db.session.commit()
    return demo_logins()
