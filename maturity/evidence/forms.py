"""Forms for the evidence register."""

from __future__ import annotations

import math
import re
from datetime import date
from urllib.parse import urlsplit

from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovDateInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
)
from sqlalchemy import select
from wtforms import (
    BooleanField,
    Field,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
)
from wtforms.validators import DataRequired, Optional, ValidationError

from maturity.evidence import uploads
from maturity.extensions import db
from maturity.fields import text_area, text_field
from maturity.models import EVIDENCE_KINDS, Assessment, Evidence, Feature, User

OTHER_SOURCE = "__other__"
NO_ORGANISATION = ""


class DayMonthYearField(Field):
    """A date typed as day, month and year (the GOV.UK date input); blank is allowed."""

    widget = GovDateInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.parse_error: str | None = None

    def _value(self):
        return self.data.strftime("%d %m %Y") if self.data else ""

    def process_formdata(self, valuelist):
        self.parse_error = None
        if not valuelist:
            self.raw_data = ["", "", ""]
            return
        parts = [(part or "").strip() for part in valuelist[:3]]
        self.raw_data = parts + [""] * (3 - len(parts))
        if not any(parts):
            self.data = None
            return
        if not all(parts) or len(parts) != 3:
            self.data = None
            missing = [name for name, part in zip(("day", "month", "year"), self.raw_data, strict=True) if not part]
            self.parse_error = f"{self.label.text} must include a {' and a '.join(missing)}"
            return
        try:
            day, month, year = (int(part) for part in parts)
            if year < 1900:
                raise ValueError
            self.data = date(year, month, day)
        except ValueError:
            self.data = None
            self.parse_error = f"{self.label.text} must be a real date, like 31 3 2016"

    def pre_validate(self, form):
        if self.parse_error:
            raise ValidationError(self.parse_error)


def _number(text: str | None) -> float | None:
    """Read a figure as people type it: '1,234', '45%', '£2.5' -> a float; raises ValueError."""
    if text is None or not text.strip():
        return None
    cleaned = re.sub(r"[,\s£$€%]", "", text.strip())
    value = float(cleaned)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


