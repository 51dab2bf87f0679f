"""Demo data for `contractdesk init --demo`: three customers, a catalogue with tax
categories, the VAT rates of a few countries, one user per role."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.catalogue.models import Product
from app.catalogue.services import add_product
from app.config import PROJECT_ROOT
from app.db import utcnow
from app.tax import services as tax_rates
from app.users import services as users
from app.users.models import ApiKey, User

ACCOUNTS: list[dict[str, Any]] = [
    {
        "name": "University of Northfield Library",
        "country": "GB",
        "address": "Library Building, Northfield Campus\nNorthfield NF1 2AB",
        "vat_id": None,
        "region": "UK & Ireland",
        "crm_id": "CRM-00481",
        "erp_id": "ERP-10021",
        "contact_name": "Dr Helen Marsh",
        "contact_email": "h.marsh@northfield.example.ac.uk",
    },
    {
        "name": "Consortium of Dutch Research Libraries (CDRL)",
        "country": "NL",
        "address": "Stationsplein 12\n3511 ED Utrecht",
        "vat_id": "NL000099998B57",
        "region": "Benelux",
        "crm_id": "CRM-00733",
        "erp_id": "ERP-20488",
        "contact_name": "Sanne de Vries",
        "contact_email": "s.devries@cdrl.example.nl",
    },
    {
        "name": "Huaxin Technology Corporate Library",
        "country": "CN",
        "address": "18 Keji Road, Nanshan District\nShenzhen 518057",
        "vat_id": None,
        "region": "Greater China",
        "crm_id": "CRM-01102",
        "erp_id": "ERP-30115",
        "contact_name": "Li Wei",
        "contact_email": "li.wei@huaxin.example.cn",
    },
]

# sku, name, kind, EUR list price; other currencies at fixed demo rates, rounded.
_PRODUCTS = [
    ("JNL-PHYS", "Physics & Astronomy Journals Collection", "journal_package", "18500"),
    ("JNL-CHEM", "Chemistry Journals Collection", "journal_package", "16200"),
    ("JNL-LIFE", "Life Sciences Journals Collection", "journal_package", "21400"),
    ("JNL-MED", "Clinical Medicine Journals Collection", "journal_package", "24800"),
    ("JNL-ENG", "Engineering Journals Collection", "journal_package", "15900"),
    ("JNL-MATH", "Mathematics Journals Collection", "journal_package", "9800"),
    ("JNL-CS", "Computer Science Journals Collection", "journal_package", "12300"),
    ("JNL-SOC", "Social Sciences Journals Collection", "journal_package", "8700"),
    ("JNL-HUM", "Humanities Journals Collection", "journal_package", "6400"),
    ("JNL-ECON", "Economics & Finance Journals Collection", "journal_package", "10500"),
    ("JNL-FULL", "Complete Journals Collection (all subjects)", "journal_package", "98000"),
    ("JNL-BACK", "Journal Backfiles Archive 1850–1999", "journal_archive", "45000"),
    ("EBK-STM-2026", "STM E-book Collection 2026", "ebook_collection", "28600"),
    (
        "EBK-HSS-2026",
        "Humanities & Social Sciences E-book Collection 2026",
        "ebook_collection",
        "19400",
    ),
    ("EBK-REF", "Major Reference Works Online", "ebook_collection", "7200"),
    ("EBK-TXT", "Course Textbooks Collection", "ebook_collection", "13800"),
    ("EBK-ENG-2026", "Engineering E-book Collection 2026", "ebook_collection", "11200"),
    ("EBK-MED-2026", "Medicine E-book Collection 2026", "ebook_collection", "14900"),
    ("SVC-ANALYTICS", "Usage Analytics Service (annual)", "service", "2400"),
    ("SVC-TDM", "Text and Data Mining Access (annual)", "service", "3500"),
]
_RATES = {"EUR": Decimal(1), "GBP": Decimal("0.86"), "USD": Decimal("1.08"), "CNY": Decimal("7.8")}
TAX_CATEGORIES = {
    "journal_package": "e-publication",
    "journal_archive": "e-publication",
    "ebook_collection": "e-publication",
    "service": "standard",
}
"""Journals and e-books are electronic publications (a reduced or zero rate in many
countries); services take the standard rate."""
TAX_RATES_FILE = PROJECT_ROOT / "config" / "tax-rates.csv"
"""The VAT rates of the demo: DE, FR, GB and NL, standard and e-publications, with their
validity (Germany's cut of the second half of 2020 included)."""

USERS = [
    ("support@example.com", "support", "Sam Support"),
    ("support2@example.com", "support", "Pat Coordinator"),
    ("manager@example.com", "manager", "Morgan Manager"),
    ("manager2@example.com", "manager", "Jordan Manager"),
    ("director@example.com", "director", "Dana Director"),
    ("legal@example.com", "legal", "Lee Legal"),
    ("legal2@example.com", "legal", "Robin Counsel"),
    ("finance@example.com", "finance", "Frances Finance"),
    ("admin@example.com", "admin", "Alex Admin"),
]
TEAMS = {
    "support@example.com": "UK & Ireland",
    "manager@example.com": "UK & Ireland",
    "support2@example.com": "Benelux & Asia",
    "manager2@example.com": "Benelux & Asia",
}
"""The sellers' desks: each support executive shares work with a manager."""

DEMO_KEY_NAME = "demo CRM"
PRICE_LIST_YEAR = 2026
"""The demo catalogue's price list: it stands for later years until a newer one is set."""


@dataclass(frozen=True)
class DemoSeed:
    created: bool
    api_key: str
    passwords: dict[str, str] = field(default_factory=dict)
    """Each demo user's password by email, made at creation and shown once (stored hashed)."""


def _price(eur: str, currency: str) -> Decimal:
    """The EUR list price converted at the demo rate, rounded to a round list price."""
    step = Decimal(100) if currency == "CNY" else Decimal(10)
    return (Decimal(eur) * _RATES[currency] / step).quantize(Decimal(1)) * step


def seed(session: Session, *, password: str | None = None) -> DemoSeed:
    """Add the demo data once; a second run adds nothing but a fresh demo API key.

    Each user gets a password of its own, random unless `password` is given (tests)."""
    if session.scalar(select(User).where(User.email == USERS[0][0])) is not None:
        return DemoSeed(created=False, api_key=_rotate_demo_key(session))
    session.add_all(Account(**account) for account in ACCOUNTS)
    for sku, name, kind, eur in _PRODUCTS:
        if session.scalar(select(Product).where(Product.sku == sku)) is None:
            add_product(
                session,
                sku=sku,
                name=name,
                kind=kind,
                prices={currency: _price(eur, currency) for currency in _RATES},
                year=PRICE_LIST_YEAR,
                tax_category=TAX_CATEGORIES[kind],
            )
    if not tax_rates.list_rates(session):
        tax_rates.set_table(session, tax_rates.read_csv(TAX_RATES_FILE.read_bytes()))
    passwords = {email: password or secrets.token_urlsafe(15) for email, _, _ in USERS}
    created: dict[str, User] = {}
    for email, role, name in USERS:
        shared = password is not None and created
        user = users.create_user(
            session,
            email=email,
            role=role,
            password=None if shared else passwords[email],
            name=name,
        )
        if shared:  # one given password is checked and hashed (slowly, by design) once
            user.password_hash = created[USERS[0][0]].password_hash
        created[email] = user
    for email, team in TEAMS.items():
        created[email].team = team
    _, key = users.create_api_key(session, user=created["support@example.com"], name=DEMO_KEY_NAME)
    return DemoSeed(created=True, api_key=key, passwords=passwords)


def _rotate_demo_key(session: Session) -> str:
    """Keys are stored only as hashes, so each run revokes the old demo key and prints a new one."""
    support = users.user_by_email(session, USERS[0][0])
    for old in session.scalars(
        select(ApiKey).where(
            ApiKey.user_id == support.id,
            ApiKey.name == DEMO_KEY_NAME,
            ApiKey.revoked_at.is_(None),
        )
    ):
        old.revoked_at = utcnow()
    _, key = users.create_api_key(session, user=support, name=DEMO_KEY_NAME)
    return key
