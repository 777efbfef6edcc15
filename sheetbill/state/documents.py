"""Each invoice's documents as the state database records them: the PDF made (its
content hash, path and service period), every file written into the PDF folder with
its sha256, and the PDF's upload to Drive.

All are journal entries (`pdf.write`, `pdf.upload`, keyed by invoice number):
files are recorded as intended before they are written and settled with their
hashes after, so the files a stopped run left are known to be its own; an upload is
intended before it is sent, and one that failed or was stopped is sent again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sheetbill.domain.journal import (
    PDF_UPLOAD,
    PDF_WRITE,
    Decision,
    Intent,
    Status,
    what_to_do,
)
from sheetbill.state.journal import (
    Journal,
    amend_in,
    entries_in,
    entry_in,
    record_done_in,
    reopen_in,
    settle_in,
)


@dataclass(frozen=True, slots=True)
class Upload:
    """An invoice's PDF as stored elsewhere (a Drive file) and the link to it."""

    # The document's content hash when uploaded: a new hash means upload again.
    content_hash: str
    file_id: str
    link: str


class FileRecord(NamedTuple):
    """A file a run wrote into the PDF folder: its bytes' sha256, and its size and
    modification time then (while both are unchanged, it need not be read again)."""

    sha256: str
    size: int
    mtime_ns: int


# (invoice number, file name, what was written) of one file in the PDF folder.
WrittenFile = tuple[str, str, FileRecord]


def _without_intents(details: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in details.items() if k != "intended"}


