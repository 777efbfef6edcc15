"""The recurring plans' problem codes' meanings and fixes (`ProblemCode.RECURRING_*`),
kept here so the registry stays one readable page; the codes themselves are members
of `sheetbill.domain.problem_codes.ProblemCode`."""

from __future__ import annotations

# --- Recurring tab: a plan row with an error bills nothing until it is fixed.
RECURRING_DUPLICATE_PLAN_ID = (
    "recurring.duplicate-plan-id",
    "Two or more Recurring rows have the same Plan ID (a copied row?): none of them "
    "bills, so no period is billed twice.",
    "Give each plan its own Plan ID, or delete the copy.",
)

# --- Recurring: what a run decided about a plan (the planner's).
RECURRING_NEXT_DATE_EDITED = (
    "recurring.next-date-edited",
    "A plan's Next Date was changed by hand. It is sheetbill's cell: periods already "
    "billed are never billed again, and sheetbill writes the right date back.",
    "To bill from another day, change Start or Day; to stop for a while, set Active "
    "to no.",
)
