"""What the efficiency target asks of a vote, against the least a vote can cost here.

    .venv/bin/python tests/bench/bench_floor.py [--seconds 4] [--concurrency 32] [--runs 2]

The voting benchmark's efficiency is vote_rps / baseline_rps: votes a second in its burst
against GET /healthz a second, both through the product under gunicorn (gevent, 2 workers).
This script measures, on the same machine and with the same client and connections:

1. the product's /healthz (the baseline of bench_voting.py);
2. floor_app.py's /healthz: gunicorn and the network alone, no Flask;
3. floor_app.py's /vote: one PostgreSQL upsert committed before the answer, and nothing else.

`floor_efficiency` (3 / 1) is the most a design that commits each vote before answering it
could reach against the product's baseline, if everything a real vote does besides the write
(the signed session, the CSRF check, the rate limit, finding the phone, its screen) cost
nothing. The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import bench_voting
from benchlib import (
    DEFAULT_PG,
    drop_pg_database,
    load_average,
    machine,
    recreate_pg_database,
    temp_dir,
)

HERE = Path(__file__).resolve().parent


def start_floor(database_url: str, tmp: Path) -> bench_voting.Server:
    port = bench_voting.free_port()
    env = {**os.environ, "FLOOR_DATABASE_URL": database_url}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = tmp / "floor.log"
    command = [
        str(gunicorn), "--worker-class", "gevent", "--workers", "2", "--worker-connections", "5000",
        "--bind", f"127.0.0.1:{port}", "--keep-alive", "15", "--backlog", "4096", "floor_app:app",
    ]
    process = subprocess.Popen(command, cwd=HERE, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    return bench_voting.wait_until_up(bench_voting.Server(f"http://127.0.0.1:{port}", process, log), 30)


async def votes_per_second(url: str, seconds: float, concurrency: int) -> float:
    """POST /vote from `concurrency` connections for `seconds`, each vote a new row."""
    import aiohttp

    connector = aiohttp.TCPConnector(limit=concurrency, keepalive_timeout=10)
    done = failed = 0
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        stop_at = started + seconds

        async def loop(worker: int):
            nonlocal done, failed
            sent = 0
            while time.perf_counter() < stop_at:
                sent += 1
                payload = {"round_id": 1, "participant": worker * 10_000_000 + sent, "stage": random.randint(1, 4)}
                async with session.post(url + "/vote", json=payload) as response:
                    await response.read()
                    if response.status == 200:
                        done += 1
                    else:
                        failed += 1

        await asyncio.gather(*(loop(n) for n in range(concurrency)))
        elapsed = time.perf_counter() - started
    if failed:
        raise RuntimeError(f"{failed} floor votes failed")
    return done / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--runs", type=int, default=2, help="measurements of each, the best kept")
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG))
    args = parser.parse_args()
    name = f"bench_floor_{os.getpid()}"
    url = recreate_pg_database(args.pg, name)
    tmp = temp_dir("bench-floor-")
    servers: list[bench_voting.Server] = []
    try:
        import psycopg

        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(
                "CREATE TABLE floor_votes (id serial PRIMARY KEY, round_id int NOT NULL, participant_id int NOT NULL, "
                "stage int, version int NOT NULL DEFAULT 1, UNIQUE (round_id, participant_id))"
            )
        # The product, as bench_voting.py starts it (its /healthz reads no table).
        product = bench_voting.start_server(url, 2, 8, 10, tmp, [])
        floor = start_floor(url, tmp)
        servers += [product, floor]
        figures: dict[str, list[float]] = {"product_healthz_rps": [], "floor_healthz_rps": [], "floor_vote_rps": []}
        for _ in range(args.runs):
            figures["product_healthz_rps"].append(asyncio.run(bench_voting.baseline(product.url, args.seconds, args.concurrency)))
            figures["floor_healthz_rps"].append(asyncio.run(bench_voting.baseline(floor.url, args.seconds, args.concurrency)))
            figures["floor_vote_rps"].append(asyncio.run(votes_per_second(floor.url, args.seconds, args.concurrency)))
            bench_voting.say(f"load {load_average()}: " + ", ".join(f"{k} {v[-1]:.0f}" for k, v in figures.items()))
        best = {key: round(max(values), 1) for key, values in figures.items()}
        best["floor_efficiency"] = round(best["floor_vote_rps"] / best["product_healthz_rps"], 2)
        best["floor_vote_over_floor_healthz"] = round(best["floor_vote_rps"] / best["floor_healthz_rps"], 2)
        print("details: " + json.dumps({"machine": machine(), "runs": figures}))
        print(json.dumps(best))
    finally:
        for server in servers:
            server.stop()
        drop_pg_database(args.pg, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
