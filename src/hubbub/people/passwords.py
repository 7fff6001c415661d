"""Password hashes: argon2id (argon2-cffi's defaults, the RFC 9106 low-memory
profile), rehashed on the next login when those parameters change."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 10
# argon2 would hash megabytes happily; a cap keeps a login form from being a CPU sink
MAX_LENGTH = 1024

_hasher = PasswordHasher()
# verified against when the e-mail is unknown, so both paths cost one argon2 run
_DUMMY_HASH = _hasher.hash("not anybody's password, only here for constant timing")


class WeakPassword(ValueError):
    pass


def check_policy(password: str) -> str:
    """The password if it is acceptable, else WeakPassword saying why."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"a password may have at most {MAX_LENGTH} characters")
    if not password.strip():
        raise WeakPassword("a password cannot be only spaces")
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(check_policy(password))


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; an unset hash (an invited user) never matches
    but costs the same time as a real check."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
