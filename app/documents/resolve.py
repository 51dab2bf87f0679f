"""From a request's data to a `DocumentInput`: validate it for the template's kind, look up
the account, the catalogue prices and the approved clause texts it needs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.assembly.clauses import ClauseText
from app.assembly.document import (
    DocumentInput,
    Party,
    PricedLineInput,
    included_clause_keys,
    line_taxes,
)
from app.assembly.kinds import KINDS, Kind
from app.assembly.pricing import LineInput, discount_problems, tidy_price
from app.assembly.schemas import DocumentData, NewCustomer, QuoteData, Signatory
from app.assembly.tax import STANDARD_CATEGORY, NoTaxRate, TaxRules, given_rules
from app.catalogue.models import Product
from app.config import Settings
from app.errors import FieldError, InvalidInput
from app.library.clause_files import PREFERRED
from app.library.clauses import choose_versions
from app.library.models import ClauseVersion
from app.library.template_packages import TemplatePackage
from app.tax import services as tax_rates
from app.uow import UnitOfWork
from app.validation import field_errors


@dataclass(frozen=True)
class Resolved:
    """The request after every reference (account, skus, clauses) has been looked up."""

    customer: Party
    account_id: uuid.UUID | None
    lines: list[PricedLineInput]
    clauses: list[ClauseVersion]
    tax: TaxRules
    """How the customer is taxed: by the rules now, or for a stored document as it was made."""


def with_defaults(settings: Settings, data: DocumentData, issued_on: date) -> DocumentData:
    """The data with the defaults the service applies: the seller's signatory, a quote's
    validity."""
    if data.seller_signatory is None:
        data = data.model_copy(
            update={
                "seller_signatory": Signatory(
                    name=settings.seller_signatory_name, title=settings.seller_signatory_title
                )
            }
        )
    if isinstance(data, QuoteData):
        if data.valid_until is None:
            until = issued_on + timedelta(days=settings.quote_validity_days)
            return data.model_copy(update={"valid_until": until})
        if data.valid_until < issued_on:
            raise InvalidInput(
                "a quote cannot be valid only until a day that has passed",
                [
                    FieldError(
                        "/data/valid_until", f"{data.valid_until} lies in the past", "date_in_past"
                    )
                ],
            )
    return data


def kind_of(package: TemplatePackage) -> Kind:
    return KINDS[package.kind]


def parse_data(kind: Kind, raw: Any) -> DocumentData:
    """Validate a request's `data` against the kind's model; errors point into `/data`."""
    try:
        return kind.data_model.model_validate(raw)
    except ValidationError as exc:
        raise InvalidInput(
            f"the data does not fit a {kind.name}; see errors",
            field_errors(exc, {"data": raw}, prefix=("data",)),
        ) from exc


def _customer(session: Session, data: DocumentData) -> tuple[Party, uuid.UUID | None]:
    if isinstance(data.account, NewCustomer):
        c = data.account
        return Party(name=c.name, address=c.address, country=c.country, vat_id=c.vat_id), None
    account = session.get(Account, data.account)
    if account is None:
        raise InvalidInput(
            f"no account {data.account}", [FieldError("/data/account", "unknown account id")]
        )
    party = Party(
        name=account.name, address=account.address, country=account.country, vat_id=account.vat_id
    )
    return party, account.id


def _lines(session: Session, data: DocumentData, issued_on: date) -> list[PricedLineInput]:
    """Each requested line with its price settled: a free line's own, or the catalogue's
    list price in the document's currency for the year the document prices."""
    year = data.pricing_year(issued_on)
    requested = data.priced_lines
    skus = {line.sku for line in requested if line.sku}
    products = {
        p.sku: p for p in session.scalars(select(Product).where(Product.sku.in_(skus))).all()
    }
    lines, errors = [], _category_errors(session, data)
    for index, line in enumerate(requested):
        pointer = f"/data/lines/{index}"
        if line.sku is None:
            assert line.description is not None and line.unit_price is not None
            lines.append(
                PricedLineInput(
                    None,
                    line.description,
                    line.quantity,
                    line.unit_price,
                    line.discount_percent,
                    line.discount_amount,
                    tax_category=line.tax_category or STANDARD_CATEGORY,
                )
            )
            continue
        product = products.get(line.sku)
        if product is None:
            errors.append(FieldError(f"{pointer}/sku", f"unknown sku {line.sku!r}", "unknown_sku"))
            continue
        list_price = product.price_in(data.currency, year)
        if list_price is None and line.unit_price is None:
            errors.append(
                FieldError(
                    f"{pointer}/sku",
                    f"{line.sku} has no {year} list price in {data.currency}",
                    "no_list_price",
                    {"year": str(year), "currency": data.currency},
                )
            )
            continue
        listed = tidy_price(list_price, data.currency) if list_price is not None else None
        price = line.unit_price if line.unit_price is not None else listed
        assert price is not None
        lines.append(
            PricedLineInput(
                product.sku,
                line.description or product.name,
                line.quantity,
                price,
                line.discount_percent,
                line.discount_amount,
                list_price=listed,
                tax_category=line.tax_category or product.tax_category,
            )
        )
    if errors:
        raise InvalidInput("some lines cannot be priced", errors)
    _check_discounts(data, lines)
    return lines


