"""The pipeline: ingest -> normalize -> dedupe -> enrich -> match -> store -> notify,
stages joined by the bus with versioned JSON messages."""
