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
    # One journal of side effects (issue 13): each effect recorded as intended before
    # it happens and settled after. What the older tables recorded moves into it:
    # invoices pending or written, PDFs made and their files (and files a stopped run
    # meant to write), uploads, approvals taken and numbers withdrawn. An entry's
    # details leave out what was not recorded (json_patch drops null members). The
    # events table stays as it was, no longer written: the journal replaces it.
    """
    CREATE TABLE journal (
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        status TEXT NOT NULL
            CHECK (status IN ('pending', 'done', 'failed', 'unknown')),
        details TEXT NOT NULL,
        run_id TEXT NOT NULL,
        intended_at TEXT NOT NULL,
        settled_at TEXT,
        PRIMARY KEY (kind, key)
    );
    INSERT INTO journal
    SELECT 'invoice.write', number,
        CASE status WHEN 'written' THEN 'done' ELSE 'pending' END,
        json_object('customer_id', customer_id,
            'lines', json_array_length(body, '$.lines'),
            'total', total, 'currency', currency),
        run_id, created_at, written_at
    FROM invoices ORDER BY rowid;
    INSERT INTO journal
    SELECT 'pdf.write', n.number,
        CASE WHEN EXISTS (SELECT 1 FROM document_intents i WHERE i.number = n.number)
            THEN 'pending' ELSE 'done' END,
        json_patch('{}', json_object(
            'content_hash', d.content_hash,
            'path', d.path,
            'period', json(CASE WHEN d.period_start IS NOT NULL
                AND d.period_end IS NOT NULL
                THEN json_array(d.period_start, d.period_end) END),
            'files', json((SELECT json_group_object(f.name,
                    json_array(f.sha256, f.size, f.mtime_ns))
                FROM document_files f WHERE f.number = n.number
                HAVING count(*) > 0)),
            'intended', json((SELECT json_group_array(i.name)
                FROM document_intents i
                WHERE i.number = n.number HAVING count(*) > 0)))),
        'before the journal',
        coalesce(d.rendered_at,
            (SELECT min(written_at) FROM document_files f WHERE f.number = n.number),
            (SELECT min(intended_at) FROM document_intents i
                WHERE i.number = n.number)),
        CASE WHEN EXISTS (SELECT 1 FROM document_intents i WHERE i.number = n.number)
            THEN NULL
            ELSE coalesce(d.rendered_at, (SELECT max(written_at) FROM document_files f
                WHERE f.number = n.number)) END
    FROM (SELECT number FROM documents UNION SELECT number FROM document_files
        UNION SELECT number FROM document_intents) n
    LEFT JOIN documents d ON d.number = n.number
    ORDER BY coalesce(d.rowid, 0), n.number;
    INSERT INTO journal
    SELECT 'pdf.upload', number, 'done',
        json_object('content_hash', content_hash, 'file_id', file_id, 'link', link),
        'before the journal', uploaded_at, uploaded_at
    FROM uploads ORDER BY rowid;
    INSERT INTO journal
    SELECT 'invoice.approve', number,
        CASE WHEN shown_at IS NULL THEN 'pending' ELSE 'done' END,
        json_object('approver', approved_by, 'creator', created_by),
        run_id, approved_at, shown_at
    FROM approvals WHERE status = 'approved' AND approved_by IS NOT NULL
    ORDER BY rowid;
    INSERT INTO journal
    SELECT 'number.withdraw', number, 'done', json_object('reason', reason),
        run_id, withdrawn_at, withdrawn_at
    FROM withdrawn ORDER BY rowid;
    DROP TABLE uploads;
    DROP TABLE document_intents;
    DROP TABLE document_files;
    DROP TABLE documents;
    ALTER TABLE invoices DROP COLUMN status;
    ALTER TABLE invoices DROP COLUMN written_at
    """,
)
