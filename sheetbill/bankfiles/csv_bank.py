"""Bank CSV exports: a typical English, German, French or Spanish bank's export is
recognised by its header names, so it imports with no configuration; any other
layout gets a `[payments.profiles.NAME]` table in sheetbill.toml naming its columns.

The header is found below the bank's title lines; the delimiter from the header
line; the decimal comma from amounts that can be read only one way; the date format
from the dates, refusing a file whose dates read two ways (03/04/2026). Pending
lines, balance lines and a closing balance after the transactions are left out and
counted. Anything else that cannot be read stops the import naming the line and
column: nothing of the file is imported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sheetbill.bankfiles.base import read_bytes
from sheetbill.bankfiles.table import (
    Header,
    Record,
    Table,
    column_index,
    find_header,
    lines_of,
    read_table,
)
from sheetbill.bankfiles.text import (
    AUTO_ENCODING,
    MARKS,
    account,
    clean,
    currency_code,
    currency_in_header,
    date_format_of,
    decimal_comma_in,
    decode,
    decode_head,
    header_key,
    is_auto,
    joined,
    looks_like_refund,
    method_of,
    parse_amount,
    parse_date,
)
from sheetbill.domain.payments import (
    CsvProfile,
    Statement,
    Transaction,
    TransactionKind,
)
from sheetbill.errors import BankFileError


@dataclass(frozen=True, slots=True)
class Layout:
    """A built-in layout: for each column, the header names banks give it, the
    preferred first. `recipient`: the counterparty of money going out, where a bank
    has a column of its own for it (DKB); `booking_text`: the bank's words for the
    kind of line (Buchungstext, Type), read for refunds and the method; `status`:
    a column saying a line is still pending."""

    language: str
    date: tuple[str, ...]
    date_formats: tuple[str, ...]
    decimal_comma: bool
    amount: tuple[str, ...] = ()
    debit: tuple[str, ...] = ()
    credit: tuple[str, ...] = ()
    marks: tuple[str, ...] = ()
    reference: tuple[str, ...] = ()
    # The remittance text's column when none of `reference` is there.
    reference_fallback: tuple[str, ...] = ()
    payer: tuple[str, ...] = ()
    recipient: tuple[str, ...] = ()
    account: tuple[str, ...] = ()
    currency: tuple[str, ...] = ()
    transaction_id: tuple[str, ...] = ()
    booking_text: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    # The column after the amount holds S/H with no header (Volksbank's old export).
    unnamed_marks: bool = False


_DAY_FIRST = ("%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%Y-%m-%d")

GERMAN = Layout(
    language="de",
    date=("Buchungstag", "Buchungsdatum", "Buchung", "Datum", "Valutadatum",
          "Valuta", "Wertstellung", "Wert"),
    date_formats=_DAY_FIRST,
    decimal_comma=True,
    amount=("Betrag", "Betrag (EUR)", "Betrag (€)", "Betrag in EUR", "Umsatz",
            "Umsatz in EUR", "Zahlungsbetrag"),
    debit=("Soll", "Soll (EUR)", "Ausgang"),
    credit=("Haben", "Haben (EUR)", "Eingang"),
    marks=("Soll/Haben", "S/H"),
    reference=("Verwendungszweck", "Vorgang/Verwendungszweck", "Verwendungszweck 2",
               "Weitere Verwendungszwecke"),
    # Commerzbank and comdirect write the remittance text into Buchungstext.
    reference_fallback=("Buchungstext",),
    payer=("Beguenstigter/Zahlungspflichtiger", "Begünstigter/Zahlungspflichtiger",
           "Zahlungspflichtige*r", "Name Zahlungsbeteiligter",
           "Auftraggeber/Empfänger", "Auftraggeber / Begünstigter",
           "Begünstigter / Auftraggeber", "Auftraggeber/Zahlungsempfänger",
           "Sender / Empfänger",
           "Gegenkonto Inhaber", "Name", "Auftraggeber"),
    recipient=("Zahlungsempfänger*in", "Empfänger/Zahlungspflichtiger"),
    account=("Kontonummer/IBAN", "IBAN Zahlungsbeteiligter", "IBAN / Kontonummer",
             "IBAN / Konto-Nr.", "IBAN", "Counterparty IBAN", "Gegenkonto",
             "Konto-Nr.", "Kontonummer"),
    currency=("Waehrung", "Währung", "Zahlungswährung"),
    transaction_id=("Transaktions-ID", "Buchungsreferenz"),
    booking_text=("Buchungstext", "Umsatzart", "Umsatztyp", "Vorgang", "Art",
                  "Transaktionsart"),
    status=("Status", "Info"),
    unnamed_marks=True,
)  # fmt: skip

ENGLISH = Layout(
    language="en",
    date=("Date", "Booking Date", "Posting Date", "Posted Date", "Transaction Date",
          "Completed Date", "Date completed (UTC)", "Date completed", "Date (UTC)",
          "Settlement date (UTC)", "Value Date", "Started Date",
          "Date started (UTC)"),
    date_formats=("%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d/%m/%y", "%m/%d/%y",
                  "%d-%m-%Y", "%m-%d-%Y", "%d.%m.%Y", "%Y/%m/%d", "%d %b %Y",
                  "%d-%b-%Y", "%d %b %y", "%b %d, %Y"),
    decimal_comma=False,
    amount=("Amount", "Amount (GBP)", "Amount (EUR)", "Amount (USD)", "Value",
            "Payment amount", "Total amount (incl. VAT)", "Total amount",
            "Transaction Amount"),
    debit=("Debit", "Debit Amount", "Money Out", "Paid Out", "Withdrawals",
           "Withdrawal", "Out"),
    credit=("Credit", "Credit Amount", "Money In", "Paid In", "Deposits", "Deposit",
            "In"),
    marks=("Debit/Credit", "Credit/Debit", "Dr/Cr", "Cr/Dr"),
    reference=("Description", "Transaction Description", "Details", "Reference",
               "Payment Reference", "Memo", "Narrative", "Notes", "Note"),
    payer=("Payer", "Payer Name", "Counter Party", "Counterparty",
           "Counterparty name", "Partner Name", "Name", "Payee", "Beneficiary"),
    recipient=("Payee Name",),
    account=("IBAN", "Counterparty IBAN", "Partner Iban", "Payer Account",
             "Beneficiary IBAN"),
    currency=("Currency", "Payment currency"),
    transaction_id=("Transaction ID", "TransferWise ID", "ID"),
    booking_text=("Type", "Transaction Type", "Subcategory", "Category"),
    status=("Status", "State"),
)  # fmt: skip

FRENCH = Layout(
    language="fr",
    date=("Date opération", "Date d'opération", "Date de l'opération",
          "Date operation", "Date", "Date comptable", "Date de comptabilisation",
          "Date de la transaction", "dateOp", "Date de valeur", "Date valeur",
          "dateVal"),
    date_formats=_DAY_FIRST,
    decimal_comma=True,
    amount=("Montant", "Montant(EUROS)", "Montant (EUR)", "Montant (€)",
            "Montant de l'opération", "Montant opération", "Montant en euros",
            "amount"),
    debit=("Débit", "Débit euros", "Débit (EUR)", "Débit (€)"),
    credit=("Crédit", "Crédit euros", "Crédit (EUR)", "Crédit (€)"),
    reference=("Libellé", "Libellé opération", "Libellé de l'opération",
               "Libellé court", "Libellé complet", "Détail de l'écriture", "Détail",
               "Informations complémentaires", "Référence", "Nom de la transaction",
               "label"),
    payer=("Tiers", "Contrepartie", "Nom du tiers", "Émetteur", "Donneur d'ordre"),
    account=("IBAN", "IBAN contrepartie", "IBAN du tiers"),
    currency=("Devise",),
    booking_text=("Type opération", "Type d'opération", "Type", "Nature"),
    status=("Statut",),
)  # fmt: skip

SPANISH = Layout(
    language="es",
    date=("Fecha operación", "Fecha", "F. Operación", "Fecha operativa",
          "Fecha contable", "Fecha valor", "F. Valor", "F.Valor"),
    date_formats=_DAY_FIRST,
    decimal_comma=True,
    amount=("Importe", "Importe (€)", "Importe (EUR)", "Importe EUR", "Cantidad"),
    debit=("Cargo", "Cargos", "Debe"),
    credit=("Abono", "Abonos", "Haber"),
    reference=("Concepto", "Descripción", "Concepto común", "Concepto propio",
               "Más datos", "Observaciones", "Referencia", "Referencia 1",
               "Referencia 2", "Comentario"),
    payer=("Ordenante", "Beneficiario / Ordenante", "Ordenante / Beneficiario",
           "Remitente"),
    account=("IBAN", "Cuenta ordenante", "IBAN ordenante"),
    currency=("Divisa", "Moneda"),
    booking_text=("Movimiento", "Tipo", "Tipo de movimiento"),
    status=("Estado",),
)  # fmt: skip

BUILT_IN = (GERMAN, ENGLISH, FRENCH, SPANISH)

# Status cells of lines a bank has not booked yet (or has declined): left out.
_PENDING = frozenset(
    w.casefold()
    for w in (
        "Vorgemerkt", "Umsatz vorgemerkt", "Pending", "Declined", "Reverted",
        "Failed", "Cancelled", "Canceled", "Rejected", "En attente", "Pendiente",
    )
)  # fmt: skip
# Cells of a line that states a balance rather than a transaction.
_BALANCE = frozenset(
    w.casefold()
    for w in (
        "Anfangssaldo", "Endsaldo", "Alter Kontostand", "Neuer Kontostand",
        "Kontostand", "Opening balance", "Closing balance", "Solde",
        "Solde initial", "Solde final", "Saldo inicial", "Saldo final",
    )
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Columns:
    """A header read by a layout or profile: each column's index in the header."""

    name: str
    date: int
    date_formats: tuple[str, ...]
    decimal_comma: bool
    # Built-in layouts let the file's amounts say whether a comma is decimal.
    detect_decimal: bool
    amount: int | None = None
    debit: int | None = None
    credit: int | None = None
    marks: int | None = None
    reference: tuple[int, ...] = ()
    payer: int | None = None
    recipient: int | None = None
    account: int | None = None
    currency: int | None = None
    transaction_id: int | None = None
    booking_text: tuple[int, ...] = ()
    status: int | None = None


