"""Demo data for the evidence capability, loaded by `flask --app app seed-demo` (idempotent).

Hampshire's 2016 evidence register, retold in our own words from the toolkit's Hampshire case
example and its Annex 3 summary table. The figures are illustrative demo values, not Hampshire's.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from maturity.evidence import operations
from maturity.extensions import db
from maturity.models import Area, Assessment, Evidence, Feature, Organisation, Strand, User

AREA = "Hampshire"
TITLE = "Early help maturity self-assessment 2016"
COORDINATOR = "coordinator@hampshire.example.org"

COUNCIL = "Hampshire County Council"
POLICE = "Hampshire Constabulary"
PCC = "Office of the Police and Crime Commissioner for Hampshire"
HEALTH = "Hampshire clinical commissioning groups"
JOBCENTRE = "Jobcentre Plus (Hampshire district)"
CRC = "Hampshire and Isle of Wight Community Rehabilitation Company"
VOLUNTARY = "Hampshire voluntary sector providers"

#: Each item: what it is, who owns it, which toolkit source (strand key, index) or other text,
#: the features it supports, and how the coordinator judged it.
ITEMS: list[dict] = [
    {
        "title": "Strategic Board and Management Group: membership and terms of reference",
        "description": "Senior people from the council, police, health, probation and the voluntary sector sit on the board that governs the programme. Decisions and actions are minuted and followed up by the management group.",
        "organisation": COUNCIL, "kind": "qualitative", "about": date(2016, 6, 30),
        "source": ("leadership", 1), "by": COORDINATOR,
        "features": ["lead-dm-dev-1", "lead-pc-dev-1", "lead-dm-mat-1"], "status": "accepted",
    },
    {
        "title": "Police and CCG officers seconded to the programme",
        "description": "The constabulary and the clinical commissioning groups each second staff into the Troubled Families team, alongside public health and council leader investment in the programme.",
        "organisation": POLICE, "kind": "qualitative", "about": date(2016, 9, 1),
        "source": ("leadership", 2), "by": "police@hampshire.example.org",
        "features": ["lead-pc-dev-1", "lead-pc-mat-1"], "status": "accepted",
    },
    {
        "title": "Independent academic evaluation, phases 1 and 2",
        "description": "An impartial university partner is building the business case and measuring impact, to inform talks about future demand and the cost benefits of whole family, multi-agency working.",
        "organisation": COUNCIL, "kind": "qualitative", "about": date(2016, 10, 31),
        "source": ("leadership", 5), "by": COORDINATOR,
        "features": ["lead-dm-dev-2", "lead-dm-dev-3", "str-mat-5"], "status": "accepted",
    },
    {
        "title": "Lead member and district councillor support",
        "description": "The lead elected member champions the programme, and members at county and district level are briefed and supportive.",
        "organisation": COUNCIL, "kind": "qualitative", "about": date(2016, 7, 15),
        "source": ("leadership", 3), "by": COORDINATOR,
        "features": ["lead-wt-dev-1", "lead-ld-dev-1"], "status": "draft",
    },
    {
        "title": "Staff trained on the 'Working with complex families' course",
        "description": "The level 3 and 4 course is now part of the regular children's services training offer and open to partner staff.",
        "organisation": COUNCIL, "kind": "quantitative", "value": 240, "unit": "staff", "baseline": 0,
        "period": "April 2015 to March 2016", "about": date(2016, 3, 31),
        "source": ("workforce-development", 6), "by": COORDINATOR,
        "features": ["wf-td-dev-1", "wf-td-dev-3", "wf-td-mat-1"], "status": "accepted",
    },
    {
        "title": "School nursing and probation commit to whole family working",
        "description": "The school nursing service and the community rehabilitation company have written whole family working into their service plans.",
        "organisation": CRC, "kind": "qualitative", "about": date(2016, 8, 31),
        "source": ("workforce-development", 4), "by": COORDINATOR,
        "features": ["wf-po-dev-1", "wf-po-dev-2"], "status": "accepted",
    },
    {
        "title": "Team managers asking for more guidance to change practice",
        "description": "A short survey of team managers across children's services, police, health and schools on what would help them embed the shared vision day to day.",
        "organisation": COUNCIL, "kind": "quantitative", "value": 58, "unit": "% of team managers",
        "period": "Autumn 2016", "about": date(2016, 11, 1),
        "source": ("culture", 2), "by": COORDINATOR,
        "features": ["cul-dev-2", "cul-dev-3"], "status": "draft",
    },
    {
        "title": "Case studies: extra programme resource unblocking help for families",
        "description": "Anonymised case studies show how programme funding overcame staffing and budget limits for particular families, used to promote good practice.",
        "organisation": VOLUNTARY, "kind": "qualitative", "about": date(2016, 9, 30),
        "source": ("culture", 3), "by": COORDINATOR,
        "features": ["cul-dev-1", "cul-dev-4", "cul-mat-3"], "status": "accepted",
    },
    {
        "title": "Partner organisations using SafetyNet",
        "description": "Most partners in the programme can see family data in SafetyNet and use it to coordinate their work.",
        "organisation": COUNCIL, "kind": "quantitative", "value": 14, "unit": "partner organisations",
        "baseline": 6, "period": "March 2016", "about": date(2016, 3, 31),
        "source": ("delivery", 1), "by": COORDINATOR,
        "features": ["del-ds-dev-3", "del-ds-mat-4", "fe-mature-6"], "status": "accepted",
    },
    {
        "title": "Co-located early help teams in Havant and Rushmoor",
        "description": "Staff from several agencies work side by side in two districts; elsewhere two-tier arrangements limit co-location so far.",
        "organisation": COUNCIL, "kind": "qualitative", "about": date(2016, 10, 1),
        "source": "Other: site visits and team rosters", "by": COORDINATOR,
        "features": ["del-ds-dev-1", "del-ds-mat-1"], "status": "accepted",
    },
    {
        "title": "Information sharing agreement with the CCGs",
        "description": "The draft agreement for sharing family information between the CCGs and the programme.",
        "organisation": HEALTH, "kind": "qualitative", "about": date(2016, 11, 15),
        "source": ("delivery", 0), "by": "health@hampshire.example.org",
        "features": ["del-ds-mat-3", "del-ds-mature-3"], "status": "rejected",
        "reason": "This is an unsigned draft: it shows intent but is not yet an agreement in force. Add the signed version once the CCGs have agreed it.",
    },
    {
        "title": "Integrated early help and Troubled Families family plan",
        "description": "One family plan template used by early help hubs and the programme, with shared goals and milestones.",
        "organisation": COUNCIL, "kind": "qualitative", "about": date(2016, 5, 1),
        "source": ("delivery", 4), "by": COORDINATOR,
        "features": ["del-dp-dev-1", "del-dp-dev-2", "del-dp-mat-1", "fe-mat-4"], "status": "accepted",
    },
    {
        "title": "Programme aligned with the 0-19 Family Support Service and early help",
        "description": "The programme's work is built into the new Family Support Service offer (live April 2017), early help and the children's trust indicators.",
        "organisation": COUNCIL, "kind": "qualitative", "about": date(2016, 12, 1),
        "source": ("strategy", 1), "by": COORDINATOR,
        "features": ["str-dev-1", "str-dev-3", "str-mat-1", "str-mat-3"], "status": "accepted",
    },
    {
        "title": "Joint commissioning by the CCGs and district councils",
        "description": "Health visiting, school nursing and substance misuse service specifications now expect whole family working; some services are jointly commissioned with district councils.",
        "organisation": HEALTH, "kind": "qualitative", "about": date(2016, 10, 1),
        "source": ("strategy", 2), "by": "health@hampshire.example.org",
        "features": ["str-dev-2", "str-mat-2"], "status": "accepted",
    },
    {
        "title": "Domestic abuse commissioning shaped by the programme",
        "description": "What the programme learned about families affected by domestic abuse informed the commissioner's new service.",
        "organisation": PCC, "kind": "qualitative", "about": date(2016, 9, 1),
        "source": ("strategy", 2), "by": COORDINATOR,
        "features": ["str-dev-2"], "status": "draft",
    },
    {
        "title": "Families moving into continuous work",
        "description": "Work outcomes for families in the programme are high; employment advisers work alongside keyworkers.",
        "organisation": JOBCENTRE, "kind": "quantitative", "value": 312, "unit": "families",
        "baseline": 190, "period": "2015 to 2016", "about": date(2016, 3, 31),
        "source": ("family-experience", 6), "by": COORDINATOR,
        "features": ["fe-mat-4", "fe-dev-3"], "status": "accepted",
    },
    {
        "title": "Step-down plans for families leaving the Transform service",
        "description": "Families supported by the commissioned Transform service leave with a clear step-down plan, including voluntary sector help where it fits.",
        "organisation": VOLUNTARY, "kind": "qualitative", "about": date(2016, 8, 1),
        "source": ("family-experience", 3), "by": COORDINATOR,
        "features": ["fe-mat-7", "fe-mature-2", "fe-mature-3"], "status": "accepted",
    },
    {
        "title": "Case file audit of the lead professional role",
        "description": "A dip sample of closed cases: families knew their lead professional, workers kept up contact and kept the whole family in view.",
        "organisation": COUNCIL, "kind": "qualitative", "about": date(2016, 11, 30),
        "source": ("family-experience", 2), "by": COORDINATOR,
        "features": ["fe-dev-3", "fe-mat-1", "fe-mat-3"], "status": "accepted",
    },
]


def _source(assessment: Assessment, source) -> str:
    if isinstance(source, str):
        return source.removeprefix("Other: ")
    strand_key, index = source
    strand = db.session.scalar(
        select(Strand).where(Strand.framework_id == assessment.framework_id, Strand.key == strand_key)
    )
    if strand is not None and index < len(strand.evidence_sources):
        return strand.evidence_sources[index]
    return "Local evidence"


def seed() -> None:
    """Add Hampshire's 2016 evidence register, once."""
    area = db.session.scalar(select(Area).where(Area.name == AREA))
    if area is None:
        return
    assessment = db.session.scalar(
        select(Assessment).where(Assessment.area_id == area.id, Assessment.title == TITLE)
    )
    if assessment is None:
        return
    existing = set(db.session.scalars(select(Evidence.title).where(Evidence.assessment_id == assessment.id)))
    organisations = {o.name: o for o in area.organisations}
    users = {u.email: u for u in db.session.scalars(select(User))}
    features = {
        f.key: f
        for f in db.session.scalars(select(Feature).where(Feature.framework_id == assessment.framework_id))
    }
    coordinator = users.get(COORDINATOR)
    for item in ITEMS:
        if item["title"] in existing:
            continue
        linked = [features[key] for key in item["features"] if key in features]
        if not linked:
            continue
        organisation: Organisation | None = organisations.get(item["organisation"])
        evidence = operations.add_evidence(
            assessment,
            users.get(item["by"]),
            {
                "title": item["title"],
                "description": item["description"],
                "organisation_id": organisation.id if organisation else None,
                "kind": item["kind"],
                "value": item.get("value"),
                "unit": item.get("unit"),
                "baseline": item.get("baseline"),
                "period": item.get("period"),
                "about_date": item["about"],
                "source_type": _source(assessment, item["source"]),
                "link": None,
            },
            linked,
        )
        if item["status"] != "draft" and coordinator is not None:
            operations.review_evidence(evidence, coordinator, item["status"], item.get("reason"))
    db.session.flush()
