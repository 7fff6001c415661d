"""The people tests use the seeded workspace and signed-in clients of
tests/interfaces (a user of every role, the default teams)."""

from interfaces.conftest import (  # noqa: F401  (fixtures)
    anonymous,
    api,
    api_as,
    app_client,
    login_as,
    seeded,
)
