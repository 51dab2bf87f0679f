"""The signed copy says on every page that it is the signed version ("Signed version —
L-2027-000001 v2 — page 2 of 9"), written in the incremental update after the shown bytes,
so that a page printed or taken out on its own still says what it is."""

from __future__ import annotations

import io
import re

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata.xmp_xml import MetadataStream
from pyhanko.pdf_utils.reader import PdfFileReader
from weasyprint import HTML

from app.assembly.sandbox import compile_template
from app.rendering.page_marks import signed_page_stamp
from app.signing.certificate_page import FONTS
from app.signing.overlay import draw_over_page

_STAMPS = """<!doctype html>
<html><head><meta charset="utf-8"><style>
{% for page in pages %}
@page p{{ loop.index }} { size: {{ page.width }}pt {{ page.height }}pt; margin: 0; }
{% endfor %}
body { margin: 0; font-family: {{ font|safe }}; }
section { height: 100%; break-after: page; }
p { margin: 0; padding-top: 5mm; text-align: center; font-size: 7.5pt; color: #14532d;
  letter-spacing: 0.02em; }
</style></head><body>
{% for page in pages %}
<section style="page: p{{ loop.index }}"><p>{{ page.text }}</p></section>
{% endfor %}
</body></html>
"""


def _page_sizes(writer: IncrementalPdfFileWriter) -> list[tuple[float, float]]:
    sizes = []
    for index in range(writer.root["/Pages"]["/Count"]):
        page = writer.find_page_for_modification(index)[0].get_object()
        left, bottom, right, top = (float(v) for v in _media_box(writer, index, page))
        sizes.append((round(right - left, 2), round(top - bottom, 2)))
    return sizes


def _media_box(
    writer: IncrementalPdfFileWriter, index: int, page: generic.DictionaryObject
) -> generic.ArrayObject:
    """A page's MediaBox, inherited from the page tree where the page has none."""
    node = page
    while "/MediaBox" not in node and "/Parent" in node:
        node = node["/Parent"].get_object()
    box = node.get("/MediaBox")
    if box is None:
        raise ValueError(f"page {index + 1} has no MediaBox")
    return box


def stamp_signed_pages(
    writer: IncrementalPdfFileWriter, *, reference: str, version: int, language: str
) -> None:
    """Write the signed-version line at the top of every page of the copy (the
    certificate's pages included), each with its number and the count of all pages."""
    sizes = _page_sizes(writer)
    html = compile_template(_STAMPS).render(
        font=FONTS.get(language, '"DejaVu Sans", "Noto Sans CJK SC", sans-serif'),
        pages=[
            {
                "width": width,
                "height": height,
                "text": signed_page_stamp(
                    reference, version, number, len(sizes), language=language
                ),
            }
            for number, (width, height) in enumerate(sizes, start=1)
        ],
    )
    drawn = HTML(string=html).write_pdf()
    assert drawn is not None
    stamps = PdfFileReader(io.BytesIO(drawn), strict=False)
    for index in range(len(sizes)):
        stamp = writer.import_page_as_xobject(stamps, page_ix=index)
        name = f"/SignedStamp{index + 1}"  # pages may share one resource dictionary
        draw_over_page(writer, index, stamp, name=name)


_LEVEL_A = re.compile(rb'(pdfaid:conformance(?:="|>))A(?=["<])')


def claim_level_b(writer: IncrementalPdfFileWriter, shown: bytes) -> None:
    """The signed copy claims PDF/A level B (visual appearance) where the shown document
    claimed level A (tagged): the certificate pages, the filled blocks and the signed-version
    lines added at signing are drawn, not tagged. The shown bytes are not touched; the
    update carries the new claim. The XMP is read from a reader of its own: pyHanko
    rewrites the writer's XMP when it writes, from what it read of it."""
    metadata = PdfFileReader(io.BytesIO(shown), strict=False).root.get("/Metadata")
    if metadata is None:
        return
    xmp = metadata.get_object().data
    level_b = _LEVEL_A.sub(rb"\1B", xmp)
    if level_b == xmp:
        return
    writer.root["/Metadata"] = writer.add_object(MetadataStream(stream_data=level_b))
    writer.update_root()
