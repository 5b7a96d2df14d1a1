"""Run the service locally in one command: `python -m app.devtools.serve`.

Without DATABASE_URL it starts a throwaway PostgreSQL 18 (`app.devtools.postgres`,
removed on exit); then it applies the migrations and serves with uvicorn on 127.0.0.1,
as `APP_ENVIRONMENT=development` unless the environment says otherwise.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import uvicorn
from alembic import command
from alembic.config import Config

from app.devtools import postgres

SAMPLE_APP_DIR = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> None:
    """Start the database if needed, migrate, serve."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)

    server = None
    # This tool runs before the app's settings exist, and hands them the database it
    # started through the environment they read. It is a development server: without
    # an explicit APP_ENVIRONMENT it runs as development (the app alone fails closed).
    os.environ.setdefault("APP_ENVIRONMENT", "development")  # noqa: FG407
    if not os.environ.get("DATABASE_URL"):  # noqa: FG407
        server = postgres.start()
        os.environ["DATABASE_URL"] = server.url  # noqa: FG407
        print(f"throwaway PostgreSQL: {server.url}", flush=True)
    try:
        config = Config(str(SAMPLE_APP_DIR / "alembic.ini"))
        config.set_main_option("script_location", str(SAMPLE_APP_DIR / "migrations"))
        command.upgrade(config, "head")
        uvicorn.run("app.main:create_app", factory=True, host=args.host, port=args.port)
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
