"""Every form of the app, under generated input (Hypothesis), and hostile text through the pages.

- Any input: each WTForms form class, built in a POST request with generated fields (hostile
  text, many values per field, NUL, very long text), validates without raising anything but
  validation errors, and every field still renders.
- Valid input: for each form, generated data a person could really send (rating codes, dates,
  numbers as people type them, web addresses, join codes, counts) is accepted.
- Hostile text (markup, template syntax, right-to-left override, NUL, emoji, the longest text
  allowed and one character more) round-trips through the main free-text fields: stored as
  typed (without NUL), shown escaped, refused with a message when too long.

Forms are found by walking the maturity package, so a new form class fails these tests until
it is given its context below (FORMS) and a strategy for valid data (VALID).
"""

from __future__ import annotations

import importlib
import pkgutil
from datetime import date
from types import SimpleNamespace

import pytest
from flask import request
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup, escape
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

import maturity
from maturity.auth.passwords import password_problem
from maturity.core.scoring import RATING_CHOICES, STAGES
from maturity.core.surveys import GRADES, MAX_REASON
from maturity.core.surveys import ROLES as SURVEY_ROLES
from maturity.core.vocabulary import AREA_KINDS, ORGANISATION_TYPES, REGIONS, ROLES
from maturity.extensions import db
from maturity.workshops.codes import ALPHABET
from tests.conftest import PASSWORD

