"""The four document kinds: each one's data model, number prefix, clause variables and
assembler, so that the document lifecycle treats them alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.assembly.amendment import amendment_variables, assemble_amendment
from app.assembly.document import AssembledDocument, DocumentInput, common_variables
from app.assembly.licence import assemble_licence, licence_variables
from app.assembly.quote import assemble_quote, quote_variables
from app.assembly.schemas import (
    AmendmentData,
    DocumentData,
    LicenceData,
    QuoteData,
    TitleListData,
)
from app.assembly.title_list import assemble_title_list


@dataclass(frozen=True)
class Kind:
    name: str
    data_model: type[DocumentData]
    number_prefix: str
    variables: Callable[[DocumentInput], dict[str, Any]]
    assemble: Callable[[DocumentInput], AssembledDocument]


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("quote", QuoteData, "Q", quote_variables, assemble_quote),
        Kind("licence", LicenceData, "L", licence_variables, assemble_licence),
        Kind("amendment", AmendmentData, "A", amendment_variables, assemble_amendment),
        Kind("title-list", TitleListData, "T", common_variables, assemble_title_list),
    )
}
