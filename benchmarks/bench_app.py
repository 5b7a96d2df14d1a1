"""Throughput and latency of the sample app, next to a raw-asyncpg baseline, under load.

    uv run python benchmarks/bench_app.py [--requests N] [--concurrency C] [--seconds S]

Starts a throwaway PostgreSQL (or uses DATABASE_URL), migrates it, seeds a user with a
project of 50 tasks, and serves, each in its own process under uvicorn on loopback:

- the sample app (one worker, production settings apart from the database URL);
- a baseline app that answers the same task read with one raw asyncpg query, no ORM,
  no authentication and no validation: the floor of the same stack.

Then this process drives bounded load (a fixed number of requests per endpoint, a time
limit, C requests in flight) on the authenticated read endpoint, the list endpoint and
the baseline, interleaved, and prints requests/s, p50 and p99 per endpoint and the read
endpoint's share of the baseline's throughput (target: >= 50%).

Logins under load: L clients log in again and again for a few seconds while a probe
asks `GET /health/live`, one request at a time, and the probe's latency is the event
loop's stall. Twice: "before", a copy of the app whose Argon2 hashes run on the event
loop (the defect of issue #15, put back in this script only: `HashOnTheLoop`), and
"after", the app as it is (hashes in a thread pool of their own). Not part of the test
run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

SAMPLE_APP = Path(__file__).resolve().parents[1] / "sample_app"
PASSWORD = "correct horse battery staple"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# --------------------------------------------------------------------------- baseline
def baseline_app(dsn: str):  # type: ignore[no-untyped-def]
    """The floor: one asyncpg query per request, JSON out, nothing else."""
    import asyncpg
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    pool: asyncpg.Pool | None = None

    async def task(request):  # type: ignore[no-untyped-def]
        assert pool is not None
        row = await pool.fetchrow(
            "select id, project_id, title, description, status, priority, version,"
            " created_at, updated_at from tasks where id = $1 and project_id = $2"
            " and deleted_at is null",
            request.path_params["task_id"],
            request.path_params["project_id"],
        )
        if row is None:
            return JSONResponse({"error": "not found"}, status_code=404)
        return JSONResponse({k: str(v) if v is not None else None for k, v in row.items()})

    @contextlib.asynccontextmanager
    async def lifespan(app):  # type: ignore[no-untyped-def]
        nonlocal pool
        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=10)
        yield
        await pool.close()

    route = "/baseline/projects/{project_id:uuid}/tasks/{task_id:uuid}"
    return Starlette(routes=[Route(route, task)], lifespan=lifespan)


def serve_baseline(port: int, dsn: str) -> None:
    import uvicorn

    uvicorn.run(baseline_app(dsn), host="127.0.0.1", port=port, log_level="warning")


def serve_app_hashing_on_the_loop(port: int) -> None:
    """The sample app as the environment configures it, but with Argon2 computed on the
    event loop, as it was before issue #15 was fixed: the "before" of logins under load."""
    sys.path.insert(0, str(SAMPLE_APP))
    import uvicorn

    from app.core.security import PasswordHasher
    from app.main import create_app

    class HashOnTheLoop(PasswordHasher):
        async def hash(self, password: str) -> str:
            return self._hash.hash(password)

        async def verify(self, password: str, password_hash: str | None) -> bool:
            return self._verify(password, password_hash)

    app = create_app(hasher=HashOnTheLoop())
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# --------------------------------------------------------------------------- servers
def _wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server at {url} exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"the server at {url} did not start")


@dataclass
class Stack:
    database_url: str
    app_url: str
    baseline_url: str
    on_the_loop_url: str
    processes: list[subprocess.Popen[bytes]]


