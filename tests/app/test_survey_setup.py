"""A survey is set up on an assessment with the strands or elements it asks about."""

import pytest

from maturity.errors import OperationError
from maturity.surveys import operations


def test_a_new_survey_asks_about_its_items_in_order(make_survey):
    survey = make_survey(status="setup")
    names = [item.name for item in survey.items]
    assert len(names) == 7 and survey.status == "setup" and len(survey.code) == 8
    assert [item.position for item in survey.items] == list(range(1, 8))
    assert survey.asked == ["org_type"]


def test_a_closed_survey_cannot_open_again_nor_an_unopened_one_close(make_survey):
    survey = make_survey(status="closed")
    with pytest.raises(OperationError, match="closed"):
        operations.open_survey(survey)
    with pytest.raises(OperationError, match="not opened"):
        operations.close_survey(make_survey(status="setup"))


def test_a_survey_takes_answers_only_while_open_and_within_its_dates(make_survey):
    from datetime import date

    survey = make_survey(opens_on=date(2026, 12, 1), closes_on=date(2026, 12, 10))
    assert not survey.taking_answers(date(2026, 11, 30))
    assert survey.taking_answers(date(2026, 12, 1)) and survey.taking_answers(date(2026, 12, 10))
    assert not survey.taking_answers(date(2026, 12, 11)) and survey.finished(date(2026, 12, 11))
    assert not survey.finished(date(2026, 12, 10))