PROPERTIES = settings(
    max_examples=30, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


def form_classes() -> dict[str, type]:
    """Every FlaskForm subclass defined in the maturity package, by name."""
    for module in pkgutil.walk_packages(maturity.__path__, "maturity."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    found, queue = {}, list(FlaskForm.__subclasses__())
    while queue:
        cls = queue.pop()
        queue.extend(cls.__subclasses__())
        if cls.__module__.startswith("maturity."):
            found[cls.__name__] = cls
    return found


@pytest.fixture
def place(app, make_area, make_user, make_assessment, framework):
    from maturity.workshops.operations import create_workshop

    area = make_area("Hampshire")
    other = make_area("Tameside", kind="metropolitan")
    coordinator = make_user("coordinator", area)
    reviewer = make_user("reviewer", other)
    assessment = make_assessment(area, user=coordinator)
    second = make_assessment(area, title="Second cycle", period_label="2017 to 2018")
    workshop = create_workshop(assessment, "Partnership workshop", [(s, None) for s in framework.strands[:3]], user=coordinator)
    db.session.commit()
    return SimpleNamespace(
        area=area, other=other, coordinator=coordinator, reviewer=reviewer, assessment=assessment,
        second=second, workshop=workshop, framework=framework,
    )


def _choices(field_name: str, values):
    def set_choices(form, place):
        getattr(form, field_name).choices = [("", "Choose")] + [(str(v), str(v)) for v in values(place)]

    return set_choices


#: How each form is made: keyword arguments from the place, and choices a view sets afterwards.
FORMS = {
    "LoginForm": (lambda p: {}, None),
    "ApiTokenForm": (lambda p: {}, None),
    "RevokeTokenForm": (lambda p: {}, None),
    "ChangePasswordForm": (lambda p: {"user": p.coordinator}, None),
    "SignOutEverywhereForm": (lambda p: {}, None),
    "AreaForm": (lambda p: {}, None),
    "AreaSettingsForm": (lambda p: {}, None),
    "OrganisationForm": (lambda p: {"area": p.area}, None),
    "UserForm": (lambda p: {}, None),
    "MembershipForm": (lambda p: {}, None),
    "RatingForm": (lambda p: {}, None),
    "AgreedRatingForm": (lambda p: {}, None),
    "AssessmentForm": (lambda p: {}, None),
    "NextCycleForm": (lambda p: {}, None),
    "AdvanceForm": (lambda p: {"needs_governance": True}, None),
    "StepBackForm": (lambda p: {}, None),
    "ActionForm": (lambda p: {"area": p.area}, None),
    "EvidenceForm": (lambda p: {"assessment": p.assessment}, None),
    "ReviewForm": (lambda p: {}, None),
    "DeleteForm": (lambda p: {}, None),
    "WorkshopForm": (lambda p: {"framework": p.framework}, None),
    "JoinCodeForm": (lambda p: {}, None),
    "JoinForm": (lambda p: {}, None),
    "ManualTallyForm": (lambda p: {"workshop": p.workshop}, None),
    "ChooseAreaForm": (lambda p: {}, _choices("reviewing_area", lambda p: [p.other.id])),
    "RequestReviewForm": (lambda p: {"reviewer_choices": [(str(p.reviewer.id), p.reviewer.name)]}, None),
    "StrandReviewForm": (lambda p: {}, None),
    "SummaryForm": (lambda p: {}, None),
    "ResponseForm": (lambda p: {}, None),
    "FamilyAnswerForm": (lambda p: {}, None),
    "FamilyTranscriptionForm": (lambda p: {}, None),
    "FamilyQuestionnaireForm": (lambda p: {}, None),
    "FamilyButtonForm": (lambda p: {}, None),
    "SurveyCodeForm": (lambda p: {}, None),
    "AboutYouForm": (lambda p: {}, None),
    "RatingAnswerForm": (lambda p: {"options": [{"value": v, "name": n} for v, n in STAGES.items()]}, None),
    "SurveyForm": (lambda p: {"framework": p.framework}, None),
    "LinksForm": (lambda p: {}, None),
    "SurveyButtonForm": (lambda p: {}, None),
    "CompareForm": (lambda p: {}, lambda form, p: [setattr(f, "choices", [("", "Choose"), (str(p.assessment.id), "A"), (str(p.second.id), "B")]) for f in (form.a, form.b)]),
}


def build(cls, place, formdata):
    """The form as a view makes it, from the data of a POST."""
    kwargs, after = FORMS[cls.__name__]
    form = cls(formdata=MultiDict(formdata), **kwargs(place))
    if after:
        after(form, place)
    return form


def test_every_form_class_is_covered():
    missing_context = sorted(set(form_classes()) - set(FORMS))
    missing_valid = sorted(set(form_classes()) - set(VALID))
    assert not missing_context and not missing_valid, (
        f"forms with no context in FORMS: {missing_context}; with no valid-data strategy in VALID: {missing_valid}"
    )


# --------------------------------------------------------------------------------------------
# Any input: validation errors only, and the fields still render
# --------------------------------------------------------------------------------------------

HOSTILE = [
    "<script>alert('x')</script>", '"><img src=x onerror=alert(1)>', "{{ 7*7 }}{% if %}",
    "\u202egnp.exe", "nul\x00byte", "Ünïcödé – 東京 🚀", "' OR 1=1 --", "x" * 6000, "   ",
    "31", "2", "2016", "-1", "0", "99999999999999999999", "1e309", "NaN", "inf", "1,234.5", "£2.5",
    "developing-maturing", "mature-early", "dont-know", "__other__", "https://example.org/x",
    "javascript:alert(1)", "ABCD-EFGH", "s1", "e1",
]
ANY_TEXT = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=60), st.integers(-5, 10**6).map(str))


def _field_names(cls, place) -> list[str]:
    form = build(cls, place, [])
    names = [field.name for field in form]
    # Rows of the workshop's rounds table are sent as order-<key>.
    names += [f"order-{choice.key}" for field in form for choice in getattr(field, "choices", None) or [] if hasattr(choice, "key")]
    return names + ["a_field_no_form_has"]


def for_every_form(check) -> None:
    """Run a property for each form in turn (one database set-up for all), then report every
    form whose property failed, with Hypothesis's smallest failing example."""
    failures = []
    for name in sorted(FORMS):
        try:
            check(name, form_classes()[name])
        except Exception as failure:  # noqa: BLE001 - reported below, with the form's name
            failures.append(f"{name}: {type(failure).__name__}: {failure}")
        finally:
            db.session.rollback()
    assert not failures, "\n\n".join(failures)


def test_any_input_gives_validation_errors_only_and_the_fields_still_render(app, place):
    def check(name, cls):
        pairs = st.lists(st.tuples(st.sampled_from(_field_names(cls, place)), ANY_TEXT), max_size=12)

        @PROPERTIES
        @given(pairs=pairs)
        def any_input(pairs):
            with app.test_request_context("/", method="POST", data=MultiDict(pairs)):
                app.preprocess_request()  # as the app receives it (NUL dropped by maturity/security.py)
                form = build(cls, place, request.form)
                assert form.validate() in (True, False)
                for errors in form.errors.values():
                    messages = errors.values() if isinstance(errors, dict) else errors
                    assert all(isinstance(m, str) and m for m in messages), form.errors
                for field in form:
                    if field.widget is not None:
                        html = field()
                        assert isinstance(html, Markup)
                        assert "<script>" not in html and "<img src=x" not in html
            db.session.rollback()

        any_input()

    for_every_form(check)


