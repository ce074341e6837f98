"""The coordinator's survey forms: setting a survey up, creating per-person links, and an empty
form for the buttons (open, close, hide a reason, carry a result) so CSRF still applies."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, IntegerField, RadioField, SubmitField
from wtforms.validators import InputRequired, NumberRange, ValidationError

from maturity.core.surveys import QUESTIONS
from maturity.fields import text_field
from maturity.models import FrameworkVersion, Survey
from maturity.workshops.forms import (
    RoundsField,
    WorkshopDateField,
    chosen,
    default_selection,
    round_choices,
)

MAX_LINKS = 500
SETTINGS = ("opens_on", "closes_on", "ask_org_type", "ask_grade", "ask_role", "ask_why", "breakdown")


class SurveyForm(FlaskForm):
    title = text_field("Survey title", 200, required="Enter a title for the survey", subject="The title")
    rounds = RoundsField("Questions")
    opens_on = WorkshopDateField("Open from (optional)", description="For example, 1 11 2016. Leave blank to take answers as soon as you open it.")
    closes_on = WorkshopDateField("Open until (optional)", description="For example, 14 11 2016. Answers are taken up to the end of this day.")
    ask_org_type = BooleanField("Ask which kind of organisation people work for", widget=GovCheckboxInput())
    ask_grade = BooleanField("Ask people\u2019s grade", widget=GovCheckboxInput())
    ask_role = BooleanField("Ask people\u2019s role", widget=GovCheckboxInput())
    breakdown = RadioField(
        "Show the results by",
        choices=[(key, title) for key, (title, _) in QUESTIONS.items()],
        widget=GovRadioInput(),
        description="Results are shown by one of these questions only: two side by side could pick "
        "out a small group. The others are only counted.",
        validators=[InputRequired("Choose which question the results are shown by")],
    )
    ask_why = BooleanField("Ask \u201cwhy?\u201d after each rating (a short reason, optional for people)", widget=GovCheckboxInput())
    submit = SubmitField("Save survey", widget=GovSubmitInput())

    def __init__(self, *args, framework: FrameworkVersion, survey: Survey | None = None, **kwargs):
        if survey is None:
            kwargs.setdefault("ask_org_type", True)
            kwargs.setdefault("breakdown", "org_type")
        super().__init__(*args, obj=survey, **kwargs)
        choices = round_choices(framework)
        selection = chosen(choices, survey.items) if survey is not None else default_selection(choices)
        self.rounds.set_choices(choices, selection)

    def validate_closes_on(self, field) -> None:
        if field.data and self.opens_on.data and field.data < self.opens_on.data:
            raise ValidationError("The closing date must be the same as or after the opening date")

    def validate_breakdown(self, field) -> None:
        if field.data in QUESTIONS and not getattr(self, f"ask_{field.data}").data:
            title = QUESTIONS[field.data][0].lower()
            raise ValidationError(f"Ask people\u2019s {title} too, or show the results by a question the survey asks")

    def settings(self) -> dict:
        return {name: getattr(self, name).data for name in SETTINGS}


class LinksForm(FlaskForm):
    count = IntegerField(
        "How many links",
        widget=GovTextInput(),
        description=f"Up to {MAX_LINKS} at a time. Each link is for one person and is shown only in this download.",
        validators=[
            InputRequired("Enter how many links to create"),
            NumberRange(1, MAX_LINKS, f"Enter a number of links between 1 and {MAX_LINKS}"),
        ],
    )
    submit = SubmitField("Create links and download them", widget=GovSubmitInput())


class SurveyButtonForm(FlaskForm):
    """An empty form for the survey's buttons, so CSRF still applies."""
