"""Serving a stored file with its checksum in the headers (RFC 9530 `Repr-Digest`), and
the documents made on request (the licence as amended)."""

from __future__ import annotations

import base64
import uuid
from typing import Literal

from flask import Response

from app.db import utcnow
from app.documents.as_amended_files import render_as_amended_docx, render_as_amended_pdf
from app.documents.files import CONTENT_TYPES, FileContent
from app.titles.schedule import licence_as_amended
from app.uow import UnitOfWork


def file_response(file: FileContent) -> Response:
    digest = base64.b64encode(bytes.fromhex(file.sha256)).decode()
    return Response(
        file.data,
        content_type=file.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{file.filename}"',
            "Repr-Digest": f"sha-256=:{digest}:",
            "ETag": f'"{file.sha256}"',
            "Cache-Control": "private, no-store",
        },
    )


_AS_AMENDED = {
    "pdf": (render_as_amended_pdf, CONTENT_TYPES["pdf"], "inline"),
    "docx": (render_as_amended_docx, CONTENT_TYPES["docx"], "attachment"),
}


def as_amended_response(
    uow: UnitOfWork,
    licence_id: uuid.UUID,
    year: int | None = None,
    *,
    kind: Literal["pdf", "docx"] = "pdf",
) -> Response:
    """The consolidated licence as a PDF or a DOCX, rendered now (it changes whenever an
    amendment is signed) in the licence's language, with the titles in force in `year`."""
    with uow:
        view = licence_as_amended(uow.session, licence_id, year, storage=uow.storage)
    today = utcnow().date()
    render, mimetype, disposition = _AS_AMENDED[kind]
    filename = f"{view['licence']['number']}-as-amended-{today}.{kind}"
    return Response(
        render(view, today=today),
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'{disposition}; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )
