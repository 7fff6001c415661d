"""What every command needs: the workspace, and a clean way to fail."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

from hubbub.workspace import Workspace, open_workspace

err = Console(stderr=True)


def workspace(ctx: typer.Context) -> Workspace:
    root = ctx.find_root()
    home = (root.obj or {}).get("home")
    try:
        return open_workspace(home)
    except Exception as exc:
        fail(f"cannot open the workspace: {exc}")


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)
