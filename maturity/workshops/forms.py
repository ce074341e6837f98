"""Forms of the workshops blueprint: set-up, joining, the facilitator's hand count, and the
one place a vote's fields (round and stage) are read and checked."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovDateInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    DateField,
    Field,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from maturity import routing
from maturity.core.scoring import STAGES
from maturity.core.vocabulary import ORGANISATION_TYPES
from maturity.errors import OperationError
from maturity.fields import text_field
from maturity.models import Element, FrameworkVersion, Strand, Workshop

#: Strands voted on element by element unless the coordinator says otherwise: areas rate
#: delivery structures and delivery processes separately, as Hampshire did.
SPLIT_BY_DEFAULT = {"delivery"}
MAX_ORDER = 99
DONT_KNOW = "dont-know"
NOT_GIVEN = "not-given"


class WorkshopDateField(DateField):
    """A day / month / year date that may be left blank."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("widget", GovDateInput())
        kwargs.setdefault("format", "%d %m %Y")
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        parts = [str(v).strip() for v in valuelist]
        # The widget redraws exactly three boxes from raw_data, whatever was (not) sent.
        self.raw_data = (list(valuelist) + ["", "", ""])[:3]
        self.data = None
        if not any(parts):
            return
        if len(parts) != 3 or not all(parts):
            raise ValueError(f"{self.label.text} must include a day, month and year")
        try:
            day, month, year = (int(p) for p in parts)
            value = date(year, month, day)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"{self.label.text} must be a real date") from None
        if not 2000 <= year <= 2200:
            raise ValueError(f"{self.label.text} must have a 4-digit year, like 2017")
        self.data = value


@dataclass
class RoundChoice:
    """A strand, or one element of a strand, that can become a round."""

    key: str
    strand: Strand
    element: Element | None
    index: int

    @property
    def label(self) -> str:
        return self.element.name if self.element is not None else self.strand.name

    @property
    def is_element(self) -> bool:
        return self.element is not None


def round_choices(framework: FrameworkVersion) -> list[RoundChoice]:
    """Each strand as a whole, and each element of the strands that have more than one."""
    choices: list[RoundChoice] = []
    for strand in framework.strands:
        choices.append(RoundChoice(f"s{strand.id}", strand, None, len(choices)))
        if len(strand.elements) > 1:
            for element in strand.elements:
                choices.append(RoundChoice(f"e{element.id}", strand, element, len(choices)))
    return choices


def default_selection(choices: list[RoundChoice]) -> dict[str, str]:
    """The six strands in the framework's order, delivery as its two elements."""
    picked = [
        c
        for c in choices
        if (c.element is None and c.strand.key not in SPLIT_BY_DEFAULT)
        or (c.element is not None and c.strand.key in SPLIT_BY_DEFAULT)
    ]
    return {c.key: str(n) for n, c in enumerate(picked, start=1)}


def chosen(choices: list[RoundChoice], picked) -> dict[str, str]:
    """The selection already made: `picked` are a workshop's rounds or a survey's items (each
    with strand_id, element_id and position)."""
    by_subject = {(c.strand.id, c.element.id if c.element else None): c for c in choices}
    return {
        by_subject[(p.strand_id, p.element_id)].key: str(p.position)
        for p in picked
        if (p.strand_id, p.element_id) in by_subject
    }


class RoundsField(Field):
    """The table of strands and elements with a checkbox and an order number each.

    Rendered by the template (templates/workshops/_rounds_field.html); `data` becomes the
    chosen (strand, element) pairs in order.
    """

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.choices: list[RoundChoice] = []
        self.selection: dict[str, str] = {}
        self.row_errors: dict[str, str] = {}
        self._formdata = None

    def process(self, formdata, data=None, extra_filters=None):
        self.process_errors = []
        self.raw_data = None
        self.data = []
        self._formdata = formdata if formdata else None

    def set_choices(self, choices: list[RoundChoice], selection: dict[str, str]) -> None:
        self.choices = choices
        if self._formdata is not None:
            picked = set(self._formdata.getlist(self.name))
            self.selection = {
                c.key: (self._formdata.get(f"order-{c.key}") or "").strip()
                for c in choices
                if c.key in picked
            }
            self.orders_typed = {
                c.key: (self._formdata.get(f"order-{c.key}") or "").strip() for c in choices
            }
        else:
            self.selection = dict(selection)
            self.orders_typed = dict(selection)

    def pre_validate(self, form):
        if not self.selection:
            raise ValidationError("Choose at least one strand or element to vote on")
        orders: dict[str, int] = {}
        for choice in self.choices:
            if choice.key not in self.selection:
                continue
            typed = self.selection[choice.key]
            if not typed:
                orders[choice.key] = MAX_ORDER + choice.index  # no number: keep framework order
                continue
            try:
                number = int(typed)
            except ValueError:
                number = 0
            if not 1 <= number <= MAX_ORDER:
                self.row_errors[choice.key] = (
                    f"Enter the order of {choice.label} as a whole number from 1 to {MAX_ORDER}"
                )
                continue
            orders[choice.key] = number
        if self.row_errors:
            raise ValidationError(next(iter(self.row_errors.values())))
        chosen = [c for c in self.choices if c.key in orders]
        whole = {c.strand.id for c in chosen if c.element is None}
        for choice in chosen:
            if choice.element is not None and choice.strand.id in whole:
                raise ValidationError(
                    f"Vote on {choice.strand.name} either as a whole strand or by its elements, "
                    "not both"
                )
        chosen.sort(key=lambda c: (orders[c.key], c.index))
        self.data = [(c.strand, c.element) for c in chosen]


