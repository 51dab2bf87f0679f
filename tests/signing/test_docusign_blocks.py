"""DocuSign fills the same signature blocks as the built-in signer: the envelope sent through
the real SDK places sign-here, full-name, title and date-signed tabs on each block's anchors,
and those anchors are in the PDF it carries."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from app.config import PROJECT_ROOT
from app.signing.models import Envelope
from app.signing.signature_blocks import find_blocks
from tests.conftest import WAIT, account_id, bearer
from tests.support.docusign_desk import Desk, docusign_desk
from tests.support.docusign_emulator import DocuSignEmulator


@pytest.fixture
def desk(
    postgres_url: str, tmp_path: Path, instance_dir: Path, docusign: DocuSignEmulator
) -> Iterator[Desk]:
    with docusign_desk(docusign, postgres_url, tmp_path, instance_dir) as desk:
        yield desk


def test_docusign_tabs_sit_on_the_licence_signature_blocks(desk: Desk) -> None:
    data = json.loads(
        (PROJECT_ROOT / "contract_templates/licence-agreement/sample.json").read_text()
    )
    data.update(account=account_id(desk.runtime, "Consortium"), language="zh")
    client = desk.app.test_client()
    support = bearer(desk.app, "support@example.com")
    created = client.post(
        "/api/v1/documents",
        json={"template": "licence-agreement", "data": data},
        headers={**support, **WAIT},
    )
    assert created.status_code == 201, created.json
    sent = client.post(
        f"/api/v1/documents/{created.json['id']}/send",
        json={
            "signers": [
                {"name": "王芳", "title": "图书馆馆长", "email": "wang@example.cn"},
                {
                    "name": "Pat Publisher",
                    "title": "Sales Director",
                    "email": "pat@publisher.example",
                    "routing_order": 2,
                },
            ]
        },
        headers=support,
    )
    assert sent.status_code == 200, sent.json
    desk.wait()
    uow = desk.runtime.unit_of_work()
    with uow:
        ref = uow.session.scalar(
            select(Envelope.provider_ref).where(Envelope.document_id == created.json["id"])
        )
    definition = desk.docusign.state.envelopes[str(ref)].definition

    pdf = base64.b64decode(definition["documents"][0]["documentBase64"])
    assert sorted(find_blocks(pdf)) == [1, 2]  # the anchors DocuSign looks for are in it
    signers = definition["recipients"]["signers"]
    for n, (signer, title) in enumerate(
        zip(signers, ["图书馆馆长", "Sales Director"], strict=True), start=1
    ):
        tabs = signer["tabs"]
        anchors = {
            kind: [t["anchorString"] for t in tabs[kind]]
            for kind in ("signHereTabs", "fullNameTabs", "titleTabs", "dateSignedTabs")
        }
        assert anchors == {
            "signHereTabs": [f"\\s{n}\\"],
            "fullNameTabs": [f"\\n{n}\\"],
            "titleTabs": [f"\\t{n}\\"],
            "dateSignedTabs": [f"\\d{n}\\"],
        }
        assert tabs["titleTabs"][0]["value"] == title
        assert all(t["anchorIgnoreIfNotPresent"] == "false" for k in anchors for t in tabs[k])
