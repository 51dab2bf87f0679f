"""HTML template + context -> PDF bytes, with WeasyPrint fetching only the package's files."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from jinja2 import TemplateError
from weasyprint import HTML, URLFetcher
from weasyprint.urls import URLFetcherResponse

from app.assembly.sandbox import compile_template
from app.errors import InvalidInput


class PackageAssetFetcher(URLFetcher):
    """Serves `file:` URLs inside one folder and `data:` URLs; refuses everything else."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, timeout=2)
        self.root = root.resolve()

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("file:"):
            path = Path(unquote(urlparse(url).path)).resolve()
            if not path.is_relative_to(self.root):
                raise ValueError(f"refused to read {url}: outside the template's own assets")
        return super().fetch(url, headers)


def render_html(template_source: str, context: dict[str, Any], *, name: str) -> str:
    try:
        return compile_template(template_source).render(**context)
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        where = f"{name}, line {line}" if line else name
        raise InvalidInput(f"template {where}: {exc}") from exc


def render_pdf(package_dir: Path, html_file: str, context: dict[str, Any]) -> bytes:
    source = (package_dir / html_file).read_text(encoding="utf-8")
    html = render_html(source, context, name=html_file)
    document = HTML(
        string=html,
        base_url=package_dir.resolve().as_uri() + "/",
        url_fetcher=PackageAssetFetcher(package_dir),
    )
    pdf = document.write_pdf()
    assert pdf is not None
    return pdf
