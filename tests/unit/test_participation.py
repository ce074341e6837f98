"""Who took part (core partner types that voted or own evidence) and a strand's RAG from its plan."""

from datetime import date

import pytest

from maturity.core.action_plan import AMBER, GREEN, RED, strand_rag
from maturity.core.participation import no_voice_from, who_took_part
from maturity.core.vocabulary import CORE_PARTNER_TYPES

TODAY = date(2017, 6, 1)


def test_a_core_type_that_neither_voted_nor_brought_evidence_is_a_gap():
    found = who_took_part(
        CORE_PARTNER_TYPES,
        [{"local-authority", "police", None}, {"schools"}],
        {"local-authority": 3, "voluntary": 1, "health": 0, None: 2},
    )
    assert found.gaps == ["health", "jobcentre-plus", "probation", "housing"]
    assert found.gap_labels[0] == "No voice from health"
    by_type = {p.org_type: p for p in found.parts}
    assert by_type["police"].voted == (True, False) and by_type["police"].evidence == 0
    assert by_type["voluntary"].took_part and not any(by_type["voluntary"].voted)
    assert by_type["schools"].took_part
    assert found.workshop_gaps(1) == [t for t in CORE_PARTNER_TYPES if t != "schools"]
    assert found.others == []


def test_types_outside_the_core_are_listed_after_it_and_never_a_gap():
    found = who_took_part(["police", "health"], [{"fire", "police"}], {"pcc": 1, "health": 2})
    assert [p.org_type for p in found.parts] == ["police", "health", "pcc", "fire"]
    assert [p.org_type for p in found.others] == ["pcc", "fire"]
    assert found.gaps == []


def test_an_area_s_own_core_list_decides_the_gaps():
    assert who_took_part(["fire"], [], {}).gap_labels == ["No voice from fire and rescue"]
    assert who_took_part([], [{"police"}], {}).gaps == []


def test_no_workshop_and_no_evidence_means_every_core_type_is_a_gap():
    found = who_took_part(CORE_PARTNER_TYPES, [], {})
    assert found.gaps == list(CORE_PARTNER_TYPES)
    assert all(p.voted == () for p in found.parts)


@pytest.mark.parametrize(
    ("org_type", "wording"),
    [("voluntary", "No voice from the voluntary sector"), ("jobcentre-plus", "No voice from Jobcentre Plus")],
)
def test_gap_wording(org_type, wording):
    assert no_voice_from(org_type) == wording


@pytest.mark.parametrize(
    ("actions", "rag"),
    [
        ([], RED),
        ([("done", date(2017, 1, 1))], GREEN),
        ([("done", None), ("done", date(2018, 1, 1))], GREEN),
        ([("in_progress", date(2017, 9, 30))], AMBER),
        ([("not_started", None), ("done", date(2016, 1, 1))], AMBER),
        ([("in_progress", date(2017, 5, 31)), ("done", None)], RED),  # overdue
        ([("not_started", TODAY)], AMBER),  # due today is not yet overdue
        ([("done", date(2016, 1, 1)), ("not_started", date(2017, 5, 1))], RED),
    ],
)
def test_strand_rag_from_the_action_plan(actions, rag):
    assert strand_rag(actions, TODAY) == rag
