"""What differs between two renders of the same file, in words a person can check: for a
PDF its metadata, the embedded contract.json, the fonts (a machine with other versions of
the fonts renders other bytes) and each page's text; for a DOCX (or any zip package) which
parts differ and the document's text; for text files the lines."""

from __future__ import annotations

import difflib
import io
import json
import re
import zipfile
from typing import Any, cast

from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, StreamObject

MAX_LINES = 12
"""Lines of a text difference shown for each page or part."""


def differences(kind: str, stored: bytes, rendered: bytes) -> list[str]:
    """What differs between the stored and the freshly rendered bytes of one file kind."""
    if stored == rendered:
        return []
    if stored.startswith(b"%PDF"):
        found = _pdf_differences(stored, rendered)
    elif stored.startswith(b"PK"):
        found = _zip_differences(stored, rendered)
    else:
        found = _text_diff(
            stored.decode("utf-8", "replace"), rendered.decode("utf-8", "replace"), kind
        )
    return found or [f"{kind}: the bytes differ, the text, metadata and data do not"]


def _pdf_differences(stored: bytes, rendered: bytes) -> list[str]:
    before, after = PdfReader(io.BytesIO(stored)), PdfReader(io.BytesIO(rendered))
    found: list[str] = []
    old_info, new_info = dict(before.metadata or {}), dict(after.metadata or {})
    for key in sorted(set(old_info) | set(new_info)):
        if str(old_info.get(key)) != str(new_info.get(key)):
            found.append(f"metadata {key}: {old_info.get(key)} -> {new_info.get(key)}")
    old_fonts, new_fonts = _font_versions(before), _font_versions(after)
    for name in sorted(set(old_fonts) | set(new_fonts)):
        if old_fonts.get(name) != new_fonts.get(name):
            found.append(f"font {name}: {old_fonts.get(name)} -> {new_fonts.get(name)}")
    old_data, new_data = _attachment(before), _attachment(after)
    found.extend(f"contract.json {change}" for change in _json_changes(old_data, new_data, ""))
    if len(before.pages) != len(after.pages):
        found.append(f"pages: {len(before.pages)} -> {len(after.pages)}")
    for number, (old, new) in enumerate(zip(before.pages, after.pages, strict=False), 1):
        old_text, new_text = old.extract_text(), new.extract_text()
        if old_text != new_text:
            found.extend(_text_diff(old_text, new_text, f"page {number}"))
    return found


def _font_versions(reader: PdfReader) -> dict[str, str]:
    """Each embedded font's name (without the subset tag) and the version its program says."""
    found: dict[str, str] = {}
    for page in reader.pages:
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font", {}) if resources is not None else {}
        for ref in fonts.values():
            font = ref.get_object()
            if font.get("/Subtype") == "/Type0":
                font = font["/DescendantFonts"][0].get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None:
                continue
            name = str(font.get("/BaseFont", "?")).lstrip("/").split("+")[-1]
            if name not in found:
                found[name] = _version(descriptor.get_object())
    return found


def _version(descriptor: DictionaryObject) -> str:
    for key in ("/FontFile2", "/FontFile3"):
        if key in descriptor:
            try:
                stream = cast(StreamObject, descriptor[key].get_object())
                program = TTFont(io.BytesIO(stream.get_data()), lazy=True)
                return str(program["name"].getDebugName(5) or program["head"].fontRevision)
            except Exception:  # a bare CFF program or a damaged one: no version to read
                return "unknown version"
    return "not embedded"


def _attachment(reader: PdfReader) -> Any:
    files = reader.attachments.get("contract.json")
    return json.loads(files[0]) if files else None


def _json_changes(old: Any, new: Any, path: str) -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        return [
            change
            for key in sorted(set(old) | set(new))
            for change in _json_changes(old.get(key), new.get(key), f"{path}/{key}")
        ]
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [
            change
            for n, (a, b) in enumerate(zip(old, new, strict=True))
            for change in _json_changes(a, b, f"{path}/{n}")
        ]
    if old != new:
        return [f"{path or '/'}: {json.dumps(old)} -> {json.dumps(new)}"]
    return []


def _zip_differences(stored: bytes, rendered: bytes) -> list[str]:
    with (
        zipfile.ZipFile(io.BytesIO(stored)) as before,
        zipfile.ZipFile(io.BytesIO(rendered)) as after,
    ):
        old = {entry.filename: entry for entry in before.infolist()}
        new = {entry.filename: entry for entry in after.infolist()}
        found = [f"part {name} only in the stored file" for name in sorted(set(old) - set(new))]
        found += [f"part {name} only in the new render" for name in sorted(set(new) - set(old))]
        for name in sorted(set(old) & set(new)):
            old_bytes, new_bytes = before.read(name), after.read(name)
            if old_bytes != new_bytes:
                found.append(f"part {name} differs")
                if name.endswith(".xml"):
                    found.extend(_text_diff(_xml_text(old_bytes), _xml_text(new_bytes), name))
            elif old[name].date_time != new[name].date_time:
                found.append(f"part {name} dated {old[name].date_time} -> {new[name].date_time}")
    return found


def _xml_text(xml: bytes) -> str:
    """An XML part's text, a paragraph or element a line."""
    text = re.sub(rb"</w:p>|</[a-z]+:[A-Za-z]+>", b"\n", xml)
    return re.sub(rb"<[^>]+>", b"", text).decode("utf-8", "replace")


def _text_diff(old: str, new: str, where: str) -> list[str]:
    lines = [
        line
        for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    shown = [f"{where}: {line}" for line in lines[:MAX_LINES]]
    if len(lines) > MAX_LINES:
        shown.append(f"{where}: … {len(lines) - MAX_LINES} more changed lines")
    return shown
