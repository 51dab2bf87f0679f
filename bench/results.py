"""bench/RESULTS.md: each bench writes its own section (its command, the lines it printed
and its goals, met or missed), replacing that section if present and keeping the others,
under a head naming the machine and the date of the latest write."""

from __future__ import annotations

import platform
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")


@dataclass(frozen=True)
class Goal:
    text: str
    figure: str
    met: bool


@dataclass
class Report:
    """The lines a bench prints, kept to be written as its section of RESULTS.md."""

    module: str
    lines: list[str] = field(default_factory=list)

    def print(self, line: str = "") -> None:
        print(line, flush=True)
        self.lines.append(line)

    def write(self, goals: list[Goal] | None = None) -> None:
        """Print the goals and write the section (where the goals are a table)."""
        for goal in goals or []:
            print(f"goal: {goal.text}: {goal.figure}, {'met' if goal.met else 'MISSED'}")
        machine = _machine()
        when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        command = shlex.join([".venv/bin/python", "-m", self.module, *sys.argv[1:]])
        section = [
            f"## {self.module}",
            "",
            f"`{command}`, {when}, {machine['CPU']}, {machine['RAM']} RAM",
            "",
            "```text",
            *self.lines,
            "```",
            "",
        ]
        if goals:
            section += ["| goal | figure | |", "| --- | --- | --- |"]
            section += [
                f"| {g.text} | {g.figure} | {'met' if g.met else '**missed**'} |" for g in goals
            ]
        else:
            section.append("No goal set for these figures.")
        sections = _sections(RESULTS.read_text() if RESULTS.exists() else "")
        sections[self.module] = "\n".join(section)
        head = [
            "# Benchmark results",
            "",
            "Written by `make bench`: each bench replaces its own section. Latest write "
            f"{when}, on:",
            "",
            *(f"- {name}: {value}" for name, value in machine.items()),
        ]
        RESULTS.write_text("\n\n".join(["\n".join(head), *sections.values()]) + "\n")


def _sections(text: str) -> dict[str, str]:
    """The sections of RESULTS.md by module, in their order (the head is dropped)."""
    parts = re.split(r"^(?=## )", text, flags=re.MULTILINE)[1:]
    return {part.split("\n", 1)[0][3:].strip(): part.rstrip() for part in parts}


def _machine() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    models = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo, flags=re.MULTILINE)
    mem_kb = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.MULTILINE)
    assert mem_kb is not None
    return {
        "CPU": f"{len(models)} × {models[0] if models else platform.processor()}",
        "RAM": f"{int(mem_kb[1]) / 2**20:.1f} GiB",
        "OS": platform.freedesktop_os_release().get("PRETTY_NAME", platform.platform()),
        "Python": platform.python_version(),
        "WeasyPrint": version("weasyprint"),
        "LibreOffice": _libreoffice_version(),
    }


def _libreoffice_version() -> str:
    soffice = shutil.which("soffice")
    if soffice is None:
        return "not installed"
    answer = subprocess.run([soffice, "--version"], capture_output=True, text=True, timeout=60)
    return " ".join(answer.stdout.split()[1:2]) or "unknown"
