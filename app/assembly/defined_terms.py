"""Defined terms in a document's text: each defined once, each used, none used undefined.

A contract defines its terms in a definitions clause (``Licensed Material means ...``,
``Gelicentieerd Materiaal: ...``, ``许可材料：指...``) or inline, where a party or a document
is first named (``(the Licensee)``, ``(de "Licentienemer")``, ``（“被许可方”）``). The check
reads the text as a reader does (for PDFs, the text a PDF reader extracts), so it catches
what clause authors and template authors get wrong together: a capitalised term that
nothing defines, a definition nothing uses, a company name turned into a possessive
("Library Services's") where the defined term belongs.

English and Dutch mark defined terms with capitals: a capitalised word inside a sentence
that is neither a defined term, nor a name from the document's data or labels, nor a
proper name this module knows (laws, standards, places), is reported as undefined.
Chinese has no capitals; there only quoted terms (“…” or 「…」) can be told apart, so a
quoted term that is not defined is reported, and unquoted use of an undefined term
is not detectable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

# Proper names and structural words the clauses may capitalise without defining them.
KNOWN_NAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "Schedule",
        "No",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "English",
        "England and Wales",
        "Netherlands",
        "Amsterdam",
        "People's Republic of China",
        "Hong Kong",
        "Macao",
        "Taiwan",
        "China International Economic and Trade Arbitration Commission",
        "Beijing",
        "United Nations Convention on Contracts for the International Sale of Goods",
        "Regulation",
        "Article",
        "Council Directive",
        "Freedom of Information Act",
        "Dutch Open Government Act",
        "Wet open overheid",
        "Web Content Accessibility Guidelines",
        "NISO Transfer Code of Practice",
        "COUNTER Code of Practice",
        "COUNTER Release",
        "Portico",
        "OpenAthens",
        "ISSN International Centre",
    ),
    "nl": (
        "Nederlands",
        "Nederlandse",
        "Engeland en Wales",
        "Amsterdam",
        "Volksrepubliek China",
        "Hongkong",
        "Macau",
        "Taiwan",
        "China International Economic and Trade Arbitration Commission",
        "Peking",
        "Weens Koopverdrag",
        "Verordening",
        "Richtlijn",
        "Wet open overheid",
        "Britse Freedom of Information Act",
        "Web Content Accessibility Guidelines",
        "NISO Transfer Code of Practice",
        "COUNTER Code of Practice",
        "COUNTER Release",
        "Portico",
        "OpenAthens",
        "SURFconext",
        "ISSN International Centre",
    ),
}
_CONNECTORS = {"en": ("of", "and"), "nl": ("en", "van")}
_ARTICLES = {"en": ("the", "a", "an"), "nl": ("de", "het", "een")}
_OPEN_QUOTES = "\"'“‘„"
_CLOSE_QUOTES = "\"'”’"
_WORD = r"[A-Z][\w-]*"
_CAPITAL = re.compile(r"(?<![\w-])[A-Z][a-z][\w'’-]*")
_SENTENCE_END = re.compile(r"(^|[.!?:;·•(\[“\"„]|\d)\s*$")
_BAD_POSSESSIVE = re.compile(r"\b(?:[A-Z][\w-]*\s+)*\w+s['’]s\b")


@dataclass(frozen=True)
class TermReport:
    """What the check found: terms as defined, and the problems (empty when none)."""

    defined: tuple[str, ...]
    undefined: tuple[str, ...] = ()
    unused: tuple[str, ...] = ()
    defined_twice: tuple[str, ...] = ()
    bad_possessives: tuple[str, ...] = ()
    problems: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems


_ENDINGS = {"en": ("s",), "nl": ("en", "s", "e")}
_SUFFIXES = {"en": "s|es", "nl": "en|es|e|s"}


def _stem(word: str, language: str) -> str:
    for ending in _ENDINGS.get(language, ()):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            return word[: -len(ending)]
    return word


def _term_pattern(term: str, language: str) -> re.Pattern[str]:
    """A term as a PDF reader returns it: any white space between its words (justified
    lines, line breaks), each word singular or plural (Dutch: also inflected)."""
    endings = _SUFFIXES.get(language, "")
    words = r"\s+".join(
        re.escape(_stem(word, language)) + rf"(?:{endings})?" for word in term.split()
    )
    return re.compile(r"(?<![\w-])" + words + r"(?![\w-])")


def _definition_list(text: str, language: str) -> list[str]:
    """Terms opening a line of a definitions clause."""
    if language == "zh":
        return re.findall(r"^[•\s]*([^\s：:，。]{1,12})：指", text, re.MULTILINE)
    joiners = "|".join(_CONNECTORS[language])
    term = rf"{_WORD}(?:\s+(?:{joiners}|{_WORD}))*"
    line = rf"^[•\s]*({term})\s+means\s" if language == "en" else rf"^[•\s]*({term}):[ ]+[a-z]"
    return [" ".join(found.split()) for found in re.findall(line, text, re.MULTILINE)]


def _inline_definitions(text: str, language: str) -> list[str]:
    """Terms defined where they are first named: (the Licensee), (de "Licentienemer")."""
    if language == "zh":
        return re.findall(r"[（(]\s*[“「]([^”」]{1,12})[”」]\s*[）)]", text) + re.findall(
            r"[，,]\s*[“「]([^”」]{1,12})[”」]\s*[）)]", text
        )
    articles = "|".join(_ARTICLES[language])
    joiners = "|".join(_CONNECTORS[language])
    pattern = (
        rf"\((?:{articles})\s+[{_OPEN_QUOTES}]?"
        rf"({_WORD}(?:\s+(?:{joiners}|{_WORD}))*)[{_CLOSE_QUOTES}]?\)"
    )
    return [" ".join(found.split()) for found in re.findall(pattern, text)]


def _without(text: str, names: Iterable[str]) -> str:
    """The text with each name (longest first) replaced by a neutral mark."""
    for name in sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True):
        if not any(ch.isupper() for ch in name) or len(name) < 2:
            continue
        words = name.split()
        pattern = r"\s+".join(re.escape(word) for word in words)
        text = re.sub(r"(?<![\w-])" + pattern + r"(?![\w-])", " ~ ", text)
    return text


def _undefined_capitals(text: str) -> list[str]:
    """Capitalised words inside a sentence, in runs: "Service Credits"."""
    runs: list[str] = []
    for line in text.split("\n"):
        previous_end = -2
        for match in _CAPITAL.finditer(line):
            word = match.group().rstrip("'’")
            before = line[: match.start()]
            if _SENTENCE_END.search(before):
                previous_end = -2
                continue
            if runs and previous_end >= 0 and line[previous_end : match.start()].strip() == "":
                runs[-1] += " " + word
            else:
                runs.append(word)
            previous_end = match.end()
    return runs


def _quoted_terms(text: str) -> list[str]:
    return re.findall(r"[“「]([^”」\n]{1,12})[”」]", text)


def check_defined_terms(
    text: str,
    language: str,
    *,
    names: Iterable[str] = (),
    inherited: Iterable[str] = (),
) -> TermReport:
    """Check a document's text; `names` are the proper names its data and labels put
    there (parties, sites, titles, headings), `inherited` the terms a parent document
    defines for it (an amendment uses the licence's definitions)."""
    listed = _definition_list(text, language)
    # Chinese has no spaces between words: a PDF reader's line breaks are noise there.
    text = re.sub(r"\s+", "", text) if language == "zh" else re.sub(r"[ \t\u00a0]+", " ", text)
    inline = _inline_definitions(text, language)
    defined = listed + inline
    twice = sorted({term for term in defined if defined.count(term) > 1})
    inherited = tuple(inherited)

    if language == "zh":
        unused = sorted({term for term in defined if text.count(term) < 2})
        known = set(defined) | set(inherited)
        undefined = sorted({term for term in _quoted_terms(text) if term not in known})
    else:
        unused = sorted(
            {term for term in defined if len(_term_pattern(term, language).findall(text)) < 2}
        )
        rest = _without(text, names)
        for term in sorted({*defined, *inherited}, key=len, reverse=True):
            rest = _term_pattern(term, language).sub(" ~ ", rest)
        rest = _without(rest, KNOWN_NAMES.get(language, ()))
        undefined = sorted(set(_undefined_capitals(rest)))
    possessives = sorted(set(_BAD_POSSESSIVE.findall(text)))

    problems = [
        *(f"{term!r} is used but never defined" for term in undefined),
        *(f"{term!r} is defined but never used" for term in unused),
        *(f"{term!r} is defined more than once" for term in twice),
        *(
            f"{found!r}: a possessive formed from a name; use the defined term"
            for found in possessives
        ),
    ]
    return TermReport(
        defined=tuple(dict.fromkeys(defined)),
        undefined=tuple(undefined),
        unused=tuple(unused),
        defined_twice=tuple(twice),
        bad_possessives=tuple(possessives),
        problems=tuple(problems),
    )
