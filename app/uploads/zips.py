"""A zip's central directory read before anything inflates: how many entries it holds,
what each declares it unpacks to and at what ratio. zipfile then inflates no member past
the size it declares (a member that holds more fails its CRC check), so these declared
sizes bound the real work.

The directory is walked here with `struct`, not by `zipfile.ZipFile`, which would build
an object per entry before any count could be checked (100,000 entries: tens of MB)."""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from app.errors import InvalidInput
from app.uploads.limits import RATIO_FLOOR, UploadLimits

_END = struct.Struct("<4s4H2LH")
_END64_LOCATOR = struct.Struct("<4sLQL")
_END64 = struct.Struct("<4sQ2H2L4Q")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_MAX_COMMENT = 65_535
_SATURATED = 0xFFFFFFFF
UNPACK_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError)
"""What zipfile raises on a damaged, encrypted or oddly packed member."""


@dataclass(frozen=True)
class Entry:
    name: str
    packed: int
    size: int


def scan_zip(data: bytes, limits: UploadLimits, *, what: str) -> list[Entry]:
    """The entries of a zip, once its entry count, the total it declares it unpacks to
    and each entry's ratio are within `limits`; else the refusal naming the bound."""
    start, size = _directory(data, what)
    entries: list[Entry] = []
    for entry in _walk(data, start, size, what):
        if len(entries) == limits.zip_entries:
            raise limits.over(
                "zip_entries",
                f"{what} holds more than {limits.zip_entries:,} files; at most "
                f"{limits.zip_entries:,} are allowed",
            )
        entries.append(entry)
    total = sum(entry.size for entry in entries)
    if total > limits.unpacked_bytes:
        raise limits.too_large(
            "unpacked_bytes",
            f"{what} unpacks to {total:,} bytes; the most accepted is "
            f"{limits.unpacked_bytes:,} bytes",
        )
    for entry in entries:
        if entry.size > RATIO_FLOOR and entry.size > limits.entry_ratio * max(entry.packed, 1):
            raise limits.too_large(
                "entry_ratio",
                f"{what}: {entry.name} unpacks to {entry.size // max(entry.packed, 1):,} "
                f"times its packed size; at most {limits.entry_ratio:,} times",
            )
    return entries


@contextmanager
def unpacking(what: str, name: str) -> Iterator[None]:
    """A member that fails to inflate is a problem with the upload, not the service."""
    try:
        yield
    except UNPACK_ERRORS as exc:
        raise InvalidInput(f"{what}: {name} cannot be unpacked ({exc})") from exc


class NotAZip(InvalidInput):
    """The upload is no zip archive at all."""


def _not_zip(what: str) -> NotAZip:
    return NotAZip(f"{what} is not a zip archive")


def _directory(data: bytes, what: str) -> tuple[int, int]:
    """Where the central directory starts and its size, from the end record (zip64 too)."""
    position = data.rfind(b"PK\x05\x06", max(0, len(data) - _END.size - _MAX_COMMENT))
    if position < 0 or position + _END.size > len(data):
        raise _not_zip(what)
    *_, size, _offset, _comment = _END.unpack_from(data, position)
    locator = position - _END64_LOCATOR.size
    if locator >= 0 and data[locator : locator + 4] == b"PK\x06\x07":
        record = locator - _END64.size
        if record < 0 or data[record : record + 4] != b"PK\x06\x06":
            raise _not_zip(what)
        size = _END64.unpack_from(data, record)[8]
        position = record
    start = position - size
    if start < 0:
        raise _not_zip(what)
    return start, size


def _walk(data: bytes, start: int, size: int, what: str) -> Iterator[Entry]:
    position, end = start, start + size
    while position < end:
        if data[position : position + 4] != b"PK\x01\x02" or position + _CENTRAL.size > end:
            raise _not_zip(what)
        fields = _CENTRAL.unpack_from(data, position)
        packed, unpacked, name_length, extra_length, comment_length = fields[10:15]
        name_start = position + _CENTRAL.size
        extra_start = name_start + name_length
        name = data[name_start:extra_start].decode("utf-8", "replace")
        if _SATURATED in (packed, unpacked):
            unpacked, packed = _zip64_sizes(
                data[extra_start : extra_start + extra_length], unpacked, packed
            )
        yield Entry(name, packed, unpacked)
        position = extra_start + extra_length + comment_length


def _zip64_sizes(extra: bytes, unpacked: int, packed: int) -> tuple[int, int]:
    """The real sizes from a zip64 extra field: each saturated size, in this order."""
    position = 0
    while position + 4 <= len(extra):
        kind, length = struct.unpack_from("<2H", extra, position)
        body = extra[position + 4 : position + 4 + length]
        if kind == 1:
            values = [v for (v,) in struct.iter_unpack("<Q", body[: len(body) // 8 * 8])]
            if unpacked == _SATURATED and values:
                unpacked = values.pop(0)
            if packed == _SATURATED and values:
                packed = values.pop(0)
            break
        position += 4 + length
    return unpacked, packed