def columns_by_layout(
    layout: Layout, header: Sequence[str]
) -> tuple[int, Columns] | None:
    """The header read by a built-in layout, with how many columns it recognised;
    None without a date and an amount (or debit and credit) column."""
    date = column_index(header, layout.date)
    amount = column_index(header, layout.amount)
    debit = column_index(header, layout.debit)
    credit = column_index(header, layout.credit)
    if debit is None or credit is None:
        debit = credit = None
    if date is None or (amount is None and debit is None):
        return None
    marks = column_index(header, layout.marks) if amount is not None else None
    after = amount + 1 if amount is not None else len(header)
    if marks is None and layout.unnamed_marks and after < len(header):
        marks = after if not header[after].strip() else None
    taken = {date, amount, debit, credit, marks}
    reference = _all_of(header, layout.reference, taken) or _all_of(
        header, layout.reference_fallback, taken
    )
    booking = _all_of(header, layout.booking_text, taken | set(reference))
    single = {
        key: column_index(header, getattr(layout, key))
        for key in ("payer", "recipient", "account", "currency", "transaction_id")
    }
    status = column_index(header, layout.status)
    columns = Columns(
        name=layout.language,
        date=date,
        date_formats=layout.date_formats,
        decimal_comma=layout.decimal_comma,
        detect_decimal=True,
        amount=amount,
        debit=debit,
        credit=credit,
        marks=marks,
        reference=reference,
        booking_text=booking,
        status=status,
        **single,
    )
    found = [date, amount, debit, credit, marks, status, *single.values()]
    return sum(i is not None for i in found) + len(reference) + len(booking), columns


