"""Reading the shipped library from disk: clause files and template packages."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from app.errors import InvalidInput


@dataclass(frozen=True)
class ClauseFile:
    key: str
    title: str
    language: str
    body: str
    path: Path

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body.encode()).hexdigest()


@dataclass(frozen=True)
class TemplatePackage:
    key: str
    title: str
    kind: str
    clauses: tuple[str, ...]
    html: str
    docx: str
    path: Path

    @property
    def sha256(self) -> str:
        """One hash over every file of the package, so any change is a new version."""
        digest = hashlib.sha256()
        for file in sorted(p for p in self.path.rglob("*") if p.is_file()):
            digest.update(file.relative_to(self.path).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(file.read_bytes()).digest())
        return digest.hexdigest()


def _split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], str]:
    if not text.startswith("---\n"):
        raise InvalidInput(f"{path}: a clause file starts with a '---' front matter block")
    try:
        header, body = text[4:].split("\n---\n", 1)
    except ValueError as exc:
        raise InvalidInput(f"{path}: the front matter block is not closed with '---'") from exc
    meta = yaml.safe_load(header) or {}
    if not isinstance(meta, dict):
        raise InvalidInput(f"{path}: front matter must be a mapping")
    return meta, body.strip() + "\n"


def read_clause(path: Path) -> ClauseFile:
    meta, body = _split_front_matter(path.read_text(encoding="utf-8"), path)
    missing = {"key", "title"} - meta.keys()
    if missing:
        raise InvalidInput(f"{path}: front matter lacks {', '.join(sorted(missing))}")
    return ClauseFile(
        key=str(meta["key"]),
        title=str(meta["title"]),
        language=str(meta.get("language", "en")),
        body=body,
        path=path,
    )


def read_clauses(folder: Path) -> list[ClauseFile]:
    return [read_clause(path) for path in sorted(folder.glob("*.md"))]


def read_template_package(folder: Path) -> TemplatePackage:
    manifest = folder / "template.yaml"
    meta = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    if not isinstance(meta, dict):
        raise InvalidInput(f"{manifest}: must be a mapping")
    try:
        return TemplatePackage(
            key=str(meta["key"]),
            title=str(meta["title"]),
            kind=str(meta["kind"]),
            clauses=tuple(meta.get("clauses", [])),
            html=str(meta["html"]),
            docx=str(meta["docx"]),
            path=folder,
        )
    except KeyError as exc:
        raise InvalidInput(f"{manifest}: lacks the key {exc.args[0]!r}") from exc


def read_template_packages(folder: Path) -> list[TemplatePackage]:
    return [read_template_package(path.parent) for path in sorted(folder.glob("*/template.yaml"))]