class EvidenceForm(FlaskForm):
    title = text_field("Title", 200, required="Enter a title for the evidence")
    description = text_area(
        "Description", 5000,
        description="What it shows and why it matters. Describe services, never individual families.",
    )
    organisation_id = SelectField("Owner organisation", widget=GovSelect(), coerce=str)
    kind = RadioField(
        "Kind of evidence",
        widget=GovRadioInput(),
        choices=list(EVIDENCE_KINDS.items()),
        validators=[DataRequired("Select whether the evidence is qualitative or quantitative")],
    )
    # Value and baseline are read as figures by validate_value and validate_baseline.
    value = text_field("Value", 40, blank_ok=False, description="The figure, for example 62 or 3.5")
    unit = text_field("Unit (optional)", 60, description="For example %, families or days")
    baseline = text_field("Baseline (optional)", 40, blank_ok=False, description="The figure it compares with")
    period = text_field("Period (optional)", 60, description="For example April 2015 to March 2016")
    about_date = DayMonthYearField(
        "Date the evidence is about",
        description="For example, the date of the report or the end of the period it covers. "
        "Leave blank to use today's date.",
    )
    source_type = SelectField(
        "Source of evidence",
        widget=GovSelect(),
        description="The toolkit's suggested sources for each strand, or other",
        validators=[DataRequired("Select the source of the evidence")],
    )
    source_other = text_field("Describe the source", 200, subject="The source", blank_ok=False)
    link = text_field("Link (optional)", 2000, description="A web address starting http:// or https://")
    file = FileField(
        "Upload a file (optional)",
        widget=GovFileInput(),
        description=f"{uploads.ALLOWED_DESCRIPTION}",
    )
    no_personal_data = BooleanField(
        "I confirm the file holds no personal data about identifiable families, or that it has been anonymised",
        widget=GovCheckboxInput(),
    )
    remove_file = BooleanField("Remove the current file", widget=GovCheckboxInput())
    features = SelectMultipleField(
        "Features this evidence supports",
        coerce=int,
        validate_choice=False,
    )
    submit = SubmitField("Save evidence", widget=GovSubmitInput())

    def __init__(self, *args, assessment: Assessment, evidence: Evidence | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._assessment = assessment
        self._evidence = evidence
        self.checked_file: uploads.CheckedFile | None = None
        organisations = assessment.area.organisations
        self.organisation_id.choices = [(NO_ORGANISATION, "Choose an organisation")] + [
            (str(o.id), o.name) for o in organisations
        ]
        if organisations:
            self.organisation_id.validators = [DataRequired("Select the organisation that owns the evidence")]
        else:
            self.organisation_id.validators = [Optional()]
        self.source_choices = source_choices(assessment)
        self.source_type.choices = (
            [("", "Choose a source")]
            + [(text, f"{strand}: {text}") for strand, text in self.source_choices]
            + [(OTHER_SOURCE, "Other")]
        )
        self.feature_ids = set(
            db.session.scalars(select(Feature.id).where(Feature.framework_id == assessment.framework_id))
        )

    @classmethod
    def for_new(cls, assessment: Assessment, user: User, **kwargs) -> EvidenceForm:
        form = cls(assessment=assessment, **kwargs)
        if not form.is_submitted():
            membership = next((m for m in user.memberships if m.area_id == assessment.area_id), None)
            if membership is not None and membership.organisation_id:
                form.organisation_id.data = str(membership.organisation_id)
        return form

    @classmethod
    def for_edit(cls, evidence: Evidence, **kwargs) -> EvidenceForm:
        form = cls(assessment=evidence.assessment, evidence=evidence, **kwargs)
        if not form.is_submitted():
            form.title.data = evidence.title
            form.description.data = evidence.description
            form.organisation_id.data = str(evidence.organisation_id or "")
            form.kind.data = evidence.kind
            form.value.data = _plain(evidence.value)
            form.unit.data = evidence.unit
            form.baseline.data = _plain(evidence.baseline)
            form.period.data = evidence.period
            form.about_date.data = evidence.about_date
            known = {text for _, text in form.source_choices}
            if evidence.source_type in known:
                form.source_type.data = evidence.source_type
            elif evidence.source_type:
                form.source_type.data = OTHER_SOURCE
                form.source_other.data = evidence.source_type
            form.link.data = evidence.link
            form.features.data = [f.id for f in evidence.features]
        return form

    # -- field checks ---------------------------------------------------------------------

    def validate_value(self, field):
        if self.kind.data != "quantitative":
            return
        if not (field.data or "").strip():
            raise ValidationError("Enter the value for quantitative evidence")
        try:
            _number(field.data)
        except ValueError:
            raise ValidationError("Value must be a number, like 62 or 3.5") from None

    def validate_baseline(self, field):
        if self.kind.data != "quantitative":
            return
        try:
            _number(field.data)
        except ValueError:
            raise ValidationError("Baseline must be a number, like 48 or 2.75") from None

    def validate_about_date(self, field):
        if field.data and field.data > date.today():
            raise ValidationError("Date the evidence is about must be today or in the past")

    def validate_source_other(self, field):
        if self.source_type.data == OTHER_SOURCE and not (field.data or "").strip():
            raise ValidationError("Describe the source of the evidence")

    def validate_link(self, field):
        link = (field.data or "").strip()
        if not link:
            return
        parts = urlsplit(link)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc or re.search(r"\s", link):
            raise ValidationError("Enter a link starting http:// or https://, like https://www.example.org/report")

    def validate_features(self, field):
        chosen = set(field.data or [])
        if not chosen:
            raise ValidationError("Select at least one feature the evidence supports")
        if not chosen <= self.feature_ids:
            raise ValidationError("Select features from this assessment's framework")

    def validate_file(self, field):
        storage = field.data
        if storage is None or not getattr(storage, "filename", None):
            return
        try:
            self.checked_file = uploads.check_upload(storage.stream, storage.filename, max_upload_bytes())
        except uploads.UploadError as error:
            raise ValidationError(str(error)) from None

    def validate_no_personal_data(self, field):
        storage = self.file.data
        if storage is not None and getattr(storage, "filename", None) and not field.data:
            raise ValidationError(
                "Confirm the file holds no personal data about identifiable families before you upload it"
            )

    # -- results --------------------------------------------------------------------------

    def fields(self) -> dict:
        """The values for operations.add_evidence / update_evidence."""
        source = self.source_type.data
        if source == OTHER_SOURCE:
            source = (self.source_other.data or "").strip()
        quantitative = self.kind.data == "quantitative"
        return {
            "title": self.title.data,
            "description": self.description.data,
            "organisation_id": int(self.organisation_id.data) if self.organisation_id.data else None,
            "kind": self.kind.data,
            "value": _number(self.value.data) if quantitative else None,
            "unit": self.unit.data if quantitative else None,
            "baseline": _number(self.baseline.data) if quantitative else None,
            "period": self.period.data if quantitative else None,
            "about_date": self.about_date.data,
            "source_type": source,
            "link": self.link.data,
        }

    @property
    def chosen_feature_ids(self) -> set[int]:
        return set(self.features.data or [])


def _plain(value: float | None) -> str | None:
    """62.0 -> '62', 3.5 -> '3.5'."""
    if value is None:
        return None
    return f"{value:g}" if abs(value) < 1e15 else str(value)


def max_upload_bytes() -> int:
    """The largest file one may upload: MAX_UPLOAD_MB, within the request limit."""
    configured = current_app.config.get("MAX_UPLOAD_MB")
    request_limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if configured:
        limit = int(float(configured) * uploads.MB)
        return min(limit, request_limit) if request_limit else limit
    return request_limit or 20 * uploads.MB


def source_choices(assessment: Assessment) -> list[tuple[str, str]]:
    """(strand short name, source) for every suggested source, each once, in framework order."""
    seen: set[str] = set()
    choices = []
    for strand in assessment.framework.strands:
        for text in strand.evidence_sources:
            if text not in seen:
                seen.add(text)
                choices.append((strand.short_name, text))
    return choices


class ReviewForm(FlaskForm):
    decision = RadioField(
        "Decision",
        widget=GovRadioInput(),
        choices=[
            ("accepted", "Accept: it supports the features it is linked to"),
            ("rejected", "Reject"),
            ("draft", "Return to draft"),
        ],
        validators=[DataRequired("Select accept, reject or return to draft")],
    )
    reason = text_area(
        "Reason", 2000, blank_ok=False,
        description="Needed when you reject evidence; the person who added it will see it.",
    )
    submit = SubmitField("Save decision", widget=GovSubmitInput())

    def validate_reason(self, field):
        if self.decision.data == "rejected" and not (field.data or "").strip():
            raise ValidationError("Enter the reason for rejecting the evidence")


class DeleteForm(FlaskForm):
    submit = SubmitField("Yes, remove it", widget=GovSubmitInput())
