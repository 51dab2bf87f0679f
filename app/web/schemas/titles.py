"""HTTP shapes of a licence's title lists."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from app.assembly.text import Line
from app.web.schemas.documents import DocumentOut


class TitleListImportQuery(BaseModel):
    year: int = Field(ge=2000, le=2100, description="The licence year the list is for")
    filename: Line = Field(
        default="titles.csv",
        max_length=200,
        description="Tells KBART or CSV (.txt, .tsv, .csv) from XLSX (.xlsx)",
    )
    skip_bad_rows: bool = Field(
        default=False,
        description="Import the good rows and return the bad ones, rather than refuse the file",
    )


class SkippedRowOut(BaseModel):
    row: int = Field(description="The row or line in the file; the header is 1")
    column: str
    value: str
    detail: str


class TitleListImportOut(DocumentOut):
    skipped_rows: list[SkippedRowOut] = Field(
        default_factory=list, description="The rows left out (with skip_bad_rows)"
    )


class TitleListVersionOut(BaseModel):
    document_id: uuid.UUID
    number: str
    year: int
    version: int = Field(description="1, 2, … for the lists of one year, in the order made")
    count: int
    created_at: datetime


class TitleListsOut(BaseModel):
    lists: list[TitleListVersionOut]


class CompareQuery(BaseModel):
    before: int = Field(ge=2000, le=2100, description="The earlier year")
    after: int = Field(ge=2000, le=2100, description="The later year")


class ListRefOut(BaseModel):
    year: int
    source: str = Field(
        description="list: the latest list uploaded for the year; licence: the licence's "
        "own titles as amended by then"
    )
    version: int = Field(description="The list's version in its year; 0 for the licence's")
    number: str
    count: int


class ComparedTitleOut(BaseModel):
    title: str
    issn: str | None
    eissn: str | None
    isbn: str | None = None
    eisbn: str | None = None
    package: str = ""
    price: str | None


class PackageMoveOut(BaseModel):
    title: str
    old: str
    new: str


class ScheduleQuery(BaseModel):
    year: int = Field(ge=2000, le=2100, description="A year of the licence's term")


class ScheduleOut(ListRefOut):
    amendments: list[str] = Field(description="Amendments that changed the titles by then")
    titles: list[dict[str, Any]] = Field(description="The titles, as stored (KBART's fields)")


class PriceChangeOut(BaseModel):
    title: str
    old: str | None
    new: str | None
    difference: str | None


class YearOnYearOut(BaseModel):
    licence: str
    customer: str
    currency: str
    before: ListRefOut
    after: ListRefOut
    added: list[ComparedTitleOut]
    removed: list[ComparedTitleOut]
    price_changed: list[PriceChangeOut]
    moved: list[PackageMoveOut] = Field(default_factory=list)
    unchanged: int
