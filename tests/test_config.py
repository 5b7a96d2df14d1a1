"""Configuration: ruff's selection semantics, per-file ignores, layers, and bad configs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checks.catalog import CATALOG
from checks.config import (
    CommandLineSelection,
    ConfigError,
    LayerMatcher,
    find_project_root,
    load_settings,
    named_in_selection,
    pytest_test_files,
    resolve_enabled,
)
from checks.rules import ALL_RULES
from tests.helpers import run_cli, write

DEFAULTS = frozenset(rule.code for rule in ALL_RULES if rule.default)


def test_no_selection_enables_the_default_rules() -> None:
    assert resolve_enabled(ALL_RULES, None, [], []) == DEFAULTS


def test_prefix_selection_and_more_specific_ignore() -> None:
    enabled = resolve_enabled(ALL_RULES, ["FG2"], [], ["FG20"])
    assert enabled == {"FG210", "FG211", "FG212"}
    enabled = resolve_enabled(ALL_RULES, ["FG2"], [], ["FG201"])
    assert "FG201" not in enabled
    assert enabled == {r.code for r in ALL_RULES if r.code.startswith("FG2")} - {"FG201"}


def test_more_specific_select_beats_broader_ignore() -> None:
    assert resolve_enabled(ALL_RULES, ["FG201"], [], ["FG2"]) == {"FG201"}


def test_ignore_wins_a_tie() -> None:
    assert resolve_enabled(ALL_RULES, ["FG301"], [], ["FG301"]) == frozenset()


def test_extend_select_adds_to_defaults_and_all_selects_everything() -> None:
    # FG301 (extend-select, 5 characters) beats FG3 (ignore, 3); FG302-FG304 stay ignored
    assert resolve_enabled(ALL_RULES, None, ["FG301"], ["FG3"]) == DEFAULTS - {
        "FG302",
        "FG303",
        "FG304",
    }
    everything = frozenset(rule.code for rule in ALL_RULES)
    assert resolve_enabled(ALL_RULES, ["ALL"], [], []) == everything


def test_the_defaults_name_no_rule() -> None:
    assert named_in_selection(DEFAULTS, None, []) == frozenset()


def test_a_code_or_a_family_prefix_names_the_rules_it_selects() -> None:
    pydantic = {r.code for r in ALL_RULES if r.code.startswith("FG2")}
    assert named_in_selection(DEFAULTS, ["FG201"], []) == {"FG201"}
    assert named_in_selection(DEFAULTS, None, ["FG2"]) == pydantic
    assert named_in_selection(DEFAULTS, ["FG301"], ["FG20"]) == pydantic - {
        "FG210",
        "FG211",
        "FG212",
    } | {"FG301"}
    # only what is enabled: an ignored code is not named
    enabled = resolve_enabled(ALL_RULES, ["FG2"], [], ["FG207"])
    assert named_in_selection(enabled, ["FG2"], []) == pydantic - {"FG207"}


def test_the_whole_catalog_names_no_rule() -> None:
    """`ALL` (or `FG`) selects every rule without naming one: a rule the project's target
    does not report stays unreported, as ruff's `explicit-preview-rules` wants codes."""
    everything = frozenset(rule.code for rule in ALL_RULES)
    assert named_in_selection(everything, ["ALL"], ["FG", "F"]) == frozenset()


def test_the_settings_carry_what_the_config_and_command_line_name(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.fastapi-guardrails]\nextend-select = ["FG206"]\n')
    settings = load_settings(CATALOG, tmp_path)
    assert settings.named == {"FG206"}
    assert settings.pydantic_target.named == {"FG206"}
    cli = CommandLineSelection(select=["FG201", "FG3"])
    assert load_settings(CATALOG, tmp_path, cli=cli).named == {"FG201", "FG206"} | {
        r.code for r in ALL_RULES if r.code.startswith("FG3")
    }


