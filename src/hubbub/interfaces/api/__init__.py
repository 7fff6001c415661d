"""The REST API, mounted at /api/v1."""

from hubbub.interfaces.api.app import create_api

__all__ = ["create_api"]
