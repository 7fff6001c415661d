"""Reddit, read through its OAuth API with application-only (client credentials) auth."""