def test_config_is_read_from_nearest_pyproject(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        """
        [tool.fastapi-guardrails]
        select = ["FG3"]
        per-file-ignores = { "legacy/*.py" = ["FG301"] }
        """,
    )
    nested = tmp_path / "app" / "deep"
    nested.mkdir(parents=True)
    settings = load_settings(CATALOG, nested)
    assert settings.config_file == tmp_path / "pyproject.toml"
    assert settings.enabled == {"FG301", "FG302", "FG303", "FG304"}
    assert settings.ignored_codes_for("legacy/x.py") == {"FG301"}
    assert settings.ignored_codes_for("app/x.py") == frozenset()


def test_nearest_pyproject_is_the_root_with_or_without_our_table(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.fastapi-guardrails]\nignore = ["FG301"]\n')
    write(tmp_path, "pkg/pyproject.toml", '[project]\nname = "pkg"\n')
    settings = load_settings(CATALOG, tmp_path / "pkg" / "app")
    assert settings.project_root == (tmp_path / "pkg").resolve()
    assert settings.config_file is None  # no table: the defaults, not the parent's table
    assert "FG301" in settings.enabled


def test_without_pyproject_the_git_work_tree_is_the_root(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    nested = tmp_path / "app" / "services"
    nested.mkdir(parents=True)
    assert find_project_root(nested / "users.py") == (tmp_path.resolve(), None)


def test_the_pyproject_search_stops_at_the_git_work_tree(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.fastapi-guardrails]\nignore = ["FG301"]\n')
    (tmp_path / "checkout" / ".git").mkdir(parents=True)
    root, pyproject = find_project_root(tmp_path / "checkout" / "app.py")
    assert (root, pyproject) == ((tmp_path / "checkout").resolve(), None)


def test_without_pyproject_or_git_the_fallback_then_the_start_is_the_root(
    tmp_path: Path,
) -> None:
    nested = tmp_path / "proj" / "app"
    nested.mkdir(parents=True)
    fallback = tmp_path / "proj"
    if any((parent / ".git").exists() for parent in tmp_path.parents):
        pytest.skip("the temporary directory lies inside a git work tree")
    assert find_project_root(nested / "x.py", fallback)[0] == fallback.resolve()
    assert find_project_root(nested / "x.py")[0] == nested.resolve()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('select = ["FG999"]', "unknown rule selector `FG999`"),
        ('selct = ["FG1"]', "unknown option `selct` (did you mean `select`?)"),
        ('layer = {service = ["x/**"]}', "unknown option `layer` (did you mean `layers`?)"),
        ("frobnicate = true", "unknown option `frobnicate` (known: `exclude`, `extend-exclude`"),
        ('select = "FG1"', "`select` must be a list of strings"),
        ("respect-gitignore = 1", "`respect-gitignore` must be true or false"),
        ('layers = { services = "x" }', "`layers.services` must be a list of strings"),
        ('layers = { handlers = ["x/"] }', "unknown layer `handlers`"),
        ('per-file-ignores = { "a.py" = ["XX1"] }', "unknown rule selector `XX1`"),
        ("select = [", "cannot read"),
    ],
)
def test_invalid_config_is_a_one_line_error_with_exit_2(
    tmp_path: Path, body: str, message: str
) -> None:
    write(tmp_path, "pyproject.toml", f"[tool.fastapi-guardrails]\n{body}\n")
    write(tmp_path, "app.py", "x = 1\n")
    with pytest.raises(ConfigError, match=r"pyproject\.toml"):
        load_settings(CATALOG, tmp_path)
    result = run_cli("check", str(tmp_path))
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_a_pyproject_that_cannot_hold_our_table_does_not_stop_the_run(tmp_path: Path) -> None:
    """A template's `pyproject.toml` is not TOML until rendered; the files beside it are
    checked (as a project without our table), and the run goes on. A folder named as a
    cookiecutter template's (`{{cookiecutter.project_slug}}`) is not checked at all."""
    write(tmp_path, "pyproject.toml", '[tool.fastapi-guardrails]\nselect = ["FG301"]\n')
    cookiecutter = tmp_path / "templates" / "{{cookiecutter.project_slug}}"
    write(cookiecutter, "pyproject.toml", '[project]\nname = "{{ cookiecutter.name }}"\n')
    write(cookiecutter, "app.py", "import time\n\n\nasync def f():\n    time.sleep(1)\n")
    template = tmp_path / "templates" / "python"
    write(template, "pyproject.toml", '[project]\nname = "{{ cookiecutter.name }}"\n{% if x %}\n')
    write(template, "app.py", "import time\n\n\nasync def f():\n    time.sleep(1)\n")
    write(tmp_path, "main.py", "import time\n\n\nasync def g():\n    time.sleep(1)\n")
    result = run_cli("check", str(tmp_path), "--output-format", "json")
    assert result.exit_code == 1, result.stderr
    found = {Path(item["filename"]).name for item in json.loads(result.stdout)}
    assert found == {"app.py", "main.py"}
    # One that names our tool is still a config error, never silently skipped.
    write(template, "pyproject.toml", "[tool.fastapi-guardrails]\nselect = [\n")
    result = run_cli("check", str(tmp_path))
    assert result.exit_code == 2
    assert "cannot read" in result.stderr