# --------------------------------------------------------------------------------------------
# Valid input is accepted
# --------------------------------------------------------------------------------------------

def text(max_size: int, min_size: int = 1):
    """Text a person might type: any letters, marks, symbols, spaces; not blank."""
    return st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Co", "Cn")), min_size=min_size, max_size=max_size
    ).filter(lambda s: s.strip())


def date_parts(low: date, high: date):
    return st.dates(min_value=low, max_value=high).map(lambda d: [str(d.day), str(d.month), str(d.year)])


RATING = st.sampled_from([code for code, _ in RATING_CHOICES])
NUMBER = st.one_of(
    st.integers(-10**9, 10**9).map(str),
    st.decimals(min_value=-10**6, max_value=10**6, places=2, allow_nan=False, allow_infinity=False).map(str),
    st.integers(0, 10**7).map(lambda n: f"{n:,}"),
    st.integers(0, 100).map(lambda n: f"{n}%"),
    st.integers(0, 10**6).map(lambda n: f"£{n}.50"),
)
URL = st.builds(
    lambda scheme, host, path: f"{scheme}://{host}/{path}",
    st.sampled_from(["http", "https", "HTTPS"]),
    st.from_regex(r"[a-z][a-z0-9-]{0,20}\.(org|gov\.uk|com|nhs\.uk)", fullmatch=True),
    st.from_regex(r"[A-Za-z0-9_./%-]{0,40}", fullmatch=True),
)
EMAIL = st.from_regex(r"[a-z][a-z0-9]{0,10}(\.[a-z0-9]{1,10})?@[a-z]{1,15}\.(org|gov\.uk|com)", fullmatch=True)
TODAY = date.today()
#: Any text the password rule accepts (maturity/auth/passwords.py): long, not common, no pattern.
PASSWORD_TEXT = text(200, min_size=12).filter(lambda value: password_problem(value) is None)


def _password_suits_the_person(pairs: list[tuple[str, str]]) -> bool:
    """A valid new account's password does not contain the person's own name or email."""
    values = dict(pairs)
    return password_problem(values["password"], values["email"], values["name"]) is None



def pairs_of(**fields) -> st.SearchStrategy:
    """A strategy of form pairs from field -> strategy of a value or of a list of values."""

    def flatten(values: dict) -> list[tuple[str, str]]:
        out = []
        for key, value in values.items():
            for item in value if isinstance(value, list) else [value]:
                if item is not None:
                    out.append((key, item))
        return out

    return st.fixed_dictionaries(fields).map(flatten)


def _rounds(place):
    from maturity.workshops.forms import round_choices

    choices = round_choices(place.framework)
    wholes = [c for c in choices if c.element is None]

    @st.composite
    def pick(draw):
        chosen = draw(st.lists(st.sampled_from(wholes), min_size=1, max_size=len(wholes), unique_by=lambda c: c.key))
        pairs = [("title", draw(text(200)))]
        for choice in chosen:
            pairs.append(("rounds", choice.key))
            pairs.append((f"order-{choice.key}", draw(st.one_of(st.just(""), st.integers(1, 99).map(str)))))
        return pairs

    return pick()


def _evidence(place):
    from maturity.evidence.forms import OTHER_SOURCE, source_choices

    feature_ids = [f.id for s in place.framework.strands for e in s.elements for f in e.features]
    sources = [text for _, text in source_choices(place.assessment)] + [OTHER_SOURCE]
    return st.one_of(
        pairs_of(
            title=text(200), description=st.one_of(st.none(), text(5000)),
            organisation_id=st.sampled_from([str(o.id) for o in place.area.organisations]),
            kind=st.just("qualitative"), source_type=st.sampled_from(sources), source_other=text(200),
            about_date=st.one_of(st.none(), date_parts(date(1990, 1, 1), TODAY)),
            link=st.one_of(st.none(), URL), features=st.lists(st.sampled_from(feature_ids).map(str), min_size=1, max_size=5),
        ),
        pairs_of(
            title=text(200), organisation_id=st.sampled_from([str(o.id) for o in place.area.organisations]),
            kind=st.just("quantitative"), value=NUMBER, baseline=st.one_of(st.none(), NUMBER),
            unit=st.one_of(st.none(), text(60)), period=st.one_of(st.none(), text(60)),
            source_type=st.just(OTHER_SOURCE), source_other=text(200),
            features=st.lists(st.sampled_from(feature_ids).map(str), min_size=1, max_size=3),
        ),
    )


