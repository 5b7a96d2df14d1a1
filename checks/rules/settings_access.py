"""FG407: the service's configuration read from the environment outside the settings module."""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import NamedTuple

from checks.context import (
    PYDANTIC_MODEL_BASES,
    FileContext,
    is_main_guard,
    keyword_arg,
    string_value,
    subscript_key,
)
from checks.lazy import libcst as cst
from checks.prefilter import Evidence
from checks.project import Condition
from checks.project_facts import SETTINGS_MODULE
from checks.rule import Example, Rule
from checks.structure import Structure

#: Tests; revision files (a migration runs once, at deploy, and must not import the
#: application's settings code, which changes after the revision is written); and
#: development tooling (scripts, examples, benchmarks, QA scenarios, Alembic's `env.py`:
#: the `tooling` layer), which reads its environment directly, on purpose.
_EXEMPT_LAYERS = frozenset({"settings", "test", "migration", "tooling"})
#: Beyond the tooling layer: command-line tools of the product, and infrastructure code
#: (a Lambda next to the Terraform that deploys it), which are configured by their
#: environment on purpose.
_SCRIPT_DIRECTORIES = frozenset({"cli", "tools", "terraform", "infra", "deploy"})
_SCRIPT_FILES = frozenset({"__main__.py"})
#: Top folders of a repository holding its client libraries (an SDK, a generated API
#: client): a library's configuration *is* its user's environment.
_LIBRARY_FOLDERS = frozenset({"sdks", "sdk", "clients"})
#: A monorepo's top `packages/` or `libs/` folder holds libraries (`packages/acme-client/`,
#: `libs/agno/`) but in some a service too (`packages/backend/app/main.py`): a package
#: whose name has one of these words is checked.
_PACKAGES_FOLDERS = frozenset({"packages", "libs"})
_SERVICE_WORDS = frozenset(
    {"backend", "server", "api", "app", "apps", "service", "services", "worker", "web"}
)
#: The condition of every finding: the project has a settings module.
_HAS_SETTINGS_MODULE = Condition((), frozenset(), fact=SETTINGS_MODULE)
#: Class names of settings objects: `Settings`, `Config`, `*Settings`, `*Config`.
_SETTINGS_CLASS_SUFFIXES = ("Settings", "Config")
#: Names of configuration modules beyond the default `settings` layer: a package or
#: module named `config`, `configs`, `conf`, `settings`, `configuration`, starting with
#: `config_` or ending in `_config`, `_configs`, `_settings` (`app_configs.py`,
#: `shared_configs/`, `config_file.py`).
_CONFIGURATION_NAMES = frozenset({"config", "configs", "conf", "settings", "configuration"})
_CONFIGURATION_PREFIXES = ("config_",)
_CONFIGURATION_SUFFIXES = ("_config", "_configs", "_settings")

