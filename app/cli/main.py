"""`contractdesk`: set up, serve and administer the service. Thin: every command calls
the same services the API and the pages call."""

from __future__ import annotations

import sys
import uuid
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from app import migrate, serving
from app.cli.documents import documents_group
from app.cli.seeding import seed_command
from app.cli.signing import signatures_group
from app.cli.tax import tax_rates_group
from app.cli.users import users_group
from app.config import Settings
from app.entry import TASKS, opened_runtime
from app.jobs.inprocess import InProcessJobQueue
from app.observability.logging import configure as configure_logging
from app.runtime import Runtime, build_celery
from app.users.scopes import SCOPES

if TYPE_CHECKING:
    from celery import Celery

    from app.demo import DemoSeed


@click.group()
def main() -> None:
    """Contract Desk: configuration comes from environment variables (see the README)."""


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Run the Alembic migrations up to the newest."""
    migrate.upgrade(Settings().database_url)
    click.echo("database is up to date")


@main.command()
@click.option("--demo", is_flag=True, help="Add demo accounts, products, users and an API key.")
def init(demo: bool) -> None:
    """Migrate the database, load the shipped library, create the signing certificate."""
    from cryptography.hazmat.primitives import hashes

    from app import demo as demo_data
    from app.library.shipped import load_shipped_library
    from app.signing.local_ca import ensure_local_pki, trust_roots

    settings = Settings()
    migrate.upgrade(settings.database_url)
    with opened_runtime() as runtime:
        runtime.storage.check()
        for made in ensure_local_pki(settings.instance_dir, organisation=settings.seller_name):
            click.echo(f"created {made}")
        for root in trust_roots(settings.instance_dir):
            fingerprint = root.fingerprint(hashes.SHA256()).hex(":")
            click.echo(f"signed copies validate against the root {root.subject.rfc4514_string()}")
            click.echo(f"  SHA-256 fingerprint {fingerprint}")
        uow = runtime.unit_of_work()
        with uow:
            clauses, templates = load_shipped_library(uow)
            seed = demo_data.seed(uow.session) if demo else None
            uow.commit()
    click.echo(f"library: {clauses} clause versions and {templates} template versions added")
    if seed is not None:
        _print_demo(seed)
        serving.leave_for_first_run(settings, first_run_of(seed))


def first_run_of(seed: DemoSeed) -> serving.FirstRun:
    """The banner's share of the demo: each login, with its password when made just now."""
    from app import demo as demo_data

    logins = [(role, email, seed.passwords.get(email)) for email, role, _ in demo_data.USERS]
    return serving.FirstRun(api_key=seed.api_key, logins=logins)


def _print_demo(seed: DemoSeed) -> None:
    from app import demo as demo_data

    if seed.created:
        click.echo("demo data added")
        click.echo("\nDemo logins (each password is shown this once; note them):")
        for email, role, _ in demo_data.USERS:
            click.echo(f"  {role:<8} {email:<24} {seed.passwords[email]}")
    else:
        click.echo("demo data was there already (lost a password? users set-password)")
    click.echo("\nDemo API key (acts as support@example.com; a new one each run):")
    click.echo(f"  {seed.api_key}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the app on waitress in this process (gunicorn.conf.py serves the scale-out shape)."""
    from app import create_app

    configure_logging()
    from app.errors import DomainError

    try:
        app = create_app()
    except DomainError as exc:
        raise click.ClickException(exc.detail) from exc
    runtime: Runtime = app.extensions["contractdesk"]
    if isinstance(runtime.jobs, InProcessJobQueue):
        runtime.jobs.start_periodic(runtime.settings.sweep_interval_seconds)
    try:
        serving.serve(app, runtime.settings, host, port)
    finally:
        runtime.close()


def _celery_or_fail() -> Celery:
    settings = Settings()
    if not settings.celery_broker_url:
        raise click.ClickException("set CELERY_BROKER_URL (redis://… or amqp://…) first")
    return build_celery(settings, TASKS)


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def worker(celery_args: tuple[str, ...]) -> None:
    """Run a Celery worker (extra arguments go to Celery, e.g. --concurrency 2)."""
    configure_logging()
    _celery_or_fail().worker_main(["worker", "--loglevel", "INFO", *celery_args])


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def beat(celery_args: tuple[str, ...]) -> None:
    """Run Celery beat, which schedules the periodic sweeps (one per deployment)."""
    configure_logging()
    _celery_or_fail().start(["beat", "--loglevel", "INFO", *celery_args])


@main.group()
def apikey() -> None:
    """API keys for CRMs and scripts."""


@apikey.command("create")
@click.option("--user", "email", required=True, help="The user the key acts as")
@click.option("--name", required=True, help="What the key is for, e.g. 'Salesforce'")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(SCOPES),
    help="Repeat for each scope; by default every scope the user's role allows",
)
def apikey_create(email: str, name: str, scopes: tuple[str, ...]) -> None:
    """Create a key; it is printed once, alone on the last line."""
    from app.errors import DomainError
    from app.users import services as user_services

    with opened_runtime() as runtime:
        uow = runtime.unit_of_work()
        with uow:
            try:
                user = user_services.user_by_email(uow.session, email)
                record, key = user_services.create_api_key(
                    uow.session, user=user, name=name, scopes=list(scopes) or None
                )
            except DomainError as exc:
                raise click.ClickException(exc.detail) from exc
            uow.commit()
            chosen = ", ".join(record.scopes)
    click.echo(f"API key {name!r} for {email}, scopes {chosen} (shown only now):", err=True)
    click.echo(key)


