"""What a run decides from the Payments tab and the journal (planning/payments.py):
matches kept while a row is unchanged, edits and deletions, a stopped run's Row IDs
used again, Paid's precedence, a rebuilt state, Receipt Sent (issue 15, point 3)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from sheetbill.domain.mail import EmailHistory, EmailRecord, Purpose
from sheetbill.domain.model import Customer, Invoice, InvoiceKind, TaxMode
from sheetbill.domain.payments import PaymentStatus
from sheetbill.planning.payments import (
    AppliedPayment,
    PaymentsInput,
    PaymentsPlan,
    applied_details,
    applied_from,
    plan_payments,
    rebuilt_applications,
    rebuilt_paid,
    with_receipts,
)
from sheetbill.tabs.invoices import InvoiceRow
from sheetbill.tabs.payments import PaymentRow


def invoice(number: str, total: str, *, issued: date = date(2026, 10, 1)) -> Invoice:
    return Invoice(
        number=number,
        kind=InvoiceKind.INVOICE,
        customer_id="C1",
        customer_name="Alpha GmbH",
        currency="EUR",
        issue_date=issued,
        due_date=date(2026, 10, 31),
        tax_mode=TaxMode.EXCLUSIVE,
        lines=(),
        net=Decimal(total),
        tax=Decimal(0),
        total=Decimal(total),
        breakdown=(),
        work_complete=None,
    )


def shown(number: str, paid: str | None, row: int = 2) -> InvoiceRow:
    """An Invoices row showing `paid` in Paid (None: blank)."""
    return InvoiceRow(
        row,
        number,
        "C1",
        "sent",
        "",
        "",
        False,
        "",
        False,
        "",
        "",
        "",
        paid=Decimal(paid) if paid is not None else Decimal(0),
        paid_text=paid or "",
    )


def payment(
    row: int, amount: str, reference: str, *, row_id: str = "", day: int = 5
) -> PaymentRow:
    return PaymentRow(
        row=row,
        booked=date(2026, 11, day),
        amount=Decimal(amount),
        currency="EUR",
        reference=reference,
        row_id=row_id,
        fingerprint=f"{row}|{amount}|{reference}|{day}",
    )


INV7 = invoice("INV-2026-0007", "1190.00")
ALPHA = Customer(row=2, customer_id="C1", name="Alpha GmbH")
INV8 = invoice("INV-2026-0008", "500.00")


def plan(
    rows: list[PaymentRow],
    *,
    applied: tuple[AppliedPayment, ...] = (),
    invoices: tuple[Invoice, ...] = (INV7, INV8),
    invoice_rows: tuple[InvoiceRow, ...] = (),
    written: dict[str, frozenset[Decimal]] | None = None,
    last: int = 0,
) -> PaymentsPlan:
    return plan_payments(
        PaymentsInput(
            rows=rows,
            applied=applied,
            invoices=invoices,
            invoice_rows=invoice_rows,
            customers=(ALPHA,),
            written_paid=written or {},
            last_row_id=last,
        )
    )


def recorded(
    found: PaymentsPlan, *, shown_now: bool = True
) -> tuple[AppliedPayment, ...]:
    """The plan's applications as the journal gives them back to the next run."""
    return tuple(
        applied_from(a.row_id, applied_details(a, "applied"), is_shown=shown_now)
        for a in found.to_record
    )


def with_ids(rows: list[PaymentRow], found: PaymentsPlan) -> list[PaymentRow]:
    """The rows as the workbook shows them once the plan's Row IDs are written."""
    ids = {c.row: c.row_id for c in found.cells}
    return [replace(r, row_id=ids[r.row]) for r in rows]


def test_a_new_payment_gets_a_row_id_its_match_and_a_log_line():
    found = plan([payment(2, "1190.00", "RE: INV-2026-0007")], last=4)
    assert [c.row_id for c in found.cells] == ["P-000005"]
    assert found.cells[0].matched_invoice == "INV-2026-0007"
    assert [c.action for c in found.changes] == ["applied"]
    assert found.paid["INV-2026-0007"] == Decimal("1190.00")
    assert found.last_row_id == 5


def test_a_match_stays_when_an_invoice_of_the_same_amount_comes_later():
    rows = [payment(2, "500.00", "thanks")]
    first = plan(rows, invoices=(INV8,))
    assert first.cells[0].matched_invoice == "INV-2026-0008"
    twin = invoice("INV-2026-0009", "500.00", issued=date(2026, 11, 1))
    again = plan(with_ids(rows, first), applied=recorded(first), invoices=(INV8, twin))
    assert again.cells[0].matched_invoice == "INV-2026-0008"
    assert again.changes == () and again.to_record == ()


