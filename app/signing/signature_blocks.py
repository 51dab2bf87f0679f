"""Filling the signature blocks on the contract page (built-in signer).

The templates print invisible anchor strings in each block, the same that DocuSign places
its tabs on: `\\n1\\` (name), `\\t1\\` (position), `\\s1\\` (signature), `\\d1\\` (date) for the
first signer, and `\\e1\\` at the right end of the block's lines. They are found in the PDF the
signer was shown. The signed copy is that PDF unchanged, then one incremental update that
adds the audit certificate and writes each signer's name, position and date of signing (UTC)
on their block's lines, then each signer's PAdES signature in a visible field over their
block's signature line, whose appearance is the signature they typed.
"""

from __future__ import annotations

import binascii
import io
import math
import uuid
from dataclasses import dataclass, replace
from datetime import UTC
from typing import Protocol

import pypdfium2 as pdfium
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.content import PdfContent
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign.fields import SigFieldSpec
from pyhanko.stamp import StaticStampStyle
from weasyprint import HTML

from app.assembly.sandbox import compile_template
from app.signing.certificate_page import (
    FONTS,
    Certificate,
    SignatureEvent,
    add_certificate_pages,
)
from app.signing.overlay import draw_over_page
from app.signing.pdf_signature import VisibleField
from app.signing.signed_stamp import claim_level_b, stamp_signed_pages

MAX_BLOCKS = 9
AS_DRAWN = layout.SimpleBoxLayoutRule(
    x_align=layout.AxisAlignment.ALIGN_MIN,
    y_align=layout.AxisAlignment.ALIGN_MIN,
    margins=layout.Margins.uniform(0),
    inner_content_scaling=layout.InnerScaling.NO_SCALING,
)
"""The appearance is drawn to the field's size: placed as it is, not shrunk into margins."""
LINE_RISE = 2.0
"""Points between a line of the block and the bottom of the text written on it."""
ABOVE_LINE = 22.0
"""Points above a line that what is written on it may take."""


Box = tuple[float, float, float, float]
"""left, bottom, right, top in PDF points."""


@dataclass(frozen=True)
class BlockPlace:
    """Where one signer's block is: its page (from 0), the box of its lines and the height
    of each line (by anchor letter: n, t, s, d)."""

    page: int
    box: Box
    lines: dict[str, float]

    def line_box(self, kind: str) -> tuple[int, int, int, int]:
        """The box over one line, in whole points: what is written on it goes there."""
        left, _, right, _ = self.box
        y = self.lines[kind]
        return (
            math.floor(left),
            math.floor(y - LINE_RISE - 1),
            math.ceil(right),
            math.ceil(y + ABOVE_LINE),
        )


def _anchor(page: pdfium.PdfTextPage, text: str) -> tuple[float, float, float, float] | None:
    hit = page.search(text, match_case=True).get_next()
    if hit is None:
        return None
    first, count = hit
    left, bottom, _, _ = page.get_charbox(first)
    _, _, right, top = page.get_charbox(first + count - 1)
    return left, bottom, right, top


def find_blocks(pdf: bytes) -> dict[int, BlockPlace]:
    """The signature blocks in a PDF by signer number (1 for `\\s1\\`)."""
    found: dict[int, BlockPlace] = {}
    document = pdfium.PdfDocument(pdf)
    try:
        for index in range(len(document)):
            text = document[index].get_textpage()
            for n in range(1, MAX_BLOCKS + 1):
                if n in found:
                    continue
                anchors = {kind: _anchor(text, f"\\{kind}{n}\\") for kind in "ntsde"}
                name, signature, date = anchors["n"], anchors["s"], anchors["d"]
                if name is None or signature is None or date is None:
                    continue
                end = anchors["e"]
                right = end[2] if end else name[0] + 120
                lines = {kind: a[1] for kind, a in anchors.items() if a and kind != "e"}
                box = (name[0] - 1, date[1] - 3, right, name[3] + ABOVE_LINE)
                found[n] = BlockPlace(page=index, box=box, lines=lines)
    finally:
        document.close()
    return found


_FILLED = """<!doctype html>
<html><head><meta charset="utf-8"><style>
@page { size: {{ width }}pt {{ height }}pt; margin: 0; }
body { margin: 0; font-family: {{ font|safe }}; color: #111827; }
div { position: absolute; left: 1pt; right: 0; white-space: nowrap; overflow: hidden;
  font-size: 9pt; line-height: 1.2; }
div.signature { font-family: "DejaVu Serif", {{ font|safe }}; font-style: italic; font-size: 13pt;
  color: #1e3a8a; }
</style></head><body>
{% for line in lines %}
<div class="{{ line.kind }}" style="bottom: {{ line.bottom }}pt">{{ line.text }}</div>
{% endfor %}
</body></html>
"""


