"""A PDF joined from parts (see long_grid_pdf) made one PDF/A: the page furniture drawn over
the joined pages, and what the document says of itself taken from the furniture document."""

from __future__ import annotations

import hashlib
import io
from typing import cast

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

_ARCHIVAL_ENTRIES = ("/Metadata", "/OutputIntents", "/Lang", "/AF", "/MarkInfo")


def joined_archival_pdf(writer: PdfWriter, parts: list[bytes], furniture_pdf: bytes) -> bytes:
    """The joined pages with the furniture drawn over them, as a PDF/A-3b: the furniture
    is a PDF/A of the whole template head (title, language, dates, the contract's data).
    The file identifier comes from the content, as WeasyPrint's does: the same parts, the
    same bytes."""
    furniture = PdfReader(io.BytesIO(furniture_pdf))
    draw_over(writer, furniture)
    _archival_catalog(writer, furniture)
    digest = hashlib.md5(usedforsecurity=False)
    for pdf in [*parts, furniture_pdf]:
        digest.update(hashlib.sha256(pdf).digest())
    identifier = ByteStringObject(digest.digest())
    writer._ID = ArrayObject([identifier, identifier])
    writer.pdf_header = "%PDF-1.7"
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _archival_catalog(writer: PdfWriter, furniture: PdfReader) -> None:
    """The PDF/A parts of the furniture's catalog, and its information dictionary in place
    of pypdf's (whose Producer the XMP metadata would contradict): pypdf copies pages, not
    what the document says of itself."""
    source = cast(DictionaryObject, furniture.trailer["/Root"])
    for key in _ARCHIVAL_ENTRIES:
        if key in source:
            writer.root_object[NameObject(key)] = source.raw_get(key).clone(writer)
    names = cast(DictionaryObject, source.get("/Names", DictionaryObject()))
    if "/EmbeddedFiles" in names:
        own = writer.root_object.setdefault(NameObject("/Names"), DictionaryObject())
        cast(DictionaryObject, own.get_object())[NameObject("/EmbeddedFiles")] = names.raw_get(
            "/EmbeddedFiles"
        ).clone(writer)
    writer.metadata = furniture.metadata


def draw_over(writer: PdfWriter, furniture: PdfReader) -> None:
    """Each furniture page drawn over the writer's page of the same number, as a form
    XObject after the page's own content (wrapped in q/Q, so whatever state it leaves is
    undone): pypdf's merge_page would parse and rewrite both pages' content instead, a
    third of the time of a long list. Pages may share their resources, so each page's
    form has a name of its own."""
    save, restore = (writer._add_object(_stream(operator)) for operator in (b"q", b"Q"))
    for number, (page, over) in enumerate(zip(writer.pages, furniture.pages, strict=True)):
        form = cast(StreamObject, over[NameObject("/Contents")].get_object()).clone(writer)
        form.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Form"),
                NameObject("/BBox"): ArrayObject(FloatObject(v) for v in over.mediabox),
                NameObject("/Resources"): over[NameObject("/Resources")].clone(writer),
            }
        )
        name = NameObject(f"/LongGridFurniture{number}")
        resources = cast(DictionaryObject, page[NameObject("/Resources")].get_object())
        xobjects = resources.setdefault(NameObject("/XObject"), DictionaryObject())
        cast(DictionaryObject, xobjects.get_object())[name] = writer._add_object(form)
        contents = page.raw_get(NameObject("/Contents"))
        if isinstance(contents, IndirectObject):
            streams = [contents]
        elif isinstance(contents, ArrayObject):
            streams = list(contents)
        else:
            streams = [writer._add_object(contents)]
        stamp = writer._add_object(_stream(f"{name} Do".encode()))
        page[NameObject("/Contents")] = ArrayObject([save, *streams, restore, stamp])


def _stream(data: bytes) -> StreamObject:
    stream = StreamObject()
    stream.set_data(data)
    return stream
