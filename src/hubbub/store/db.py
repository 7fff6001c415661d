"""Opening the store: the engine for SQLite or PostgreSQL, brought up to the
newest migration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.pool import NullPool

from hubbub.config import Settings

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": 30}, poolclass=NullPool if ":memory:" not in url else None
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        # Let SQLAlchemy's BEGIN be the real one, so writes take the lock up front
        # instead of failing half-way with "database is locked".
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Disable pysqlite's own transaction handling; the "begin" listener issues BEGIN.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (idempotent)."""
    command.upgrade(alembic_config(engine), "head")


def open_engine(settings: Settings, *, upgrade: bool = True) -> Engine:
    if settings.is_sqlite:
        settings.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.db_url)
    if upgrade:
        migrate(engine)
    return engine


def is_initialized(engine: Engine) -> bool:
    return inspect(engine).has_table("posts")
