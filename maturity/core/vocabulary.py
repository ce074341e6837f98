"""Fixed vocabularies of the product: kinds of area, partner organisation types and roles."""

AREA_KINDS = {
    "county": "County",
    "district": "District or borough",
    "unitary": "Unitary authority",
    "metropolitan": "Metropolitan borough",
    "london": "London borough",
}

ORGANISATION_TYPES = {
    "local-authority": "Local authority",
    "police": "Police",
    "pcc": "Police and crime commissioner",
    "health": "Health / clinical commissioning group",
    "schools": "Schools",
    "housing": "Housing",
    "jobcentre-plus": "Jobcentre Plus",
    "probation": "Probation / community rehabilitation",
    "fire": "Fire and rescue",
    "voluntary": "Voluntary and community sector",
    "other": "Other",
}

#: The partners the toolkit expects to take part in an assessment; an area may choose its own.
CORE_PARTNER_TYPES = (
    "local-authority",
    "police",
    "health",
    "schools",
    "jobcentre-plus",
    "probation",
    "housing",
    "voluntary",
)

#: How a gap reads: "No voice from health".
ORGANISATION_VOICES = {
    "local-authority": "the local authority",
    "police": "the police",
    "pcc": "the police and crime commissioner",
    "health": "health",
    "schools": "schools",
    "housing": "housing",
    "jobcentre-plus": "Jobcentre Plus",
    "probation": "probation",
    "fire": "fire and rescue",
    "voluntary": "the voluntary sector",
    "other": "other partners",
}

REGIONS = (
    "East Midlands",
    "East of England",
    "London",
    "North East",
    "North West",
    "South East",
    "South West",
    "West Midlands",
    "Yorkshire and the Humber",
)

#: Area-scoped roles, most powerful first. "admin" is the national team and is not area-scoped.
ROLES = {
    "coordinator": "Coordinator",
    "contributor": "Partner contributor",
    "reviewer": "Peer reviewer",
}
