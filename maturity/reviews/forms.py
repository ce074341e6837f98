from flask import current_app
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
)
from markupsafe import Markup
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import html_params

from maturity.core.scoring import RATING_CHOICES
from maturity.models import REVIEW_POSITIONS

LONG_TEXT = 5000


def _length(what: str, limit: int = LONG_TEXT) -> Length:
    return Length(max=limit, message=f"{what} must be {limit:,} characters or fewer")


class ChooseAreaForm(FlaskForm):
    """Step one of a request, sent by GET: which area will carry out the review."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    reviewing_area = SelectField(
        "Reviewing area (peer support champion)",
        widget=GovSelect(),
        validators=[DataRequired("Select the area that will carry out the review")],
    )
    submit = SubmitField("Choose reviewers", widget=GovSubmitInput())


class RequestReviewForm(FlaskForm):
    """Step two: name the reviewers from the chosen area."""

    reviewing_area_id = HiddenField()
    reviewers = SelectMultipleField(
        "Reviewers",
        widget=GovCheckboxesInput(),
        coerce=str,
        validators=[DataRequired("Select at least one reviewer")],
    )
    note = TextAreaField(
        "What would you like the reviewers to look at? (optional)",
        widget=GovTextArea(),
        validators=[Optional(), _length("The note")],
    )
    submit = SubmitField("Request the peer review", widget=GovSubmitInput())

    def __init__(self, *args, reviewer_choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.reviewers.choices = reviewer_choices


class StrandReviewForm(FlaskForm):
    peer_rating = RadioField(
        "Peer rating",
        widget=GovRadioInput(),
        choices=RATING_CHOICES,
        validators=[DataRequired("Select the stage you would rate this strand at")],
    )
    position = RadioField(
        "Do you agree with the area's rating?",
        widget=GovRadioInput(),
        choices=[
            ("agree", "Agree with the area's rating"),
            ("challenge", "Challenge the area's rating"),
        ],
        validators=[DataRequired("Select whether you agree with the area's rating or challenge it")],
    )
    strengths = TextAreaField(
        "Strengths", widget=GovTextArea(), validators=[Optional(), _length("Strengths")]
    )
    development = TextAreaField(
        "Areas for development",
        widget=GovTextArea(),
        validators=[Optional(), _length("Areas for development")],
    )
    questions = TextAreaField(
        "Questions for the area", widget=GovTextArea(), validators=[Optional(), _length("Questions")]
    )
    submit = SubmitField("Save this strand", widget=GovSubmitInput())

    def validate_position(self, field):
        if field.data not in REVIEW_POSITIONS:
            return
        if field.data == "challenge" and not (
            (self.development.data or "").strip() or (self.questions.data or "").strip()
        ):
            raise ValidationError(
                "Say what you challenge, in areas for development or in questions for the area"
            )


class SummaryForm(FlaskForm):
    summary = TextAreaField(
        "Overall summary",
        widget=GovTextArea(),
        validators=[DataRequired("Enter the overall summary"), _length("The summary", 10000)],
    )
    submit = SubmitField("Save the summary", widget=GovSubmitInput())


class ResponseForm(FlaskForm):
    response = TextAreaField(
        "Your answer to the challenge",
        widget=GovTextArea(),
        validators=[DataRequired("Enter your answer to the challenge"), _length("The answer")],
    )
    submit = SubmitField("Save the answer", widget=GovSubmitInput())


class GroupedSelect:
    """A GOV.UK select whose options sit in an <optgroup> per group, drawn in one template loop.

    The markup around the select is the GOV.UK select component's: label, hint, error message,
    the error classes and `aria-describedby` naming the hint and the error. The options are a
    plain loop in `reviews/_grouped_select.html` rather than one GOV.UK macro item each: for the
    national team's 304 assessments that is about 2 ms a select instead of about 12.
    Called like a govuk-frontend-wtf widget: `field(params={"classes": ..., "attributes": ...})`.
    """

    template = "reviews/_grouped_select.html"

    def __call__(self, field, params: dict | None = None, **attributes):
        params = params or {}
        field_id = attributes.pop("id", None) or params.get("id") or field.id
        attributes = {**(params.get("attributes") or {}), **attributes}
        if "required" not in attributes and field.flags.required:
            attributes["required"] = True
        hint = field.description or None
        error = field.errors[0] if field.errors else None
        described_by = [part for part, shown in ((f"{field_id}-hint", hint), (f"{field_id}-error", error)) if shown]
        if field.has_groups():
            groups = [(label, list(options)) for label, options in field.iter_groups()]
        else:
            groups = [(None, list(field.iter_choices()))]
        placeholder = getattr(field, "placeholder", None)
        if placeholder is not None and any(value == "" for _, options in groups for value, *_ in options):
            placeholder = None  # the choices carry their own empty option
        return Markup(
            current_app.jinja_env.get_template(self.template).render(
                id=field_id,
                name=field.name,
                label=field.label.text,
                hint=hint,
                error=error,
                described_by=" ".join(described_by),
                classes=params.get("classes"),
                attributes=Markup(html_params(**attributes)) if attributes else "",
                placeholder=placeholder,
                placeholder_selected=placeholder is not None and field.data == "",
                groups=groups,
            )
        )


class GroupedSelectField(SelectField):
    """A select whose choices may be grouped ({group label: [(value, label), ...]}).

    `placeholder` is an empty first option ("Choose ..."), outside every group; choosing it
    leaves the field empty for its DataRequired validator to report, rather than "Not a valid
    choice". Any other value must still be one of the choices.
    """

    widget = GroupedSelect()

    def __init__(self, label=None, validators=None, placeholder: str | None = None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.placeholder = placeholder

    def pre_validate(self, form):
        if self.placeholder is not None and not self.data:
            return
        super().pre_validate(form)


class CompareForm(FlaskForm):
    """The comparison picker, sent by GET.

    The view sets both fields' choices to the assessments the user may see, grouped by area.
    """

    class Meta:
        csrf = False  # a GET form that changes nothing

    a = GroupedSelectField(
        "First assessment (A)",
        placeholder="Choose an assessment",
        validators=[DataRequired("Select the first assessment")],
    )
    b = GroupedSelectField(
        "Second assessment (B)",
        placeholder="Choose an assessment",
        validators=[DataRequired("Select the second assessment")],
    )
    submit = SubmitField("Compare", widget=GovSubmitInput())

    def validate_b(self, field):
        if field.data and field.data == self.a.data:
            raise ValidationError("Select two different assessments")
