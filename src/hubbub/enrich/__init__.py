"""Stage 2: Post -> enrichments (language, sentiment, duplicates, ...)."""
