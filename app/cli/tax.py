"""`contractdesk tax-rates`: the VAT rate table from and to CSV files (finance's spreadsheet)."""

from __future__ import annotations

import re
from pathlib import Path

import click

from app.assembly.tax import TaxRate
from app.entry import opened_runtime
from app.errors import DomainError
from app.tax import services as tax_rates


def _refusal(exc: DomainError) -> click.ClickException:
    """The refusal with each bad field named by the file's line (the header is line 1)."""

    def line(match: re.Match[str]) -> str:
        return f"line {int(match.group(1)) + 2}"

    lines = [
        re.sub(r"^/rates/(\d+)/", lambda m: line(m) + ", ", e.pointer)
        + ": "
        + re.sub(r"\brow (\d+)\b", line, e.detail)
        for e in exc.errors
    ]
    return click.ClickException("\n".join([exc.detail, *lines]))


@click.group("tax-rates")
def tax_rates_group() -> None:
    """The VAT rates per country and tax category, with their validity dates."""


@tax_rates_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--add",
    is_flag=True,
    help="Add the file's rates to the table (a rate change ends the standing rate) "
    "instead of replacing the table.",
)
def import_rates(file: Path, add: bool) -> None:
    """Make FILE (CSV: country, category, rate_percent, valid_from, valid_to, name, exempt)
    the rate table, or add it with --add; overlapping rates refuse the whole file."""
    with opened_runtime() as runtime:
        try:
            rates = tax_rates.read_csv(file.read_bytes())
            keep = tax_rates.add_rates if add else tax_rates.replace_rates
            table = keep(runtime.unit_of_work(), rates, actor=None, actor_label="cli")
        except DomainError as exc:
            raise _refusal(exc) from exc
    click.echo(f"{len(rates)} rates {'added' if add else 'imported'}; the table has {len(table)}")


@tax_rates_group.command("list")
@click.option("--country", default=None, help="Only this country's rates.")
@click.option("--csv", "as_csv", is_flag=True, help="As a CSV file that `import` reads.")
def list_rates(country: str | None, as_csv: bool) -> None:
    """The rate table, and the configured fallback rates."""
    with opened_runtime() as runtime:
        uow = runtime.unit_of_work()
        with uow:
            rates = tax_rates.list_rates(uow.session, country)
        fallback = runtime.settings.vat_rates
    if as_csv:
        click.echo(tax_rates.as_csv(rates), nl=False)
        return
    for rate in rates:
        click.echo(_row(rate))
    click.echo(
        "standard rates where the table has none (CONTRACTDESK_TAX_RATES): "
        + ", ".join(f"{c}={r}" for c, r in fallback.items())
    )


def _row(rate: TaxRate) -> str:
    until = rate.valid_to.isoformat() if rate.valid_to else "…"
    extra = " exempt" if rate.exempt else ""
    name = f" ({rate.name})" if rate.name else ""
    return (
        f"{rate.country}  {rate.category:<16} {rate.rate_percent:>6} %  "
        f"{rate.valid_from} – {until}{name}{extra}"
    )
