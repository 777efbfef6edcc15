"""State databases as a sheetbill from before the journal (issue 13) left them: their
schema is the migrations before the journal's, their rows in the tables it replaced.
A helper for the state upgrade tests, not a test.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sheetbill.state.migrations import MIGRATIONS

# The journal's migration: the first that creates the journal table.
JOURNAL = next(
    n
    for n, script in enumerate(MIGRATIONS, start=1)
    if "CREATE TABLE journal" in script
)


def old_schema(path: Path) -> None:
    """An empty state database with every migration before the journal's applied."""
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE schema_migrations "
            "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        for version, script in enumerate(MIGRATIONS[: JOURNAL - 1], start=1):
            db.executescript(script)
            db.execute(
                "INSERT INTO schema_migrations VALUES (?, '2026-01-01T00:00:00')",
                (version,),
            )
    db.close()


def as_before_journal(path: Path) -> None:
    """Turn a state database back into the layout and rows an older sheetbill kept:
    invoices pending or written, documents, their files and intents, and uploads."""
    tables = [
        script
        for script in MIGRATIONS[: JOURNAL - 1]
        if any(
            f"TABLE {name}" in script
            for name in ("documents", "uploads", "document_files", "document_intents")
        )
    ]
    db = sqlite3.connect(path)
    with db:
        for script in tables:
            db.executescript(script)
        db.executescript(
            """
            ALTER TABLE invoices ADD COLUMN status TEXT NOT NULL DEFAULT 'written'
                CHECK (status IN ('pending', 'written'));
            ALTER TABLE invoices ADD COLUMN written_at TEXT;
            UPDATE invoices SET
                status = (SELECT CASE j.status WHEN 'pending' THEN 'pending'
                    ELSE 'written' END FROM journal j
                    WHERE j.kind = 'invoice.write' AND j.key = number),
                written_at = (SELECT j.settled_at FROM journal j
                    WHERE j.kind = 'invoice.write' AND j.key = number
                    AND j.status = 'done');
            INSERT INTO documents (number, content_hash, path, rendered_at,
                period_start, period_end)
            SELECT key, json_extract(details, '$.content_hash'),
                json_extract(details, '$.path'), coalesce(settled_at, intended_at),
                json_extract(details, '$.period[0]'),
                json_extract(details, '$.period[1]')
            FROM journal WHERE kind = 'pdf.write'
                AND json_extract(details, '$.content_hash') IS NOT NULL
                AND key IN (SELECT number FROM invoices);
            INSERT INTO document_files
            SELECT f.key, j.key, json_extract(f.value, '$[0]'),
                json_extract(f.value, '$[1]'), json_extract(f.value, '$[2]'),
                coalesce(j.settled_at, j.intended_at)
            FROM journal j, json_each(j.details, '$.files') f
            WHERE j.kind = 'pdf.write' AND j.key IN (SELECT number FROM invoices);
            INSERT INTO document_intents
            SELECT i.value, j.key, j.intended_at
            FROM journal j, json_each(j.details, '$.intended') i
            WHERE j.kind = 'pdf.write' AND j.status = 'pending';
            INSERT INTO uploads
            SELECT key, json_extract(details, '$.content_hash'),
                json_extract(details, '$.file_id'), json_extract(details, '$.link'),
                coalesce(settled_at, intended_at)
            FROM journal WHERE kind = 'pdf.upload'
                AND json_extract(details, '$.link') IS NOT NULL;
            DROP TABLE journal;
            """
        )
        db.execute("DELETE FROM schema_migrations WHERE version >= ?", (JOURNAL,))
    db.close()
