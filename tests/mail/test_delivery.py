"""The outbox against a real SMTP server that goes away mid-run, refuses an address, or
loses the worker between sending and marking: every message arrives once, or is marked
failed and shown, never retried forever."""

from __future__ import annotations

import itertools
import uuid
from collections import Counter
from datetime import timedelta

from apiflask import APIFlask
from sqlalchemy import func, select, update

from app.db import utcnow
from app.mail import services
from app.mail.models import MailMessage
from app.mail.services import Outgoing, Recipient
from app.runtime import Runtime
from tests.mail.conftest import SmtpServer, settle
from tests.web.test_pages import login


def _queue(runtime: Runtime, count: int, address: str = "reader@example.org") -> list[uuid.UUID]:
    uow = runtime.unit_of_work()
    ids = []
    with uow:
        for n in range(count):
            message = services.queue(
                uow,
                Outgoing(
                    key=f"test:{uuid.uuid4()}",
                    kind="notice",
                    to=[Recipient(f"Reader {n}", address)],
                    language="en",
                    context={
                        "name": f"Reader {n}",
                        "headline": f"Notice {n}",
                        "detail": "Something happened.",
                        "link": "http://localhost/",
                        "preferences_url": "http://localhost/account/mail",
                        "language": "en",
                    },
                ),
            )
            assert message is not None
            ids.append(message.id)
        uow.commit()
    return ids


def _states(runtime: Runtime) -> Counter[str]:
    with runtime.session_factory() as session:
        return Counter(
            dict(
                session.execute(  # type: ignore[arg-type]
                    select(MailMessage.state, func.count()).group_by(MailMessage.state)
                ).all()
            )
        )


def _let_the_wait_pass(runtime: Runtime) -> None:
    with runtime.engine.begin() as connection:
        connection.execute(
            update(MailMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )


def test_smtp_down_mid_run_and_a_worker_killed_mid_send_every_message_arrives_once(
    mail_app: APIFlask, smtp: SmtpServer
) -> None:
    runtime = settle(mail_app)
    _queue(runtime, 4)
    settle(mail_app)
    smtp.stop()
    _queue(runtime, 6)
    settle(mail_app)
    states = _states(runtime)
    assert states["sent"] == 4 and states["queued"] == 6
    with runtime.session_factory() as session:
        waiting = session.scalars(select(MailMessage).where(MailMessage.state == "queued")).all()
        assert all(m.attempts == 1 and "Connection" in m.last_error for m in waiting)
        assert all(m.next_attempt_at and m.next_attempt_at > utcnow() for m in waiting)
    assert services.deliver_due(runtime.unit_of_work()) == {}, "backing off, not hammering"
    smtp.start()
    _let_the_wait_pass(runtime)
    # a worker takes one of the waiting messages and is killed before it sends
    assert services._claim(runtime.unit_of_work(), waiting[0].id) is not None
    assert services.deliver_due(runtime.unit_of_work()) == {"sent": 5}
    assert services.deliver_due(runtime.unit_of_work()) == {}, "its lease holds"
    with runtime.engine.begin() as connection:
        connection.execute(update(MailMessage).values(lease_until=utcnow() - timedelta(seconds=1)))
    assert services.deliver_due(runtime.unit_of_work()) == {"sent": 1}
    assert services.deliver_due(runtime.unit_of_work()) == {}
    ids = Counter(str(m["Message-ID"]) for m in smtp.inbox.received)
    assert len(ids) == 10 and set(ids.values()) == {1}
    assert _states(runtime) == Counter({"sent": 10})


def test_a_worker_killed_mid_send_is_taken_over_after_its_lease(
    mail_app: APIFlask, smtp: SmtpServer
) -> None:
    runtime = settle(mail_app)
    smtp.stop()  # the job's attempt fails and waits
    [message_id] = _queue(runtime, 1)
    settle(mail_app)
    smtp.start()
    _let_the_wait_pass(runtime)
    # a worker claims it (state sending, a lease) and dies before sending
    assert services._claim(runtime.unit_of_work(), message_id) is not None
    assert services.deliver(runtime.unit_of_work(), message_id) == "sending", "leased"
    assert services.deliver_due(runtime.unit_of_work()) == {}
    with runtime.engine.begin() as connection:
        connection.execute(update(MailMessage).values(lease_until=utcnow() - timedelta(seconds=1)))
    assert services.deliver_due(runtime.unit_of_work()) == {"sent": 1}
    assert services.deliver(runtime.unit_of_work(), message_id) == "sent"
    assert len(smtp.inbox.received) == 1


def test_a_refused_address_is_marked_failed_and_shown_not_retried(
    mail_app: APIFlask, smtp: SmtpServer
) -> None:
    smtp.inbox.refuse.add("gone@example.org")
    runtime = settle(mail_app)
    [message_id] = _queue(runtime, 1, address="gone@example.org")
    settle(mail_app)
    with runtime.session_factory() as session:
        message = session.get(MailMessage, message_id)
        assert message is not None
        assert message.state == "failed" and message.attempts == 1
        assert "550" in message.last_error
    _let_the_wait_pass(runtime)
    assert services.deliver_due(runtime.unit_of_work()) == {}
    page = login(mail_app, "admin@example.com").get("/admin/outbox")
    assert page.status_code == 200
    assert "gone@example.org" in page.text and "failed" in page.text and "550" in page.text


def test_a_failing_server_gives_up_after_the_last_attempt(
    mail_app: APIFlask, smtp: SmtpServer
) -> None:
    runtime = settle(mail_app)
    smtp.stop()
    [message_id] = _queue(runtime, 1)
    settle(mail_app)
    waits = []
    for _ in range(runtime.settings.mail_max_attempts - 1):
        with runtime.session_factory() as session:
            message = session.get(MailMessage, message_id)
            assert message is not None and message.next_attempt_at is not None
            waits.append((message.next_attempt_at - utcnow()).total_seconds())
        _let_the_wait_pass(runtime)
        services.deliver_due(runtime.unit_of_work())
    assert _states(runtime) == Counter({"failed": 1})
    assert all(later > 1.5 * earlier for earlier, later in itertools.pairwise(waits))
