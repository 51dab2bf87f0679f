"""`contractdesk seed`: a large book of business in PostgreSQL, for measuring at scale."""

from __future__ import annotations

import sys
import time

import click

from app.entry import opened_runtime
from app.seeding.load import SeedRefused, seed
from app.seeding.rows import Sizes


@click.command("seed")
@click.option("--customers", default=Sizes.customers, show_default=True, type=click.IntRange(1))
@click.option("--licences", default=Sizes.licences, show_default=True, type=click.IntRange(0))
@click.option("--documents", default=Sizes.documents, show_default=True, type=click.IntRange(1))
def seed_command(customers: int, licences: int, documents: int) -> None:
    """Load customers, licences and quotes (with their files and audit entries) into an
    initialised, empty PostgreSQL database (run `contractdesk init --demo` first).
    Progress goes to stderr."""
    started = time.monotonic()

    def progress(line: str) -> None:
        click.echo(f"[{time.monotonic() - started:7.1f}s] {line}", err=True)

    sizes = Sizes(customers=customers, licences=min(licences, documents), documents=documents)
    try:
        with opened_runtime() as runtime:
            seed(runtime, sizes, progress)
    except SeedRefused as refused:
        click.echo(f"not seeded: {refused}", err=True)
        sys.exit(1)
