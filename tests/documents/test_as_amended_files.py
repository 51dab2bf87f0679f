"""The licence as amended written out in the licence's language, as its PDF and DOCX print
it: every label in English, Dutch and Chinese, dates and money as each writes them."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.documents.as_amended_files import as_amended_context, labels


def _view(language: str) -> dict[str, Any]:
    line = {
        "description": "Usage Analytics Service",
        "sku": None,
        "source": "A-1",
        "charged_start": date(2028, 7, 1),
        "charged_end": date(2028, 12, 31),
        "quantity": 1,
        "unit_price": "1209.86",
        "discount_percent": "5",
        "discount": "60.49",
        "amount": "1149.37",
    }
    return {
        "licence": {
            "number": "L-1",
            "customer": "Huaxin",
            "currency": "EUR",
            "language": language,
            "signed_on": date(2026, 12, 6),
            "start": date(2027, 1, 1),
            "original_end": date(2029, 12, 31),
            "end": date(2029, 12, 31),
            "invoicing": "contract-years",
        },
        "amendments": [],
        "periods": [
            {
                "number": 2,
                "start": date(2028, 1, 1),
                "end": date(2028, 12, 31),
                "invoice_on": date(2028, 1, 1),
                "lines": [line],
                "net": "1149.37",
                "total": "1149.37",
                "taxes": [{"rate_percent": "0", "net": "1149.37", "tax": "0.00"}],
                "original_net": "0.00",
                "changes": [{"amendment": "A-1", "net": "1149.37"}],
            }
        ],
        "contract_value": "1149.37",
        "original_value": "0.00",
        "titles": [],
        "titles_removed": [],
        "titles_in_force": {"year": 2028, "source": "licence", "number": "L-1", "version": 0},
    }


def test_every_language_has_every_label() -> None:
    english = set(labels()["en"])
    assert {language: set(found) for language, found in labels().items()} == {
        "en": english,
        "nl": english,
        "zh": english,
    }


def test_a_chinese_licence_reads_as_amended_in_chinese() -> None:
    context = as_amended_context(_view("zh"), today=date(2026, 12, 6))
    assert context["title"] == "L-1（经修订）"
    period = context["periods"][0]
    assert period["heading"] == "开票期间2：2028年1月1日 – 2028年12月31日，开票日期2028年1月1日"
    assert period["lines"][0]["charged"] == "计费期间2028年7月1日 – 2028年12月31日"
    assert period["changes"] == [{"label": "由A-1变更", "net": "+ €1,149.37"}]
    assert context["invoicing"] == "按合同年度每年预先开票"


def test_a_language_without_labels_reads_in_english() -> None:
    context = as_amended_context(_view("de"), today=date(2026, 12, 6))
    assert context["periods"][0]["heading"] == (
        "Invoice period 2: 1 January 2028 – 31 December 2028, invoiced on 1 January 2028"
    )
