"""`contractdesk documents`: commands on stored documents."""

from __future__ import annotations

import sys

import click

from app.entry import opened_runtime
from app.errors import DomainError


@click.group("documents")
def documents_group() -> None:
    """Stored documents and their versions."""


@documents_group.command("verify")
@click.argument("ref")
@click.option("--version", type=int, help="The version to check (default: the current one)")
def documents_verify(ref: str, version: int | None) -> None:
    """Render a stored version of a document (its number or id) again from its pinned
    template, clause versions and data, and compare it with the stored files' SHA-256.
    Exits 0 when every file is identical, 1 when one differs (saying what), 2 when the
    version cannot be rendered again from the record."""
    from app.approvals.explain import document_by_ref
    from app.documents.reproduce import verify_version

    with opened_runtime() as runtime:
        try:
            document_id = document_by_ref(runtime.unit_of_work(), ref)
            result = verify_version(runtime.unit_of_work(), document_id, version)
        except DomainError as exc:
            raise click.ClickException(exc.detail) from exc
    click.echo(f"{result.number} version {result.version}")
    if result.not_reproducible:
        click.echo(f"cannot verify: {result.not_reproducible}", err=True)
        sys.exit(2)
    for check in result.files:
        state = "identical" if check.identical else "DIFFERS"
        click.echo(f"  {check.kind:<6} {state}  sha256 {check.recorded_sha256}")
        if not check.identical and check.rendered_sha256 != check.recorded_sha256:
            click.echo(f"         rendered again: sha256 {check.rendered_sha256}")
        for line in check.differences:
            click.echo(f"         {line}")
    click.echo("identical" if result.identical else "differs")
    if not result.identical:
        sys.exit(1)
