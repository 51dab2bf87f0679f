"""Which VAT each line of a document charges. Pure: facts in, decisions out.

The invoiced party decides how the seller taxes it, once per seller and party
(`decide_rules`):

- a party in the seller's country pays the rates of that country;
- a business in another EU member state with a valid VAT number: reverse charge, no VAT
  charged, and the legal note on the document;
- anyone else pays the rates of their own country where rates are known for it, and is
  otherwise outside the scope of VAT;
- a rate given in the request overrides all of this, for every line ("given").

Then each line takes the rate for its tax category on its tax point date
(`TaxRules.for_line`): the rate table's row for that country and category valid on that day;
else the country's `standard` row valid that day (a category without a rate of its own is
standard-rated); else the country's configured fallback rate (`CONTRACTDESK_TAX_RATES`,
standard category). The rate names the treatment: exempt where the row says so,
zero-rated at 0 %, reduced below the standard rate of that day, standard otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError
from stdnum.gb import vat as gb_vat

STANDARD_CATEGORY = "standard"

# Treatments of a line.
STANDARD = "standard"
REDUCED = "reduced"
ZERO_RATED = "zero_rated"
REVERSE_CHARGE = "reverse_charge"
EXEMPT = "exempt"
OUTSIDE_SCOPE = "outside_scope"
GIVEN = "given"
TREATMENTS = (STANDARD, REDUCED, ZERO_RATED, REVERSE_CHARGE, EXEMPT, OUTSIDE_SCOPE, GIVEN)
# What documents made before tax by line recorded as their one treatment.
DOMESTIC = "domestic"
CONFIGURED = "configured"

RATED = "rated"
"""The basis of a party that pays the rates of a country, line by line."""

_NOTED = frozenset({ZERO_RATED, REVERSE_CHARGE, EXEMPT, OUTSIDE_SCOPE})

EU_COUNTRIES = frozenset(code.upper() for code in eu_vat.MEMBER_STATES if code != "xi")


@dataclass(frozen=True)
class TaxRate:
    """One row of the rate table: a country's rate for a tax category from `valid_from`
    to `valid_to` (its last day; None while it stands)."""

    country: str
    category: str
    rate_percent: Decimal
    valid_from: date
    valid_to: date | None = None
    name: str = ""
    exempt: bool = False

    def valid_on(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def overlaps(self, other: TaxRate) -> bool:
        """Whether both rows would give a rate for the same country, category and day."""
        if (self.country, self.category) != (other.country, other.category):
            return False
        ends_before = self.valid_to is not None and self.valid_to < other.valid_from
        starts_after = other.valid_to is not None and other.valid_to < self.valid_from
        return not (ends_before or starts_after)

    def as_json(self) -> dict[str, Any]:
        return {
            "country": self.country,
            "category": self.category,
            "rate_percent": str(self.rate_percent),
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "name": self.name,
            "exempt": self.exempt,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TaxRate:
        return cls(
            country=data["country"],
            category=data["category"],
            rate_percent=Decimal(data["rate_percent"]),
            valid_from=date.fromisoformat(data["valid_from"]),
            valid_to=date.fromisoformat(data["valid_to"]) if data.get("valid_to") else None,
            name=data.get("name", ""),
            exempt=bool(data.get("exempt", False)),
        )


def overlapping(rates: Sequence[TaxRate]) -> list[tuple[int, int]]:
    """Pairs (earlier index, later index) of rows that overlap: a table with any is refused."""
    return [
        (i, j)
        for j, later in enumerate(rates)
        for i, earlier in enumerate(rates[:j])
        if earlier.overlaps(later)
    ]


@dataclass(frozen=True)
class LineTax:
    treatment: str
    rate_percent: Decimal
    note_key: str | None = None
    """The label of the legal note the treatment needs on the document, if any."""


class NoTaxRate(LookupError):
    """A country is taxed by rates, but none stands for a category on a day."""

    def __init__(self, country: str, category: str, on: date, line: int | None = None) -> None:
        super().__init__(f"no VAT rate for {country} {category} on {on.isoformat()}")
        self.country, self.category, self.on, self.line = country, category, on, line


def note_key(treatment: str) -> str | None:
    return f"tax_note_{treatment}" if treatment in _NOTED else None


@dataclass(frozen=True)
class TaxRules:
    """How the seller taxes one invoiced party, line by line: `basis` is RATED (the rates of
    `country`), or one treatment at `rate_percent` for every line (reverse charge, outside
    scope, a given rate, or the one treatment an older document recorded)."""

    basis: str
    rate_percent: Decimal = Decimal(0)
    country: str = ""
    rates: tuple[TaxRate, ...] = ()
    """The country's rows of the rate table."""
    fallback_percent: Decimal | None = None
    """The country's configured standard rate, for days the table does not cover."""

    def _row(self, category: str, on: date) -> TaxRate | None:
        return next((r for r in self.rates if r.category == category and r.valid_on(on)), None)

    def standard_percent(self, on: date) -> Decimal | None:
        row = self._row(STANDARD_CATEGORY, on)
        return row.rate_percent if row else self.fallback_percent

    def for_line(self, category: str, on: date) -> LineTax:
        """The treatment, rate and legal note of a line of `category` taxed on `on`."""
        if self.basis != RATED:
            return LineTax(self.basis, self.rate_percent, note_key(self.basis))
        row = self._row(category, on) or self._row(STANDARD_CATEGORY, on)
        standard = self.standard_percent(on)
        rate = row.rate_percent if row else standard
        if rate is None:
            raise NoTaxRate(self.country, category, on)
        if row is not None and row.exempt:
            treatment = EXEMPT
        elif rate == 0:
            treatment = ZERO_RATED
        elif standard is not None and rate < standard:
            treatment = REDUCED
        else:
            treatment = STANDARD
        return LineTax(treatment, rate, note_key(treatment))

    def as_record(self) -> dict[str, Any]:
        """What a stored document keeps, so that it is taxed the same when rendered again."""
        return {
            "basis": self.basis,
            "rate_percent": str(self.rate_percent),
            "country": self.country,
            "rates": [rate.as_json() for rate in self.rates],
            "fallback_percent": None
            if self.fallback_percent is None
            else str(self.fallback_percent),
        }

    @classmethod
    def from_record(cls, totals: Mapping[str, Any]) -> TaxRules:
        """The rules a document was made with, from its record; a document made before tax
        by line applied its one rate and treatment to every line."""
        kept = totals.get("tax_rules")
        if kept is None:
            return cls(totals.get("tax_treatment", GIVEN), Decimal(totals["tax_rate_percent"]))
        fallback = kept.get("fallback_percent")
        return cls(
            basis=kept["basis"],
            rate_percent=Decimal(kept["rate_percent"]),
            country=kept["country"],
            rates=tuple(TaxRate.from_json(rate) for rate in kept["rates"]),
            fallback_percent=None if fallback is None else Decimal(fallback),
        )


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


def decide_rules(
    *,
    seller_country: str,
    customer_country: str,
    customer_vat_id: str | None,
    rates: Iterable[TaxRate],
    fallback: Mapping[str, Decimal],
) -> TaxRules:
    """How the seller taxes this customer (see the module's docstring)."""
    valid_vat = bool(customer_vat_id) and (
        vat_number_problem(customer_vat_id or "", customer_country) is None
    )
    if customer_country != seller_country and customer_country in EU_COUNTRIES and valid_vat:
        return TaxRules(REVERSE_CHARGE)
    country_rates = tuple(rate for rate in rates if rate.country == customer_country)
    if not country_rates and customer_country not in fallback:
        return TaxRules(OUTSIDE_SCOPE)
    return TaxRules(
        RATED,
        country=customer_country,
        rates=country_rates,
        fallback_percent=fallback.get(customer_country),
    )


def given_rules(rate_percent: Decimal) -> TaxRules:
    """A rate given in the request, for every line."""
    return TaxRules(GIVEN, rate_percent)


def plain(percent: Decimal) -> Decimal:
    """A rate without trailing zeros and in plain digits: 21.0000 -> 21, 5.50 -> 5.5."""
    normal = percent.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


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
