"""The product catalogue and its price lists: one list per currency and year."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assembly.codes import CURRENCIES
from app.audit import services as audit
from app.catalogue.models import Price, Product
from app.errors import FieldError, Forbidden, InvalidInput
from app.uow import UnitOfWork
from app.users.models import User


def list_products(session: Session) -> list[Product]:
    return list(session.scalars(select(Product).order_by(Product.sku)))


def add_product(
    session: Session,
    *,
    sku: str,
    name: str,
    kind: str,
    prices: dict[str, Decimal],
    year: int,
    description: str = "",
    tax_category: str = "standard",
) -> Product:
    """A new product with its list prices for one year, by currency."""
    product = Product(
        sku=sku, name=name, kind=kind, description=description, tax_category=tax_category
    )
    product.prices = [
        Price(currency=c, year=year, unit_price=amount) for c, amount in prices.items()
    ]
    session.add(product)
    return product


PRICING_ROLES = frozenset({"admin", "finance"})


@dataclass(frozen=True)
class PriceList:
    """One year's list in one currency, as the audit log names it."""

    year: int
    currency: str

    @property
    def id(self) -> str:
        return f"{self.year}-{self.currency}"


def publish_price_list(
    uow: UnitOfWork, *, year: int, currency: str, prices: dict[str, Decimal], actor: User
) -> int:
    """Set one year's list in one currency (finance or admin), audited; answers how many
    prices changed. Documents already made keep the prices they were made with."""
    if actor.role not in PRICING_ROLES:
        raise Forbidden("only finance and admin users set price lists")
    if currency not in CURRENCIES:
        raise InvalidInput(
            f"{currency!r} is not an ISO 4217 code of a currency in use",
            [FieldError("/currency", "not an ISO 4217 code of a currency in use")],
        )
    with uow:
        changed = set_price_list(uow.session, year=year, currency=currency, prices=prices)
        audit.record_event(
            uow.session,
            tag="price_list.published",
            subject=PriceList(year, currency),
            actor=actor,
            data={
                "year": year,
                "currency": currency,
                "prices": {sku: str(amount) for sku, amount in sorted(prices.items())},
                "changed": changed,
            },
        )
        uow.commit()
        return changed


def set_price_list(
    session: Session, *, year: int, currency: str, prices: dict[str, Decimal]
) -> int:
    """Set the list prices of one year in one currency, by SKU; answers how many changed.

    Every SKU must be in the catalogue: an unknown one refuses the whole list, so that a
    list is never half-applied."""
    products = {p.sku: p for p in session.scalars(select(Product).where(Product.sku.in_(prices)))}
    unknown = [sku for sku in prices if sku not in products]
    if unknown:
        raise InvalidInput(
            f"unknown SKUs: {', '.join(unknown)}",
            [FieldError(f"/prices/{sku}", "not in the catalogue") for sku in unknown],
        )
    changed = 0
    for sku, amount in prices.items():
        product = products[sku]
        existing = next(
            (p for p in product.prices if p.currency == currency and p.year == year), None
        )
        if existing is None:
            product.prices.append(Price(currency=currency, year=year, unit_price=amount))
            changed += 1
        elif existing.unit_price != amount:
            existing.unit_price = amount
            changed += 1
    return changed