def _survey(place):
    """A survey's questions as a workshop's rounds, optional open and close dates in order, the
    optional questions asked, and a breakdown by one of the questions asked."""
    from maturity.core.surveys import QUESTIONS

    @st.composite
    def settings(draw):
        pairs = list(draw(_rounds(place)))
        opens = draw(st.one_of(st.none(), st.dates(min_value=date(2000, 1, 1), max_value=date(2199, 1, 1))))
        if opens is not None:
            pairs += [("opens_on", v) for v in (str(opens.day), str(opens.month), str(opens.year))]
            closes = draw(st.one_of(st.none(), st.integers(0, 365)))
            pairs += [("closes_on", v) for v in _parts(opens, closes)] if closes is not None else []
        breakdown = draw(st.sampled_from(list(QUESTIONS)))
        asked = {breakdown} | set(draw(st.lists(st.sampled_from(list(QUESTIONS)), unique=True)))
        pairs += [(f"ask_{key}", "y") for key in sorted(asked)] + [("breakdown", breakdown)]
        if draw(st.booleans()):
            pairs.append(("ask_why", "y"))
        return pairs

    return settings()


#: form -> strategy of valid data (given the place)
VALID = {
    "LoginForm": lambda p: pairs_of(email=text(254), password=text(200)),
    "ApiTokenForm": lambda p: pairs_of(name=text(100)),
    "RevokeTokenForm": lambda p: st.just([]),
    "ChangePasswordForm": lambda p: PASSWORD_TEXT.filter(
        lambda new: password_problem(new, p.coordinator.email, p.coordinator.name) is None
    ).map(lambda new: [("current_password", PASSWORD), ("new_password", new), ("confirm_password", new)]),
    "SignOutEverywhereForm": lambda p: st.just([]),
    "DeleteForm": lambda p: st.just([]),
    "AreaSettingsForm": lambda p: pairs_of(
        core_partner_types=st.lists(st.sampled_from(list(ORGANISATION_TYPES)), min_size=1, unique=True),
        about=st.one_of(st.just(""), text(2000)),
    ),
    "AreaForm": lambda p: pairs_of(
        name=text(120).filter(lambda s: s.strip().lower() not in ("hampshire", "tameside")),
        kind=st.sampled_from(list(AREA_KINDS)), region=st.sampled_from(["", *REGIONS]),
        parent_id=st.sampled_from(["", str(p.area.id)]),
    ),
    "OrganisationForm": lambda p: pairs_of(
        name=text(160).filter(lambda s: not s.strip().lower().startswith("hampshire")),
        org_type=st.sampled_from(list(ORGANISATION_TYPES)),
    ),
    "UserForm": lambda p: st.one_of(
        pairs_of(name=text(120), email=EMAIL, password=PASSWORD_TEXT, area_id=st.just(str(p.area.id)), role=st.sampled_from(list(ROLES))),
        pairs_of(name=text(120), email=EMAIL, password=PASSWORD_TEXT, is_admin=st.sampled_from([None, "y"])),
    ).filter(_password_suits_the_person),
    "MembershipForm": lambda p: pairs_of(area_id=st.sampled_from([str(p.area.id), str(p.other.id)]), role=st.sampled_from(list(ROLES))),
    "RatingForm": lambda p: pairs_of(rating=RATING, rationale=text(5000)),
    "AgreedRatingForm": lambda p: pairs_of(rating=RATING, rationale=text(5000)),
    "AssessmentForm": lambda p: st.tuples(
        pairs_of(title=text(200), period_label=text(60), framework_id=st.just(str(p.framework.id))),
        st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
        st.integers(0, 2000),
    ).map(lambda t: t[0] + [("period_start", v) for v in (str(t[1].day), str(t[1].month), str(t[1].year))]
          + ([("period_end", v) for v in _parts(t[1], t[2])] if _parts(t[1], t[2]) else [])),
    "NextCycleForm": lambda p: pairs_of(title=text(200), period_label=text(60), framework_id=st.just(str(p.framework.id))),
    "AdvanceForm": lambda p: pairs_of(
        governance_board=text(200), governance_date=date_parts(date(1900, 1, 1), TODAY),
        governance_minute=text(200), note=st.one_of(st.none(), text(2000)),
    ),
    "StepBackForm": lambda p: pairs_of(reason=text(2000)),
    "ActionForm": lambda p: pairs_of(
        description=text(2000), owner_id=st.sampled_from([str(o.id) for o in p.area.organisations]),
        due_date=st.one_of(st.none(), date_parts(date(1900, 1, 1), date(2200, 12, 31))),
        status=st.sampled_from(["not_started", "in_progress", "done"]),
    ),
    "EvidenceForm": _evidence,
    "ReviewForm": lambda p: st.one_of(
        pairs_of(decision=st.sampled_from(["accepted", "draft"]), reason=st.one_of(st.none(), text(2000))),
        pairs_of(decision=st.just("rejected"), reason=text(2000)),
    ),
    "WorkshopForm": _rounds,
    "JoinCodeForm": lambda p: pairs_of(code=text(40)),
    "JoinForm": lambda p: pairs_of(org_type=st.sampled_from([None, *ORGANISATION_TYPES, "not-given"])),
    "ManualTallyForm": lambda p: pairs_of(
        round_id=st.sampled_from([str(r.id) for r in p.workshop.rounds]),
        stage=st.sampled_from(["1", "2", "3", "4", "dont-know"]),
        count=st.integers(1, 10_000).flatmap(lambda n: st.sampled_from([str(n), f" {n} "])),
        note=st.one_of(st.none(), text(200)),
    ),
    "ChooseAreaForm": lambda p: pairs_of(reviewing_area=st.just(str(p.other.id))),
    "RequestReviewForm": lambda p: pairs_of(reviewers=st.just([str(p.reviewer.id)]), note=st.one_of(st.none(), text(5000))),
    "StrandReviewForm": lambda p: st.one_of(
        pairs_of(peer_rating=RATING, position=st.just("agree"), strengths=st.one_of(st.none(), text(5000))),
        pairs_of(peer_rating=RATING, position=st.just("challenge"), development=text(5000), questions=st.one_of(st.none(), text(5000))),
    ),
    "SummaryForm": lambda p: pairs_of(summary=text(10000)),
    "ResponseForm": lambda p: pairs_of(response=text(5000)),
    "FamilyAnswerForm": lambda p: _family_answers(),
    "FamilyTranscriptionForm": lambda p: _family_answers(),
    "FamilyQuestionnaireForm": lambda p: st.integers(1, 36).flatmap(lambda n: st.sampled_from([str(n), f" {n} "])).map(lambda v: [("retention_months", v)]),
    "FamilyButtonForm": lambda p: st.just([]),
    "SurveyCodeForm": lambda p: st.text(alphabet=ALPHABET, min_size=8, max_size=8).flatmap(
        lambda code: st.sampled_from([code, code.lower(), f" {code[:4]}-{code[4:]} "])).map(lambda c: [("code", c)]),
    "AboutYouForm": lambda p: pairs_of(
        org_type=st.sampled_from(["", *ORGANISATION_TYPES]), grade=st.sampled_from(["", *GRADES]),
        role=st.sampled_from(["", *SURVEY_ROLES]),
    ),
    "RatingAnswerForm": lambda p: pairs_of(
        stage=st.sampled_from(["1", "2", "3", "4", "dont-know"]), reason=st.one_of(st.none(), text(MAX_REASON)),
    ),
    "SurveyForm": _survey,
    "LinksForm": lambda p: st.integers(1, 500).flatmap(lambda n: st.sampled_from([str(n), f" {n} "])).map(lambda v: [("count", v)]),
    "SurveyButtonForm": lambda p: st.just([]),
    "CompareForm": lambda p: st.permutations([str(p.assessment.id), str(p.second.id)]).map(lambda ab: [("a", ab[0]), ("b", ab[1])]),
}


