"""What identifies every page of a generated PDF: the document's reference, its version,
"page N of M" in the document's language and a short fingerprint of the version; a DRAFT
mark on the pages of a version not yet approved; and the stamp of a signed copy's pages.

The marks are the service's, not a template's: they are added to the rendered HTML as a
style of their own (page margin boxes and a fixed watermark), after the template's styles,
so that an uploaded template cannot leave them out and every template gets the same ones.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

FINGERPRINT_CHARS = 8
"""The hex characters of the SHA-256 printed on each page."""

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "page": "Page {n} of {m}",
        "draft": "DRAFT",
        "draft_note": "DRAFT · not approved",
        "signed": "Signed version — {reference} v{version} — page {n} of {m}",
        "as_amended": "as amended ({count})",
    },
    "nl": {
        "page": "Pagina {n} van {m}",
        "draft": "CONCEPT",
        "draft_note": "CONCEPT · niet goedgekeurd",
        "signed": "Ondertekende versie — {reference} v{version} — pagina {n} van {m}",
        "as_amended": "zoals gewijzigd ({count})",
    },
    "zh": {
        "page": "第 {n} 页，共 {m} 页",
        "draft": "草稿",
        "draft_note": "草稿 · 未经批准",
        "signed": "签署版本 — {reference} v{version} — 第 {n} 页，共 {m} 页",
        "as_amended": "经修订 ({count})",
    },
}

_FONT = '"DejaVu Sans", "Noto Sans CJK SC", sans-serif'
WATERMARK = "body::after"
"""The element the DRAFT watermark is drawn by (fixed: WeasyPrint repeats it on every page)."""


def labels_for(language: str) -> dict[str, str]:
    return LABELS.get(language, LABELS["en"])


def version_digest(pinned: Mapping[str, Any]) -> str:
    """The SHA-256 (hex) of a version's pinned inputs written as canonical JSON: keys
    sorted, no spaces, UTF-8; dates, decimals and ids as their strings."""
    canonical = json.dumps(
        pinned, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class PageMarks:
    """The marks of one version of one document."""

    reference: str
    version: int | str
    """A stored version's number, or a label for a document made on request."""
    digest: str
    """The version's SHA-256 (see version_digest); its first characters are printed."""
    language: str
    draft: bool

    @property
    def fingerprint(self) -> str:
        return self.digest[:FINGERPRINT_CHARS]

    @property
    def identity(self) -> str:
        """The identification line: reference · version · fingerprint."""
        version = f"v{self.version}" if isinstance(self.version, int) else self.version
        return f"{self.reference} · {version} · {self.fingerprint}"

    def css(self) -> str:
        label = labels_for(self.language)
        box = f"font: 7.5pt {_FONT}; color: #4b5563;"
        rules = [
            f"@bottom-left {{ content: {_css_string(self.identity)}; {box} }}",
            f"@bottom-right {{ content: {_page_content(label['page'])}; {box} }}",
        ]
        if self.draft:
            rules.append(
                f"@top-center {{ content: {_css_string(label['draft_note'])}; "
                f"font: bold 9pt {_FONT}; color: #b42318; }}"
            )
        css = "@page { " + " ".join(rules) + " }"
        if self.draft:
            css += (
                f" {WATERMARK} {{ content: {_css_string(label['draft'])}; position: fixed; "
                "top: 38%; left: 0; right: 0; text-align: center; "
                f"font: bold 90pt {_FONT}; color: rgba(180, 35, 24, 0.13); "
                "transform: rotate(-35deg); }"
            )
        return css


def with_marks(html: str, marks: PageMarks | None) -> str:
    """The rendered HTML with the marks' style as the last one of its head (so that it
    wins over the template's margin boxes); unchanged without marks."""
    if marks is None:
        return html
    style = f'<style data-contractdesk="page-marks">{marks.css()}</style>'
    match = re.search(r"</head\s*>", html, flags=re.IGNORECASE)
    if match is None:
        return style + html
    return html[: match.start()] + style + html[match.start() :]


def signed_page_stamp(
    reference: str, version: int | str, page: int, pages: int, *, language: str
) -> str:
    """The text a signed copy carries on each page (for the signing code to draw), e.g.
    "Signed version — LIC-2026-000001 v3 — page 2 of 7", in the document's language."""
    return labels_for(language)["signed"].format(
        reference=reference, version=version, n=page, m=pages
    )


def _css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return f'"{escaped}"'


def _page_content(template: str) -> str:
    """A label such as "Page {n} of {m}" as CSS content with the page counters."""
    parts = []
    for piece in re.split(r"(\{n\}|\{m\})", template):
        if piece == "{n}":
            parts.append("counter(page)")
        elif piece == "{m}":
            parts.append("counter(pages)")
        elif piece:
            parts.append(_css_string(piece))
    return " ".join(parts)
