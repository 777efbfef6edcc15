"""Every kind of problem sheetbill reports, with a stable code, its meaning and fix.

A code names a kind of problem, not one wording of it: scripts reading `check --json`
and code deciding what a problem stops key on it, never on message text, so the
messages may be reworded freely. Codes never change once released; `docs/problems.md`
is made from this registry (`make problems`).
"""

from __future__ import annotations

from enum import StrEnum, unique

from sheetbill.domain import payment_problems as payment_texts
from sheetbill.domain import recurring_problems as recurring_texts

# What happens while a setting cannot be read, said once for every setting's code.
_UNREADABLE_SETTING = (
    "While a setting every invoice needs cannot be read no invoice is made; any other "
    "keeps its default (the message says which)."
)


def _bad_setting(code: str, key: str, how: str) -> tuple[str, str, str]:
    """A code for the Value of the setting `key` that cannot be read."""
    return (
        code,
        f"The Value of the setting '{key}' cannot be read. {_UNREADABLE_SETTING}",
        f"Write it as {how}.",
    )


@unique
class ProblemCode(StrEnum):
    """The kind of a `Problem`: its code (`<tab-or-area>.<what-is-wrong>`), with what
    it means and how to fix it in general (each message says it for its cell)."""

    meaning: str
    fix: str

    def __new__(cls, code: str, meaning: str, fix: str) -> ProblemCode:
        member = str.__new__(cls, code)
        member._value_ = code
        member.meaning = meaning
        member.fix = fix
        return member

    @property
    def area(self) -> str:
        """The tab or area the code belongs to ("time-log" of "time-log.no-rate")."""
        return self.value.partition(".")[0]

    # Any cell of a row the input tabs hold.
    CELL_EMPTY = (
        "cell.empty",
        "A cell the row needs is empty; the row is not billed.",
        "Fill in the cell.",
    )
    CELL_UNREADABLE = (
        "cell.unreadable",
        "A cell's value does not fit its column (not a date, a number, yes or no, "
        "one of the choices ...); the row is not billed.",
        "Type the value as the message shows.",
    )
    CELL_FORMULA_FAILED = (
        "cell.formula-failed",
        "A cell's formula failed (#N/A, #DIV/0! ...) or its result was never saved; "
        "its value is never read as 0 or blank, so the row is not billed.",
        "Fix the formula or type the value; a file saved by a program that does not "
        "calculate formulas is saved again in Excel or LibreOffice.",
    )
    CELL_TOO_LONG = (
        "cell.too-long",
        "A cell holds more text than a spreadsheet cell can; the row is not billed.",
        "Shorten the text.",
    )
    CELL_AMBIGUOUS_DATE = (
        "cell.ambiguous-date",
        "A date typed as text (3/11/2026) names another day when read the other way "
        "round; it was read in the Locale's order (one warning per run).",
        "Nothing, if it was read as meant; else type dates as 2026-11-03 or format the "
        "cells as dates, or change the Locale in Settings.",
    )

    # The tabs' header rows.
    HEADERS_MISSING_COLUMN = (
        "headers.missing-column",
        "A tab lacks a column it cannot be read without; none of its rows are used.",
        "Add the column, rename the header that holds it, or name that header as an "
        "alias in sheetbill.toml.",
    )
    HEADERS_SIMILAR_COLUMN = (
        "headers.similar-column",
        "A tab lacks an optional column but has a header that looks like it; the "
        "column is not read.",
        "Rename the header, or name it as an alias in sheetbill.toml.",
    )
    HEADERS_DUPLICATE_COLUMN = (
        "headers.duplicate-column",
        "Two columns of a tab have the same header; the first one is read.",
        "Rename or remove the other column.",
    )

    # The Settings tab.
    SETTINGS_NO_TAB = (
        "settings.no-tab",
        "The workbook has no Settings tab; no invoice is made.",
        "Run 'sheetbill init' on the workbook to add it, then fill it in.",
    )
    SETTINGS_UNKNOWN_KEY = (
        "settings.unknown-key",
        "A Settings row has a Key sheetbill does not know; the row is not read.",
        "Check the spelling against the starter workbook's keys.",
    )
    SETTINGS_REQUIRED_VALUE_EMPTY = (
        "settings.required-value-empty",
        "A setting every invoice needs (Company Name, Company Street, Default Tax "
        "Rate) is empty or has no row; no invoice is made.",
        "Fill in its Value (or add the row: 'sheetbill init' adds missing rows).",
    )
    SETTINGS_NO_BANK_DETAILS = (
        "settings.no-bank-details",
        "The IBAN setting is empty or missing: invoices print no bank details.",
        "Fill in the IBAN customers pay into, or set the exception's Status to "
        "ignored if you are paid another way.",
    )
    SETTINGS_LOGO_UNUSABLE = (
        "settings.logo-unusable",
        "The file the Logo Path names cannot be printed (missing, too large, not a "
        "PNG, JPEG or SVG); invoices are made without a logo.",
        "Correct the Logo Path or the file.",
    )
    SETTINGS_BAD_COMPANY_NAME = _bad_setting(
        "settings.bad-company-name", "Company Name", "your company's legal name"
    )
    SETTINGS_BAD_COMPANY_STREET = _bad_setting(
        "settings.bad-company-street", "Company Street", "street and house number"
    )
    SETTINGS_BAD_COMPANY_POSTCODE = _bad_setting(
        "settings.bad-company-postcode", "Company Postcode", "the postcode"
    )
    SETTINGS_BAD_COMPANY_CITY = _bad_setting(
        "settings.bad-company-city", "Company City", "the city"
    )
    SETTINGS_BAD_COMPANY_COUNTRY = _bad_setting(
        "settings.bad-company-country", "Company Country", "a two-letter code, e.g. DE"
    )
    SETTINGS_BAD_COMPANY_TAX_ID = _bad_setting(
        "settings.bad-company-tax-id", "Company Tax ID", "your VAT number"
    )
    SETTINGS_BAD_CONTACT_NAME = _bad_setting(
        "settings.bad-contact-name", "Contact Name", "a person or desk, e.g. Accounts"
    )
    SETTINGS_BAD_CONTACT_PHONE = _bad_setting(
        "settings.bad-contact-phone", "Contact Phone", "a number, e.g. +49 30 1234567"
    )
    SETTINGS_BAD_CONTACT_EMAIL = _bad_setting(
        "settings.bad-contact-email", "Contact Email", "one address"
    )
    SETTINGS_BAD_IBAN = _bad_setting("settings.bad-iban", "IBAN", "the IBAN")
    SETTINGS_BAD_BIC = _bad_setting("settings.bad-bic", "BIC", "the BIC")
    SETTINGS_BAD_LOGO_PATH = _bad_setting(
        "settings.bad-logo-path", "Logo Path", "a path to an image file"
    )
    SETTINGS_BAD_DEFAULT_CURRENCY = _bad_setting(
        "settings.bad-default-currency", "Default Currency", "an ISO code, e.g. EUR"
    )
    SETTINGS_BAD_DEFAULT_TAX_RATE = _bad_setting(
        "settings.bad-default-tax-rate", "Default Tax Rate", "a percent, e.g. 19"
    )
    SETTINGS_BAD_TAX_MODE = _bad_setting(
        "settings.bad-tax-mode", "Tax Mode", "exclusive or inclusive"
    )
    SETTINGS_BAD_PAYMENT_TERMS_DAYS = _bad_setting(
        "settings.bad-payment-terms-days",
        "Payment Terms Days",
        "a whole number of days, e.g. 30",
    )
    SETTINGS_BAD_NUMBER_PATTERN = _bad_setting(
        "settings.bad-number-pattern",
        "Number Pattern",
        "a pattern with one {seq:04}, e.g. INV-{yyyy}-{seq:04}",
    )
    SETTINGS_BAD_CREDIT_NOTE_PATTERN = _bad_setting(
        "settings.bad-credit-note-pattern",
        "Credit Note Pattern",
        "a pattern with one {seq:04}, e.g. CN-{yyyy}-{seq:04}",
    )
    SETTINGS_BAD_APPROVAL_THRESHOLD = _bad_setting(
        "settings.bad-approval-threshold",
        "Approval Threshold",
        "one amount per currency, e.g. 25000 EUR; 30000 USD",
    )
    SETTINGS_BAD_APPROVERS = _bad_setting(
        "settings.bad-approvers", "Approvers", "names separated by commas"
    )
    SETTINGS_BAD_BILLING_OWNER = _bad_setting(
        "settings.bad-billing-owner",
        "Billing Owner",
        "an email address, e.g. billing@example.com, or several separated by commas "
        "(no digest of problems goes to one that is not valid)",
    )
    SETTINGS_BAD_REMINDER_SCHEDULE = _bad_setting(
        "settings.bad-reminder-schedule",
        "Reminder Schedule",
        "days from the due date, e.g. -3, +1, +7, +14, +30",
    )
    SETTINGS_BAD_SEND_INVOICES = _bad_setting(
        "settings.bad-send-invoices",
        "Send Invoices",
        "automatically or after review",
    )
    SETTINGS_BAD_LOCALE = _bad_setting(
        "settings.bad-locale", "Locale", "a locale, e.g. en_US or de_DE"
    )
    SETTINGS_BAD_TIMEZONE = _bad_setting(
        "settings.bad-timezone", "Timezone", "a time zone, e.g. Europe/Berlin"
    )
    SETTINGS_BAD_ROUNDING = _bad_setting(
        "settings.bad-rounding", "Rounding", "half-up or half-even"
    )
    SETTINGS_BAD_HOURS_INCREMENT = _bad_setting(
        "settings.bad-hours-increment", "Hours Increment", "a number above 0, e.g. 0.25"
    )
    SETTINGS_BAD_HOURS_ROUNDING = _bad_setting(
        "settings.bad-hours-rounding", "Hours Rounding", "nearest, up or down"
    )
    SETTINGS_BAD_HOURS_PER_DAY = _bad_setting(
        "settings.bad-hours-per-day", "Hours Per Day", "a number above 0, e.g. 8"
    )
    SETTINGS_BAD_LINE_GROUPING = _bad_setting(
        "settings.bad-line-grouping",
        "Line Grouping",
        "project+activity, entry, person or day",
    )
    SETTINGS_BAD_MAX_HOURS_PER_ENTRY = _bad_setting(
        "settings.bad-max-hours-per-entry",
        "Max Hours Per Entry",
        "a number above 0, e.g. 24",
    )

    # The Customers tab.
    CUSTOMERS_NO_TAB = (
        "customers.no-tab",
        "The workbook has no Customers tab; nothing is billed.",
        "Run 'sheetbill init' on the workbook to add it.",
    )
    CUSTOMERS_DUPLICATE_ID = (
        "customers.duplicate-id",
        "Two customers have the same Customer ID; the later row is ignored.",
        "Give each customer its own ID.",
    )
    CUSTOMERS_BAD_CURRENCY = (
        "customers.bad-currency",
        "A customer's Currency is not an ISO 4217 code; the customer is not billed.",
        "Write a code such as EUR, USD or JPY.",
    )
    CUSTOMERS_BAD_TERMS_DAYS = (
        "customers.bad-terms-days",
        "A customer's Terms Days is not a whole number of days up to ten years; the "
        "customer is not billed.",
        "Write the payment terms in days, e.g. 30.",
    )
    CUSTOMERS_BAD_TAX_MODE = (
        "customers.bad-tax-mode",
        "A customer's Tax Mode is not exclusive or inclusive; the customer is not "
        "billed.",
        "Write exclusive or inclusive, or leave it blank for the Settings' one.",
    )
    CUSTOMERS_BAD_STATUS = (
        "customers.bad-status",
        "A customer's Status is not active or inactive; the customer is billed as "
        "active.",
        "Choose active or inactive.",
    )
    CUSTOMERS_BAD_EMAIL = (
        "customers.bad-email",
        "A customer's Email or CC holds something that is not a valid email address.",
        "Write one address in Email and any more, separated by commas, in CC.",
    )
    CUSTOMERS_LINE_BREAK = (
        "customers.line-break",
        "A customer's Name, Email or CC holds a line break, which could add lines to "
        "an email's header; no email goes to the customer (it is billed as before).",
        "Write the name or address on one line; separate CC addresses by commas.",
    )
    CUSTOMERS_BAD_OWNER = (
        "customers.bad-owner",
        "A customer's Owner names something that is not a valid email address; no "
        "digest of the customer's problems goes to it (they go to the Billing Owner "
        "when no address in Owner is valid).",
        "Write an email address in Owner, or several separated by commas; a name may "
        "stand before each as Name <address>.",
    )
    CUSTOMERS_NO_EMAIL = (
        "customers.no-email",
        "A customer has an invoice to email but no Email; nothing is emailed to it.",
        "Write the customer's billing address in Email, or write sent in the "
        "invoice's Send cell if it reached the customer another way.",
    )
    CUSTOMERS_BAD_IBAN = (
        "customers.bad-iban",
        "An IBAN in a customer's IBAN cell is not a valid IBAN (its length or check "
        "digits are wrong); payments from it are not recognised as the customer's.",
        "Correct the IBAN as the customer's bank writes it; separate several by ';'.",
    )
    CUSTOMERS_UNKNOWN_COUNTRY = (
        "customers.unknown-country",
        "A customer's Country is not one sheetbill knows; it is printed as typed.",
        "Write the two-letter country code, e.g. DE, FR or US.",
    )

    # The Rates tab: a row with an error prices nothing.
    RATES_UNKNOWN_CUSTOMER = (
        "rates.unknown-customer",
        "A Rates row names a Customer ID no customer has; it prices nothing.",
        "Use an ID from the Customers tab, or leave it blank for a default rate.",
    )
    RATES_NEGATIVE_RATE = (
        "rates.negative-rate",
        "A Rates row's Rate is negative; it prices nothing.",
        "Write the rate as a positive amount.",
    )
    RATES_BAD_UNIT = (
        "rates.bad-unit",
        "A Rates row's Unit is not hour, day or item; it prices nothing.",
        "Choose hour, day or item.",
    )
    RATES_BAD_CURRENCY = (
        "rates.bad-currency",
        "A Rates row's Currency is not an ISO 4217 code; it prices nothing.",
        "Write a code such as EUR, or leave it blank for the customer's currency.",
    )
    RATES_CURRENCY_DIFFERS = (
        "rates.currency-differs",
        "A Rates row's Currency differs from its customer's; it prices nothing "
        "(sheetbill never converts currencies).",
        "Make the rate's currency match the customer's, or leave it blank.",
    )
    RATES_DATES_REVERSED = (
        "rates.dates-reversed",
        "A Rates row's Valid To is before its Valid From; it prices nothing.",
        "Swap or correct the dates.",
    )

    # Rows of the Time Log and Orders tabs alike: the rows that are billed.
    ROW_COPIED = (
        "row.copied",
        "A row has the Row ID of an earlier row: it looks copied, and is not billed.",
        "If the row is new work, clear its Invoice No and Row ID cells.",
    )
    ROW_ID_NOT_SHEETBILLS = (
        "row.row-id-not-sheetbills",
        "A row's Row ID cell holds a value sheetbill did not write (a number, a date, "
        "TRUE or FALSE, text that is no Row ID); the row is not billed while it is "
        "there, so the value is never written over.",
        "Clear the Row ID cell (keep a note in a column of your own); sheetbill "
        "writes the Row ID when it bills the row.",
    )
    ROW_INVOICE_NO_UNCLEAR = (
        "row.invoice-no-unclear",
        "A row's Invoice No holds TRUE or FALSE, a date or time, 0 or another number "
        "no invoice has: it does not say whether the row was billed, so it is not "
        "billed.",
        "If the row was billed elsewhere, type that invoice's number; if it is still "
        "to bill, clear the cell.",
    )
    ROW_CHANGED_AFTER_BILLING = (
        "row.changed-after-billing",
        "A row sheetbill billed has been changed since; the invoice does not show "
        "the change.",
        "Undo the change, or correct the invoice with a credit note and enter the "
        "work again as a new row.",
    )
    ROW_INVOICE_NO_CLEARED = (
        "row.invoice-no-cleared",
        "A billed row's Invoice No was cleared; it is not billed again.",
        "Write the invoice number back; to bill the row again, credit the old "
        "invoice and add a new row.",
    )
    ROW_BILLED_BEFORE = (
        "row.billed-before",
        "The state database records a row as billed, but the workbook no longer "
        "shows it (restored from a backup, or saved over); it is not billed again.",
        "Write the Invoice No and Row ID back, or open the newest backup.",
    )
    ROW_UNKNOWN_CUSTOMER = (
        "row.unknown-customer",
        "A row names a Customer ID no customer has; it is not billed.",
        "Use an ID from the Customers tab, or add the customer there.",
    )
    ROW_INACTIVE_CUSTOMER = (
        "row.inactive-customer",
        "A row is for a customer marked inactive; it is not billed.",
        "Set the customer's Status to active, or set the row's Billable to no.",
    )
    ROW_FUTURE_DATE = (
        "row.future-date",
        "A row's Date is after the run's date; it is billed once that day has come.",
        "Check the date.",
    )
    ROW_AMOUNT_TOO_LARGE = (
        "row.amount-too-large",
        "A row's quantity times its price is too large for one invoice line; it is "
        "not billed.",
        "Check the quantity and the price (or rate).",
    )

    # The Time Log tab.
    TIME_LOG_NO_HOURS = (
        "time-log.no-hours",
        "A time entry has neither Hours nor Start and End; it is not billed.",
        "Fill in Hours, or Start and End.",
    )
    TIME_LOG_HOURS_NOT_POSITIVE = (
        "time-log.hours-not-positive",
        "A time entry's Hours are 0 or less; it is not billed.",
        "Write the hours worked, e.g. 1.5.",
    )
    TIME_LOG_TOO_MANY_HOURS = (
        "time-log.too-many-hours",
        "A time entry has more hours than the Settings' Max Hours Per Entry; it is "
        "not billed.",
        "Check the number; split long work into one row per day.",
    )
    TIME_LOG_NO_RATE = (
        "time-log.no-rate",
        "No Rates row applies to a time entry; it is not billed. The message names "
        "the closest row and what keeps it from applying.",
        "Add a Rates row for this work, or correct the entry or the closest row.",
    )
    TIME_LOG_TIED_RATES = (
        "time-log.tied-rates",
        "Two or more Rates rows apply to a time entry equally; it is not billed.",
        "Make one of them more specific, or give them dates that do not overlap.",
    )
    TIME_LOG_RATE_CURRENCY_DIFFERS = (
        "time-log.rate-currency-differs",
        "The rate that applies to a time entry is in another currency than its "
        "customer's; it is not billed.",
        "Add a rate in the customer's currency for this work.",
    )

    # The Orders tab.
    ORDERS_ZERO_QUANTITY = (
        "orders.zero-quantity",
        "An order's Quantity is 0; it is not billed.",
        "Write the quantity, or delete the row.",
    )
    ORDERS_QUANTITY_DECIMALS = (
        "orders.quantity-decimals",
        "An order's Quantity has more decimals than an invoice bills; it is billed "
        "rounded.",
        "Type the quantity with fewer decimals if the rounding is not meant.",
    )
    ORDERS_NO_PRICE = (
        "orders.no-price",
        "An order has no Unit Price and no Rates row prices its item; it is not "
        "billed.",
        "Fill in the Unit Price, or add a Rates row with Unit 'item' and the item's "
        "name in Activity.",
    )

    # Tax: which rate and VAT category a line has, and what the law asks of them.
    TAX_NO_RATE = (
        "tax.no-rate",
        "A customer has no Tax Rate and the Settings have no Default Tax Rate row; "
        "its rows without a rate of their own are not billed.",
        "Fill in the customer's Tax Rate, or add a Default Tax Rate row to Settings.",
    )
    TAX_CATEGORY_CONTRADICTS_RATE = (
        "tax.category-contradicts-rate",
        "A Tax Category contradicts the tax rate beside it (standard at 0 %, or a "
        "category without VAT with a rate above 0); the rows are not billed.",
        "Correct the Tax Rate or the Tax Category.",
    )
    TAX_NO_BUYER_VAT_ID = (
        "tax.no-buyer-vat-id",
        "A customer is billed under reverse charge or intra-community supply but "
        "has no Tax ID; its rows are not billed.",
        "Fill in the customer's VAT ID, or choose another Tax Category.",
    )
    TAX_EXEMPT_WITHOUT_NOTE = (
        "tax.exempt-without-note",
        "A customer is billed as exempt from VAT, but no Invoice Note names the "
        "exemption the invoice must refer to.",
        "Fill in the Invoice Note with the provision that exempts it.",
    )
    TAX_ZERO_RATE_UNEXPLAINED = (
        "tax.zero-rate-unexplained",
        "Lines are billed at 0 % tax, but neither a Tax Category nor an Invoice Note "
        "says why.",
        "Choose the Tax Category, or write the reason in the Invoice Note.",
    )
    TAX_E_INVOICE_WITHOUT_CATEGORY = (
        "tax.e-invoice-without-category",
        "A customer gets e-invoices at 0 % tax, but no Tax Category says why (an "
        "e-invoice must state it); its rows are not billed.",
        "Choose the Tax Category, or give it a Tax Rate above 0.",
    )
    TAX_NO_SELLER_VAT_ID = (
        "tax.no-seller-vat-id",
        "Invoices that charge tax or use reverse charge are made, but the setting "
        "Company Tax ID is empty.",
        "Fill in Company Tax ID with your VAT number.",
    )

    # E-invoices (Factur-X, XRechnung).
    E_INVOICE_UNKNOWN_KIND = (
        "e-invoice.unknown-kind",
        "A customer's E-Invoice is not an e-invoice sheetbill makes; its rows are not "
        "billed.",
        "Choose none, factur-x or xrechnung.",
    )
    E_INVOICE_BUYER_DETAIL_MISSING = (
        "e-invoice.buyer-detail-missing",
        "A customer gets e-invoices, which need a detail of the buyer (country, "
        "postcode, city, reference, email) that is missing; its rows are not billed.",
        "Fill in the cell, or set E-Invoice to none.",
    )
    E_INVOICE_CURRENCY_DECIMALS = (
        "e-invoice.currency-decimals",
        "A customer gets e-invoices but is billed in a currency with more than 2 "
        "decimals, which EN 16931 refuses; its rows are not billed.",
        "Set E-Invoice to none, or bill the customer in another currency.",
    )
    E_INVOICE_BAD_LEITWEG_ID = (
        "e-invoice.bad-leitweg-id",
        "A Buyer Reference looks like a Leitweg-ID but its check digits do not "
        "match: the buyer's portal may not route the invoice.",
        "Copy the Leitweg-ID again from the buyer's order or letter.",
    )
    E_INVOICE_SELLER_DETAIL_MISSING = (
        "e-invoice.seller-detail-missing",
        "Customers get e-invoices, which need a setting of the seller that is empty, "
        "missing or unfit; their rows are not billed.",
        "Fill in the setting's Value.",
    )

    # Characters a document cannot show or carry.
    PRINTABLE_UNPRINTABLE_CHARACTER = (
        "printable.unprintable-character",
        "A cell an invoice prints holds a character no PDF can show or no e-invoice "
        "can carry; what it is for is not billed (in Settings: no invoice is made).",
        "Remove the character or type the text again.",
    )

    # Documents (PDFs) and where they go.
    PDF_CELL_REFUSED = (
        "pdf.cell-refused",
        "A PDF was not made because a cell behind its invoice holds a character no "
        "document may hold; it is made on the next run once the cell is fixed.",
        "Type the text of the cell again.",
    )
    PDF_CUSTOMER_INVALID = (
        "pdf.customer-invalid",
        "A PDF was not made: its customer is not a valid row of Customers now.",
        "Fix the customer's row; the PDF is made on the next run.",
    )
    PDF_TEMPLATE_FAILED = (
        "pdf.template-failed",
        "A PDF could not be made because of the invoice template.",
        "Fix the template the message names, or remove 'templates' from "
        "sheetbill.toml to use the built-in one.",
    )
    PDF_NOT_MADE = (
        "pdf.not-made",
        "A PDF could not be made for a reason sheetbill cannot place; the other "
        "invoices were made.",
        "Look for unusual text in the invoice's cells; if it keeps failing, send the "
        "message to whoever looks after sheetbill.",
    )
    PDF_FOLDER_TAKEN = (
        "pdf.folder-taken",
        "The PDF folder holds another workbook's PDFs; no PDF was made.",
        "Give this workbook a folder of its own, e.g. pdf_folder = "
        '"invoices/{workbook}" in sheetbill.toml.',
    )
    PDF_FOREIGN_FILE = (
        "pdf.foreign-file",
        "A file this workbook did not make is where its PDF belongs; it was left as "
        "it is and the PDF was not made.",
        "Move the file elsewhere, or give this workbook its own PDF folder.",
    )
    PDF_UPLOAD_FAILED = (
        "pdf.upload-failed",
        "A PDF could not be uploaded to Drive; the upload is tried again next run.",
        "Check 'pdf_drive_folder' and that the Google account may add files there.",
    )

    # Invoices: the lines to make and sheetbill's own rows in its tabs.
    INVOICES_LINE_TEXT_TOO_LONG = (
        "invoices.line-text-too-long",
        "An invoice line would need more text than a cell holds; the customer's rows "
        "are not billed.",
        "Shorten the text, or bill the rows in smaller groups.",
    )
    INVOICES_ROW_CHANGED_WHILE_BILLING = (
        "invoices.row-changed-while-billing",
        "A row billed by an interrupted run was changed or moved before the run "
        "finished; the invoice shows it as it was.",
        "Check the invoice against the row; correct it with a credit note if they "
        "differ.",
    )
    INVOICES_WRITTEN_ROW_GONE = (
        "invoices.written-row-gone",
        "An invoice sheetbill wrote is no longer in the Invoices or Invoice Lines "
        "tab; it is not written again.",
        "Put the rows back (Undo, or copy them from a backup).",
    )
    INVOICES_BAD_PAID = (
        "invoices.bad-paid",
        "An invoice's Paid is not an amount of 0 or more; nothing is emailed about "
        "the invoice and its Status and Balance stay as they are until it is.",
        "Type what was paid so far as a number, e.g. 1190.00 (blank: nothing paid).",
    )
    INVOICES_BAD_SEND = (
        "invoices.bad-send",
        "An invoice's Send is not send, sent or resend; it is read as blank.",
        "Choose send, sent or resend, or leave it blank.",
    )
    INVOICES_NO_SEND_COLUMN = (
        "invoices.no-send-column",
        "Invoices wait for a word in the Invoices tab's Send column (send, sent or "
        "resend), but the tab has no Send column.",
        "Run sheetbill init on the workbook (it adds the column), or add a column "
        "headed Send to the Invoices tab.",
    )
    INVOICES_DETAIL_CHANGED = (
        "invoices.detail-changed",
        "An invoice's Due Date, Total or Currency in the Invoices tab is not what "
        "the invoice says; reminders, Balance and Status go by the invoice as made.",
        "Put the value back: an issued invoice is changed only by a credit note.",
    )
    INVOICES_DUPLICATE_NUMBER = (
        "invoices.duplicate-number",
        "An invoice number is on more than one row of the Invoices tab; no PDF link "
        "is written on them.",
        "Delete the copied row, or give a row added by hand a number of its own.",
    )

    # Approvals of invoices above the Approval Threshold.
    APPROVALS_THRESHOLD_MISSING_CURRENCY = (
        "approvals.threshold-missing-currency",
        "The Approval Threshold has no amount in a customer's currency, so every "
        "invoice in it waits for approval.",
        "Add an amount for each currency to the Approval Threshold.",
    )
    APPROVALS_NO_APPROVERS = (
        "approvals.no-approvers",
        "A name was written in Approve, but the setting Approvers is empty, so "
        "nobody may approve.",
        "Fill in the Approvers setting with the names of who may approve.",
    )
    APPROVALS_NOT_AN_APPROVER = (
        "approvals.not-an-approver",
        "The name in Approve is not one of the Approvers in Settings; the invoice "
        "stays awaiting approval.",
        "An approver writes their own name, or add the name to Approvers.",
    )
    APPROVALS_WORKERS_UNKNOWN = (
        "approvals.workers-unknown",
        "Who did the work billed on an invoice is not known, so no approval of it "
        "can be taken.",
        "Put the invoice's Time Log rows back with their Row IDs, then run again.",
    )
    APPROVALS_OWN_WORK = (
        "approvals.own-work",
        "An approver may not approve an invoice for their own work.",
        "Another approver writes their name in Approve.",
    )
    APPROVALS_OWN_INVOICE = (
        "approvals.own-invoice",
        "An approver may not approve an invoice they created.",
        "Another approver writes their name in Approve.",
    )
    APPROVALS_VOID_NOT_SUPPORTED = (
        "approvals.void-not-supported",
        "An invoice is marked Void, but sheetbill does not void invoices yet: "
        "nothing was voided.",
        "Cancel the invoice with a credit note made by hand, then write no in Void "
        "(or set the exception's Status to ignored).",
    )
    # (Its code is older than sending: every Status is judged so now.)
    APPROVALS_STATUS_CHANGED = (
        "approvals.status-changed",
        "An invoice's Status was changed by hand; sheetbill sets it back.",
        "Leave Status to sheetbill; keep your own notes in the Note column.",
    )

    # Sending, as a run carries it out.
    MAIL_NOT_RENDERED = (
        "mail.not-rendered",
        "An email was not sent: its template could not be filled in, or its PDF is "
        "missing or was changed since sheetbill made it.",
        "Correct the template named (or let sheetbill make the PDF again by removing "
        "the changed file), then run again.",
    )
    MAIL_NO_SENDER = (
        "mail.no-sender",
        "Emails are due but no sender address is known: neither [mail] from in "
        "sheetbill.toml nor the Settings' Contact Email names one; nothing was sent.",
        "Write the address invoices come from into Settings Contact Email (or [mail] "
        "from in sheetbill.toml).",
    )
    MAIL_NOT_DELIVERED = (
        "mail.not-delivered",
        "The mail server could not be reached or asked to try later: the emails wait "
        "and go with the next run.",
        "Nothing to do if it passes; else check [mail] host, port and security in "
        "sheetbill.toml and the network.",
    )
    # Emails: those the mail server may or may not have taken, or refused.
    EMAIL_NEEDS_REVIEW = (
        "email.needs-review",
        "An email was handed to the mail server, but whether it arrived is not "
        "known; it is never sent again by itself, and nothing more is emailed about "
        "its invoice until a person says.",
        "Write sent in the invoice's Send cell if it arrived, or resend to send it "
        "once more.",
    )
    EMAIL_REFUSED = (
        "email.refused",
        "The mail server refused an email for good; it is tried again only once "
        "its addresses change, or a person writes resend.",
        "Read the server's answer: correct the address it refused, or write resend "
        "in the invoice's Send cell.",
    )

    # The state database.
    STATE_UNKNOWN_NUMBERS = (
        "state.unknown-numbers",
        "The workbook shows invoice numbers or Row IDs its state database never "
        "drew (missing, empty or another copy's): a run would stop.",
        "Put the right state database back, or run 'sheetbill state rebuild'.",
    )
    # --- Payments tab: a row with an error is left out (nothing of it is applied).
    PAYMENTS_BAD_CURRENCY = payment_texts.PAYMENTS_BAD_CURRENCY
    PAYMENTS_BAD_INVOICE_NO = payment_texts.PAYMENTS_BAD_INVOICE_NO
    PAYMENTS_COPIED_ROW = payment_texts.PAYMENTS_COPIED_ROW
    PAYMENTS_ROW_ID_NOT_SHEETBILLS = payment_texts.PAYMENTS_ROW_ID_NOT_SHEETBILLS
    PAYMENTS_DUPLICATE_TRANSACTION = payment_texts.PAYMENTS_DUPLICATE_TRANSACTION
    # --- Payments: matching (a payment a person should look at; warnings)
    PAYMENTS_UNMATCHED = payment_texts.PAYMENTS_UNMATCHED
    PAYMENTS_AMBIGUOUS = payment_texts.PAYMENTS_AMBIGUOUS
    PAYMENTS_OVERPAID = payment_texts.PAYMENTS_OVERPAID
    PAYMENTS_CURRENCY_MISMATCH = payment_texts.PAYMENTS_CURRENCY_MISMATCH
    PAYMENTS_UNKNOWN_INVOICE = payment_texts.PAYMENTS_UNKNOWN_INVOICE
    PAYMENTS_REFUND_UNMATCHED = payment_texts.PAYMENTS_REFUND_UNMATCHED
    # --- Payments: Paid
    PAYMENTS_PAID_BY_HAND = payment_texts.PAYMENTS_PAID_BY_HAND
    # --- Recurring tab: a plan row with an error bills nothing until it is fixed.
    RECURRING_DUPLICATE_PLAN_ID = recurring_texts.RECURRING_DUPLICATE_PLAN_ID
    RECURRING_NO_PLAN_ID = recurring_texts.RECURRING_NO_PLAN_ID
    RECURRING_BAD_FREQUENCY = recurring_texts.RECURRING_BAD_FREQUENCY
    RECURRING_BAD_INTERVAL = recurring_texts.RECURRING_BAD_INTERVAL
    RECURRING_BAD_DAY = recurring_texts.RECURRING_BAD_DAY
    RECURRING_BAD_START = recurring_texts.RECURRING_BAD_START
    RECURRING_BAD_END = recurring_texts.RECURRING_BAD_END
    RECURRING_BAD_COUNT = recurring_texts.RECURRING_BAD_COUNT
    RECURRING_BAD_BILLING = recurring_texts.RECURRING_BAD_BILLING
    RECURRING_RETAINER_IN_ADVANCE = recurring_texts.RECURRING_RETAINER_IN_ADVANCE
    RECURRING_BAD_QUANTITY = recurring_texts.RECURRING_BAD_QUANTITY
    RECURRING_BAD_UNIT_PRICE = recurring_texts.RECURRING_BAD_UNIT_PRICE
    RECURRING_BAD_INCLUDED_HOURS = recurring_texts.RECURRING_BAD_INCLUDED_HOURS
    RECURRING_BAD_ROLLOVER_HOURS = recurring_texts.RECURRING_BAD_ROLLOVER_HOURS
    RECURRING_ROLLOVER_WITHOUT_HOURS = recurring_texts.RECURRING_ROLLOVER_WITHOUT_HOURS
    RECURRING_BAD_AUTO_SEND = recurring_texts.RECURRING_BAD_AUTO_SEND
    RECURRING_BAD_ACTIVE = recurring_texts.RECURRING_BAD_ACTIVE
    RECURRING_DESCRIPTION_TOO_LONG = recurring_texts.RECURRING_DESCRIPTION_TOO_LONG
    RECURRING_NEVER_BILLS = recurring_texts.RECURRING_NEVER_BILLS
    # --- Recurring: what a run decided about a plan
    RECURRING_NEXT_DATE_EDITED = recurring_texts.RECURRING_NEXT_DATE_EDITED
    RECURRING_AUTO_SEND_HELD = recurring_texts.RECURRING_AUTO_SEND_HELD
    RECURRING_PLAN_ID_CHANGED = recurring_texts.RECURRING_PLAN_ID_CHANGED
    RECURRING_PLAN_HELD = recurring_texts.RECURRING_PLAN_HELD
    RECURRING_LATE_RETAINER_ROW = recurring_texts.RECURRING_LATE_RETAINER_ROW