#: Variables that say where the process runs, not how the service is configured: set by
#: the operating system, the shell or terminal, a CI system or a container platform, or
#: a convention every tool reads (`NO_COLOR`, `DO_NOT_TRACK`, the proxy variables).
PLATFORM_VARIABLES = frozenset(
    {
        # operating system, shell and terminal
        "HOME",
        "PATH",
        "USER",
        "USERNAME",
        "LOGNAME",
        "SHELL",
        "PWD",
        "HOSTNAME",
        "TERM",
        "COLORTERM",
        "COLUMNS",
        "LINES",
        "LANG",
        "LANGUAGE",
        "TZ",
        "TMPDIR",
        "TEMP",
        "TMP",
        "EDITOR",
        "VISUAL",
        "PAGER",
        "DISPLAY",
        "USERPROFILE",
        "APPDATA",
        "LOCALAPPDATA",
        "SYSTEMROOT",
        "VIRTUAL_ENV",
        "CONDA_PREFIX",
        # conventions every tool reads
        "NO_COLOR",
        "FORCE_COLOR",
        "CLICOLOR",
        "CLICOLOR_FORCE",
        "DO_NOT_TRACK",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "NO_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "no_proxy",
        "all_proxy",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE",
        # CI systems
        "CI",
        "GITHUB_ACTIONS",
        "GITLAB_CI",
        "CIRCLECI",
        "TRAVIS",
        "BUILDKITE",
        "JENKINS_URL",
        "BUILD_NUMBER",
        "TF_BUILD",
        "TEAMCITY_VERSION",
        "BITBUCKET_BUILD_NUMBER",
        "CODEBUILD_BUILD_ID",
        # GitHub Actions' default variables (not `GITHUB_TOKEN`: a service's own secret)
        "GITHUB_ACTION",
        "GITHUB_ACTION_PATH",
        "GITHUB_ACTION_REPOSITORY",
        "GITHUB_ACTOR",
        "GITHUB_ACTOR_ID",
        "GITHUB_API_URL",
        "GITHUB_BASE_REF",
        "GITHUB_ENV",
        "GITHUB_EVENT_NAME",
        "GITHUB_EVENT_PATH",
        "GITHUB_GRAPHQL_URL",
        "GITHUB_HEAD_REF",
        "GITHUB_JOB",
        "GITHUB_OUTPUT",
        "GITHUB_PATH",
        "GITHUB_REF",
        "GITHUB_REF_NAME",
        "GITHUB_REF_PROTECTED",
        "GITHUB_REF_TYPE",
        "GITHUB_REPOSITORY",
        "GITHUB_REPOSITORY_ID",
        "GITHUB_REPOSITORY_OWNER",
        "GITHUB_RETENTION_DAYS",
        "GITHUB_RUN_ATTEMPT",
        "GITHUB_RUN_ID",
        "GITHUB_RUN_NUMBER",
        "GITHUB_SERVER_URL",
        "GITHUB_SHA",
        "GITHUB_STATE",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_TRIGGERING_ACTOR",
        "GITHUB_WORKFLOW",
        "GITHUB_WORKFLOW_REF",
        "GITHUB_WORKFLOW_SHA",
        "GITHUB_WORKSPACE",
        # container platforms
        "AWS_EXECUTION_ENV",
        "LAMBDA_TASK_ROOT",
        "K_SERVICE",
        "K_REVISION",
        "K_CONFIGURATION",
        "ECS_CONTAINER_METADATA_URI",
        "ECS_CONTAINER_METADATA_URI_V4",
    }
)
#: Prefixes of such variables: locale, XDG directories, the Python runtime, pytest and
#: its plugins, OpenTelemetry's SDK and the LLM tracing SDKs (Langfuse, LangSmith: they
#: read their variables themselves), Kubernetes service discovery, AWS Lambda, CI
#: runners (GitHub's `RUNNER_*`, GitLab's `CI_*`, Buildkite, CircleCI, Travis).
PLATFORM_PREFIXES = (
    "LC_",
    "XDG_",
    "PYTHON",
    "PYTEST_",
    "OTEL_",
    "LANGFUSE_",
    "LANGCHAIN_",
    "LANGSMITH_",
    "KUBERNETES_",
    "AWS_LAMBDA_",
    "RUNNER_",
    "CI_",
    "BUILDKITE_",
    "CIRCLE_",
    "TRAVIS_",
)


def is_platform_variable(name: str) -> bool:
    """Whether an environment variable describes where the process runs (see
    `PLATFORM_VARIABLES`), not the service's configuration."""
    return name in PLATFORM_VARIABLES or name.startswith(PLATFORM_PREFIXES)


def is_configuration_module(path: PurePath, module: str | None = None) -> bool:
    """Whether the file is a configuration module by its name or its package's: `config`,
    `configs`, `conf`, `settings`, `configuration`, `config_*`, `*_config`, `*_configs`,
    `*_settings`. The dotted module name decides when the file is in a package (the
    directories above the project, in an absolute path, say nothing about it)."""
    names = module.split(".") if module else [*path.parts[:-1], path.stem]
    return any(
        name in _CONFIGURATION_NAMES
        or name.startswith(_CONFIGURATION_PREFIXES)
        or name.endswith(_CONFIGURATION_SUFFIXES)
        for name in names
    )


