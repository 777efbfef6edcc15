"""The run's payment steps (`run.CYCLE` puts them after reading the emails and before
planning them, so receipts and reminders see what was paid): read what the state
applied, match the Payments tab's rows, record the applications before the workbook
is written (their Row IDs are then never drawn twice).
"""

from __future__ import annotations

from dataclasses import replace

from sheetbill.domain.journal import Status
from sheetbill.domain.payments import MatchSettings
from sheetbill.domain.schema import INVOICES, PAYMENTS
from sheetbill.domain.wording import amount_text
from sheetbill.planning.payments import (
    OPEN_EXCEPTIONS_METRIC,
    PaymentsInput,
    PaymentsRead,
    applied_details,
    applied_from,
    open_exceptions,
    plan_payments,
)
from sheetbill.state import StateDB
from sheetbill.tabs.invoices import read_invoices
from sheetbill.usecases.results import PaidLine, PaymentLine
from sheetbill.usecases.run_steps import Outcome, RunPorts, RunValues, need


def read_payments(values: RunValues, ports: RunPorts) -> Outcome:
    """Every application the journal holds, the Paid values sheetbill wrote, and the
    last payment Row ID drawn."""
    state = ports.state
    read = payments_read_from(state) if state is not None else PaymentsRead()
    return replace(values, payments_read=read), ()


def payments_read_from(state: StateDB) -> PaymentsRead:
    """What the state says of payments (a run's and an import's one reading)."""
    return PaymentsRead(
        applied=tuple(
            applied_from(e.key, e.details, is_shown=e.status is Status.DONE)
            for e in state.payment_entries()
        ),
        written_paid=state.written_paid(),
        last_row_id=state.last_payment_row_id(),
    )


def plan_the_payments(values: RunValues) -> Outcome:
    """Each Payments row's match and each invoice's Paid (`plan_payments`)."""
    mail, planned = need(values.mail), need(values.planned)
    data, read = planned.data, values.payments_read
    invoice_rows, invoice_problems = read_invoices(
        data.layouts.get(INVOICES.name), settings=data.settings
    )
    layout = data.layouts.get(PAYMENTS.name)
    plan = plan_payments(
        PaymentsInput(
            rows=data.payments,
            applied=read.applied,
            invoices=list(mail.invoices.values()),
            invoice_rows=invoice_rows,
            customers=list(data.customers.values()),
            written_paid=read.written_paid,
            last_row_id=read.last_row_id,
            settings=MatchSettings(window_days=values.config.payments.window_days),
            tab=layout.tab if layout is not None else PAYMENTS.name,
            invoices_tab=_tab_name(values, INVOICES.name),
        )
    )
    shown = (tuple(invoice_rows), tuple(invoice_problems))
    return replace(values, payments=plan, invoices_read=shown), plan.problems


def record_payments(values: RunValues, ports: RunPorts) -> Outcome:
    """Before the workbook is written: the applications and Paid values it will
    show, pending (a stopped run's are recognised and used again)."""
    plan = values.payments
    if plan is None:
        return values, ()
    actions = {c.applied.row_id: c.action for c in plan.changes}
    need(ports.state).record_payments(
        [
            (a.row_id, applied_details(a, actions.get(a.row_id, "applied")))
            for a in plan.to_record
        ],
        plan.paid_writes,
        run_id=values.moment.run_id,
        now=ports.clock(),
    )
    return values, ()


def mark_payments_written(values: RunValues, ports: RunPorts) -> None:
    """The workbook shows the run's payments: their entries done."""
    plan = values.payments
    if plan is None:
        return
    state = need(ports.state)
    state.mark_payments_written(
        [a.row_id for a in plan.to_record],
        list(plan.paid_writes),
        [(a.row_id, applied_details(a, "deleted")) for a in plan.gone],
        run_id=values.moment.run_id,
        now=ports.clock(),
    )
    today = values.moment.today
    state.record_metric(
        f"{OPEN_EXCEPTIONS_METRIC}.{today:%Y-%m}",
        open_exceptions(plan.matches),
        run_id=values.moment.run_id,
        now=ports.clock(),
    )


def _tab_name(values: RunValues, name: str) -> str:
    layout = need(values.planned).data.layouts.get(name)
    return layout.tab if layout is not None else name


def payment_lines(values: RunValues) -> tuple[PaymentLine, ...]:
    """The run's payments applied, edited and deleted, for its summary."""
    plan = values.payments
    if plan is None:
        return ()
    return tuple(
        PaymentLine(
            action=c.action,
            row_id=c.applied.row_id,
            row=c.applied.row,
            booked=c.applied.booked,
            amount=amount_text(c.applied.amount, c.applied.currency),
            invoices=c.applied.match.invoice_numbers,
            status=c.applied.match.status.value,
            note=c.applied.match.note,
        )
        for c in plan.changes
    )


def paid_lines(values: RunValues) -> tuple[PaidLine, ...]:
    """The invoices whose Paid the run writes, with their Balance and Status."""
    plan, mail = values.payments, values.mail
    if plan is None or mail is None:
        return ()
    lines = []
    for number, paid in sorted(plan.paid_writes.items()):
        invoice, cells = mail.invoices.get(number), mail.cells.get(number)
        if invoice is None or cells is None:
            continue
        lines.append(
            PaidLine(
                number,
                amount_text(paid, invoice.currency),
                amount_text(cells.balance, invoice.currency),
                cells.status,
            )
        )
    return tuple(lines)
