"""Render the settings table of docs/settings.md from the Settings class, so
the documentation cannot drift from the code (tests/test_docs.py checks it)."""

from __future__ import annotations

from hubbub.config import Settings

HEADER = """# Settings

Every setting can be given as an environment variable (`HUBBUB_` + the name in
upper case), or in `settings.json` in the workspace directory (the environment
wins). This table is generated from `hubbub.config.Settings` by
`python -m hubbub.settings_doc > docs/settings.md`.

| setting | environment variable | default | meaning |
| --- | --- | --- | --- |
"""


def render() -> str:
    rows = []
    for name, field in Settings.model_fields.items():
        default = field.default
        shown = "~/.hubbub" if name == "home" else ("unset" if default is None else f"`{default}`")
        rows.append(f"| `{name}` | `HUBBUB_{name.upper()}` | {shown} | {field.description or ''} |")
    return HEADER + "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(render(), end="")
