from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
)
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
)
from wtforms.validators import DataRequired, ValidationError

from maturity.core.scoring import RATING_CHOICES
from maturity.fields import text_area
from maturity.models import REVIEW_POSITIONS

LONG_TEXT = 5000


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
    note = text_area("What would you like the reviewers to look at? (optional)", LONG_TEXT, subject="The note")
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
    strengths = text_area("Strengths", LONG_TEXT)
    development = text_area("Areas for development", LONG_TEXT)
    questions = text_area("Questions for the area", LONG_TEXT, subject="Questions")
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
    summary = text_area("Overall summary", 10000, required="Enter the overall summary", subject="The summary")
    submit = SubmitField("Save the summary", widget=GovSubmitInput())


class ResponseForm(FlaskForm):
    response = text_area(
        "Your answer to the challenge", LONG_TEXT, required="Enter your answer to the challenge", subject="The answer"
    )
    submit = SubmitField("Save the answer", widget=GovSubmitInput())
