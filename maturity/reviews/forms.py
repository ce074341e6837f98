from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
)
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

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
        "Reviewing area",
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
