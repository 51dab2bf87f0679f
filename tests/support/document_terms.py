"""What the defined-terms check needs from a rendered sample: its text as a PDF reader
sees it, and the names its data and labels put on the page."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from pypdf import PdfReader


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def context_names(context: Any, *, skip: frozenset[str] = frozenset({"sections"})) -> Iterator[str]:
    """Every string in a document's template context except the clauses: party and site
    names, addresses, titles, product descriptions, dates, labels."""
    if isinstance(context, str):
        yield context
        yield from context.splitlines()
    elif isinstance(context, dict):
        for key, value in context.items():
            if key not in skip:
                yield from context_names(value, skip=skip)
    elif isinstance(context, (list, tuple)):
        for value in context:
            yield from context_names(value, skip=skip)
