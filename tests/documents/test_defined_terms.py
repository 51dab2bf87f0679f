"""Defined terms, read as a lawyer reads the PDF: every capitalised term a document uses
is defined in it (or, for an amendment, in the licence it amends), every definition is
used, none is defined twice, and no possessive is formed from a company's name."""

from __future__ import annotations

from typing import Any

import pytest
from apiflask import APIFlask

from app.assembly.defined_terms import check_defined_terms
from app.config import PROJECT_ROOT
from app.documents.renders import render_sample
from app.library.template_packages import read_template_package
from tests.support.document_terms import context_names, pdf_text

TEMPLATES = PROJECT_ROOT / "contract_templates"


def _sample(app: APIFlask, template: str, language: str) -> tuple[str, list[str]]:
    uow = app.extensions["contractdesk"].unit_of_work()
    with uow:
        assembled, files = render_sample(uow, read_template_package(TEMPLATES / template), language)
    return pdf_text(files["pdf"]), list(context_names(assembled.context))


@pytest.mark.parametrize("language", ["en", "nl", "zh"])
def test_the_licence_defines_each_term_it_uses_and_uses_each_it_defines(
    app: APIFlask, language: str
) -> None:
    text, names = _sample(app, "licence-agreement", language)
    report = check_defined_terms(text, language, names=names)
    assert report.problems == ()
    expected = {"en": "Licensee", "nl": "Licentienemer", "zh": "被许可方"}[language]
    assert expected in report.defined
    assert len(report.defined) >= 15


@pytest.mark.parametrize("language", ["en", "nl", "zh"])
def test_an_amendment_uses_only_terms_it_or_the_licence_defines(
    app: APIFlask, language: str
) -> None:
    licence = check_defined_terms(*_licence_args(app, language), language)
    text, names = _sample(app, "amendment", language)
    report = check_defined_terms(text, language, names=names, inherited=licence.defined)
    assert report.problems == ()
    assert {"en": "Agreement", "nl": "Overeenkomst", "zh": "本协议"}[language] in report.defined


def _licence_args(app: APIFlask, language: str) -> tuple[str]:
    text, _ = _sample(app, "licence-agreement", language)
    return (text,)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_a_quote_uses_no_capitalised_term_it_does_not_define(app: APIFlask, language: str) -> None:
    text, names = _sample(app, "quote", language)
    assert check_defined_terms(text, language, names=names).problems == ()


def _report(text: str, language: str = "en", **kwargs: Any) -> tuple[str, ...]:
    return check_defined_terms(text, language, **kwargs).problems


def test_the_check_names_undefined_unused_doubled_terms_and_possessives_of_names() -> None:
    text = (
        "Library Services Ltd (the Publisher) and Sample University (the Licensee).\n"
        "Licensed Material means the journals listed.\n"
        "Licensed Material means the books listed.\n"
        "The Licensee may use the Licensed Material and earn Service Credits.\n"
        "Access is through Library Services's platform.\n"
    )
    problems = _report(text, names=["Library Services Ltd", "Sample University"])
    assert problems == (
        '"Library Services\'s" is used but never defined',
        "'Service Credits' is used but never defined",
        "'Publisher' is defined but never used",
        "'Licensed Material' is defined more than once",
        '"Library Services\'s": a possessive formed from a name; use the defined term',
    )


def test_dutch_terms_match_in_their_inflected_and_plural_forms() -> None:
    text = (
        "Beveiligd Netwerk: een netwerk voor Geautoriseerde Gebruikers.\n"
        "Geautoriseerde Gebruikers: de personen die de Licentienemer noemt.\n"
        'Sample Universiteit (de "Licentienemer") geeft een Geautoriseerde Gebruiker toegang\n'
        "via het Beveiligde Netwerk en betaalt de Servicekosten.\n"
    )
    assert _report(text, "nl", names=["Sample Universiteit"]) == (
        "'Servicekosten' is used but never defined",
    )


def test_chinese_quoted_terms_must_be_defined_and_definitions_used() -> None:
    text = (
        "甲公司（“出版方”）与乙大学（“被许可方”）。\n"
        "许可材料：指期刊。\n"
        "出版方向被\n许可方提供“服务积分”。"
    )
    assert _report(text, "zh") == (
        "'服务积分' is used but never defined",
        "'许可材料' is defined but never used",
    )
