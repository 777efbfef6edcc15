"""Invoice No and Row ID onto the Time Log and Orders rows a run bills: the only
cells of those tabs sheetbill writes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from operator import itemgetter

from sheetbill.domain.model import Invoice, SourceRow
from sheetbill.domain.recurring import RECURRING_TAB
from sheetbill.domain.schema import BilledColumns
from sheetbill.domain.sheet import new_cell_write
from sheetbill.planning.recovery import PendingMatch
from sheetbill.tabs.rows import TabLayout
from sheetbill.writeback.writer import TabWriter


def mark_billed_rows(
    layouts: Mapping[str, TabLayout],
    new: Sequence[Invoice],
    pending: PendingMatch,
    pending_numbers: Mapping[str, str],
) -> dict[str, TabWriter]:
    """The writes on each billed tab, by tab, in tab order.

    Rows of new invoices are where this run read them; rows of pending invoices
    (`pending_numbers`: Row ID -> invoice number) only where `match_pending` found
    them again, never at their old position blindly.
    """
    by_tab: dict[str, list[tuple[int, SourceRow, str]]] = {}
    for (tab, row), source in pending.located.items():
        by_tab.setdefault(tab, []).append((row, source, pending_numbers[source.row_id]))
    for invoice in new:
        for source in invoice.sources:
            if source.tab == RECURRING_TAB:
                continue  # a plan's period: its row gets Next Date, Last Invoice
            by_tab.setdefault(source.tab, []).append(
                (source.row, source, invoice.number)
            )
    writers: dict[str, TabWriter] = {}
    for tab, rows in sorted(by_tab.items()):
        layout = layouts[tab]
        writer = TabWriter.open(layout.schema, layout)
        # The bulk of a big run's cells: written here without a call per cell.
        cells = writer.cells
        number_at, row_id_at = (
            writer.positions[BilledColumns.INVOICE_NO],
            writer.positions[BilledColumns.ROW_ID],
        )
        for row, source, number in sorted(rows, key=itemgetter(0)):
            row_id = source.row_id
            cells.append(new_cell_write(row, number_at, number, row_id))
            cells.append(new_cell_write(row, row_id_at, row_id, row_id))
        writers[tab] = writer
    return writers
