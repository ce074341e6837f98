"""Pages at national scale: p50/p95 and SQL queries per page, through the Flask test client.

    make bench-pages                  # PostgreSQL (database maturity_bench_pages, made and dropped)
    make bench-pages DB=sqlite        # a temporary SQLite file

It builds the national-scale data set (tests/bench/national.py: about 150 areas, two cycles
each, evidence, workshops with votes, peer reviews), signs in as the national team (the user
who may see every page) and asks each key page and API endpoint for a typical area's current
cycle N times, timing each request inside the app (no network) and counting the SQL statements
it sends (an engine "before_cursor_execute" listener). Each page is then asked once for
"Smallshire" and once for "Largeshire", two areas with the same structure and very different
numbers of rows (2 evidence items against 200, 3 voters against 300, ...): a page that needs
more queries for Largeshire than for the typical area (ten times fewer rows) sends a query per
row somewhere, and is flagged.

The rate limiter is switched off by configuration for this in-process client (the API allows
300 requests a minute per token, fewer than this benchmark makes); nothing else changes.
The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import sys
import time

from benchlib import (
    DEFAULT_PG,
    ROOT,
    drop_pg_database,
    load_average,
    machine,
    ms,
    percentile,
    recreate_pg_database,
    sqlalchemy_url,
    temp_dir,
    wait_for_quiet,
)

#: name -> URL template. {a}: the area's current cycle, {p}: its previous cycle, {area}: the
#: area, {w}: the current cycle's workshop, {o}: another area's current cycle.
PAGES = {
    "assessment_task_list": "/assessments/{a}",
    "strand_page": "/assessments/{a}/strands/leadership",
    "evidence_register": "/assessments/{a}/evidence",
    "comparison": "/compare?a={a}&b={o}",
    "comparison_cycles": "/compare?a={a}&b={p}",
    "national_benchmark": "/benchmark",
    "area_benchmark": "/areas/{area}/benchmark",
    "summary": "/assessments/{a}/summary",
    "trend": "/assessments/{a}/trend",
    "workshop_results": "/workshops/{w}/results",
    "areas_list": "/areas/",
    "area_page": "/areas/{area}",
    "api_assessment": "/api/v1/assessments/{a}",
    "api_compare": "/api/v1/compare?a={a}&b={o}",
    "api_areas": "/api/v1/areas",
}
#: Pages about every area at once: the small/large comparison does not apply.
NATIONAL = {"national_benchmark", "areas_list", "api_areas"}


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def build(database_url: str, areas: int):
    os.environ["DATABASE_URL"] = database_url
    import national
    from flask_migrate import upgrade

    from maturity import create_app
    from maturity.auth import tokens
    from maturity.extensions import db
    from maturity.models import User

    tmp = temp_dir("maturity-bench-pages-")
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": sqlalchemy_url(database_url),
        "RATELIMIT_ENABLED": False,
        "UPLOAD_FOLDER": str(tmp / "uploads"),
        "SECRET_KEY": "bench-pages-secret",
    })
    gc.freeze()  # as app.py does in every gunicorn worker once the app is loaded
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision="heads")
        started = time.perf_counter()
        data = national.generate(areas=areas, say=say)
        say(f"generated {data.areas} areas, {data.assessments} assessments, {data.evidence} evidence "
            f"items, {data.votes} votes in {time.perf_counter() - started:.1f} s")
        admin = db.session.scalar(db.select(User).where(User.email == data.admin_email))
        _token, api_token = tokens.create_token(admin, "benchmark")
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as connection:  # fresh statistics, as autovacuum would make
                connection.exec_driver_sql("ANALYZE")
                connection.commit()
    return app, data, api_token


def sign_in(app, data):
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    form = {"email": data.admin_email, "password": data.password}
    if token:
        form["csrf_token"] = token.group(1)
    response = client.post("/sign-in", data=form)
    if response.status_code != 302:
        raise SystemExit(f"could not sign in: {response.status_code}")
    return client


def ids_for(data, name: str, other: str) -> dict[str, int]:
    previous, current = data.cycles[name]
    return {
        "a": current, "p": previous, "area": data.area_ids[name],
        "w": data.workshops[current], "o": data.cycles[other][1],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument("--pg-database", default="maturity_bench_pages")
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--areas", type=int, default=150)
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--only", help="comma-separated page names")
    parser.add_argument("--max-load", type=float, default=float(os.environ.get("BENCH_MAX_LOAD", "0")))
    args = parser.parse_args()

    wait_for_quiet(args.max_load, 900, say)
    tmp = temp_dir("maturity-bench-pages-db-")
    if args.db == "postgres":
        database_url = recreate_pg_database(args.pg, args.pg_database)
    else:
        database_url = f"sqlite:///{tmp / 'pages.sqlite'}"
    say(f"machine: {machine()}; database: {args.db}")
    try:
        report = run(args, database_url)
    finally:
        if args.db == "postgres" and not args.keep_database:
            drop_pg_database(args.pg, args.pg_database)
    print(json.dumps(report), flush=True)
    return 0 if all(p["status"] == 200 for p in report["pages"].values()) else 1


def run(args, database_url: str) -> dict:
    from sqlalchemy import event

    from maturity.extensions import db

    app, data, api_token = build(database_url, args.areas)
    client = sign_in(app, data)
    names = sorted(data.cycles)
    typical = [n for n in names if n not in ("Smallshire", "Largeshire")][len(names) // 2]
    other = [n for n in names if n not in ("Smallshire", "Largeshire", typical)][0]
    sets = {
        "typical": ids_for(data, typical, other),
        "small": ids_for(data, "Smallshire", other),
        "large": ids_for(data, "Largeshire", other),
    }
    say(f"typical area: {typical}; pages for its current cycle, {args.requests} requests each")

    queries = [0]
    with app.app_context():
        engine = db.engine

    def count(*_args):
        queries[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    api_headers = {"Authorization": f"Bearer {api_token}"}

    def fetch(url: str) -> tuple[int, float, int, int]:
        headers = api_headers if url.startswith("/api/") else None
        queries[0] = 0
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        elapsed = time.perf_counter() - started
        body = response.get_data()
        return response.status_code, elapsed, queries[0], len(body)

    pages = {}
    wanted = set(args.only.split(",")) if args.only else set(PAGES)
    for name, template in PAGES.items():
        if name not in wanted:
            continue
        url = template.format(**sets["typical"])
        for _ in range(3):  # warm up: templates compiled, caches filled
            status, _, _, _ = fetch(url)
        times, counts = [], []
        for _ in range(args.requests):
            status, elapsed, n, size = fetch(url)
            times.append(elapsed)
            counts.append(n)
        entry = {
            "p50_ms": ms(percentile(times, 50)),
            "p95_ms": ms(percentile(times, 95)),
            "queries": max(counts),
            "status": status,
            "kb": round(size / 1024, 1),
        }
        if name not in NATIONAL:
            small = fetch(template.format(**sets["small"]))
            large = fetch(template.format(**sets["large"]))
            entry["queries_small"], entry["queries_large"] = small[2], large[2]
            entry["large_ms"] = ms(large[1])
            # Largeshire holds ten times the rows of the typical area: a query per row (or per
            # few rows) shows as more queries there. Smallshire may need one query fewer when
            # its few rows happen to be in the session already (say one organisation owns
            # everything), so it is reported but not the test.
            entry["grows_with_rows"] = large[2] > max(counts)
            if small[0] != 200 or large[0] != 200:
                entry["status"] = max(small[0], large[0])
        pages[name] = entry
        flag = " QUERIES GROW WITH ROWS" if entry.get("grows_with_rows") else ""
        say(f"{name:22} p50 {entry['p50_ms']:>7} ms  p95 {entry['p95_ms']:>7} ms  "
            f"{entry['queries']:>3} queries (small {entry.get('queries_small', '-')}, large "
            f"{entry.get('queries_large', '-')}, {entry.get('large_ms', '-')} ms)  {entry['kb']} KB  "
            f"HTTP {entry['status']}{flag}")
    event.remove(engine, "before_cursor_execute", count)
    worst = max(pages.values(), key=lambda p: p["p95_ms"] or 0)
    return {
        "db": args.db,
        "areas": data.areas,
        "assessments": data.assessments,
        "evidence": data.evidence,
        "votes": data.votes,
        "requests_per_page": args.requests,
        "worst_p95_ms": worst["p95_ms"],
        "all_p95_under_150ms": all((p["p95_ms"] or 0) < 150 for p in pages.values()),
        "pages_with_growing_queries": sorted(n for n, p in pages.items() if p.get("grows_with_rows")),
        "load_average": load_average(),
        "machine": machine(),
        "pages": pages,
    }


if __name__ == "__main__":
    sys.exit(main())
