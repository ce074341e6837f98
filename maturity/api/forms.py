"""Forms for managing personal API tokens on the profile page."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length


class ApiTokenForm(FlaskForm):
    name = StringField(
        "Name for the token",
        widget=GovTextInput(),
        description="So you can tell your tokens apart, for example ‘Power BI dashboard’",
        validators=[
            DataRequired("Enter a name for the token"),
            Length(max=100, message="Name must be 100 characters or fewer"),
        ],
    )
    submit = SubmitField("Create token", widget=GovSubmitInput())


class RevokeTokenForm(FlaskForm):
    """Empty: a POST-only button that still carries the CSRF token."""
