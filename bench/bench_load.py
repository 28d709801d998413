"""Issue 10 load benchmark: 200 office users reading and 20 users writing, for two minutes, on
PostgreSQL behind gunicorn (several worker processes serving guodong.wsgi with production
settings), beside the single-user time of the same requests measured in the same run.

Goal: p95 < 300 ms and no errors on 2 cores.

Everything stays on 127.0.0.1: the script creates its own database (`guodong_bench_load`),
migrates it and loads the demo, starts gunicorn on a free port it picks, drives it with an asyncio
httpx client and stops gunicorn by its PID at the end. Bounded in users, time and per-request
timeout. Settings by environment:

    BENCH_LOAD_SECONDS   length of the measured window (default 120)
    BENCH_LOAD_READERS   reading users (default 200)      BENCH_LOAD_WRITERS  writing users (20)
    BENCH_LOAD_THINK     mean think time in seconds, exponential (default 15: an office user
                         reads a page before the next click; 220 users then offer ~15 req/s)
    BENCH_LOAD_WORKERS   gunicorn worker processes (default 2 x cores + 1)
    BENCH_LOAD_WORKER_CLASS / BENCH_LOAD_THREADS   gunicorn worker class (sync) and threads
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # the only address this benchmark ever talks to
ADMIN_URL = f"postgres://postgres@{HOST}:5432/postgres"
DB_NAME = "guodong_bench_load"
DB_URL = f"postgres://postgres@{HOST}:5432/{DB_NAME}"

SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "120"))
READERS = int(os.environ.get("BENCH_LOAD_READERS", "200"))
WRITERS = int(os.environ.get("BENCH_LOAD_WRITERS", "20"))
THINK = float(os.environ.get("BENCH_LOAD_THINK", "15.0"))
CORES = os.cpu_count() or 2
WORKERS = int(os.environ.get("BENCH_LOAD_WORKERS", str(2 * CORES + 1)))
WORKER_CLASS = os.environ.get("BENCH_LOAD_WORKER_CLASS", "sync")
THREADS = int(os.environ.get("BENCH_LOAD_THREADS", "1"))
SINGLE_RUNS = 15  # sequential samples per request kind for the single-user baseline
# Sync workers close the connection after each answer, so requests land on any worker: warm up
# every worker (its first request of a kind loads caches), not just the first one.
WARMUPS = 2 * WORKERS
TIMEOUT = 30.0  # per request; a request slower than this counts as an error
GOAL_P95_MS = 300.0

# Office users who read (scopes differ: the whole city, one district, read-only auditor).
READER_PERSONAS = ["city_staff", "nanhu_staff", "xiuzhou_staff", "auditor"]
READ_KINDS = {
    "home dashboard": "/",
    "holdings list": "/registry/holdings/",
    "organizations list": "/organizations/",
    "demands list": "/demands/",
    "potential query": "/registry/potential/",
    "map holdings layer": "/api/v1/map/holdings/?zoom=9",
}
# Writers: the military liaison submits demands (API), the grid worker records verification
# results on the phone page (the only write path for them).
DEMAND_WRITER, VERIFY_WRITER = "liaison", "daqiao_grid"
WRITE_KINDS = ("demand submission (API)", "verification result")

# Setup run inside Django (manage.py shell): a verification task for the grid worker over
# 大桥镇's holdings, created by 南湖区 staff through the service, and the ids the writers need.
SETUP = """
import datetime as dt, json
from django.utils import timezone
from guodong.accounts.models import User
from guodong.divisions.models import Division
from guodong.registry.models import Holding, ResourceType, VerificationTask
try:  # the verification service moves into registry/services (issue 10)
    from guodong.registry.services import create_verification_task
except ImportError:
    from guodong.registry.verification import create_verification_task
from guodong.core.scope import within
from guodong.demo.seed import DEMO_PASSWORD
staff = User.objects.get(username="nanhu_staff")
grid = User.objects.get(username="daqiao_grid")
town = Division.objects.get(code="330402105", effective_to__isnull=True)
task = VerificationTask.objects.filter(assignee=grid, title="负载基准核查").first()
if task is None:
    holdings = Holding.objects.filter(within("division_path", town.path), merged_into__isnull=True)
    task = create_verification_task(staff, title="负载基准核查", assignee=grid,
        due_date=timezone.localdate() + dt.timedelta(days=30), division=town, holdings=holdings)
