"""The comparison picker: two selects of assessments grouped by area."""

from flask import current_app
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from markupsafe import Markup
from wtforms import SelectField, SubmitField
from wtforms.validators import DataRequired, ValidationError
from wtforms.widgets import html_params


class GroupedSelect:
    """A GOV.UK select whose options sit in an <optgroup> per group, drawn in one template loop.

    The markup around the select is the GOV.UK select component's: label, hint, error message,
    the error classes and `aria-describedby` naming the hint and the error. The options are a
    plain loop in `reports/_grouped_select.html` rather than one GOV.UK macro item each: for the
    national team's 304 assessments that is about 2 ms a select instead of about 12.
    Called like a govuk-frontend-wtf widget: `field(params={"classes": ..., "attributes": ...})`.
    """

    template = "reports/_grouped_select.html"

    def __call__(self, field, params: dict | None = None, **attributes):
        params = params or {}
        field_id = attributes.pop("id", None) or params.get("id") or field.id
        attributes = {**(params.get("attributes") or {}), **attributes}
        if "required" not in attributes and field.flags.required:
            attributes["required"] = True
        hint = field.description or None
        error = field.errors[0] if field.errors else None
        described_by = [part for part, shown in ((f"{field_id}-hint", hint), (f"{field_id}-error", error)) if shown]
        if field.has_groups():
            groups = [(label, list(options)) for label, options in field.iter_groups()]
        else:
            groups = [(None, list(field.iter_choices()))]
        placeholder = getattr(field, "placeholder", None)
        if placeholder is not None and any(value == "" for _, options in groups for value, *_ in options):
            placeholder = None  # the choices carry their own empty option
        return Markup(
            current_app.jinja_env.get_template(self.template).render(
                id=field_id,
                name=field.name,
                label=field.label.text,
                hint=hint,
                error=error,
                described_by=" ".join(described_by),
                classes=params.get("classes"),
                attributes=Markup(html_params(**attributes)) if attributes else "",
                placeholder=placeholder,
                placeholder_selected=placeholder is not None and field.data == "",
                groups=groups,
            )
        )


class GroupedSelectField(SelectField):
    """A select whose choices may be grouped ({group label: [(value, label), ...]}).

    `placeholder` is an empty first option ("Choose ..."), outside every group; choosing it
    leaves the field empty for its DataRequired validator to report, rather than "Not a valid
    choice". Any other value must still be one of the choices.
    """

    widget = GroupedSelect()

    def __init__(self, label=None, validators=None, placeholder: str | None = None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.placeholder = placeholder

    def pre_validate(self, form):
        if self.placeholder is not None and not self.data:
            return
        super().pre_validate(form)


class CompareForm(FlaskForm):
    """The comparison picker, sent by GET.

    The view sets both fields' choices to the assessments the user may see, grouped by area.
    """

    class Meta:
        csrf = False  # a GET form that changes nothing

    a = GroupedSelectField(
        "First assessment (A)",
        placeholder="Choose an assessment",
        validators=[DataRequired("Select the first assessment")],
    )
    b = GroupedSelectField(
        "Second assessment (B)",
        placeholder="Choose an assessment",
        validators=[DataRequired("Select the second assessment")],
    )
    submit = SubmitField("Compare", widget=GovSubmitInput())

    def validate_b(self, field):
        if field.data and field.data == self.a.data:
            raise ValidationError("Select two different assessments")
