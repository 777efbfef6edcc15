"""The zip container of an .xlsx: verified, bounded reading of its members, and writing
a new zip whose untouched members are copied as raw compressed bytes (not recompressed).
"""

from __future__ import annotations

import io
import struct
import time
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

_LOCAL_SIG = b"PK\x03\x04"
_CENTRAL_SIG = b"PK\x01\x02"
_END_SIG = b"PK\x05\x06"
_STORED = zipfile.ZIP_STORED
_DEFLATED = zipfile.ZIP_DEFLATED
_UTF8_FLAG = 0x800
_DESCRIPTOR_FLAG = 0x08
_ZIP64_EXTRA_ID = 0x0001
MAX_MEMBERS = 10_000
CHUNK = 1 << 20
_FAST_ABOVE = 8 << 20


class ZipFormatError(ValueError):
    """The zip is damaged or uses a feature we do not read; the text says which."""


@dataclass(frozen=True, slots=True)
class ZipMember:
    """One member: its central-directory entry and where its compressed bytes start."""

    info: zipfile.ZipInfo
    data_offset: int

    @property
    def name(self) -> str:
        return self.info.filename

    @property
    def size(self) -> int:
        return self.info.file_size


class ZipArchive:
    """A zip held in memory, with members in their stored order."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                infos = archive.infolist()
                self.comment = archive.comment
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
            raise ZipFormatError(f"the zip is damaged: {_one_line(exc)}") from exc
        except (ValueError, NotImplementedError, UnicodeDecodeError) as exc:
            raise ZipFormatError(f"the zip is damaged: {_one_line(exc)}") from exc
        if len(infos) > MAX_MEMBERS:
            raise ZipFormatError(f"the zip holds more than {MAX_MEMBERS:,} parts")
        self.members: list[ZipMember] = []
        self.by_name: dict[str, ZipMember] = {}
        for info in infos:
            member = ZipMember(info, self._data_offset(info))
            if member.name in self.by_name:
                raise ZipFormatError(
                    f"the zip is damaged: two parts named {member.name}"
                )
            self.members.append(member)
            self.by_name[member.name] = member

    def _data_offset(self, info: zipfile.ZipInfo) -> int:
        start = info.header_offset
        header = self.data[start : start + 30]
        if len(header) < 30 or header[:4] != _LOCAL_SIG:
            raise ZipFormatError(
                f"the zip is damaged: bad local header of {info.filename}"
            )
        name_len = int.from_bytes(header[26:28], "little")
        extra_len = int.from_bytes(header[28:30], "little")
        offset = start + 30 + name_len + extra_len
        if offset + info.compress_size > len(self.data):
            raise ZipFormatError(f"the zip is damaged: {info.filename} is cut off")
        return offset

    def raw(self, member: ZipMember) -> memoryview:
        """The member's compressed bytes exactly as stored."""
        start = member.data_offset
        return memoryview(self.data)[start : start + member.info.compress_size]

    def chunks(self, member: ZipMember, size: int = CHUNK) -> Iterator[bytes]:
        """Decompress a member piece by piece, checking its declared size and CRC.

        The declared size is trusted only as far as it is verified: output beyond it (a
        zip bomb with a lying header) is refused as soon as it appears.
        """
        info = member.info
        if info.flag_bits & 0x01:
            raise ZipFormatError("encrypted")
        raw = self.raw(member)
        expected = info.file_size
        produced = 0
        crc = 0
        if info.compress_type == _STORED:
            pieces: Iterator[bytes] = (
                bytes(raw[i : i + size]) for i in range(0, len(raw), size)
            )
        elif info.compress_type == _DEFLATED:
            pieces = _inflate(raw, size, info.filename)
        else:
            raise ZipFormatError(
                f"the zip uses a compression method sheetbill cannot read "
                f"(method {info.compress_type} in {info.filename})"
            )
        for piece in pieces:
            produced += len(piece)
            if produced > expected:
                raise ZipFormatError(
                    f"the zip is damaged: {info.filename} is larger than declared"
                )
            crc = zlib.crc32(piece, crc)
            yield piece
        if produced != expected or crc != info.CRC:
            raise ZipFormatError(
                f"the zip is damaged: {info.filename} fails its checksum"
            )

    def read(self, name: str) -> bytes:
        """A member's whole content (the caller has checked sizes before)."""
        return b"".join(self.chunks(self.by_name[name]))


