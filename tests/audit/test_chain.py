"""The audit log is hash-chained: editing a row is detected."""

from __future__ import annotations

from apiflask import APIFlask
from click.testing import CliRunner
from sqlalchemy import select, update

from app.audit import services as audit
from app.audit.models import AuditEvent


def test_editing_an_entry_breaks_the_chain_at_that_entry(app: APIFlask) -> None:
    runtime = app.extensions["contractdesk"]
    uow = runtime.unit_of_work()
    with uow:
        assert audit.first_broken_entry(uow.session) is None
        third = uow.session.scalar(select(AuditEvent).where(AuditEvent.seq == 3))
        assert third is not None
        uow.session.execute(
            update(AuditEvent).where(AuditEvent.seq == 3).values(data={"role": "admin"})
        )
        uow.commit()
    with uow:
        broken = audit.first_broken_entry(uow.session)
        assert broken is not None and broken.seq == 3


def test_cli_verify_reports_the_broken_entry(app: APIFlask, monkeypatch) -> None:
    from app.cli import main

    runtime = app.extensions["contractdesk"]
    monkeypatch.setenv("DATABASE_URL", runtime.settings.database_url)
    runner = CliRunner()
    assert runner.invoke(main, ["audit", "verify"]).output.strip() == "audit chain intact"
    with runtime.engine.begin() as connection:
        connection.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(tag="user.deleted"))
    result = runner.invoke(main, ["audit", "verify"])
    assert result.exit_code == 1
    assert "broken at entry 2" in result.output
