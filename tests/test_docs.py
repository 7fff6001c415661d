"""Documentation checked against the code."""

from __future__ import annotations

from pathlib import Path

from hubbub.settings_doc import render

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_settings_doc_is_generated_from_the_code() -> None:
    assert (DOCS / "settings.md").read_text() == render(), (
        "run: python -m hubbub.settings_doc > docs/settings.md"
    )


def test_every_cli_command_is_in_the_readme() -> None:
    from typer.main import get_command

    from hubbub.interfaces.cli.app import _register, app

    _register()
    readme = (DOCS.parent / "README.md").read_text()
    group = get_command(app)
    missing = [name for name in group.commands if f"hubbub {name}" not in readme]  # type: ignore[attr-defined]
    assert not missing, f"commands not shown in README.md: {missing}"