def _family_answers():
    """Any subset of the questions answered on the scale, and an optional comment."""
    from maturity.core.families import MAX_COMMENT, QUESTION_KEYS, SCALE

    answers = st.dictionaries(st.sampled_from(QUESTION_KEYS), st.sampled_from(list(SCALE)))
    return st.tuples(answers, st.one_of(st.none(), text(MAX_COMMENT))).map(
        lambda t: list(t[0].items()) + ([("comment", t[1])] if t[1] is not None else [])
    )


def _parts(start: date, days: int) -> list[str]:
    """An end date `days` after the start, as day, month, year (none if past 2200)."""
    from datetime import timedelta

    end = start + timedelta(days=days)
    return [str(end.day), str(end.month), str(end.year)] if end.year <= 2200 else []


def test_valid_input_is_accepted(app, place):
    def check(name, cls):
        @PROPERTIES
        @given(pairs=VALID[name](place))
        def valid_input(pairs):
            with app.test_request_context("/", method="POST", data=MultiDict(pairs)):
                app.preprocess_request()
                form = build(cls, place, request.form)
                assert form.validate(), (pairs, form.errors)
            db.session.rollback()

        valid_input()

    for_every_form(check)


@PROPERTIES
@given(
    code=st.text(alphabet="23456789ABCDEFGHJKMNPQRSTUVWXYZ", min_size=8, max_size=8),
    style=st.sampled_from(["plain", "lower", "dash", "spaces", "mixed"]),
)
def test_a_join_code_is_read_however_it_is_typed(code, style):
    from maturity.workshops import codes

    typed = {
        "plain": code, "lower": code.lower(), "dash": f"{code[:4]}-{code[4:]}",
        "spaces": " ".join(code), "mixed": f" {code[:4].lower()} - {code[4:]} ",
    }[style]
    assert codes.normalise(typed) == code


