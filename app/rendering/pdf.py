"""HTML template + context -> PDF bytes, with WeasyPrint fetching only the package's files."""

from __future__ import annotations

import gc
import hashlib
import io
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from jinja2 import Environment, FileSystemLoader, TemplateError, select_autoescape
from weasyprint import HTML, Attachment, URLFetcher
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcherResponse

from app.assembly.sandbox import compile_template, template_problem
from app.errors import InvalidInput
from app.rendering.page_marks import PageMarks, with_marks

ARCHIVAL_VARIANT = "pdf/a-3b"
"""Every PDF we make is PDF/A-3 (ISO 19005-3): fonts embedded, an sRGB output intent, XMP
metadata, and room for the contract's data as an associated file. Level B (visual
appearance) for a document joined from parts (a long schedule, see long_grid_pdf): pypdf
cannot merge the parts' structure trees."""

TAGGED_VARIANT = "pdf/a-3a"
"""Level A for a document laid out in one piece: WeasyPrint tags it (a structure tree of
headings, paragraphs, lists and tables, in reading order) for screen readers."""

CONTRACT_DATA_NAME = "contract.json"


@dataclass(frozen=True)
class Archival:
    """What pins a stored document's PDF to its version, so that it renders again byte for
    byte: the version's creation time (the PDF's creation and modification dates, never
    the time of the render) and the contract's data, embedded as `contract.json`."""

    made_at: datetime
    data: bytes | None = None


def lay_out(html: HTML, *, tagged: bool = False, **options: Any) -> Document:
    """WeasyPrint's layout for a PDF/A: the variant chooses the output intent here already."""
    variant = TAGGED_VARIANT if tagged else ARCHIVAL_VARIANT
    return html.render(pdf_variant=variant, pdf_tags=tagged, **options)


def write_archival(
    document: Document, archival: Archival | None = None, *, tagged: bool = False
) -> bytes:
    """A laid-out document as PDF/A-3 (level A when `tagged`, else B), dated and carrying
    the data when `archival` says so.
    Without it the PDF has no dates at all (still the same bytes on every render); WeasyPrint
    takes the title from <title> and the language from <html lang>; /ID is derived from
    the content."""
    attachments = []
    if archival is not None:
        stamp = archival.made_at.astimezone(UTC).replace(microsecond=0)
        document.metadata.created = document.metadata.modified = stamp.strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
        if archival.data is not None:
            attachments.append(
                Attachment(
                    file_obj=io.BytesIO(archival.data),
                    name=CONTRACT_DATA_NAME,
                    description="The contract's data (parties, term, lines, totals, clauses)",
                    created=stamp,
                    modified=stamp,
                    relationship="Data",
                )
            )
    variant = TAGGED_VARIANT if tagged else ARCHIVAL_VARIANT
    # pdf_tags given: WeasyPrint's variants set only the options left None, and it is False.
    # pdf_identifier False: the file identifier is added after (see with_identifier).
    pdf = document.write_pdf(
        pdf_variant=variant, pdf_tags=tagged, pdf_identifier=False, attachments=attachments
    )
    assert pdf is not None
    return with_identifier(pdf)


_XREF_STREAM = re.compile(rb"\d+ 0 obj\n<</Type /XRef/")


def with_identifier(pdf: bytes) -> bytes:
    """The PDF with the file identifier a PDF/A needs (/ID in the trailer): the MD5 of the
    file as written, so derived from its content and the same on every render.

    WeasyPrint's own identifier (pdf_identifier=True) has pydyf serialise every object a
    second time, compressing every stream again, to hash them, a pass that grows with the
    tags' structure tree (an element for every table cell and every run of text): 51 ms of
    the bench licence's tagged write, against 74 ms for the tags themselves (bench.pdfa).
    Here the identifier goes into the dictionary of the
    cross-reference stream, the last object, which startxref points at: nothing after
    the insertion is referred to by an offset."""
    tail = pdf.rindex(b"startxref")
    xref_at = int(pdf[tail + len(b"startxref") :].split()[0])
    found = _XREF_STREAM.match(pdf, xref_at)
    if found is None:
        raise RuntimeError("the PDF does not end in a cross-reference stream as pydyf writes it")
    digest = hashlib.md5(pdf, usedforsecurity=False).hexdigest().upper().encode()
    at = found.end() - len(b"/Type /XRef/")
    return pdf[:at] + b"/ID [<" + digest + b"> <" + digest + b">]" + pdf[at:]