def _all_of(
    header: Sequence[str], names: Sequence[str], taken: set[int | None]
) -> tuple[int, ...]:
    found: list[int] = []
    for name in names:
        index = column_index(header, [name])
        if index is not None and index not in taken and index not in found:
            found.append(index)
    return tuple(found)


def columns_by_profile(
    profile: CsvProfile, header: Sequence[str]
) -> tuple[int, Columns] | None:
    """The header read by a user's profile: every column it names must be there."""
    if missing_columns(profile, header):
        return None

    def at(name: str) -> int | None:
        return column_index(header, [name]) if name else None

    date = at(profile.date)
    assert date is not None  # a profile always names its date column (config)
    columns = Columns(
        name=profile.name,
        date=date,
        date_formats=(profile.date_format,),
        decimal_comma=profile.decimal_comma,
        detect_decimal=False,
        amount=at(profile.amount),
        debit=at(profile.debit),
        credit=at(profile.credit),
        marks=at(profile.debit_credit),
        reference=tuple(i for i in map(at, profile.reference) if i is not None),
        payer=at(profile.payer),
        account=at(profile.payer_account),
        currency=at(profile.currency),
        transaction_id=at(profile.transaction_id),
    )
    return 1000, columns


def missing_columns(profile: CsvProfile, header: Sequence[str]) -> list[str]:
    """The columns a profile names that the header does not have, as named."""
    named = [
        profile.date, profile.amount, profile.debit, profile.credit,
        profile.debit_credit, *profile.reference, profile.payer,
        profile.payer_account, profile.currency, profile.transaction_id,
    ]  # fmt: skip
    return [n for n in named if n and column_index(header, [n]) is None]


