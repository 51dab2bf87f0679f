"""A PDF's text as poppler reads it: far faster than pypdf on documents of many pages."""

from __future__ import annotations

import re
import subprocess

_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>'
)


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text, laid out as on the page."""
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return text.split("\f")[:-1]


def words_on(pdf: bytes, page: int) -> list[tuple[str, float, float]]:
    """Each word of a page with where it starts and where its line's descent ends (the
    top pdftotext reports comes from each font file's ascent, which PDF writers embed
    differently)."""
    bbox = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [(word, float(x), float(y)) for x, y, word in _WORD.findall(bbox)]


_VERSION_MARK = re.compile(r" · v\d+ · [0-9a-f]{8}")


def without_version_marks(text: str) -> str:
    """A page's text without the version and fingerprint its margin names (see
    app/rendering/page_marks), for comparing what two versions say."""
    return _VERSION_MARK.sub("", text)
