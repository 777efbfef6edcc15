"""Email templates: every built-in template in every language names what the customer
needs (number, amount, due date, how to pay) in that language's numbers and dates;
sheet text is escaped in HTML only; a subject is one line; a user's folder wins file
by file, a stage's template before its tone's; a broken or hostile user template is
one clear SheetbillError naming the file, never a traceback."""

from __future__ import annotations

import shutil
import unicodedata
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from babel.numbers import format_currency
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from sheetbill.domain.model import Severity
from sheetbill.domain.money import Money
from sheetbill.errors import RenderError, SheetbillError
from sheetbill.mail.templates import (
    BUILT_IN,
    EmailTemplateError,
    EmailTemplates,
    RenderedText,
    one_line,
)

LANGUAGES = ("en", "de", "fr", "es")
INVOICE_TEMPLATES = (
    "invoice",
    "reminder-before",
    "reminder-after",
    "reminder-firm",
    "reminder-final",
    "receipt",
)
TEMPLATES = (*INVOICE_TEMPLATES, "digest")
STAGES = {
    "reminder-before": -3,
    "reminder-after": 1,
    "reminder-firm": 7,
    "reminder-final": 30,
}
HOSTILE = '<script>alert("x")</script> & O\'Brien "quoted"'

# 1190.00 EUR total, 190.00 paid, due 15 July 2026, as each language writes them.
WRITTEN = {
    "en": {"total": "€1,190.00", "balance": "€1,000.00", "due": "July 15, 2026"},
    "de": {
        "total": "1.190,00\xa0€",
        "balance": "1.000,00\xa0€",
        "due": "15. Juli 2026",
    },
    "fr": {
        "total": "1\u202f190,00\xa0€",
        "balance": "1\u202f000,00\xa0€",
        "due": "15 juillet 2026",
    },
    "es": {
        "total": "1.190,00\xa0€",
        "balance": "1.000,00\xa0€",
        "due": "15 de julio de 2026",
    },
}


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def context(
    *,
    customer_name: str = "Acme Handels GmbH",
    company_name: str = "Northwind Traders",
    total: Money | None = None,
    paid: Money | None = None,
    payment: Mapping[str, Any] | str | None = "default",
    kind: str = "invoice",
    problem: str = "not an email address",
) -> dict[str, Any]:
    """Every name the README promises a template, filled as the use case will."""
    total = total or eur("1190.00")
    paid = paid or eur("190.00")
    return {
        "company": {
            "name": company_name,
            "email": "billing@northwind.example",
            "phone": "+49 30 1234567",
            "address": "Hauptstraße 1, 10115 Berlin",
            "tax_id": "DE123456789",
        },
        "language": "en",
        "today": date(2026, 8, 1),
        "invoice": {
            "number": "INV-2026-0007",
            "kind": kind,
            "issue_date": date(2026, 7, 1),
            "due_date": date(2026, 7, 15),
            "total": total,
            "paid": paid,
            "balance": total - paid,
            "service_period": "June 2026",
        },
        "customer": {"id": "C-001", "name": customer_name},
        "payment": (
            {
                "iban": "DE89370400440532013000",
                "bic": "COBADEFFXXX",
                "reference": "RF18 5390 0754 7034",
                "has_qr": True,
            }
            if payment == "default"
            else payment
        ),
        "stage": 7,
        "days_overdue": 17,
        "is_final": False,
        "received": paid,
        "is_paid_in_full": False,
        "owner": "owner@northwind.example",
        "run_date": date(2026, 8, 1),
        "count": 2,
        "problems": [
            {
                "severity": Severity.ERROR,
                "tab": "Customers",
                "row": 4,
                "column": "Email",
                "value": "anna@",
                "problem": problem,
                "fix": "Type the whole address.",
            },
            {
                "severity": "warning",
                "tab": "Settings",
                "row": None,
                "column": "",
                "value": None,
                "problem": "no logo",
                "fix": "Name a logo file.",
            },
        ],
    }


def render(
    name: str,
    language: str,
    values: Mapping[str, Any] | None = None,
    *,
    templates: EmailTemplates | None = None,
) -> RenderedText:
    return (templates or SHIPPED).render(
        name, language, values or context(), stage=STAGES.get(name)
    )


# One instance for sheetbill's own templates: each compiles its files once.
SHIPPED = EmailTemplates(None)


