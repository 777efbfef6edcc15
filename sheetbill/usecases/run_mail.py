"""The run's sending steps (`run.CYCLE` puts them after the documents and before the
write-back): read what was sent, plan the customers' emails, send them, plan and send
the owners' digest. What they hand on is `MailValues`; the Invoices tab's Sent At,
Reminder Stage, Last Reminder, Balance and Status are drawn from its history.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from email.utils import formataddr
from zoneinfo import ZoneInfo

from sheetbill.domain.approvals import APPROVED, AWAITING, NOT_NEEDED
from sheetbill.domain.mail import (
    Attachment,
    Delivery,
    EmailHistory,
    InvoiceStanding,
    MailPlan,
    PlannedEmail,
    Purpose,
    SendWord,
    Skip,
    SkipReason,
    oldest_due_first,
)
from sheetbill.domain.model import Invoice, Problem, Severity
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.schema import INVOICES, SETTINGS, InvoiceColumns
from sheetbill.planning.approvals import awaiting_numbers
from sheetbill.planning.digest import owner_problems, plan_digests
from sheetbill.planning.exceptions import problems_set_aside
from sheetbill.planning.receipts import plan_receipts
from sheetbill.planning.reminders import plan_reminders
from sheetbill.planning.sending import (
    plan_invoice_emails,
    refusal_stands,
    standings,
)
from sheetbill.planning.statuses import changed_statuses, invoice_cells, mail_problems
from sheetbill.tabs.invoices import read_invoices
from sheetbill.tabs.settings import setting_row
from sheetbill.usecases.run_steps import (
    Outcome,
    RunPorts,
    RunValues,
    need,
    sending_themselves,
)
from sheetbill.usecases.send import (
    MailValues,
    Sender,
    Sending,
    Sent,
    invoice_files,
    predicted_history,
    sender_of,
    template_context,
)


def settle_stopped_emails(values: RunValues, ports: RunPorts) -> Outcome:
    """Emails a stopped run left under way become needs review (never resent)."""
    need(ports.state).settle_stopped_emails(now=ports.clock())
    return values, ()


def read_emails(values: RunValues, ports: RunPorts) -> Outcome:
    """Every email the journal holds, and every drawn invoice."""
    state = ports.state
    planned = need(values.planned)
    invoices: dict[str, Invoice] = {}
    history = EmailHistory()
    shown: dict[str, str] = {}
    by_itself: set[str] = set()
    if state is not None:
        history = state.email_history()
        invoices = {i.number: i for i in state.all_invoices()}
        shown = state.shown_statuses()
        by_itself = state.emailed_by_itself()
    invoices.update({i.number: i for i in (*planned.pending, *planned.new)})
    # This run's own (a dry run has not recorded them): as Send Invoices says, a
    # recurring invoice as its plan's Auto Send says.
    by_itself.update(sending_themselves(planned))
    mail = MailValues(
        history=history,
        invoices=invoices,
        last_shown=shown,
        by_itself=frozenset(by_itself),
        sent=tuple(ports.sent),
    )
    documents = set(state.document_paths()) if state is not None else set()
    return replace(values, mail=mail, documented=frozenset(documents)), ()


def plan_emails(values: RunValues) -> Outcome:
    """The customers' emails due today: invoices, reminders, receipts, oldest due
    first; those over `max_per_run` wait for the next run. An invoice whose row
    shows other details than it (a Total, Due Date or Currency a person changed, or
    a number retyped) gets no email: its Paid, Hold and Send may be another's."""
    values, problems = _standings(values)
    mail = need(values.mail)
    found = mail.standings
    trusted = [s for s in found if not s.shows_other_details]
    emails, skipped = _planned(values, trusted)
    skipped += [
        Skip(purpose, SkipReason.ROW_DIFFERS, s.number)
        for s in found
        if s.shows_other_details
        for purpose in (Purpose.INVOICE, Purpose.REMINDER, Purpose.RECEIPT)
    ]
    sender = _sender_address(values)
    emails, held = _one_a_day(emails, mail.history, sender)
    skipped += held
    ordered = oldest_due_first(emails)
    limit = values.config.mail.max_per_run
    go, wait = ordered[:limit], ordered[limit:]
    skipped += [
        Skip(e.purpose, SkipReason.LIMIT, e.invoice, e.stage, _limit(limit))
        for e in wait
    ]
    # A reminder or receipt skipped as "not sent by sheetbill" whose invoice email
    # goes in this very run would tell `explain` the opposite of what happened.
    emailed = {e.invoice for e in go if e.purpose is Purpose.INVOICE}
    skipped = [
        k
        for k in skipped
        if not (k.reason is SkipReason.NOT_SENT_BY_SHEETBILL and k.invoice in emailed)
    ]
    plan = MailPlan(tuple(go), tuple(wait), tuple(skipped))
    mail = replace(mail, plan=plan)
    return replace(values, mail=mail), [*problems, *_no_send_column(values, skipped)]


