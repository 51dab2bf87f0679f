"""The shipped sample licence for the Dutch consortium, with a schedule of titles if asked,
created through the API."""

from __future__ import annotations

import json
from typing import Any

from apiflask import APIFlask
from stdnum import issn

from app.config import PROJECT_ROOT
from tests.conftest import WAIT, account_id, bearer


def licence_data(app: APIFlask, titles: int = 0, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (PROJECT_ROOT / "contract_templates/licence-agreement/sample.json").read_text()
    )
    data["account"] = account_id(app.extensions["contractdesk"], "Consortium")
    if titles:
        data["titles"] = [
            {
                "title": f"Archive Studies Journal {n:04d}",
                "issn": _issn(n),
                "subject": "History",
                "price": f"{800 + n}.00",
            }
            for n in range(1, titles + 1)
        ]
    data.update(changes)
    return data


def create_licence(app: APIFlask, titles: int = 0, **changes: Any) -> str:
    """The new licence's id."""
    created = app.test_client().post(
        "/api/v1/documents",
        json={"template": "licence-agreement", "data": licence_data(app, titles, **changes)},
        headers={**bearer(app, "support@example.com"), **WAIT},
    )
    assert created.status_code == 201, created.json
    return str(created.json["id"])


def _issn(n: int) -> str:
    digits = f"{5000000 + n * 7919:07d}"[-7:]
    return str(issn.format(digits + issn.calc_check_digit(digits)))