class PackageAssetFetcher(URLFetcher):
    """Serves `file:` URLs inside one folder and `data:` URLs; refuses everything else,
    and remembers what it refused so that the render fails instead of quietly leaving a
    picture or a style out."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, timeout=2)
        self.root = root.resolve()
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        scheme = urlparse(url).scheme
        if scheme == "file":
            path = Path(unquote(urlparse(url).path)).resolve()
            if not path.is_relative_to(self.root):
                self._refuse(url)
        elif scheme != "data":
            self._refuse(url)
        return super().fetch(url, headers)

    def _refuse(self, url: str) -> None:
        self.refused.append(url)
        raise ValueError(f"refused to fetch {url}: a template uses only its own files")


@contextmanager
def collector_paused() -> Iterator[None]:
    """The garbage collector off while a document is made, and its young objects walked
    once after.

    Left on, it walks WeasyPrint's boxes over and over while WeasyPrint makes them, and
    every object that was there before: a quarter of the time of a long list. Off, it walks
    the young objects only where asked (long_grid_pdf asks between chunks, so that chunks
    of a long list take turns in memory) and once at the end, for the document's garbage;
    it never walks the objects from before, in the oldest generation or frozen by the web
    process (the switch is process-wide: a render in another thread only makes it do
    less, and a pause inside another leaves the switch to the outer one)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(1)


FONT_CONFIGURATIONS_PER_THREAD = 4
_fonts = threading.local()


def fonts_for(folder: Path) -> FontConfiguration:
    """The fonts of the documents laid out from a folder of templates, kept between renders.

    WeasyPrint makes a FontConfiguration for each document unless given one: fontconfig's
    setup and a Pango font map whose fonts are loaded again, a sixth of a quote's render.
    One per folder (a template version's package), so that no template's @font-face
    reaches another's documents; and per thread, for Pango's font maps are not to be
    shared between threads. Each thread keeps the last few."""
    kept: OrderedDict[Path, FontConfiguration] | None = getattr(_fonts, "kept", None)
    if kept is None:
        kept = _fonts.kept = OrderedDict()
    key = folder.resolve()
    if key in kept:
        kept.move_to_end(key)
    else:
        kept[key] = FontConfiguration()
        while len(kept) > FONT_CONFIGURATIONS_PER_THREAD:
            kept.popitem(last=False)
    return kept[key]


def render_html(template_source: str, context: dict[str, Any], *, name: str) -> str:
    try:
        return compile_template(template_source).render(**context)
    except TemplateError as exc:
        raise template_problem(exc, name) from exc


def render_pdf(
    package_dir: Path,
    html_file: str,
    context: dict[str, Any],
    marks: PageMarks | None = None,
    archival: Archival | None = None,
) -> bytes:
    source = (package_dir / html_file).read_text(encoding="utf-8")
    html = with_marks(render_html(source, context, name=html_file), marks)
    return pdf_from_html(package_dir, html_file, html, archival)


def pdf_from_html(
    package_dir: Path, html_file: str, html: str, archival: Archival | None = None
) -> bytes:
    """A template's rendered HTML laid out in one piece, with the files of its package."""
    fetcher = PackageAssetFetcher(package_dir)
    fonts = fonts_for(package_dir)
    with collector_paused():
        document = lay_out(
            HTML(string=html, base_url=package_dir.resolve().as_uri() + "/", url_fetcher=fetcher),
            tagged=True,
            font_config=fonts,
        )
        pdf = write_archival(document, archival, tagged=True)
        del document
    if fetcher.refused:
        raise InvalidInput(
            f"template {html_file} refers to {', '.join(sorted(set(fetcher.refused)))}; "
            "a template may use only the files in its own package"
        )
    return pdf


def render_own_pdf(
    folder: Path,
    template: str,
    context: dict[str, Any],
    *,
    filters: dict[str, Callable[..., str]] | None = None,
    marks: PageMarks | None = None,
    archival: Archival | None = None,
) -> bytes:
    """A PDF in the service's own layout (not a legal template package): a Jinja template
    of ours, autoescaped, rendered by WeasyPrint, which may read the folder's files and
    `data:` URLs and nothing else (a refused URL is left out, as it is in no template of
    ours). With marks, every page carries them (see page_marks)."""
    env = Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(["html"]))
    env.filters.update(filters or {})
    fonts = fonts_for(folder)
    document = lay_out(
        HTML(
            string=with_marks(env.get_template(template).render(**context), marks),
            base_url=folder.resolve().as_uri() + "/",
            url_fetcher=PackageAssetFetcher(folder),
        ),
        tagged=True,
        font_config=fonts,
    )
    return write_archival(document, archival, tagged=True)
