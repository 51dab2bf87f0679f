"""The parts of a title that KBART (NISO RP-9-2014, Phase II) defines, checked as a
knowledge base would check them: identifiers by their check digits, dates as ISO 8601
(YYYY, YYYY-MM or YYYY-MM-DD), embargoes as R/P + number + D/M/Y, a controlled vocabulary
for coverage depth."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from operator import mul
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from stdnum import isbn, issn
from stdnum.exceptions import ValidationError

from app.assembly.text import Line, Text

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_EMBARGO = re.compile(r"^[RP]\d{1,4}[DMY]$")
_URL = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)
_ISSN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2)
_ISBN10_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
_EAN_WEIGHTS = (1, 3) * 6
COVERAGE_DEPTHS = ("fulltext", "selected articles", "abstracts", "ebook")
_DEPTH_OF = {depth.replace(" ", ""): depth for depth in COVERAGE_DEPTHS}


@lru_cache(maxsize=1024)  # a row's identifiers are checked for duplicates, then validated
def valid_issn(value: str) -> str | None:
    """The ISSN as NNNN-NNNC if its check digit is right, else None. Checked here rather
    than by python-stdnum, which takes ten times as long: a list of 100,000 titles is
    checked in the time of reading it."""
    number = _compact(value)
    if len(number) != 8 or not number[:7].isdigit():
        return None
    check = -sum(map(mul, _ISSN_WEIGHTS, map(int, number[:7]))) % 11
    return f"{number[:4]}-{number[4:]}" if number[7] == "0123456789X"[check] else None


@lru_cache(maxsize=1024)
def valid_isbn(value: str) -> str | None:
    """The ISBN-10 or ISBN-13 without hyphens if its check digit is right, else None."""
    number = _compact(value)
    if len(number) == 13 and number.isdigit() and number[:3] in ("978", "979"):
        check = -sum(map(mul, _EAN_WEIGHTS, map(int, number[:12]))) % 10
        return number if int(number[12]) == check else None
    if len(number) == 10 and number[:9].isdigit():
        check = sum(map(mul, _ISBN10_WEIGHTS, map(int, number[:9]))) % 11
        return number if number[9] == "0X987654321"[check] else None
    return None


def _compact(value: str) -> str:
    return value.replace("-", "").replace(" ", "").strip().upper()


def issn_or_none(value: str | None) -> str | None:
    if value is None:
        return None
    if (number := valid_issn(value)) is not None:
        return number
    try:  # for python-stdnum's words for what is wrong
        issn.validate(value)
    except ValidationError as exc:
        raise ValueError(f"{value!r} is not a valid ISSN ({exc})") from exc
    raise ValueError(f"{value!r} is not a valid ISSN")


def isbn_or_none(value: str | None) -> str | None:
    """ISBN-10 or ISBN-13 as digits (and X), without hyphens."""
    if value is None:
        return None
    if (number := valid_isbn(value)) is not None:
        return number
    try:
        isbn.validate(value)
    except ValidationError as exc:
        raise ValueError(f"{value!r} is not a valid ISBN ({exc})") from exc
    raise ValueError(f"{value!r} is not a valid ISBN")


def kbart_date(value: str) -> str:
    """A KBART date: a year, a month or a day, each a real one."""
    if not value:
        return value
    match = _DATE.match(value)
    if match is None:
        raise ValueError(f"{value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        date(year, month, day)
    except ValueError:
        raise ValueError(f"{value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)") from None
    return value


def check_embargo(value: str) -> str:
    """R or P, a number and D, M or Y; a moving wall and a delay may be joined by ';'."""
    if value and not all(_EMBARGO.match(part) for part in value.upper().split(";")):
        raise ValueError(f"{value!r} is not a KBART embargo (e.g. R1Y, P6M or P1Y;R10Y)")
    return value.upper()


def check_depth(value: str) -> str:
    """One of KBART's depths; full text where none is given."""
    if not value:
        return "fulltext"
    depth = _DEPTH_OF.get(value.casefold().replace(" ", "").replace("_", ""))
    if depth is None:
        raise ValueError(f"{value!r} is not a coverage depth ({', '.join(COVERAGE_DEPTHS)})")
    return depth


def url(value: str) -> str:
    if value and not _URL.match(value):
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


Issn = Annotated[Annotated[Line, Field(max_length=20)] | None, AfterValidator(issn_or_none)]
Isbn = Annotated[Annotated[Line, Field(max_length=20)] | None, AfterValidator(isbn_or_none)]
KbartDate = Annotated[
    str,
    AfterValidator(kbart_date),
    Field(
        default="",
        max_length=10,
        json_schema_extra={"pattern": r"^(\d{4}(-\d{2}(-\d{2})?)?)?$"},
    ),
]
Short = Annotated[Line, Field(default="", max_length=500)]
PublicationType = Literal["serial", "monograph"]
AccessType = Literal["", "F", "P"]


class Coverage(BaseModel):
    """One range of a title's online coverage: a KBART row. An empty end runs to the
    present; embargo, depth and notes belong to the range, as they do to the row."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    first_date: KbartDate = ""
    first_volume: Short = ""
    first_issue: Short = ""
    last_date: KbartDate = ""
    last_volume: Short = ""
    last_issue: Short = ""
    embargo: Annotated[Line, AfterValidator(check_embargo), Field(max_length=20)] = ""
    depth: Annotated[Line, AfterValidator(check_depth), Field(max_length=20)] = "fulltext"
    notes: Annotated[Text, Field(max_length=2000)] = ""
    access_type: AccessType = ""
    """The range's access where it is not the title's (free back files of a paid journal);
    empty for the title's."""

    def text(self) -> str:
        """The range as a reader says it: "1990-01 – 2001", "1995 –, R1Y"."""
        if not (self.first_date or self.last_date):
            return ""
        span = f"{self.first_date} – {self.last_date}".strip()
        return f"{span}, {self.embargo}" if self.embargo else span
