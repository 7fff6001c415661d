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


def test_every_hook_is_documented() -> None:
    from hubbub import hookspecs

    doc = (DOCS / "plugins.md").read_text()
    hooks = [name for name in dir(hookspecs) if name.startswith("hubbub_")]
    assert hooks
    missing = [h for h in hooks if f"### `{h}(" not in doc]
    assert not missing, f"hooks not documented in docs/plugins.md: {missing}"


def test_the_plugin_example_registers_and_runs(tmp_path: Path) -> None:
    import pluggy

    from hubbub import hookspecs
    from hubbub.post import Post

    source = (DOCS / "plugins.md").read_text().split("```python\n", 1)[1].split("```", 1)[0]
    module: dict[str, object] = {}
    exec(compile(source, "docs/plugins.md", "exec"), module)
    pm = pluggy.PluginManager("hubbub")
    pm.add_hookspecs(hookspecs)
    plugin = type("Plugin", (), {"hubbub_enrichers": staticmethod(module["hubbub_enrichers"])})
    pm.register(plugin)
    (enricher,) = [e for group in pm.hook.hubbub_enrichers(settings=None) for e in group]
    results = enricher.enrich([Post(platform="x", external_id="1", text="HELLO")])
    assert results == [{"shouting": True}]