village = Division.objects.get(code="330402105004", effective_to__isnull=True)
print(json.dumps({
    "password": DEMO_PASSWORD,
    "items": list(task.items.values_list("pk", flat=True)),
    "city": Division.objects.get(code="330400", effective_to__isnull=True).pk,
    "village": village.pk,
    "types": list(ResourceType.objects.filter(code__in=["SUP.SHE.TENT-36", "EQP.PWR.GEN-M",
        "TRN.FRT.COLD"]).values_list("pk", flat=True)),
}))
"""


def django_env(production: bool = True) -> dict[str, str]:
    """Production settings, as a deployment would run them behind a TLS proxy on this host.
    The demo is loaded with the development settings: production leaves the demo app out."""
    env = {
        **os.environ,
        "DATABASE_URL": DB_URL,
        "DJANGO_SETTINGS_MODULE": "guodong.settings",
        "GUODONG_ALLOWED_HOSTS": HOST,
    }
    if production:
        env["GUODONG_ENV"] = "production"
    else:
        env.pop("GUODONG_ENV", None)
    return env


def prepare_database() -> dict[str, Any] | None:
    """Create, migrate and fill the benchmark database; None when PostgreSQL is unreachable."""
    import psycopg

    try:
        with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3) as connection:
            # A fresh database each run: the same demo, and rows encrypted with this checkout's
            # field key (a database left by another checkout holds ciphertext it cannot read).
            connection.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{DB_NAME}"')
    except psycopg.Error as error:
        print(f"PostgreSQL not reachable at {HOST}:5432 ({error}); load benchmark skipped.")
        return None
    python, manage = sys.executable, str(ROOT / "manage.py")
    env = django_env(production=False)
    started = time.perf_counter()
    subprocess.run([python, manage, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    subprocess.run([python, manage, "load_demo"], env=env, check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run(
        [python, manage, "shell", "-c", SETUP], env=env, check=True, capture_output=True, text=True
    ).stdout
    # Fresh tables have no planner statistics until autovacuum comes by; a deployment has them.
    with psycopg.connect(DB_URL, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    print(f"database {DB_NAME} migrated, demo loaded in {time.perf_counter() - started:.1f} s")
    ids: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return ids


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def start_gunicorn(port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "guodong.wsgi:application",
        "--bind", f"{HOST}:{port}",
        "--workers", str(WORKERS),
        "--worker-class", WORKER_CLASS,
        "--threads", str(THREADS),
        "--timeout", "60",
        "--graceful-timeout", "10",
        "--chdir", str(ROOT),
    ]  # fmt: skip
    with log.open("w") as stream:
        return subprocess.Popen(command, env=django_env(), stdout=stream, stderr=stream)


def stop_gunicorn(server: subprocess.Popen[bytes]) -> None:
    """TERM to the master we started (it stops its own workers), KILL if it lingers."""
    if server.poll() is None:
        os.kill(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


@dataclass
class Samples:
    times: list[float] = field(default_factory=list)  # seconds, successful requests only
    errors: int = 0
    reasons: dict[str, int] = field(default_factory=lambda: defaultdict(int))


class User:
    """One browser: its own connection and cookies. Production cookies are Secure and the client
    speaks plain HTTP to gunicorn as nginx would, so cookies are kept by hand and the request
    says it came over HTTPS (X-Forwarded-Proto), like the proxy does."""

    def __init__(self, base: str, username: str) -> None:
        import httpx

        self.base, self.username = base, username
        self.origin = f"https://{base.split('://', 1)[1]}"
        self.cookies: dict[str, str] = {}
        self.client = httpx.AsyncClient(
            base_url=base,
            timeout=TIMEOUT,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            follow_redirects=False,
        )

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"X-Forwarded-Proto": "https", "Origin": self.origin, **(extra or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if token := self.cookies.get("csrftoken"):
            headers["X-CSRFToken"] = token
        return headers

    async def request(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.client.request(
            method, path, headers=self.headers(kwargs.pop("headers", None)), **kwargs
        )
        for name, value in response.cookies.items():
            self.cookies[name] = value
        return response

    async def login(self, password: str) -> None:
        page = await self.request("GET", "/login/")
        page.raise_for_status()
        response = await self.request(
            "POST",
            "/login/",
            data={
                "username": self.username,
                "password": password,
                "csrfmiddlewaretoken": self.cookies["csrftoken"],
            },
        )
        if response.status_code != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login of {self.username} failed: {response.status_code}")

    async def close(self) -> None:
        await self.client.aclose()


class Workload:
    """The requests each kind of user makes, with what counts as success."""

    def __init__(self, ids: dict[str, Any]) -> None:
        self.ids = ids
        self.items = ids["items"]
        self.counter = 0
        self.done: dict[str, int] = defaultdict(int)  # writes answered as done, warm-ups too

    def demand_payload(self, rng: random.Random) -> dict[str, Any]:
        from datetime import datetime, timedelta

        report_by = datetime.now(UTC) + timedelta(hours=rng.randint(12, 72))
        return {
            "title": f"负载基准需求 {rng.randrange(10**6)}",
            "requester": "嘉兴军分区",
            "requester_contact": "作战值班室",
            "division": self.ids["city"],
            "lines": [
                {
                    "resource_type": rng.choice(self.ids["types"]),
                    "quantity": rng.randint(1, 20),
                    "destination_division": self.ids["village"],
                    "destination": "大桥镇应急集结点",
                    "latitude": 30.7490,
                    "longitude": 120.8270,
                    "report_by": report_by.isoformat(),
                }
                for _ in range(rng.randint(1, 3))
            ],
        }

    async def read(self, user: User, kind: str) -> str | None:
        response = await user.request("GET", READ_KINDS[kind])
        return None if response.status_code == 200 else f"HTTP {response.status_code}"

    async def write(self, user: User, kind: str, rng: random.Random) -> str | None:
        reason = await self._write(user, kind, rng)
        if reason is None:
            self.done[kind] += 1
        return reason

    async def _write(self, user: User, kind: str, rng: random.Random) -> str | None:
        if kind == WRITE_KINDS[0]:
            response = await user.request("POST", "/api/v1/demands/", json=self.demand_payload(rng))
            if response.status_code != 201:
                return f"HTTP {response.status_code} {response.text[:120]}"
            return None
        self.counter += 1
        item = self.items[self.counter % len(self.items)]
        outcome = rng.choice(["confirmed", "adjusted"])
        data = {f"i{item}-outcome": outcome, f"i{item}-notes": "负载基准"}
        if outcome == "adjusted":
            data[f"i{item}-found_total"] = str(rng.randint(5, 50))
        response = await user.request("POST", f"/registry/verification/items/{item}/", data=data)
        # Success redirects to the task page (not followed: the phone page is not measured
        # here); a redirect to the login page or any other status is an error.
        location = response.headers.get("location", "")
        if response.status_code != 302 or "/login/" in location:
            return f"HTTP {response.status_code} {location}"
        return None


async def timed(call: Any) -> tuple[float, str | None]:
    started = time.perf_counter()
    try:
        reason = await call
    except Exception as error:  # timeouts, refused connections: all are errors of the run
        reason = type(error).__name__
    return time.perf_counter() - started, reason


async def single_user(base: str, password: str, workload: Workload) -> dict[str, Samples]:
    """Each request kind alone, one after another, on the warm server: the no-load baseline."""
    results: dict[str, Samples] = defaultdict(Samples)
    rng = random.Random(1)
    readers = {name: User(base, name) for name in READER_PERSONAS}
    pairs = zip(WRITE_KINDS, (DEMAND_WRITER, VERIFY_WRITER), strict=True)
    writers = {kind: User(base, name) for kind, name in pairs}
    for user in [*readers.values(), *writers.values()]:
        await user.login(password)
    for kind in READ_KINDS:
        for run in range(SINGLE_RUNS + WARMUPS):
            user = readers[READER_PERSONAS[run % len(READER_PERSONAS)]]
            elapsed, reason = await timed(workload.read(user, kind))
            if run >= WARMUPS:
                record(results[kind], elapsed, reason)
    for kind in WRITE_KINDS:
        for run in range(SINGLE_RUNS + WARMUPS):
            elapsed, reason = await timed(workload.write(writers[kind], kind, rng))
            if run >= WARMUPS:
                record(results[kind], elapsed, reason)
    for user in [*readers.values(), *writers.values()]:
        await user.close()
    return results


def record(samples: Samples, elapsed: float, reason: str | None) -> None:
    if reason is None:
        samples.times.append(elapsed)
    else:
        samples.errors += 1
        samples.reasons[reason[:80]] += 1


async def load(
    base: str, password: str, workload: Workload
) -> tuple[dict[str, Samples], float, float]:
    """Every virtual user logs in, then all loop together: think (exponential), request."""
    results: dict[str, Samples] = defaultdict(Samples)
    users = [User(base, READER_PERSONAS[i % len(READER_PERSONAS)]) for i in range(READERS)]
    users += [User(base, (DEMAND_WRITER, VERIFY_WRITER)[i % 2]) for i in range(WRITERS)]
    # One login per persona, its session shared by that persona's virtual users: a login is an
    # argon2 hash (deliberately ~0.1 s of CPU), and 220 of them would measure the hash, not the
    # read paths. Each virtual user still has its own connection.
    started = time.perf_counter()
    sessions: dict[str, User] = {}
    for user in users:
        if user.username not in sessions:
            sessions[user.username] = user
            elapsed, reason = await timed(user.login(password))
            record(results["login (before the loop)"], elapsed, reason)
        else:
            user.cookies = dict(sessions[user.username].cookies)
    login_seconds = time.perf_counter() - started
    deadline = time.perf_counter() + SECONDS

    async def loop(index: int, user: User) -> None:
        rng = random.Random(index)
        writer = index >= READERS
        kinds = WRITE_KINDS if writer else list(READ_KINDS)
        own_kind = WRITE_KINDS[(index - READERS) % 2] if writer else None
        while True:
            await asyncio.sleep(rng.expovariate(1 / THINK))
            if time.perf_counter() >= deadline:
                return
            kind = own_kind or rng.choice(kinds)
            call = workload.write(user, kind, rng) if writer else workload.read(user, kind)
            elapsed, reason = await timed(call)
            record(results[kind], elapsed, reason)

    window = time.perf_counter()
    await asyncio.gather(*(loop(i, u) for i, u in enumerate(users)))
    window = time.perf_counter() - window
    await asyncio.gather(*(u.close() for u in users))
    return results, window, login_seconds


def quantile(times: list[float], q: int) -> float:
    if len(times) < 2:
        return times[0] if times else float("nan")
    return statistics.quantiles(times, n=100, method="inclusive")[q - 1]


def report(load_results: dict[str, Samples], single: dict[str, Samples], window: float) -> bool:
    kinds = [*READ_KINDS, *WRITE_KINDS]
    everything = Samples()
    for kind in kinds:
        everything.times += load_results[kind].times
        everything.errors += load_results[kind].errors
    single_all = Samples()
    for kind in kinds:
        single_all.times += single[kind].times
        single_all.errors += single[kind].errors
    header = (
        f"{'request':26} {'n':>6} {'req/s':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'err':>4}"
        f" | {'1-user p50':>10} {'p95':>7} | {'p50 x':>6} {'p95 x':>6}"
    )
    print(header)
    print("-" * len(header))
    for kind, samples, alone in [
        *((k, load_results[k], single[k]) for k in kinds),
        ("all requests", everything, single_all),
    ]:
        t, s = samples.times, alone.times
        p50, p95, p99 = (quantile(t, q) * 1000 for q in (50, 95, 99))
        s50, s95 = (quantile(s, q) * 1000 for q in (50, 95))
        print(
            f"{kind:26} {len(t) + samples.errors:6d} {(len(t) + samples.errors) / window:6.1f}"
            f" {p50:7.1f} {p95:7.1f} {p99:7.1f} {samples.errors:4d}"
            f" | {s50:10.1f} {s95:7.1f} | {p50 / s50:6.2f} {p95 / s95:6.2f}"
        )
    for kind in [*kinds, "login (before the loop)"]:
        for reason, count in load_results[kind].reasons.items():
            print(f"  error in {kind}: {count} x {reason}")
    for kind in kinds:
        for reason, count in single[kind].reasons.items():
            print(f"  error in single-user {kind}: {count} x {reason}")
    p95 = quantile(everything.times, 95) * 1000
    met = p95 < GOAL_P95_MS and everything.errors == 0 and single_all.errors == 0
    print(
        f"overall p95 {p95:.1f} ms, {everything.errors} errors — goal p95 < {GOAL_P95_MS:.0f} ms"
        f" and 0 errors: {'met' if met else 'NOT met'}"
    )
    return met


def cpu_busy() -> tuple[int, int]:
    """Machine-wide (busy, total) jiffies from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def landed_writes(since: str) -> dict[str, int]:
    """What the database holds from the measured window: every successful write must be there."""
    import psycopg

    with psycopg.connect(DB_URL, connect_timeout=3) as connection:
        demands = connection.execute(
            "SELECT COUNT(*) FROM demands_demand WHERE created_at >= %s", [since]
        ).fetchone()
        verified = connection.execute(
            "SELECT COUNT(*) FROM core_event WHERE action = 'holding.verify' AND created_at >= %s",
            [since],
        ).fetchone()
    return {
        WRITE_KINDS[0]: demands[0] if demands else 0,
        WRITE_KINDS[1]: verified[0] if verified else 0,
    }


