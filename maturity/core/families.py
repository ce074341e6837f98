"""The family questionnaire as data, and the rule that turns families' answers into published
results: plain-English questions mapped to the family experience strand's features, a
five-point scale with "prefer not to say", and nothing published below MIN_FAMILIES.

Results are published only for a closed questionnaire with at least MIN_FAMILIES responses, and
a question only when at least MIN_FAMILIES families gave it a scale answer: while a
questionnaire is open, two looks at the figures a moment apart would show one family's answer.
A published question whose answer most families gave as "yes" supports the features it bears
on, and those features then count under the evidence rule (maturity.core.scoring).
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: Fewer families than this and nothing from the questionnaire is published.
MIN_FAMILIES = 10
#: The longest free-text answer a family may give.
MAX_COMMENT = 500
#: The strand the questionnaire speaks to.
STRAND_KEY = "family-experience"
#: Months a questionnaire keeps its answers unless the coordinator sets otherwise.
DEFAULT_RETENTION_MONTHS = 12
MAX_RETENTION_MONTHS = 36

PREFER_NOT = "prefer-not"
#: The five-point scale, most positive first, then "prefer not to say" (never counted).
SCALE: dict[str, str] = {
    "yes-a-lot": "Yes, a lot",
    "yes-a-bit": "Yes, a bit",
    "not-sure": "Not sure",
    "not-really": "Not really",
    "no": "No, not at all",
    PREFER_NOT: "I would rather not say",
}
YES = ("yes-a-lot", "yes-a-bit")
SCALE_POINTS = tuple(key for key in SCALE if key != PREFER_NOT)


@dataclass(frozen=True)
class Question:
    key: str
    #: what the family reads (reading age about 9)
    text: str
    #: finishes "31 of 48 families said they ..."
    said: str
    #: the family experience features the answer bears on
    features: tuple[str, ...]


QUESTIONS: tuple[Question, ...] = (
    Question(
        "one-worker",
        "Did you have one worker you knew, who helped your whole family?",
        "had one worker they knew",
        ("fe-dev-3", "fe-mat-1", "fe-mature-1"),
    ),
    Question(
        "story-once",
        "Did you only have to tell your story once?",
        "only had to tell their story once",
        ("fe-mat-6", "fe-mature-5"),
    ),
    Question(
        "one-plan",
        "Did you and your worker make one plan together that you agreed with?",
        "made one plan with their worker that they agreed with",
        ("fe-mat-4", "fe-mature-5"),
    ),
    Question(
        "practical-help",
        "Did you get help with everyday things, like money, housing or school?",
        "got help with everyday things",
        ("fe-mat-3", "fe-mature-4"),
    ),
    Question(
        "got-better",
        "Did things get better for your family?",
        "found things got better for their family",
        ("fe-mature-7",),
    ),
    Question(
        "stayed-better",
        "Have things stayed better since the help ended?",
        "found things stayed better after the help ended",
        ("fe-mature-2",),
    ),
)
QUESTION_KEYS = tuple(question.key for question in QUESTIONS)


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    #: families who said yes (a lot or a bit)
    yes: int
    #: families who gave a scale answer ("prefer not to say" left out)
    answered: int

    @property
    def sentence(self) -> str:
        """'31 of 48 families said they had one worker they knew'."""
        noun = "family" if self.answered == 1 else "families"
        return f"{self.yes} of {self.answered} {noun} said they {self.question.said}"

    @property
    def mostly_yes(self) -> bool:
        return self.yes * 2 > self.answered


@dataclass(frozen=True)
class FamilyResults:
    """What may be published: the number of families and the questions with enough answers."""

    families: int
    questions: tuple[QuestionResult, ...]

    def supported_features(self) -> set[str]:
        """Feature keys that most answering families said held for them."""
        return {key for result in self.questions if result.mostly_yes for key in result.question.features}

    def bearing_on(self, feature_key: str) -> list[QuestionResult]:
        return [result for result in self.questions if feature_key in result.question.features]


def may_publish(families: int, closed: bool) -> bool:
    """Results are published once the questionnaire is closed and MIN_FAMILIES have answered."""
    return closed and families >= MIN_FAMILIES


def family_results(
    responses: Iterable[Mapping[str, str]], closed: bool
) -> FamilyResults | None:
    """The publishable results of a questionnaire's responses (question key -> answer), or None
    when nothing may be published."""
    responses = list(responses)
    if not may_publish(len(responses), closed):
        return None
    published = []
    for question in QUESTIONS:
        counts = Counter(response.get(question.key) for response in responses)
        answered = sum(counts[point] for point in SCALE_POINTS)
        if answered < MIN_FAMILIES:
            continue
        published.append(QuestionResult(question, sum(counts[point] for point in YES), answered))
    return FamilyResults(len(responses), tuple(published))


def check_answers(answers: Mapping[str, str | None]) -> dict[str, str]:
    """Keep the known questions' answers on the scale; anything else is refused by the form."""
    return {key: value for key, value in answers.items() if key in QUESTION_KEYS and value in SCALE}


def retention_cutoff(today, months: int):
    """The first day whose answers are kept: answers given before it are past retention."""
    month_index = today.year * 12 + (today.month - 1) - months
    year, month = divmod(month_index, 12)
    month += 1
    # The same day of the month, or the month's last day when it is shorter.
    for day in range(today.day, 0, -1):
        try:
            return today.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has a first day")


def kept(days: list, today, months: int, closed: bool) -> list[bool]:
    """Which answers (by the day each was given) still count under the retention setting, as
    the retention command would leave them: an open questionnaire's answers one by one, a
    closed one's all together once its oldest is past retention (so published figures never
    move by a few families). The command deletes them; until it runs they count for nothing."""
    cutoff = retention_cutoff(today, months)
    if closed:
        gone = bool(days) and min(days) < cutoff
        return [not gone for _ in days]
    return [day >= cutoff for day in days]
