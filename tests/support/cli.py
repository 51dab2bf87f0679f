"""`contractdesk` commands run in the test's own process, through Click's runner.

A subprocess pays seconds of imports before the command starts; a test that checks what a
command does (not that it starts) calls it here instead. Each command keeps at least one
test that runs it as a real subprocess."""

from __future__ import annotations

import subprocess

from click.testing import CliRunner

from app.cli import main


def invoke(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The command's exit code, standard output and error, as `subprocess.run` gives them."""
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return subprocess.CompletedProcess(
        ["contractdesk", *args], result.exit_code, result.stdout, result.stderr
    )
