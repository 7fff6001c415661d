"""Mastodon (and compatible) instances: timelines polled over REST or streamed over SSE / WebSocket."""
