"""Import of JSONL and CSV files in the documented record schema."""
