"""A licence "as amended": the agreement after all its signed amendments, in the order
they take effect: the titles licensed now and the end of the term now (the fees now are
the subscription model's: app.assembly.subscription). Pure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.assembly.schemas import AmendmentData, LicenceData, TitleIn


def title_key(title: TitleIn) -> str:
    """How a title is recognised across lists: its ISSN, else its eISSN, else its name."""
    if title.issn:
        return f"issn:{title.issn}"
    if title.eissn:
        return f"eissn:{title.eissn}"
    return "title:" + re.sub(r"\W+", " ", title.title.casefold()).strip()


@dataclass(frozen=True)
class SignedAmendment:
    number: str
    signed_on: date
    data: AmendmentData
    net: Decimal
    """What the amendment charged (or credited, below zero), before tax."""


@dataclass(frozen=True)
class Consolidated:
    start: date
    end: date
    titles: list[TitleIn]
    added_titles: list[tuple[str, TitleIn]]
    """Titles the amendments added, with the amendment that added each."""
    removed_titles: list[tuple[str, TitleIn]]
    amendments: list[SignedAmendment]

    def has_title(self, title: TitleIn) -> bool:
        return any(title_key(t) == title_key(title) for t in self.titles)


def consolidate(licence: LicenceData, amendments: Sequence[SignedAmendment]) -> Consolidated:
    ordered = sorted(amendments, key=lambda a: (a.data.effective_date, a.signed_on, a.number))
    titles = {title_key(t): t for t in licence.titles}
    end = licence.term.end
    added: list[tuple[str, TitleIn]] = []
    removed: list[tuple[str, TitleIn]] = []
    for amendment in ordered:
        for title in amendment.data.titles_removed:
            if titles.pop(title_key(title), None) is not None:
                removed.append((amendment.number, title))
        for title in amendment.data.titles_added:
            titles[title_key(title)] = title
            added.append((amendment.number, title))
        if amendment.data.new_end_date:
            end = amendment.data.new_end_date
    return Consolidated(
        start=licence.term.start,
        end=end,
        titles=sorted(titles.values(), key=lambda t: t.title.casefold()),
        added_titles=added,
        removed_titles=removed,
        amendments=list(ordered),
    )
