"""Which failures are the infrastructure's (retry the same message, without
counting it as a failed delivery) rather than the message's."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError

from hubbub.bus.jetstream import NATS_ERRORS, BusUnavailable


def is_transient(exc: BaseException) -> bool:
    """The store or NATS is unreachable, restarting or locked: the message is
    fine and will succeed later."""
    if isinstance(exc, BusUnavailable | DisconnectionError | OperationalError | InterfaceError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, NATS_ERRORS) and not _is_payload_error(exc)


def _is_payload_error(exc: BaseException) -> bool:
    from nats.errors import MaxPayloadError

    return isinstance(exc, MaxPayloadError)
