"""The VAT rate table: rates per country and tax category with their validity dates."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint

from app.assembly.tax import TaxRate
from app.tax import services as tax_rates
from app.users import scopes
from app.web.api.auth import auth, current_user
from app.web.context import runtime, unit_of_work
from app.web.schemas.tax import TaxRatesIn, TaxRatesOut, TaxRatesQuery

bp = APIBlueprint("api_tax_rates", __name__, url_prefix="/api/v1", tag="Tax rates")


def _out(rates: list[TaxRate]) -> dict[str, Any]:
    return {
        "items": [rate.as_json() for rate in rates],
        "fallback": {country: str(rate) for country, rate in runtime().settings.vat_rates.items()},
    }


@bp.get("/tax-rates")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.input(TaxRatesQuery, location="query")
@bp.output(TaxRatesOut)
@bp.doc(summary="The VAT rate table, by country, category and validity")
def rates(query_data: TaxRatesQuery) -> dict[str, Any]:
    uow = unit_of_work()
    with uow:
        return _out(tax_rates.list_rates(uow.session, query_data.country))


@bp.put("/tax-rates")
@bp.auth_required(auth, roles=[scopes.WRITE])
@bp.input(TaxRatesIn)
@bp.output(TaxRatesOut)
@bp.doc(
    summary="Replace the whole rate table (finance, admin)",
    description="Rows of one country and category may not overlap: one rate stands for any "
    "day. Documents already made keep the rates they were made with.",
    responses=[403, 422],
)
def replace(json_data: TaxRatesIn) -> dict[str, Any]:
    kept = tax_rates.replace_rates(
        unit_of_work(), [rate.as_rate() for rate in json_data.rates], actor=current_user()
    )
    return _out(kept)


@bp.post("/tax-rates")
@bp.auth_required(auth, roles=[scopes.WRITE])
@bp.input(TaxRatesIn)
@bp.output(TaxRatesOut)
@bp.doc(
    summary="Add rates to the table, e.g. a rate change (finance, admin)",
    description="An added rate without an end that starts after a standing rate of its "
    "country and category ends that rate the day before (a rate change); any other overlap "
    "refuses the request, naming the row.",
    responses=[403, 422],
)
def add(json_data: TaxRatesIn) -> dict[str, Any]:
    table = tax_rates.add_rates(
        unit_of_work(), [rate.as_rate() for rate in json_data.rates], actor=current_user()
    )
    return _out(table)