class BankCsv:
    """Bank CSV exports: the user's profiles first, then the built-in layouts."""

    name = "csv"

    def __init__(
        self, profiles: Sequence[CsvProfile] = (), built_in: bool = True
    ) -> None:
        self.profiles = tuple(profiles)
        self.built_in = built_in

    def identify(self, head: bytes, path: Path) -> bool:
        lines = lines_of(decode_head(head))
        return any(self._header(lines, c) is not None for c in self._candidates())

    def extract(self, path: Path) -> Statement:
        data = read_bytes(path)
        texts: dict[str, str | BankFileError] = {}
        for candidate in self._candidates():
            encoding = _encoding(candidate)
            text = texts.get(encoding)
            if text is None:
                try:
                    text = decode(data, path=path, encoding=encoding)
                except BankFileError as error:
                    text = error
                texts[encoding] = text
            if isinstance(text, BankFileError):
                continue
            lines = lines_of(text)
            found = self._header(lines, candidate)
            if found is not None:
                header, columns = found
                table = read_table(lines, header, path=path)
                return statement_of(table, columns, path=path)
        for text in texts.values():
            if isinstance(text, BankFileError):
                raise text
        raise self._unrecognised(texts, path)

    def _candidates(self) -> list[CsvProfile | Layout]:
        return [*self.profiles, *(BUILT_IN if self.built_in else ())]

    @staticmethod
    def _header(
        lines: Sequence[str], candidate: CsvProfile | Layout
    ) -> tuple[Header, Columns] | None:
        if isinstance(candidate, Layout):
            return find_header(lines, lambda cells: columns_by_layout(candidate, cells))
        return find_header(
            lines,
            lambda cells: columns_by_profile(candidate, cells),
            delimiter=candidate.delimiter,
            index=candidate.skip_rows,
        )

    def _unrecognised(
        self, texts: dict[str, str | BankFileError], path: Path
    ) -> BankFileError:
        if len(self.profiles) == 1 and not self.built_in:
            profile = self.profiles[0]
            text = texts.get(_encoding(profile), "")
            lines = lines_of(text) if isinstance(text, str) else []
            line = lines[profile.skip_rows] if profile.skip_rows < len(lines) else ""
            cells = _split_any(line, profile.delimiter)
            missing = ", ".join(f"'{m}'" for m in missing_columns(profile, cells))
            return BankFileError(
                f"line {profile.skip_rows + 1} is not the header profile "
                f"'{profile.name}' expects: it has no column {missing or '(empty)'}; "
                f"it reads {', '.join(repr(c) for c in cells) or 'nothing'}. Check "
                f"the profile's column names and skip_rows",
                path=path,
            )
        return BankFileError(
            "is not a bank CSV sheetbill knows: no header line among its first "
            "lines names a date and an amount column. Add a [payments.profiles.NAME] "
            "table to sheetbill.toml naming its columns",
            path=path,
        )


