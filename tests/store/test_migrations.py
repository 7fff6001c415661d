"""The migrations build exactly the schema ``store/tables.py`` describes, on both
databases: a column or index added to one and not the other fails here."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from hubbub.store.tables import metadata

# Objects only the migrations create, on purpose: SQLite's FTS5 table (and its
# shadow tables) and PostgreSQL's generated tsvector column with its GIN index
# are dialect-specific DDL the shared metadata does not describe.
DIALECT_ONLY = {"posts_fts", "posts_fts_config", "posts_fts_data", "posts_fts_idx"}
DIALECT_ONLY |= {"posts_fts_docsize", "search_tsv", "ix_posts_search_tsv"}
DIALECT_ONLY |= {"ix_ingest_errors_source_id"}  # created by 0001 for the errors page


def _name(diff: tuple) -> str:
    kind, *rest = diff
    if kind == "remove_column":
        return str(rest[2].name)
    return str(getattr(rest[0], "name", rest[0]))


def test_migrated_schema_equals_the_tables(engine: Engine) -> None:
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    unexpected = [d for d in diffs if _name(d) not in DIALECT_ONLY]
    assert unexpected == []


def test_one_line_of_migrations() -> None:
    from alembic.script import ScriptDirectory

    from hubbub.store.db import MIGRATIONS

    heads = ScriptDirectory(str(MIGRATIONS)).get_heads()
    assert len(heads) == 1, f"migrations branch: heads {heads}; chain them"