def _no_send_column(values: RunValues, skipped: Sequence[Skip]) -> list[Problem]:
    """A workbook made before the Send column existed, whose Settings now name Send
    Invoices (sending set up): invoices waiting for a word there could wait forever
    without a word from sheetbill. A workbook that never named it sends nothing and
    is told nothing (its runs stay as they were)."""
    layouts = need(values.planned).data.layouts
    layout = layouts.get(INVOICES.name)
    if layout is None or layout.columns.has(InvoiceColumns.SEND):
        return []
    settings = layouts.get(SETTINGS.name)
    if setting_row(settings.table if settings else None, "send_invoices") is None:
        return []
    waiting = sorted(
        {
            k.invoice or ""
            for k in skipped
            if k.reason in (SkipReason.AWAITING_SEND, SkipReason.NEEDS_REVIEW)
        }
        - {""}
    )
    if not waiting:
        return []
    shown = ", ".join(waiting[:5]) + (" …" if len(waiting) > 5 else "")
    return [
        Problem(
            code=ProblemCode.INVOICES_NO_SEND_COLUMN,
            tab=layout.tab,
            row=1,
            column=InvoiceColumns.SEND,
            value="",
            problem=f"{len(waiting)} invoice(s) wait for a word in the Send column "
            f"({shown}), but the {layout.tab} tab has no Send column.",
            fix="Run sheetbill init on the workbook (it adds the column), or add a "
            "column headed Send; then write send (or sent / resend) there.",
            severity=Severity.WARNING,
        )
    ]


def _standings(values: RunValues) -> tuple[RunValues, list[Problem]]:
    """Every drawn invoice with its row's Paid, Send, Hold and Void, and the
    problems of reading them (a Paid that is not an amount, in the Settings'
    locale); the rows and approvals read are kept for the digest's step."""
    mail, planned = need(values.mail), need(values.planned)
    data = planned.data
    rows, problems = values.invoices_read or read_invoices(
        data.layouts.get(INVOICES.name), settings=data.settings
    )
    documents = (
        set(mail.invoices)
        if not values.config.documents
        else {*values.documented, *values.links}
    )
    approvals = _approvals(values)
    found, more = standings(
        list(mail.invoices.values()), rows, approvals=approvals, documents=documents
    )
    plan = values.payments
    paid = plan.paid if plan is not None else {}
    in_doubt = plan.in_doubt if plan is not None else frozenset()
    found = [
        replace(
            s,
            sends_itself=s.number in mail.by_itself,
            paid=paid.get(s.number, s.paid),
            # Held while its Paid is in doubt (a warning says why).
            is_held=s.is_held or s.number in in_doubt,
        )
        for s in found
    ]
    mail = replace(mail, standings=tuple(found), rows=tuple(rows), approvals=approvals)
    return replace(values, mail=mail), [*problems, *more]


