"""The clause library as files: the shipped folder round-trips through the database, and a
malformed file is refused with its line. Import and export run once each as a subprocess,
their further cases in the test's process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT
from app.errors import InvalidInput
from app.library.clause_files import format_clause_file, parse_clause_file
from tests.support.cli import invoke

SHIPPED = PROJECT_ROOT / "clauses"


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_import_then_export_gives_back_the_shipped_files_byte_for_byte(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'desk.db'}",
        "CONTRACTDESK_STORAGE_DIR": str(tmp_path / "storage"),
        "CONTRACTDESK_INSTANCE_DIR": str(tmp_path / "instance"),
    }
    assert invoke(env, "db", "upgrade").returncode == 0
    imported = _cli(env, "clauses", "import", str(SHIPPED))
    assert imported.returncode == 0, imported.stderr
    variants = sum(len(parse_clause_file(p.read_text(), p).variants) for p in SHIPPED.glob("*.md"))
    assert f"{variants} clause versions added" in imported.stdout

    exported = tmp_path / "exported"
    assert _cli(env, "clauses", "export", str(exported)).returncode == 0
    shipped = {p.name: p.read_bytes() for p in SHIPPED.glob("*.md")}
    assert {p.name: p.read_bytes() for p in exported.glob("*.md")} == shipped

    again = invoke(env, "clauses", "import", str(exported))
    assert "0 clause versions added" in again.stdout

    edited = tmp_path / "edited"
    shutil.copytree(exported, edited)
    terms = edited / "payment-terms.md"
    terms.write_text(terms.read_text().replace("within 30 days", "within 45 days", 1))
    assert "1 clause versions added" in invoke(env, "clauses", "import", str(edited)).stdout
    second = tmp_path / "second"
    invoke(env, "clauses", "export", str(second))
    assert (second / "payment-terms.md").read_text() == terms.read_text()

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "x.md").write_text("---\nkey: x\n---\n\n=== language: fr | title: X\nTexte.\n")
    refused = invoke(env, "clauses", "import", str(broken))
    assert refused.returncode != 0
    assert "x.md, line 5: language 'fr' is not one of en, nl, zh" in refused.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("key: x\n", "line 1: a clause file starts with a '---'"),
        ("---\nkey: x\n", "line 1: the front matter block is not closed"),
        ("---\nkey: X Y\n---\n=== language: en | title: T\nx\n", "line 2: key 'X Y'"),
        ("---\nkey: x\n---\nstray text\n", "line 4: text before the first"),
        ("---\nkey: x\n---\n=== language: en\nx\n", "line 4: the variant has no title"),
        (
            "---\nkey: x\n---\n=== language: en | title: T\nx\n=== language: en | title: U\ny\n",
            "line 6: the en variant is given twice",
        ),
        ("---\nkey: x\n---\n=== language: en | title: T\n\n", "line 4: the en variant has no text"),
        (
            "---\nkey: x\n---\n=== language: en | position: second | title: T\nx\n",
            "line 4: position 'second'",
        ),
    ],
)
def test_a_malformed_clause_file_is_refused_with_its_line(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_clause_file(text, "x.md")
    assert f"x.md, {message}" in refused.value.detail


def test_the_canonical_form_is_stable() -> None:
    for path in SHIPPED.glob("*.md"):
        parsed = parse_clause_file(path.read_text(), path)
        assert format_clause_file(parsed.key, parsed.variants) == path.read_text(), path.name
