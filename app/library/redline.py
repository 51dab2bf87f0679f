"""Word-level redline of one clause text against another. Pure: two strings in, changes out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from html import escape

# Words, runs of white space and single punctuation marks; CJK text has no spaces
# between words, so each ideograph is a token of its own.
_CJK = "\u3400-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+|\s+|[^\w\s]")


@dataclass(frozen=True)
class Change:
    op: str  # "equal", "insert" or "delete"
    text: str


@dataclass(frozen=True)
class Redline:
    changes: tuple[Change, ...]

    @property
    def insertions(self) -> int:
        return sum(1 for c in self.changes if c.op == "insert")

    @property
    def deletions(self) -> int:
        return sum(1 for c in self.changes if c.op == "delete")

    def html(self) -> str:
        """Escaped text with `<ins>` and `<del>` around what changed."""
        parts = []
        for change in self.changes:
            text = escape(change.text)
            if change.op == "insert":
                parts.append(f"<ins>{text}</ins>")
            elif change.op == "delete":
                parts.append(f"<del>{text}</del>")
            else:
                parts.append(text)
        return "".join(parts)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def redline(old: str, new: str) -> Redline:
    before, after = tokens(old), tokens(new)
    matcher = SequenceMatcher(a=before, b=after, autojunk=False)
    changes: list[Change] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            changes.append(Change("equal", "".join(before[i1:i2])))
            continue
        if tag in {"delete", "replace"}:
            changes.append(Change("delete", "".join(before[i1:i2])))
        if tag in {"insert", "replace"}:
            changes.append(Change("insert", "".join(after[j1:j2])))
    return Redline(tuple(changes))
