"""Demo data for the assessments capability, loaded by `flask --app app seed-demo` (idempotent).

Hampshire's assessment carries the self ratings Hampshire published in the toolkit (Annex 3),
with its summary of key evidence retold in our own words. Staffordshire is gathering evidence
for its place-based approach; Tameside has just opened a draft.
"""

from datetime import date

from sqlalchemy import select

from maturity.assessments import operations
from maturity.extensions import db
from maturity.models import Area, Assessment, Element, Organisation, Strand, User

HAMPSHIRE_TITLE = "Early help maturity self-assessment 2016"
STAFFORDSHIRE_TITLE = "Early help maturity self-assessment 2017"
TAMESIDE_TITLE = "Early help maturity self-assessment 2018"

#: Hampshire's self ratings (toolkit Annex 3) and what they rest on, paraphrased.
HAMPSHIRE_RATINGS = {
    "leadership": (
        "developing",
        "A management group and a strategic board of senior public and voluntary sector partners "
        "govern the programme, with firm backing from the lead elected member and from members at "
        "county and district level. The CCG and the police have seconded staff to it, and public "
        "health and the council leader have invested in it. The programme is feeding into "
        "commissioning and wider change, such as early help and the new family support service "
        "model. An independent academic evaluation (phases 1 and 2) is building the business case "
        "and measuring impact, to inform talks on future demand and on what whole family, "
        "multi-agency working saves.",
    ),
    "workforce-development": (
        "developing-maturing",
        "Shared objectives, training and performance arrangements are still being built, through "
        "children's services innovation volunteers, the integrated support service, the family "
        "support service and voluntary sector development plans. Partners such as school nursing "
        "and the community rehabilitation company show they are committed to whole family "
        "working. The support services are mapping pathways across levels 1 to 4, using grant "
        "funding and service directories, and their governance is being brought together. "
        "Training on working with complex families at levels 3 and 4 now runs as part of the "
        "regular offer.",
    ),
    "culture": (
        "developing-maturing",
        "Partners find it hard to turn good practice into business as usual. Tight budgets and "
        "staffing strain relationships in places, although extra programme resource has overcome "
        "this for particular families, and case studies show the impact. Practice and strategic "
        "leadership are strong, and transformed in some areas, but embedding the shared vision in "
        "each organisation's day-to-day operations remains the main task. Team managers need more "
        "guidance and support to change practice; children's services, police, health and "
        "schools are making progress.",
    ),
    "delivery": (
        "developing-maturing",
        "Rated per element, as Hampshire did: delivery structures developing, delivery processes "
        "maturing.",
    ),
    "strategy": (
        "maturing",
        "The programme lines up with the area's wider priorities: children's trust indicators, "
        "domestic abuse commissioning, the 0-19 family support service and early help, intensive "
        "family support, innovation grants, youth offending work, voluntary sector plans, and the "
        "service specifications for health visiting, school nursing and substance misuse. In some "
        "places early help partnerships and the programme's local coordination groups have "
        "merged, and the CCG and district councils commission jointly.",
    ),
    "family-experience": (
        "maturing",
        "The lead professional role and high-level family plans are working: staff keep trying to "
        "make contact, hold a whole family focus, and plan well for handovers and moving on. Work "
        "outcomes are high. Lead professionals do not always give specialist support, but "
        "relationships rest on trust. Local performance data and an independent academic "
        "evaluation back this up. Many partners use SafetyNet to hold family data and coordinate "
        "their work, and families supported by the commissioned service leave with clear "
        "step-down plans, with voluntary sector support where it fits.",
    ),
}

HAMPSHIRE_ELEMENT_RATINGS = {
    "delivery-structures": (
        "developing",
        "Most partners in the programme work together, share data and use SafetyNet, but sharing "
        "data with some key partners is still hard and not routine. Co-location works in some "
        "districts (Havant, Rushmoor) but two-tier arrangements limit it elsewhere. Expected to "
        "move towards maturing once the 0-19 family support service goes live in April 2017.",
    ),
    "delivery-processes": (
        "maturing",
        "Maturing for the partners and families in the programme, with integrated early help and "
        "family plans. Capturing transformative practice in services working with families "
        "outside the programme is the next ambition.",
    ),
    "training-development": ("developing-maturing", None),
    "performance-objectives": ("developing-maturing", None),
    "shared-opportunities": ("developing-maturing", None),
    "frontline-view": ("developing-maturing", None),
}

HAMPSHIRE_ACTIONS = [
    (
        "delivery",
        "Agree data sharing protocols with the remaining key partners so that sharing happens as "
        "a matter of course.",
        "Hampshire County Council",
        date(2017, 3, 31),
        "in_progress",
    ),
    (
        "delivery",
        "Launch the 0-19 family support service offer across the county.",
        "Hampshire County Council",
        date(2017, 4, 1),
        "done",
    ),
    (
        "culture",
        "Give team managers guidance and support to build the shared vision into everyday "
        "practice.",
        "Hampshire County Council",
        date(2017, 6, 30),
        "not_started",
    ),
    (
        "workforce-development",
        "Offer the 'working with complex families' training to police and school staff.",
        "Hampshire Constabulary",
        date(2017, 9, 30),
        "not_started",
    ),
]

