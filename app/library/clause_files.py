"""The clause library as files: one Markdown file per clause, so legal can keep it in git.

A file is a YAML front matter block naming the clause, then one section per variant,
each opened by a marker line of `name: value` pairs::

    ---
    key: limitation-of-liability
    ---

    === language: en | title: Limitation of liability
    Neither party's total liability ...

    === language: en | position: fallback-1 | title: Limitation of liability
    ...

    === language: nl | jurisdiction: netherlands | title: Beperking van aansprakelijkheid
    ...

`language` and `title` are required; `jurisdiction` is absent for text that holds under
any law; `position` is `preferred` unless it names a playbook fallback (`fallback-1`, …).
`write_clause_file` writes the canonical form, so reading then writing a canonical file
gives back the same bytes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from app.errors import InvalidInput

PREFERRED = "preferred"
LANGUAGES = ("en", "nl", "zh")
KEY_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
POSITION_PATTERN = re.compile(r"^(preferred|fallback-[1-9])$")
_MARKER = "=== "
_MARKER_FIELDS = ("language", "jurisdiction", "position", "title")


@dataclass(frozen=True, order=True)
class VariantKey:
    """Which text of a clause: the language, the law it is written for, the playbook
    position. An empty jurisdiction means the text holds under any law."""

    language: str
    jurisdiction: str = ""
    position: str = PREFERRED

    def describe(self) -> str:
        parts = [self.language]
        if self.jurisdiction:
            parts.append(self.jurisdiction)
        if self.position != PREFERRED:
            parts.append(self.position)
        return " / ".join(parts)

    @property
    def sort_key(self) -> tuple[str, str, int, str]:
        return (self.language, self.jurisdiction, self.position != PREFERRED, self.position)


@dataclass(frozen=True)
class ClauseVariant:
    variant: VariantKey
    title: str
    body: str

    @property
    def sha256(self) -> str:
        return text_sha256(self.title, self.body)


@dataclass(frozen=True)
class ClauseFile:
    key: str
    variants: tuple[ClauseVariant, ...]


def text_sha256(title: str, body: str) -> str:
    """The identity of a clause text: its title and body, nothing else."""
    return hashlib.sha256(title.encode() + b"\0" + body.encode()).hexdigest()


def _problem(path: Path | str, line: int, message: str) -> InvalidInput:
    return InvalidInput(f"{path}, line {line}: {message}")


def _marker(path: Path | str, number: int, line: str) -> tuple[VariantKey, str]:
    fields: dict[str, str] = {}
    for part in line[len(_MARKER) :].split(" | "):
        name, sep, value = part.partition(":")
        name, value = name.strip(), value.strip()
        if not sep or name not in _MARKER_FIELDS or not value:
            raise _problem(
                path, number, f"expected 'name: value' with a name from {_MARKER_FIELDS}"
            )
        if name in fields:
            raise _problem(path, number, f"{name!r} is given twice")
        fields[name] = value
    for required in ("language", "title"):
        if required not in fields:
            raise _problem(path, number, f"the variant has no {required}")
    if fields["language"] not in LANGUAGES:
        raise _problem(
            path, number, f"language {fields['language']!r} is not one of {', '.join(LANGUAGES)}"
        )
    position = fields.get("position", PREFERRED)
    if not POSITION_PATTERN.match(position):
        raise _problem(path, number, f"position {position!r} is not 'preferred' or 'fallback-N'")
    jurisdiction = fields.get("jurisdiction", "")
    if jurisdiction and not KEY_PATTERN.match(jurisdiction):
        raise _problem(path, number, f"jurisdiction {jurisdiction!r} is not a lower-case code")
    return VariantKey(fields["language"], jurisdiction, position), fields["title"]


def parse_clause_file(text: str, path: Path | str) -> ClauseFile:
    lines = text.split("\n")
    if not lines or lines[0] != "---":
        raise _problem(path, 1, "a clause file starts with a '---' front matter block")
    try:
        end = lines.index("---", 1)
    except ValueError as exc:
        raise _problem(path, 1, "the front matter block is not closed with '---'") from exc
    try:
        meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        raise _problem(path, 2, f"the front matter is not valid YAML: {exc}") from exc
    if not isinstance(meta, dict) or set(meta) != {"key"}:
        raise _problem(path, 2, "the front matter holds exactly one field, 'key'")
    key = str(meta["key"])
    if not KEY_PATTERN.match(key):
        raise _problem(path, 2, f"key {key!r} is not lower-case words joined by '-'")

    variants: list[ClauseVariant] = []
    seen: set[VariantKey] = set()
    current: tuple[VariantKey, str, int] | None = None
    body: list[str] = []

    def close() -> None:
        if current is None:
            return
        variant, title, number = current
        text = "\n".join(body).strip()
        if not text:
            raise _problem(path, number, f"the {variant.describe()} variant has no text")
        variants.append(ClauseVariant(variant, title, text + "\n"))

    for number, line in enumerate(lines[end + 1 :], start=end + 2):
        if line.startswith(_MARKER):
            close()
            variant, title = _marker(path, number, line)
            if variant in seen:
                raise _problem(path, number, f"the {variant.describe()} variant is given twice")
            seen.add(variant)
            current, body = (variant, title, number), []
        elif current is None:
            if line.strip():
                raise _problem(path, number, "text before the first '=== ' variant marker")
        else:
            body.append(line)
    close()
    if not variants:
        raise _problem(path, end + 1, "the clause has no variants")
    return ClauseFile(key=key, variants=tuple(variants))


def read_clause_file(path: Path) -> ClauseFile:
    return parse_clause_file(path.read_text(encoding="utf-8"), path)


def read_clause_folder(folder: Path) -> list[ClauseFile]:
    if not folder.is_dir():
        raise InvalidInput(f"{folder} is not a folder")
    files = [read_clause_file(path) for path in sorted(folder.glob("*.md"))]
    keys = [file.key for file in files]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise InvalidInput(f"{folder}: clause keys given in more than one file: {duplicates}")
    return files


def format_clause_file(key: str, variants: Iterable[ClauseVariant]) -> str:
    """The canonical text of a clause file: variants sorted by language, jurisdiction
    and position, one blank line between sections."""
    sections = [f"---\nkey: {key}\n---\n"]
    for variant in sorted(variants, key=lambda v: v.variant.sort_key):
        fields = [f"language: {variant.variant.language}"]
        if variant.variant.jurisdiction:
            fields.append(f"jurisdiction: {variant.variant.jurisdiction}")
        if variant.variant.position != PREFERRED:
            fields.append(f"position: {variant.variant.position}")
        fields.append(f"title: {variant.title}")
        sections.append(f"{_MARKER}{' | '.join(fields)}\n{variant.body}")
    return "\n".join(sections)
