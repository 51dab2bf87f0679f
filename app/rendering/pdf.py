"""HTML template + context -> PDF bytes, with WeasyPrint fetching only the package's files."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from jinja2 import Environment, FileSystemLoader, TemplateError, select_autoescape
from weasyprint import HTML, URLFetcher
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcherResponse

from app.assembly.sandbox import compile_template, template_problem
from app.errors import InvalidInput
from app.rendering.page_marks import PageMarks, with_marks


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
    package_dir: Path, html_file: str, context: dict[str, Any], marks: PageMarks | None = None
) -> bytes:
    source = (package_dir / html_file).read_text(encoding="utf-8")
    html = with_marks(render_html(source, context, name=html_file), marks)
    return pdf_from_html(package_dir, html_file, html)


def pdf_from_html(package_dir: Path, html_file: str, html: str) -> bytes:
    """A template's rendered HTML laid out in one piece, with the files of its package."""
    fetcher = PackageAssetFetcher(package_dir)
    document = HTML(string=html, base_url=package_dir.resolve().as_uri() + "/", url_fetcher=fetcher)
    pdf = document.write_pdf(font_config=fonts_for(package_dir))
    if fetcher.refused:
        raise InvalidInput(
            f"template {html_file} refers to {', '.join(sorted(set(fetcher.refused)))}; "
            "a template may use only the files in its own package"
        )
    assert pdf is not None
    return pdf


def render_own_pdf(
    folder: Path,
    template: str,
    context: dict[str, Any],
    *,
    filters: dict[str, Callable[..., str]] | None = None,
    marks: PageMarks | None = None,
) -> bytes:
    """A PDF in the service's own layout (not a legal template package): a Jinja template
    of ours, autoescaped, rendered by WeasyPrint, which may read the folder's files and
    `data:` URLs and nothing else (a refused URL is left out, as it is in no template of
    ours). With marks, every page carries them (see page_marks)."""
    env = Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(["html"]))
    env.filters.update(filters or {})
    html = HTML(
        string=with_marks(env.get_template(template).render(**context), marks),
        base_url=folder.resolve().as_uri() + "/",
        url_fetcher=PackageAssetFetcher(folder),
    )
    pdf = html.write_pdf(font_config=fonts_for(folder))
    assert pdf is not None
    return pdf
