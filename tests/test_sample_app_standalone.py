"""A copy of the sample app works on its own (`cp -r sample_app my-service && cd
my-service && uv run pytest`): everything its code and tests import is a dependency of its
own pyproject.toml, not only of the repository's."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

SAMPLE_APP = Path(__file__).resolve().parents[1] / "sample_app"


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", Requirement(requirement).name).lower()


def _closure(requirements: list[str]) -> set[str]:
    """The distributions these requirements install, with what they require in turn
    (extras included), as far as this environment has them."""
    todo = [Requirement(text) for text in requirements]
    seen: set[str] = set()
    while todo:
        requirement = todo.pop()
        if requirement.marker is not None and not requirement.marker.evaluate(
            {"extra": next(iter(requirement.extras), "")}
        ):
            continue
        name = _name(str(requirement))
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for text in requires:
            nested = Requirement(text)
            wanted = {""} | set(requirement.extras)
            if nested.marker is None or any(
                nested.marker.evaluate({"extra": extra}) for extra in wanted
            ):
                todo.append(nested)
    return seen


def _imported_top_level(folder: Path) -> set[str]:
    names: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def test_everything_the_sample_app_imports_is_its_own_dependency() -> None:
    project = tomllib.loads((SAMPLE_APP / "pyproject.toml").read_text(encoding="utf-8"))
    declared = project["project"]["dependencies"] + project["dependency-groups"]["dev"]
    installed = _closure(declared)
    distributions = importlib.metadata.packages_distributions()
    local = {"app", "support", "conftest", "migrations", "tests"}
    missing = {}
    for folder in ("app", "tests", "migrations"):
        for module in _imported_top_level(SAMPLE_APP / folder):
            if module in sys.stdlib_module_names or module in local or module == "__future__":
                continue
            owners = {re.sub(r"[-_.]+", "-", d).lower() for d in distributions.get(module, [])}
            assert owners, f"{module} (imported in sample_app/{folder}) is not installed"
            if not owners & installed:
                missing[module] = sorted(owners)
    assert missing == {}, f"imported by the sample app, not in its pyproject.toml: {missing}"