class WorkshopForm(FlaskForm):
    title = text_field("Workshop title", 200, required="Enter a title for the workshop", subject="The title")
    held_on = WorkshopDateField("Date of the workshop (optional)", description="For example, 14 11 2016")
    rounds = RoundsField("Rounds")
    offer_dont_know = BooleanField("Offer \u201cdon\u2019t know\u201d", widget=GovCheckboxInput())
    allow_changes = BooleanField(
        "Let people change their vote until voting closes", widget=GovCheckboxInput()
    )
    ask_org_type = BooleanField(
        "Ask people which kind of organisation they are from", widget=GovCheckboxInput()
    )
    results_visible = BooleanField(
        "Show the result on people\u2019s phones too once you reveal it", widget=GovCheckboxInput()
    )
    submit = SubmitField("Save workshop", widget=GovSubmitInput())

    def __init__(self, *args, framework: FrameworkVersion, workshop: Workshop | None = None, **kwargs):
        if workshop is None:
            kwargs.setdefault("offer_dont_know", True)
            kwargs.setdefault("allow_changes", True)
            kwargs.setdefault("ask_org_type", True)
            kwargs.setdefault("results_visible", True)
        super().__init__(*args, obj=workshop, **kwargs)
        choices = round_choices(framework)
        selection = chosen(choices, workshop.rounds) if workshop is not None else default_selection(choices)
        self.rounds.set_choices(choices, selection)


class JoinForm(FlaskForm):
    """Joining from the QR code's address: the kind of organisation, optional, as one compact
    select, so the join button shows without scrolling on a phone."""

    org_type = SelectField(
        "Your kind of organisation (optional)",
        widget=GovSelect(),
        description="Only used to show how each kind of partner voted; groups of fewer than 3 are never shown.",
        choices=[(NOT_GIVEN, "I\u2019d rather not say")] + list(ORGANISATION_TYPES.items()),
        default=NOT_GIVEN,
        validators=[Optional()],
    )
    submit = SubmitField("Join the workshop", widget=GovSubmitInput())


class JoinCodeForm(JoinForm):
    """Joining with a typed code: the code and the kind of organisation on one screen."""

    code = StringField(
        "Join code",
        widget=GovTextInput(),
        description="The 8 letters and numbers on the screen, for example ABCD-EFGH",
        validators=[DataRequired("Enter the join code shown on the screen")],
    )


# --------------------------------------------------------------------------------------------
# A vote's fields
# --------------------------------------------------------------------------------------------

STAGE_CHOICES = [(str(stage), name) for stage, name in STAGES.items()]
CHOOSE_STAGE = "Choose one of the four stages, from early to mature."
NO_SUCH_STAGE = "There is no such stage. Choose early, developing, maturing or mature."
NO_ROUND = "The vote did not say which strand it was for. Reload the page and try again."


_STAGE_TEXT: dict[str, int | None] = {str(stage): stage for stage in STAGES} | {DONT_KNOW: None}


def parse_stage(value: Any) -> int | None:
    """A stage exactly as a voting button sends it: 1 to 4 (a JSON number, or the button's
    text "1" to "4"), or "dont-know" (None). Anything else, such as 2.5, "2.0", " 2", "02" or
    true, is refused (OperationError, 400), never read as the nearest stage."""
    if isinstance(value, str) and value in _STAGE_TEXT:
        return _STAGE_TEXT[value]
    if type(value) is int and value in STAGES:  # not bool, although True == 1
        return value
    if isinstance(value, bool) or not isinstance(value, int | str) or value == "":
        raise OperationError(CHOOSE_STAGE, 400)
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise OperationError(CHOOSE_STAGE, 400)
    raise OperationError(NO_SUCH_STAGE, 400)  # a whole number, but not 1 to 4 as sent


def parse_vote(payload: Any) -> tuple[int, int | None]:
    """(round id, stage) from a vote's JSON object or form fields; OperationError (400) when
    either is not valid."""
    if not hasattr(payload, "get"):
        raise OperationError("Send the vote as a form or a JSON object with round_id and stage.", 400)
    round_id = routing.parse_id(payload.get("round_id"))
    if round_id is None:
        raise OperationError(NO_ROUND, 400)
    return round_id, parse_stage(payload.get("stage"))



class CountField(IntegerField):
    def process_formdata(self, valuelist):
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            self.data = int(str(valuelist[0]).strip())
        except ValueError:
            self.data = None
            raise ValueError("Enter the number of votes as a whole number, like 4") from None


class ManualTallyForm(FlaskForm):
    round_id = SelectField(
        "Round", widget=GovSelect(), coerce=int, validators=[InputRequired("Choose the round")]
    )
    stage = SelectField(
        "Stage",
        widget=GovSelect(),
        choices=[("", "Choose a stage")] + STAGE_CHOICES + [(DONT_KNOW, "Don\u2019t know")],
        validators=[DataRequired("Choose the stage these votes were for")],
    )
    count = CountField(
        "Number of votes",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter how many votes were counted"),
            NumberRange(min=1, max=10_000, message="Enter a number of votes from 1 to 10,000"),
        ],
    )
    note = StringField(
        "Note (optional)",
        widget=GovTextInput(),
        description="For example, paper cards from table 3",
        validators=[Optional(), Length(max=200, message="The note must be 200 characters or fewer")],
    )
    submit = SubmitField("Add hand count", widget=GovSubmitInput())

    def __init__(self, *args, workshop: Workshop, **kwargs):
        super().__init__(*args, **kwargs)
        self.round_id.choices = [(r.id, f"{r.position}. {r.title}") for r in workshop.rounds]
        if not self.is_submitted() and workshop.current_round_id:
            self.round_id.data = workshop.current_round_id

    def stage_value(self) -> int | None:
        return parse_stage(self.stage.data)