def write(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# --- every built-in template in every language ------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", INVOICE_TEMPLATES)
def test_render_names_number_amount_due_date_and_how_to_pay(name: str, language: str):
    """Issue 14 point 4: subject and body name the invoice number, the total (a
    reminder: the open balance), the due date and how to pay — in the customer's
    language, with its numbers and dates."""
    email = render(name, language)
    written = WRITTEN[language]
    amount = written["total"] if name == "invoice" else written["balance"]
    assert "INV-2026-0007" in email.subject
    if name != "receipt":
        assert amount in email.subject
    for body in (email.text, email.html):
        assert "INV-2026-0007" in body
        assert amount in body
        assert written["due"] in body
    # The receipt here is for a part payment: it tells how to pay the rest.
    for body in (email.text, email.html):
        assert "DE89 3704 0044 0532 0130 00" in body
        assert "COBADEFFXXX" in body
        assert "RF18 5390 0754 7034" in body
    assert 'src="cid:payment-qr"' in email.html
    assert "cid:payment-qr" not in email.text
    assert f'<html lang="{language}">' in email.html


@pytest.mark.parametrize("language", LANGUAGES)
def test_render_digest_lists_every_problem_with_its_fix(language: str):
    email = render("digest", language)
    assert "2" in email.subject
    for body in (email.text, email.html):
        for words in ("Customers", "Email", "anna@", "not an email address"):
            assert words in body
        assert "Type the whole address." in body and "Name a logo file." in body
        assert "owner@northwind.example" in body
        assert "Severity" not in body


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Dear", "Kind regards"]),
        ("de", ["Sehr geehrte Damen und Herren", "Sie", "Mit freundlichen Grüßen"]),
        ("fr", ["Madame, Monsieur", "vous", "Cordialement"]),
        ("es", ["Estimado cliente", "Le rogamos", "Atentamente"]),
    ],
)
def test_render_speaks_the_customers_language_formally(language: str, words: list[str]):
    text = render("invoice", language).text
    for word in words:
        assert word in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_render_reminders_grow_firmer_stage_by_stage(language: str):
    """Each tone has its own words: no two reminder stages read alike."""
    subjects = {name: render(name, language).subject for name in STAGES}
    assert len(set(subjects.values())) == len(STAGES)
    firm_words = {"en": "Final", "de": "Letzte", "fr": "Dernière", "es": "Último"}
    assert subjects["reminder-final"].startswith(firm_words[language])


@pytest.mark.parametrize(
    ("language", "amount", "day"),
    [
        ("en", "¥1,235", "January 1, 2027"),
        ("de", "1.235\xa0¥", "1. Januar 2027"),
        ("fr", "1\u202f235\xa0JPY", "1er janvier 2027"),
        ("es", "1.235\xa0JPY", "1 de enero de 2027"),
    ],
)
def test_render_writes_other_currencies_and_dates_per_locale(
    language: str, amount: str, day: str
):
    """No minor unit for yen (ISO 4217); French writes the first of a month as
    `1er`."""
    values = context(total=Money(Decimal(1235), "JPY"), paid=Money(Decimal(0), "JPY"))
    values["invoice"] = {**values["invoice"], "due_date": date(2027, 1, 1)}
    email = render("invoice", language, values)
    assert amount in email.subject and day in email.subject
    assert amount in email.text and day in email.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_render_credit_note_asks_for_no_payment(language: str):
    email = render("invoice", language, context(kind="credit note"))
    assert "INV-2026-0007" in email.subject
    assert "IBAN" not in email.text and "cid:payment-qr" not in email.html


@pytest.mark.parametrize("language", LANGUAGES)
def test_render_without_bank_details_points_to_the_invoice(language: str):
    email = render("reminder-firm", language, context(payment=None))
    assert "IBAN" not in email.text and "cid:payment-qr" not in email.html
    assert WRITTEN[language]["balance"] in email.text


def test_render_shows_the_qr_code_only_when_attached():
    values = context()
    values["payment"] = {**values["payment"], "has_qr": False}
    email = render("invoice", "de", values)
    assert "cid:payment-qr" not in email.html
    assert "DE89 3704 0044 0532 0130 00" in email.html


@pytest.mark.parametrize("language", LANGUAGES)
def test_render_receipt_paid_in_full_asks_for_nothing(language: str):
    values = context(paid=eur("1190.00"))
    values["is_paid_in_full"] = True
    email = render("receipt", language, values)
    assert "IBAN" not in email.text
    assert WRITTEN[language]["total"] in email.text


# --- escaping and one-line subjects (hypothesis) -----------------------------------

