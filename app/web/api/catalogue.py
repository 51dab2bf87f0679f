"""The catalogue API: the product picker's list prices, and setting a year's price list."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint

from app.catalogue import services as catalogue
from app.db import utcnow
from app.users import scopes
from app.web.api.auth import auth, current_user
from app.web.context import unit_of_work
from app.web.schemas.catalogue import PriceListIn, PriceListOut, ProductQuery, ProductsOut

bp = APIBlueprint("api_catalogue", __name__, url_prefix="/api/v1", tag="Catalogue")


@bp.get("/products")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.input(ProductQuery, location="query")
@bp.output(ProductsOut)
@bp.doc(summary="The catalogue with the list prices standing in a year, in one currency")
def products(query_data: ProductQuery) -> dict[str, Any]:
    year = query_data.year or utcnow().year
    uow = unit_of_work()
    with uow:
        rows = []
        for product in catalogue.list_products(uow.session):
            price = product.standing_price(query_data.currency, year)
            rows.append(
                {
                    "sku": product.sku,
                    "name": product.name,
                    "kind": product.kind,
                    "unit": product.unit,
                    "tax_category": product.tax_category,
                    "unit_price": str(price.unit_price) if price else None,
                    "listed_in": price.year if price else None,
                }
            )
    return {"currency": query_data.currency, "year": year, "products": rows}


@bp.put("/price-lists/<int:year>/<currency>")
@bp.auth_required(auth, roles=[scopes.WRITE])
@bp.input(PriceListIn)
@bp.output(PriceListOut)
@bp.doc(
    summary="Set a year's list prices in one currency (finance, admin)",
    description="Documents already made keep their prices; new ones priced in that year "
    "take these. An unknown SKU refuses the whole list.",
    responses=[403, 422],
)
def set_price_list(year: int, currency: str, json_data: PriceListIn) -> dict[str, Any]:
    changed = catalogue.publish_price_list(
        unit_of_work(),
        year=year,
        currency=currency.upper(),
        prices=dict(json_data.prices),
        actor=current_user(),
    )
    return {
        "year": year,
        "currency": currency.upper(),
        "changed": changed,
        "prices": json_data.prices,
    }