def test_explicit_config_file_may_be_a_plain_toml(tmp_path: Path) -> None:
    config = write(tmp_path, "guardrails.toml", 'select = ["FG201"]\n')
    settings = load_settings(CATALOG, tmp_path, config_file=config)
    assert settings.enabled == {"FG201"}


def test_missing_explicit_config_is_exit_2(tmp_path: Path) -> None:
    result = run_cli("check", str(tmp_path), "--config", str(tmp_path / "nope.toml"))
    assert result.exit_code == 2
    assert "no such config file" in result.stderr


def test_configured_layer_globs_replace_the_defaults(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        '[tool.fastapi-guardrails.layers]\nservices = ["domain/logic/"]\n',
    )
    write(
        tmp_path,
        "domain/logic/users.py",
        "from fastapi import HTTPException\ndef f():\n    raise HTTPException(404)\n",
    )
    write(
        tmp_path,
        "services/users.py",
        "from fastapi import HTTPException\ndef f():\n    raise HTTPException(404)\n",
    )
    # named: a layer raising no error of its own holds FG401 back
    result = run_cli(
        "check", str(tmp_path), "--output-format", "concise", "--extend-select", "FG401"
    )
    assert "domain/logic/users.py:3:11: FG401" in result.stdout
    assert "services/users.py" not in result.stdout


def test_file_patterns_beat_directory_patterns() -> None:
    matcher = LayerMatcher.from_globs({"routes": ("views.py",), "services": ("service/",)})
    assert matcher.layer_of("app/service/views.py") == "route"
    assert matcher.layer_of("app/service/logic.py") == "service"


def test_a_tooling_folder_beats_the_architecture_file_names_but_not_tests() -> None:
    matcher = LayerMatcher.from_globs(
        {"tests": ("test_*.py",), "tooling": ("examples/",), "routes": ("routes.py",)}
    )
    assert matcher.layer_of("examples/shop/routes.py") == "tooling"
    assert matcher.layer_of("examples/shop/test_routes.py") == "test"
    assert matcher.layer_of("app/routes.py") == "route"


def test_a_tests_folder_beats_the_architecture_file_names() -> None:
    matcher = LayerMatcher.from_globs(
        {"tests": ("tests/",), "settings": ("config.py",), "routes": ("routes.py",)}
    )
    # TaskingAI's `backend/tests/common/config.py`: a test's configuration
    assert matcher.layer_of("backend/tests/common/config.py") == "test"
    assert matcher.layer_of("tests/routes.py") == "test"
    assert matcher.layer_of("backend/app/config.py") == "settings"


