"""Operator commands, run where the service is deployed (the image ships them).

    python -m app.cli create-admin --email admin@example.com

The password is read from standard input, never from the command line, where `ps` and
the shell history would show it: a prompt on a terminal, else the first line, so a
deploy script passes a secret with `printf '%s\n' "$ADMIN_PASSWORD" | python -m app.cli
create-admin --email ...`.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from typing import TextIO

from pydantic import ValidationError

from app.core.database import open_database
from app.core.security import PasswordHasher
from app.core.settings import Settings, get_settings
from app.users.repository import UserRepository
from app.users.schemas import UserCreate
from app.users.service import AdminOutcome, UserService

_SAID = {
    "created": "created, as an active administrator",
    "promoted": "existed: now an active administrator (password unchanged)",
    "unchanged": "already an active administrator: nothing changed",
}


async def create_admin(
    settings: Settings, email: str, password: str, hasher: PasswordHasher | None = None
) -> AdminOutcome:
    """Make `email` an active administrator in one transaction (see
    `UserService.ensure_admin`); the email and password are validated as registration
    validates them (pydantic's `ValidationError` otherwise)."""
    data = UserCreate(email=email, password=password)
    async with (
        open_database(settings) as database,
        database["sessionmaker"].begin() as session,
    ):
        users = UserService(UserRepository(session), hasher or PasswordHasher(threads=1))
        return await users.ensure_admin(data)


def read_password(stdin: TextIO) -> str:
    """The password: prompted for on a terminal (not echoed), else stdin's first line."""
    if stdin.isatty():
        return getpass.getpass("Password: ")
    return stdin.readline().rstrip("\r\n")


def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit status is 0 on success, 2 for refused input."""
    parser = argparse.ArgumentParser(prog="python -m app.cli", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser(
        "create-admin", help="create or promote an administrator (idempotent)"
    )
    create.add_argument("--email", required=True)
    args = parser.parse_args(argv)
    settings = get_settings()
    try:
        outcome = asyncio.run(create_admin(settings, args.email, read_password(sys.stdin)))
    except ValidationError as error:
        # the messages only: pydantic's own text would repeat the input, the password too
        reasons = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        print(f"refused: {reasons}", file=sys.stderr)
        return 2
    print(f"{args.email}: {_SAID[outcome]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
