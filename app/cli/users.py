"""`contractdesk users`: people who use the pages, their passwords and roles."""

from __future__ import annotations

from collections.abc import Callable

import click
from sqlalchemy.orm import Session

from app.entry import opened_runtime
from app.errors import DomainError
from app.users import credentials
from app.users import services as user_services
from app.users.models import User


@click.group("users")
def users_group() -> None:
    """People who use the pages and own API keys."""


@users_group.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, help="support, manager, legal, finance or admin")
@click.option("--password", required=True)
@click.option("--name", default=None)
def users_create(email: str, role: str, password: str, name: str | None) -> None:
    with opened_runtime() as runtime:
        uow = runtime.unit_of_work()
        with uow:
            try:
                user = user_services.create_user(
                    uow.session, email=email, role=role, password=password, name=name
                )
            except DomainError as exc:
                raise click.ClickException(exc.detail) from exc
            uow.commit()
            click.echo(f"created {user.role} user {user.email}")


@users_group.command("set-password")
@click.option("--email", required=True)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Asked for (hidden) when not given",
)
def users_set_password(email: str, password: str) -> None:
    """A new password (at least 12 characters, not easy to guess); ends the user's sessions."""
    _change_user(
        email, lambda session, user: credentials.set_password(session, user, password, actor=None)
    )
    click.echo(f"new password set for {email}; their sessions are ended")


@users_group.command("set-role")
@click.option("--email", required=True)
@click.option("--role", required=True)
def users_set_role(email: str, role: str) -> None:
    """A new role; ends the user's sessions."""
    _change_user(email, lambda session, user: credentials.set_role(session, user, role, actor=None))
    click.echo(f"{email} is now {role}; their sessions are ended")


def _change_user(email: str, change: Callable[[Session, User], None]) -> None:
    with opened_runtime() as runtime:
        uow = runtime.unit_of_work()
        with uow:
            try:
                change(uow.session, user_services.user_by_email(uow.session, email))
            except DomainError as exc:
                raise click.ClickException(exc.detail) from exc
            uow.commit()
