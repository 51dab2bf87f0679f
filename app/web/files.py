"""Serving a stored file with its checksum in the headers (RFC 9530 `Repr-Digest`)."""

from __future__ import annotations

import base64

from flask import Response

from app.documents.services import FileContent


def file_response(file: FileContent) -> Response:
    digest = base64.b64encode(bytes.fromhex(file.sha256)).decode()
    return Response(
        file.data,
        mimetype=file.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{file.filename}"',
            "Repr-Digest": f"sha-256=:{digest}:",
            "ETag": f'"{file.sha256}"',
            "Cache-Control": "private, no-store",
        },
    )
