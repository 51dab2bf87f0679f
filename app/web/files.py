"""Serving a stored file with its checksum in the headers (RFC 9530 `Repr-Digest`), and
the documents made on request (the licence as amended)."""

from __future__ import annotations

import base64
import uuid

from flask import Response

from app.db import utcnow
from app.documents.as_amended_pdf import render_as_amended_pdf
from app.documents.services import FileContent
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


def as_amended_pdf_response(
    uow: UnitOfWork, licence_id: uuid.UUID, year: int | None = None
) -> Response:
    """The consolidated licence, rendered now (it changes whenever an amendment is signed),
    with the titles in force in `year`."""
    with uow:
        view = licence_as_amended(uow.session, licence_id, year, storage=uow.storage)
    today = utcnow().date()
    return Response(
        render_as_amended_pdf(view, today=today),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": (
                f'inline; filename="{view["licence"]["number"]}-as-amended-{today}.pdf"'
            ),
            "Cache-Control": "private, no-store",
        },
    )
