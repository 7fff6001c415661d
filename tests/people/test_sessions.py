"""Server-side sessions: idle timeout and absolute lifetime (with an explicit
``now``, never sleeping), the once-a-minute touch, and what ends them."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from hubbub.actions.people import create_user, deactivate, login, set_password
from hubbub.config import Settings
from hubbub.people.hashing import aware, digest
from hubbub.people.principal import Principal
from hubbub.people.sessions import (
    COOKIE,
    SessionPolicy,
    create_session,
    load_session,
    purge_expired,
)
from hubbub.post import utcnow
from hubbub.store.tables import web_sessions

POLICY = SessionPolicy(idle=timedelta(minutes=30), max_age=timedelta(hours=8))


def _user(engine: Engine, email: str = "ana@example.com") -> int:
    return create_user(
        engine, Principal.system(), email, "Ana", "agent", password="a good long password"
    )


def _last_seen(engine: Engine, token: str) -> object:
    with engine.connect() as conn:
        return conn.execute(
            select(web_sessions.c.last_seen_at).where(web_sessions.c.token_hash == digest(token))
        ).scalar()


def test_policy_comes_from_settings(settings: Settings) -> None:
    changed = settings.model_copy(update={"session_idle_minutes": 5, "session_max_hours": 2})
    assert SessionPolicy.from_settings(changed) == SessionPolicy(
        idle=timedelta(minutes=5), max_age=timedelta(hours=2)
    )
    assert SessionPolicy.from_settings(settings).idle == timedelta(minutes=720)


def test_idle_timeout(engine: Engine) -> None:
    user_id = _user(engine)
    t0 = utcnow()
    with engine.begin() as conn:
        token = create_session(conn, user_id, t0, POLICY)
    found = load_session(engine, token, t0 + timedelta(minutes=29), POLICY)
    assert found is not None and found.user_id == user_id and found.role == "agent"
    # 29 minutes of quiet again after that request: still in
    assert load_session(engine, token, t0 + timedelta(minutes=58), POLICY) is not None
    # then 30 minutes without a request: out, and the row is gone
    assert load_session(engine, token, t0 + timedelta(minutes=88), POLICY) is None
    assert _last_seen(engine, token) is None


def test_absolute_lifetime_despite_activity(engine: Engine) -> None:
    user_id = _user(engine)
    t0 = utcnow()
    with engine.begin() as conn:
        token = create_session(conn, user_id, t0, POLICY)
    now = t0
    while now < t0 + timedelta(hours=8) - timedelta(minutes=20):
        now += timedelta(minutes=20)
        assert load_session(engine, token, now, POLICY) is not None, now - t0
    assert load_session(engine, token, t0 + timedelta(hours=8), POLICY) is None


def test_last_seen_is_written_at_most_once_a_minute(engine: Engine) -> None:
    user_id = _user(engine)
    t0 = utcnow()
    with engine.begin() as conn:
        token = create_session(conn, user_id, t0, POLICY)
    load_session(engine, token, t0 + timedelta(seconds=59), POLICY)
    assert aware(_last_seen(engine, token)) == t0  # type: ignore[arg-type]
    load_session(engine, token, t0 + timedelta(seconds=61), POLICY)
    assert aware(_last_seen(engine, token)) == t0 + timedelta(seconds=61)  # type: ignore[arg-type]


def test_unknown_tokens_and_purge(engine: Engine) -> None:
    user_id = _user(engine)
    t0 = utcnow()
    assert load_session(engine, None, t0, POLICY) is None
    assert load_session(engine, "made-up", t0, POLICY) is None
    with engine.begin() as conn:
        old = create_session(conn, user_id, t0 - timedelta(hours=9), POLICY)
        fresh = create_session(conn, user_id, t0, POLICY)
    assert purge_expired(engine, t0, POLICY) == 1
    assert _last_seen(engine, old) is None and _last_seen(engine, fresh) is not None


def test_deactivation_and_password_change_end_sessions(engine: Engine, settings: Settings) -> None:
    user_id = _user(engine)
    policy = SessionPolicy.from_settings(settings)
    token = login(engine, settings, "ana@example.com", "a good long password")
    assert load_session(engine, token, utcnow(), policy) is not None
    set_password(engine, Principal.system(), user_id, "another long password")
    assert load_session(engine, token, utcnow(), policy) is None
    token = login(engine, settings, "ana@example.com", "another long password")
    deactivate(engine, Principal.system(), user_id)
    assert load_session(engine, token, utcnow(), policy) is None


def test_an_expired_session_cookie_sends_the_browser_to_login(
    anonymous: TestClient, engine: Engine, settings: Settings, seeded: dict[str, int]
) -> None:
    policy = SessionPolicy.from_settings(settings)
    with engine.begin() as conn:
        # signed in longer ago than the absolute lifetime
        token = create_session(
            conn, seeded["user.agent"], utcnow() - policy.max_age - timedelta(minutes=1), policy
        )
    anonymous.cookies.set(COOKIE, token)
    r = anonymous.get("/queries", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/queries"