def _encoding(candidate: CsvProfile | Layout) -> str:
    if isinstance(candidate, Layout) or is_auto(candidate.encoding):
        return AUTO_ENCODING
    return candidate.encoding


def _split_any(line: str, delimiter: str) -> tuple[str, ...]:
    from sheetbill.bankfiles.table import DELIMITERS, header_cells

    for candidate in [delimiter] if delimiter else DELIMITERS:
        if candidate in line:
            return header_cells(line, candidate)
    return (line.strip(),) if line.strip() else ()


# --- Records to transactions ------------------------------------------------------


def statement_of(table: Table, columns: Columns, *, path: Path) -> Statement:
    """Every transaction of a bank CSV read by `columns`, in file order, with the
    lines left out counted. Raises BankFileError naming the first line and column
    that cannot be read."""
    kept, skipped = _kept(table, columns, path=path)
    decimal_comma = columns.decimal_comma
    if columns.detect_decimal:
        amounts = (
            r.cells[i]
            for r in kept
            for i in (columns.amount, columns.debit, columns.credit)
            if i is not None
        )
        found = decimal_comma_in(amounts)
        decimal_comma = decimal_comma if found is None else found
    date_format = date_format_of(
        [
            (r.line, r.cells[columns.date])
            for r in kept
            if r.cells[columns.date].strip()
        ],
        columns.date_formats,
        column=_column_name(table.header, columns.date),
        path=path,
    )
    transactions = tuple(
        _transaction(
            record,
            table.header,
            columns,
            date_format=date_format,
            decimal_comma=decimal_comma,
            path=path,
        )
        for record in kept
    )
    return Statement(f"csv:{columns.name}", transactions, tuple(skipped))


def _kept(
    table: Table, columns: Columns, *, path: Path
) -> tuple[list[Record], list[str]]:
    """The records that are transactions, and the others counted in words."""
    kept: list[Record] = []
    pending = balances = after = empty = 0
    for record in table.records:
        cells = record.cells
        date_text = cells[columns.date].strip()
        status = cells[columns.status] if columns.status is not None else ""
        if status.strip().casefold() in _PENDING:
            pending += 1
        elif any(c.strip().casefold() in _BALANCE for c in cells):
            balances += 1
        elif record.short:
            if any(parse_date(date_text, f) for f in columns.date_formats):
                raise BankFileError(
                    f"line {record.line} has fewer cells than the header on line "
                    f"{table.header_line} names ({len(table.header)}): the file is "
                    "cut or malformed. Export it again",
                    path=path,
                )
            after += 1
        elif not date_text and not any(
            cells[i].strip()
            for i in (columns.amount, columns.debit, columns.credit)
            if i is not None
        ):
            empty += 1
        else:
            kept.append(record)
    skipped = [
        _count(pending, "pending line", "(not booked yet)"),
        _count(balances, "balance line", ""),
        _count(after, "line after the transactions", "(a closing balance or total)"),
        _count(empty, "line with neither a date nor an amount", ""),
    ]
    return kept, [s for s in skipped if s]


def _count(n: int, what: str, why: str) -> str:
    if not n:
        return ""
    plural = what.replace("line", "lines", 1) if n > 1 else what
    return f"{n} {plural} {why}".strip()


