"""The partners' survey forms: the code, the optional questions about the person, and one
rating (with its "why?") per page."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Optional, ValidationError

from maturity.core.surveys import MAX_REASON, QUESTIONS
from maturity.families.forms import OneAnswerField
from maturity.fields import text_area
from maturity.models import Survey
from maturity.workshops import codes
from maturity.workshops.forms import DONT_KNOW

REASON_HINT = (
    "A sentence or two on what you have seen. Do not name anyone, or any family: reasons are "
    "shared with the partnership (never with your name)."
)


class SurveyCodeForm(FlaskForm):
    code = StringField(
        "Survey code",
        widget=GovTextInput(),
        description="The 8 letters and numbers you were given, like ABCD-EFGH",
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())

    def validate_code(self, field) -> None:
        if codes.normalise(field.data) is None:
            raise ValidationError("Enter the survey code: 8 letters and numbers, like ABCD-EFGH")


class AboutYouForm(FlaskForm):
    """The survey's optional questions about the person, as compact selects."""

    submit = SubmitField("Start", widget=GovSubmitInput())

    @classmethod
    def for_survey(cls, survey: Survey, **kwargs) -> "AboutYouForm":
        class Form(cls):
            pass

        for question in survey.asked:
            title, choices = QUESTIONS[question]
            setattr(Form, question, SelectField(
                f"{title} (optional)",
                choices=[("", "Choose (optional)"), *choices.items()],
                widget=GovSelect(),
                validators=[Optional()],
                validate_choice=True,
            ))
        return Form(**kwargs)

    def about(self, survey: Survey) -> dict[str, str | None]:
        return {question: self[question].data or None for question in survey.asked}


class RatingAnswerForm(FlaskForm):
    stage = OneAnswerField("Your rating", choices=[], validate_choice=False)
    reason = text_area("Why? (optional)", MAX_REASON, subject="Your reason", description=REASON_HINT)
    submit = SubmitField("Continue", widget=GovSubmitInput())

    def __init__(self, *args, options=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.stage.choices = [(str(o["value"]), o["name"]) for o in options] + [(DONT_KNOW, "Don\u2019t know")]

    def validate_stage(self, field) -> None:
        if not field.data:
            raise ValidationError("Choose a stage, or \u201cDon\u2019t know\u201d")
        if field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Choose one of the stages shown, or \u201cDon\u2019t know\u201d")

    def chosen_stage(self) -> int | None:
        return None if self.stage.data == DONT_KNOW else int(self.stage.data)