def main() -> None:
    ids = prepare_database()
    if ids is None:
        return
    password = ids["password"]
    (ROOT / "var").mkdir(exist_ok=True)
    log = ROOT / "var" / "bench-load-gunicorn.log"
    port = free_port()
    base = f"http://{HOST}:{port}"
    server = start_gunicorn(port, log)
    print(
        f"gunicorn pid {server.pid} on {base}: {WORKERS} {WORKER_CLASS} workers"
        f"{f' x {THREADS} threads' if THREADS > 1 else ''}, GUODONG_ENV=production, {CORES} cores"
        f" (log {log.relative_to(ROOT)}); load average before the run"
        f" {' '.join(f'{v:.1f}' for v in os.getloadavg())}"
    )
    try:
        import httpx

        for _ in range(120):
            try:
                if httpx.get(f"{base}/login/", headers={"X-Forwarded-Proto": "https"}).is_success:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {server.returncode}; see {log}")
            time.sleep(0.5)
        else:
            raise RuntimeError("gunicorn did not answer within 60 s")
        workload = Workload(ids)
        since = time.strftime("%Y-%m-%d %H:%M:%S%z")
        print(
            f"\n## Single user, sequential ({SINGLE_RUNS} runs per request after {WARMUPS}"
            " warm-ups)"
        )
        single = asyncio.run(single_user(base, password, workload))
        print(
            f"\n## Load: {READERS} reading users ({', '.join(READER_PERSONAS)} in turn) and"
            f" {WRITERS} writing users ({WRITERS // 2 + WRITERS % 2} x {DEMAND_WRITER} submitting"
            f" demands, {WRITERS // 2} x {VERIFY_WRITER} recording verification results) for"
            f" {SECONDS:.0f} s; think time exponential, mean {THINK:.1f} s (offered load about"
            f" {(READERS + WRITERS) / THINK:.0f} requests/s); one login (session + CSRF) per"
            " persona, shared by its users"
        )
        busy0, total0 = cpu_busy()
        cpu0 = time.process_time()
        results, window, login_seconds = asyncio.run(load(base, password, workload))
        busy1, total1 = cpu_busy()
        client_cpu = time.process_time() - cpu0
        logins = results["login (before the loop)"]
        print(
            f"{len(logins.times)} logins in {login_seconds:.1f} s ({logins.errors} failed);"
            f" measured window {window:.1f} s; machine CPU busy"
            f" {100 * (busy1 - busy0) / max(1, total1 - total0):.0f} % (of which this client"
            f" {100 * client_cpu / (window + login_seconds) / CORES:.0f} %)\n"
        )
        report(results, single, window)
        landed = landed_writes(since)
        for kind in WRITE_KINDS:
            print(
                f"{kind}: {workload.done[kind]} answered as done, {landed[kind]} found in the"
                " database"
            )
    finally:
        stop_gunicorn(server)
        print(f"gunicorn {server.pid} stopped")


if __name__ == "__main__":
    main()
