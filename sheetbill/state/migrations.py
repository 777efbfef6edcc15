"""The state database's schema: numbered migrations, each run once, in its own
transaction, and recorded (`StateDB._migrate`). Append only: a migration that
shipped is never edited, since databases out there have run it.
"""

from __future__ import annotations

# Numbered migrations; each runs once, in its own transaction, and is recorded.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE counters (series TEXT PRIMARY KEY, last INTEGER NOT NULL);
    CREATE TABLE invoices (
        number TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL,
        currency TEXT NOT NULL,
        total TEXT NOT NULL,
        issue_date TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'written')),
        body TEXT NOT NULL,
        run_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        written_at TEXT
    );
    CREATE TABLE billed_rows (
        row_id TEXT PRIMARY KEY,
        tab TEXT NOT NULL,
        invoice_no TEXT NOT NULL REFERENCES invoices(number),
        fingerprint TEXT NOT NULL
    );
    CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        run_id TEXT NOT NULL,
        action TEXT NOT NULL,
        invoice TEXT,
        detail TEXT NOT NULL
    );
    """,
    """
    CREATE TABLE documents (
        number TEXT PRIMARY KEY REFERENCES invoices(number),
        content_hash TEXT NOT NULL,
        path TEXT NOT NULL,
        rendered_at TEXT NOT NULL
    );
    """,
    """
    CREATE TABLE uploads (
        number TEXT PRIMARY KEY REFERENCES invoices(number),
        content_hash TEXT NOT NULL,
        file_id TEXT NOT NULL,
        link TEXT NOT NULL,
        uploaded_at TEXT NOT NULL
    );
    """,
    # The service period a PDF showed: billed time rows are no longer billable data,
    # so a PDF made again (file lost) takes its period from here to stay identical.
    """
    ALTER TABLE documents ADD COLUMN period_start TEXT;
    ALTER TABLE documents ADD COLUMN period_end TEXT;
    """,
    # Numbers drawn by a run that was stopped before the workbook showed them, and
    # that no rebuilt invoice could take (their rows were gone, or the series moved
    # on): never used again, and said why.
    """
    CREATE TABLE withdrawn (
        number TEXT PRIMARY KEY,
        withdrawn_at TEXT NOT NULL,
        run_id TEXT NOT NULL,
        reason TEXT NOT NULL
    );
    """,
    # Each file a run wrote into the PDF folder and the sha256 of its bytes: only a
    # file whose bytes still hash to that is this workbook's own to replace.
    """
    CREATE TABLE document_files (
        name TEXT PRIMARY KEY,
        number TEXT NOT NULL REFERENCES invoices(number),
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        written_at TEXT NOT NULL
    );
    """,
    # The service period of an invoice rebuilt from its workbook (`state rebuild`),
    # for its PDF when one is made again; a PDF's own record comes first.
    """
    CREATE TABLE service_periods (
        number TEXT PRIMARY KEY REFERENCES invoices(number),
        period_start TEXT NOT NULL,
        period_end TEXT NOT NULL
    );
    """,
    # Files a run is about to write into the PDF folder, recorded before it writes
    # them: a run killed before it recorded their hashes finds them its own.
    """
    CREATE TABLE document_intents (
        name TEXT PRIMARY KEY,
        number TEXT NOT NULL,
        intended_at TEXT NOT NULL
    );
    """,
    # Who did each billed Time Log row's work, as it was billed (NULL: billed before
    # this was recorded, learned once from the row's Row ID), and each invoice's
    # approval as sheetbill decided it: an approval rule reads these, never cells
    # anyone can edit. `shown_at` is when the workbook was written with the approval
    # (NULL: a run still owes its Status and Log row).
    """
    ALTER TABLE billed_rows ADD COLUMN person TEXT;
    CREATE TABLE approvals (
        number TEXT PRIMARY KEY REFERENCES invoices(number),
        status TEXT NOT NULL
            CHECK (status IN ('not needed', 'awaiting approval', 'approved')),
        created_by TEXT NOT NULL,
        approved_by TEXT,
        approved_at TEXT,
        run_id TEXT NOT NULL,
        shown_at TEXT
    );
    """,
)
