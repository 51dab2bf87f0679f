"""The quote's data model: what a form or a CRM sends to make a quote.

Money travels as decimal strings; a JSON number is refused for money so that no
float ever touches an amount.
"""

from __future__ import annotations

import datetime
import uuid
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from babel.numbers import get_currency_precision
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from app.assembly.codes import Country, Currency
from app.assembly.subscription.periods import InvoicePeriods, Period, invoice_periods
from app.assembly.tax import vat_number_problem
from app.assembly.text import Line, Text
from app.assembly.title_fields import (
    AccessType,
    Coverage,
    Isbn,
    Issn,
    KbartDate,
    PublicationType,
    url,
)

TAX_CATEGORY_PATTERN = r"^[a-z0-9]+([_-][a-z0-9]+)*$"


def _decimal_string(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError('send money and percentages as decimal strings, e.g. "12.50"')
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"{value!r} is not a decimal number") from exc
    if not number.is_finite():
        raise ValueError("must be a finite number")
    return number


DecimalString = Annotated[
    Decimal,
    BeforeValidator(_decimal_string),
    Field(json_schema_extra={"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}),
]
Percent = Annotated[DecimalString, Field(ge=0, le=100, max_digits=9, decimal_places=4)]
Money = Annotated[DecimalString, Field(ge=0, max_digits=18, decimal_places=4)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class NewCustomer(Strict):
    name: Line = Field(min_length=1, max_length=300)
    country: Country
    address: Text = Field(default="", max_length=2000)
    vat_id: Line | None = Field(
        default=None, max_length=40, description="Checked for EU and UK numbers"
    )

    @field_validator("vat_id")
    @classmethod
    def _valid_vat_number(cls, value: str | None, info: ValidationInfo) -> str | None:
        if not value or "country" not in info.data:
            return value or None
        problem = vat_number_problem(value, info.data["country"])
        if problem:
            raise ValueError(problem)
        return value.replace(" ", "").upper()


class QuoteLineIn(Strict):
    sku: Line | None = Field(
        default=None, max_length=64, title="SKU", description="A catalogue SKU"
    )
    description: Line | None = Field(
        default=None, max_length=500, description="For a free line: what is sold"
    )
    unit_price: Money | None = Field(
        default=None,
        description="A free line's price per unit; on a catalogue line, a contract price "
        "instead of the list price (a price below list needs approval like a discount)",
    )
    quantity: int = Field(ge=1, le=1_000_000)
    discount_percent: Percent = Field(default=Decimal(0))
    discount_amount: Money = Field(
        default=Decimal(0), description="An amount off the line, instead of a percent"
    )
    tax_category: str | None = Field(
        default=None,
        max_length=40,
        pattern=TAX_CATEGORY_PATTERN,
        description="The tax category the line is taxed by, e.g. e-publication; left out, "
        "a catalogue line takes its product's and a free line is standard",
    )

    @model_validator(mode="after")
    def _catalogue_or_free(self) -> QuoteLineIn:
        if self.sku is None and (self.description is None or self.unit_price is None):
            raise ValueError("give either a sku, or a description and a unit_price")
        if self.discount_percent and self.discount_amount:
            raise ValueError("give a line discount as a percent or as an amount, not both")
        return self


SignedMoney = Annotated[DecimalString, Field(ge=-(10**14), le=10**14, decimal_places=4)]


class FeeLineIn(QuoteLineIn):
    """A fee line of an amendment: a charge, or a credit (a negative unit price) for a
    title removed mid-term; a credit takes no discount."""

    unit_price: SignedMoney | None = Field(
        default=None, description="Price per unit; negative for a credit"
    )

    @model_validator(mode="after")
    def _credit_without_discount(self) -> FeeLineIn:
        credit = self.unit_price is not None and self.unit_price < 0
        if credit and (self.discount_percent or self.discount_amount):
            raise ValueError("a credit line takes no discount")
        return self


class Signatory(Strict):
    """Who signs for a party: a person by name, with the title they sign in."""

    name: Line = Field(min_length=1, max_length=200)
    title: Line = Field(min_length=1, max_length=200, description="Job title or office")


def _account_form(value: Any) -> str:
    return "new" if isinstance(value, dict | NewCustomer) else "id"


AccountRef = Annotated[
    Annotated[uuid.UUID, Tag("id")] | Annotated[NewCustomer, Tag("new")],
    Discriminator(_account_form),
]


class DocumentData(Strict):
    """What every document kind's data holds: who it is for, in what language and under
    which law, and the playbook positions chosen."""

    account: AccountRef = Field(
        description="An account id from the service, or a new customer's details"
    )
    currency: Currency
    language: str = Field(default="en", max_length=2, pattern=r"^(en|nl|zh)$")
    jurisdiction: str | None = Field(
        default=None,
        max_length=60,
        pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
        description="The law the document is written under, e.g. england-wales; "
        "defaults to the service's configured jurisdiction",
    )
    clause_positions: dict[
        Annotated[Line, Field(max_length=100)], Annotated[Line, Field(max_length=40)]
    ] = Field(
        default_factory=dict,
        max_length=50,
        description="Playbook fallbacks chosen instead of preferred texts, by clause key, "
        'e.g. {"limitation-of-liability": "fallback-1"}; any fallback needs legal approval',
    )
    po_number: Line | None = Field(default=None, max_length=100, title="Purchase order number")
    customer_signatory: Signatory | None = Field(
        default=None, description="Who signs for the customer; left out, the lines stay blank"
    )
    seller_signatory: Signatory | None = Field(
        default=None, description="Who signs for the seller; left out, the configured signatory"
    )
    notes: Text = Field(default="", max_length=4000)
    internal_comment: Text = Field(
        default="",
        max_length=4000,
        title="Internal comment",
        description="For colleagues only: never printed, and not a material change",
    )

    @property
    def minor_units(self) -> int:
        return get_currency_precision(self.currency)

    @property
    def priced_lines(self) -> list[QuoteLineIn]:
        """The lines that carry prices (fees); none for kinds without them."""
        return []

    def pricing_year(self, issued_on: date) -> int:
        """The year whose list prices the catalogue lines take."""
        return issued_on.year

    def tax_point(self, issued_on: date) -> date:
        """The day whose tax rates the lines take."""
        return issued_on

    def tax_points(self, issued_on: date) -> list[date]:
        """Every day the document taxes its lines on (checked before it is made)."""
        return [self.tax_point(issued_on)]

    @property
    def discount(self) -> Decimal:
        return Decimal(0)

    @property
    def discount_off(self) -> Decimal:
        """A header discount given as an amount (zero where it is a percent or none)."""
        return Decimal(0)

    @property
    def tax_rate(self) -> Decimal | None:
        """A rate given in the request, overriding the tax rules; None applies them."""
        return None


class PricedData(DocumentData):
    """A kind priced by lines, with a header discount and a tax rate."""

    lines: list[QuoteLineIn] = Field(min_length=1, max_length=500)
    discount_percent: Percent = Field(default=Decimal(0), description="Header discount")
    discount_amount: Money = Field(
        default=Decimal(0), description="A header discount as an amount, instead of a percent"
    )
    tax_rate_percent: Percent | None = Field(
        default=None,
        description="Leave out to apply the tax rules (each line at its tax category's rate "
        "for the invoiced party's country, EU reverse charge, outside scope); give it only "
        "to override them for every line",
    )

    @model_validator(mode="after")
    def _one_header_discount(self) -> PricedData:
        if self.discount_percent and self.discount_amount:
            raise ValueError("give the header discount as a percent or as an amount, not both")
        return self

    @property
    def priced_lines(self) -> list[QuoteLineIn]:
        return self.lines

    @property
    def discount(self) -> Decimal:
        return self.discount_percent

    @property
    def discount_off(self) -> Decimal:
        return self.discount_amount

    @property
    def tax_rate(self) -> Decimal | None:
        return self.tax_rate_percent


class SubscriptionPeriod(Strict):
    model_config = ConfigDict(title="Subscription Period")

    start: date
    end: date

    @classmethod
    def calendar_year(cls, year: int) -> SubscriptionPeriod:
        return cls(start=date(year, 1, 1), end=date(year, 12, 31))

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> SubscriptionPeriod:
        if self.end < self.start:
            raise ValueError("the subscription period ends before it starts")
        if (self.end - self.start).days > 3700:
            raise ValueError("a quote prices at most ten years")
        return self


class QuoteData(PricedData):
    valid_until: date | None = Field(default=None, description="Defaults to 30 days from today")
    subscription: SubscriptionPeriod | None = Field(
        default=None,
        description="The subscription period the quote prices, invoiced once in advance; "
        "defaults to the calendar year of the prices (the year of issue)",
    )

    def subscription_period(self, issued_on: date) -> SubscriptionPeriod:
        if self.subscription is not None:
            return self.subscription
        return SubscriptionPeriod.calendar_year(self.pricing_year(issued_on))

    def pricing_year(self, issued_on: date) -> int:
        return self.subscription.start.year if self.subscription else issued_on.year


FILE_ONLY: dict[str, Any] = {"form": False}
"""Marks a field that comes with a title file (KBART, CSV, XLSX) and stays off the page's
generated form, whose table rows hold what a person types for a title."""


class TitleIn(Strict):
    """One title of a licence or a title list: what KBART holds of it (identifiers,
    coverage ranges, URL, authors, publisher, access) and what our contracts add (subject,
    package, price). Columns a file brings beyond these are kept in `extra`."""

    title: Line = Field(min_length=1, max_length=500)
    title_id: Line = Field(default="", max_length=200, json_schema_extra=FILE_ONLY)
    publication_type: PublicationType = Field(default="serial", json_schema_extra=FILE_ONLY)
    issn: Issn = Field(title="ISSN", default=None, description="Print ISSN, e.g. 0028-0836")
    eissn: Issn = Field(title="eISSN", default=None, description="Online ISSN")
    issn_l: Issn = Field(
        title="ISSN-L", default=None, description="Linking ISSN", json_schema_extra=FILE_ONLY
    )
    isbn: Isbn = Field(title="ISBN", default=None, description="Print ISBN of a book")
    eisbn: Isbn = Field(title="eISBN", default=None, description="Online ISBN of a book")
    coverage: list[Coverage] = Field(
        default_factory=list, max_length=100, json_schema_extra=FILE_ONLY
    )
    title_url: Annotated[Line, AfterValidator(url)] = Field(
        default="", max_length=2000, json_schema_extra=FILE_ONLY
    )
    first_author: Line = Field(default="", max_length=300, json_schema_extra=FILE_ONLY)
    last_author: Line = Field(
        default="",
        max_length=300,
        description="A book's last author (beside KBART's first_author)",
        json_schema_extra=FILE_ONLY,
    )
    first_editor: Line = Field(default="", max_length=300, json_schema_extra=FILE_ONLY)
    publisher: Line = Field(default="", max_length=300, json_schema_extra=FILE_ONLY)
    access_type: AccessType = Field(default="", json_schema_extra=FILE_ONLY)
    date_monograph_published_print: KbartDate = Field(default="", json_schema_extra=FILE_ONLY)
    date_monograph_published_online: KbartDate = Field(default="", json_schema_extra=FILE_ONLY)
    monograph_volume: Line = Field(default="", max_length=100, json_schema_extra=FILE_ONLY)
    monograph_edition: Line = Field(default="", max_length=100, json_schema_extra=FILE_ONLY)
    parent_publication_title_id: Line = Field(
        default="", max_length=200, json_schema_extra=FILE_ONLY
    )
    preceding_publication_title_id: Line = Field(
        default="", max_length=200, json_schema_extra=FILE_ONLY
    )
    subject: Line = Field(default="", max_length=200)
    package: Line = Field(default="", max_length=200)
    price: Money | None = Field(default=None, description="Annual price, where listed")
    extra: dict[Annotated[Line, Field(max_length=100)], Annotated[Line, Field(max_length=2000)]] = (
        Field(default_factory=dict, max_length=100, json_schema_extra=FILE_ONLY)
    )

    @property
    def identifiers(self) -> tuple[str, ...]:
        """Print and online ISSN or ISBN, as given."""
        return tuple(i for i in (self.issn, self.eissn, self.isbn, self.eisbn) if i)


class Term(Strict):
    start: date
    years: int = Field(ge=1, le=10)

    @property
    def end(self) -> date:
        """The last day of the term."""
        try:
            return self.start.replace(year=self.start.year + self.years) - timedelta(days=1)
        except ValueError:  # 29 February
            return self.start.replace(year=self.start.year + self.years, day=28)


class SiteIn(Strict):
    name: Line = Field(min_length=1, max_length=300)
    address: Text = Field(default="", max_length=1000)


class LicenceData(PricedData):
    """A journal / e-book licence agreement: term, sites, fees per year, titles.
    Its `lines` are the fees for the first year of the term."""

    term: Term
    annual_uplift_percent: Percent = Field(
        default=Decimal(0), description="Price rise for each later year of the term"
    )
    sites: list[SiteIn] = Field(min_length=1, max_length=500)
    authorised_users: Text = Field(
        min_length=1,
        max_length=2000,
        description="Who may use the material, e.g. 'current students and staff'",
    )
    perpetual_access: bool = False
    notice_days: int = Field(default=90, ge=0, le=365)
    titles: list[TitleIn] = Field(default_factory=list, max_length=20_000)
    invoice_periods: InvoicePeriods = Field(
        default="contract-years",
        description="How the term is invoiced, in advance: by contract year, or by calendar "
        "year with a prorated first and last period",
    )

    def pricing_year(self, issued_on: date) -> int:
        return self.term.start.year

    def tax_point(self, issued_on: date) -> date:
        return self.term.start

    def tax_points(self, issued_on: date) -> list[date]:
        """Each invoice period of the term is taxed at the rates of its first day."""
        term = Period(self.term.start, self.term.end)
        return [period.start for period in invoice_periods(term, self.invoice_periods)]


class AgreementRef(Strict):
    number: Line = Field(min_length=1, max_length=40)
    date: date
    earlier_amendments: list[Annotated[Line, Field(max_length=40)]] = Field(
        default_factory=list, max_length=100
    )
    term_ends_on: datetime.date | None = Field(
        default=None,
        description="The last day of the term before this amendment (an extension is "
        "judged by the years it adds)",
    )


class ProductAdded(Strict):
    """A product the licence takes from the effective date, at its annual price for the
    contract year the amendment takes effect in."""

    sku: Line | None = Field(default=None, max_length=64, title="SKU")
    description: Line = Field(min_length=1, max_length=500)
    quantity: int = Field(default=1, ge=1, le=1_000_000)
    unit_price: Money
    discount_percent: Percent = Field(default=Decimal(0))
    tax_category: str = Field(default="standard", max_length=40, pattern=TAX_CATEGORY_PATTERN)


class PeriodChangeLine(FeeLineIn):
    """What one change charges (or credits) in one invoice period."""

    key: Line = Field(default="", max_length=300, description="The contract line changed")
    period_start: date | None = None
    period_end: date | None = None
    tax_category: str = Field(default="standard", max_length=40, pattern=TAX_CATEGORY_PATTERN)


class PriceChange(Strict):
    """A new annual price for a line of the licence from the effective date."""

    line: Line = Field(
        min_length=1, max_length=200, description="The line's key (e.g. line-1) or its SKU"
    )
    unit_price: Money


class AmendmentData(DocumentData):
    """The changes to a signed licence, and only the changes; `lines` are what they change
    in each invoice period from the effective date to the end of the term."""

    agreement: AgreementRef
    effective_date: date
    titles_added: list[TitleIn] = Field(default_factory=list, max_length=20_000)
    titles_removed: list[TitleIn] = Field(default_factory=list, max_length=20_000)
    products_added: list[ProductAdded] = Field(default_factory=list, max_length=500)
    price_changes: list[PriceChange] = Field(default_factory=list, max_length=500)
    fees: list[FeeLineIn] = Field(
        default_factory=list, max_length=500, description="One-off fees the amendment charges"
    )
    lines: list[PeriodChangeLine] = Field(
        default_factory=list,
        max_length=5000,
        description="What the changes charge or credit, one line per change and invoice "
        "period (worked out from the licence when the amendment is made)",
    )
    new_end_date: date | None = Field(default=None, description="A term extension")
    tax_rate_percent: Percent | None = Field(
        default=None, description="Leave out to apply the tax rules; give it to override them"
    )

    @model_validator(mode="after")
    def _changes_something(self) -> AmendmentData:
        changes = (
            self.titles_added,
            self.titles_removed,
            self.products_added,
            self.price_changes,
            self.fees,
            self.lines,
            self.new_end_date,
        )
        if not any(changes):
            raise ValueError("an amendment adds or removes titles, changes fees or the term")
        return self

    @property
    def priced_lines(self) -> list[QuoteLineIn]:
        return list(self.lines)

    @property
    def tax_rate(self) -> Decimal | None:
        return self.tax_rate_percent

    def pricing_year(self, issued_on: date) -> int:
        return self.effective_date.year

    def tax_point(self, issued_on: date) -> date:
        return self.effective_date


class TitleListData(DocumentData):
    """The titles of a licence or quote, for subscription agents."""

    reference: Line | None = Field(
        default=None, max_length=40, description="The licence or quote the list belongs to"
    )
    year: int | None = Field(
        default=None, ge=2000, le=2100, description="The licence year the list is for"
    )
    titles: list[TitleIn] = Field(min_length=1, max_length=20_000)