@pytest.mark.parametrize(
    ("path", "layer"),
    [
        ("scripts/backfill.py", "tooling"),
        ("packages/tracecat-benchmark/tracecat_benchmark/runner.py", "tooling"),
        ("app/model_benchmark/service.py", "service"),
        ("qa/scenarios/sample_data.py", "tooling"),
        ("backend/evals/run.py", "tooling"),
        ("app/server/evals/api.py", "route"),
        ("noxfiles/ci_nox.py", "tooling"),
        ("noxfile.py", "tooling"),
        ("tasks.py", "tooling"),
        ("app/tasks.py", None),
        (".github/scripts/release.py", "tooling"),
        ("src/app/db/seed.py", "tooling"),
        ("app/migrations/env.py", "tooling"),
        ("app/migrations/versions/0001_users.py", "migration"),
        ("api/oss/databases/postgres/migrations/utils.py", "tooling"),
        ("api/oss/databases/postgres/migrations/core/utils.py", "tooling"),
        ("api/oss/databases/postgres/migrations/core/versions/b80c_initial.py", "migration"),
        ("app/alembic/versions/0001_users.py", "migration"),
        # a revision named like a layer's file is a revision (reanderson89's)
        ("migrations/versions/1ce40a8b8fe4_remove_user_and_service.py", "migration"),
        ("alembic/versions/0002_user_repository.py", "migration"),
        ("app/alembic/helpers.py", "tooling"),
        ("app/migrations/test_upgrade.py", "test"),
        ("app/e2e/sdk-api/src/constants.py", "test"),
        ("nicegui/testing/user_simulation.py", "test"),
        ("backend/tests.old/fixtures.py", "test"),
        ("example_apps/app_1/app/main.py", "tooling"),
        ("tests_integration/helpers.py", "test"),
        ("app/contests/service.py", "service"),
        ("app/ab_testing.py", None),
        ("demo_resources/load.py", "tooling"),
        ("app/demographics/report.py", None),
        ("docs/src/cookbook_create_user.py", "tooling"),
        ("app/docs/routes.py", "route"),
        ("src/app/plugins/google/docs/plugin.py", None),
        ("internal_docs/vignettes/sqlalchemy/users.py", "tooling"),
        ("tutorials/mcp/client.py", "tooling"),
        ("backend/tutorials/server.py", "tooling"),
        ("app/server/tutorials/api.py", "route"),
        ("vignettes/tls/generate_certs.py", "tooling"),
        ("notebooks/explore.py", "tooling"),
        ("cookbook/02_agents/crash_recovery.py", "tooling"),
        ("libs/cookbook/run.py", "tooling"),
        ("src/app/cookbook/service.py", "service"),
        ("src/app/notebooks/service.py", "service"),
        ("src/app/db/safe_crud.py", "repository"),
        ("app/crud_users.py", "repository"),
        ("app/dbs/postgres/users/dao.py", "repository"),
        ("app/users/users_dao.py", "repository"),
        ("app/daos/users.py", "repository"),
        ("run_seed.py", "tooling"),
        ("seed_demo_data.py", "tooling"),
        ("app/seed_service.py", "service"),
        ("app/planting/seeds_api.py", None),
        ("src/seed/data/user_data.py", "tooling"),  # Holeekey's demo accounts (reader 101)
        ("app/seed_api.py", None),
        ("test-notification-endpoints.py", "test"),
        ("app/features/auth/use_cases/session.py", "service"),
        ("app/features/auth/session_use_case.py", "service"),
        ("backend/onyx/db/input_prompt.py", "repository"),
        ("app/db/routes.py", "route"),
        ("py/core/providers/database/graphs.py", "repository"),
        ("py/core/main/orchestration/simple/ingestion_workflow.py", "service"),
        ("app/workflows/steps.py", "service"),
        ("app/workflows/router.py", "route"),
        ("keep/api/bl/incidents_bl.py", "service"),
        ("app/orders/orders_bl.py", "service"),
        ("tools/conv.py", "tooling"),
        ("app/agents/tools/search.py", None),
    ],
)
def test_default_layers(path: str, layer: str | None) -> None:
    from checks.config import DEFAULT_LAYERS

    assert LayerMatcher.from_globs(DEFAULT_LAYERS).layer_of(path) == layer


def test_the_tooling_layer_is_configurable(tmp_path: Path) -> None:
    sleep = "import time\nasync def f():\n    time.sleep(1)\n"
    write(tmp_path, "pyproject.toml", '[tool.fastapi-guardrails.layers]\ntooling = ["ops/"]\n')
    write(tmp_path, "ops/launch.py", sleep)
    write(tmp_path, "scripts/launch.py", sleep)
    result = run_cli("check", str(tmp_path), "--output-format", "concise")
    assert "scripts/launch.py:3:5: FG301" in result.stdout
    assert "ops/launch.py" not in result.stdout


