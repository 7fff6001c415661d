"""docs/people.md against the code."""

from __future__ import annotations

from pathlib import Path

from hubbub.people.matrix_doc import BEGIN, END, render
from hubbub.people.permissions import SCOPES

DOC = Path(__file__).resolve().parents[2] / "docs" / "people.md"


def test_the_permission_table_is_generated_from_the_matrix() -> None:
    text = DOC.read_text()
    shown = text[text.index(BEGIN) : text.index(END) + len(END)]
    assert shown == render(), "run: python -m hubbub.people.matrix_doc, paste into docs/people.md"


def test_every_scope_is_listed() -> None:
    text = DOC.read_text()
    assert [s for s in SCOPES if f"`{s}`" not in text] == []
