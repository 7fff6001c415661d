"""What every command needs: the workspace, who acts, and a clean way to fail."""

from __future__ import annotations

import getpass
from typing import NoReturn

import typer
from rich.console import Console

from hubbub.people.principal import Principal
from hubbub.workspace import Workspace, open_workspace

err = Console(stderr=True)


def workspace(ctx: typer.Context) -> Workspace:
    root = ctx.find_root()
    home = (root.obj or {}).get("home")
    try:
        return open_workspace(home)
    except Exception as exc:
        fail(f"cannot open the workspace: {exc}")


def operator() -> Principal:
    """The CLI acts as the workspace's operator (an admin), named in the audit
    log as ``cli:<login>``."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        login = "unknown"
    return Principal.system(f"cli:{login}")


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)
