"""Whether a typed name is the signer's name: case, spacing and accents do not count."""

from __future__ import annotations

import unicodedata


def name_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(bare.casefold().split())


def same_name(typed: str, expected: str) -> bool:
    return name_key(typed) == name_key(expected)
