"""Hostile and foreign files given to the OFX, camt.053 and MT940 importers: each
refused with one line naming the file (a BankFileError, exit 2), nothing returned,
no other file or URL opened; and each importer recognises its own files only."""

from __future__ import annotations

import http.server
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from statement_files import (
    CAMT,
    MT940,
    OFX_1,
    OFX_2,
    SAMPLES,
    camt_document,
    camt_entry,
    mt940_statement,
    ofx_2,
    ofx_line,
    write,
)

from sheetbill.bankfiles.base import HEAD_BYTES, MAX_BYTES, Importer
from sheetbill.bankfiles.camt import Camt053
from sheetbill.bankfiles.mt940 import Mt940
from sheetbill.bankfiles.ofx import Ofx
from sheetbill.errors import BankFileError

IMPORTERS: dict[str, Importer] = {"camt.053": Camt053(), "ofx": Ofx(), "mt940": Mt940()}
SECRET = "TOP-SECRET-PAYROLL-4711"

# Python's audit events ("open", "socket.connect", "urllib.Request") seen while a
# test watches: an importer must open nothing but the statement itself.
_watched: list[tuple[str, tuple[Any, ...]]] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _watched is not None and event in ("open", "socket.connect", "urllib.Request"):
        _watched.append((event, args))


sys.addaudithook(_audit)


@pytest.fixture
def watched() -> Iterator[list[tuple[str, tuple[Any, ...]]]]:
    global _watched
    _watched = []
    try:
        yield _watched
    finally:
        _watched = None


def opened_paths(events: list[tuple[str, tuple[Any, ...]]]) -> set[str]:
    """The files opened, but for Python's and the libraries' own (modules and
    their metadata, read on first import)."""
    paths = {
        os.fsdecode(args[0])
        for event, args in events
        if event == "open" and isinstance(args[0], (str, bytes, os.PathLike))
    }
    python = (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)
    return {p for p in paths if not p.startswith(python)}


def refusal(importer: Importer, path: Path) -> str:
    """The one line the importer refuses `path` with."""
    with pytest.raises(BankFileError) as raised:
        importer.extract(path)
    message = str(raised.value)
    assert "\n" not in message, message
    assert raised.value.path == path and raised.value.exit_code == 2
    return message


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


def xxe_camt(target: str) -> bytes:
    entry = camt_entry(8, info="&xxe;")
    return camt_document(
        [entry],
        prolog='<?xml version="1.0"?>\n'
        f'<!DOCTYPE Document [<!ENTITY xxe SYSTEM "{target}">]>\n',
    )


def test_xxe_camt_never_reads_the_file_it_names(
    tmp_path: Path, secret: Path, watched: list[tuple[str, tuple[Any, ...]]]
) -> None:
    """An external entity naming a local file: refused at the DTD; the file is
    never opened and its text appears nowhere."""
    path = write(tmp_path / "xxe.xml", xxe_camt(secret.as_uri()))
    assert Camt053().identify(path.read_bytes(), path)
    message = refusal(Camt053(), path)
    assert "declares a document type or entities" in message
    assert SECRET not in message
    assert str(secret) not in opened_paths(watched)
    assert opened_paths(watched) <= {str(path)}


