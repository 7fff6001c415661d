"""The inbox's first page with 10,000 open conversations: web (/inbox) and API
(GET /api/v1/conversations), on SQLite and PostgreSQL, through a real uvicorn
server. Prints p50/p95 against the 200 ms target and a same-run baseline
(/healthz: the same server, auth-free and almost no SQL).

    .venv/bin/python benchmarks/inbox.py [--conversations 10000] [--requests 40] [--db sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(ROOT / "tests"))

from _common import pg_schema  # noqa: E402

from hubbub.config import load_settings  # noqa: E402
from hubbub.interfaces.app import create_app  # noqa: E402
from hubbub.people.sessions import COOKIE, SessionPolicy, create_session  # noqa: E402
from hubbub.post import utcnow  # noqa: E402
from hubbub.store.db import open_engine  # noqa: E402
from hubbub.testing import free_port  # noqa: E402
from hubbub.workspace import api_token  # noqa: E402
from inbox.bulk_seed import insert_conversations, many_open  # noqa: E402

TARGET_MS = 200.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(client: httpx.Client, url: str, n: int) -> list[float]:
    client.get(url).raise_for_status()  # warm
    out = []
    for _ in range(n):
        start = time.perf_counter()
        r = client.get(url)
        out.append((time.perf_counter() - start) * 1000)
        r.raise_for_status()
    return out


def run(db: str, conversations: int, requests: int) -> None:
    with ExitStack() as stack:
        home = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "home"
        url = stack.enter_context(pg_schema()) if db == "postgresql" else None
        settings = load_settings(home, database_url=url)
        engine = open_engine(settings)
        now = utcnow()
        start = time.perf_counter()
        seeded = insert_conversations(engine, many_open(conversations, now=now), now=now)
        seed_s = time.perf_counter() - start
        with engine.begin() as conn:
            cookie = create_session(
                conn, seeded.user_ids["ana@example.com"], now, SessionPolicy.from_settings(settings)
            )
        engine.dispose()
        app = create_app(settings)
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        try:
            base = f"http://127.0.0.1:{port}"
            web = httpx.Client(base_url=base, cookies={COOKIE: cookie}, timeout=30)
            api = httpx.Client(
                base_url=base,
                headers={"Authorization": f"Bearer {api_token(settings)}"},
                timeout=30,
            )
            results = {
                "baseline /healthz": timed(web, "/healthz", requests),
                "web /inbox (mine)": timed(web, "/inbox", requests),
                "web /inbox?queue=all": timed(web, "/inbox?queue=all", requests),
                "web all, SLA due": timed(web, "/inbox?queue=all&sort=sla_due", requests),
                "api all": timed(api, "/api/v1/conversations?queue=all", requests),
                "api team, priority": timed(
                    api, "/api/v1/conversations?queue=team:sales&sort=priority", requests
                ),
            }
        finally:
            server.should_exit = True
            thread.join(timeout=10)
    print(
        f"\n{db}: {conversations:,} open conversations (seeded in {seed_s:.1f} s), {requests} requests each"
    )
    print(f"{'page':<24}{'p50 ms':>9}{'p95 ms':>9}  target {TARGET_MS:.0f} ms (p95)")
    for name, values in results.items():
        p50, p95 = statistics.median(values), percentile(values, 0.95)
        verdict = "" if name.startswith("baseline") else ("ok" if p95 <= TARGET_MS else "OVER")
        print(f"{name:<24}{p50:>9.1f}{p95:>9.1f}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--db", default="sqlite,postgresql")
    args = parser.parse_args()
    for db in args.db.split(","):
        run(db.strip(), args.conversations, args.requests)


if __name__ == "__main__":
    main()