def test_a_helper_of_the_revisions_is_tooling_and_a_revision_anywhere_is_not() -> None:
    from checks.config import layer_with_text

    helper = b"from alembic import op\n\ndef add_enum_value(t, c, v): ...\n"
    revision = b'from alembic import op\n\nrevision = "b1"\ndown_revision = "a0"\n'
    assert layer_with_text(None, helper) == "tooling"
    assert layer_with_text("repository", helper) == "tooling"
    assert layer_with_text(None, revision) is None
    assert layer_with_text("test", helper) == "test"
    assert layer_with_text(None, b"from alembic import command\n") is None
    # lcfs' `db/dependencies.py`: the request's session, beside an `op` import
    dependency = b"from alembic import op\nfrom fastapi import Request\n"
    assert layer_with_text("repository", dependency) == "repository"


def test_fg108_leaves_a_one_off_script_and_reports_the_service(tmp_path: Path) -> None:
    legacy = (
        "from sqlalchemy import Column, Integer\n"
        "from sqlalchemy.ext.declarative import declarative_base\n"
        "Base = declarative_base()\n"
    )
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "scripts/migrate/migrate_chroma_db.py", legacy)
    write(tmp_path, "app/models.py", legacy)
    result = run_cli("check", str(tmp_path), "--output-format", "concise", "--no-cache")
    assert "app/models.py:3:8: FG108" in result.stdout
    assert "migrate_chroma_db.py" not in result.stdout


def test_a_lower_layer_folder_holding_a_route_module_is_that_features_http_package(
    tmp_path: Path,
) -> None:
    # agenta's `apis/fastapi/workflows/`: the `workflows/` services pattern reaches it,
    # but its `router.py` makes it the HTTP package; `exceptions.py` there turns domain
    # errors into `HTTPException`s, as FG401 asks
    http_error = (
        "from fastapi import HTTPException\n"
        "class SlugTaken(HTTPException):\n"
        "    def __init__(self) -> None:\n"
        "        super().__init__(status_code=409, detail='taken')\n"
        "def taken() -> None:\n"
        "    raise HTTPException(status_code=409)\n"
    )
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/apis/fastapi/workflows/router.py", "from fastapi import APIRouter\n")
    write(tmp_path, "app/apis/fastapi/workflows/exceptions.py", http_error)
    write(tmp_path, "app/apis/fastapi/workflows/workflow_service.py", http_error)
    write(tmp_path, "app/core/workflows/steps.py", http_error)
    settings = load_settings(CATALOG, tmp_path)
    assert settings.layer_of(tmp_path / "app/apis/fastapi/workflows/exceptions.py") is None
    assert settings.layer_of(tmp_path / "app/apis/fastapi/workflows/router.py") == "route"
    named = tmp_path / "app/apis/fastapi/workflows/workflow_service.py"
    assert settings.layer_of(named) == "service"
    assert settings.layer_of(tmp_path / "app/core/workflows/steps.py") == "service"
    # FG401 named: this project has no errors of its own, which would hold it back
    result = run_cli(
        "check", str(tmp_path), "--select", "FG401", "--output-format", "concise", "--no-cache"
    )
    assert "app/core/workflows/steps.py:6:11: FG401" in result.stdout
    assert "workflow_service.py:6:11: FG401" in result.stdout
    assert "exceptions.py" not in result.stdout


def test_a_project_nested_in_a_tooling_folder_of_the_repository_is_tooling(
    tmp_path: Path,
) -> None:
    (tmp_path / ".git").mkdir()
    sleep = "import time\nasync def f():\n    time.sleep(1)\n"
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "dev/cli/pyproject.toml", "[project]\nname = 'cli'\n")
    write(tmp_path, "dev/cli/acme_cli/launch.py", sleep)
    write(tmp_path, "services/api/pyproject.toml", "[project]\nname = 'api'\n")
    write(tmp_path, "services/api/app/launch.py", sleep)
    result = run_cli("check", str(tmp_path), "--output-format", "concise", "--no-cache")
    assert "app/launch.py:3:5: FG301" in result.stdout
    assert "acme_cli" not in result.stdout