@PROPERTIES
@given(st.text(max_size=20))
def test_anything_else_is_not_a_join_code(typed):
    from maturity.workshops import codes

    normal = codes.normalise(typed)
    assert normal is None or (len(normal) == 8 and set(normal) <= set(codes.ALPHABET))


# --------------------------------------------------------------------------------------------
# Hostile text through the pages: stored as typed, shown escaped, too long refused
# --------------------------------------------------------------------------------------------

ROUND_TRIP = {
    "markup": "<script>alert('x')</script><img src=x onerror=alert(1)> & \"quotes\"",
    "template": "{{ 7*7 }} {% for x in y %} ${7*7} #{7*7}",
    "right-to-left override": "Board minutes \u202efdp.exe",
    "unicode": "Ünïcödé – 東京 🚀 Ŵêłŝħ ﷽ e\u0301",
    "NUL byte": "before\x00after",
    "sql": "'; DROP TABLE evidence; --",
}


@pytest.fixture
def pages(client, login, place):
    """Where each main free-text field is typed, where it is stored, and where it is shown."""
    from maturity.models import Action, Evidence, PeerReview, StrandRating, Workshop
    from maturity.reviews import operations as reviews

    login(place.coordinator)
    a = place.assessment
    feature = place.framework.strands[1].elements[0].features[0]
    leadership = next(s for s in place.framework.strands if s.key == "leadership")
    reviewer_area = place.other
    review = reviews.request_review(a, reviewer_area, [place.reviewer], place.coordinator)
    db.session.commit()

    def evidence(text, field="title"):
        data = {"title": "Evidence", "description": "", "kind": "qualitative", "organisation_id": str(place.area.organisations[0].id),
                "source_type": "__other__", "source_other": "Minutes", "features": [str(feature.id)], field: text}
        return client.post(f"/assessments/{a.id}/evidence/new", data=data)

    def newest_evidence():
        return db.session.scalars(select(Evidence).order_by(Evidence.id.desc())).first()

    def strand_row():
        return db.session.scalar(select(StrandRating).where(StrandRating.assessment_id == a.id, StrandRating.strand_id == leadership.id))

    def as_reviewer(post):
        def send(text):
            client.post("/sign-out")
            login(place.reviewer)
            try:
                return post(text)
            finally:
                client.post("/sign-out")
                login(place.coordinator)

        return send

    def entry():
        db.session.expire_all()
        return db.session.get(PeerReview, review.id).strand_review(leadership)

    return {
        "evidence title": (lambda t: evidence(t), lambda: newest_evidence().title, lambda: [f"/evidence/{newest_evidence().id}", f"/assessments/{a.id}/evidence"], 200),
        "evidence description": (lambda t: evidence(t, "description"), lambda: newest_evidence().description, lambda: [f"/evidence/{newest_evidence().id}"], 5000),
        "self rating rationale": (
            lambda t: client.post(f"/assessments/{a.id}/strands/leadership/self-rating", data={"self-rating": "developing", "self-rationale": t}),
            lambda: strand_row().self_rationale, lambda: [f"/assessments/{a.id}/strands/leadership", f"/assessments/{a.id}/history"], 5000,
        ),
        "agreed rating rationale": (
            lambda t: client.post(f"/assessments/{a.id}/strands/leadership/agreed-rating", data={"agreed-rating": "maturing", "agreed-rationale": t}),
            lambda: strand_row().agreed_rationale, lambda: [f"/assessments/{a.id}/strands/leadership", f"/assessments/{a.id}/summary"], 5000,
        ),
        "action": (
            lambda t: client.post(f"/assessments/{a.id}/strands/leadership/actions", data={"action-description": t, "action-owner_id": str(place.area.organisations[0].id), "action-status": "not_started"}),
            lambda: db.session.scalars(select(Action).order_by(Action.id.desc())).first().description,
            lambda: [f"/assessments/{a.id}/strands/leadership", f"/assessments/{a.id}/actions"], 2000,
        ),
        "workshop title": (
            lambda t: client.post(f"/workshops/{place.workshop.id}/edit", data={"title": t, "rounds": [f"s{place.framework.strands[0].id}"], f"order-s{place.framework.strands[0].id}": "1"}),
            lambda: db.session.get(Workshop, place.workshop.id).title, lambda: [f"/workshops/{place.workshop.id}", f"/assessments/{a.id}"], 200,
        ),
        "peer review challenge": (
            as_reviewer(lambda t: client.post(f"/peer-reviews/{review.id}/strands/leadership", data={"peer_rating": "developing", "position": "challenge", "development": t, "questions": t, "strengths": t})),
            lambda: entry().questions, lambda: [f"/peer-reviews/{review.id}", f"/peer-reviews/{review.id}/strands/leadership/answer"], 5000,
        ),
    }