names = st.one_of(
    st.sampled_from(
        [
            HOSTILE,
            "Müller & Söhne <GmbH>",
            "株式会社ノースウィンド",
            "Ελληνική Εταιρεία",
            "شركة الشمال",
            "{{ company.name }} {% raw %}",
            "Acme\r\nBcc: victim@example.com",
        ]
    ),
    st.text(min_size=1, max_size=40),
)
amounts = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2
)


# No deadline: several test sessions share the machine's cores (no timed assertions).
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(TEMPLATES),
    language=st.sampled_from(LANGUAGES),
    customer_name=names,
    company_name=names,
    problem=names,
    total=amounts,
)
def test_render_escapes_sheet_text_in_html_and_keeps_it_in_text(
    name: str,
    language: str,
    customer_name: str,
    company_name: str,
    problem: str,
    total: Decimal,
):
    values = context(
        customer_name=customer_name,
        company_name=company_name,
        problem=problem,
        total=eur(str(total)),
        paid=eur("0.00"),
    )
    email = render(name, language, values)
    shown = customer_name if name in INVOICE_TEMPLATES else problem
    assert shown in email.text
    assert company_name in email.text
    assert str(escape(shown)) in email.html
    assert str(escape(company_name)) in email.html
    assert "<script>" not in email.html
    assert email.subject == one_line(email.subject)
    assert "\r" not in email.subject and "\n" not in email.subject
    if name == "invoice":
        assert one_line(company_name) in email.subject
    if name in INVOICE_TEMPLATES and name != "receipt":
        # The amount is exactly this Decimal, in the language's own writing.
        assert format_currency(total, "EUR", locale=language) in email.text


@given(st.text())
def test_one_line_leaves_no_line_break_control_or_double_space(text: str):
    line = one_line(text)
    assert not any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in line)
    assert "  " not in line
    assert line == line.strip(" ")


def test_one_line_keeps_no_break_spaces():
    assert one_line("Rappel\u00a0:\r\n  facture\t1") == "Rappel\u00a0: facture 1"


# --- lookup: the user's folder, the stage, the language -----------------------------


def test_render_takes_the_users_file_and_the_rest_built_in(tmp_path: Path):
    write(tmp_path, "de/invoice.txt", "Moin {{ customer.name }}: {{ invoice.number }}")
    email = render("invoice", "de", templates=EmailTemplates(tmp_path))
    assert email.text == "Moin Acme Handels GmbH: INV-2026-0007\n"
    assert email.subject == render("invoice", "de").subject
    assert email.html == render("invoice", "de").html
    # Other languages keep sheetbill's own.
    assert render("invoice", "en", templates=EmailTemplates(tmp_path)).text == (
        render("invoice", "en").text
    )


def test_render_users_include_and_layout_replace_the_built_in_ones(tmp_path: Path):
    write(tmp_path, "_layout.html", "<main>{% block content %}{% endblock %}</main>")
    write(tmp_path, "fr/_payment.txt", "Payez {{ amount|money }}.")
    templates = EmailTemplates(tmp_path)
    for name in ("invoice", "reminder-firm"):
        email = render(name, "fr", templates=templates)
        assert email.html.startswith("<main>") and "<!DOCTYPE" not in email.html
        assert "Payez " in email.text and "IBAN" not in email.text
    assert render("invoice", "de", templates=templates).html.startswith("<main>")


def test_render_tries_the_stage_template_before_the_tone(tmp_path: Path):
    write(tmp_path, "en/reminder+7.subject", "Week one: {{ invoice.number }}")
    write(tmp_path, "en/reminder-3.txt", "Three days left.")
    templates = EmailTemplates(tmp_path)
    seventh = templates.render("reminder-firm", "en", context(), stage=7)
    assert seventh.subject == "Week one: INV-2026-0007"
    assert seventh.text == render("reminder-firm", "en").text
    fourteenth = templates.render("reminder-firm", "en", context(), stage=14)
    assert fourteenth.subject == render("reminder-firm", "en").subject
    before = templates.render("reminder-before", "en", context(), stage=-3)
    assert before.text == "Three days left.\n"
    assert before.subject == render("reminder-before", "en").subject
    # Without a stage, no stage template is looked for.
    assert templates.render("reminder-firm", "en", context()).subject == (
        render("reminder-firm", "en").subject
    )


def test_render_prefers_any_stage_template_to_the_users_tone(tmp_path: Path):
    built_in = tmp_path / "built-in"
    shutil.copytree(BUILT_IN, built_in)
    write(built_in, "en/reminder+7.txt", "stage")
    user = tmp_path / "user"
    write(user, "en/reminder-firm.txt", "tone")
    templates = EmailTemplates(user, built_in=built_in)
    assert templates.render("reminder-firm", "en", context(), stage=7).text == (
        "stage\n"
    )
    assert templates.render("reminder-firm", "en", context(), stage=8).text == "tone\n"


