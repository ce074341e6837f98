from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from sqlalchemy import func, select
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from maturity.auth.forms import NewPasswordField, check_new_password
from maturity.core.vocabulary import AREA_KINDS, ORGANISATION_TYPES, REGIONS, ROLES
from maturity.extensions import db
from maturity.models import Area, Organisation, User


def _choices(mapping: dict[str, str]) -> list[tuple[str, str]]:
    return list(mapping.items())


class AreaForm(FlaskForm):
    name = StringField(
        "Area name", widget=GovTextInput(),
        validators=[DataRequired("Enter the area's name"), Length(max=120, message="Area name must be 120 characters or fewer")],
    )
    kind = RadioField(
        "Kind of area", widget=GovRadioInput(), choices=_choices(AREA_KINDS),
        validators=[DataRequired("Select the kind of area")],
    )
    region = SelectField(
        "Region", widget=GovSelect(), choices=[("", "Not given")] + [(r, r) for r in REGIONS],
        validators=[Optional()],
    )
    parent_id = SelectField("Part of (for districts in a two-tier county)", widget=GovSelect(), coerce=str, validators=[Optional()])
    submit = SubmitField("Save area", widget=GovSubmitInput())

    def __init__(self, *args, area: Area | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._area = area
        counties = db.session.scalars(select(Area).order_by(Area.name))
        self.parent_id.choices = [("", "None")] + [
            (str(a.id), a.name) for a in counties if area is None or a.id != area.id
        ]

    def validate_name(self, field):
        name = field.data.strip()
        existing = db.session.scalar(select(Area).where(func.lower(Area.name) == name.lower()))
        if existing is not None and existing is not self._area:
            raise ValidationError("An area with that name already exists")


class OrganisationForm(FlaskForm):
    name = StringField(
        "Organisation name", widget=GovTextInput(),
        validators=[DataRequired("Enter the organisation's name"), Length(max=160, message="Organisation name must be 160 characters or fewer")],
    )
    org_type = SelectField(
        "Type of organisation", widget=GovSelect(), choices=[("", "Choose a type")] + _choices(ORGANISATION_TYPES),
        validators=[DataRequired("Select the type of organisation")],
    )
    submit = SubmitField("Add organisation", widget=GovSubmitInput())

    def __init__(self, *args, area: Area, **kwargs):
        super().__init__(*args, **kwargs)
        self._area = area

    def validate_name(self, field):
        name = field.data.strip()
        existing = db.session.scalar(
            select(Organisation).where(
                Organisation.area_id == self._area.id, func.lower(Organisation.name) == name.lower()
            )
        )
        if existing is not None:
            raise ValidationError(f"{self._area.name} already has an organisation with that name")


class UserForm(FlaskForm):
    name = StringField("Full name", widget=GovTextInput(), validators=[DataRequired("Enter the person's name"), Length(max=120)])
    email = StringField(
        "Email address", widget=GovTextInput(),
        validators=[DataRequired("Enter an email address"), Email("Enter an email address in the correct format, like name@example.org", check_deliverability=False), Length(max=254)],
    )
    password = NewPasswordField("Password", validators=[DataRequired("Enter a password"), Length(max=200)])
    is_admin = BooleanField("National team (can see and manage every area)", widget=GovCheckboxInput())
    area_id = SelectField("Area", widget=GovSelect(), coerce=str, validators=[Optional()])
    role = SelectField("Role in that area", widget=GovSelect(), choices=[("", "No role")] + _choices(ROLES), validators=[Optional()])
    submit = SubmitField("Create account", widget=GovSubmitInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.area_id.choices = [("", "None")] + [
            (str(a.id), a.name) for a in db.session.scalars(select(Area).order_by(Area.name))
        ]

    def validate_email(self, field):
        email = field.data.strip().lower()
        if db.session.scalar(select(User).where(func.lower(User.email) == email)):
            raise ValidationError("An account with that email address already exists")

    def validate_password(self, field):
        check_new_password(field.data, self.email.data or "", self.name.data or "")

    def validate_role(self, field):
        if bool(field.data) != bool(self.area_id.data):
            raise ValidationError("Choose both an area and a role, or neither")


class MembershipForm(FlaskForm):
    area_id = SelectField("Area", widget=GovSelect(), coerce=str, validators=[DataRequired("Select an area")])
    role = SelectField("Role", widget=GovSelect(), choices=[("", "Choose a role")] + _choices(ROLES), validators=[DataRequired("Select a role")])
    submit = SubmitField("Add role", widget=GovSubmitInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.area_id.choices = [("", "Choose an area")] + [
            (str(a.id), a.name) for a in db.session.scalars(select(Area).order_by(Area.name))
        ]