def _shown_safely(body: str, text: str) -> None:
    assert "<script>alert" not in body and "<img src=x" not in body
    visible = text.replace("\x00", "")
    assert str(escape(visible)) in body, "the text is not shown as typed"


PLACES = ["evidence title", "evidence description", "self rating rationale", "agreed rating rationale", "action", "workshop title", "peer review challenge"]


@pytest.mark.parametrize("where", PLACES)
def test_hostile_text_is_stored_as_typed_and_shown_escaped(client, pages, where):
    post, stored, shown, _ = pages[where]
    for kind, text in ROUND_TRIP.items():
        response = post(text)
        assert response.status_code == 302, (where, kind, response.status_code, response.get_data(as_text=True)[:300])
        db.session.expire_all()
        assert stored() == text.replace("\x00", ""), kind
        for url in shown():
            body = client.get(url).get_data(as_text=True)
            _shown_safely(body, text)
            if kind == "template":
                assert "{{ 7*7 }}" in body and "{% for x in y %}" in body, url


@pytest.mark.parametrize("where", PLACES)
def test_the_longest_text_is_kept_and_one_more_character_is_refused_with_what_was_typed(client, pages, where):
    post, stored, _, limit = pages[where]
    longest = ("Ω<b>" * limit)[:limit]
    assert post(longest).status_code == 302
    db.session.expire_all()
    assert stored() == longest
    too_long = "é" + longest
    response = post(too_long)
    body = response.get_data(as_text=True)
    assert response.status_code == 400, where
    assert "There is a problem" in body and f"{limit:,} characters or fewer" in body.replace(f"{limit} characters", f"{limit:,} characters")
    assert str(escape(too_long)) in body, "what was typed is kept"
    db.session.expire_all()
    assert stored() == longest