def test_a_module_defining_a_test_case_is_a_test_wherever_it_lies(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    secret = 'BODY = {"password": "Pa$$w0rd!"}\n'
    case = "import unittest\n\n\nclass SignupTests(unittest.TestCase):\n    pass\n"
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    write(tmp_path, "app/services/api_tests.py", case + secret)
    write(tmp_path, "app/services/signup.py", secret)
    result = run_cli("check", str(tmp_path), "--output-format", "concise", "--no-cache")
    assert "app/services/signup.py:1:" in result.stdout
    assert "FG502" in result.stdout
    assert "api_tests.py" not in result.stdout
    settings = load_settings(ALL_RULES, tmp_path)
    tests = tmp_path / "app/services/api_tests.py"
    assert settings.layer_of(tests) == "service"
    assert settings.file_layer(tests, tests.read_bytes()) == "test"


def test_a_domain_word_folder_of_a_package_one_below_the_root_is_product_code(
    tmp_path: Path,
) -> None:
    """`/*/evaluation/` is tooling in a repository (`backend/evals/`) but bisheng's
    `bisheng/evaluation/` is a package's feature, with routes and services."""
    write(tmp_path, "bisheng/__init__.py", "")
    write(tmp_path, "bisheng/evaluation/__init__.py", "")
    write(tmp_path, "pyproject.toml", "[project]\nname = 'bisheng'\n")
    settings = load_settings(CATALOG, tmp_path)
    layer = settings.layer_of
    assert layer(tmp_path / "bisheng/evaluation/domain/services/evaluation_service.py") == (
        "service"
    )
    assert layer(tmp_path / "bisheng/evaluation/api/endpoints.py") == "route"
    assert layer(tmp_path / "backend/evals/run.py") == "tooling"  # no package above
    assert layer(tmp_path / "bisheng/evaluation/tests/test_x.py") == "test"
    assert layer(tmp_path / "bisheng/scripts/run.py") == "tooling"  # not a domain word
    # a project that says its evaluations are tooling is heard
    write(
        tmp_path,
        "pyproject.toml",
        "[project]\nname = 'bisheng'\n\n[tool.fastapi-guardrails.layers]\n"
        'tooling = ["bisheng/evaluation/", "/*/evaluation/"]\n',
    )
    configured = load_settings(CATALOG, tmp_path)
    assert configured.layer_of(tmp_path / "bisheng/evaluation/api/endpoints.py") == "tooling"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("pytest.ini", "[pytest]\npython_files = test_*.py tests.py tests_*.py\n"),
        ("tox.ini", "[tox]\nenvlist = py311\n\n[pytest]\npython_files =\n    tests.py\n"),
        ("setup.cfg", "[metadata]\nname = svc\n\n[tool:pytest]\npython_files = tests.py\n"),
        (
            "pyproject.toml",
            '[project]\nname = "svc"\n\n[tool.pytest.ini_options]\npython_files = ["tests.py"]\n',
        ),
    ],
)
def test_the_files_pytest_collects_are_tests(tmp_path: Path, name: str, text: str) -> None:
    """zero1max's `pytest.ini` collects `tests.py` (reader 63): its request bodies'
    passwords are fixtures, not secrets; without that configuration it is a module."""
    source = 'def test_signup(client):\n    client.post("/users", json={"password": "secret123"})\n'
    write(tmp_path, "tests.py", source)
    assert "FG502" in run_cli("check", "--no-cache", str(tmp_path)).stdout
    write(tmp_path, name, text)
    assert run_cli("check", "--no-cache", str(tmp_path)).stdout.startswith("All checks passed")
    assert "tests.py" in pytest_test_files(tmp_path)


def test_a_configured_tests_layer_is_the_projects_own(tmp_path: Path) -> None:
    write(tmp_path, "pytest.ini", "[pytest]\npython_files = tests.py\n")
    write(tmp_path, "pyproject.toml", '[tool.fastapi-guardrails.layers]\ntests = ["qa/"]\n')
    write(tmp_path, "tests.py", 'PAYLOAD = {"password": "Xk9#mQ2vL8"}\n')
    assert "FG502" in run_cli("check", "--no-cache", str(tmp_path)).stdout