class _Read(NamedTuple):
    """A read of the environment, and the variable's name when it is a literal."""

    node: cst.CSTNode
    variable: str | None
    #: in the body of a settings class (`class PostgresConfig(BaseModel): uri: str =
    #: os.getenv(...)`): the settings' own definition
    in_settings_class: bool = False
    #: the simple statement (line) holding the read: one finding per statement
    statement: cst.CSTNode | None = None


class EnvironmentOutsideSettings(Rule):
    code = "FG407"
    name = "environ-outside-settings"
    #: opt-in: four readers of real services judged 66 sampled findings, none worth a
    #: change (a project's environment reads are one decision, taken everywhere)
    default = False
    family = "config"
    message = "`os.environ` outside the settings module: read configuration from `Settings`"
    summary = (
        "Checks for configuration read from the environment (`os.getenv()`, "
        "`os.environ.get()`, `os.environ[...]`, `in os.environ`) outside the settings "
        "module. Not configuration, so not flagged: writing, copying or deleting the "
        "environment, or reading it through a lower-case local variable (`os.environ[name] "
        "for name in inherited`: the environment handed on to a child process; a helper "
        "taking the name as a parameter is flagged) or a lower-case attribute "
        "(`os.getenv(spec.key)`: a name held in a record); a variable that says where the "
        "process runs rather than how the service is configured (the operating system's "
        "and terminal's: `HOME`, `PATH`, "
        "`HOSTNAME`, `TERM`, `LANG`, `LC_*`, `TMPDIR`; conventions every tool reads: "
        "`NO_COLOR`, `FORCE_COLOR`, `DO_NOT_TRACK`, the proxy and CA-bundle variables; the "
        "Python runtime's and test runner's: `PYTHON*`, `VIRTUAL_ENV`, `PYTEST_*`; "
        "OpenTelemetry's `OTEL_*` and the LLM tracing SDKs' `LANGFUSE_*`, `LANGCHAIN_*`, "
        "`LANGSMITH_*`, which those SDKs read themselves (the app reads them to see "
        "whether tracing is on); CI systems': `CI`, `GITHUB_ACTIONS`, GitHub Actions' "
        "default `GITHUB_*` variables such as `GITHUB_SHA` (not `GITHUB_TOKEN`), "
        "`RUNNER_*`, GitLab's `CI_*`; container platforms': `KUBERNETES_*`, "
        "`AWS_LAMBDA_*`, Cloud Run's `K_SERVICE`); a variable the same module sets "
        "(`os.environ['X'] = ...`, `os.environ.setdefault('X', ...)`, "
        "`os.environ.update(...)`, `os.putenv('X', ...)`): a value handed to the "
        "processes it starts, not configuration; and code under "
        "`if __name__ == '__main__':`, which runs as a script. A variable read several "
        "times in a module is reported once, at its first read (one fix: a field of "
        "`Settings`), and reads in one statement once (`os.getenv('A') or "
        "os.getenv('B')`).\n\n"
        "Where it applies: a project that has a settings module (a class deriving from "
        "pydantic-settings' `BaseSettings`, or Pydantic 1's, or a configuration object of "
        "starlette's `Config`, dynaconf, environs or python-decouple, in any module of the "
        "project: the rule's advice presupposes a `Settings` to read from; in a project "
        "without one, bringing one in is a decision for the whole project, not one per "
        "read, and the rule reports only when `select` or `extend-select` names it, as "
        "`FG407` or `FG4`); there, "
        "every module but configuration modules (the `settings` layer: "
        "`settings.py`, `config.py`, `settings/`; outside the route, service and "
        "repository layers, a module or package named `configs`, `conf`, `configuration`, "
        "`config_*`, `*_config`, `*_configs`, `*_settings`; and a settings module under "
        "another name, known by its content: reads in the body of a settings class, one "
        "named `Settings`, `Config`, `*Settings` or `*Config` deriving from Pydantic's "
        "`BaseModel` or `BaseSettings` (`uri: str = os.getenv(...)`), are never "
        "reported, and when they are at least as many as the module's other reads, "
        "those are not either: the helpers of a settings module are settings code), "
        "tests, migrations, development tooling (the `tooling` layer: `scripts/`, "
        "`bin/`, `dev/`, `examples/`, `benchmarks/`, `loadtest/`, `evals/`, `qa/`, "
        "dot-folders, `noxfile.py`, `manage.py`, `seed.py`, Alembic's `env.py`, ...), "
        "the product's command-line tools (`cli/`, `tools/`, `__main__.py`), "
        "infrastructure code (`terraform/`, `infra/`, `deploy/`), and client libraries "
        "kept in the repository's top folders `sdks/`, `sdk/` and `clients/`, or in a "
        "monorepo's top `packages/` or `libs/` folder unless the package is named like a service "
        "(`backend`, `server`, `api`, `app`, `service`, `worker`, `web`: "
        "`packages/backend/` is checked) (a library's configuration is its user's "
        "environment)."
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
        Example(
            """
            import os

            def github_client(factory):
                if "GITHUB_TOKEN" in os.environ:
                    return factory(token=os.environ.get("GITHUB_TOKEN"))
                return factory(token=None, app_id=os.getenv("GITHUB_APP_ID"))
            """,
            path="app/integrations/github.py",
            expect=2,
            note=(
                "a service's own variables that look like a platform's; `GITHUB_TOKEN`, "
                "read twice, is one finding"
            ),
        ),
        Example(
            """
            import os

            from pydantic import BaseModel


            class CacheConfig(BaseModel):
                ttl: int = int(os.getenv("CACHE_TTL", "60"))


            def redis_url() -> str:
                return os.environ["REDIS_URL"]


            def queue_name() -> str:
                return os.getenv("QUEUE_NAME", "jobs")
            """,
            path="app/workers/queue.py",
            expect=2,
            note="a settings class in a module that mostly reads the environment elsewhere",
        ),
        Example(
            """
            import os

            def gemini_key() -> str | None:
                return os.getenv("GEMINI_API_KEY") or os.getenv("GOOGLE_API_KEY")
            """,
            path="app/llm/keys.py",
            note="two variables in one statement: one finding",
        ),
        Example(
            """
            import os

            REDIS_URL = os.environ["REDIS_URL"]
            """,
            path="packages/backend/app/cache.py",
            note="a service kept in a monorepo's `packages/` folder",
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
                del os.environ["NO_COLOR"]
            """,
            path="app/observability.py",
            note="writing, passing on and deleting the environment (polar)",
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
        Example(
            """
            import os

            IN_CI = os.getenv("CI") == "true" or "GITHUB_ACTIONS" in os.environ
            BUILD = os.environ.get("GITHUB_SHA", "dev")
            IN_CLUSTER = os.getenv("KUBERNETES_SERVICE_HOST") is not None
            POD = os.environ.get("HOSTNAME")
            TRACING = bool(os.getenv("OTEL_EXPORTER_OTLP_ENDPOINT"))
            COLOR = "NO_COLOR" not in os.environ and os.getenv("TERM") != "dumb"
            TELEMETRY = not os.environ.get("DO_NOT_TRACK")
            UNDER_PYTEST = "PYTEST_CURRENT_TEST" in os.environ
            """,
            path="app/core/runtime.py",
            note="CI detection, the platform, and conventions every tool reads",
        ),
        Example(
            """
            import os
            import subprocess


            def start_workers(count: int) -> None:
                for index in range(count):
                    os.environ["WORKER_INDEX"] = str(index)
                    subprocess.Popen(["python", "-m", "app.worker"])


            def worker_index() -> int:
                return int(os.environ["WORKER_INDEX"])
            """,
            path="app/workers/pool.py",
            note="a value the module hands to the processes it starts",
        ),
        Example(
            """
            import os


            class ImapConnector:
                def __init__(self, host: str) -> None:
                    self.host = host


            if __name__ == "__main__":
                connector = ImapConnector(os.environ["IMAP_HOST"])
            """,
            path="app/connectors/imap.py",
            note="a module's `__main__` block: a script (onyx's connectors)",
        ),
        Example(
            """
            import os

            PAGE_SIZE = int(os.environ.get("PAGE_SIZE", "50"))
            """,
            path="backend/app/configs/app_configs.py",
            note="a configuration package named `configs` (onyx)",
        ),
        Example(
            """
            import os

            SKIP_BACKFILL = os.environ.get("SKIP_TAG_BACKFILL", "true") == "true"
            """,
            path="alembic/versions/90e3b9af7da4_tag_backfill.py",
            note="a migration",
        ),
        Example(
            """
            import os

            from pydantic import BaseModel, Field


            def _flag(name: str, default: bool = False) -> bool:
                return (os.getenv(name) or str(default)).lower() in {"1", "true"}


            class PostgresConfig(BaseModel):
                uri: str = os.getenv("POSTGRES_URI", "")
                pool_size: int = int(os.getenv("POSTGRES_POOL_SIZE", "10"))


            class LoggingConfig(BaseModel):
                level: str = os.getenv("LOG_LEVEL", "INFO")
                json_output: bool = Field(default_factory=lambda: _flag("LOG_JSON"))


            class Env(BaseModel):
                postgres: PostgresConfig = PostgresConfig()
                logging: LoggingConfig = LoggingConfig()


            env = Env()
            """,
            path="api/src/utils/env.py",
            note="a settings module under another name, known by its settings classes",
        ),
        Example(
            """
            import os

            API_URL = os.getenv("ACME_API_URL", "https://api.acme.example")
            """,
            path="sdks/python/acme/client.py",
            note="the project's SDK: a library configured by its user's environment",
        ),
        Example(
            """
            import os

            API_KEY = os.getenv("ACME_API_KEY")
            """,
            path="packages/acme-evals/src/acme/evals/models.py",
            note="a library kept in a monorepo's `packages/` folder",
        ),
        Example(
            """
            import os

            API_KEY = os.getenv("NEOSANTARA_API_KEY")
            """,
            path="libs/agno/agno/models/neosantara/neosantara.py",
            note="a library kept in a monorepo's `libs/` folder (agno)",
        ),
        Example(
            """
            import os

            def resolve(specs, stored: dict[str, str]) -> dict[str, str | None]:
                return {spec.key: stored.get(spec.key) or os.getenv(spec.key) for spec in specs}
            """,
            path="app/sandbox/secrets.py",
            note="a variable name held in a record: not a setting read by its name",
        ),
        Example(
            """
            import os

            def run(session) -> None:
                session.run("pytest", env={"DATABASE_URL": os.environ["CI_DATABASE_URL"]})
                print(os.getenv("QA_TENANT"))
            """,
            path="noxfiles/ci_nox.py",
            note="development tooling (the `tooling` layer: `noxfiles/`, `qa/`, `evals/`, ...)",
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has("environ", "getenv", "getenvb")

    def may_fire_in(self, structure: Structure) -> bool:
        # `_applies` (layer and path) and the readers below: the file names the environment
        if structure.layer in _EXEMPT_LAYERS:
            return False
        parts = structure.relative_path.parts if structure.relative_path is not None else ()
        if set(parts[:-1]) & _SCRIPT_DIRECTORIES or (parts and parts[-1] in _SCRIPT_FILES):
            return False
        if _in_library_folder(parts):
            return False
        return structure.refers_to("os.getenv", "os.getenvb", "os.environ")

    def _applies(self, ctx: FileContext) -> bool:
        if ctx.layer in _EXEMPT_LAYERS or ctx.stash(f"{self.code}-main"):
            return False
        parts = ctx.relative_path.parts
        if set(parts[:-1]) & _SCRIPT_DIRECTORIES or (parts and parts[-1] in _SCRIPT_FILES):
            return False
        if _in_library_folder(parts):
            return False
        # a route, service or repository module is not configuration, whatever its package
        return ctx.layer is not None or not is_configuration_module(
            ctx.relative_path, ctx.module_name
        )

    def _read(
        self, node: cst.CSTNode, variable: cst.BaseExpression | None, ctx: FileContext
    ) -> None:
        if (
            isinstance(variable, cst.Name)
            and not variable.value.isupper()
            and not ctx.is_parameter(variable.value)
        ):
            # `os.environ[name] for name in inherited`: the environment handed on to a
            # child process, not a setting read by its name (a helper taking the name as
            # a parameter, `env_flag(name)`, reads settings: it is flagged)
            return
        if isinstance(variable, cst.Attribute) and not variable.attr.value.isupper():
            # `os.getenv(spec.key)`: a name held in an object (a spec, a record), like a
            # lower-case local; `os.getenv(Env.DATABASE_URL)` names a setting
            return
        if self._applies(ctx):
            statement = ctx.stash(f"{self.code}-statement")
            read = _Read(
                node,
                string_value(variable),
                _in_settings_class(ctx),
                statement[-1] if statement else None,
            )
            ctx.stash(f"{self.code}-reads").append(read)

    def _written(self, variable: cst.BaseExpression | None, ctx: FileContext) -> None:
        name = string_value(variable)
        if name is not None:
            ctx.stash(f"{self.code}-written").append(name)

    # ----------------------------------------------------------------- `__main__`
    def visit_If(self, node: cst.If, ctx: FileContext) -> None:
        if is_main_guard(node.test):
            ctx.stash(f"{self.code}-main").append(node)

    def leave_If(self, node: cst.If, ctx: FileContext) -> None:
        guards = ctx.stash(f"{self.code}-main")
        if guards and guards[-1] is node:
            guards.pop()

    # ------------------------------------------------------------ statements
    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine, ctx: FileContext) -> None:
        ctx.stash(f"{self.code}-statement").append(node)

    def leave_SimpleStatementLine(self, node: cst.SimpleStatementLine, ctx: FileContext) -> None:
        ctx.stash(f"{self.code}-statement").pop()

    # ------------------------------------------------------------ reads, writes
    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        name = ctx.qualified_name(node.func)
        if name in {"os.getenv", "os.getenvb", "os.environ.get"}:
            self._read(node, _first_argument(node, "key"), ctx)
        elif name in {"os.environ.setdefault", "os.putenv"}:
            self._written(_first_argument(node, "key"), ctx)
        elif name == "os.environ.update":
            for arg in node.args:
                if arg.keyword is not None:
                    ctx.stash(f"{self.code}-written").append(arg.keyword.value)
                elif isinstance(arg.value, cst.Dict):
                    for element in arg.value.elements:
                        if isinstance(element, cst.DictElement):
                            self._written(element.key, ctx)

    def visit_Assign(self, node: cst.Assign, ctx: FileContext) -> None:
        for target in node.targets:  # `os.environ["X"] = ...` writes, it does not read
            ctx.marks(self.code).add(id(target.target))
            self._write_target(target.target, ctx)

    def visit_Del(self, node: cst.Del, ctx: FileContext) -> None:
        ctx.marks(self.code).add(id(node.target))  # `del os.environ["X"]` neither

    def _write_target(self, target: cst.BaseExpression, ctx: FileContext) -> None:
        if isinstance(target, cst.Subscript) and ctx.qualified_name(target.value) == "os.environ":
            self._written(subscript_key(target), ctx)

    def visit_Subscript(self, node: cst.Subscript, ctx: FileContext) -> None:
        if id(node) not in ctx.marks(self.code) and ctx.qualified_name(node.value) == "os.environ":
            self._read(node, subscript_key(node), ctx)

    def visit_Comparison(self, node: cst.Comparison, ctx: FileContext) -> None:
        left = node.left
        for target in node.comparisons:
            if isinstance(target.operator, cst.In | cst.NotIn) and (
                ctx.qualified_name(target.comparator) == "os.environ"
            ):
                self._read(target, left, ctx)
            left = target.comparator

    def leave_Module(self, node: cst.Module, ctx: FileContext) -> None:
        written = set(ctx.stash(f"{self.code}-written"))
        reads: list[_Read] = [
            read
            for read in ctx.stash(f"{self.code}-reads")
            if read.variable is None
            or not (read.variable in written or is_platform_variable(read.variable))
        ]
        in_settings = sum(read.in_settings_class for read in reads)
        if in_settings and in_settings >= len(reads) - in_settings:
            return  # a settings module by its content: its helpers are settings code
        by_variable: dict[str, list[_Read]] = {}
        findings: list[tuple[_Read, str | None]] = []
        for read in reads:
            if read.in_settings_class:
                continue
            if read.variable is None:
                findings.append((read, None))
            elif read.variable not in by_variable:
                by_variable[read.variable] = [read]
                findings.append((read, read.variable))
            else:
                by_variable[read.variable].append(read)
        # one finding per variable (one fix), and per statement (`os.getenv("A") or
        # os.getenv("B")`: one line to change)
        by_statement: dict[int, list[tuple[_Read, str | None]]] = {}
        for read, variable in findings:
            key = id(read.statement) if read.statement is not None else id(read.node)
            by_statement.setdefault(key, []).append((read, variable))
        for same_statement in by_statement.values():
            first, variable = same_statement[0]
            message = None
            if len(same_statement) > 1:
                names = ", ".join(f"`{name}`" for _, name in same_statement if name is not None)
                message = f"{self.message} ({names or 'several variables'}, in one statement)"
            elif variable is not None and len(by_variable[variable]) > 1:
                times = len(by_variable[variable])
                message = f"{self.message} (`{variable}`, read {times} times in this module)"
            # "outside the settings module" presupposes one: a project without any
            # (`checks.project_facts.SETTINGS_MODULE`) gets no finding
            ctx.report_if(first.node, _HAS_SETTINGS_MODULE, message)


def _in_library_folder(parts: tuple[str, ...]) -> bool:
    """Whether the file is in a client library kept in the repository's top folders
    (`sdks/`, `sdk/`, `clients/`, and a `packages/` or `libs/` library not named like a
    service)."""
    if len(parts) < 2:
        return False
    if parts[0] in _LIBRARY_FOLDERS:
        return True
    if parts[0] not in _PACKAGES_FOLDERS or len(parts) < 3:
        return False
    words = set(re.split(r"[-_.]", parts[1].lower()))
    return not words & _SERVICE_WORDS


def _in_settings_class(ctx: FileContext) -> bool:
    """Whether the walk is in the body of a settings class: named `Settings`, `Config`,
    `*Settings` or `*Config` and deriving from Pydantic's `BaseModel` or `BaseSettings`
    (field defaults, and lambdas there such as `Field(default_factory=lambda: ...)`)."""
    info = ctx.enclosing_class
    if info is None or not info.name.endswith(_SETTINGS_CLASS_SUFFIXES):
        return False
    function = ctx.function
    if function is not None and not isinstance(function.node, cst.Lambda):
        return False
    return ctx.derives_from(info.name, PYDANTIC_MODEL_BASES)


def _first_argument(call: cst.Call, keyword: str) -> cst.BaseExpression | None:
    """The first positional argument of a call, or its `keyword=` argument."""
    given = keyword_arg(call, keyword)
    if given is not None:
        return given.value
    first = call.args[0] if call.args else None
    return first.value if first is not None and first.keyword is None and not first.star else None