def test_a_row_edited_after_it_was_applied_is_matched_again_and_told():
    rows = [payment(2, "1190.00", "INV-2026-0007")]
    first = plan(rows)
    edited = [replace(with_ids(rows, first)[0], amount=Decimal(300), fingerprint="x")]
    again = plan(edited, applied=recorded(first))
    assert [c.action for c in again.changes] == ["edited"]
    assert again.paid["INV-2026-0007"] == Decimal("300.00")
    assert again.cells[0].row_id == first.cells[0].row_id


def test_a_row_deleted_after_it_was_applied_is_taken_back_once():
    rows = [payment(2, "1190.00", "INV-2026-0007")]
    first = plan(rows)
    gone = plan([], applied=recorded(first))
    assert [c.action for c in gone.changes] == ["deleted"]
    assert gone.paid["INV-2026-0007"] == Decimal(0)
    told = tuple(
        applied_from(a.row_id, applied_details(a, "deleted"), is_shown=True)
        for a in gone.gone
    )
    assert plan([], applied=told).changes == ()


def test_a_stopped_runs_row_id_is_used_again_never_drawn_twice():
    rows = [
        payment(2, "1190.00", "INV-2026-0007"),
        payment(3, "500.00", "INV-2026-0008"),
    ]
    first = plan(rows)
    # The run stopped after recording, before the workbook showed the Row IDs.
    again = plan(rows, applied=recorded(first, shown_now=False), last=first.last_row_id)
    assert [c.row_id for c in again.cells] == [c.row_id for c in first.cells]
    assert [c.action for c in again.changes] == ["applied", "applied"]


@given(st.lists(st.sampled_from(["", "P-000001", "P-000002", "P-000009"]), max_size=8))
def test_every_row_has_a_row_id_of_its_own_whatever_the_rows_show(shown_ids):
    rows = [
        replace(payment(i + 2, "10.00", "x", day=1 + i % 20), row_id=r)
        for i, r in enumerate(shown_ids)
    ]
    found = plan(rows, last=2)
    ids = [c.row_id for c in found.cells]
    assert all(ids) and len(ids) == len(set(ids))


def test_a_paid_a_person_typed_stands_and_is_never_written():
    rows = [payment(2, "1190.00", "INV-2026-0007")]
    found = plan(rows, invoice_rows=(shown("INV-2026-0007", "200"),))
    assert found.paid["INV-2026-0007"] == Decimal(200)
    assert "INV-2026-0007" not in found.paid_writes
    assert found.hand_paid == {"INV-2026-0007"}
    # 1,190.00 against the 990.00 the typed Paid leaves open: over-paid, and told.
    codes = [p.code.value for p in found.problems]
    assert codes == ["payments.overpaid", "payments.paid-by-hand"]


def test_a_paid_sheetbill_wrote_is_its_own_also_while_the_write_is_under_way():
    rows = [payment(2, "500.00", "INV-2026-0007")]
    ours = {"INV-2026-0007": frozenset({Decimal(300), Decimal(0)})}
    found = plan(rows, invoice_rows=(shown("INV-2026-0007", "300"),), written=ours)
    assert found.hand_paid == frozenset()
    assert found.paid_writes == {"INV-2026-0007": Decimal("500.00")}


def test_a_blank_paid_hands_the_cell_back_and_the_match_is_spread_again():
    rows = [payment(2, "1190.00", "INV-2026-0007")]
    first = plan(rows, invoice_rows=(shown("INV-2026-0007", "200"),))
    assert first.matches[0].allocations[0].amount == Decimal("990.00")
    again = plan(
        with_ids(rows, first),
        applied=recorded(first),
        invoice_rows=(shown("INV-2026-0007", None),),
    )
    assert again.paid["INV-2026-0007"] == Decimal("1190.00")
    assert again.paid_writes == {"INV-2026-0007": Decimal("1190.00")}
    assert [c.action for c in again.changes] == ["reapplied"]


