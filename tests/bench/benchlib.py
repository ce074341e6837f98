"""Helpers shared by the benchmarks: percentiles, load averages, a throwaway database.

The benchmarks are scripts (bench_*.py), never collected by pytest: they print figures, they
do not assert timings.
"""

from __future__ import annotations

import os
import platform
import re
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: The PostgreSQL server the benchmarks use; the bench database is created and dropped in it.
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def percentile(values: Iterable[float], pct: float) -> float | None:
    """The pct-th percentile (0-100) by linear interpolation between the closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return None
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def machine() -> dict:
    """What the figures were measured on."""
    memory = None
    try:
        with open("/proc/meminfo") as handle:
            kb = int(re.search(r"MemTotal:\s+(\d+)", handle.read()).group(1))
            memory = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    return {
        "cores": os.cpu_count(),
        "ram": memory,
        "python": platform.python_version(),
        "load_average": load_average(),
    }


def wait_for_quiet(max_load: float, max_wait: float, say) -> None:
    """Wait (up to max_wait seconds) until the 1-minute load average is below max_load."""
    if max_load <= 0:
        return
    deadline = time.monotonic() + max_wait
    while os.getloadavg()[0] > max_load and time.monotonic() < deadline:
        say(f"load average {load_average()} is above {max_load}: waiting for the machine to quieten")
        time.sleep(15)


def pg_url(base: str, database: str) -> str:
    """The same server as `base` (a libpq URL), another database."""
    head, _, tail = base.partition("?")
    head = head.rsplit("/", 1)[0] + "/" + database
    return head + (f"?{tail}" if tail else "")


def recreate_pg_database(base: str, name: str) -> str:
    """Drop and create database `name` on the server of `base`; returns its URL."""
    import psycopg

    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"not a plain database name: {name!r}")
    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")
    return pg_url(base, name)


def drop_pg_database(base: str, name: str) -> None:
    import psycopg

    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def sqlalchemy_url(url: str) -> str:
    """A libpq URL in the form SQLAlchemy wants for psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def temp_dir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))
