"""Text as the service accepts it: `Line` for one line (a name, a reference), `Text` for
what may run over lines (an address, a note, a clause body).

Both refuse what no person types and what breaks or deceives downstream: NUL and the
other C0 controls (PostgreSQL refuses NUL outright), DEL and the C1 controls, unpaired
surrogates (not encodable as UTF-8), the noncharacters U+FFFE and U+FFFF, and the
bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which
make a contract read differently from what it says ("Trojan Source"); the marks LRM, RLM
and ALM stay allowed for right-to-left names. `Text` allows tab, line feed and carriage
return; `Line` refuses them, and the Unicode line and paragraph separators too.

Each type says so in the JSON Schema (`pattern`), so the OpenAPI document and a client
generated from it know, and refuses with a message naming the character and where it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

_NEVER: tuple[tuple[int, int, str], ...] = (
    (0x00, 0x08, "a control character"),
    (0x0B, 0x0C, "a control character"),
    (0x0E, 0x1F, "a control character"),
    (0x7F, 0x9F, "a control character"),
    (0x202A, 0x202E, "a bidirectional control"),
    (0x2066, 0x2069, "a bidirectional control"),
    (0xD800, 0xDFFF, "an unpaired surrogate"),
    (0xFFFE, 0xFFFF, "a noncharacter"),
)
_BREAKS: tuple[tuple[int, int, str], ...] = (
    (0x09, 0x0A, "a tab or line break"),
    (0x0D, 0x0D, "a line break"),
    (0x2028, 0x2029, "a line break"),
)


def _ranges(ranges: tuple[tuple[int, int, str], ...]) -> str:
    """The inside of a character class, written with \\u escapes that Python's `re` and
    ECMA-262 (JSON Schema's `pattern`) read alike."""
    return "".join(
        f"\\u{low:04x}" if low == high else f"\\u{low:04x}-\\u{high:04x}" for low, high, _ in ranges
    )


# A pattern cannot name surrogates (Unicode regular expressions refuse them); no UTF-8 text
# holds one, only a JSON escape (`"\\ud800"`) does, and the validators refuse that.
_NAMEABLE = tuple(r for r in _NEVER if r[0] != 0xD800)
TEXT_PATTERN = f"^[^{_ranges(_NAMEABLE)}]*$"
LINE_PATTERN = f"^[^{_ranges(_NAMEABLE + _BREAKS)}]*$"
_TEXT_BAD = re.compile(f"[{_ranges(_NEVER)}]")
_LINE_BAD = re.compile(f"[{_ranges(_NEVER + _BREAKS)}]")


def refused_character(value: str, *, one_line: bool) -> str | None:
    """What is wrong with `value`, naming the first character refused; None if nothing."""
    found = (_LINE_BAD if one_line else _TEXT_BAD).search(value)
    if found is None:
        return None
    code = ord(found.group())
    kind = next(what for low, high, what in (*_NEVER, *_BREAKS) if low <= code <= high)
    return f"must not contain {kind} (U+{code:04X}, at character {found.start() + 1})"


@dataclass(frozen=True)
class _Refuses:
    one_line: bool

    def check(self, value: str) -> str:
        problem = refused_character(value, one_line=self.one_line)
        if problem:
            raise ValueError(problem)
        return value

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema: dict[str, Any] = handler(core_schema)
        schema.setdefault("pattern", LINE_PATTERN if self.one_line else TEXT_PATTERN)
        return schema


_LINE = _Refuses(one_line=True)
_TEXT = _Refuses(one_line=False)

Line = Annotated[str, AfterValidator(_LINE.check), _LINE]
"""One line of text: no control characters, no line breaks."""

Text = Annotated[str, AfterValidator(_TEXT.check), _TEXT]
"""Text that may run over lines: tab, line feed and carriage return allowed."""