def _inflate(raw: memoryview, size: int, name: str) -> Iterator[bytes]:
    inflater = zlib.decompressobj(-15)
    pos = 0
    try:
        while not inflater.eof:
            if inflater.unconsumed_tail:
                data = inflater.unconsumed_tail
            elif pos < len(raw):
                data = bytes(raw[pos : pos + size])
                pos += size
            else:
                data = b""
            piece = inflater.decompress(data, size)
            if piece:
                yield piece
            elif not data:
                break
    except zlib.error as exc:
        raise ZipFormatError(f"the zip is damaged: {name}: {_one_line(exc)}") from exc
    if not inflater.eof:
        raise ZipFormatError(f"the zip is damaged: {name} is cut off")


# A member's content: bytes, or pieces to be written one after the other (so a big
# part put together from slices is never copied into one buffer first).
Content = bytes | tuple[bytes | memoryview, ...]


@dataclass(frozen=True, slots=True)
class NewMember:
    """A member whose content we produce (changed or added)."""

    name: str
    content: Content
    date_time: tuple[int, int, int, int, int, int] | None = None


class _Output:
    """The zip being written, kept as the list of its pieces: joined once at the end,
    where a BytesIO would copy a big sheet again each time its buffer grows."""

    def __init__(self) -> None:
        self.pieces: list[bytes | memoryview] = []
        self.size = 0

    def write(self, piece: bytes | memoryview) -> None:
        self.pieces.append(piece)
        self.size += len(piece)

    def tell(self) -> int:
        return self.size

    def getvalue(self) -> bytes:
        return b"".join(self.pieces)


def write_zip(
    source: ZipArchive,
    *,
    replaced: Mapping[str, Content],
    removed: frozenset[str] = frozenset(),
    added: Sequence[NewMember] = (),
    level: int = 6,
) -> bytes:
    """A new zip: source members in order (raw-copied unless replaced or removed), then
    the added ones. `level` 0 stores what is written uncompressed."""
    unknown = set(replaced) - set(source.by_name)
    if unknown:
        raise ZipFormatError(
            f"cannot replace parts that are not there: {sorted(unknown)}"
        )
    out = _Output()
    central: list[bytes] = []
    for member in source.members:
        if member.name in removed:
            continue
        info = member.info
        if member.name in replaced:
            new = NewMember(member.name, replaced[member.name], info.date_time)
            central.append(_write_new(out, new, level, info))
        else:
            central.append(_copy_raw(out, source, member))
    for new in added:
        central.append(_write_new(out, new, level, None))
    cd_offset = out.tell()
    for record in central:
        out.write(record)
    cd_size = out.tell() - cd_offset
    count = len(central)
    comment = source.comment[:0xFFFF]
    out.write(
        _END_SIG
        + struct.pack("<HHHHIIH", 0, 0, count, count, cd_size, cd_offset, len(comment))
        + comment
    )
    return out.getvalue()


def _copy_raw(out: _Output, source: ZipArchive, member: ZipMember) -> bytes:
    info = member.info
    flags = info.flag_bits & ~_DESCRIPTOR_FLAG
    name = _encode_name(info.orig_filename, flags)
    return _emit(
        out,
        name=name,
        flags=flags,
        method=info.compress_type,
        date_time=info.date_time,
        crc=info.CRC,
        raw=(source.raw(member),),
        size=info.file_size,
        info=info,
    )


