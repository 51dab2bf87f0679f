"""Data printed into Markdown stays data: a customer's name, notes or PO number in a
clause is shown as written, never read as a link, an image, emphasis or a heading."""

from __future__ import annotations

import re

_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_LINE_BREAK = re.compile(r"\r\n?|\n")


def markdown_literal(text: str) -> str:
    """`text` escaped so that CommonMark renders exactly these characters: every ASCII
    punctuation character gets a backslash (CommonMark allows one before any of them),
    and a line break becomes a hard break, so that no line of the value starts a heading,
    list or quote of its own."""
    return _LINE_BREAK.sub("\\\\\n", _ASCII_PUNCTUATION.sub(r"\\\1", text))