def _transaction(
    record: Record,
    header: Sequence[str],
    columns: Columns,
    *,
    date_format: str,
    decimal_comma: bool,
    path: Path,
) -> Transaction:
    def cell(index: int | None) -> str:
        return record.cells[index] if index is not None else ""

    booked = parse_date(cell(columns.date), date_format)
    if booked is None:
        raise BankFileError(
            f"line {record.line}, column '{_column_name(header, columns.date)}': "
            "the line has an amount but no date. Correct the file or leave the line "
            "out",
            path=path,
        )
    amount = _amount(record, header, columns, decimal_comma=decimal_comma, path=path)
    reference = joined(cell(i) for i in columns.reference)
    words = joined([*(cell(i) for i in columns.booking_text), reference])
    if amount > 0:
        kind = TransactionKind.PAYMENT
    elif amount < 0 and looks_like_refund(words):
        kind = TransactionKind.REFUND
    else:
        kind = TransactionKind.OTHER
    # Money out names its recipient where the bank has a column for it.
    payer = clean(cell(columns.recipient)) if amount < 0 else ""
    return Transaction(
        booked=booked,
        amount=amount,
        currency=_currency(record, header, columns, path=path),
        payer=payer or clean(cell(columns.payer)),
        payer_account=account(cell(columns.account)),
        reference=reference,
        method=method_of(words),
        transaction_id=clean(cell(columns.transaction_id)),
        kind=kind,
        line=record.line,
    )


def _amount(
    record: Record,
    header: Sequence[str],
    columns: Columns,
    *,
    decimal_comma: bool,
    path: Path,
) -> Decimal:
    """The line's signed amount: the amount column (turned by an S/H mark), else
    credit less debit."""
    cells = record.cells
    if columns.amount is not None and cells[columns.amount].strip():
        value = _number(record, header, columns.amount, decimal_comma, path)
        if columns.marks is None:
            return value
        mark = header_key(cells[columns.marks])
        if mark in MARKS:
            return -abs(value) if MARKS[mark] else abs(value)
        if mark:
            raise BankFileError(
                f"line {record.line}, column '{_column_name(header, columns.marks)}':"
                f" '{clean(cells[columns.marks])}' is neither S (Soll, money out) nor "
                "H (Haben, money in)",
                path=path,
            )
        return value
    debit, credit = columns.debit, columns.credit
    if debit is not None and credit is not None:
        out = _number(record, header, debit, decimal_comma, path, blank=True)
        received = _number(record, header, credit, decimal_comma, path, blank=True)
        if cells[debit].strip() or cells[credit].strip():
            return abs(received) - abs(out)
    column = columns.amount if columns.amount is not None else columns.credit
    raise BankFileError(
        f"line {record.line}, column '{_column_name(header, column)}': the line has "
        "a date but no amount. Correct the file or leave the line out",
        path=path,
    )


def _number(
    record: Record,
    header: Sequence[str],
    index: int,
    decimal_comma: bool,
    path: Path,
    *,
    blank: bool = False,
) -> Decimal:
    text = record.cells[index]
    if blank and not text.strip():
        return Decimal(0)
    value = parse_amount(text, decimal_comma=decimal_comma)
    if value is None:
        like = "1.234,56" if decimal_comma else "1,234.56"
        raise BankFileError(
            f"line {record.line}, column '{_column_name(header, index)}': "
            f"'{clean(text)}' is not an amount like {like}. Correct the cell, or the "
            "profile's decimal_comma",
            path=path,
        )
    return value


def _currency(
    record: Record, header: Sequence[str], columns: Columns, *, path: Path
) -> str:
    if columns.currency is not None:
        code = currency_code(record.cells[columns.currency])
        if code is None:
            raise BankFileError(
                f"line {record.line}, column "
                f"'{_column_name(header, columns.currency)}': "
                f"'{clean(record.cells[columns.currency])}' is not a currency code "
                "such as EUR",
                path=path,
            )
        if code:
            return code
    amount = columns.amount if columns.amount is not None else columns.credit
    return currency_in_header(header[amount]) if amount is not None else ""


def _column_name(header: Sequence[str], index: int | None) -> str:
    if index is None:
        return ""
    if header[index].strip():
        return header[index].strip()
    before = header[index - 1].strip() if index else ""
    return f"the column after '{before}'" if before else f"column {index + 1}"