@pytest.mark.parametrize(
    ("asked", "written_in"),
    [
        ("de", "de"),
        ("DE", "de"),
        ("de_AT", "de"),
        ("de-CH", "de"),
        ("fr_CA", "fr"),
        ("it", "en"),
        ("", "en"),
        ("../../etc", "en"),
        ("ja_JP", "en"),
    ],
)
def test_render_writes_in_the_language_or_falls_back_to_english(
    asked: str, written_in: str
):
    email = render("invoice", asked)
    assert email.html.startswith(f'<!DOCTYPE html>\n<html lang="{written_in}">')
    assert email.text == render("invoice", written_in).text


def test_render_a_users_new_language_is_used_and_must_be_whole(tmp_path: Path):
    for part in ("subject", "txt", "html"):
        write(tmp_path, f"it/invoice.{part}", "Fattura {{ invoice.number }}")
    templates = EmailTemplates(tmp_path)
    assert render("invoice", "it", templates=templates).text == (
        "Fattura INV-2026-0007\n"
    )
    with pytest.raises(EmailTemplateError, match=r"no email template it/receipt\."):
        render("receipt", "it", templates=templates)


def test_render_money_filter_takes_a_number_with_its_currency(tmp_path: Path):
    write(
        tmp_path,
        "en/note.subject",
        "{{ invoice.total.amount|money('CHF') }} {{ 3|money('JPY') }}",
    )
    write(tmp_path, "en/note.txt", "{{ today|date }}")
    write(tmp_path, "en/note.html", "{{ invoice.total.amount|money('USD') }}")
    email = EmailTemplates(tmp_path).render("note", "en", context())
    assert email.subject == "CHF1,190.00 ¥3"
    assert email.text == "August 1, 2026\n"
    assert email.html == "$1,190.00"


# --- broken and hostile user templates ------------------------------------------------


def broken(tmp_path: Path, file: str, text: str) -> EmailTemplateError:
    write(tmp_path, file, text)
    with pytest.raises(EmailTemplateError) as caught:
        render("invoice", "en", templates=EmailTemplates(tmp_path))
    error = caught.value
    assert isinstance(error, RenderError) and isinstance(error, SheetbillError)
    assert "\n" not in str(error)
    assert "Traceback" not in str(error)
    return error


def test_render_unknown_name_names_the_file_line_and_name(tmp_path: Path):
    error = broken(tmp_path, "en/invoice.txt", "Hello\n{{ customer.nmae }}\n")
    assert "en/invoice.txt line 2" in str(error)
    assert "nmae" in str(error)
    assert error.path is not None and Path(error.path) == tmp_path / "en/invoice.txt"
    assert error.template == "invoice"


def test_render_unknown_top_name_in_an_include_names_the_included_file(
    tmp_path: Path,
):
    error = broken(tmp_path, "en/_payment.txt", "Pay to {{ bank_account }}")
    assert "en/_payment.txt line 1" in str(error)
    assert "'bank_account' is undefined" in str(error)


def test_render_unknown_name_in_a_built_in_template_names_it():
    values = context()
    del values["customer"]
    with pytest.raises(
        EmailTemplateError, match=r"en/invoice\.txt line \d+: .*customer"
    ):
        render("invoice", "en", values)


@pytest.mark.parametrize(
    "attack",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ invoice.total.__class__.__init__.__globals__ }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{ self._TemplateReference__context }}",
        "{{ customer.update({'name': 'x'}) }}",
        "{{ company.clear() }}",
        "{{ invoice.total.amount.__class__ }}",
    ],
)
def test_render_refuses_sandbox_escapes_with_a_clear_error(tmp_path: Path, attack: str):
    error = broken(tmp_path, "en/invoice.html", f"<p>{attack}</p>")
    assert "en/invoice.html line 1" in str(error)
    assert "unsafe" in str(error) or "undefined" in str(error)


@pytest.mark.parametrize(
    "include",
    [
        "{% include '/etc/passwd' %}",
        "{% include '../../../../../../etc/passwd' %}",
        "{% include '../en/invoice.txt' %}",
    ],
)
def test_render_reads_no_file_outside_the_template_folders(
    tmp_path: Path, include: str
):
    error = broken(tmp_path / "user", "en/invoice.txt", include)
    assert "none of the template folders" in str(error)
    assert "root:" not in str(error)


