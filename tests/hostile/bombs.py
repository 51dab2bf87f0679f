"""Hostile files built cheaply: a zip whose member inflates to a gigabyte is put together
from one compressed block repeated, so the test neither compresses nor holds a gigabyte;
and a meter for the time and memory the service takes to refuse one."""

from __future__ import annotations

import re
import struct
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

GIB = 1024**3
_BLOCK = 1024 * 1024


@dataclass(frozen=True)
class Member:
    """A zip member as it is stored: raw deflate data, its CRC and the size it declares."""

    name: str
    data: bytes
    crc: int
    declared_size: int


def member(name: str, content: bytes) -> Member:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = compressor.compress(content) + compressor.flush()
    return Member(name, data, zlib.crc32(content), len(content))


def repeated(
    name: str, block: bytes, copies: int, *, prefix: bytes = b"", declared_size: int | None = None
) -> Member:
    """A member that really inflates to `prefix` and `copies` of `block`; it may declare
    another size. Each part is compressed on its own (a full flush), so one compressed
    copy of the block serves for all."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    piece = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(prefix)
    for _ in range(copies):
        crc = zlib.crc32(block, crc)
    data = start + piece * copies + compressor.flush()
    size = len(prefix) + copies * len(block)
    return Member(name, data, crc, size if declared_size is None else declared_size)


def zeros(name: str, size: int = GIB, *, declared_size: int | None = None) -> Member:
    return repeated(name, b"\0" * _BLOCK, size // _BLOCK, declared_size=declared_size)


def zip_of(members: list[Member]) -> bytes:
    """A plain zip (deflate, sizes below 4 GiB; zip64's end records only for more than
    65,535 members) of the members as given."""
    out, directory = bytearray(), bytearray()
    for item in members:
        name = item.name.encode()
        sizes = (item.crc, len(item.data), item.declared_size, len(name))
        directory += (
            struct.pack(
                "<4s6H3I5H2I",
                b"PK\x01\x02",
                20,
                20,
                0,
                8,
                0,
                0x21,
                *sizes[:3],
                len(name),
                0,
                0,
                0,
                0,
                0,
                len(out),
            )
            + name
        )
        out += struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, *sizes, 0) + name
        out += item.data
    count = len(members)
    end = b""
    if count > 0xFFFF:  # more entries than a plain end record counts: zip64's records
        record = len(out) + len(directory)
        end = struct.pack(
            "<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, len(directory), len(out)
        ) + struct.pack("<4sLQL", b"PK\x06\x07", 0, record, 1)
        count = 0xFFFF
    end += struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, count, count, len(directory), len(out), 0)
    return bytes(out + directory + end)


@dataclass
class Cost:
    seconds: float = 0.0
    peak_mb: float = 0.0


def _status_mb(field: str) -> float:
    found = re.search(rf"{field}:\s+(\d+) kB", Path("/proc/self/status").read_text())
    assert found is not None
    return int(found[1]) / 1024


@contextmanager
def measured() -> Iterator[Cost]:
    """Wall time, and how far the process's resident memory rose above where it was, at
    its peak, while the block runs (the kernel's high-water mark, reset first: unlike
    tracemalloc it costs the code measured nothing)."""
    cost = Cost()
    Path("/proc/self/clear_refs").write_text("5")
    before = _status_mb("VmRSS")
    started = time.monotonic()
    try:
        yield cost
    finally:
        cost.seconds = time.monotonic() - started
        cost.peak_mb = _status_mb("VmHWM") - before
        print(f"refused in {cost.seconds:.2f} s, resident memory rose {cost.peak_mb:.1f} MB")
