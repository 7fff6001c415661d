"""One `hubbub` command group run in process, exactly as `hubbub <group> ...`
runs it: the group registered on a bare Typer app whose callback sets the
workspace home, as cli/app.py does."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import typer
from typer.testing import CliRunner

from hubbub.config import Settings


class GroupCli:
    def __init__(
        self,
        settings: Settings,
        monkeypatch: pytest.MonkeyPatch,
        register: Callable[[typer.Typer], None],
    ) -> None:
        if settings.database_url:
            monkeypatch.setenv("HUBBUB_DATABASE_URL", settings.database_url)
        self.app = typer.Typer()

        @self.app.callback()
        def root(ctx: typer.Context) -> None:
            ctx.obj = {"home": settings.home}

        register(self.app)
        self.runner = CliRunner()

    def __call__(self, *args: str, ok: bool = True) -> str:
        """The command's output; it must succeed (``ok``) or fail (not ``ok``).
        A wide terminal, so that tables do not wrap."""
        result = self.runner.invoke(self.app, list(args), env={"COLUMNS": "200"})
        assert (result.exit_code == 0) == ok, result.output
        return result.output