def _write_new(
    out: _Output, new: NewMember, level: int, original: zipfile.ZipInfo | None
) -> bytes:
    pieces = new.content if isinstance(new.content, tuple) else (new.content,)
    size = sum(len(piece) for piece in pieces)
    crc = 0
    for piece in pieces:
        crc = zlib.crc32(piece, crc)
    raw: tuple[bytes | memoryview, ...]
    if level == 0:
        method, raw = _STORED, pieces
    else:
        if size > _FAST_ABOVE:
            # A big sheet: level 3 packs ~7% larger than level 6 in a third of the time.
            level = min(level, 3)
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
        method = _DEFLATED
        raw = (*map(compressor.compress, pieces), compressor.flush())
    flags = 0 if new.name.isascii() else _UTF8_FLAG
    if original is not None:
        flags |= original.flag_bits & _UTF8_FLAG
    date_time = new.date_time or time.localtime()[:6]
    return _emit(
        out,
        name=_encode_name(new.name, flags),
        flags=flags,
        method=method,
        date_time=date_time,
        crc=crc,
        raw=raw,
        size=size,
        info=original,
    )


def _emit(
    out: _Output,
    *,
    name: bytes,
    flags: int,
    method: int,
    date_time: tuple[int, int, int, int, int, int],
    crc: int,
    raw: tuple[bytes | memoryview, ...],
    size: int,
    info: zipfile.ZipInfo | None,
) -> bytes:
    packed = sum(len(piece) for piece in raw)
    if size >= 0xFFFFFFFF or packed >= 0xFFFFFFFF:
        raise ZipFormatError("a part is too large for sheetbill to write (over 4 GB)")
    dos_time, dos_date = _dos_time(date_time)
    version = max(20, info.extract_version if info else 20)
    offset = out.tell()
    out.write(
        _LOCAL_SIG
        + struct.pack(
            "<HHHHHIIIHH",
            version,
            flags,
            method,
            dos_time,
            dos_date,
            crc,
            packed,
            size,
            len(name),
            0,
        )
        + name
    )
    for piece in raw:
        out.write(piece)
    extra = _without_zip64(info.extra) if info else b""
    comment = info.comment if info else b""
    create_version = info.create_version if info else 20
    create_system = info.create_system if info else 3
    external = info.external_attr if info else 0o100644 << 16
    internal = info.internal_attr if info else 0
    return (
        _CENTRAL_SIG
        + struct.pack(
            "<BBHHHHHIIIHHHHHII",
            create_version,
            create_system,
            version,
            flags,
            method,
            dos_time,
            dos_date,
            crc,
            packed,
            size,
            len(name),
            len(extra),
            len(comment),
            0,
            internal,
            external,
            offset,
        )
        + name
        + extra
        + comment
    )


def _encode_name(name: str, flags: int) -> bytes:
    if flags & _UTF8_FLAG:
        return name.encode("utf-8")
    try:
        return name.encode("cp437")
    except UnicodeEncodeError:
        return name.encode("utf-8")


def _dos_time(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    if year < 1980:
        year, month, day, hour, minute, second = 1980, 1, 1, 0, 0, 0
    year = min(year, 2107)
    return (hour << 11) | (minute << 5) | (second // 2), (
        ((year - 1980) << 9) | (month << 5) | day
    )


def _without_zip64(extra: bytes) -> bytes:
    # Sizes and offsets always fit 32 bits in what we write, so a copied zip64 record
    # would only contradict the header; other extra records are kept.
    kept = bytearray()
    pos = 0
    while pos + 4 <= len(extra):
        header_id, length = struct.unpack("<HH", extra[pos : pos + 4])
        block = extra[pos : pos + 4 + length]
        if header_id != _ZIP64_EXTRA_ID:
            kept += block
        pos += 4 + length
    return bytes(kept)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:200] or type(exc).__name__