STAFFORDSHIRE_RATINGS = {
    "leadership": (
        "developing",
        "The Families Strategic Partnership Board brings county and district leaders together, "
        "and the Health and Wellbeing Board endorsed the place-based approach in September 2017. "
        "Commitment at district level is growing but uneven.",
    ),
    "strategy": (
        "developing",
        "The place-based approach is being tested in Newcastle-under-Lyme and Tamworth, after "
        "eight earliest-help pilots across the county. Links to the sustainability and "
        "transformation plan's prevention work are still being made.",
    ),
}


def _area(name: str) -> Area | None:
    return db.session.scalar(select(Area).where(Area.name == name))


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _existing(area: Area, title: str) -> Assessment | None:
    return db.session.scalar(
        select(Assessment).where(Assessment.area_id == area.id, Assessment.title == title)
    )


def _strand(assessment: Assessment, key: str) -> Strand | None:
    return next((s for s in assessment.framework.strands if s.key == key), None)


def _element(assessment: Assessment, key: str) -> Element | None:
    return next(
        (e for s in assessment.framework.strands for e in s.elements if e.key == key), None
    )


def _rate(assessment: Assessment, ratings: dict, user: User | None) -> None:
    for key, (code, rationale) in ratings.items():
        strand = _strand(assessment, key)
        if strand is not None:
            operations.set_self_rating(assessment, strand, code, rationale, user)


def _advance_to(assessment: Assessment, status: str, user: User | None) -> None:
    while assessment.status != status and operations.next_status(assessment) is not None:
        operations.advance(assessment, user)


def seed_hampshire(framework) -> Assessment | None:
    area = _area("Hampshire")
    if area is None or _existing(area, HAMPSHIRE_TITLE) is not None:
        return None
    user = _user("coordinator@hampshire.example.org")
    assessment = operations.create_assessment(
        area, framework, HAMPSHIRE_TITLE, "2016 to 2017", user,
        period_start=date(2016, 4, 1), period_end=date(2017, 3, 31),
    )
    _advance_to(assessment, "evidence", user)
    _rate(assessment, HAMPSHIRE_RATINGS, user)
    for key, (code, rationale) in HAMPSHIRE_ELEMENT_RATINGS.items():
        element = _element(assessment, key)
        if element is not None:
            operations.set_element_rating(assessment, element, code, rationale, user)
    organisations = {o.name: o for o in area.organisations}
    for strand_key, description, owner, due, status in HAMPSHIRE_ACTIONS:
        strand = _strand(assessment, strand_key)
        if strand is not None:
            operations.add_action(
                assessment, strand, description, organisations.get(owner), due, user, status=status
            )
    _advance_to(assessment, "workshop", user)
    return assessment


def seed_staffordshire(framework) -> Assessment | None:
    area = _area("Staffordshire")
    if area is None or _existing(area, STAFFORDSHIRE_TITLE) is not None:
        return None
    user = _user("coordinator@staffordshire.example.org")
    assessment = operations.create_assessment(
        area, framework, STAFFORDSHIRE_TITLE, "2017 to 2018", user,
        period_start=date(2017, 4, 1), period_end=date(2018, 3, 31),
    )
    _advance_to(assessment, "evidence", user)
    _rate(assessment, STAFFORDSHIRE_RATINGS, user)
    owner = db.session.scalar(
        select(Organisation).where(
            Organisation.area_id == area.id, Organisation.name == "Staffordshire County Council"
        )
    )
    strand = _strand(assessment, "delivery")
    if strand is not None:
        operations.add_action(
            assessment, strand,
            "Evaluate the Newcastle-under-Lyme and Tamworth place-based pilots and share what "
            "works with the other districts.",
            owner, date(2018, 3, 31), user, status="in_progress",
        )
    return assessment


def seed_tameside(framework) -> Assessment | None:
    area = _area("Tameside")
    if area is None or _existing(area, TAMESIDE_TITLE) is not None:
        return None
    user = _user("coordinator@tameside.example.org")
    return operations.create_assessment(
        area, framework, TAMESIDE_TITLE, "2018 to 2019", user,
        period_start=date(2018, 4, 1), period_end=date(2019, 3, 31),
    )


def seed() -> None:
    """Hampshire (workshop held, Annex 3 ratings), Staffordshire (evidence), Tameside (draft)."""
    from maturity.framework.operations import latest_framework

    framework = latest_framework()
    if framework is None:
        return
    seed_hampshire(framework)
    seed_staffordshire(framework)
    seed_tameside(framework)
    db.session.flush()