def test_a_rebuilt_state_keeps_what_the_payments_tab_shows():
    rows = [
        replace(
            payment(2, "1690.00", "both", row_id="P-000003"),
            shown={
                "Matched Invoice": "INV-2026-0007, INV-2026-0008",
                "Status": "matched",
                "Match Note": "reference names both",
            },
        )
    ]
    applied = rebuilt_applications(rows, [INV7, INV8])
    assert [(a.number, a.amount) for a in applied[0].match.allocations] == [
        ("INV-2026-0007", Decimal("1190.00")),
        ("INV-2026-0008", Decimal("500.00")),
    ]
    ours = rebuilt_paid(
        applied,
        [shown("INV-2026-0007", "1190.00"), shown("INV-2026-0008", "20")],
        [INV7, INV8],
    )
    assert ours == {"INV-2026-0007": Decimal("1190.00")}, "20 stays a person's"
    again = plan(rows, applied=tuple(applied))
    assert again.changes == () and again.to_record == ()


def test_receipt_sent_is_the_first_receipt_that_covers_the_payment():
    rows = [
        payment(2, "190.00", "INV-2026-0007", day=3),
        payment(3, "1000.00", "INV-2026-0007", day=4),
    ]
    found = plan(rows)
    went = datetime(2026, 11, 4, 9, 0, tzinfo=UTC)
    receipt = EmailRecord(
        key="INV-2026-0007.receipt.1190.00",
        purpose=Purpose.RECEIPT,
        status="done",
        intended_at=went,
        settled_at=went,
        invoice="INV-2026-0007",
        paid=Decimal("1190.00"),
    )
    cells = with_receipts(
        found, EmailHistory.of([receipt]), zone=ZoneInfo("Europe/Berlin")
    ).cells
    assert [c.receipt_sent for c in cells] == [datetime(2026, 11, 4, 10, 0)] * 2
    assert all(c.status == PaymentStatus.MATCHED for c in cells)


def _runs(*row_sets: list[PaymentRow]) -> list[PaymentsPlan]:
    """Runs one after another, each on the rows as a person left them, the journal
    carried over as the runs record it."""
    applied: dict[str, AppliedPayment] = {}
    plans: list[PaymentsPlan] = []
    ids: dict[int, str] = {}
    for rows in row_sets:
        shown = [replace(r, row_id=ids.get(r.row, "")) for r in rows]
        found = plan(
            shown,
            applied=tuple(applied.values()),
            last=max((int(k[2:]) for k in applied), default=0),
        )
        for a in found.to_record:
            applied[a.row_id] = applied_from(
                a.row_id, applied_details(a, "applied"), is_shown=True
            )
        for a in found.gone:
            applied[a.row_id] = applied_from(
                a.row_id, applied_details(a, "deleted"), is_shown=True
            )
        ids = {c.row: c.row_id for c in found.cells}
        plans.append(found)
    return plans


def test_a_second_payment_dated_earlier_stays_the_over_payment_run_after_run():
    first = payment(2, "1190.00", "INV-2026-0007", day=28)
    again = payment(3, "1190.00", "INV-2026-0007 again", day=27)
    _, _, third, last = _runs([first], [first, again], [first, again], [first, again])
    assert third.changes == () and third.to_record == ()
    assert last.changes == () and last.to_record == ()
    assert last.paid["INV-2026-0007"] == Decimal("1190.00")
    statuses = {m.key: m.status for m in last.matches}
    assert sorted(statuses.values()) == [PaymentStatus.MATCHED, PaymentStatus.OVERPAID]


def test_a_run_right_after_a_payment_changes_nothing_for_an_earlier_exception():
    stray = replace(payment(2, "999.00", "thanks", day=1), payer="Alpha GmbH")
    paying = payment(3, "1190.00", "INV-2026-0007", day=4)
    _, second, third = _runs([stray], [stray, paying], [stray, paying])
    assert [c.action for c in second.changes] == ["applied"]
    assert third.changes == () and third.to_record == ()
    assert [c.note for c in third.cells] == [c.note for c in second.cells]


def test_a_refund_whose_payment_was_deleted_is_matched_again_never_below_zero():
    paid = payment(2, "1190.00", "INV-2026-0007", day=3)
    refund = payment(3, "-1190.00", "REFUND INV-2026-0007", day=4)
    _, after = _runs([paid, refund], [refund])
    assert after.paid["INV-2026-0007"] == Decimal(0)
    (match,) = after.matches
    assert match.status is PaymentStatus.UNMATCHED and match.allocations == ()


def test_a_typed_paid_equal_to_the_payments_is_still_in_doubt():
    rows = [payment(2, "200.00", "INV-2026-0007")]
    found = plan(rows, invoice_rows=(shown("INV-2026-0007", "200"),))
    assert found.in_doubt == {"INV-2026-0007"}
    assert [p.code.value for p in found.problems][-1] == "payments.paid-by-hand"
