"""A strand's red, amber or green status, read from its action plan (the next steps).

Hampshire's one-page summary set a red/amber/green status beside each strand with a next-steps
plan (toolkit, Annex 3 and the Hampshire case example). Here the status says how the plan to
reach the next stage stands, not how mature the strand is:

- red: no next step is planned for the strand, or a step not yet done is past its due date;
- amber: steps are planned and none is overdue, but some are not yet done;
- green: every planned step is done.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

RED, AMBER, GREEN = "red", "amber", "green"
RAG_LABELS = {RED: "Red", AMBER: "Amber", GREEN: "Green"}
RAG_MEANINGS = {
    RED: "no next step planned, or a step is overdue",
    AMBER: "next steps planned and on time, not all done yet",
    GREEN: "every planned next step is done",
}


def strand_rag(actions: Iterable[tuple[str, date | None]], today: date) -> str:
    """RAG from a strand's actions as (status, due date) pairs."""
    steps = list(actions)
    if not steps:
        return RED
    open_steps = [due for status, due in steps if status != "done"]
    if any(due is not None and due < today for due in open_steps):
        return RED
    return AMBER if open_steps else GREEN
