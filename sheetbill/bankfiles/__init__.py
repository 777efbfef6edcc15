"""Bank statements and processor exports read into `Transaction`s (an adapter).

`read_statement` picks the format from the content (or takes `--format`) and hands
the file to that format's importer (`base.Importer`: identify, extract).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sheetbill.bankfiles.base import Importer, read_head
from sheetbill.domain.payments import FORMATS, CsvProfile, Statement
from sheetbill.errors import BankFileError


def importers(profiles: Sequence[CsvProfile] = ()) -> list[Importer]:
    """Every importer, in the order formats are tried: the structured formats
    first, then the processors' CSVs, then bank CSVs (the user's profiles before
    the built-in ones)."""
    from sheetbill.bankfiles.camt import Camt053
    from sheetbill.bankfiles.csv_bank import BankCsv
    from sheetbill.bankfiles.mt940 import Mt940
    from sheetbill.bankfiles.ofx import Ofx
    from sheetbill.bankfiles.processors import PayPal, Stripe

    return [Camt053(), Ofx(), Mt940(), Stripe(), PayPal(), BankCsv(profiles)]


def read_statement(
    path: Path, *, format: str | None = None, profiles: Sequence[CsvProfile] = ()
) -> Statement:
    """The file's transactions. `format`: one of FORMATS, or a profile's name
    (`csv:<name>` or `<name>`); None = detected from the content. Raises
    BankFileError (unknown format, unreadable, hostile, too big)."""
    head = read_head(path)
    chosen = importers(profiles)
    if format is not None:
        wanted = format.removeprefix("csv:")
        names = {p.name for p in profiles}
        if wanted in names:
            from sheetbill.bankfiles.csv_bank import BankCsv

            only = [p for p in profiles if p.name == wanted]
            return BankCsv(only, built_in=False).extract(path)
        for importer in chosen:
            if importer.name == format:
                return importer.extract(path)
        known = ", ".join((*FORMATS, *sorted(names)))
        raise BankFileError(f"unknown format '{format}'; known formats: {known}")
    for importer in chosen:
        if importer.identify(head, path):
            return importer.extract(path)
    raise BankFileError(
        "is not a bank statement or processor export sheetbill knows (CSV, OFX, "
        "camt.053, MT940, Stripe, PayPal). For another bank CSV layout add a "
        "[payments.profiles.NAME] table to sheetbill.toml naming its columns",
        path=path,
    )
