"""Live voting benchmark: N simulated phones vote over real HTTP against gunicorn.

    make bench-voting PARTICIPANTS=300             # PostgreSQL, gunicorn: 2 gevent workers
    make bench-voting PARTICIPANTS=300 DB=sqlite   # a temporary SQLite file, one worker

What it does, in order:

1. builds a fresh database (PostgreSQL: the database `maturity_bench`, dropped and created
   again; SQLite: a temporary file) through the migrations, loads the framework and sets up an
   area, a coordinator, an assessment and a workshop with the app's own operations;
2. starts the app under gunicorn (gevent workers) with the production settings, rate limits ON;
3. baseline: bursts of concurrent GET /healthz, each on fresh connections, the best one kept
   (requests per second; see measure_baseline);
4. signs a facilitator and a presenter in over HTTP; the presenter holds the SSE stream
   /live/workshops/<id>/events?view=presenter for the whole run and notes when each state
   arrives;
5. joins N participants concurrently, each a browser of its own (own cookie jar): the join
   page, the join form (with its CSRF token), the waiting page and one state poll;
6. the facilitator opens round 1. Each phone notices within 2.4 s (as the phone's poll every
   2 s plus jitter does: one request for the state with its ETag and the screen it shows, whose
   answer carries the new screen's HTML with the CSRF token and the round id) and its person
   votes at a random moment between then and the end of the 10 s window; about 20% change
   their vote once, later in the window. Votes go as the phone's script sends them: JSON with
   X-CSRFToken, asking for the screen with the vote marked (?panel=1);
7. waits for the presenter to show the last vote, closes and reveals the round, and checks
   the revealed tally against the last vote each participant sent (and against the rows);
8. round 2, a burst: every participant votes at once through a fixed number of concurrent
   connections, which gives the vote throughput the server can sustain (vote_rps), comparable
   with the baseline, while the phones keep their streams (or polls) as in round 1; its tally
   is checked too.

Presenter lag: for every vote, the time from its response to the arrival of the first presenter
state that surely includes it: one that began to be read after that response (each state
carries `as_of`, the server's clock when its reading began; the server and this script share
the machine's clock), or one that counts every vote written in the round (the middle part of
a state's version is the number of vote writes it counts). The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import resource
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

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

PASSWORD = "bench-password-not-secret"
FACILITATOR = "facilitator@bench.example"
SECRET = "bench-secret-key-not-for-production"
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
ROUND_INPUT = re.compile(r'name="round_id" value="(\d+)"')
EVENTS_URL = re.compile(r'data-events-url="([^"]+)"')
POLL_MS = re.compile(r'data-poll-ms="(\d+)"')
#: The phone's poll interval plus its jitter (static/js/workshop-participant.js), and the least
#: time a person takes between the voting buttons appearing and tapping one.
POLL_CYCLE = 2.4
REACTION = 0.5
ORG_TYPES = [
    "local-authority", "police", "health", "schools", "housing", "jobcentre-plus",
    "probation", "voluntary", "not-given",
]


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def csrf_of(html: str) -> str:
    found = CSRF_INPUT.search(html)
    if not found:
        raise RuntimeError("no CSRF token in the page")
    return found.group(1) or found.group(2)


# --------------------------------------------------------------------------------------------
# Database and server
# --------------------------------------------------------------------------------------------


def prepare_database(database_url: str, rooms: int = 1) -> list[dict]:
    """Migrate, load the framework, set up the area, users, assessment and `rooms` workshops."""
    os.environ["DATABASE_URL"] = database_url
    from flask_migrate import upgrade

    from maturity import create_app
    from maturity.admin import operations as admin
    from maturity.assessments.operations import create_assessment
    from maturity.extensions import db
    from maturity.framework.operations import load_file
    from maturity.workshops import operations as workshops

    app = create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(database_url), "RATELIMIT_ENABLED": False,
                      "SECRET_KEY": SECRET})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision="heads")
        framework = load_file(app.config["FRAMEWORK_FILE"]).framework
        area = admin.create_area("Benchshire", "county", region="East Midlands")
        admin.add_organisation(area, "Benchshire County Council", "local-authority")
        user = admin.create_user(FACILITATOR, "Bench Facilitator", PASSWORD)
        admin.set_membership(user, area, "coordinator")
        assessment = create_assessment(area, framework, "Benchshire 2024", "2024 to 2025", user=user)
        rounds = [(strand, None) for strand in framework.strands]
        made = [
            workshops.create_workshop(assessment, f"Benchmark workshop {n + 1}", rounds, user=user)
            for n in range(rooms)
        ]
        db.session.commit()
        infos = [{"workshop_id": w.id, "code": w.join_code, "round_ids": [r.id for r in w.rounds]} for w in made]
        db.engine.dispose()
    return infos


def count_rows(database_url: str, round_id: int) -> dict[str, int]:
    """The votes stored for a round, per stage ("none" = don't know), straight from the table."""
    from sqlalchemy import create_engine, func, select

    from maturity.models import Vote

    engine = create_engine(sqlalchemy_url(database_url))
    with engine.connect() as connection:
        rows = connection.execute(
            select(Vote.stage, func.count()).where(Vote.round_id == round_id).group_by(Vote.stage)
        ).all()
    engine.dispose()
    return {str(stage) if stage is not None else "none": int(n) for stage, n in rows}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def redis_answers(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001 - not installed, refused, timed out: no Redis here
        return False


def rate_limit_settings(choice: str, url: str, run_name: str) -> dict[str, str]:
    """The server's rate-limit settings: Redis, as the README's production command has it (its
    keys prefixed with this run's name, so runs at once never share counters), or memory."""
    if choice == "memory" or (choice == "auto" and not redis_answers(url)):
        return {}
    if choice == "redis" and not redis_answers(url):
        raise SystemExit(f"Redis does not answer at {url}")
    return {"RATELIMIT_STORAGE_URI": url, "RATELIMIT_KEY_PREFIX": f"bench-{run_name}-{os.getpid()}"}


def start_server(
    database_url: str, workers: int, threads: int, pool: int, tmp: Path, extra_args: list[str],
    worker_class: str = "gevent", worker_connections: int = 5000, settings: dict[str, str] | None = None,
) -> Server:
    port = free_port()
    env = {
        **os.environ,
        **(settings or {}),
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "DB_POOL_SIZE": str(pool),
        "UPLOAD_FOLDER": str(tmp / "uploads"),
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = tmp / "gunicorn.log"
    concurrency = (["--threads", str(threads)] if worker_class == "gthread"
                   else ["--worker-connections", str(worker_connections)])
    command = [
        str(gunicorn), "--worker-class", worker_class, "--workers", str(workers),
        *concurrency, "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "5",
        # Longer than the client keeps idle connections, so the server never closes one the
        # client is about to reuse (a benchmark artefact, not something phones see).
        "--keep-alive", "15", "--timeout", "120", "--backlog", "4096",
        *extra_args, "app:app",
    ]
    say("server: " + " ".join(command[1:]))
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    return wait_until_up(Server(f"http://127.0.0.1:{port}", process, log))


def wait_until_up(server: Server, seconds: float = 60) -> Server:
    """The server once its /healthz answers; stopped, and its log shown, when it never does."""
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError("gunicorn exited:\n" + server.log.read_text()[-3000:])
        try:
            with urllib.request.urlopen(server.url + "/healthz", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError("gunicorn did not start in time:\n" + server.log.read_text()[-3000:])


# --------------------------------------------------------------------------------------------
# Clients
# --------------------------------------------------------------------------------------------


@dataclass
class VoteRecord:
    participant: int
    stage: int | None
    sent: float
    latency: float
    status: int
    answered_at: float  # wall clock (time.time()) when the response had been read
    round_id: int


@dataclass
class Run:
    url: str
    code: str
    workshop_id: int
    connector: object = None
    errors: dict[str, int] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)
    votes: list[VoteRecord] = field(default_factory=list)

    def error(self, kind: str, detail: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1
        if len(self.error_samples) < 10:
            self.error_samples.append(f"{kind}: {detail[:300]}")


def new_session(run: Run):
    import aiohttp

    # unsafe=True: keep cookies from an IP-address host (127.0.0.1), as a browser does.
    return aiohttp.ClientSession(
        connector=run.connector, connector_owner=False,
        cookie_jar=aiohttp.CookieJar(unsafe=True),
        timeout=aiohttp.ClientTimeout(total=60),
    )


async def baseline(url: str, seconds: float, concurrency: int) -> float:
    """Requests per second of GET /healthz from `concurrency` connections for `seconds`."""
    import aiohttp

    connector = aiohttp.TCPConnector(limit=concurrency, keepalive_timeout=10)
    done = 0
    failed = 0
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        stop_at = started + seconds

        async def loop():
            nonlocal done, failed
            while time.perf_counter() < stop_at:
                async with session.get(url + "/healthz") as response:
                    await response.read()
                    if response.status == 200:
                        done += 1
                    else:
                        failed += 1

        await asyncio.gather(*(loop() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    if failed:
        say(f"baseline: {failed} failed requests")
    return done / elapsed


async def sign_in(run: Run):
    session = new_session(run)
    async with session.get(run.url + "/sign-in") as response:
        token = csrf_of(await response.text())
    async with session.post(
        run.url + "/sign-in",
        data={"csrf_token": token, "email": FACILITATOR, "password": PASSWORD},
        allow_redirects=False,
    ) as response:
        if response.status != 302:
            raise RuntimeError(f"sign-in failed: {response.status} {(await response.text())[:500]}")
    return session


async def console_page(run: Run, session) -> str:
    """The facilitator's console page (its CSRF token serves the console's buttons)."""
    async with session.get(f"{run.url}/workshops/{run.workshop_id}/facilitate") as response:
        return await response.text()


#: The console's status part as drawn: its version, its round, and whether its figures may be
#: changed in place (static/js/workshop-facilitator.js).
DRAWN = re.compile(r'class="app-console-status" data-version="([^"]+)"(?: data-round-id="(\d+)")?( data-counts-live)?')


async def facilitator_action(run: Run, session, action: str, token: str) -> dict:
    """A console button: POSTed with the token of the console page the facilitator has open."""
    async with session.post(
        f"{run.url}/workshops/{run.workshop_id}/{action}",
        data={"csrf_token": token},
        headers={"Accept": "application/json"},
    ) as response:
        body = await response.json(content_type=None)
        if response.status != 200:
            raise RuntimeError(f"{action} failed: {response.status} {body}")
        return body


def writes_of(state: dict) -> int:
    """The vote writes a presenter state counts: the middle part of its version."""
    return int(state["version"].split(".")[1])


@dataclass
class Presenter:
    """The presenter screen: holds the event stream, notes each state and when it came."""

    states: list[tuple[float, dict]] = field(default_factory=list)
    reconnects: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def note(self, state: dict) -> None:
        now = time.perf_counter()
        self.states.append((now, state))
        self.changed.set()

    def first_time_with(self, answered_at: float, total_writes: int) -> float | None:
        """When the first state that surely includes a vote answered at `answered_at` (wall
        clock) arrived (perf_counter): one whose reading began after that answer, or one that
        counts every vote write of the round (`total_writes`)."""
        for arrived, state in self.states:
            if state["as_of"] >= answered_at or writes_of(state) >= total_writes:
                return arrived
        return None

    async def wait_for(self, predicate, timeout: float) -> dict | None:
        deadline = time.perf_counter() + timeout
        while True:
            for _, state in reversed(self.states[-5:]):
                if predicate(state):
                    return state
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                return None
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), remaining)

    view = "presenter"

    async def follow(self, run: Run, session) -> None:
        import aiohttp

        last_id = None
        url = f"{run.url}/live/workshops/{run.workshop_id}/events?view={self.view}"
        while True:
            headers = {"Accept": "text/event-stream"}
            if last_id is not None:
                headers["Last-Event-ID"] = str(last_id)
            try:
                async with session.get(
                    url, headers=headers, timeout=aiohttp.ClientTimeout(total=None, sock_read=60)
                ) as response:
                    if response.status != 200:
                        run.error(self.view, f"HTTP {response.status}")
                        await asyncio.sleep(1)
                        continue
                    event, data = None, None
                    async for raw in response.content:
                        line = raw.decode("utf-8").rstrip("\n")
                        if line.startswith("event:"):
                            event = line[6:].strip()
                        elif line.startswith("data:"):
                            data = line[5:].strip()
                        elif line.startswith("id:"):
                            last_id = line[3:].strip()
                        elif line == "":
                            if event == "state" and data:
                                self.note(json.loads(data))
                            event, data = None, None
            except (aiohttp.ClientError, TimeoutError) as error:
                run.error(self.view, repr(error))
            self.reconnects += 1


@dataclass
class Console(Presenter):
    """The facilitator's console as its script behaves: the page loaded once (its CSRF token
    serves every button), the facilitator's event stream, and on each new state either its
    figures changed in place (only votes or joining moved it, as the part drawn allows) or the
    console's status part fetched again (?fragment=status), one fetch at a time."""

    view = "facilitator"
    token: str | None = None
    redraws: int = 0
    in_place: int = 0
    drawn: tuple[str, str | None, bool] | None = None
    run: object = None
    session: object = None
    redrawing: bool = False
    again: bool = False
    #: Set when the run ends: a redraw cut short by closing the session is no error.
    stopped: bool = False

    async def follow(self, run: Run, session) -> None:
        self.run, self.session = run, session
        await super().follow(run, session)

    def draw(self, html: str) -> None:
        found = DRAWN.search(html)
        self.drawn = (found.group(1), found.group(2), bool(found.group(3))) if found else None

    def counts_in_place(self, state: dict) -> bool:
        """As the script's updateCounts: True when the state was dealt with without a fetch."""
        if self.drawn is None:
            return False
        version, round_id, live = self.drawn
        round_ = state.get("round") or {}
        if (not live or round_.get("state") != "open" or state.get("result") or state.get("preview")
                or state.get("withheld") or not state.get("count") or str(round_.get("id")) != round_id):
            return False
        had = [int(part) for part in version.split(".")]
        now = [int(part) for part in state["version"].split(".")]
        if had[0] != now[0]:
            return False
        if now[1] >= had[1] and now[2] >= had[2]:
            self.drawn = (state["version"], round_id, live)
        self.in_place += 1
        return True

    def note(self, state: dict) -> None:
        super().note(state)
        if self.stopped:
            return
        if not self.redrawing and self.counts_in_place(state):
            return
        if self.redrawing:
            self.again = True
            return
        self.redrawing = True
        asyncio.get_running_loop().create_task(self.redraw())

    async def redraw(self) -> None:
        url = f"{self.run.url}/workshops/{self.run.workshop_id}/facilitate?fragment=status"
        try:
            while True:
                self.again = False
                try:
                    async with self.session.get(url, headers={"Accept": "text/html"}) as response:
                        html = await response.text()
                        if response.status != 200:
                            self.run.error("console", f"fragment {response.status}")
                        else:
                            self.draw(html)
                    self.redraws += 1
                except Exception as error:  # noqa: BLE001
                    if not self.stopped:
                        self.run.error("console", repr(error))
                if not self.again or self.stopped:
                    return
        finally:
            self.redrawing = False


@dataclass
class Phone:
    index: int
    session: object
    etag: str | None = None
    csrf: str | None = None
    round_id: int | None = None
    last_stage: int | None = None
    voted: bool = False
    screen: str | None = None
    #: From the vote page: where the phone's script would stream from, and how often it polls.
    events_url: str | None = None
    poll_ms: int = 2000
    #: Each state the phone received (by stream or poll), with when (perf_counter).
    states: list[tuple[float, dict]] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def note(self, state: dict) -> None:
        self.states.append((time.perf_counter(), state))
        if state.get("poll_ms"):
            self.poll_ms = int(state["poll_ms"])
        self.changed.set()

    async def wait_for(self, predicate, timeout: float) -> float | None:
        """When (perf_counter) the first state meeting `predicate` arrived, waiting for it."""
        deadline = time.perf_counter() + timeout
        seen = 0
        while True:
            for arrived, state in self.states[seen:]:
                if predicate(state):
                    return arrived
            seen = len(self.states)
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                return None
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), remaining)


async def join(run: Run, index: int) -> Phone | None:
    session = new_session(run)
    phone = Phone(index, session)
    base = f"{run.url}/join/{run.code}"
    try:
        async with session.get(base) as response:
            if response.status != 200:
                run.error("join", f"GET join page {response.status}")
                return None
            token = csrf_of(await response.text())
        org_type = random.choice(ORG_TYPES)
        async with session.post(base, data={"csrf_token": token, "org_type": org_type}, allow_redirects=False) as response:
            if response.status != 302:
                run.error("join", f"POST join {response.status} {(await response.text())[:200]}")
                return None
        async with session.get(base + "/vote") as response:
            if response.status != 200:
                run.error("join", f"GET waiting page {response.status}")
                return None
            page = await response.text()
            found = EVENTS_URL.search(page)
            phone.events_url = run.url + found.group(1) if found else None
            found = POLL_MS.search(page)
            phone.poll_ms = int(found.group(1)) if found else 2000
        async with session.get(f"{run.url}/live/join/{run.code}/state", headers={"Accept": "application/json"}) as response:
            if response.status != 200:
                run.error("join", f"GET state {response.status}")
                return None
            phone.screen = (await response.json()).get("screen")
            phone.etag = response.headers.get("ETag")
    except Exception as error:  # noqa: BLE001 - every failure is counted, none stops the run
        run.error("join", repr(error))
        return None
    return phone


def state_url(run: Run, phone: Phone) -> str:
    """The phone script's poll: the state, saying which screen the phone shows."""
    return f"{run.url}/live/join/{run.code}/state?" + urlencode({"screen": phone.screen or ""})


def take_panel(phone: Phone, state: dict) -> bool:
    """Draw a new screen the way the script does; False when the answer had no screen's HTML."""
    html = state.get("panel")
    if html is None:
        return False
    phone.screen = state.get("screen")
    if 'name="csrf_token"' in html:
        phone.csrf = csrf_of(html)
    found = ROUND_INPUT.search(html)
    if found:
        phone.round_id = int(found.group(1))
    return True


async def follow_round(run: Run, phone: Phone, latencies: list[float], fresh: bool = False) -> bool:
    """What the phone's script does when the facilitator opens a round: its next poll brings the
    new state with the new screen's HTML (one request).

    fresh=True leaves out the ETag (when a poller of the same phone may have used it already).
    """
    headers = {"Accept": "application/json"}
    if phone.etag and not fresh:
        headers["If-None-Match"] = phone.etag
    started = time.perf_counter()
    try:
        async with phone.session.get(state_url(run, phone), headers=headers) as response:
            if response.status != 200:
                run.error("follow", f"state {response.status}")
                return False
            state = await response.json()
            phone.etag = response.headers.get("ETag")
        if not state.get("round") or state["round"]["state"] != "open":
            run.error("follow", f"round not open in state: {state.get('round')}")
            return False
        if state.get("screen") != phone.screen and not take_panel(phone, state):
            run.error("follow", "a new screen came without its HTML")
            return False
        if phone.round_id != state["round"]["id"]:
            run.error("follow", "the screen's round is not the state's")
            return False
    except Exception as error:  # noqa: BLE001
        run.error("follow", repr(error))
        return False
    latencies.append(time.perf_counter() - started)
    return True


async def poll_once(run: Run, phone: Phone, stats: dict) -> None:
    """One poll of the phone's script: the state with its ETag (and the screen if it changed)."""
    headers = {"Accept": "application/json"}
    if phone.etag:
        headers["If-None-Match"] = phone.etag
    started = time.perf_counter()
    asked = phone.screen
    try:
        async with phone.session.get(state_url(run, phone), headers=headers) as response:
            if response.status == 304:
                stats["not_modified"] += 1
                stats["latencies"].append(time.perf_counter() - started)
                return
            if response.status != 200:
                run.error("poll", f"state {response.status}")
                return
            state = await response.json()
            phone.etag = response.headers.get("ETag")
        stats["latencies"].append(time.perf_counter() - started)
        stats["changed"] += 1
        phone.note(state)
        if state.get("screen") == asked:
            return  # as the script: an answer repeating the screen it asked from is not news
        if state.get("screen") != phone.screen:
            if not take_panel(phone, state):
                run.error("poll", "a new screen came without its HTML")
                return
            stats["redraws"] += 1
    except Exception as error:  # noqa: BLE001
        run.error("poll", repr(error))


async def keep_polling(run: Run, phone: Phone, stats: dict, stop: asyncio.Event) -> None:
    """The phone's script: a poll at the interval the server advises (2 s in a room of up to
    300) plus up to 0.4 s of jitter, until told to stop."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), phone.poll_ms / 1000 + random.uniform(0, 0.4))
        if not stop.is_set():
            await poll_once(run, phone, stats)


async def keep_streaming(run: Run, phone: Phone, stats: dict, stop: asyncio.Event) -> None:
    """The phone's script where the server streams: one event stream held all through, its
    screen taken from each `state` message, reconnecting (as the browser does) if it drops."""
    import aiohttp

    while not stop.is_set():
        url = phone.events_url + "?" + urlencode({"screen": phone.screen or ""})
        try:
            async with phone.session.get(
                url, headers={"Accept": "text/event-stream"},
                timeout=aiohttp.ClientTimeout(total=None, sock_read=120),
            ) as response:
                if response.status != 200:
                    run.error("stream", f"HTTP {response.status}")
                    await asyncio.sleep(2)
                    continue
                stats["connects"] += 1
                event, data = None, None
                async for raw in response.content:
                    line = raw.decode("utf-8").rstrip("\n")
                    if line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:"):
                        data = line[5:].strip()
                    elif line == "":
                        if data and event in ("state", "count"):
                            stats["events"] += 1
                            if event == "state":
                                state = json.loads(data)
                                if state.get("screen") != phone.screen:
                                    take_panel(phone, state)
                                phone.note(state)
                        elif event == "gone":
                            run.error("stream", f"gone: {data}")
                            return
                        event, data = None, None
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - counted; the browser would reconnect
            if not stop.is_set():
                run.error("stream", repr(error))
                await asyncio.sleep(2)


def pick_stage(previous: int | None = None, dont_know_share: float = 0.05) -> int | None:
    while True:
        stage = None if random.random() < dont_know_share else random.choice((1, 2, 2, 3, 3, 3, 4))
        if previous is None or stage != previous:
            return stage


async def vote(run: Run, phone: Phone, stage: int | None) -> VoteRecord:
    """A tap on a stage, as the script sends it; the answer carries the screen with the vote."""
    payload = {"round_id": phone.round_id, "stage": "dont-know" if stage is None else stage}
    sent = time.perf_counter()
    status = 0
    answer = None
    try:
        async with phone.session.post(
            f"{run.url}/live/join/{run.code}/vote?panel=1",
            json=payload,
            headers={"Accept": "application/json", "X-CSRFToken": phone.csrf or ""},
        ) as response:
            body = await response.read()
            status = response.status
            if status == 200:
                answer = json.loads(body)
            else:
                run.error("vote", f"{status} {body[:200]!r}")
    except Exception as error:  # noqa: BLE001
        run.error("vote", repr(error))
    latency = time.perf_counter() - sent
    record = VoteRecord(phone.index, stage, sent, latency, status, time.time(), phone.round_id)
    run.votes.append(record)
    if status == 200:
        phone.last_stage = stage
        phone.voted = True
        if answer and not take_panel(phone, answer):
            run.error("vote", "the answer had no screen with the vote marked")
    return record


def expected_tally(phones: list[Phone]) -> dict[str, int]:
    counts = {"1": 0, "2": 0, "3": 0, "4": 0, "none": 0}
    for phone in phones:
        if phone.voted:
            counts["none" if phone.last_stage is None else str(phone.last_stage)] += 1
    return counts


def tally_of(result: dict) -> dict[str, int]:
    return {**{k: int(v) for k, v in result["counts"].items()}, "none": int(result["abstentions"])}


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------


def worker_cpu(master_pid: int) -> dict[int, float]:
    """CPU seconds (user + system) used so far by each of the gunicorn master's workers."""
    tick = os.sysconf("SC_CLK_TCK")
    used: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            rest = (entry / "stat").read_text().rsplit(")", 1)[1]
        except OSError:
            continue
        fields = rest.split()
        # After the command: state, ppid, ..., utime (14th field of the line), stime (15th).
        if int(fields[1]) == master_pid:
            used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    return used


def cpu_seconds(master_pid: int) -> dict[str, float]:
    """CPU seconds (user + system) used so far by the gunicorn master's worker processes, by
    this benchmark (the phones' client), and by the whole machine (all cores, /proc/stat)."""
    tick = os.sysconf("SC_CLK_TCK")
    busy = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    # user, nice, system, idle, iowait, irq, softirq, steal: busy is all but idle and iowait.
    used = {"workers": sum(worker_cpu(master_pid).values()),
            "machine": sum(int(v) for i, v in enumerate(busy[:8]) if i not in (3, 4)) / tick}
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used["client"] = usage.ru_utime + usage.ru_stime
    return used


async def measure_baseline(args, server: Server, report: dict) -> None:
    """The baseline in `args.baseline_spells` spells, each on fresh connections, keeping the best.

    Which worker accepts a keep-alive connection decides which one serves it: in a spell where
    one worker happened to accept most of them, /healthz runs on one core and the baseline comes
    out about a third low, flattering the efficiency. The best spell is the server's capacity;
    the busiest worker's share of the workers' CPU in it is reported, 0.5 being even."""
    spells, shares = [], []
    seconds = args.baseline_seconds / args.baseline_spells
    for _ in range(args.baseline_spells):
        before = worker_cpu(server.process.pid)
        spells.append(round(await baseline(server.url, seconds, args.concurrency), 1))
        used = {pid: cpu - before.get(pid, 0.0) for pid, cpu in worker_cpu(server.process.pid).items()}
        shares.append(round(max(used.values()) / max(sum(used.values()), 1e-9), 2) if used else None)
    best = max(range(len(spells)), key=lambda n: spells[n])
    report["baseline_rps"] = spells[best]
    report["baseline_spells_rps"] = spells
    report["baseline_busiest_worker_share"] = shares[best]


@dataclass
class Room:
    """One workshop of the run: its phones, facilitator and presenter."""

    run: Run
    facilitator: object = None
    presenter_session: object = None
    presenter: Presenter = field(default_factory=Presenter)
    presenter_task: object = None
    console: Console = field(default_factory=Console)
    console_task: object = None
    phones: list[Phone] = field(default_factory=list)
    round_1: int | None = None
    round_2: int | None = None
    exact: bool = True
    counted: int = 0


async def run_benchmark(args, infos: list[dict], server: Server, database_url: str) -> dict:
    import aiohttp

    report: dict = {"machine": machine(), "rooms": len(infos)}
    say(f"baseline: GET /healthz from {args.concurrency} connections, {args.baseline_spells} spells of "
        f"{args.baseline_seconds / args.baseline_spells:.1f} s")
    await measure_baseline(args, server, report)
    say(f"baseline: {report['baseline_rps']} requests/s (spells {report['baseline_spells_rps']}, busiest worker's "
        f"share {report['baseline_busiest_worker_share']}; load {load_average()})")

    # Phones that stream hold a connection each for the whole run: no limit on the pool then.
    connector = aiohttp.TCPConnector(limit=0 if args.mode in ("auto", "stream") else args.connections,
                                     keepalive_timeout=10)
    rooms = [Room(Run(server.url, info["code"], info["workshop_id"], connector)) for info in infos]
    for room in rooms:
        room.facilitator = await sign_in(room.run)
        page = await console_page(room.run, room.facilitator)
        room.console.token = csrf_of(page)
        room.console.draw(page)
        room.console_task = asyncio.create_task(room.console.follow(room.run, room.facilitator))
        room.presenter_session = await sign_in(room.run)
        room.presenter_task = asyncio.create_task(room.presenter.follow(room.run, room.presenter_session))

    total = args.participants * len(rooms)
    say(f"joining {args.participants} participants in each of {len(rooms)} room(s) ({args.join_concurrency} at a time)")
    started = time.perf_counter()
    gate = asyncio.Semaphore(args.join_concurrency)

    async def gated_join(room: Room, index: int):
        async with gate:
            return await join(room.run, index)

    for room in rooms:
        joined = await asyncio.gather(*(gated_join(room, i) for i in range(args.participants)))
        room.phones = [p for p in joined if p is not None]
    phones = [p for room in rooms for p in room.phones]
    join_seconds = time.perf_counter() - started
    say(f"joined {len(phones)} of {total} in {join_seconds:.1f} s ({len(phones) / join_seconds:.0f}/s, load {load_average()})")
    report["join_seconds"] = round(join_seconds, 1)

    mode = args.mode
    if mode == "auto":
        mode = "stream" if phones and phones[0].events_url else "poll"
    if mode == "stream" and not all(p.events_url for p in phones):
        raise RuntimeError("--mode stream, but the server does not offer phones a stream")
    report["mode"] = mode
    say(f"phones: {mode}" + (f" (advised poll interval {phones[0].poll_ms} ms)" if mode == "poll" and phones else ""))
    stats = {"latencies": [], "not_modified": 0, "changed": 0, "redraws": 0, "events": 0, "connects": 0}
    stop_following = asyncio.Event()
    keep = {"stream": keep_streaming, "poll": keep_polling}.get(mode)
    followers = [asyncio.create_task(keep(room.run, p, stats, stop_following)) for room in rooms for p in room.phones] if keep else []
    if mode == "stream":
        # Every phone holds its stream (and has had its first state) before the round opens.
        waited = await asyncio.gather(*(p.wait_for(lambda s: True, 30) for p in phones))
        say(f"streams open: {sum(1 for w in waited if w is not None)} of {len(phones)} (load {load_average()})")

    # ---- Round 1: votes spread over the window, in every room at once ----------------------
    follow_latencies: list[float] = []
    window = args.window
    cpu_before = cpu_seconds(server.process.pid)

    async def take_part(room: Room, phone: Phone, t_open: float) -> None:
        if mode == "stream":
            # The stream brings the opened round's screen: no request.
            arrived = await phone.wait_for(
                lambda s: (s.get("round") or {}).get("id") == room.round_1 and s["round"]["state"] == "open", 30)
            if arrived is None or phone.round_id != room.round_1:
                room.run.error("follow", "the stream never brought the opened round")
                return
            follow_latencies.append(arrived - t_open)
            first_at = random.uniform(arrived - t_open + REACTION, max(arrived - t_open + REACTION, window * 0.85))
        else:
            # The phone's script polls every 2 s plus up to 0.4 s of jitter, so each phone sees
            # the open round within 2.4 s; the person then reads the screen and taps, at least
            # REACTION seconds later, at a random moment of the window.
            cycle = phone.poll_ms / 1000 + 0.4
            follow_at = random.uniform(0, min(cycle, window / 4))
            first_at = random.uniform(cycle + REACTION, max(cycle + REACTION, window * 0.85))
            await asyncio.sleep(max(0.0, t_open + follow_at - time.perf_counter()))
            if not await follow_round(room.run, phone, follow_latencies, fresh=mode == "poll"):
                return
            first_at = max(first_at, time.perf_counter() - t_open + REACTION)
        change_at = random.uniform(first_at + REACTION, window) if random.random() < args.change_share else None
        await asyncio.sleep(max(0.0, t_open + first_at - time.perf_counter()))
        first = await vote(room.run, phone, pick_stage())
        if change_at is not None and first.status == 200:
            await asyncio.sleep(max(0.0, t_open + change_at - time.perf_counter()))
            await vote(room.run, phone, pick_stage(first.stage))

    async def run_room(room: Room) -> float:
        opened = await facilitator_action(room.run, room.facilitator, "open", room.console.token)
        t_open = time.perf_counter()
        room.round_1 = opened["state"]["round"]["id"]
        await asyncio.gather(*(take_part(room, p, t_open) for p in room.phones))
        return t_open

    say(f"round 1 open in {len(rooms)} room(s): votes over {args.window:.0f} s, about {args.change_share:.0%} change once")
    opened_at = await asyncio.gather(*(run_room(room) for room in rooms))
    t_open = min(opened_at)
    cpu_after = cpu_seconds(server.process.pid)
    cpu_round_1 = cpu_after["workers"] - cpu_before["workers"]
    report["client_cpu_s"] = round(cpu_after["client"] - cpu_before["client"], 2)
    # Everything else the machine did meanwhile: PostgreSQL, mostly.
    report["other_cpu_s"] = round(cpu_after["machine"] - cpu_before["machine"] - cpu_round_1 - report["client_cpu_s"], 2)
    all_votes = [v for room in rooms for v in room.run.votes if v.round_id == room.round_1]
    ok_1 = [v for v in all_votes if v.status == 200]
    last_response = max((v.sent + v.latency for v in all_votes), default=t_open)
    say(f"round 1: {len(all_votes)} votes sent, the last answered {last_response - t_open:.1f} s after opening; "
        f"CPU s used by the workers {cpu_round_1:.1f}, the phones' client {report['client_cpu_s']}, "
        f"the rest of the machine (PostgreSQL, mostly) {report['other_cpu_s']}")

    lags: list[float] = []
    final_lags: list[float] = []
    for room in rooms:
        window_votes = [v for v in room.run.votes if v.round_id == room.round_1]
        room_last = max((v.sent + v.latency for v in window_votes), default=t_open)
        last_answered = max((v.answered_at for v in window_votes if v.status == 200), default=0.0)
        total_writes = sum(1 for v in window_votes if v.status == 200)  # each adds one to the sum
        round_1 = room.round_1

        def has_all(state: dict, last_answered=last_answered, total_writes=total_writes, round_1=round_1) -> bool:
            return state["as_of"] >= last_answered or (
                (state.get("round") or {}).get("id") == round_1 and writes_of(state) >= total_writes
            )

        final = await room.presenter.wait_for(has_all, timeout=20)
        if final:
            final_lags.append(max(0.0, room.presenter.first_time_with(last_answered, total_writes) - room_last))
        missing = 0
        for record in window_votes:
            if record.status != 200:
                continue
            seen = room.presenter.first_time_with(record.answered_at, total_writes)
            if seen is None:
                missing += 1
            else:
                lags.append(max(0.0, seen - (record.sent + record.latency)))
        if missing:
            room.run.error("presenter", f"{missing} votes never shown on the presenter screen")

    # ---- Close and reveal: how long the revealed result takes to reach every phone --------
    reveal_latencies: list[float] = []
    never_revealed = 0

    async def reveal_room(room: Room) -> None:
        nonlocal never_revealed
        expected = expected_tally(room.phones)
        await facilitator_action(room.run, room.facilitator, "close", room.console.token)
        await facilitator_action(room.run, room.facilitator, "reveal", room.console.token)
        t_reveal = time.perf_counter()
        round_1 = room.round_1
        if mode in ("stream", "poll"):
            def revealed(state: dict) -> bool:
                round_ = state.get("round") or {}
                return round_.get("id") == round_1 and bool(round_.get("revealed"))

            arrivals = await asyncio.gather(*(p.wait_for(revealed, 20) for p in room.phones))
            for arrived in arrivals:
                if arrived is None:
                    never_revealed += 1
                else:
                    # A poll answer may have arrived just before the reveal's own response did.
                    reveal_latencies.append(max(0.0, arrived - t_reveal))
        shown = await room.presenter.wait_for(
            lambda s: s.get("result") is not None and (s.get("round") or {}).get("id") == round_1, timeout=20
        )
        counted = tally_of(shown["result"]) if shown else None
        rows = count_rows(database_url, round_1)
        room.counted = sum(counted.values()) if counted else 0
        room.exact = counted == expected and {k: v for k, v in expected.items() if v} == rows
        if not room.exact:
            say(f"room {room.run.code}: sent {expected}, presenter {counted}, rows {rows}: WRONG")

    await asyncio.gather(*(reveal_room(room) for room in rooms))
    if never_revealed:
        rooms[0].run.error("reveal", f"{never_revealed} phones never showed the revealed round within 20 s")
    exact_1 = all(room.exact for room in rooms)
    say(f"round 1 tallies: {'all exact' if exact_1 else 'WRONG'} in {len(rooms)} room(s)")

    report.update(
        {
            "participants": args.participants,
            "phones": total,
            "joined": len(phones),
            "votes_sent": len(all_votes),
            "votes_counted": sum(room.counted for room in rooms),
            "vote_p50_ms": ms(percentile([v.latency for v in ok_1], 50)),
            "vote_p95_ms": ms(percentile([v.latency for v in ok_1], 95)),
            "vote_p99_ms": ms(percentile([v.latency for v in ok_1], 99)),
            "vote_max_ms": ms(max((v.latency for v in ok_1), default=None)),
            "window_vote_rps": round(len(all_votes) / max(last_response - t_open, 1e-9), 1),
            "follow_p95_ms": ms(percentile(follow_latencies, 95)),
            "presenter_lag_p50_ms": ms(percentile(lags, 50)),
            "presenter_lag_p95_ms": ms(percentile(lags, 95)),
            "presenter_final_lag_ms": ms(max(final_lags, default=None)),
            "reveal_p50_ms": ms(percentile(reveal_latencies, 50)) if mode != "follow" else None,
            "reveal_p95_ms": ms(percentile(reveal_latencies, 95)) if mode != "follow" else None,
            "reveal_max_ms": ms(max(reveal_latencies, default=None)) if mode != "follow" else None,
            "poll_p95_ms": ms(percentile(stats["latencies"], 95)) if mode == "poll" else None,
            "polls": len(stats["latencies"]) if mode == "poll" else None,
            "stream_events": stats["events"] if mode == "stream" else None,
            "stream_connects": stats["connects"] if mode == "stream" else None,
            "console_redraws": sum(room.console.redraws for room in rooms),
            "console_counts_in_place": sum(room.console.in_place for room in rooms),
            "server_cpu_s": round(cpu_round_1, 2),
            "cpu_s_per_1000_votes": round(cpu_round_1 / max(len(ok_1), 1) * 1000, 2),
        }
    )
    say(f"round 1: vote p50/p95/p99 {report['vote_p50_ms']}/{report['vote_p95_ms']}/{report['vote_p99_ms']} ms, "
        f"presenter lag p50/p95 {report['presenter_lag_p50_ms']}/{report['presenter_lag_p95_ms']} ms, "
        f"reveal p95 {report['reveal_p95_ms']} ms, {report['cpu_s_per_1000_votes']} CPU s per 1,000 votes "
        f"(load {load_average()})")

    # ---- Round 2: a burst, for the throughput the vote endpoint sustains ---------------------
    burst_total = 0
    exact_2 = True
    if args.burst:
        ready: list[tuple[Room, Phone]] = []
        gate = asyncio.Semaphore(args.concurrency)
        for room in rooms:
            await facilitator_action(room.run, room.facilitator, "next", room.console.token)
            moved = await facilitator_action(room.run, room.facilitator, "open", room.console.token)
            room.round_2 = moved["state"]["round"]["id"]
            for phone in room.phones:
                phone.voted, phone.last_stage = False, None

        async def refresh(room: Room, phone: Phone):
            async with gate:
                return (room, phone) if await follow_round(room.run, phone, [], fresh=True) else None

        ready = [r for r in await asyncio.gather(*(refresh(room, p) for room in rooms for p in room.phones)) if r]
        say(f"round 2: burst of {len(ready)} votes through {args.concurrency} connections")
        queue = list(ready)
        burst_cpu = cpu_seconds(server.process.pid)
        started = time.perf_counter()

        async def worker():
            while queue:
                room, phone = queue.pop()
                await vote(room.run, phone, pick_stage())

        await asyncio.gather(*(worker() for _ in range(args.concurrency)))
        elapsed = time.perf_counter() - started
        burst_cpu = {key: round(value - burst_cpu[key], 2) for key, value in cpu_seconds(server.process.pid).items()}
        # Where the burst's time went: the machine's two cores give 2 x burst_seconds CPU s.
        report["burst_seconds"] = round(elapsed, 2)
        report["burst_cpu_s"] = {
            "workers": burst_cpu["workers"], "client": burst_cpu["client"],
            "rest": round(burst_cpu["machine"] - burst_cpu["workers"] - burst_cpu["client"], 2),
        }
        burst = [v for room in rooms for v in room.run.votes if v.round_id == room.round_2]
        burst_total = len(burst)
        report["vote_rps"] = round(sum(1 for v in burst if v.status == 200) / elapsed, 1)
        report["burst_vote_p95_ms"] = ms(percentile([v.latency for v in burst if v.status == 200], 95))
        for room in rooms:
            expected_2 = expected_tally(room.phones)
            await facilitator_action(room.run, room.facilitator, "close", room.console.token)
            await facilitator_action(room.run, room.facilitator, "reveal", room.console.token)
            round_2 = room.round_2
            revealed_2 = await room.presenter.wait_for(
                lambda s, round_2=round_2: s.get("result") is not None and (s.get("round") or {}).get("id") == round_2,
                timeout=20,
            )
            counted_2 = tally_of(revealed_2["result"]) if revealed_2 else None
            exact_2 = exact_2 and counted_2 == expected_2
        say(f"round 2: {report['vote_rps']} votes/s, p95 {report['burst_vote_p95_ms']} ms, "
            f"tallies {'exact' if exact_2 else 'WRONG'} (load {load_average()})")
    else:
        report["vote_rps"] = report["window_vote_rps"]
    # The phones keep their streams (or polls) through round 2, as a room's phones do: ending
    # them after round 1 left the server tearing 2,000 streams down during the burst.
    stop_following.set()
    for task in followers:
        task.cancel()
    await asyncio.gather(*followers, return_exceptions=True)
    report["efficiency"] = round(report["vote_rps"] / report["baseline_rps"], 2) if report["baseline_rps"] else None

    if args.dump:
        Path(args.dump).write_text(json.dumps({
            "opened": t_open,
            "votes": [[v.participant, v.round_id, round(v.sent - t_open, 4), round(v.latency, 4), v.status]
                      for room in rooms for v in room.run.votes],
            "follows": follow_latencies,
            "reveals": reveal_latencies,
        }))
    for room in rooms:
        room.presenter_task.cancel()
        room.console.stopped = True
        room.console_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await room.presenter_task
        with contextlib.suppress(asyncio.CancelledError):
            await room.console_task
    for phone in phones:
        await phone.session.close()
    for room in rooms:
        await room.facilitator.close()
        await room.presenter_session.close()
    await connector.close()

    errors: dict[str, int] = {}
    samples: list[str] = []
    for room in rooms:
        for kind, n in room.run.errors.items():
            errors[kind] = errors.get(kind, 0) + n
        samples.extend(room.run.error_samples)
    report["tally_exact"] = bool(exact_1 and exact_2)
    report["burst_votes_sent"] = burst_total
    report["errors"] = sum(errors.values())
    report["error_kinds"] = errors
    if samples:
        say("errors, first few: " + " | ".join(samples[:10]))
    report["load_average_after"] = load_average()
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=300, help="phones in each room")
    parser.add_argument("--rooms", type=int, default=1, help="workshops at once, each with --participants phones")
    parser.add_argument("--mode", choices=("auto", "stream", "poll", "follow"), default="auto",
                        help="what phones do through round 1: auto (as the shipped script: stream where the "
                        "server offers it, else poll), stream, poll (at the advised interval), follow (one poll)")
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG),
                        help="a PostgreSQL server URL (any database); the bench database is made beside it")
    parser.add_argument("--pg-database", default="maturity_bench")
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--workers", type=int, help="gunicorn processes (2 on PostgreSQL, 1 on SQLite)")
    parser.add_argument("--worker-class", default="gevent", choices=("gevent", "gthread"),
                        help="gunicorn's worker class (gevent, as the README's production command)")
    parser.add_argument("--worker-connections", type=int, default=5000, help="gevent: connections per worker")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", "8")), help="gthread: threads")
    parser.add_argument("--pool", type=int, default=int(os.environ.get("DB_POOL_SIZE", "10")),
                        help="DB_POOL_SIZE for the server")
    parser.add_argument("--window", type=float, default=10.0, help="seconds in which everyone votes")
    parser.add_argument("--change-share", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=32, help="connections for the baseline and the burst")
    parser.add_argument("--connections", type=int, default=256, help="client connection pool for the phones")
    parser.add_argument("--join-concurrency", type=int, default=16)
    parser.add_argument("--baseline-seconds", type=float, default=6.0, help="the baseline's time, all spells")
    parser.add_argument("--baseline-spells", type=int, default=3, help="spells on fresh connections; the best counts")
    parser.add_argument("--no-burst", dest="burst", action="store_false")
    parser.add_argument("--max-load", type=float, default=float(os.environ.get("BENCH_MAX_LOAD", "0")),
                        help="wait until the 1-minute load average is below this first (0: do not wait)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--poll", dest="mode", action="store_const", const="poll", help="the same as --mode poll")
    parser.add_argument("--dump", help="write every vote's timing to this JSON file")
    parser.add_argument("--gunicorn-arg", action="append", default=[], help="passed on to gunicorn")
    parser.add_argument("--rate-limits", choices=("auto", "redis", "memory"), default="auto",
                        help="where rate-limit counters live: Redis as in production (auto: when it answers)")
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379"))
    args = parser.parse_args()
    random.seed(args.seed)

    wait_for_quiet(args.max_load, 900, say)
    tmp = temp_dir("maturity-bench-")
    if args.db == "postgres":
        database_url = recreate_pg_database(args.pg, args.pg_database)
        workers = args.workers or 2
    else:
        database_url = f"sqlite:///{tmp / 'bench.sqlite'}"
        workers = args.workers or 1
    say(f"machine: {machine()}; database: {args.db}")
    infos = prepare_database(database_url, args.rooms)
    rate_limits = rate_limit_settings(args.rate_limits, args.redis, args.pg_database)
    say(f"rate limits: {rate_limits.get('RATELIMIT_STORAGE_URI', 'memory://')}")
    server = start_server(database_url, workers, args.threads, args.pool, tmp, args.gunicorn_arg,
                          args.worker_class, args.worker_connections, rate_limits)
    try:
        report = asyncio.run(run_benchmark(args, infos, server, database_url))
    finally:
        server.stop()
        if args.db == "postgres" and not args.keep_database:
            drop_pg_database(args.pg, args.pg_database)
    report.update({"db": args.db, "workers": workers, "worker_class": args.worker_class,
                   "rate_limits": "redis" if rate_limits else "memory"})
    if args.worker_class == "gthread":
        report["threads"] = args.threads
    keys = [
        "mode", "rooms", "participants", "phones", "worker_class", "votes_sent", "votes_counted",
        "tally_exact", "errors", "vote_p50_ms", "vote_p95_ms", "vote_p99_ms", "presenter_lag_p95_ms",
        "reveal_p95_ms", "poll_p95_ms", "stream_events", "vote_rps", "baseline_rps", "efficiency",
        "cpu_s_per_1000_votes", "rate_limits",
    ]
    extra = {k: v for k, v in report.items() if k not in keys}
    print("details: " + json.dumps(extra, separators=(", ", ": ")), flush=True)
    print(json.dumps({k: report.get(k) for k in keys}), flush=True)
    return 0 if report["tally_exact"] and not report["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
