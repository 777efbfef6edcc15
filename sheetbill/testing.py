"""Fakes of the ports (`sheetbill.ports`) for tests of use cases, kept beside the code.

A use case is tested against a fake that keeps the same contract as the real adapters,
so that the planning and crash-recovery logic is proven without a file or a network
(the same behaviour is proven end to end on real Excel files and the local Sheets
server). A fake for each new port joins `MemoryWorkbook` here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from sheetbill.domain.mail import Delivery, OutgoingEmail, SendResult
from sheetbill.domain.sheet import (
    BookSnapshot,
    CellValue,
    SheetRow,
    Table,
    WorkbookChanges,
)
from sheetbill.errors import WorkbookChangedError

if TYPE_CHECKING:
    from sheetbill.ports import Mailer, Workbook

# A cell's place in a tab: (1-based sheet row, 0-based column).
Grid = dict[tuple[int, int], CellValue]


class MemoryWorkbook:
    """The `Workbook` port in memory: tabs as grids of non-blank cells.

    Keeps the contract of the Excel and Google backends: `read` hands over every tab
    with a version token; `apply` writes a plan all at once and returns the new
    token, and refuses (`WorkbookChangedError`, nothing written) when the workbook is
    no longer at the version the plan was made from; changes with nothing in them
    write nothing and leave the version alone. A person's edit (`edit`) moves the
    version on, as a save would. A test may make the next `apply` or any
    `check_writable` fail with an error of its choice (a full disk, a locked file),
    or change `cells` directly, which moves no version (an edit made before the read).
    """

    def __init__(self, book: BookSnapshot) -> None:
        # Per tab, its non-blank cells, header row included.
        self.cells: dict[str, Grid] = {}
        for name, table in book.tables.items():
            grid: Grid = {
                (table.header_row, column): header
                for column, header in enumerate(table.headers)
                if header
            }
            for row in table.rows:
                grid.update(
                    {
                        (row.number, column): value
                        for column, value in enumerate(row.cells)
                        if value not in (None, "")
                    }
                )
            self.cells[name] = grid
        self.version = 1
        # How many plans were written.
        self.applied = 0
        # Raised, once, by the next `apply` instead of writing.
        self.fail_next_apply: Exception | None = None
        # Raised by every `check_writable` while set.
        self.fail_check_writable: Exception | None = None

    @property
    def name(self) -> str:
        return "memory.xlsx"

    def read(self) -> BookSnapshot:
        """Every tab as a backend hands it over: the header row is the first used
        row, blank rows are left out, and rows are as wide as the widest."""
        tables: dict[str, Table] = {}
        for name, grid in self.cells.items():
            rows_used = sorted({row for row, _ in grid})
            width = max((column for _, column in grid), default=-1) + 1
            if not rows_used:
                tables[name] = Table(name, 1, (), (), 1)
                continue
            header_row = rows_used[0]
            headers = tuple(
                str(grid.get((header_row, column)) or "") for column in range(width)
            )
            rows = tuple(
                SheetRow(row, tuple(grid.get((row, column)) for column in range(width)))
                for row in rows_used[1:]
            )
            tables[name] = Table(name, header_row, headers, rows, rows_used[-1])
        return BookSnapshot(tables, self._token, tuple(tables))

    def check_writable(self) -> None:
        if self.fail_check_writable is not None:
            raise self.fail_check_writable

    def apply(self, changes: WorkbookChanges, *, expected_version: str) -> str:
        if self.fail_next_apply is not None:
            error, self.fail_next_apply = self.fail_next_apply, None
            raise error
        if expected_version != self._token:
            raise WorkbookChangedError(
                f"the workbook is at {self._token}, not {expected_version}; nothing "
                "was written",
                path=self.name,
            )
        if changes.is_empty:
            return self._token
        for spec in changes.new_tabs:
            self.cells[spec.name] = {
                (1, column): spec_column.header
                for column, spec_column in enumerate(spec.columns)
            }
        for tab, writes in changes.writes.items():
            grid = self.cells[tab]
            for cell in writes:
                if cell.value is None:
                    grid.pop((cell.row, cell.column), None)
                else:
                    grid[(cell.row, cell.column)] = cell.value
        self.version += 1
        self.applied += 1
        return self._token

    def edit(self, tab: str, row: int, column: int, value: CellValue) -> None:
        """A person's change: the version moves on."""
        self.cells[tab][(row, column)] = value
        self.version += 1

    def column(self, tab: str, header: str) -> list[CellValue]:
        """The cells below `header` in `tab`, one per row read."""
        table = self.read().tables[tab]
        index = table.headers.index(header)
        return [row.get(index) for row in table.rows]

    @property
    def _token(self) -> str:
        return f"v{self.version}"


# What a test tells MemoryMailer to answer: a Delivery, or a whole SendResult.
Answer = Delivery | SendResult


class MemoryMailer:
    """The `Mailer` port in memory: every email handed over is kept in `handed`, in
    order, whatever came of it.

    Each is answered `default` (ACCEPTED) unless the test says otherwise: by
    `answers`, keyed by the Message-ID or by its left part (the email's key, e.g.
    "INV-2026-0007.reminder.+7"), else by `next_answers`, used up in order. As the
    real transports, `send` never raises and a session is closed when the run
    leaves it.
    """

    def __init__(self, *, default: Answer = Delivery.ACCEPTED) -> None:
        self.default = default
        self.handed: list[OutgoingEmail] = []
        # What each of `handed` was answered.
        self.results: list[SendResult] = []
        self.answers: dict[str, Answer] = {}
        self.next_answers: list[Answer] = []
        # Sessions opened, and how many of them are open now.
        self.sessions = 0
        self.open_sessions = 0

    @property
    def name(self) -> str:
        return "memory mailer"

    @property
    def accepted(self) -> list[OutgoingEmail]:
        """The emails answered ACCEPTED: those a customer would get."""
        return [
            email
            for email, result in zip(self.handed, self.results, strict=True)
            if result.delivery is Delivery.ACCEPTED
        ]

    @contextlib.contextmanager
    def session(self) -> Iterator[MemoryMailer]:
        self.sessions += 1
        self.open_sessions += 1
        try:
            yield self
        finally:
            self.open_sessions -= 1

    def send(self, email: OutgoingEmail) -> SendResult:
        self.handed.append(email)
        left = email.message_id.removeprefix("<").partition("@")[0]
        if email.message_id in self.answers:
            answer = self.answers[email.message_id]
        elif left in self.answers:
            answer = self.answers[left]
        elif self.next_answers:
            answer = self.next_answers.pop(0)
        else:
            answer = self.default
        result = answer if isinstance(answer, SendResult) else SendResult(answer)
        self.results.append(result)
        return result


if TYPE_CHECKING:

    def _is_a_workbook(book: MemoryWorkbook) -> Workbook:
        """mypy proves here that MemoryWorkbook keeps the port's signatures."""
        return book

    def _is_a_mailer(mailer: MemoryMailer) -> Mailer:
        """mypy proves here that MemoryMailer keeps the port's signatures."""
        return mailer
