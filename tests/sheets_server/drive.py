"""Drive v3 files of the local server: folders and uploaded files, kept in memory.

Multipart uploads (`files.create` and `files.update` under /upload/drive/v3/files)
and `files.get` with `webViewLink`, as sheetbill uses them for invoice PDFs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .model import ApiError, new_spreadsheet_id, now_rfc3339

FOLDER_MIME = "application/vnd.google-apps.folder"
# Drive's own answer when `fields` is not given.
_DEFAULT_FIELDS = "kind,id,name,mimeType"


@dataclass(slots=True)
class DriveFile:
    """One file or folder: metadata, its parent folders and (for files) bytes."""

    file_id: str
    name: str
    mime_type: str
    parents: list[str]
    content: bytes = b""
    created: str = field(default_factory=now_rfc3339)
    modified: str = field(default_factory=now_rfc3339)

    @property
    def web_view_link(self) -> str:
        if self.mime_type == FOLDER_MIME:
            return f"https://drive.google.com/drive/folders/{self.file_id}"
        return f"https://drive.google.com/file/d/{self.file_id}/view?usp=drivesdk"

    def resource(self, fields: str) -> dict[str, Any]:
        full = {
            "kind": "drive#file",
            "id": self.file_id,
            "name": self.name,
            "mimeType": self.mime_type,
            "parents": list(self.parents),
            "size": str(len(self.content)),
            "createdTime": self.created,
            "modifiedTime": self.modified,
            "webViewLink": self.web_view_link,
        }
        wanted = [f.strip() for f in (fields or _DEFAULT_FIELDS).split(",")]
        return {k: v for k, v in full.items() if k in wanted}


class DriveStore:
    """Every non-spreadsheet Drive file of the server, by id."""

    def __init__(self) -> None:
        self.files: dict[str, DriveFile] = {}

    def create_folder(self, name: str = "Invoices", parent: str = "root") -> str:
        folder = DriveFile(new_spreadsheet_id(), name, FOLDER_MIME, [parent])
        self.files[folder.file_id] = folder
        return folder.file_id

    def in_folder(self, folder_id: str) -> list[DriveFile]:
        """The files (not folders) whose parent is `folder_id`, oldest first."""
        return [
            f
            for f in self.files.values()
            if folder_id in f.parents and f.mime_type != FOLDER_MIME
        ]

    def get(self, file_id: str, fields: str) -> dict[str, Any]:
        return self._file(file_id).resource(fields)

    def upload(
        self,
        endpoint: str,
        args: list[str],
        query: Mapping[str, str],
        body: bytes,
        content_type: str,
    ) -> dict[str, Any]:
        """`drive.upload.create` (POST) or `drive.upload.update` (PATCH <id>)."""
        if query.get("uploadType") != "multipart":
            raise NotImplementedError(f"uploadType={query.get('uploadType')}")
        metadata, content, media_type = _parts(body, content_type)
        fields = query.get("fields", "")
        if endpoint == "drive.upload.update":
            if "parents" in metadata:
                raise ApiError(
                    403,
                    "The parents field is not directly writable in update requests. "
                    "Use the addParents and removeParents parameters instead.",
                )
            existing = self._file(args[0])
            existing.name = metadata.get("name", existing.name)
            existing.mime_type = metadata.get("mimeType", existing.mime_type)
            existing.content = content
            existing.modified = now_rfc3339()
            return existing.resource(fields)
        parents = metadata.get("parents") or ["root"]
        for parent in parents:
            if parent != "root":
                folder = self._file(parent)
                if folder.mime_type != FOLDER_MIME:
                    raise ApiError(400, f"The parent {parent} is not a folder.")
        created = DriveFile(
            new_spreadsheet_id(),
            metadata.get("name", "Untitled"),
            metadata.get("mimeType", media_type),
            list(parents),
            content,
        )
        self.files[created.file_id] = created
        return created.resource(fields)

    def _file(self, file_id: str) -> DriveFile:
        found = self.files.get(file_id)
        if found is None:
            raise ApiError(404, f"File not found: {file_id}.")
        return found


def _parts(body: bytes, content_type: str) -> tuple[dict[str, Any], bytes, str]:
    """(metadata, media bytes, media type) of a multipart/related upload body."""
    kind, _, rest = content_type.partition(";")
    boundary = ""
    for parameter in rest.split(";"):
        key, _, value = parameter.strip().partition("=")
        if key.lower() == "boundary":
            boundary = value.strip('"')
    if kind.strip().lower() != "multipart/related" or not boundary:
        raise ApiError(400, "Bad multipart request: expected multipart/related.")
    chunks = body.split(b"--" + boundary.encode())
    # chunks: preamble, the parts, then "--" and the epilogue after the last boundary
    parts = [c for c in chunks[1:] if not c.startswith(b"--")]
    if len(parts) != 2:
        raise ApiError(400, "Bad multipart request: expected metadata and media.")
    decoded = []
    for part in parts:
        head, _, data = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        headers = dict(
            (k.strip().lower(), v.strip())
            for k, _, v in (line.partition(":") for line in head.decode().splitlines())
        )
        decoded.append((headers.get("content-type", ""), data.removesuffix(b"\r\n")))
    try:
        metadata = json.loads(decoded[0][1] or b"{}")
    except ValueError as exc:
        raise ApiError(400, "Bad multipart request: metadata is not JSON.") from exc
    return metadata, decoded[1][1], decoded[1][0]