def start_stack(database_url: str) -> Stack:
    env = {**os.environ, "DATABASE_URL": database_url, "APP_ENVIRONMENT": "production"}
    env["APP_JWT_SECRET"] = os.urandom(32).hex()
    env["APP_AUTH_RATE_LIMIT_PER_MINUTE"] = "1000000"  # logins under load are not limited
    env["APP_LOG_LEVEL"] = "WARNING"
    app_port, baseline_port, on_the_loop_port = _free_port(), _free_port(), _free_port()
    app = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(app_port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=SAMPLE_APP,
        env=env,
    )
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
    baseline = subprocess.Popen(
        [sys.executable, __file__, "--serve-baseline", str(baseline_port), dsn], env=env
    )
    on_the_loop = subprocess.Popen(
        [sys.executable, __file__, "--serve-app-hashing-on-the-loop", str(on_the_loop_port)],
        cwd=SAMPLE_APP,
        env=env,
    )
    stack = Stack(
        database_url,
        f"http://127.0.0.1:{app_port}",
        f"http://127.0.0.1:{baseline_port}",
        f"http://127.0.0.1:{on_the_loop_port}",
        [app, baseline, on_the_loop],
    )
    _wait_until_up(f"{stack.app_url}/health/live", app)
    _wait_until_up(f"{stack.baseline_url}/", baseline)
    _wait_until_up(f"{stack.on_the_loop_url}/health/live", on_the_loop)
    return stack


