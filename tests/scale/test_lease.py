"""The sources lease on both databases: one holder at a time, renewal, and
takeover once the holder stops renewing."""

from __future__ import annotations

import time

from sqlalchemy import Engine

from hubbub.workers.lease import Lease
from hubbub.workers.store import claim


def test_one_holder_at_a_time_and_takeover_after_expiry(engine: Engine) -> None:
    a = Lease(engine, "sources", "worker-a", ttl=1.0)
    b = Lease(engine, "sources", "worker-b", ttl=1.0)
    assert a.acquire()
    assert not b.acquire()
    assert a.acquire()  # renewal
    assert a.current_holder() == "worker-a"
    time.sleep(1.2)  # a stops renewing (it died)
    assert a.current_holder() is None
    assert b.acquire()
    assert not a.acquire()
    assert b.current_holder() == "worker-b"
    b.release()
    assert a.acquire()


def test_a_message_is_claimed_once(engine: Engine) -> None:
    with engine.begin() as conn:
        assert claim(conn, "store", "batch-1")
        assert not claim(conn, "store", "batch-1")
        assert claim(conn, "enrich", "batch-1")
