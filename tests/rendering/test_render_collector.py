"""A render pauses the garbage collector while WeasyPrint makes its boxes (their walks were a
quarter of a long list's time) and leaves it as it found it: on after a render, on after a
render that failed, and off when the caller had paused it (a render inside another)."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from app.errors import InvalidInput
from app.rendering.pdf import collector_paused, render_pdf


def _package(folder: Path, body: str) -> Path:
    (folder / "doc.html").write_text(
        f'<!doctype html><html lang="en"><head><title>T</title></head><body>{body}</body></html>'
    )
    return folder


def test_collector_on_after_a_render(tmp_path: Path) -> None:
    pdf = render_pdf(_package(tmp_path, "<p>{{ text }}</p>"), "doc.html", {"text": "Hello"})
    assert pdf.startswith(b"%PDF")
    assert gc.isenabled()


def test_collector_on_after_a_refused_render(tmp_path: Path) -> None:
    package = _package(tmp_path, '<img src="https://example.com/x.png">')
    with pytest.raises(InvalidInput):
        render_pdf(package, "doc.html", {})
    assert gc.isenabled()


def test_a_pause_inside_another_leaves_the_switch_to_the_outer_one() -> None:
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