@apikey.command("list")
def apikey_list() -> None:
    """Every key: prefix, name, user, scopes, last use, revoked."""
    from app.users import services as user_services

    with opened_runtime() as runtime:
        uow = runtime.unit_of_work()
        with uow:
            for record in user_services.list_api_keys(uow.session):
                used = (
                    record.last_used_at.strftime("%Y-%m-%d %H:%M")
                    if record.last_used_at
                    else "never"
                )
                state = "revoked" if record.revoked_at else "live"
                click.echo(
                    f"{record.id}  {record.prefix}…  {state:7}  {record.user.email:28} "
                    f"{record.name!r}  [{', '.join(record.scopes)}]  last used {used}"
                )


@apikey.command("revoke")
@click.argument("key_id", type=click.UUID)
def apikey_revoke(key_id: uuid.UUID) -> None:
    """Revoke a key by its id (from `apikey list`); it stops working at once."""
    from app.errors import DomainError
    from app.users import services as user_services

    with opened_runtime() as runtime:
        uow = runtime.unit_of_work()
        with uow:
            try:
                record = user_services.revoke_api_key(uow.session, key_id, actor=None)
            except DomainError as exc:
                raise click.ClickException(exc.detail) from exc
            uow.commit()
            click.echo(f"revoked {record.prefix}… ({record.name!r})")


@main.group()
def clauses() -> None:
    """The clause library as files, so legal can keep it in git too."""


@clauses.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def clauses_import(folder: Path) -> None:
    """Add each clause variant whose text changed as a new approved version (audited)."""
    from app.errors import DomainError
    from app.library.clauses import import_clause_folder

    with opened_runtime() as runtime:
        uow = runtime.unit_of_work()
        with uow:
            try:
                added = import_clause_folder(uow.session, folder)
            except DomainError as exc:
                raise click.ClickException(exc.detail) from exc
            uow.commit()
    click.echo(f"{added} clause versions added from {folder}")


@clauses.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def clauses_export(folder: Path) -> None:
    """Write every clause's approved variants as one file per clause."""
    from app.library.clauses import export_clause_folder

    with opened_runtime() as runtime:
        uow = runtime.unit_of_work()
        with uow:
            written = export_clause_folder(uow.session, folder)
    click.echo(f"{written} clause files written to {folder}")


@main.group()
def docusign() -> None:
    """The DocuSign connection (CONTRACTDESK_SIGNING=docusign)."""


@docusign.command("check")
def docusign_check() -> None:
    """Ask DocuSign for one token and the user's account; say what is wrong if that fails."""
    from app.errors import DomainError
    from app.signing.docusign.connection import DocuSignConnection

    try:
        click.echo(DocuSignConnection(Settings()).check())
    except DomainError as exc:
        raise click.ClickException(exc.detail) from exc


@main.command("prepare-bucket")
def prepare_bucket() -> None:
    """Create the S3 bucket (CONTRACTDESK_S3_BUCKET) with versioning, if it is missing."""
    from app.errors import DomainError
    from app.storage.s3 import S3BlobStorage

    settings = Settings()
    if settings.storage != "s3":
        raise click.ClickException("CONTRACTDESK_STORAGE is not s3")
    store = S3BlobStorage(bucket=settings.s3_bucket, endpoint_url=settings.s3_endpoint_url)
    try:
        store.prepare_bucket()
        store.check()
    except DomainError as exc:
        raise click.ClickException(exc.detail) from exc
    click.echo(f"bucket {settings.s3_bucket} is ready, with versioning")


@main.group()
def audit() -> None:
    """The hash-chained audit log."""