def _planned(
    values: RunValues, found: Sequence[InvoiceStanding]
) -> tuple[list[PlannedEmail], list[Skip]]:
    """What the invoice-email, reminder and receipt planners each decide."""
    mail, data = need(values.mail), need(values.planned).data
    settings = data.settings
    today, zone = values.moment.today, ZoneInfo(settings.timezone)
    sender = _sender_address(values)
    invoices, skipped = plan_invoice_emails(
        found, data.customers, settings, mail.history, today=today, sender=sender
    )
    # Reminders and receipts are decided as if the invoice emails had gone: what a
    # rerun of the same day would find, so both record the same decisions.
    history = predicted_history(
        mail.history, invoices, at=values.moment.on_run_day(values.moment.started)
    )
    emails: list[PlannedEmail] = list(invoices)
    for made, skips in (
        plan_reminders(
            found, data.customers, settings, history, today=today, zone=zone
        ),
        plan_receipts(
            found,
            data.customers,
            settings,
            history,
            mode=values.config.mail.receipts,
            today=today,
            sender=sender,
        ),
    ):
        emails += made
        skipped += skips
    return emails, skipped


def _one_a_day(
    emails: Sequence[PlannedEmail], history: EmailHistory, sender: str
) -> tuple[list[PlannedEmail], list[Skip]]:
    """Leaves out a refusal that still stands (same envelope), and a reminder of an
    invoice that gets another email in this run (a receipt: one email a day)."""
    kept: list[PlannedEmail] = []
    skipped: list[Skip] = []
    others = {e.invoice for e in emails if e.purpose is not Purpose.REMINDER}
    for email in emails:
        if refusal_stands(history.get(email.key), email, sender=sender):
            why = SkipReason.REFUSED
        elif email.purpose is Purpose.REMINDER and email.invoice in others:
            why = SkipReason.ALREADY_TODAY
        else:
            kept.append(email)
            continue
        detail = "another email of this invoice goes today (a receipt)"
        if why is SkipReason.REFUSED:
            detail = ""
        skipped.append(Skip(email.purpose, why, email.invoice, email.stage, detail))
    return kept, skipped


def _sender_address(values: RunValues) -> str:
    """The From the journal's envelopes hold (refusals are judged by it)."""
    config = values.config.mail
    sender = sender_of(
        config.sender, config.reply_to, need(values.planned).data.settings
    )
    return sender.address if sender is not None else ""


def _limit(limit: int) -> str:
    return f"[mail] max_per_run is {limit}; it goes with the next run"


def _approvals(values: RunValues) -> dict[str, str]:
    """Each drawn invoice's approval after this run's reading."""
    planned = need(values.planned)
    found = {
        number: record.status or planned.approvals.adopted.get(number, NOT_NEEDED)
        for number, record in values.recorded_approvals.recorded.items()
    }
    awaiting = set(awaiting_numbers(planned.new, planned.data.settings))
    for invoice in planned.new:
        found[invoice.number] = AWAITING if invoice.number in awaiting else NOT_NEEDED
    for number in planned.approvals.approved:
        found[number] = APPROVED
    return found


def send_emails(values: RunValues, ports: RunPorts) -> Outcome:
    """Hand the planned emails over, each recorded before and settled after. Send
    cells saying `sent` first settle that invoice's unknown emails as arrived."""
    mail = need(values.mail)
    state = need(ports.state)
    if ports.mailer is None:
        return values, ()
    day = values.moment.on_run_day(ports.clock())
    state.record_skips(mail.plan.skipped, run_id=values.moment.run_id, now=day)
    for standing in mail.standings:
        if standing.send is SendWord.SENT:
            for record in mail.history.for_invoice(standing.number):
                if record.status == "unknown":
                    state.confirm_sent(record.key, now=ports.clock())
    if not mail.plan.emails:
        return _read_back(values, ports, ()), ()
    sent, problems = open_sending(values, ports, mail.plan.emails)
    return _read_back(values, ports, sent), problems