class DocumentRecords(Journal):
    """The documents' part of the state database (`StateDB`)."""

    def _made(self, fields: str, *, more: str = "") -> sqlite3.Cursor:
        """`fields` of the PDF entries of the invoices the state holds (a withdrawn
        number's stay in the journal, of no invoice). Read with sqlite's JSON
        functions, not entry by entry: a run reads these for every invoice ever
        made, and parsing each entry took ten times as long (measured)."""
        return self.db.execute(
            f"SELECT {fields} FROM journal j {more} WHERE j.kind = ? "
            "AND j.key IN (SELECT number FROM invoices)",
            (PDF_WRITE,),
        )

    # -- PDFs and their files --------------------------------------------------------

    def document_hashes(self) -> dict[str, str]:
        """Content hash of each invoice's PDF as last rendered."""
        found = self._made("j.key, json_extract(j.details, '$.content_hash')")
        return {number: value for number, value in found if value is not None}

    def document_paths(self) -> dict[str, str]:
        """Where each invoice's PDF was last written, by invoice number."""
        found = self._made("j.key, json_extract(j.details, '$.path')")
        return {number: value for number, value in found if value is not None}

    def _files(self) -> sqlite3.Cursor:
        return self._made(
            "j.key, f.key, json_extract(f.value, '$[0]'), "
            "json_extract(f.value, '$[1]'), json_extract(f.value, '$[2]')",
            more=", json_each(j.details, '$.files') f",
        )

    def document_files(self) -> dict[str, FileRecord]:
        """Each file written into the PDF folder, by file name."""
        return {name: FileRecord(*record) for _, name, *record in self._files()}

    def files_of(self, numbers: Iterable[str]) -> dict[str, FileRecord]:
        """The files written for these invoices, by file name."""
        wanted = set(numbers)
        return {
            name: FileRecord(*record)
            for number, name, *record in self._files()
            if number in wanted
        }

    def document_periods(self) -> dict[str, tuple[date, date]]:
        """The service period each invoice's PDF showed, where it had one (else the
        one `state rebuild` found in the workbook)."""
        rebuilt = self.db.execute(
            "SELECT number, period_start, period_end FROM service_periods"
        ).fetchall()
        shown = self._made(
            "j.key, json_extract(j.details, '$.period[0]'), "
            "json_extract(j.details, '$.period[1]')"
        ).fetchall()
        return {
            number: (date.fromisoformat(start), date.fromisoformat(end))
            for number, start, end in (*rebuilt, *shown)
            if start is not None
        }

    def file_intents(self) -> dict[str, str]:
        """Files a run meant to write and did not record as written: name -> number
        (their `pdf.write` left pending, for this run to complete)."""
        return {
            name: e.key
            for e in self.entries(kind=PDF_WRITE, status=Status.PENDING)
            if what_to_do(e) is Decision.COMPLETE
            for name in e.details.get("intended", ())
        }

    def record_file_intents(
        self, intents: Sequence[tuple[str, str]], *, run_id: str, now: datetime
    ) -> None:
        """(file name, invoice number) of files about to be written, before they are."""
        names: dict[str, set[str]] = {}
        for name, number in intents:
            names.setdefault(number, set()).add(name)
        with self.transaction() as db:
            for number, more in names.items():
                found = entry_in(db, PDF_WRITE, number)
                details = dict(found.details) if found is not None else {}
                details["intended"] = sorted({*details.get("intended", ()), *more})
                reopen_in(
                    db, Intent(PDF_WRITE, number, details), run_id=run_id, now=now
                )

    def clear_file_intents(
        self, names: Iterable[str], *, now: datetime, failed: Collection[str] = ()
    ) -> None:
        """These files' intents are over: a PDF entry with none left is settled, as
        failed for the numbers in `failed` (not made, or removed) or one never made,
        else done (its last PDF stands)."""
        cleared = set(names)
        with self.transaction() as db:
            for entry in entries_in(db, kind=PDF_WRITE, status=Status.PENDING):
                intended = entry.details.get("intended", [])
                if not cleared.intersection(intended):
                    continue
                left = [n for n in intended if n not in cleared]
                details = _without_intents(entry.details)
                if left:
                    amend_in(db, entry, {**details, "intended": left})
                    continue
                is_failed = entry.key in failed or "content_hash" not in details
                status = Status.FAILED if is_failed else Status.DONE
                settle_in(db, entry, status, details, now=now)

    def record_document_files(
        self, files: Sequence[WrittenFile], *, run_id: str, now: datetime
    ) -> None:
        """Files found to be this state's own: ones written before their sha256
        was recorded (by an older sheetbill)."""
        with self.transaction() as db:
            self._add_files(db, files, {}, run_id=run_id, now=now)

    def record_documents(
        self,
        rendered: Sequence[tuple[str, str, str]],
        *,
        run_id: str,
        now: datetime,
        periods: Mapping[str, tuple[date, date] | None] | None = None,
        files: Sequence[WrittenFile] = (),
    ) -> None:
        """(number, content hash, path) of PDFs just written to disk, the service
        period each shows, and every file written."""
        made: dict[str, dict[str, Any]] = {}
        for number, content_hash, path in rendered:
            period = (periods or {}).get(number)
            made[number] = {"content_hash": content_hash, "path": path}
            if period is not None:
                made[number]["period"] = [p.isoformat() for p in period]
        with self.transaction() as db:
            self._add_files(db, files, made, run_id=run_id, now=now)

    @staticmethod
    def _add_files(
        db: sqlite3.Connection,
        files: Sequence[WrittenFile],
        made: Mapping[str, Mapping[str, Any]],
        *,
        run_id: str,
        now: datetime,
    ) -> None:
        """Each number's PDF entry settled done with what was `made` of it (its
        hash, path and period, replacing the last ones) and these files added."""
        written: dict[str, dict[str, list[Any]]] = {}
        for number, name, record in files:
            written.setdefault(number, {})[name] = list(record)
        for number in dict.fromkeys([*made, *written]):
            found = entry_in(db, PDF_WRITE, number)
            details = _without_intents(found.details) if found is not None else {}
            if number in made:
                details.pop("period", None)
                details.update(made[number])
            if number in written:
                details["files"] = {**details.get("files", {}), **written[number]}
            record_done_in(
                db, Intent(PDF_WRITE, number, details), run_id=run_id, now=now
            )

    # -- uploads ---------------------------------------------------------------------

    def uploads(self) -> dict[str, Upload]:
        """Each invoice's PDF as last uploaded (to Drive), by invoice number."""
        return {
            e.key: Upload(
                e.details["content_hash"], e.details["file_id"], e.details["link"]
            )
            for e in entries_in(self.db, kind=PDF_UPLOAD, of_drawn=True)
            if "link" in e.details
        }

    def uploads_to_redo(self) -> set[str]:
        """Numbers whose last upload failed or was stopped: sent again."""
        return {
            e.key
            for e in entries_in(self.db, kind=PDF_UPLOAD, of_drawn=True)
            if what_to_do(e) is Decision.REDO
        }

    def record_upload_intent(
        self, number: str, content_hash: str, *, run_id: str, now: datetime
    ) -> None:
        """A PDF about to be uploaded; its last upload stays its record until done."""
        with self.transaction() as db:
            found = entry_in(db, PDF_UPLOAD, number)
            details = dict(found.details) if found is not None else {}
            details.pop("error", None)
            details["uploading"] = content_hash
            reopen_in(db, Intent(PDF_UPLOAD, number, details), run_id=run_id, now=now)

    def record_upload_failed(self, number: str, error: str, *, now: datetime) -> None:
        """An upload the uploader refused: tried again on the next run."""
        with self.transaction() as db:
            found = entry_in(db, PDF_UPLOAD, number)
            if found is not None:
                details = {k: v for k, v in found.details.items() if k != "uploading"}
                settle_in(
                    db, found, Status.FAILED, {**details, "error": error}, now=now
                )

    def record_upload(
        self, number: str, upload: Upload, *, run_id: str, now: datetime
    ) -> None:
        """One PDF just uploaded; recorded at once, so a crash later in the run does
        not upload it a second time."""
        details = {
            "content_hash": upload.content_hash,
            "file_id": upload.file_id,
            "link": upload.link,
        }
        with self.transaction() as db:
            record_done_in(
                db, Intent(PDF_UPLOAD, number, details), run_id=run_id, now=now
            )
