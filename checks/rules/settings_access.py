"""FG407: the environment read outside the settings module."""

from __future__ import annotations

import libcst as cst

from checks.context import FileContext
from checks.prefilter import Evidence
from checks.rule import Example, Rule

_EXEMPT_LAYERS = frozenset({"settings", "test"})
#: Command-line tools, scripts and infrastructure code (a Lambda next to the Terraform
#: that deploys it) read their environment directly, on purpose.
_SCRIPT_DIRECTORIES = frozenset(
    {"scripts", "script", "bin", "tools", "dev", "terraform", "infra", "deploy"}
)
_SCRIPT_FILES = frozenset({"manage.py", "__main__.py", "noxfile.py", "setup.py", "fabfile.py"})


class EnvironmentOutsideSettings(Rule):
    code = "FG407"
    name = "environ-outside-settings"
    family = "config"
    message = "`os.environ` outside the settings module: read configuration from `Settings`"
    summary = (
        "Checks for configuration read from the environment (`os.getenv()`, "
        "`os.environ.get()`, `os.environ[...]`, `in os.environ`) outside the settings "
        "module (the `settings` layer: `settings.py`, `config.py`, `settings/`), tests and "
        "scripts (`scripts/`, `bin/`, `tools/`, `dev/`, `manage.py`, `__main__.py`) and "
        "infrastructure code (`terraform/`, `infra/`, `deploy/`). "
        "Writing or copying the environment is not reading configuration."
    )
    why = (
        "Configuration read all over the code base is configuration nobody can list: each "
        "read has its own default, type conversion and error. pydantic-settings reads the "
        "environment once, validates it at start-up (a missing or malformed variable stops "
        "the service before it takes traffic), and keeps secrets in `SecretStr`."
    )
    bad = (
        Example(
            """
            import os

            from sqlalchemy.ext.asyncio import create_async_engine

            engine = create_async_engine(os.environ["DATABASE_URL"])
            TIMEOUT = int(os.getenv("HTTP_TIMEOUT", "5"))
            """,
            path="app/core/database.py",
            expect=2,
        ),
    )
    good = (
        Example(
            """
            from sqlalchemy.ext.asyncio import create_async_engine

            from app.core.settings import get_settings

            engine = create_async_engine(get_settings().database_url)
            """,
            path="app/core/database.py",
        ),
        Example(
            """
            import os

            def test_reads_url(monkeypatch):
                monkeypatch.setenv("DATABASE_URL", "postgresql://x")
                assert os.environ["DATABASE_URL"]
            """,
            path="tests/test_settings.py",
            note="tests",
        ),
        Example(
            """
            import os
            import subprocess

            def run_tool(args: list[str]) -> None:
                os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", "/tmp/metrics")
                os.environ["NO_COLOR"] = "1"
                subprocess.run(args, env={**os.environ, "LANG": "C"}, check=True)
            """,
            path="app/observability.py",
            note="writing and passing on the environment (polar)",
        ),
        Example(
            """
            import os

            TOKEN = os.environ.get("POLAR_ACCESS_TOKEN")
            """,
            path="server/scripts/seed.py",
            note="a script",
        ),
        Example(
            """
            import os


            def handler(event, context):
                host = os.environ["REDIS_HOST"]
            """,
            path="terraform/modules/redis/refresh.py",
            note="a Lambda function deployed by the Terraform next to it (polar)",
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has("environ", "getenv", "getenvb")

    def _applies(self, ctx: FileContext) -> bool:
        if ctx.layer in _EXEMPT_LAYERS:
            return False
        parts = ctx.path.parts
        return not (set(parts[:-1]) & _SCRIPT_DIRECTORIES or (parts and parts[-1] in _SCRIPT_FILES))

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        name = ctx.qualified_name(node.func)
        if name in {"os.getenv", "os.getenvb", "os.environ.get"} and self._applies(ctx):
            ctx.report(node)

    def visit_Assign(self, node: cst.Assign, ctx: FileContext) -> None:
        for target in node.targets:  # `os.environ["X"] = ...` writes, it does not read
            ctx.marks(self.code).add(id(target.target))

    def visit_Subscript(self, node: cst.Subscript, ctx: FileContext) -> None:
        if (
            id(node) not in ctx.marks(self.code)
            and ctx.qualified_name(node.value) == "os.environ"
            and self._applies(ctx)
        ):
            ctx.report(node)

    def visit_ComparisonTarget(self, node: cst.ComparisonTarget, ctx: FileContext) -> None:
        if (
            isinstance(node.operator, cst.In | cst.NotIn)
            and ctx.qualified_name(node.comparator) == "os.environ"
            and self._applies(ctx)
        ):
            ctx.report(node)
