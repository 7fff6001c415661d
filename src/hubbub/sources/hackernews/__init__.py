"""Hacker News, searched through the Algolia HN Search API."""
