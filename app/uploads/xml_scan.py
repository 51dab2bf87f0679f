"""XML parts read as a stream by expat, before a library loads them: a part that
declares a DTD (where entities such as the billion laughs live) is refused at once, and
the counts a caller bounds are taken as the part inflates, a chunk at a time, so that
reading stops at the first element past a bound."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import IO, Any
from xml.parsers import expat

from app.errors import InvalidInput

CHUNK = 64 * 1024
MAX_RUN = 1024 * 1024
"""Bytes without a `>` refused: expat holds a whole tag or text run in memory at once,
and no cell (32,767 characters) comes near this."""

StartHandler = Callable[[str, dict[str, str]], None]


class Stop(Exception):
    """Raised by a handler that has seen all it needs; the rest is not read."""


class Scan:
    """Handlers for one part; names reach them as `namespace local` (expat's form). A
    scan may set other handlers on `parser` once it knows the part (by its root)."""

    parser: Any = None

    def start(self, name: str, attributes: dict[str, str]) -> None:
        raise Stop  # by default, only the prolog and the root are checked


def chunks(stream: IO[bytes]) -> Iterable[bytes]:
    return iter(lambda: stream.read(CHUNK), b"")


def scan_xml(
    parts: Iterable[bytes], scan: Scan, *, what: str, allow_external_dtd: bool = False
) -> None:
    """Feed the part to expat with `scan`'s handlers. A DTD with declarations of its own is
    refused, and any DTD unless `allow_external_dtd` (SVG may name its public one); a
    part that is not well-formed is refused naming the line."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.buffer_size = CHUNK
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def doctype(_name: str, _system: Any, _public: Any, internal_subset: int) -> None:
        if internal_subset or not allow_external_dtd:
            raise InvalidInput(
                f"{what} declares a DTD (line {parser.CurrentLineNumber}); "
                "document type declarations are not accepted in uploads"
            )

    def entity(*_: Any) -> None:
        raise InvalidInput(f"{what} declares an entity; entities are not accepted in uploads")

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.StartElementHandler = scan.start
    scan.parser = parser
    run = 0
    try:
        for chunk in parts:
            closing = chunk.rfind(b">")
            run = run + len(chunk) if closing < 0 else len(chunk) - closing - 1
            if run > MAX_RUN:
                raise InvalidInput(f"{what} holds over {MAX_RUN:,} bytes without markup")
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except Stop:
        return
    except expat.ExpatError as exc:
        reason = expat.ErrorString(exc.code)
        raise InvalidInput(f"{what} is not well-formed XML (line {exc.lineno}: {reason})") from None
