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

RECURRING_NO_PLAN_ID = (
    "recurring.no-plan-id",
    "A Recurring row has no Plan ID; it bills nothing (the Plan ID is what keeps "
    "each period billed once).",
    "Give the plan an ID of its own, such as P-004, and never change it later.",
)

RECURRING_BAD_FREQUENCY = (
    "recurring.bad-frequency",
    "A plan's Frequency is empty or not weekly, monthly, quarterly or yearly; the "
    "plan bills nothing.",
    "Choose weekly, monthly, quarterly or yearly (for every 2 months: monthly with "
    "Interval 2).",
)

RECURRING_BAD_INTERVAL = (
    "recurring.bad-interval",
    "A plan's Interval is not a whole number of 1 or more; the plan bills nothing.",
    "Type how many weeks, months, quarters or years one period lasts (2: every "
    "other), or leave it blank for 1.",
)

RECURRING_BAD_DAY = (
    "recurring.bad-day",
    "A plan's Day is not a day of its Frequency (weekly: 1 for Monday to 7 for "
    "Sunday; otherwise 1 to 31 or last); the plan bills nothing.",
    "Type the day as the message says, or leave it blank for the Start's day.",
)

RECURRING_BAD_START = (
    "recurring.bad-start",
    "A plan's Start is empty or not a date; the plan bills nothing.",
    "Type the day the plan's first period starts, such as 2026-11-01.",
)

RECURRING_BAD_END = (
    "recurring.bad-end",
    "A plan's End is not a date, or is before its Start; the plan bills nothing.",
    "Type the last day a period may start on (on or after Start), or leave it "
    "blank for a plan without end.",
)

RECURRING_BAD_COUNT = (
    "recurring.bad-count",
    "A plan's Count is not a whole number of 1 or more; the plan bills nothing.",
    "Type how many periods the plan bills in all, or leave it blank for no limit.",
)

RECURRING_BAD_BILLING = (
    "recurring.bad-billing",
    "A plan's Billing is neither in advance nor in arrears; the plan bills nothing.",
    "Choose in advance (billed on a period's first day) or in arrears (after its "
    "last day), or leave it blank.",
)

RECURRING_RETAINER_IN_ADVANCE = (
    "recurring.retainer-in-advance",
    "A retainer (a plan with Included Hours) is billed in advance, but its hours "
    "are only known once its period is over; the plan bills nothing.",
    "Set Billing to in arrears (or leave it blank), or clear Included Hours if the "
    "plan includes no hours.",
)

RECURRING_BAD_QUANTITY = (
    "recurring.bad-quantity",
    "A plan's Quantity is not a number above 0 with at most 5 decimals; the plan "
    "bills nothing.",
    "Type how many of the item each period bills, or leave it blank for 1.",
)

RECURRING_BAD_UNIT_PRICE = (
    "recurring.bad-unit-price",
    "A plan's Unit Price is empty, not an amount, or below 0; the plan bills nothing.",
    "Type the price of one period's item in the customer's currency, such as 1500.00.",
)

RECURRING_BAD_INCLUDED_HOURS = (
    "recurring.bad-included-hours",
    "A retainer's Included Hours is not a number of hours of 0 or more; the plan "
    "bills nothing.",
    "Type the hours each period includes, such as 10, or leave it blank for a plan "
    "without hours.",
)

RECURRING_BAD_ROLLOVER_HOURS = (
    "recurring.bad-rollover-hours",
    "A retainer's Max Rollover Hours is not a number of hours of 0 or more; the "
    "plan bills nothing.",
    "Type how many unused hours may carry to the next period, or leave it blank "
    "for none.",
)

RECURRING_ROLLOVER_WITHOUT_HOURS = (
    "recurring.rollover-without-hours",
    "A plan has Max Rollover Hours but no Included Hours: it reads as a retainer "
    "whose hours were forgotten, so it bills nothing rather than bill its time "
    "rows as ordinary time.",
    "Fill in Included Hours (the hours each period includes), or clear Max Rollover "
    "Hours.",
)

RECURRING_BAD_AUTO_SEND = (
    "recurring.bad-auto-send",
    "A plan's Auto Send is not yes or no; the plan bills nothing.",
    "Choose yes (sent by itself), no (left for a person to send) or leave it blank "
    "(as the Settings' Send Invoices says).",
)

RECURRING_BAD_ACTIVE = (
    "recurring.bad-active",
    "A plan's Active is not yes or no; the plan bills nothing.",
    "Choose yes, or no to pause the plan (its periods are then skipped, never "
    "billed later); blank is yes.",
)

# --- Recurring: what a run decided about a plan (the planner's).
RECURRING_NEXT_DATE_EDITED = (
    "recurring.next-date-edited",
    "A plan's Next Date was changed by hand. It is sheetbill's cell: periods already "
    "billed are never billed again, and sheetbill writes the right date back.",
    "To bill from another day, change Start or Day; to stop for a while, set Active "
    "to no.",
)

RECURRING_AUTO_SEND_HELD = (
    "recurring.auto-send-held",
    "A plan says Auto Send yes, but the Settings' Send Invoices is after review, "
    "which holds every invoice for a person's send: the plan's invoices wait too "
    "(the Settings are the shop's one brake on emailing).",
    "Set Send Invoices to automatically to let the plans with Auto Send yes go by "
    "themselves (Auto Send no keeps a plan's invoices for review), or write send "
    "in each invoice's Send cell.",
)

RECURRING_PLAN_ID_CHANGED = (
    "recurring.plan-id-changed",
    "A plan row shows in Last Invoice an invoice another Plan ID billed: its Plan ID "
    "looks changed (or the row copied over). It bills nothing, so no period is "
    "billed twice under the new ID.",
    "Put the Plan ID back; for a new plan on this row, clear Last Invoice and Next "
    "Date as well.",
)

RECURRING_DESCRIPTION_TOO_LONG = (
    "recurring.description-too-long",
    "A plan's Description is so long that its invoice line (the Description and the "
    "period's name) would not fit a cell of the Invoices tab; the plan bills nothing.",
    "Shorten the Description (the period's name is added to it on each invoice).",
)

RECURRING_PLAN_HELD = (
    "recurring.plan-held",
    "A plan's customer has an error that holds all its invoices (a missing detail "
    "its e-invoices need, a tax reason, text no font prints): the plan bills "
    "nothing meanwhile. Its periods are billed once that is fixed, each once.",
    "Fix the customer's row as its own exception says.",
)

RECURRING_NEVER_BILLS = (
    "recurring.never-bills",
    "A plan's End comes before its first period starts (the first Day on or after "
    "Start): the plan has no period and never bills.",
    "Check Start, Day and End: End is the last day a period may start on.",
)

RECURRING_LATE_RETAINER_ROW = (
    "recurring.late-retainer-row",
    "A time row of a retainer's customer (and project) is dated in a period of the "
    "retainer that was already billed: that invoice is final, so the row is billed "
    "as ordinary time at its rate, not drawn from the period's included hours.",
    "If the retainer's hours should cover it, set the row's Billable to no; "
    "otherwise nothing is to do.",
)
