"""Renders keep the fonts of a template package between documents (a fresh font setup
costs a sixth of a quote's render), but one template's @font-face never reaches
another's documents, and the same template gets its own face every time."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from app.rendering.pdf import pdf_from_html

BRAND_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")
PAGE = '<html><head><link rel="stylesheet" href="look.css"></head><body><p>{}</p></body></html>'


def _package(folder: Path, css: str, *, with_font: bool) -> Path:
    folder.mkdir()
    (folder / "look.css").write_text(css)
    if with_font:
        shutil.copy(BRAND_FONT, folder / "brand.ttf")
    return folder


def _font_names(pdf: bytes) -> set[str]:
    listing = subprocess.run(
        ["pdffonts", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return {line.split()[0].split("+")[-1] for line in listing.splitlines()[2:]}


def test_a_template_font_face_stays_with_its_template(tmp_path: Path) -> None:
    branded = _package(
        tmp_path / "branded",
        '@font-face { font-family: "Brand"; src: url(brand.ttf); }\n'
        'p { font-family: "Brand", "DejaVu Serif"; }',
        with_font=True,
    )
    plain = _package(
        tmp_path / "plain", 'p { font-family: "Brand", "DejaVu Serif"; }', with_font=False
    )

    for _ in range(2):
        assert _font_names(pdf_from_html(branded, "page.html", PAGE.format("Brand"))) == {"Brand"}
        assert _font_names(pdf_from_html(plain, "page.html", PAGE.format("Plain"))) == {
            "DejaVu-Serif"
        }
