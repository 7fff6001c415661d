"""The one place that writes domain state. Each action commits, then publishes
the events that describe what it wrote, so listeners never see uncommitted data."""
