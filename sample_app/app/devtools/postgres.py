"""Start a throwaway PostgreSQL server from the local binaries, and remove it afterwards.

Used by the test suite and `python -m app.devtools.serve` when no DATABASE_URL is given.
PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATABASE_NAME = "app"
START_TIMEOUT_SECONDS = 30.0


class PostgresUnavailableError(RuntimeError):
    """The server binaries are missing, or the server did not start."""


def find_bindir() -> Path:
    """Where `initdb` and `postgres` are: $PG_BINDIR, /usr/lib/postgresql/*/bin (newest
    first), or `pg_config --bindir`."""
    candidates: list[str] = []
    # Read before the app's settings exist: this tool starts the database they point to.
    bindir = os.environ.get("PG_BINDIR")  # noqa: FG407
    if bindir:
        candidates.append(bindir)
    versions = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += sorted(versions, key=lambda p: int(Path(p).parent.name or 0), reverse=True)
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        candidates.append(result.stdout.strip())
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    raise PostgresUnavailableError(
        "PostgreSQL server binaries not found: install them (Debian: apt-get install "
        "postgresql) or set DATABASE_URL to a server of yours"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class ThrowawayPostgres:
    """A running server in a temporary directory; `stop()` removes everything."""

    base_dir: Path
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the `app` database (asyncpg driver)."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{DATABASE_NAME}"

    def stop(self) -> None:
        """Fast shutdown, then remove the data directory."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.base_dir, ignore_errors=True)


def start() -> ThrowawayPostgres:
    """Initialise and start a server on a free loopback port, with an `app` database."""
    bindir = find_bindir()
    run_as: dict[str, Any] = {}
    base_dir = Path(
        tempfile.mkdtemp(prefix="sample-app-pg-", dir="/tmp" if os.geteuid() == 0 else None)
    )
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(base_dir, account.pw_uid, account.pw_gid)
        run_as = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
    data_dir = base_dir / "data"
    log_path = base_dir / "server.log"
    try:
        subprocess.run(
            [
                bindir / "initdb",
                "-D",
                data_dir,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
            cwd=base_dir,
            **run_as,
        )
        port = _free_port()
        log = open(log_path, "ab")  # noqa: SIM115 - handed to the server process
        process = subprocess.Popen(
            [
                bindir / "postgres",
                "-D",
                data_dir,
                "-p",
                str(port),
                "-h",
                "127.0.0.1",
                "-k",
                base_dir,
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=200",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=base_dir,
            **run_as,
        )
        log.close()
    except (OSError, subprocess.CalledProcessError) as error:
        shutil.rmtree(base_dir, ignore_errors=True)
        detail = getattr(error, "stderr", b"") or b""
        raise PostgresUnavailableError(
            f"initdb failed: {error} {detail.decode()[-500:]}"
        ) from error
    server = ThrowawayPostgres(base_dir, port, process)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        ready = subprocess.run(
            [
                bindir / "createdb",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "postgres",
                DATABASE_NAME,
            ],
            capture_output=True,
            **run_as,
        )
        if ready.returncode == 0:
            return server
        if process.poll() is not None or time.monotonic() > deadline:
            output = log_path.read_text(errors="replace")[-2000:] if log_path.exists() else ""
            server.stop()
            raise PostgresUnavailableError(f"PostgreSQL did not start:\n{output}")
        time.sleep(0.1)
