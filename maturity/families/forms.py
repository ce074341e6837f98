"""Forms of the family questionnaire. The questions come from maturity.core.families."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import IntegerField, RadioField, SubmitField
from wtforms.validators import InputRequired, NumberRange, Optional

from maturity.core.families import (
    MAX_COMMENT,
    MAX_RETENTION_MONTHS,
    QUESTIONS,
    SCALE,
)
from maturity.fields import text_area

COMMENT_HINT = (
    "Please do not write anyone\u2019s name, or anything that could show who you are, "
    "like your address or your worker\u2019s name."
)


class OneAnswerField(RadioField):
    """A radio group that refuses two answers to one question rather than keeping the first."""

    def process_formdata(self, valuelist):
        if len(valuelist) > 1:
            self.data = None
            raise ValueError("Choose one answer for this question")
        super().process_formdata(valuelist)


class FamilyAnswerForm(FlaskForm):
    """A family's answers: one radio group per question, every one optional, and a comment."""

    comment = text_area(
        "Is there anything else you want to tell us? (optional)", MAX_COMMENT,
        subject="Your last answer",
    )
    submit = SubmitField("Send my answers", widget=GovSubmitInput())

    def answers(self) -> dict[str, str]:
        """The answered questions, question key -> scale point."""
        return {
            question.key: self[question.key].data
            for question in QUESTIONS
            if self[question.key].data in SCALE
        }

    def question_fields(self) -> list:
        return [self[question.key] for question in QUESTIONS]


for _question in QUESTIONS:
    setattr(
        FamilyAnswerForm,
        _question.key,
        OneAnswerField(
            _question.text,
            widget=GovRadioInput(),
            choices=list(SCALE.items()),
            validators=[Optional()],
            validate_choice=True,
        ),
    )


class FamilyTranscriptionForm(FamilyAnswerForm):
    """A worker typing in a paper answer, exactly as the family wrote it."""

    submit = SubmitField("Save this paper answer", widget=GovSubmitInput())


class FamilyQuestionnaireForm(FlaskForm):
    """Setting up the questionnaire, or changing how long answers are kept."""

    retention_months = IntegerField(
        "Delete families\u2019 answers after this many months",
        widget=GovTextInput(),
        description=f"Between 1 and {MAX_RETENTION_MONTHS}. Answers given longer ago than this are deleted.",
        validators=[
            InputRequired("Enter how many months to keep families\u2019 answers"),
            NumberRange(1, MAX_RETENTION_MONTHS, f"Enter a number of months between 1 and {MAX_RETENTION_MONTHS}"),
        ],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class FamilyButtonForm(FlaskForm):
    """An empty form for the open, close and hide buttons, so CSRF still applies."""
