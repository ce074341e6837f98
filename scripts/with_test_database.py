"""Run a command with TEST_DATABASE_URL naming a PostgreSQL database of this run's own.

    python scripts/with_test_database.py python -m pytest ...

The database gets a name no other run has (maturity_test_<time>_<pid>_<random>), is created
before the command and dropped after it, whether the command passes, fails or is interrupted,
together with the databases the test workers made beside it (<name>_gw0, ...). So two runs on
one PostgreSQL server never empty each other's tables. The server is TEST_POSTGRES_SERVER
(default postgresql://postgres@127.0.0.1:5432/postgres). The command's exit status is kept.
"""

import os
import secrets
import signal
import subprocess
import sys
import time

import psycopg
from psycopg import sql

SERVER = os.environ.get("TEST_POSTGRES_SERVER", "postgresql://postgres@127.0.0.1:5432/postgres")


def _admin(statement: sql.Composable) -> None:
    with psycopg.connect(SERVER, autocommit=True) as connection:
        connection.execute(statement)


def _drop(name: str) -> None:
    with psycopg.connect(SERVER, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT datname FROM pg_database WHERE datname = %s OR datname LIKE %s",
            (name, name.replace("_", r"\_") + r"\_gw%"),
        ).fetchall()
        for (found,) in rows:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(found))
            )


def main(command: list[str]) -> int:
    if not command:
        print(__doc__, file=sys.stderr)
        return 2
    name = f"maturity_test_{time.strftime('%Y%m%d%H%M%S')}_{os.getpid()}_{secrets.token_hex(3)}"
    # A TERM (a CI job cancelled) ends the run through the `finally` below, as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    _admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        url = psycopg.conninfo.make_conninfo(SERVER, dbname=name)
        params = psycopg.conninfo.conninfo_to_dict(url)
        user = params.get("user", "postgres")
        password = f":{params['password']}" if params.get("password") else ""
        host, port = params.get("host", "127.0.0.1"), params.get("port", "5432")
        env = {**os.environ, "TEST_DATABASE_URL": f"postgresql://{user}{password}@{host}:{port}/{name}"}
        print(f"PostgreSQL database of this run: {name}", flush=True)
        return subprocess.call(command, env=env)
    except KeyboardInterrupt:
        return 130
    finally:
        _drop(name)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
