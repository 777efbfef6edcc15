"""The rows that are billed, on the Time Log and the Orders alike: which are still to
bill, what a billed row must keep, and which rows wait and why.

Pure. Both tabs' readers share this prologue (the fingerprint, the Invoice No and
Row ID checks, the customer) and epilogue (the row billed, or left waiting), so a
rule about billed rows is written once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Generic, TypeVar

from sheetbill.domain.cells import MAX_NUMBER, show
from sheetbill.domain.model import BilledRow, Customer, Problem, Settings
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.row_ids import (
    ROW_ID_PREFIX,
    is_invoice_number,
    is_row_id,
    kind_of_value,
)
from sheetbill.domain.waiting import WaitReason, held
from sheetbill.tabs.rows import RowReader, TabLayout, fingerprint, fingerprint_cells

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class BillableRows(Generic[R]):
    """What a reader of a billed tab found besides its problems."""

    rows: tuple[R, ...] = ()
    # Rows without Invoice No, by (schema tab, sheet row): their fingerprint, so that
    # a rerun can find the rows of an invoice whose write-back was interrupted.
    open_rows: Mapping[tuple[str, int], str] = field(default_factory=dict)
    # Un-invoiced rows not billed: (schema tab, sheet row, why), in sheet order.
    waiting: tuple[tuple[str, int, WaitReason], ...] = ()


class BillableTab(Generic[R]):
    """One reading of the Time Log or the Orders: hands the reader each row still to
    bill, and collects the problems, open rows and waiting rows of all of them."""

    __slots__ = (
        "_billed",
        "_open_rows",
        "_problems",
        "_rows",
        "_waiting",
        "layout",
        "settings",
        "today",
    )

    def __init__(
        self,
        layout: TabLayout,
        settings: Settings,
        *,
        billed: Mapping[str, BilledRow],
        today: date,
    ) -> None:
        self.layout = layout
        self.settings = settings
        self.today = today
        self._billed = billed
        self._rows: list[R] = []
        self._problems: list[Problem] = []
        self._open_rows: dict[tuple[str, int], str] = {}
        self._waiting: list[tuple[str, int, WaitReason]] = []

    def to_bill(
        self, unready: Callable[[RowReader], WaitReason | None] = lambda read: None
    ) -> Iterator[tuple[RowReader, str, str]]:
        """(reader, Row ID kept or "", fingerprint) of each row still to bill.

        `unready` reads what makes a row not yet billable (Billable, Approved) before
        its Invoice No, and says why it waits; a row that also has an error waits
        because of the error.
        """
        tab = self.layout.schema.name
        seen_ids: dict[str, int] = {}
        print_cells = fingerprint_cells(self.layout)
        for row in self.layout.table.rows:
            read = RowReader(self.layout, row, self.settings)
            print_ = fingerprint(print_cells(read.cells))
            why = unready(read)
            is_to_bill, row_id = _bill_state(read, self._billed, print_, seen_ids)
            if not is_to_bill or why is not None:
                if is_to_bill and why is not None:
                    reason = why if read.ok else WaitReason.HAS_PROBLEM
                    self._waiting.append((tab, row.number, reason))
                self._problems.extend(read.problems)
                continue
            self._open_rows[(tab, row.number)] = print_
            yield read, row_id, print_

    def keep(self, read: RowReader, record: R) -> None:
        """The row is billed as `record`."""
        self._problems.extend(read.problems)
        self._rows.append(record)

    def hold(
        self, read: RowReader, customer: Customer | None, day: date | None
    ) -> None:
        """The row is not billed: it has problems, the main one says why it waits."""
        self._problems.extend(read.problems)
        reason = held(customer, day, self.today)
        self._waiting.append((self.layout.schema.name, read.row.number, reason))

    def found(self) -> tuple[BillableRows[R], tuple[Problem, ...]]:
        return (
            BillableRows(
                tuple(self._rows), dict(self._open_rows), tuple(self._waiting)
            ),
            tuple(self._problems),
        )


def _bill_state(
    read: RowReader,
    billed: Mapping[str, BilledRow],
    print_: str,
    seen_ids: dict[str, int],
) -> tuple[bool, str]:
    """Whether the row is still to bill, and the Row ID it keeps or "" for a new one.

    A row with an Invoice No is done; if sheetbill billed it, it must not have changed.
    A Row ID seen on an earlier row is a copied row: it is not billed until cleared.
    """
    invoice_no = read.text("Invoice No")
    row_id = read.text("Row ID")
    if _holds_a_persons_value(read, billed, invoice_no, row_id):
        return False, ""
    if row_id:
        first = seen_ids.get(row_id)
        if first is not None:
            read.fail(
                "Row ID",
                f"Row ID {row_id} is also on row {first}; this row looks copied.",
                "If this row is new work, clear its Invoice No and Row ID cells.",
                code=ProblemCode.ROW_COPIED,
            )
            return False, row_id
        seen_ids[row_id] = read.row.number
    record = billed.get(row_id) if row_id else None
    if invoice_no:
        if record is not None and record.fingerprint != print_:
            read.fail(
                "Invoice No",
                f"This row was billed on {record.invoice_no} but has been changed "
                "since.",
                f"Undo the change, or correct {record.invoice_no} with a credit note "
                "and enter the work again as a new row.",
                value=invoice_no,
                code=ProblemCode.ROW_CHANGED_AFTER_BILLING,
            )
        return False, row_id
    if record is not None:
        read.fail(
            "Invoice No",
            f"Invoice No was cleared, but this row was billed on {record.invoice_no}.",
            f"Write {record.invoice_no} back into Invoice No; to bill the row again, "
            "credit the old invoice and add a new row.",
            value="",
            code=ProblemCode.ROW_INVOICE_NO_CLEARED,
        )
        return False, row_id
    return True, ""


def _holds_a_persons_value(
    read: RowReader, billed: Mapping[str, BilledRow], invoice_no: str, row_id: str
) -> bool:
    """Whether sheetbill's cells hold what it did not write, so the row is not billed.

    Billing writes both cells: a person's value there would be lost, and an ID that
    is none would be taken for a copied row's. An Invoice No that can be no invoice's
    (TRUE, a date, 0) might mean billed or not: the row waits for the person to say.
    Beside a real Invoice No, any Row ID is the person's note on a row billed
    elsewhere, which is skipped without comment.
    """
    if invoice_no and not is_invoice_number(
        read.raw("Invoice No"), read.serial_format("Invoice No")
    ):
        record = billed.get(row_id) if is_row_id(read.raw("Row ID")) else None
        read.fail(
            "Invoice No",
            f"Invoice No holds {_kind(read, 'Invoice No')}, which is no invoice "
            "number: it does not say whether the row was billed, so it is not billed.",
            f"This row was billed on {record.invoice_no}: write {record.invoice_no} "
            "back into Invoice No."
            if record is not None
            else "If the row was billed elsewhere, type that invoice's number; if it "
            "is still to bill, clear the cell.",
            code=ProblemCode.ROW_INVOICE_NO_UNCLEAR,
        )
        return True
    if not row_id or is_row_id(read.raw("Row ID")):
        return False
    if not invoice_no:
        example = ROW_ID_PREFIX.get(read.layout.schema.name, "T-") + "000012"
        read.fail(
            "Row ID",
            f"Row ID holds {_kind(read, 'Row ID')}, which sheetbill did not write; "
            "the row is not billed while it is there (billing writes the Row ID).",
            "Clear the Row ID cell (keep a note in a column of your own); sheetbill "
            f"then bills the row and writes its Row ID, such as {example}.",
            code=ProblemCode.ROW_ID_NOT_SHEETBILLS,
        )
    return True


def _kind(read: RowReader, column: str) -> str:
    return kind_of_value(read.raw(column), read.serial_format(column))


def customer_for(read: RowReader, customers: Mapping[str, Customer]) -> Customer | None:
    customer_id = read.required_text("Customer ID")
    read.customer_id = customer_id or None
    if not customer_id:
        return None
    customer = customers.get(customer_id)
    if customer is None:
        read.fail(
            "Customer ID",
            f"No customer has the ID {customer_id}.",
            "Use an ID from the Customers tab, or add the customer there.",
            code=ProblemCode.ROW_UNKNOWN_CUSTOMER,
        )
    elif not customer.is_active:
        read.fail(
            "Customer ID",
            f"Customer {customer_id} is marked inactive.",
            "Set the customer's Status to active, or set Billable to no.",
            code=ProblemCode.ROW_INACTIVE_CUSTOMER,
        )
    return customer


def check_not_future(read: RowReader, day: date | None, today: date, what: str) -> None:
    """A row dated after the run's date is not billed yet; `what` names the row."""
    if day is not None and day > today:
        read.fail(
            "Date",
            "Date is in the future.",
            f"Check the date; the {what} is billed once that day has come.",
            code=ProblemCode.ROW_FUTURE_DATE,
        )


def check_amount(
    read: RowReader, column: str, quantity: Decimal, price: Decimal
) -> None:
    """A row whose quantity times price is beyond what a cell holds exactly is an error:
    past it, rounding to cents fails (and nobody bills it)."""
    if abs(quantity) >= MAX_NUMBER or abs(quantity * price) >= MAX_NUMBER:
        read.fail(
            column,
            f"{column} × price is {show(quantity * price)}, too large for one "
            "invoice line.",
            "Check the quantity and the price (or rate); a line must stay below "
            "1,000,000,000,000,000.",
            code=ProblemCode.ROW_AMOUNT_TOO_LARGE,
        )