def _category_errors(session: Session, data: DocumentData) -> list[FieldError]:
    """A tax category given on a line must be one the catalogue or the rate table knows:
    a mistyped one would silently take the standard rate."""
    given = [(i, ln.tax_category) for i, ln in enumerate(data.priced_lines) if ln.tax_category]
    if not given:
        return []
    known = tax_rates.known_categories(session)
    return [
        FieldError(
            f"/data/lines/{index}/tax_category",
            f"unknown tax category {category!r}; known: {', '.join(sorted(known))}",
            "unknown_tax_category",
        )
        for index, category in given
        if category not in known
    ]


def _check_discounts(data: DocumentData, lines: list[PricedLineInput]) -> None:
    problems = discount_problems(
        [
            LineInput(ln.quantity, ln.unit_price, ln.discount_percent, ln.discount_amount)
            for ln in lines
        ],
        currency=data.currency,
        discount_amount=data.discount_off,
    )
    if problems:
        raise InvalidInput(
            "a discount is larger than what it discounts",
            [
                FieldError(
                    "/data/discount_amount"
                    if index is None
                    else f"/data/lines/{index}/discount_amount",
                    reason,
                    "discount_too_large",
                )
                for index, reason in problems
            ],
        )


def _clause_versions(
    session: Session, package: TemplatePackage, doc: DocumentInput
) -> list[ClauseVersion]:
    """The approved text of each clause the outline includes for this document, in its
    language and jurisdiction and in the playbook position asked for."""
    data = doc.data
    keys = included_clause_keys(doc, kind_of(package).variables(doc))
    strays = sorted(set(data.clause_positions) - set(keys))
    if strays:
        raise InvalidInput(
            "playbook positions name clauses this document does not contain",
            [FieldError(f"/data/clause_positions/{key}", "not in this document") for key in strays],
        )
    positions = {key: data.clause_positions.get(key, PREFERRED) for key in keys}
    chosen = choose_versions(
        session, positions, language=data.language, jurisdiction=doc.jurisdiction
    )
    versions, errors = [], []
    for key in keys:
        found = chosen[key]
        if isinstance(found, str):
            pointer = (
                f"/data/clause_positions/{key}"
                if positions[key] != PREFERRED
                else "/data/jurisdiction"
            )
            errors.append(FieldError(pointer, found))
        else:
            versions.append(found)
    if errors:
        raise InvalidInput("the clause library has no text for some clauses", errors)
    return versions


def document_input(
    uow: UnitOfWork,
    package: TemplatePackage,
    data: DocumentData,
    resolved: Resolved,
    *,
    number: str,
    issued_on: date,
) -> DocumentInput:
    settings = uow.settings
    return DocumentInput(
        kind=package.kind,
        number=number,
        issued_on=issued_on,
        seller=Party(
            name=settings.seller_name,
            address=settings.seller_address,
            country=settings.seller_country,
            vat_id=settings.seller_vat_number,
            company_number=settings.seller_company_number,
        ),
        customer=resolved.customer,
        data=data,
        lines=resolved.lines,
        outline=package.outline,
        clauses={
            v.clause.key: ClauseText(v.clause.key, v.title, v.version, v.sha256, v.body)
            for v in resolved.clauses
        },
        labels=package.labels_for(data.language),
        jurisdiction=data.jurisdiction or settings.default_jurisdiction,
        tax=resolved.tax,
        day_count=settings.day_count,
    )


def _check_rates(doc: DocumentInput) -> None:
    """Every line has a VAT rate on every day the document taxes it on."""
    try:
        for on in doc.data.tax_points(doc.issued_on):
            line_taxes(doc, on=on)
    except NoTaxRate as exc:
        raise InvalidInput(
            f"{exc}: finance keeps the rates (GET /api/v1/tax-rates)",
            [FieldError(f"/data/lines/{exc.line}", str(exc), "no_tax_rate")],
        ) from exc


def _tax(session: Session, settings: Settings, data: DocumentData, customer: Party) -> TaxRules:
    if data.tax_rate is not None:
        return given_rules(data.tax_rate)
    return tax_rates.rules_for(
        session, settings, customer_country=customer.country, customer_vat_id=customer.vat_id
    )


def resolve(
    uow: UnitOfWork, package: TemplatePackage, data: DocumentData, *, issued_on: date
) -> Resolved:
    if data.language not in package.languages:
        raise InvalidInput(
            f"template {package.key!r} is written in {', '.join(package.languages)}",
            [FieldError("/data/language", f"one of {', '.join(package.languages)}")],
        )
    customer, account_id = _customer(uow.session, data)
    lines = _lines(uow.session, data, issued_on)
    tax = _tax(uow.session, uow.settings, data, customer)
    unpinned = Resolved(customer, account_id, lines, [], tax)
    probe = document_input(uow, package, data, unpinned, number="", issued_on=issued_on)
    _check_rates(probe)
    clauses = _clause_versions(uow.session, package, probe)
    return Resolved(customer, account_id, lines, clauses, tax)


def data_schema(package: TemplatePackage) -> dict[str, Any]:
    """The JSON Schema of a template's data: its kind's model, in its own languages."""
    schema = kind_of(package).data_model.model_json_schema()
    schema["properties"]["language"]["enum"] = list(package.languages)
    return schema