def test_parameter_entity_and_external_dtd_fetch_nothing(
    tmp_path: Path, watched: list[tuple[str, tuple[Any, ...]]]
) -> None:
    """An external DTD on a URL (a loopback server counting requests) and a
    parameter entity: nothing is fetched, no socket is opened."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY leak "LEAKED">')

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/evil.dtd"
        external = camt_document(
            [camt_entry(8)],
            prolog=f'<?xml version="1.0"?>\n<!DOCTYPE Document SYSTEM "{url}">\n',
        )
        parameter = camt_document(
            [camt_entry(8, info="&leak;")],
            prolog='<?xml version="1.0"?>\n'
            f'<!DOCTYPE Document [<!ENTITY % p SYSTEM "{url}"> %p;]>\n',
        )
        for name, content in (("external.xml", external), ("parameter.xml", parameter)):
            message = refusal(Camt053(), write(tmp_path / name, content))
            assert "LEAKED" not in message
    finally:
        server.shutdown()
        server.server_close()
    assert requests == []
    assert not [e for e in watched if e[0] in ("socket.connect", "urllib.Request")]


def test_billion_laughs_camt_refused_without_expanding(tmp_path: Path) -> None:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    bomb = camt_document(
        [camt_entry(8, info="&lol9;")],
        prolog=f'<?xml version="1.0"?>\n<!DOCTYPE Document [{entities}]>\n',
    )
    message = refusal(Camt053(), write(tmp_path / "bomb.xml", bomb))
    assert "declares a document type or entities" in message
    assert "lollol" not in message


def test_doctype_in_ofx_refused(
    tmp_path: Path, secret: Path, watched: list[tuple[str, tuple[Any, ...]]]
) -> None:
    """ofxtools would leave an entity unexpanded; the file is refused anyway."""
    text = ofx_2(ofx_line(memo="&xxe;")).replace(
        "<OFX>", f'<!DOCTYPE OFX [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>\n<OFX>'
    )
    path = write(tmp_path / "xxe.ofx", text)
    assert Ofx().identify(path.read_bytes(), path)
    message = refusal(Ofx(), path)
    assert "declares a document type or entities" in message
    assert opened_paths(watched) <= {str(path)}


@pytest.mark.parametrize("name", sorted(IMPORTERS))
def test_file_over_the_limit_refused_before_reading(
    name: str, tmp_path: Path, watched: list[tuple[str, tuple[Any, ...]]]
) -> None:
    """A sparse file claiming 2 GB (`truncate -s 2G`): refused by its size, never
    opened."""
    path = tmp_path / "huge.dat"
    with path.open("wb") as file:
        file.truncate(2 * 1024**3)
    watched.clear()
    message = refusal(IMPORTERS[name], path)
    assert (
        "is 2.0 GB; sheetbill reads bank and processor files of up to 50.0 MB"
        in message
    )
    assert str(path) not in opened_paths(watched)


@pytest.mark.parametrize("name", sorted(IMPORTERS))
def test_file_one_byte_over_the_limit_refused(name: str, tmp_path: Path) -> None:
    path = tmp_path / "big.dat"
    with path.open("wb") as file:
        file.truncate(MAX_BYTES + 1)
    assert "sheetbill reads bank and processor files" in refusal(IMPORTERS[name], path)


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (CAMT.read_bytes()[:2000], "is not well-formed XML (line"),
        (b"\x00\x01 not xml at all", "is not well-formed XML (line 1, column 1"),
        (
            CAMT.read_bytes().replace(b"</Ntry>", b"</Ntryy>", 1),
            "is not well-formed XML",
        ),
    ],
)
def test_malformed_camt_refused_in_one_line(
    content: bytes, says: str, tmp_path: Path
) -> None:
    assert says in refusal(Camt053(), write(tmp_path / "bad.xml", content))


def test_missing_file_refused(tmp_path: Path) -> None:
    for importer in IMPORTERS.values():
        assert "there is no such file" in refusal(importer, tmp_path / "nothing.xml")


@pytest.mark.parametrize("name", sorted(IMPORTERS))
def test_each_importer_recognises_its_own_samples(name: str) -> None:
    for path in SAMPLES[name]:
        assert IMPORTERS[name].identify(path.read_bytes()[:HEAD_BYTES], path)


def foreign_files() -> dict[str, bytes]:
    """Files of other formats an importer must not claim."""
    return {
        "bank.csv": b"Date;Description;Amount\n"
        b"2026-01-15;INV-2026-0007 :20:X OFX;1190,00\n",
        "stripe.csv": b"id,Type,Source,Amount,Fee,Net,Currency\n"
        b"txn_1,charge,ch_1,10,1,9,eur\n",
        "invoice.xml": b'<?xml version="1.0"?><Invoice xmlns="urn:oasis:names:'
        b'specification:ubl:schema:xsd:Invoice-2"/>',
        "pain.xml": b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:'
        b'pain.001.001.09"/>',
        "empty": b"",
        "utf16.xml": '<?xml version="1.0" encoding="UTF-16"?><x/>'.encode("utf-16"),
    }


@pytest.mark.parametrize("name", sorted(IMPORTERS))
def test_no_importer_claims_another_format(name: str, tmp_path: Path) -> None:
    """Each importer against the other two's samples and against CSVs, other XML
    and an empty file: recognised from content only (the name says nothing)."""
    importer = IMPORTERS[name]
    others = [p for other, paths in SAMPLES.items() if other != name for p in paths]
    for path in others:
        disguised = write(tmp_path / f"statement.{name}", path.read_bytes())
        assert not importer.identify(disguised.read_bytes()[:HEAD_BYTES], disguised), (
            path
        )
    for file_name, content in foreign_files().items():
        assert not importer.identify(content, tmp_path / file_name), file_name


def test_camt_in_utf16_is_recognised_and_read(tmp_path: Path) -> None:
    document = camt_document(
        [camt_entry(8)], prolog='<?xml version="1.0" encoding="UTF-16"?>\n'
    )
    path = write(tmp_path / "s.xml", document.decode().encode("utf-16"))
    assert Camt053().identify(path.read_bytes(), path)
    assert len(Camt053().extract(path).transactions) == 1


def test_mt940_recognised_behind_a_swift_envelope(tmp_path: Path) -> None:
    text = "{1:F01BANKDEFFAXXX0000000000}{2:O940BANKDEFFXXXX}{4:\r\n" + mt940_statement(
        ":61:2601150115CR10,00NTRFNONREF"
    )
    path = write(tmp_path / "s.txt", text)
    assert Mt940().identify(path.read_bytes(), path)
    assert not Ofx().identify(path.read_bytes(), path)
    assert not Camt053().identify(path.read_bytes(), path)


@pytest.mark.parametrize("name", sorted(IMPORTERS))
def test_each_importer_refuses_the_others_files(name: str) -> None:
    """Forced onto another format's file (`--format` wrong), an importer refuses
    it in one line, never returning anything."""
    for other, paths in SAMPLES.items():
        if other == name:
            continue
        for path in paths:
            refusal(IMPORTERS[name], path)


def test_sample_statements_read_without_opening_anything_else(
    watched: list[tuple[str, tuple[Any, ...]]],
) -> None:
    for name, paths in SAMPLES.items():
        for path in paths:
            watched.clear()
            assert IMPORTERS[name].extract(path).transactions
            assert opened_paths(watched) <= {str(path)}, name
            assert not [e for e in watched if e[0] != "open"]


def test_samples_are_small() -> None:
    assert all(p.stat().st_size < 16_000 for paths in SAMPLES.values() for p in paths)
    assert {OFX_1.suffix, OFX_2.suffix, MT940.suffix} == {".ofx", ".sta"}
