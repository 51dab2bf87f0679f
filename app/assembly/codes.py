"""Country and currency codes as ISO publishes them today (pycountry carries the
standards' lists): `Country` is an ISO 3166-1 alpha-2 code, `Currency` an ISO 4217 code
money can be invoiced in.

Babel's territory and currency lists, used before, also hold what is no country (`ZZ`
unknown region, `EU`, `EZ`, `UN`, `QO`) and currencies long gone (`DEM`, `FRF`); those
are refused, and so are ISO 4217's codes that are no money to invoice in: precious
metals, bond-market and settlement units, the SDR, the test code `XTS` and `XXX`."""

from __future__ import annotations

from typing import Annotated

import pycountry
from pydantic import AfterValidator, BeforeValidator, Field

NOT_MONEY = frozenset(
    {"XAD", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XDR", "XPD", "XPT", "XSU", "XTS", "XUA"}
    | {"XXX"}
)
COUNTRIES = frozenset(country.alpha_2 for country in pycountry.countries)
CURRENCIES = frozenset(currency.alpha_3 for currency in pycountry.currencies) - NOT_MONEY


def known_country(value: str) -> str:
    """An ISO 3166-1 alpha-2 code, upper-cased; anything else is refused."""
    code = value.upper()
    if code not in COUNTRIES:
        raise ValueError(f"{value!r} is not an ISO 3166-1 country code")
    return code


def known_currency(value: str) -> str:
    """An ISO 4217 code of money in use, upper-cased; anything else is refused."""
    code = value.upper()
    if code not in CURRENCIES:
        raise ValueError(f"{value!r} is not an ISO 4217 code of a currency in use")
    return code


def _stripped(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


Country = Annotated[
    str,
    BeforeValidator(_stripped),
    AfterValidator(known_country),
    Field(
        min_length=2,
        max_length=2,
        description="ISO 3166-1 alpha-2 code, e.g. GB",
        json_schema_extra={"enum": sorted(COUNTRIES), "x-iso": "country"},
    ),
]
Currency = Annotated[
    str,
    BeforeValidator(_stripped),
    AfterValidator(known_currency),
    Field(
        min_length=3,
        max_length=3,
        description="ISO 4217 code, e.g. EUR",
        json_schema_extra={"enum": sorted(CURRENCIES), "x-iso": "currency"},
    ),
]
