"""Forms of the assessments blueprint (Flask-WTF with GOV.UK widgets)."""

from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
)
from sqlalchemy import select
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SubmitField,
)
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, Optional, StopValidation, ValidationError

from maturity.core.scoring import RATING_CHOICES
from maturity.extensions import db
from maturity.fields import text_area, text_field
from maturity.models import ACTION_STATUSES, Area, FrameworkVersion

RATIONALE_MAX = 5000


class GovDateField(DateField):
    """A day / month / year date that may be left blank, with GOV.UK error messages."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("widget", GovDateInput())
        kwargs.setdefault("format", "%d %m %Y")
        super().__init__(label, validators, **kwargs)

    def process(self, formdata, data=unset_value, extra_filters=None):
        super().process(formdata, data, extra_filters)
        # The GOV.UK widget unpacks raw_data into day, month and year: give it exactly three
        # parts, or None when the form did not send the field at all.
        if not self.raw_data:
            self.raw_data = None
        else:
            self.raw_data = (list(self.raw_data) + ["", "", ""])[:3]

    def process_formdata(self, valuelist):
        parts = [str(v).strip() for v in valuelist]
        if not any(parts):
            self.data = None
            return
        if len(parts) != 3 or not all(parts):
            self.data = None
            raise ValueError(f"{self.label.text} must include a day, month and year")
        try:
            day, month, year = (int(p) for p in parts)
            self.data = date(year, month, day)
        except (TypeError, ValueError, OverflowError):
            self.data = None
            raise ValueError(f"{self.label.text} must be a real date") from None
        if not 1900 <= year <= 2200:
            self.data = None
            raise ValueError(f"{self.label.text} must have a 4-digit year, like 2017")


class RatingField(RadioField):
    """The seven ratings a person may record: a stage, or between two neighbouring stages."""

    def __init__(self, label=None, description=None, **kwargs):
        kwargs.setdefault("widget", GovRadioInput())
        kwargs.setdefault("choices", RATING_CHOICES)
        kwargs.setdefault(
            "validators",
            [DataRequired("Select a stage, or two neighbouring stages the rating sits between")],
        )
        super().__init__(label, description=description or "", **kwargs)

    def pre_validate(self, form):
        if self.data is not None and self.data not in {code for code, _ in RATING_CHOICES}:
            self.data = None
            raise StopValidation(
                "Choose a rating from the list: one stage, or between two neighbouring stages"
            )


class RatingForm(FlaskForm):
    """A self rating of a strand or of one element."""

    rating = RatingField("Self rating")
    rationale = text_area(
        "Rationale", RATIONALE_MAX, required="Say why you chose this rating", subject="The rationale",
        description="What the rating rests on: the evidence and what is still missing",
    )
    submit = SubmitField("Save self rating", widget=GovSubmitInput())

    def __init__(self, *args, rationale_required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not rationale_required:
            self.rationale.validators = [Optional(), self.rationale.validators[1]]
            self.rationale.flags.required = False


class AgreedRatingForm(RatingForm):
    rating = RatingField(
        "Agreed rating",
        "The stage the partnership agreed, having weighed the self rating, the room's vote and the evidence",
    )
    submit = SubmitField("Save agreed rating", widget=GovSubmitInput())


class AssessmentForm(FlaskForm):
    title = text_field(
        "Title", 200, required="Enter a title", subject="The title",
        description="For example, Early help maturity self-assessment 2017",
    )
    period_label = text_field(
        "Period", 60, required="Enter the period the assessment covers", subject="The period",
        description="The period the assessment covers, for example 2017 to 2018",
    )
    period_start = GovDateField("Start date (optional)", description="For example, 1 4 2017")
    period_end = GovDateField("End date (optional)", description="For example, 31 3 2018")
    framework_id = SelectField("Version of the model", widget=GovSelect(), coerce=str, validate_choice=False)
    submit = SubmitField("Open the assessment", widget=GovSubmitInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        versions = list(
            db.session.scalars(
                select(FrameworkVersion).order_by(FrameworkVersion.loaded_at.desc(), FrameworkVersion.id.desc())
            )
        )
        self.framework_id.choices = [(str(v.id), v.label) for v in versions]
        if not self.framework_id.data and versions:
            self.framework_id.data = str(versions[0].id)

    def validate_framework_id(self, field):
        if field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Choose a version of the model")

    def validate_period_end(self, field):
        if field.data and self.period_start.data and field.data < self.period_start.data:
            raise ValidationError("The end date must be the same as or after the start date")

    def framework(self) -> FrameworkVersion | None:
        return db.session.get(FrameworkVersion, int(self.framework_id.data))


class NextCycleForm(AssessmentForm):
    submit = SubmitField("Start the next cycle", widget=GovSubmitInput())


class AdvanceForm(FlaskForm):
    """Move one step forward; the governance fields are asked for only before 'confirmed'."""

    expected = HiddenField()
    # Whether the governance fields are needed is for validate_governance_* to say.
    governance_board = text_field(
        "Governance board", 200, subject="The board's name", blank_ok=False,
        description="For example, the Health and Wellbeing Board",
    )
    governance_date = GovDateField("Date of the meeting that confirmed it", description="For example, 14 3 2017")
    governance_minute = text_field("Minute reference", 200, subject="The minute reference", blank_ok=False)
    note = text_area("Note (optional)", 2000, subject="The note")
    submit = SubmitField("Move to the next step", widget=GovSubmitInput())

    def __init__(self, *args, needs_governance: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_governance = needs_governance

    def validate_governance_board(self, field):
        if self.needs_governance and not (field.data or "").strip():
            raise ValidationError("Enter the name of the governance board")

    def validate_governance_date(self, field):
        if not self.needs_governance:
            return
        if field.data is None and not field.errors:
            raise ValidationError("Enter the date the board confirmed the assessment")
        if field.data is not None and field.data > date.today():
            raise ValidationError("The date must be today or in the past")

    def validate_governance_minute(self, field):
        if self.needs_governance and not (field.data or "").strip():
            raise ValidationError("Enter the minute reference")


class StepBackForm(FlaskForm):
    reason = text_area(
        "Why is it going back a step?", 2000,
        required="Say why the assessment is going back a step", subject="The reason",
    )
    submit = SubmitField("Go back a step", widget=GovSubmitInput())


class ActionForm(FlaskForm):
    description = text_area(
        "Action", 2000, required="Describe the action", subject="The action",
        description="A next step towards the next stage",
    )
    owner_id = SelectField("Owner organisation", widget=GovSelect(), coerce=str, validate_choice=False)
    due_date = GovDateField("Due date (optional)", description="For example, 31 3 2018")
    status = SelectField(
        "Status", widget=GovSelect(), choices=list(ACTION_STATUSES.items()), validate_choice=False,
        validators=[DataRequired("Choose a status")],
    )
    submit = SubmitField("Add action", widget=GovSubmitInput())

    def __init__(self, *args, area: Area, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner_id.choices = [("", "Choose an organisation")] + [
            (str(org.id), org.name) for org in area.organisations
        ]

    def validate_owner_id(self, field):
        if not field.data:
            raise ValidationError("Choose the organisation that owns the action")
        if field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Choose an organisation from the area's partnership")

    def validate_status(self, field):
        if field.data not in ACTION_STATUSES:
            raise ValidationError("Choose a status: not started, in progress or done")
