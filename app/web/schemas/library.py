"""HTTP shapes of the clause library and template API, for legal's tools and scripts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.assembly.text import Line, Text


class DraftIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "key": "payment-terms",
                    "language": "en",
                    "title": "Invoicing and payment",
                    "body": "Invoices are payable within 45 days of the invoice date.",
                }
            ]
        },
    )

    key: Line = Field(max_length=100, description="The clause key; a new key makes a new clause")
    language: Literal["en", "nl", "zh"]
    jurisdiction: Line = Field(default="", max_length=40, description="Empty: any law")
    position: str = Field(
        default="preferred",
        max_length=20,
        pattern=r"^(preferred|fallback-[1-9][0-9]?)$",
        description="preferred or fallback-N",
    )
    title: Line = Field(max_length=300)
    body: Text = Field(max_length=50_000, description="Markdown with document variables")


class DraftEditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Line = Field(max_length=300)
    body: Text = Field(max_length=50_000)


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: Text = Field(default="", max_length=4000)


class ClauseVersionOut(BaseModel):
    id: uuid.UUID
    key: str
    version: int
    language: str
    jurisdiction: str
    position: str
    status: str
    title: str
    body: str
    sha256: str
    author: str | None
    approved_by: str | None
    approved_at: datetime | None
    review_comment: str
    created_at: datetime


class ClauseOut(BaseModel):
    key: str
    title: str
    versions: list[ClauseVersionOut]


class ClauseListOut(BaseModel):
    clauses: list[ClauseOut]


class ChangeOut(BaseModel):
    op: str = Field(description="equal, insert or delete")
    text: str


class RedlineOut(BaseModel):
    version_id: uuid.UUID
    base_version_id: uuid.UUID | None = Field(description="The text compared against")
    base_version: int | None
    insertions: int
    deletions: int
    html: str = Field(description="The new text with <ins> and <del> marks, HTML-escaped")
    changes: list[ChangeOut]


class UseOut(BaseModel):
    document_id: uuid.UUID
    number: str
    status: str
    signed: bool


class WhereUsedOut(BaseModel):
    version_id: uuid.UUID
    documents: list[UseOut]


class TemplateVersionOut(BaseModel):
    id: uuid.UUID
    key: str
    version: int
    status: str
    sha256: str
    published_at: datetime | None
    published_by: str | None = Field(
        default=None, description="The second legal user who published it (never its uploader)"
    )
    created_at: datetime


class TemplateListOut(BaseModel):
    templates: list[TemplateVersionOut]


class TemplateSchemaOut(BaseModel):
    key: str
    version: int
    kind: str
    languages: list[str]
    schema_: dict[str, Any] = Field(
        alias="schema", serialization_alias="schema", description="JSON Schema of `data`"
    )
