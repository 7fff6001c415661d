"""Storage: SQLite by default (WAL, FTS5), PostgreSQL by URL (tsvector + GIN)."""
