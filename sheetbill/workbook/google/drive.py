"""Uploading invoice PDFs to a Google Drive folder (Drive v3), for their Drive links.

One multipart request per PDF uploaded, through the workbook's bounded-retry session.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import requests

from sheetbill.errors import DeliveryError
from sheetbill.ports import StoredPdf

# gspread's hosts are rewritten by ApiSession, so a stand-in server receives these too.
_UPLOAD_URL = "https://www.googleapis.com/upload/drive/v3/files"
PDF_MIME = "application/pdf"


class DriveFolder:
    """PDFs stored in one Drive folder: a `PdfUploader` (sheetbill.ports)."""

    def __init__(self, folder_id: str, *, session: requests.Session) -> None:
        self.folder_id = folder_id
        self.session = session

    def upload(self, pdf: Path, *, file_id: str | None) -> StoredPdf:
        """A new file in the folder, or new content for `file_id` (same link)."""
        try:
            content = pdf.read_bytes()
        except OSError as exc:
            raise DeliveryError(f"cannot read the PDF: {exc}", path=pdf) from exc
        if file_id is not None:
            reply = self._send("PATCH", f"{_UPLOAD_URL}/{file_id}", pdf, content, {})
            # Deleted in Drive by a person since: upload it as a new file instead.
            if reply.status_code != 404:
                return _stored(reply, pdf)
        reply = self._send(
            "POST", _UPLOAD_URL, pdf, content, {"parents": [self.folder_id]}
        )
        if reply.status_code == 404:
            raise DeliveryError(
                f"Drive has no folder {self.folder_id!r} that this account can see "
                "('pdf_drive_folder')",
                path=pdf,
            )
        return _stored(reply, pdf)

    def _send(
        self,
        method: str,
        url: str,
        pdf: Path,
        content: bytes,
        metadata: dict[str, object],
    ) -> requests.Response:
        body, content_type = _multipart(
            {"name": pdf.name, "mimeType": PDF_MIME, **metadata}, content
        )
        try:
            return self.session.request(
                method,
                url,
                params={
                    "uploadType": "multipart",
                    "fields": "id,webViewLink",
                    # Lets the folder be on a shared drive as well as in My Drive.
                    "supportsAllDrives": "true",
                },
                data=body,
                headers={"Content-Type": content_type},
            )
        except requests.RequestException as exc:
            raise DeliveryError(f"Drive did not answer: {exc}", path=pdf) from exc


def _multipart(metadata: dict[str, object], content: bytes) -> tuple[bytes, str]:
    """A multipart/related body: the file's JSON metadata, then its bytes."""
    boundary = "sheetbill-" + secrets.token_hex(16)
    while boundary.encode() in content:
        boundary = "sheetbill-" + secrets.token_hex(16)
    head = (
        f"--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n"
        f"{json.dumps(metadata)}\r\n"
        f"--{boundary}\r\nContent-Type: {PDF_MIME}\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return head + content + tail, f"multipart/related; boundary={boundary}"


def _stored(reply: requests.Response, pdf: Path) -> StoredPdf:
    if reply.status_code >= 400:
        try:
            message = reply.json()["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = reply.text[:200]
        raise DeliveryError(f"Drive answered {reply.status_code}: {message}", path=pdf)
    try:
        answer = reply.json()
        return StoredPdf(str(answer["id"]), str(answer["webViewLink"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise DeliveryError(
            f"Drive's answer has no file id and link: {reply.text[:200]}", path=pdf
        ) from exc
