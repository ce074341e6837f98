from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput, GovTextArea
from wtforms import SelectMultipleField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from maturity.core.vocabulary import ORGANISATION_TYPES


class AreaSettingsForm(FlaskForm):
    """What a coordinator may set for their own area."""

    core_partner_types = SelectMultipleField(
        "Which kinds of partner count as core?",
        description="An assessment shows “No voice from …” for a core kind of partner that has not "
        "voted in a workshop and owns no evidence. The toolkit’s list is ticked to begin with.",
        widget=GovCheckboxesInput(),
        choices=list(ORGANISATION_TYPES.items()),
        validators=[DataRequired("Select at least one kind of partner")],
    )
    about = TextAreaField(
        "About the partnership (optional)",
        description="A few lines shown on the area’s page: the local programme’s name, its districts "
        "or neighbourhoods, pilots.",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=2000, message="About the partnership must be 2,000 characters or fewer")],
    )
    submit = SubmitField("Save settings", widget=GovSubmitInput())
