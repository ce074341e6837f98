"""Form fields made one way: a GOV.UK widget, a length limit whose message names the field, and
either a message for when it is left blank or leave to be blank.

    title = text_field("Title", 200, required="Enter a title")
    note = text_area("Note (optional)", 2000)

`subject` names the field in the length message when the label will not do ("The board's name
must be 200 characters or fewer"); by default it is the label without "(optional)".
`blank_ok=False` leaves a blank value to the form's own `validate_<name>` (which an Optional()
in the chain would skip).
"""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovTextArea, GovTextInput
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

OPTIONAL_SUFFIX = " (optional)"


def length(subject: str, limit: int) -> Length:
    """At most `limit` characters, with a message that names the field."""
    return Length(max=limit, message=f"{subject} must be {limit:,} characters or fewer")


def _validators(label: str, limit: int, required: str | None, subject: str | None, blank_ok: bool) -> list:
    subject = subject or label.removesuffix(OPTIONAL_SUFFIX)
    if required:
        return [DataRequired(required), length(subject, limit)]
    return [Optional(), length(subject, limit)] if blank_ok else [length(subject, limit)]


def text_field(
    label: str,
    limit: int,
    *,
    required: str | None = None,
    subject: str | None = None,
    blank_ok: bool = True,
    area: bool = False,
    **kwargs: Any,
) -> StringField:
    """A one-line text input (a text area with `area=True`) of at most `limit` characters."""
    field_class, widget = (TextAreaField, GovTextArea) if area else (StringField, GovTextInput)
    return field_class(
        label, widget=widget(), validators=_validators(label, limit, required, subject, blank_ok), **kwargs
    )


def text_area(label: str, limit: int, **options: Any) -> TextAreaField:
    """A text area of at most `limit` characters; the options are text_field's."""
    return text_field(label, limit, area=True, **options)
