from flask import g
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovPasswordInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from maturity.auth.passwords import MAX_LENGTH, RULE, password_problem
from maturity.fields import text_field


class LoginForm(FlaskForm):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[DataRequired("Enter your email address"), Length(max=254)],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[DataRequired("Enter your password"), Length(max=200)],
    )
    remember = BooleanField("Keep me signed in on this device", widget=GovCheckboxInput())
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class NewPasswordField(PasswordField):
    """A new password, held to the password rule (maturity/auth/passwords.py)."""

    def __init__(self, label="New password", **kwargs):
        kwargs.setdefault("description", RULE)
        kwargs.setdefault("validators", [DataRequired("Enter a new password"), Length(max=MAX_LENGTH)])
        super().__init__(label, widget=GovPasswordInput(), **kwargs)


def check_new_password(password: str, *about_the_person: str) -> None:
    """Raise a form error when the password breaks the rule."""
    problem = password_problem(password or "", *about_the_person)
    if problem:
        raise ValidationError(problem)


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[DataRequired("Enter your current password"), Length(max=MAX_LENGTH)],
    )
    new_password = NewPasswordField()
    confirm_password = PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[
            DataRequired("Enter the new password again"),
            EqualTo("new_password", "The two new passwords do not match"),
        ],
    )
    # ids of their own: the profile page holds three forms
    submit = SubmitField("Change password", widget=GovSubmitInput(), id="change-password")

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._user = user

    def validate_current_password(self, field):
        if not self._user.check_password(field.data):
            g.password_check_failed = True  # counts toward the limit on guessing it
            raise ValidationError("Your current password is not right")

    def validate_new_password(self, field):
        check_new_password(field.data, self._user.email, self._user.name)


class SignOutEverywhereForm(FlaskForm):
    """A button: CSRF still applies."""

    submit = SubmitField("Sign out everywhere else", widget=GovSubmitInput(), id="sign-out-everywhere")


class ApiTokenForm(FlaskForm):
    """A personal API token for the profile page."""

    name = text_field(
        "Name for the token", 100, required="Enter a name for the token", subject="Name",
        description="So you can tell your tokens apart, for example ‘Power BI dashboard’",
    )
    submit = SubmitField("Create token", widget=GovSubmitInput())


class RevokeTokenForm(FlaskForm):
    """Empty: a POST-only button that still carries the CSRF token."""
