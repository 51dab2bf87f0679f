"""Which VAT a document charges, from the seller's and the customer's countries and the
customer's VAT number. Pure: facts in, a decision out.

- Customer in the seller's country: the domestic rate.
- Business customer in the EU with a valid VAT number: reverse charge, no VAT charged,
  and the legal note on the document.
- Anyone else: the rate configured for the customer's country, or none (outside the
  scope of VAT).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError
from stdnum.gb import vat as gb_vat

DOMESTIC = "domestic"
REVERSE_CHARGE = "reverse_charge"
CONFIGURED = "configured"
OUTSIDE_SCOPE = "outside_scope"

EU_COUNTRIES = frozenset(code.upper() for code in eu_vat.MEMBER_STATES if code != "xi")


@dataclass(frozen=True)
class TaxDecision:
    rate_percent: Decimal
    treatment: str


def vat_number_problem(vat_id: str, country: str) -> str | None:
    """Why a VAT number cannot be right, or None: the check digits of EU and UK numbers
    (python-stdnum), and that the number belongs to the customer's country."""
    number = vat_id.replace(" ", "").upper()
    prefix = "EL" if country == "GR" else country
    try:
        if country == "GB":
            gb_vat.validate(number.removeprefix("GB"))
        elif country in EU_COUNTRIES:
            if not number.startswith(prefix):
                return f"a VAT number from {country} starts with {prefix}"
            eu_vat.validate(number)
        else:
            return None
    except ValidationError as exc:
        return f"{vat_id!r} is not a valid VAT number ({exc})"
    return None


def decide_tax(
    *,
    seller_country: str,
    customer_country: str,
    customer_vat_id: str | None,
    rates: Mapping[str, Decimal],
) -> TaxDecision:
    if customer_country == seller_country:
        return TaxDecision(rates.get(seller_country, Decimal(0)), DOMESTIC)
    valid_vat = bool(customer_vat_id) and (
        vat_number_problem(customer_vat_id or "", customer_country) is None
    )
    if customer_country in EU_COUNTRIES and valid_vat:
        return TaxDecision(Decimal(0), REVERSE_CHARGE)
    if customer_country in rates:
        return TaxDecision(rates[customer_country], CONFIGURED)
    return TaxDecision(Decimal(0), OUTSIDE_SCOPE)


def parse_rates(text: str) -> dict[str, Decimal]:
    """`GB=20,NL=21` → {"GB": Decimal("20"), "NL": Decimal("21")}."""
    rates: dict[str, Decimal] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        country, sep, rate = part.partition("=")
        try:
            value = Decimal(rate.strip())
        except ArithmeticError:
            value = Decimal("NaN")
        if not sep or len(country.strip()) != 2 or not value.is_finite() or value < 0:
            raise ValueError(f"{part!r} is not COUNTRY=RATE, e.g. NL=21")
        rates[country.strip().upper()] = value
    return rates
