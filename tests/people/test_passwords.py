"""argon2id hashes, the length policy, and rehashing on login when the
parameters change."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, select

from hubbub.actions.people import create_user, login
from hubbub.config import Settings
from hubbub.people.passwords import (
    MIN_LENGTH,
    WeakPassword,
    hash_password,
    needs_rehash,
    verify_password,
)
from hubbub.people.principal import Principal
from hubbub.store.tables import users


def test_hash_is_argon2id_salted_and_verifies() -> None:
    first = hash_password("a long enough secret")
    second = hash_password("a long enough secret")
    assert first.startswith("$argon2id$")
    assert first != second  # a fresh salt every time
    assert verify_password(first, "a long enough secret")
    assert not verify_password(first, "a long enough secreT")
    assert not verify_password(None, "a long enough secret")  # invited, no password yet
    assert not verify_password("not a hash", "a long enough secret")
    assert not needs_rehash(first)


def test_policy() -> None:
    with pytest.raises(WeakPassword, match=f"at least {MIN_LENGTH}"):
        hash_password("x" * (MIN_LENGTH - 1))
    with pytest.raises(WeakPassword, match="only spaces"):
        hash_password(" " * MIN_LENGTH)
    with pytest.raises(WeakPassword, match="at most"):
        hash_password("x" * 5000)
    assert hash_password("x" * MIN_LENGTH).startswith("$argon2id$")


def test_login_rehashes_a_hash_made_with_older_parameters(
    engine: Engine, settings: Settings
) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("an older password")
    assert needs_rehash(weak)
    user_id = create_user(
        engine, Principal.system(), "old@example.com", "Old", "agent", password_hash=weak
    )
    login(engine, settings, "old@example.com", "an older password")
    with engine.connect() as conn:
        stored = conn.execute(select(users.c.password_hash).where(users.c.id == user_id)).scalar()
    assert stored != weak and not needs_rehash(stored)
    assert verify_password(stored, "an older password")