def _drawing(box: Box, lines: list[tuple[str, str, float]], language: str) -> bytes:
    """A one-page PDF the size of the box with each (kind, text, line height) written on
    its line."""
    left, bottom, right, top = box
    html = compile_template(_FILLED).render(
        width=round(right - left, 2),
        height=round(top - bottom, 2),
        font=FONTS.get(language, '"DejaVu Sans", "Noto Sans CJK SC", sans-serif'),
        lines=[
            {"kind": kind, "text": text, "bottom": round(y - bottom + LINE_RISE, 2)}
            for kind, text, y in lines
            if text
        ],
    )
    pdf = HTML(string=html).write_pdf()
    assert pdf is not None
    return pdf


def _facts(place: BlockPlace, signer: SignatureEvent) -> list[tuple[str, str, float]]:
    values = {
        "n": signer.name,
        "t": signer.title,
        "d": signer.signed_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    return [(kind, text, place.lines[kind]) for kind, text in values.items() if kind in place.lines]


def write_block_lines(
    writer: IncrementalPdfFileWriter,
    places: dict[int, BlockPlace],
    signers: list[SignatureEvent],
    *,
    language: str,
) -> None:
    """Write each signer's name, position and date of signing on their block's lines, as
    text in the page's content (so that it is read with the page)."""
    for number, signer in enumerate(signers, start=1):
        place = places.get(number)
        if place is None:
            continue
        drawing_pdf = _drawing(place.box, _facts(place, signer), language)
        drawing = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(drawing_pdf)))
        left, bottom, _, _ = place.box
        draw_over_page(
            writer, place.page, drawing, name=f"/ContractDeskBlock{number}", at=(left, bottom)
        )


class _PdfPage(PdfContent):
    """The first page of a PDF held in memory, drawn as the field's appearance."""

    def __init__(self, pdf: bytes) -> None:
        self.pdf = pdf
        super().__init__()

    def render(self) -> bytes:
        writer: BasePdfFileWriter = self._ensure_writer
        drawing = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self.pdf)), page_ix=0)
        name = b"/Block" + binascii.hexlify(uuid.uuid4().bytes)
        self.resources.xobject[name.decode("ascii")] = drawing
        x1, y1, x2, y2 = drawing.get_object()["/BBox"]
        self.box = BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return name + b" Do"


def field_name(number: int) -> str:
    return f"ContractDeskSigner{number}"


class Sign(Protocol):
    """Signs a PDF, into the visible field given or invisibly; the signature that closes
    the file is the last (long_term.seal adds the validation data and a document
    timestamp to it)."""

    def __call__(self, pdf: bytes, *, visible: VisibleField | None, close: bool) -> bytes: ...


def sign_blocks(
    pdf: bytes,
    places: dict[int, BlockPlace],
    signers: list[SignatureEvent],
    *,
    sign: Sign,
    language: str,
) -> bytes:
    """Sign once for each signer, in order, into a visible field over their block's
    signature line showing what they typed; a document without blocks gets one invisible
    seal."""
    fields = []
    for number, signer in enumerate(signers, start=1):
        place = places.get(number)
        if place is None or "s" not in place.lines:
            continue
        box = place.line_box("s")
        typed = [("signature", signer.typed_name or signer.name, place.lines["s"])]
        fields.append(
            VisibleField(
                spec=SigFieldSpec(field_name(number), on_page=place.page, box=box),
                appearance=StaticStampStyle(
                    background=_PdfPage(_drawing(box, typed, language)),
                    border_width=0,
                    background_layout=AS_DRAWN,
                ),
            )
        )
    if not fields:
        return sign(pdf, visible=None, close=True)
    signed = pdf
    for position, visible in enumerate(fields, start=1):
        signed = sign(signed, visible=visible, close=position == len(fields))
    return signed


def _titled(certificate: Certificate, writer: IncrementalPdfFileWriter) -> Certificate:
    """The certificate with the document's own title, in its language ("许可协议" rather
    than the template's name), when the shown PDF has one."""
    info = writer.prev.trailer_view.get("/Info")
    title = str(info.get_object().get("/Title", "")) if info is not None else ""
    title = title.removesuffix(certificate.document_number).strip()
    return replace(certificate, document_title=title) if title else certificate


def signed_copy(shown: bytes, certificate: Certificate, *, sign: Sign) -> bytes:
    """The signed copy: the shown bytes unchanged, an incremental update with the audit
    certificate, the filled blocks and the signed-version line on every page, then the
    signatures."""
    places = find_blocks(shown)
    writer = IncrementalPdfFileWriter(io.BytesIO(shown), strict=False)
    add_certificate_pages(writer, _titled(certificate, writer))
    write_block_lines(writer, places, certificate.signers, language=certificate.language)
    stamp_signed_pages(
        writer,
        reference=certificate.document_number,
        version=certificate.document_version,
        language=certificate.language,
    )
    claim_level_b(writer, shown)
    updated = io.BytesIO()
    writer.write(updated)
    return sign_blocks(
        updated.getvalue(), places, certificate.signers, sign=sign, language=certificate.language
    )
