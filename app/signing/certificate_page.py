"""The audit certificate the built-in signer adds to a signed copy, in the document's language.

It is added by an incremental update: the bytes the signers were shown stay the first bytes
of the signed file, unchanged, with their title, language and XMP metadata, and the
certificate's pages follow in the update that the signatures then cover.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from weasyprint import HTML, URLFetcher
from weasyprint.urls import URLFetcherResponse

from app.assembly.sandbox import compile_template
from app.signing.certificate_labels import labels_for


@dataclass(frozen=True)
class SignatureEvent:
    """One signer's act of signing, as the certificate and the signature block show it,
    with when and from where they first opened the document."""

    name: str
    email: str
    signed_at: datetime
    ip_address: str
    user_agent: str
    opened_at: datetime | None = None
    opened_ip: str = ""
    opened_user_agent: str = ""
    typed_name: str = ""
    """What the signer typed as their signature."""
    title: str = ""
    """The signer's position."""


class _NoFetching(URLFetcher):
    """The certificate is self-contained: any URL in it is refused."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        raise ValueError(f"the audit certificate fetches nothing ({url})")


FONTS = {
    "zh": '"Noto Sans CJK SC", "DejaVu Sans", sans-serif',
}
"""Chinese needs a CJK font; the others are set in DejaVu Sans."""

_PAGE = """<!doctype html>
<html lang="{{ language }}"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 20mm 18mm;
  @bottom-left { content: string(doc-number) " · {{ t.footer }}";
    font: 8pt {{ font|safe }}; color: #666; }
  @bottom-right { content: string(seller); font: 8pt {{ font|safe }}; color: #666; } }
.doc-number { string-set: doc-number content(); }
.seller { string-set: seller content(); }
body { font-family: {{ font|safe }}; font-size: 9.5pt; color: #1d2330; }
h1 { font-size: 16pt; margin: 0 0 4mm; }
h2 { font-size: 11.5pt; margin: 5mm 0 2mm; }
.meta p { margin: 0 0 2mm; }
.hash { font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; word-break: break-all; }
.covers { font-size: 8.5pt; color: #333; }
.signer { border: 0.4pt solid #b9c0cc; padding: 3mm 4mm; margin: 0 0 3mm;
  break-inside: avoid; }
.signer h3 { font-size: 10.5pt; margin: 0 0 1.5mm; }
table.facts { border-collapse: collapse; width: 100%; }
table.facts th { text-align: left; font-weight: normal; color: #555; width: 34mm;
  padding: 0.6mm 0; vertical-align: top; }
table.facts td { padding: 0.6mm 0; overflow-wrap: anywhere; }
.consent { margin: 1.5mm 0 0; font-size: 8.5pt; color: #333; }
table.events { width: 100%; border-collapse: collapse; font-size: 8pt; margin-bottom: 4mm; }
table.events th { text-align: left; border-bottom: 0.8pt solid #1d2330; padding: 1mm 1.5mm; }
table.events td { border-bottom: 0.4pt solid #b9c0cc; padding: 1.2mm 1.5mm; vertical-align: top; }
table.events td.agent { font-size: 7pt; color: #444; overflow-wrap: anywhere; }
table.events td.when { white-space: nowrap; }
.sealed { font-size: 8.5pt; color: #333; }
</style></head><body>
<h1>{{ t.heading }}</h1>
<div class="meta">
  <p>{{ title }} <span class="doc-number">{{ number }}</span>, {{ t.issued_by }}
  <span class="seller">{{ seller }}</span>.</p>
  <p>{{ shown }}<br><span class="hash">{{ sha256 }}</span></p>
  <p class="covers">{{ covers }}</p>
</div>
<h2>{{ t.signers }}</h2>
{% for s in signers %}
<div class="signer">
  <h3>{{ s.name }}</h3>
  <table class="facts">
    <tr><th>{{ t.name }}</th><td>{{ s.name }}</td></tr>
    {% if s.title %}<tr><th>{{ t.position }}</th><td>{{ s.title }}</td></tr>{% endif %}
    <tr><th>{{ t.email }}</th><td>{{ s.email }}</td></tr>
    {% if s.opened_at %}<tr><th>{{ t.opened_at }}</th><td>{{ s.opened_at }}</td></tr>{% endif %}
    <tr><th>{{ t.signed_at }}</th><td>{{ s.signed_at }}</td></tr>
    <tr><th>{{ t.signed_from }}</th><td>{{ s.ip_address }} · {{ s.user_agent }}</td></tr>
    <tr><th>{{ t.typed }}</th><td>{{ s.typed }}</td></tr>
  </table>
  <p class="consent">{{ s.consent }}</p>
</div>
{% endfor %}
<table class="events">
  <thead><tr><th>{{ t.time }}</th><th>{{ t.event }}</th><th>{{ t.by }}</th>
    <th>{{ t.ip }}</th><th>{{ t.browser }}</th></tr></thead>
  <tbody>
  {% for e in events %}
  <tr><td class="when">{{ e.at }}</td><td>{{ e.what }}</td><td>{{ e.who }}</td>
    <td class="when">{{ e.ip_address }}</td><td class="agent">{{ e.user_agent }}</td></tr>
  {% endfor %}
  </tbody>
</table>
<p class="sealed">{{ sealed }}</p>
</body></html>
"""


def utc(moment: datetime) -> str:
    """A moment as the certificate and the signature blocks write it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@dataclass(frozen=True)
class Certificate:
    document_number: str
    document_title: str
    shown_sha256: str
    shown_size: int
    signers: list[SignatureEvent]
    seller_name: str
    sent_by: str = ""
    sent_at: datetime | None = None
    language: str = "en"
    document_version: int = 1


def certificate_pdf(c: Certificate) -> bytes:
    """The certificate on its own: the shown document's hash and size and what the signature
    covers, every signer with their facts and consent, then every event in order."""
    t = labels_for(c.language)
    events = []
    if c.sent_at is not None:
        events.append((c.sent_at, t["sent"], c.sent_by, "", ""))
    for s in c.signers:
        who = f"{s.name} <{s.email}>"
        if s.opened_at is not None:
            events.append((s.opened_at, t["opened"], who, s.opened_ip, s.opened_user_agent))
        events.append((s.signed_at, t["signed"], who, s.ip_address, s.user_agent))
    html = compile_template(_PAGE).render(
        t=t,
        language=c.language,
        font=FONTS.get(c.language, '"DejaVu Sans", sans-serif'),
        shown=t["shown"].format(size=c.shown_size),
        covers=t["covers"].format(size=c.shown_size),
        sealed=t["sealed"].format(seller=c.seller_name),
        number=c.document_number,
        title=c.document_title,
        seller=c.seller_name,
        sha256=c.shown_sha256,
        signers=[
            {
                "name": s.name,
                "title": s.title,
                "email": s.email,
                "opened_at": utc(s.opened_at) if s.opened_at else "",
                "signed_at": utc(s.signed_at),
                "ip_address": s.ip_address,
                "user_agent": s.user_agent,
                "typed": s.typed_name or s.name,
                "consent": t["consented"].format(
                    name=s.name, consent=t["consent_text"], typed=s.typed_name or s.name
                ),
            }
            for s in c.signers
        ],
        events=[
            {"at": utc(at), "what": what, "who": who, "ip_address": ip, "user_agent": agent}
            for at, what, who, ip, agent in sorted(events, key=lambda e: e[0])
        ],
    )
    page = HTML(string=html, url_fetcher=_NoFetching()).write_pdf()
    assert page is not None
    return page


def add_certificate_pages(writer: IncrementalPdfFileWriter, certificate: Certificate) -> None:
    """Add the certificate's pages to an incremental update of the shown PDF, each drawn
    from the rendered certificate as a form XObject."""
    pages = PdfFileReader(io.BytesIO(certificate_pdf(certificate)), strict=False)
    for index in range(int(pages.root["/Pages"]["/Count"])):
        drawing = writer.import_page_as_xobject(pages, page_ix=index)
        content = writer.add_object(generic.StreamObject(stream_data=b"q /Certificate Do Q"))
        writer.insert_page(
            generic.DictionaryObject(
                {
                    pdf_name("/Type"): pdf_name("/Page"),
                    pdf_name("/MediaBox"): drawing.get_object()["/BBox"],
                    pdf_name("/Resources"): generic.DictionaryObject(
                        {
                            pdf_name("/XObject"): generic.DictionaryObject(
                                {pdf_name("/Certificate"): drawing}
                            )
                        }
                    ),
                    pdf_name("/Contents"): content,
                }
            )
        )
