"""Template packages as files: the manifest, the archive a version is stored as, and the
folder a stored version is rendered from.

A package is a folder `contract_templates/<key>/` holding `template.yaml` (the manifest),
the HTML and CSS for the PDF, the DOCX for docxtpl, sample data and any images or fonts
its HTML uses. A version is stored as a zip archive of those files; to render, the
archive is unpacked once into a cache folder named by its hash.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from app.assembly.outline import OutlineSection, outline_keys, parse_outline
from app.errors import InvalidInput
from app.library.clause_files import KEY_PATTERN, LANGUAGES
from app.uploads.limits import DOCX_LIMITS, TEMPLATE_LIMITS
from app.uploads.ooxml import prescan_docx
from app.uploads.xml_scan import Scan, scan_xml
from app.uploads.zips import scan_zip

MANIFEST = "template.yaml"
KINDS = ("quote", "licence", "amendment", "title-list")
ALLOWED_SUFFIXES = frozenset(
    {".yaml", ".html", ".css", ".docx", ".json", ".png", ".jpg", ".svg", ".woff2", ".otf", ".ttf"}
)
MAX_FILES = TEMPLATE_LIMITS.zip_entries
MAX_UNPACKED_BYTES = TEMPLATE_LIMITS.unpacked_bytes
MAX_FILES_IN_DOCX = DOCX_LIMITS.zip_entries
_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class TemplatePackage:
    key: str
    title: str
    kind: str
    languages: tuple[str, ...]
    html: str
    docx: str
    sample: str
    outline: tuple[OutlineSection, ...]
    labels: dict[str, dict[str, str]]
    path: Path
    signing_reminder_days: tuple[int, ...] = ()
    """Days after sending when the built-in signer reminds, for this template's documents
    (empty: CONTRACTDESK_SIGNING_REMINDER_DAYS); an envelope's own schedule comes first."""

    @property
    def clause_keys(self) -> list[str]:
        return outline_keys(self.outline)

    def sample_data(self) -> dict[str, Any]:
        data = json.loads((self.path / self.sample).read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise InvalidInput(f"{self.key}/{self.sample}: sample data is a JSON object")
        return data

    def labels_for(self, language: str) -> dict[str, str]:
        """The package's fixed wording (headings, column names) in one language."""
        return {**self.labels.get("en", {}), **self.labels.get(language, {})}


def _manifest(path: Path) -> dict[str, Any]:
    try:
        meta = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark else ""
        raise InvalidInput(f"{path.name}{line}: not valid YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise InvalidInput(f"{path.name}: the manifest is a mapping")
    return meta


def read_template_package(folder: Path) -> TemplatePackage:
    manifest = folder / MANIFEST
    if not manifest.is_file():
        raise InvalidInput(f"{folder.name}: a template package has a {MANIFEST}")
    meta = _manifest(manifest)
    missing = [
        k for k in ("key", "title", "kind", "html", "docx", "sample", "outline") if k not in meta
    ]
    if missing:
        raise InvalidInput(f"{MANIFEST}: lacks {', '.join(missing)}")
    key, kind = str(meta["key"]), str(meta["kind"])
    if not KEY_PATTERN.match(key):
        raise InvalidInput(f"{MANIFEST}: key {key!r} is not lower-case words joined by '-'")
    if kind not in KINDS:
        raise InvalidInput(f"{MANIFEST}: kind {kind!r} is not one of {', '.join(KINDS)}")
    languages = tuple(meta.get("languages", ["en"]))
    unknown = [lang for lang in languages if lang not in LANGUAGES]
    if unknown or not languages:
        raise InvalidInput(f"{MANIFEST}: languages are some of {', '.join(LANGUAGES)}")
    for name in ("html", "docx", "sample"):
        if not (folder / str(meta[name])).is_file():
            raise InvalidInput(
                f"{MANIFEST}: {name} names {meta[name]!r}, which is not in the package"
            )
    labels = meta.get("labels", {})
    if not isinstance(labels, dict) or not all(isinstance(v, dict) for v in labels.values()):
        raise InvalidInput(f"{MANIFEST}: labels map each language to its wording")
    reminders = meta.get("signing_reminder_days", [])
    if not isinstance(reminders, list) or not all(
        isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 365 for d in reminders
    ):
        raise InvalidInput(f"{MANIFEST}: signing_reminder_days is a list of days from 1 to 365")
    return TemplatePackage(
        key=key,
        title=str(meta["title"]),
        kind=kind,
        languages=languages,
        html=str(meta["html"]),
        docx=str(meta["docx"]),
        sample=str(meta["sample"]),
        outline=parse_outline(meta["outline"], where=f"{MANIFEST} outline"),
        labels={str(k): {str(a): str(b) for a, b in v.items()} for k, v in labels.items()},
        path=folder,
        signing_reminder_days=tuple(sorted(set(reminders))),
    )


def package_folders(root: Path) -> list[Path]:
    return [path.parent for path in sorted(root.glob(f"*/{MANIFEST}"))]


def pack(folder: Path) -> tuple[bytes, str]:
    """The package as a reproducible zip (sorted names, fixed times) and its files' hash."""
    digest = hashlib.sha256()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = file.relative_to(folder).as_posix()
            data = file.read_bytes()
            digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
            archive.writestr(zipfile.ZipInfo(name, date_time=_EPOCH), data)
    return out.getvalue(), digest.hexdigest()


def read_zip_members(data: bytes, *, max_files: int, max_bytes: int, what: str) -> dict[str, bytes]:
    """Every member of a zip, refusing bombs: the sizes the archive declares are not
    trusted: what the members really inflate to is counted first, a chunk at a time, and
    then each member is read with a cap on what is left of the budget."""
    check_zip_size(data, max_files=max_files, max_bytes=max_bytes, what=what)
    archive = _open_zip(data, what)
    members = _members(archive, max_files, what)
    budget = max_bytes
    files: dict[str, bytes] = {}
    for info in members:
        with _reading(what, info), archive.open(info) as member:
            content = member.read(budget + 1)
        if len(content) > budget:
            raise _too_big(what, max_bytes)
        budget -= len(content)
        files[info.filename] = content
    return files


def check_zip_size(data: bytes, *, max_files: int, max_bytes: int, what: str) -> None:
    """Refuse a zip that holds too many files or inflates to more than `max_bytes`,
    counting what it really inflates to, a chunk at a time, without keeping it."""
    archive = _open_zip(data, what)
    budget = max_bytes
    for info in _members(archive, max_files, what):
        with _reading(what, info), archive.open(info) as member:
            while chunk := member.read(min(_CHUNK, budget + 1)):
                budget -= len(chunk)
                if budget < 0:
                    raise _too_big(what, max_bytes)


_CHUNK = 1024 * 1024


def _open_zip(data: bytes, what: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise InvalidInput(f"{what} is not a zip archive") from exc


def _members(archive: zipfile.ZipFile, max_files: int, what: str) -> list[zipfile.ZipInfo]:
    members = [info for info in archive.infolist() if not info.is_dir()]
    if len(members) > max_files:
        raise InvalidInput(f"{what} holds {len(members)} files; at most {max_files} are allowed")
    return members


@contextmanager
def _reading(what: str, info: zipfile.ZipInfo) -> Iterator[None]:
    """A member that inflates to more than it declares, is damaged, encrypted or packed
    with a method zipfile lacks is a problem with the upload, not with the service."""
    try:
        yield
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise InvalidInput(f"{what}: {info.filename} cannot be unpacked ({exc})") from exc


def _too_big(what: str, max_bytes: int) -> InvalidInput:
    return InvalidInput(f"{what} unpacks to more than {max_bytes // (1024 * 1024)} MB; refused")


def _safe_name(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or "\\" in name or not path.parts:
        raise InvalidInput(f"the package file name {name!r} is not a plain relative path")
    if path.suffix.lower() not in ALLOWED_SUFFIXES:
        raise InvalidInput(
            f"{name}: a package holds only {', '.join(sorted(ALLOWED_SUFFIXES))} files"
        )
    return path.as_posix()


def unpack(archive: bytes, root: Path) -> tuple[Path, str]:
    """Unpack a package archive into `root/<hash>` (once; later calls reuse the folder).
    Its zip directory is checked first (files, sizes, ratios: `app.uploads.limits`), and
    its DOCX and SVG files for DTDs, which the libraries reading them would expand."""
    scan_zip(archive, TEMPLATE_LIMITS, what="the template package")
    files = read_zip_members(
        archive, max_files=MAX_FILES, max_bytes=MAX_UNPACKED_BYTES, what="the template package"
    )
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(_safe_name(name).encode() + b"\0" + hashlib.sha256(files[name]).digest())
        if name.lower().endswith(".svg"):
            scan_xml(
                [files[name]],
                Scan(),
                what=f"the template package's {name}",
                allow_external_dtd=True,
            )
        if name.lower().endswith(".docx"):  # a zip too, which docxtpl unpacks whole
            prescan_docx(files[name], DOCX_LIMITS, what=f"the template package's {name}")
            check_zip_size(
                files[name],
                max_files=MAX_FILES_IN_DOCX,
                max_bytes=MAX_UNPACKED_BYTES,
                what=f"the template package's {name}",
            )
    sha256 = digest.hexdigest()
    target = root / sha256
    if target.is_dir():
        return target, sha256
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=root, prefix=".unpack-"))
    try:
        for name, content in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        os.rename(staging, target)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        if not target.is_dir():
            raise
    return target, sha256