def _read_back(values: RunValues, ports: RunPorts, sent: Sequence[Sent]) -> RunValues:
    """The history after sending; the run's sent emails kept on the ports too, so a
    run that plans again (a person saved the workbook) still reports and logs them."""
    mail = need(values.mail)
    history = need(ports.state).email_history()
    ports.sent.extend(sent)
    return replace(values, mail=replace(mail, history=history, sent=tuple(ports.sent)))


def predict_sent(values: RunValues) -> Outcome:
    """A dry run's history: as if every planned email went."""
    mail = need(values.mail)
    history = predicted_history(
        mail.history,
        mail.plan.emails,
        at=values.moment.on_run_day(values.moment.started),
    )
    return replace(values, mail=replace(mail, history=history)), ()


def plan_digest(values: RunValues) -> Outcome:
    """The owners' digest of the run's problems (new ones only), with the problems
    sending itself leaves for a person (needs review, refused)."""
    mail, planned = need(values.mail), need(values.planned)
    data = planned.data
    zone = ZoneInfo(data.settings.timezone)
    today = values.moment.today
    paid = values.payments.paid_writes if values.payments is not None else {}
    cells = {
        s.number: replace(
            invoice_cells(s, mail.history, today=today, zone=zone),
            paid=paid.get(s.number),
        )
        for s in mail.standings
        if not s.shows_other_details
    }
    found = changed_statuses(
        mail.rows, cells, last_shown=mail.last_shown, approvals=mail.approvals
    )
    found += mail_problems(
        mail.standings,
        data.customers,
        mail.history,
        layouts=data.layouts,
        settings=data.settings,
    )
    found += _undelivered(mail.sent)
    found += owner_problems(data.customers, data.settings, layouts=data.layouts)
    problems = (*values.problems, *found)
    aside = set(problems_set_aside(problems, data.layouts))
    digests = plan_digests(
        [p for p in problems if p not in aside],
        data.customers,
        data.settings,
        mail.history,
        today=values.moment.today,
        sender=_sender_address(values),
    )
    mail = replace(mail, digests=tuple(digests), cells=cells)
    return replace(values, mail=mail), found


def _undelivered(sent: Sequence[Sent]) -> list[Problem]:
    """One warning when the transport asked to try later (the emails wait)."""
    deferred = [s for s in sent if s.result.delivery is Delivery.DEFERRED]
    if not deferred:
        return []
    return [
        Problem(
            code=ProblemCode.MAIL_NOT_DELIVERED,
            tab="Settings",
            row=None,
            column="",
            value=deferred[0].result.detail,
            problem=f"{len(deferred)} email(s) were not sent: the mail server said "
            f"'{deferred[0].result.detail}'. They go with the next run.",
            fix="Nothing to do if it passes; else check [mail] host, port and "
            "security in sheetbill.toml and the network.",
        )
    ]


def send_digest(values: RunValues, ports: RunPorts) -> Outcome:
    mail = need(values.mail)
    if not mail.digests or ports.mailer is None:
        return values, ()
    sent, problems = open_sending(values, ports, mail.digests, is_internal=True)
    return _read_back(values, ports, sent), problems


def open_sending(
    values: RunValues,
    ports: RunPorts,
    emails: Sequence[PlannedEmail],
    *,
    is_internal: bool = False,
) -> tuple[list[Sent], list[Problem]]:
    """Send `emails` over one session of the run's mail transport. `is_internal`:
    emails to the shop's own people (digests), which may come from the Billing
    Owner when no sender is set."""
    settings = need(values.planned).data.settings
    config = values.config.mail
    sender = sender_of(config.sender, config.reply_to, settings)
    if sender is None and is_internal and settings.billing_owner.strip():
        sender = Sender(formataddr(("sheetbill", settings.billing_owner.strip())))
    if sender is None:
        return [], [_no_sender()]
    mailer = need(ports.mailer)
    codes = _PaymentCodes(values)
    render = _renderer(values, codes)
    with mailer.session() as session:
        sending = Sending(
            state=need(ports.state),
            session=session,
            render=render,
            attachments=lambda e: _attachments(values, ports, e, codes),
            sender=sender,
            transport=values.config.mail.transport,
            run_id=values.moment.run_id,
            clock=lambda: values.moment.on_run_day(ports.clock()),
        )
        for email in emails:
            ports.progress(
                f"Sending {email.purpose.value} {email.invoice or ''}".strip()
            )
            sending.send_one(email)
    return sending.sent, sending.problems


