"""Hubbub: listen to the public conversation about a business, understand it, route it."""

__version__ = "0.1.0"
