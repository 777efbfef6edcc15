"""The payments' problem codes' meanings and fixes (`ProblemCode.PAYMENTS_*`), kept
here so the registry stays one readable page; the codes themselves are members of
`sheetbill.domain.problem_codes.ProblemCode`."""

from __future__ import annotations

# --- Payments tab: a row with an error is left out (nothing of it is applied).
PAYMENTS_BAD_CURRENCY = (
    "payments.bad-currency",
    "A payment's Currency is not an ISO 4217 code; the payment is left out.",
    "Write a code such as EUR, USD or JPY, or leave it blank for the Default Currency.",
)

PAYMENTS_BAD_INVOICE_NO = (
    "payments.bad-invoice-no",
    "A payment's Invoice No holds no invoice number (TRUE, a date, 0): it does "
    "not say which invoice the payment is for, so the payment is left out.",
    "Type the invoice number (several separated by commas), or clear the cell "
    "to let sheetbill match the payment.",
)

PAYMENTS_COPIED_ROW = (
    "payments.copied-row",
    "A payment has the Row ID of an earlier Payments row: it looks copied, and is "
    "left out so the money is not counted twice.",
    "If it is another payment, clear its Row ID; else delete the copy.",
)

PAYMENTS_ROW_ID_NOT_SHEETBILLS = (
    "payments.row-id-not-sheetbills",
    "A payment's Row ID holds something sheetbill did not write; the payment is "
    "left out while it is there.",
    "Clear the Row ID cell (keep a note in a column of your own); sheetbill then "
    "writes the payment's own Row ID.",
)

PAYMENTS_DUPLICATE_TRANSACTION = (
    "payments.duplicate-transaction",
    "Two payments have the same Transaction ID: the later row looks like a second "
    "copy of the same bank or processor transaction, and is left out.",
    "Delete the copy; if they are two transactions, correct the Transaction ID.",
)

# --- Payments: matching (a payment a person should look at; warnings)
PAYMENTS_UNMATCHED = (
    "payments.unmatched",
    "No invoice fits a payment (no number in its reference, no payer's invoice "
    "or sum of that amount, none alone in the date window); nothing applied.",
    "Type the invoice number it pays into Invoice No (several: comma "
    "separated), or set the exception's Status to ignored if it pays none.",
)

PAYMENTS_AMBIGUOUS = (
    "payments.ambiguous",
    "Several invoices fit a payment equally; sheetbill never guesses, so "
    "nothing is applied. The message lists them.",
    "Type the invoice number it pays into Invoice No.",
)

PAYMENTS_OVERPAID = (
    "payments.overpaid",
    "A payment is more than the open balance of its invoices: they are paid and "
    "the rest is kept as the customer's credit.",
    "Nothing, if the customer keeps the credit; type the numbers of the other "
    "invoices it pays into Invoice No, or add the refund as a Payments row.",
)

PAYMENTS_CURRENCY_MISMATCH = (
    "payments.currency-mismatch",
    "A payment names an invoice in another currency; nothing is applied.",
    "Check the invoice number; an invoice settled in another currency gets "
    "what it settled typed into its Paid.",
)

PAYMENTS_UNKNOWN_INVOICE = (
    "payments.unknown-invoice",
    "The Invoice No typed on a payment is no open invoice's; nothing applied.",
    "Correct the number, or clear the cell to let sheetbill match the payment.",
)

PAYMENTS_REFUND_UNMATCHED = (
    "payments.refund-unmatched",
    "A refund or chargeback names no invoice and no matched charge (or nothing "
    "is paid on the one it names); no invoice is reopened.",
    "Type the number of the invoice it refunds into Invoice No.",
)

# --- Payments: Paid
PAYMENTS_PAID_BY_HAND = (
    "payments.paid-by-hand",
    "An invoice's Paid was typed by hand while the Payments tab has payments matched "
    "to it: the typed Paid stands, and no reminder or receipt goes for the invoice "
    "until a person says which is right.",
    "Clear the Paid cell if it already counts those payments; else add the typed "
    "money as a Payments row with the Invoice No first, then clear Paid.",
)
