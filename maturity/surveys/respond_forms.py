"""The partners' survey forms: the code, the optional questions about the person, and one
rating (with its "why?") per page."""

import re

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Optional, ValidationError

from maturity.core.surveys import MAX_REASON, QUESTIONS
from maturity.families.forms import OneAnswerField
from maturity.fields import text_area
from maturity.models import Survey
from maturity.workshops import codes
from maturity.workshops.forms import DONT_KNOW, parse_stage

REASON_HINT = (
    "A sentence or two on what you have seen. Do not name anyone, or any family: reasons are "
    "shared with the partnership (never with your name)."
)

#: Control characters nobody means to type (tabs and line breaks are kept).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_reason(text: str | None) -> str | None:
    """A reason as typed, without control characters, its line breaks as one character each (a
    browser counts them so against the limit, and sends them as two)."""
    if not isinstance(text, str):
        return text
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


class ChoiceField(SelectField):
    """A select whose value must be one of its choices, with a message that names the question."""

    def pre_validate(self, form) -> None:
        if self.data and self.data not in {value for value, _ in self.choices}:
            raise ValidationError(f"Choose your {self.label.text.removesuffix(' (optional)').lower()} from the list, or leave it blank")


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


def _about(question: str) -> ChoiceField:
    title, choices = QUESTIONS[question]
    return ChoiceField(
        f"{title} (optional)",
        choices=[("", "Choose (optional)"), *choices.items()],
        widget=GovSelect(),
        validators=[Optional()],
    )


class AboutYouForm(FlaskForm):
    """The survey's optional questions about the person, as compact selects: only those the
    survey asks are on the form (an answer sent to one it does not ask is not kept)."""

    org_type = _about("org_type")
    grade = _about("grade")
    role = _about("role")
    submit = SubmitField("Start", widget=GovSubmitInput())

    def __init__(self, *args, asked=tuple(QUESTIONS), **kwargs):
        super().__init__(*args, **kwargs)
        self.asked = [question for question in QUESTIONS if question in asked]
        for question in QUESTIONS:
            if question not in self.asked:
                delattr(self, question)

    @classmethod
    def for_survey(cls, survey: Survey, **kwargs) -> "AboutYouForm":
        return cls(asked=survey.asked, **kwargs)

    def about(self, survey: Survey | None = None) -> dict[str, str | None]:
        return {question: self[question].data or None for question in self.asked}


class RatingAnswerForm(FlaskForm):
    stage = OneAnswerField("Your rating", choices=[], validate_choice=False)
    reason = text_area(
        "Why? (optional)", MAX_REASON, subject="Your reason", description=REASON_HINT, filters=[clean_reason]
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())
    #: the answer on the page is saved too, when one is chosen
    later = SubmitField("Save and come back later", widget=GovSubmitInput())

    def __init__(self, *args, options=(), ask_why: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not ask_why:
            del self.reason  # a survey that does not ask why keeps no reason, whatever is sent
        self.stage.choices = [(str(o["value"]), o["name"]) for o in options] + [(DONT_KNOW, "Don\u2019t know")]

    def validate_stage(self, field) -> None:
        if not field.data:
            raise ValidationError("Choose a stage, or \u201cDon\u2019t know\u201d")
        if field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Choose one of the stages shown, or \u201cDon\u2019t know\u201d")

    def leaving_blank(self) -> bool:
        """Leaving for later with nothing chosen or typed on this page: nothing to save."""
        return bool(self.later.data) and not any(self.stage.raw_data or ()) and not (self.given_reason() or "").strip()

    def given_reason(self) -> str | None:
        return self.reason.data if "reason" in self else None

    def chosen_stage(self) -> int | None:
        """The stage chosen (None for "don't know"), read as a workshop phone's vote is."""
        return parse_stage(self.stage.data)
