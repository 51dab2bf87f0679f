"""The product catalogue and its list prices."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalogue.models import Price, Product


def list_products(session: Session) -> list[Product]:
    return list(session.scalars(select(Product).order_by(Product.sku)))


def add_product(
    session: Session,
    *,
    sku: str,
    name: str,
    kind: str,
    prices: dict[str, Decimal],
    description: str = "",
) -> Product:
    product = Product(sku=sku, name=name, kind=kind, description=description)
    product.prices = [Price(currency=c, unit_price=amount) for c, amount in prices.items()]
    session.add(product)
    return product
