"""`contractdesk signatures`: check signed copies as a relying party would, and keep their
timestamp chain ahead of certificate expiry."""

from __future__ import annotations

from pathlib import Path

import click

from app.entry import opened_runtime
from app.errors import DomainError
from app.signing import archive
from app.signing.long_term import LongTermCheck, SealingUnavailable


@click.group("signatures")
def signatures_group() -> None:
    """Signed documents' long-term signatures (PAdES B-LTA)."""


def _report(reference: str, result: LongTermCheck) -> None:
    if result.valid:
        expires = result.last_timestamp_expires
        click.echo(
            f"{reference}: valid, {result.level}, signed by {result.signer}; "
            f"{result.document_timestamps} document timestamp(s), the last one's certificate "
            f"expires {expires:%Y-%m-%d}"
            if expires
            else f"{reference}: valid, {result.level}, signed by {result.signer}"
        )
        return
    for reason in result.reasons:
        click.echo(f"{reference}: NOT VALID: {reason}", err=True)
    raise SystemExit(1)


@signatures_group.command("verify")
@click.argument("reference", required=False)
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def signatures_verify(reference: str | None, path: Path | None) -> None:
    """Validate a document's signed copy (REF) or a PDF (--file) as a relying party: the
    signing root trusted, revocation required, only the document's own validation data."""
    if (reference is None) == (path is None):
        raise click.UsageError("give either a document reference or --file PATH")
    with opened_runtime() as runtime:
        uow = runtime.unit_of_work()
        try:
            if path is not None:
                result = archive.verify_file(uow, path.read_bytes())
            else:
                assert reference is not None
                result = archive.verify_document(uow, reference)
        except DomainError as exc:
            raise click.ClickException(exc.detail) from exc
    _report(reference or str(path), result)


@signatures_group.command("extend")
@click.option(
    "--within-days",
    type=int,
    default=None,
    help="Extend those whose last timestamp certificate expires within this many days "
    "(default CONTRACTDESK_TIMESTAMP_RENEW_DAYS).",
)
def signatures_extend(within_days: int | None) -> None:
    """Add a fresh document timestamp (and the last one's validation data) to the signed
    documents whose last timestamp certificate expires within the window."""
    failed = 0
    with opened_runtime() as runtime:
        window = within_days or runtime.settings.timestamp_renew_days
        due = archive.due_for_extension(runtime.unit_of_work(), within_days=window)
        for document_id in due:
            try:
                done = archive.extend_document(runtime.unit_of_work(), document_id)
            except SealingUnavailable as exc:
                failed += 1
                click.echo(f"{document_id}: not extended: {exc.detail}", err=True)
                continue
            click.echo(f"{done.number}: extended, sha256 {done.new_sha256}")
        click.echo(f"{len(due) - failed} of {len(due)} due document(s) extended")
    if failed:
        raise SystemExit(1)
