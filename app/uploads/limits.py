"""Every bound on an uploaded file, in one place, with its default and the setting an
operator tunes it with. A bound is checked before the work it bounds: a zip's central
directory before anything inflates, a workbook's shared strings and first sheet as a
stream before openpyxl loads them, each CSV record as it is read.

A refusal names its limit: a size over a bound is `UploadTooLarge` (413), a count over a
bound `UploadOverLimit` (422); both carry a `Limit` that the problem document shows as
its `limit` member."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.errors import InvalidInput, TooLarge

MIB = 1024 * 1024

MAX_UNPACKED_BYTES = 200 * MIB
"""What a workbook may unpack to, all parts together (CONTRACTDESK_UPLOAD_MAX_UNPACKED_BYTES)."""
MAX_ZIP_ENTRIES = 1_000
"""Parts of a workbook (CONTRACTDESK_UPLOAD_MAX_ZIP_ENTRIES); Excel writes a dozen or so."""
MAX_ENTRY_RATIO = 100
"""How many times its packed size one zip member may unpack to
(CONTRACTDESK_UPLOAD_MAX_ENTRY_RATIO); office XML packs 5 to 20 times, a bomb 1,000."""
RATIO_FLOOR = MIB
"""Members that unpack to less than this are not held to the ratio: they cost nothing."""
MAX_SHARED_STRINGS = 250_000
"""Distinct texts of a workbook (CONTRACTDESK_UPLOAD_MAX_SHARED_STRINGS); openpyxl keeps
them all in memory before the first row is read."""
MAX_SHARED_STRING_CHARS = 16_000_000
"""Their characters, all together (CONTRACTDESK_UPLOAD_MAX_SHARED_STRING_CHARS)."""
MAX_COLUMNS = 1_000
"""Columns of a CSV record or of a worksheet's cells (CONTRACTDESK_UPLOAD_MAX_COLUMNS)."""
MAX_FIELD_CHARS = 32_767
"""Characters of one CSV field or worksheet cell (CONTRACTDESK_UPLOAD_MAX_FIELD_CHARS);
Excel's own limit for a cell."""

TEMPLATE_MAX_FILES = 100
"""Files of a template package."""
TEMPLATE_MAX_UNPACKED_BYTES = 40 * MIB
"""What a template package, and the DOCX inside it, may unpack to."""
TEMPLATE_MAX_FILES_IN_DOCX = 1_000
"""Parts of a template package's DOCX."""


@dataclass(frozen=True)
class Limit:
    """The bound a refusal is about, as the problem document's `limit` member shows it."""

    name: str
    value: int
    setting: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "setting": self.setting}


@dataclass
class UploadTooLarge(TooLarge):
    """A file, or a part of it, larger than a size bound (413)."""

    limit: Limit | None = None
    slug = "upload-too-large"


@dataclass
class UploadOverLimit(InvalidInput):
    """A file holding more of something than a count bound allows (422)."""

    limit: Limit | None = None
    title = "Upload over a limit"
    slug = "upload-over-limit"


def _setting(name: str) -> str:
    return f"CONTRACTDESK_UPLOAD_{name.upper()}"


@dataclass(frozen=True)
class UploadLimits:
    """The bounds in force; `Settings.upload_limits` builds them from the environment."""

    unpacked_bytes: int = MAX_UNPACKED_BYTES
    zip_entries: int = MAX_ZIP_ENTRIES
    entry_ratio: int = MAX_ENTRY_RATIO
    shared_strings: int = MAX_SHARED_STRINGS
    shared_string_chars: int = MAX_SHARED_STRING_CHARS
    columns: int = MAX_COLUMNS
    field_chars: int = MAX_FIELD_CHARS
    settings: dict[str, str | None] = field(default_factory=dict, compare=False)

    def limit(self, name: str) -> Limit:
        """The named bound with its value and the setting that tunes it."""
        setting = self.settings.get(name, _setting(f"max_{name}"))
        return Limit(name, int(getattr(self, name)), setting)

    def too_large(self, name: str, detail: str) -> UploadTooLarge:
        return UploadTooLarge(detail, limit=self.limit(name))

    def over(self, name: str, detail: str) -> UploadOverLimit:
        return UploadOverLimit(detail, limit=self.limit(name))


DEFAULT_LIMITS = UploadLimits()
"""The documented defaults, for callers without settings (tests, benchmarks)."""
TEMPLATE_LIMITS = UploadLimits(
    unpacked_bytes=TEMPLATE_MAX_UNPACKED_BYTES,
    zip_entries=TEMPLATE_MAX_FILES,
    settings={"unpacked_bytes": None, "zip_entries": None},
)
"""A template package's bounds: fixed, since legal's packages are small."""
DOCX_LIMITS = UploadLimits(
    unpacked_bytes=TEMPLATE_MAX_UNPACKED_BYTES,
    zip_entries=TEMPLATE_MAX_FILES_IN_DOCX,
    settings={"unpacked_bytes": None, "zip_entries": None},
)