def _renderer(
    values: RunValues, codes: _PaymentCodes
) -> Callable[[PlannedEmail], tuple[str, str, str]]:
    from sheetbill.mail.templates import EmailTemplates

    templates = EmailTemplates(values.config.mail.templates)
    mail = need(values.mail)
    settings = need(values.planned).data.settings

    def render(email: PlannedEmail) -> tuple[str, str, str]:
        context = template_context(
            email,
            settings,
            today=values.moment.today,
            invoice=mail.invoices.get(email.invoice or ""),
            has_qr=codes.of(email) is not None,
        )
        done = templates.render(
            email.template, email.language, context, stage=email.stage
        )
        return done.subject, done.text, done.html

    return render


class _PaymentCodes:
    """The EPC QR code (PNG) of each email about an invoice or reminder in euros,
    made once per email (its template and its attachments both ask): for the
    amount still open (a reminder of a partly paid invoice asks for its balance)."""

    def __init__(self, values: RunValues) -> None:
        mail = need(values.mail)
        self.invoices = mail.invoices
        self.standings = {s.number: s for s in mail.standings}
        self.settings = need(values.planned).data.settings
        self.made: dict[str, bytes | None] = {}

    def of(self, email: PlannedEmail) -> bytes | None:
        if email.key not in self.made:
            self.made[email.key] = self._make(email)
        return self.made[email.key]

    def _make(self, email: PlannedEmail) -> bytes | None:
        from sheetbill.documents.qr import epc_code

        invoice = self.invoices.get(email.invoice or "")
        if invoice is None or email.purpose not in (Purpose.INVOICE, Purpose.REMINDER):
            return None
        if invoice.currency != "EUR":
            return None
        standing = self.standings.get(invoice.number)
        if standing is not None and standing.balance != invoice.total:
            if standing.balance <= 0:
                return None
            invoice = replace(invoice, total=standing.balance)
        code = epc_code(invoice, self.settings)
        return code.image if code is not None else None


def _attachments(
    values: RunValues, ports: RunPorts, email: PlannedEmail, codes: _PaymentCodes
) -> tuple[Attachment, ...]:
    found: list[Attachment] = []
    if values.config.documents:
        for number in email.attachments:
            found += invoice_files(need(ports.state), values.folder, number)
    code = codes.of(email)
    if code is not None:
        found.append(Attachment("payment-qr.png", "image/png", code, "payment-qr"))
    return tuple(found)


def _no_sender() -> Problem:
    return Problem(
        code=ProblemCode.MAIL_NO_SENDER,
        tab="Settings",
        row=None,
        column="Contact Email",
        value="",
        problem="Emails are due, but no sender address is known: neither [mail] from "
        "in sheetbill.toml nor the Settings' Contact Email names one. Nothing was "
        "sent.",
        fix="Write the address invoices come from into Settings Contact Email (or "
        "[mail] from in sheetbill.toml).",
    )


def predict_digest(values: RunValues) -> Outcome:
    mail = need(values.mail)
    at = values.moment.on_run_day(values.moment.started)
    history = predicted_history(mail.history, mail.digests, at=at)
    return replace(values, mail=replace(mail, history=history)), ()


__all__ = [
    "MailValues",
    "plan_digest",
    "plan_emails",
    "predict_digest",
    "predict_sent",
    "read_emails",
    "send_digest",
    "send_emails",
    "settle_stopped_emails",
]
