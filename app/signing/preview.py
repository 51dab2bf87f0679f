"""The document a customer signs, shown on the signing page: each page of the PDF out for
signature as a PNG, and its text for screen readers.

Everything here is derived from the stored, checksummed PDF of the version being signed,
so it is cached in memory by that checksum (a few documents' text, a few dozen page
images) and never written back to the object store. PDFium is not thread-safe: one lock
serialises every call into it.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import pypdfium2 as pdfium

from app.signing import builtin_signing as signing
from app.uow import UnitOfWork

RENDER_WIDTH = 1240
"""Pixels across a page image: sharp on a phone at 3x and on a desktop column alike."""

PALETTE = 128

K = TypeVar("K")
V = TypeVar("V")

_pdfium = threading.Lock()


class _Recent(Generic[K, V]):
    """A small least-recently-used cache, safe across the web server's threads."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K, make: Callable[[], V]) -> V:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value


_texts: _Recent[str, tuple[str, ...]] = _Recent(32)
_images: _Recent[tuple[str, int], bytes] = _Recent(48)


@dataclass(frozen=True)
class PreviewPage:
    number: int
    text: str


@dataclass(frozen=True)
class PageImage:
    png: bytes
    etag: str


def _page_texts(pdf: bytes) -> tuple[str, ...]:
    with _pdfium:
        document = pdfium.PdfDocument(pdf)
        try:
            texts = []
            for page in document:
                textpage = page.get_textpage()
                texts.append(textpage.get_text_range().replace("\r\n", "\n").strip())
                textpage.close()
                page.close()
            return tuple(texts)
        finally:
            document.close()


def _render(pdf: bytes, number: int) -> bytes:
    with _pdfium:
        document = pdfium.PdfDocument(pdf)
        try:
            page = document[number - 1]
            bitmap = page.render(scale=RENDER_WIDTH / page.get_width())
            image = bitmap.to_pil()
            page.close()
        finally:
            document.close()
    out = io.BytesIO()
    # 128 colours keep text and brand colours true at under half the bytes of full RGB:
    # the images travel to phones on mobile data.
    image.quantize(colors=PALETTE).save(out, format="PNG")
    return out.getvalue()


def _loader(uow: UnitOfWork, ref: signing.UnsignedPdf) -> Callable[[], bytes]:
    return lambda: uow.storage.get(ref.storage_key, ref.version_id, sha256=ref.sha256)


def document_pages(uow: UnitOfWork, token: str) -> list[PreviewPage]:
    """The pages of the PDF behind a signing link that can still be used, with their text."""
    ref = signing.unsigned_pdf_ref(uow, token)
    load = _loader(uow, ref)
    texts = _texts.get(ref.sha256, lambda: _page_texts(load()))
    return [PreviewPage(number, text) for number, text in enumerate(texts, start=1)]


def page_image(uow: UnitOfWork, token: str, number: int) -> PageImage | None:
    """Page `number` (from 1) of the PDF behind a signing link that can still be used;
    None when the document has no such page."""
    ref = signing.unsigned_pdf_ref(uow, token)
    load = _loader(uow, ref)
    count = len(_texts.get(ref.sha256, lambda: _page_texts(load())))
    if not 1 <= number <= count:
        return None
    png = _images.get((ref.sha256, number), lambda: _render(load(), number))
    return PageImage(png, f"{ref.sha256[:32]}-{number}")