def seed(stack: Stack, tasks: int = 50) -> tuple[str, dict[str, str], str, str]:
    """A user with a project of `tasks` tasks: (email, headers, project id, a task id)."""
    email = f"bench-{os.urandom(4).hex()}@example.com"
    with httpx.Client(base_url=f"{stack.app_url}/api/v1", timeout=30) as client:
        client.post("/auth/register", json={"email": email, "password": PASSWORD})
        login = client.post("/auth/login", data={"username": email, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        project = client.post("/projects", json={"name": "bench"}, headers=headers).json()
        task_ids = []
        for number in range(tasks):
            body = {"title": f"task {number}", "tags": ["bench", f"t{number % 5}"]}
            created = client.post(f"/projects/{project['id']}/tasks", json=body, headers=headers)
            task_ids.append(created.json()["id"])
    return email, headers, project["id"], task_ids[len(task_ids) // 2]


# ------------------------------------------------------------------------------ load
@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def drive(
    name: str, url: str, headers: dict[str, str], total: int, concurrency: int, limit: float
) -> Result:
    latencies: list[float] = []
    errors = 0
    started = time.perf_counter()
    sent = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal sent, errors
            while sent < total and time.perf_counter() - started < limit:
                sent += 1
                begin = time.perf_counter()
                response = await client.get(url)
                latencies.append(time.perf_counter() - begin)
                if response.status_code != 200:
                    errors += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Result(name, len(latencies), time.perf_counter() - started, latencies, errors)


@dataclass
class LoginsUnderLoad:
    name: str
    logins: int
    failed_logins: int
    seconds: float
    probes: list[float]
    failed_probes: int

    def probe_percentile(self, q: float) -> float:
        ordered = sorted(self.probes)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def logins_under_load(
    name: str, base_url: str, email: str, clients: int, seconds: float
) -> LoginsUnderLoad:
    """`clients` loops logging in for `seconds`, and one probe loop asking /health/live
    one request at a time meanwhile: the probe's latency is how long the event loop
    stalls (a cheap request waits for whatever holds the loop)."""
    credentials = {"username": email, "password": PASSWORD}
    logins = failed = failed_probes = 0
    probes: list[float] = []
    limits = httpx.Limits(max_connections=clients + 1, max_keepalive_connections=clients + 1)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
        await client.get("/health/live")  # connect before the clock starts
        started = time.perf_counter()

        async def log_in() -> None:
            nonlocal logins, failed
            while time.perf_counter() - started < seconds:
                try:  # a keep-alive connection the server closed meanwhile is no verdict
                    response = await client.post("/api/v1/auth/login", data=credentials)
                except httpx.TransportError:
                    failed += 1
                    continue
                logins += 1
                failed += response.status_code != 200

        async def probe() -> None:
            nonlocal failed_probes
            await asyncio.sleep(0.2)  # let the logins start
            while time.perf_counter() - started < seconds:
                begin = time.perf_counter()
                try:
                    response = await client.get("/health/live")
                except httpx.TransportError:
                    failed_probes += 1
                    continue
                probes.append(time.perf_counter() - begin)
                failed_probes += response.status_code != 200
                await asyncio.sleep(0.01)

        await asyncio.gather(probe(), *(log_in() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    return LoginsUnderLoad(name, logins, failed, elapsed, probes, failed_probes)


def report_logins_under_load(stack: Stack, email: str, clients: int, seconds: float) -> None:
    runs = [
        asyncio.run(logins_under_load(name, url, email, clients, seconds))
        for name, url in (
            ("before: on the loop", stack.on_the_loop_url),
            ("after: the app", stack.app_url),
        )
    ]
    print(
        f"logins under load: {clients} clients logging in for {seconds:.0f} s, a probe "
        "GET /health/live one at a time (its latency = the event loop's stall)"
    )
    print(
        f"{'argon2 hashes':<22}{'logins/s':>9}{'probes':>8}{'probe p50':>11}"
        f"{'p99 ms':>9}{'max ms':>9}{'failed':>8}"
    )
    for run in runs:
        print(
            f"{run.name:<22}{run.logins / run.seconds:>9.1f}{len(run.probes):>8}"
            f"{run.probe_percentile(0.5):>11.1f}{run.probe_percentile(0.99):>9.1f}"
            f"{max(run.probes) * 1000:>9.1f}{run.failed_logins + run.failed_probes:>8}"
        )
    before, after = runs
    stall = {
        "probe_p99_ms_before": round(before.probe_percentile(0.99), 1),
        "probe_p99_ms_after": round(after.probe_percentile(0.99), 1),
        "logins_per_s_before": round(before.logins / before.seconds, 1),
        "logins_per_s_after": round(after.logins / after.seconds, 1),
    }
    print(json.dumps(stall))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30.0, help="time limit per endpoint")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--logins", type=int, default=8, help="clients logging in at once")
    parser.add_argument("--login-seconds", type=float, default=10.0)
    parser.add_argument("--serve-baseline", nargs=2, metavar=("PORT", "DSN"))
    parser.add_argument("--serve-app-hashing-on-the-loop", type=int, metavar="PORT")
    args = parser.parse_args(argv)
    if args.serve_baseline:
        serve_baseline(int(args.serve_baseline[0]), args.serve_baseline[1])
        return 0
    if args.serve_app_hashing_on_the_loop:
        serve_app_hashing_on_the_loop(args.serve_app_hashing_on_the_loop)
        return 0

    sys.path.insert(0, str(SAMPLE_APP))
    from alembic import command
    from alembic.config import Config

    from app.devtools import postgres

    server = None
    database_url = os.environ.get("DATABASE_URL")  # noqa: FG407 - a benchmark script
    if not database_url:
        server = postgres.start()
        database_url = server.url
    stack = None
    try:
        config = Config(str(SAMPLE_APP / "alembic.ini"))
        config.set_main_option("script_location", str(SAMPLE_APP / "migrations"))
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
        command.upgrade(config, "head")
        stack = start_stack(database_url)
        email, headers, project, task = seed(stack)
        endpoints = {
            "read (app)": f"{stack.app_url}/api/v1/projects/{project}/tasks/{task}",
            "list 20 (app)": f"{stack.app_url}/api/v1/projects/{project}/tasks?limit=20",
            "read (baseline)": f"{stack.baseline_url}/baseline/projects/{project}/tasks/{task}",
        }
        for url in endpoints.values():  # warm up pools and caches
            asyncio.run(drive("warm-up", url, headers, 200, args.concurrency, 10))
        results: dict[str, list[Result]] = {name: [] for name in endpoints}
        for _ in range(args.rounds):
            for name, url in endpoints.items():
                results[name].append(
                    asyncio.run(
                        drive(name, url, headers, args.requests, args.concurrency, args.seconds)
                    )
                )
        print(
            f"sample app benchmark: {args.requests} requests x {args.rounds} rounds per "
            f"endpoint, {args.concurrency} in flight, one uvicorn worker each, "
            f"{os.cpu_count()} CPUs"
        )
        print(f"{'endpoint':<18}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
        medians: dict[str, float] = {}
        for name, runs in results.items():
            best = sorted(runs, key=lambda r: r.rps)[len(runs) // 2]
            medians[name] = best.rps
            errors = sum(r.errors for r in runs)
            print(
                f"{name:<18}{best.rps:>9.0f}{best.percentile(0.5):>9.1f}"
                f"{best.percentile(0.99):>9.1f}{errors:>8}"
            )
        share = medians["read (app)"] / medians["read (baseline)"]
        print(f"read endpoint: {share:.0%} of the baseline's throughput (target >= 50%)")
        rounded = {name: round(value) for name, value in medians.items()}
        print(json.dumps({"share_of_baseline": round(share, 3), **rounded}))
        print()
        report_logins_under_load(stack, email, args.logins, args.login_seconds)
    finally:
        if stack is not None:
            for process in stack.processes:
                process.terminate()
                process.wait(timeout=15)
        if server is not None:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
