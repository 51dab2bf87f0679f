"""Year-on-year comparison of two title lists: what was added, dropped, repriced and
moved between packages.

Titles are paired by print ISSN first, then by online ISSN, ISBN, eISBN, then by
normalised title, so that a title which lost its print ISSN or had its name retyped is
still the same title.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.assembly.schemas import TitleIn

Key = Callable[[TitleIn], str | None]


@dataclass(frozen=True)
class PriceChange:
    """`old`/`new` are None where the list gives no price; `difference` then is None too."""

    title: str
    old: Decimal | None
    new: Decimal | None
    difference: Decimal | None


@dataclass(frozen=True)
class TitleListComparison:
    added: tuple[TitleIn, ...]
    removed: tuple[TitleIn, ...]
    price_changed: tuple[PriceChange, ...]
    unchanged_count: int
    """Titles in both lists at the same price (wherever their package)."""
    moved: tuple[PackageMove, ...] = ()


@dataclass(frozen=True)
class PackageMove:
    title: str
    old: str
    new: str


def compare_titles(previous: Sequence[TitleIn], current: Sequence[TitleIn]) -> TitleListComparison:
    """Every list ordered by title. `unchanged_count` counts titles in both lists at the
    same price (12.5 and 12.50 are the same price), renamed or not."""
    pairs: list[tuple[TitleIn, TitleIn]] = []
    left, right = list(previous), list(current)
    for key in (_issn_key, _eissn_key, _isbn_key, _eisbn_key, _title_key):
        matched, left, right = _pair(left, right, key, by_title=key is _title_key)
        pairs.extend(matched)
    changes = [
        PriceChange(
            title=new.title,
            old=old.price,
            new=new.price,
            difference=None if old.price is None or new.price is None else new.price - old.price,
        )
        for old, new in pairs
        if old.price != new.price
    ]
    return TitleListComparison(
        added=tuple(sorted(right, key=_order)),
        removed=tuple(sorted(left, key=_order)),
        price_changed=tuple(
            sorted(changes, key=lambda change: (_normalise(change.title), change.title))
        ),
        unchanged_count=len(pairs) - len(changes),
        moved=tuple(
            sorted(
                (
                    PackageMove(new.title, old.package, new.package)
                    for old, new in pairs
                    if old.package != new.package
                ),
                key=lambda move: (_normalise(move.title), move.title),
            )
        ),
    )


def _normalise(title: str) -> str:
    """A title as compared: case, accents, punctuation, "&" for "and" and a leading "The"
    do not matter."""
    text = unicodedata.normalize("NFKD", title)
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    text = re.sub(r"[\W_]+", " ", text.replace("&", " and ")).strip()
    return text.removeprefix("the ")


def _issn_key(title: TitleIn) -> str | None:
    return title.issn


def _eissn_key(title: TitleIn) -> str | None:
    return title.eissn


def _isbn_key(title: TitleIn) -> str | None:
    return title.isbn


def _eisbn_key(title: TitleIn) -> str | None:
    return title.eisbn


def _title_key(title: TitleIn) -> str | None:
    return _normalise(title.title) or None


def _pair(
    previous: list[TitleIn], current: list[TitleIn], key: Key, *, by_title: bool
) -> tuple[list[tuple[TitleIn, TitleIn]], list[TitleIn], list[TitleIn]]:
    """Titles paired by `key`, in list order, and those of each list left unpaired. Paired
    by title, two titles with different print or online ISSNs stay two serials."""
    waiting: defaultdict[str, list[TitleIn]] = defaultdict(list)
    for title in previous:
        value = key(title)
        if value is not None:
            waiting[value].append(title)
    pairs: list[tuple[TitleIn, TitleIn]] = []
    unpaired: list[TitleIn] = []
    for title in current:
        value = key(title)
        candidates = waiting.get(value, []) if value is not None else []
        match = next((old for old in candidates if not (by_title and _conflict(old, title))), None)
        if match is None:
            unpaired.append(title)
            continue
        candidates.remove(match)
        pairs.append((match, title))
    paired = {id(old) for old, _ in pairs}
    return pairs, [title for title in previous if id(title) not in paired], unpaired


def _conflict(old: TitleIn, new: TitleIn) -> bool:
    return any(
        a is not None and b is not None and a != b
        for a, b in (
            (old.issn, new.issn),
            (old.eissn, new.eissn),
            (old.isbn, new.isbn),
            (old.eisbn, new.eisbn),
        )
    )


def _order(title: TitleIn) -> tuple[str, str, str, str]:
    return (_normalise(title.title), title.title, title.issn or "", title.eissn or "")