def test_render_syntax_error_names_the_file_and_line(tmp_path: Path):
    error = broken(tmp_path, "en/invoice.subject", "Invoice\n{% if invoice.number %}")
    assert "en/invoice.subject line" in str(error)


def test_render_a_file_not_in_utf8_is_a_clear_error(tmp_path: Path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "invoice.txt").write_bytes("Grüße".encode("latin-1"))
    with pytest.raises(EmailTemplateError, match=r"en/invoice\.txt.*cannot be read"):
        render("invoice", "en", templates=EmailTemplates(tmp_path))


def test_render_an_empty_subject_is_an_error(tmp_path: Path):
    error = broken(tmp_path, "en/invoice.subject", "{% if false %}x{% endif %}\n \n")
    assert "empty subject" in str(error)


def test_render_money_filter_refuses_an_amount_without_currency(tmp_path: Path):
    error = broken(tmp_path, "en/invoice.txt", "{{ invoice.total.amount|money }}")
    assert "money needs an amount with its currency" in str(error)


def test_render_money_filter_refuses_to_relabel_an_amounts_currency(tmp_path: Path):
    error = broken(tmp_path, "en/invoice.txt", "{{ invoice.total|money('USD') }}")
    assert "with 'USD'" in str(error)


def test_templates_refuse_a_user_folder_that_is_not_there(tmp_path: Path):
    with pytest.raises(EmailTemplateError, match="not a folder") as caught:
        EmailTemplates(tmp_path / "missing")
    assert caught.value.path == tmp_path / "missing"


@pytest.mark.parametrize("name", ["../invoice", "Invoice", "invoice.txt", ""])
def test_render_refuses_a_template_name_that_is_no_name(name: str):
    """The planners name templates; a path there is a bug, not user input."""
    with pytest.raises(ValueError, match="not an email template name"):
        EmailTemplates(None).render(name, "en", context())


# --- links: a template reads no file outside its folder -----------------------------

SECRET_TEXT = "the text of a file outside the templates folder"


def outside_file(tmp_path: Path) -> Path:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET_TEXT, encoding="utf-8")
    return outside


def test_render_refuses_a_template_file_linked_out_of_its_folder(tmp_path: Path):
    """sheet_templates/email/README.md: a template reads no other file. A link in
    the user's folder must not put another file's text into customers' emails."""
    outside = outside_file(tmp_path)
    user = tmp_path / "user"
    (user / "en").mkdir(parents=True)
    (user / "en" / "invoice.txt").symlink_to(outside / "secret.txt")
    with pytest.raises(EmailTemplateError) as caught:
        render("invoice", "en", templates=EmailTemplates(user))
    error = caught.value
    assert "en/invoice.txt leads to" in str(error)
    assert "outside its templates folder" in str(error)
    assert error.template == "invoice"
    assert SECRET_TEXT not in str(error) and "\n" not in str(error)


@pytest.mark.parametrize(
    "include", ['{% include "up/secret.txt" %}', '{% include "en/up/secret.txt" %}']
)
def test_render_refuses_an_include_through_a_folder_linked_out(
    tmp_path: Path, include: str
):
    outside = outside_file(tmp_path)
    user = tmp_path / "user"
    write(user, "en/invoice.txt", f"Dear customer,\n{include}\n")
    (user / "en" / "up").symlink_to(outside, target_is_directory=True)
    with pytest.raises(EmailTemplateError) as caught:
        render("invoice", "en", templates=EmailTemplates(user))
    assert "en/up/secret.txt leads to" in str(caught.value)
    assert SECRET_TEXT not in str(caught.value)


def test_render_follows_a_link_that_stays_in_the_folder(tmp_path: Path):
    """A link inside the templates folder (one language sharing another's file)
    is the user's own files: it is read."""
    write(tmp_path, "shared/invoice.txt", "Moin {{ invoice.number }}")
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "invoice.txt").symlink_to(tmp_path / "shared" / "invoice.txt")
    email = render("invoice", "en", templates=EmailTemplates(tmp_path))
    assert email.text == "Moin INV-2026-0007\n"


def test_render_refuses_a_built_in_file_linked_out(tmp_path: Path):
    """The same holds for the built-in folder (here a copy of it)."""
    outside = outside_file(tmp_path)
    built_in = tmp_path / "built-in"
    shutil.copytree(BUILT_IN, built_in)
    (built_in / "en" / "_payment.txt").unlink()
    (built_in / "en" / "_payment.txt").symlink_to(outside / "secret.txt")
    with pytest.raises(EmailTemplateError, match=r"en/_payment\.txt leads to"):
        render("invoice", "en", templates=EmailTemplates(None, built_in=built_in))
