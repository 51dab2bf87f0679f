"""What an archive checks of a PDF/A-3 before it takes it, read with pypdf: the XMP
identification, an output intent with an ICC profile, every font embedded, no encryption,
no JavaScript, a title and a language, and for level A a structure tree (tagged for
screen readers); and the embedded data file with its relationship.

For the signing tests too: a signed copy is the shown PDF plus incremental updates, so it
must pass the same checks (`assert_pdfa(signed_bytes)`)."""

from __future__ import annotations

import io
import json
import re
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

_PART = re.compile(rb'pdfaid:part(?:="|>)(\d)')
_CONFORMANCE = re.compile(rb'pdfaid:conformance(?:="|>)([ABU])')
_FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


def assert_pdfa(pdf: bytes, *, part: int = 3, conformance: str | None = None) -> PdfReader:
    """Fails naming the first PDF/A requirement the PDF misses; returns the reader. The
    level (A or B) is checked when given, else the declared one is held to."""
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert "/Encrypt" not in reader.trailer, "a PDF/A is never encrypted"
    identifier = reader.trailer.get("/ID")
    assert identifier is not None and len(identifier) == 2, "a PDF/A has a file identifier"

    metadata = root.get("/Metadata")
    assert metadata is not None, "no XMP metadata stream in the catalog"
    xmp = metadata.get_object().get_data()
    found_part, found_level = _PART.search(xmp), _CONFORMANCE.search(xmp)
    assert found_part and int(found_part.group(1)) == part, f"pdfaid:part is not {part}"
    assert found_level, "no pdfaid:conformance"
    level = found_level.group(1).decode()
    assert conformance in (None, level), f"pdfaid:conformance is {level}, not {conformance}"
    if level == "A":
        assert "/StructTreeRoot" in root, "level A without a structure tree"
        assert bool(root.get("/MarkInfo", {}).get("/Marked")), "level A not marked as tagged"

    intents = [i.get_object() for i in root.get("/OutputIntents", [])]
    pdfa_intents = [i for i in intents if i.get("/S") == "/GTS_PDFA1"]
    assert pdfa_intents, "no GTS_PDFA1 output intent"
    profile = pdfa_intents[0]["/DestOutputProfile"].get_object()
    assert profile.get("/N") == 3 and profile.get_data()[36:40] == b"acsp", "no ICC profile"

    title = (reader.metadata or {}).get("/Title")
    assert title, "no document title"
    # <dc:title> as WeasyPrint writes it, <dc:title xmlns:dc=...> as pyHanko does on signing
    assert re.search(rb"<dc:title[\s>]", xmp), "the XMP has not the title"
    assert str(title).encode() in xmp, "the XMP's title is not the document's"
    assert root.get("/Lang"), "no document language"
    assert "/JavaScript" not in root.get("/Names", {}), "document-level JavaScript"
    assert not _is_javascript(root.get("/OpenAction")), "JavaScript run on opening"
    assert "/AA" not in root, "additional actions on the document"
    for number, page in enumerate(reader.pages, 1):
        for font in _fonts(page.get("/Resources")):
            assert _embedded(font), f"page {number}: font {font.get('/BaseFont')} not embedded"
        for ref in page.get("/Annots", []):
            annotation = ref.get_object()
            assert not _is_javascript(annotation.get("/A")), f"page {number}: JavaScript link"
            if annotation.get("/Subtype") != "/Popup":
                assert int(annotation.get("/F", 0)) & 4, f"page {number}: unprintable annotation"
    return reader


def embedded_data(pdf: bytes, name: str = "contract.json") -> dict[str, Any]:
    """The embedded JSON file `name`, which must be an associated file of the document
    (the catalog's /AF) with AFRelationship /Data and MIME type application/json."""
    reader = PdfReader(io.BytesIO(pdf))
    associated = [spec.get_object() for spec in reader.trailer["/Root"].get("/AF", [])]
    matching = [spec for spec in associated if spec.get("/F") == name or spec.get("/UF") == name]
    assert matching, f"{name} is not an associated file of the document"
    spec = matching[0]
    assert spec["/AFRelationship"] == "/Data", spec.get("/AFRelationship")
    stream = spec["/EF"]["/F"].get_object()
    assert stream.get("/Subtype") == "/application#2Fjson" or stream.get("/Subtype") == (
        "/application/json"
    ), stream.get("/Subtype")
    assert name in reader.attachments, f"{name} is not in the embedded files"
    loaded: dict[str, Any] = json.loads(stream.get_data())
    return loaded


def _is_javascript(action: Any) -> bool:
    if action is None:
        return False
    action = action.get_object()
    if isinstance(action, ArrayObject):
        return False  # a destination
    return isinstance(action, DictionaryObject) and action.get("/S") == "/JavaScript"


def _fonts(resources: Any, seen: set[int] | None = None) -> list[DictionaryObject]:
    """The fonts of a resource dictionary and of the forms and Type 3 fonts it uses."""
    seen = set() if seen is None else seen
    if resources is None:
        return []
    resources = resources.get_object()
    found: list[DictionaryObject] = []
    for ref in resources.get("/Font", {}).values():
        font = ref.get_object()
        if isinstance(ref, IndirectObject) and ref.idnum in seen:
            continue
        if isinstance(ref, IndirectObject):
            seen.add(ref.idnum)
        found.append(font)
        found.extend(_fonts(font.get("/Resources"), seen))
    for ref in resources.get("/XObject", {}).values():
        xobject = ref.get_object()
        if isinstance(ref, IndirectObject) and ref.idnum in seen:
            continue
        if isinstance(ref, IndirectObject):
            seen.add(ref.idnum)
        if isinstance(xobject, StreamObject) and xobject.get("/Subtype") == "/Form":
            found.extend(_fonts(xobject.get("/Resources"), seen))
    return found


def _embedded(font: DictionaryObject) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True  # glyphs drawn by the PDF itself
    if font.get("/Subtype") == "/Type0":
        font = font["/DescendantFonts"][0].get_object()
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        return False
    return any(key in descriptor.get_object() for key in _FONT_FILES)