@audit.command("verify")
def audit_verify() -> None:
    """Check the chain; name the first entry that does not hold."""
    from app.audit import services as audit_services

    with opened_runtime() as runtime:
        uow = runtime.unit_of_work()
        with uow:
            broken = audit_services.first_broken_entry(uow.session)
    if broken is not None:
        click.echo(f"audit chain broken at entry {broken.seq} ({broken.tag}, {broken.id})")
        sys.exit(1)
    click.echo("audit chain intact")


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", "email", required=True, help="The user the documents are made as")
def bulk(file: Path, email: str) -> None:
    """Make a document for each request in FILE (.csv or .jsonl), with a progress bar;
    exits non-zero if any row failed, after listing each failed row and why."""
    import time

    from app.batches import services as batch_services
    from app.batches.models import FAILED
    from app.errors import DomainError
    from app.users import services as user_services

    with opened_runtime() as runtime:
        uow = runtime.unit_of_work()
        try:
            with uow:
                actor = user_services.user_by_email(uow.session, email)
            batch_id = batch_services.submit(
                runtime.unit_of_work(),
                file.read_bytes(),
                filename=file.name,
                content_type="",
                actor=actor,
            )
        except DomainError as exc:
            raise click.ClickException(exc.detail) from exc
        progress = batch_services.progress(runtime.unit_of_work(), batch_id)
        shown = 0
        with click.progressbar(length=progress.batch.total, label=f"batch {batch_id}") as bar:
            while True:
                progress = batch_services.progress(runtime.unit_of_work(), batch_id)
                handled = progress.batch.total - progress.counts.get("pending", 0)
                handled -= progress.counts.get("running", 0)
                bar.update(handled - shown)
                shown = handled
                if progress.finished:
                    break
                time.sleep(0.3)
        failed = [row for row in progress.batch.rows if row.state == FAILED]
    click.echo(f"{progress.batch.total - len(failed)} made, {len(failed)} failed")
    for row in failed:
        pointers = "; ".join(f"{e['pointer']}: {e['detail']}" for e in row.errors)
        click.echo(f"row {row.row}: {row.problem}" + (f" ({pointers})" if pointers else ""))
    if failed:
        sys.exit(1)


@main.group()
def renewals() -> None:
    """Licences coming to their end."""


@renewals.command("sweep")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Sweep as of this day (default: today).",
)
@click.option(
    "--part",
    type=click.Tuple([click.IntRange(1), click.IntRange(1)]),
    default=(1, 1),
    help="Sweep share I of N of the licences (e.g. --part 1 2 and --part 2 2 side by side).",
)
def renewals_sweep(today: datetime | None, part: tuple[int, int]) -> None:
    """Make the renewal drafts due and remind the owners (the periodic job does the same)."""
    from app.renewals import services as renewal_services

    index, count = part
    if index > count:
        raise click.BadParameter(f"share {index} of {count}", param_hint="--part")
    with opened_runtime() as runtime:
        result = renewal_services.sweep(
            runtime.unit_of_work(), today=today.date() if today else None, part=(index - 1, count)
        )
    click.echo(
        f"{len(result.renewals)} renewal drafts made, {len(result.redated)} moved after an "
        f"extension, {len(result.withdrawn)} withdrawn (licence cancelled), "
        f"{result.reminders} reminders"
    )
    for note in result.notes:
        click.echo(f"to settle by hand: {note}", err=True)
    for problem in result.problems:
        click.echo(f"not renewed: {problem}", err=True)
    if result.problems:
        sys.exit(1)


@main.group()
def invoices() -> None:
    """The invoice ledger: invoices due, held and sent."""


@invoices.command("sweep")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Sweep as of this day (default: today).",
)
def invoices_sweep(today: datetime | None) -> None:
    """Send the invoices due and the held ones whose PO is set (the periodic job does the
    same; running it twice sends nothing twice)."""
    from app.billing import invoicing

    with opened_runtime() as runtime:
        result = invoicing.sweep(runtime.unit_of_work(), today=today.date() if today else None)
    click.echo(f"{len(result.issued)} invoices issued, {len(result.released)} held ones sent")
    for problem in result.problems:
        click.echo(f"not invoiced: {problem}", err=True)
    if result.problems:
        sys.exit(1)


@main.group()
def approvals() -> None:
    """The approval matrix: why a document needs the approvals it needs."""


@approvals.command("explain")
@click.argument("ref")
def approvals_explain(ref: str) -> None:
    """Which rule fired on which figure for a document (its number or id)."""
    from app.approvals import explain
    from app.errors import DomainError

    with opened_runtime() as runtime:
        try:
            explained = explain.explain(
                runtime.unit_of_work(), explain.document_by_ref(runtime.unit_of_work(), ref)
            )
        except DomainError as exc:
            raise click.ClickException(exc.detail) from exc
    click.echo(explain.as_text(explained))


main.add_command(signatures_group)
main.add_command(documents_group)
main.add_command(tax_rates_group)
main.add_command(users_group)
main.add_command(seed_command)
