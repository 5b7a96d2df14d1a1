"""`checks.globs.Globs` answers as pathspec does, compiling fewer patterns."""

from __future__ import annotations

import itertools
from pathlib import Path

import pathspec
import pytest

from checks.config import DEFAULT_EXCLUDE, DEFAULT_LAYERS
from checks.globs import Globs, _compiled

#: A `.gitignore` of the kind services keep: classes, negations, anchors, directories,
#: escapes, comments, blank lines, trailing spaces.
GITIGNORE = """
# Byte-compiled / optimized
__pycache__/
*.py[cod]
*$py.class

# Distribution
build/
dist/
*.egg-info/
.eggs/
!dist/keep.txt
/local_settings.py
docs/_build/
.env
.venv
env/
node_modules
**/migrations/*.sql
!**/migrations/0001_initial.sql
\\#notes.md
trailing.txt{trailing}
logs/**/*.log
[Tt]emp/
?.tmp
frontend/src/**
!frontend/src/app.py
""".format(trailing="   ")
#: Paths to ask about: files and directories (a trailing `/`), hits and misses.
PATHS = [
    "app/main.py",
    "app/__pycache__/",
    "app/__pycache__/main.cpython-311.pyc",
    "app/main.pyc",
    "app/main$py.class",
    "build/",
    "build/lib/app.py",
    "dist/keep.txt",
    "dist/app.whl",
    "local_settings.py",
    "app/local_settings.py",
    "docs/_build/index.html",
    ".env",
    "app/.env",
    ".venv/",
    "env/",
    "node_modules/",
    "web/node_modules/x.js",
    "db/migrations/0002_add.sql",
    "db/migrations/0001_initial.sql",
    "#notes.md",
    "trailing.txt",
    "logs/a/b/c.log",
    "Temp/",
    "temp/x.py",
    "a.tmp",
    "ab.tmp",
    "frontend/src/app.py",
    "frontend/src/ui.py",
    "tests/test_app.py",
    "tests/conftest.py",
    "app/tests/helpers.py",
    "scripts/seed.py",
    "alembic/versions/0001_initial.py",
    "app/routes/users.py",
    "app/users/router.py",
    "app/services/billing.py",
    "app/core/config.py",
    "src/svc/repository.py",
    "examples/app/routes.py",
    "dev/cli/main.py",
    "noxfile.py",
]


def _both(patterns: list[str], gitignore: bool) -> tuple[Globs, pathspec.PathSpec]:
    if gitignore:
        return Globs(patterns, gitignore=True), pathspec.GitIgnoreSpec.from_lines(patterns)
    return Globs(patterns), pathspec.PathSpec.from_lines("gitignore", patterns)


@pytest.mark.parametrize("gitignore", [True, False])
def test_a_gitignore_is_matched_as_pathspec_matches_it(gitignore: bool) -> None:
    patterns = GITIGNORE.splitlines()
    ours, theirs = _both(patterns, gitignore)
    for path in PATHS:
        assert ours.match_file(path) == theirs.match_file(path), path
        assert ours.include(path) == theirs.check_file(path).include, path


def test_the_default_layers_and_excludes_are_matched_as_pathspec_matches_them() -> None:
    sets = [list(DEFAULT_EXCLUDE), *(list(globs) for globs in DEFAULT_LAYERS.values())]
    for patterns in sets:
        ours, theirs = _both(patterns, gitignore=False)
        for path in PATHS:
            assert ours.match_file(path) == theirs.match_file(path), (patterns, path)


def test_names_at_any_depth_and_paths_no_pattern_may_match_compile_nothing() -> None:
    _compiled.cache_clear()
    globs = Globs(["**/tests/**", "conftest.py", "test_*.py", "app/legacy/**"])
    assert not globs.match_file("app/users/router.py")
    assert globs.match_file("app/tests/helpers.py")
    assert globs.match_file("tests/unit/conftest.py")
    assert _compiled.cache_info().misses == 0
    # an anchored pattern that may match is pathspec's
    assert globs.match_file("app/legacy/old.py")
    assert _compiled.cache_info().misses == 1


def test_a_walk_of_many_paths_compiles_the_whole_set_once() -> None:
    """Past a few paths (a tree's walk) the whole set is compiled and used."""
    patterns = [f"/dir{n}/" for n in range(40)]
    globs = Globs(patterns)
    theirs = pathspec.PathSpec.from_lines("gitignore", patterns)
    paths = [f"dir{n}/file.py" for n in range(40)] + [
        "/".join(p) for p in itertools.product(["dir1", "dir22", "x"], ["a.py", "dir3/"])
    ]
    for path in paths:
        assert globs.match_file(path) == theirs.match_file(path), path
    assert globs._whole is not None


NAMES = ["*.py[cod]", "build", "__pycache__/", "**/tests/**", "**/conftest.py", ".*/", "*"]
NAME_PATHS = [
    "a.pyc",
    "x/y/a.pyo",
    "build",
    "build/",
    "src/build/x.py",
    "x/build.py",
    "__pycache__",
    "a/__pycache__/",
    "a/__pycache__/m.pyc",
    "tests",
    "tests/",
    "tests/a.py",
    "a/tests/b/c.py",
    "a/testsuite/b.py",
    "conftest.py",
    "a/conftest.py",
    "a/conftest.py/",
    ".venv/lib/x.py",
    ".env",
    "a/.git/",
]


@pytest.mark.parametrize("gitignore", [True, False])
@pytest.mark.parametrize("size", [1, 2, len(NAMES)])
def test_name_patterns_answer_as_pathspec_does(gitignore: bool, size: int) -> None:
    for patterns in itertools.combinations(NAMES, size):
        ours, theirs = _both(list(patterns), gitignore)
        for path in NAME_PATHS:
            assert ours.include(path) == theirs.check_file(path).include, (patterns, path)
            assert ours.match_file(path) == theirs.match_file(path), (patterns, path)


def test_real_gitignore_files_of_this_repository_agree(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    patterns = (root / ".gitignore").read_text().splitlines()
    ours, theirs = _both(patterns, gitignore=True)
    for path in [*PATHS, *(p.relative_to(root).as_posix() for p in root.glob("*"))]:
        assert ours.include(path) == theirs.check_file(path).include, path


def _walked(globs: Globs) -> Globs:
    """The globs as a walk leaves them: asked about more paths than `_PATHS`."""
    for n in range(40):
        globs.match_file(f"walked{n}/module.py")
    return globs


def test_name_patterns_asked_about_many_paths_are_one_regular_expression() -> None:
    """A walk asks a set of name patterns (the default `exclude`) about every path: past a
    few, one regular expression of their `fnmatch` translations answers for each
    component, neither a scan of every pattern for every path (the warm run of three
    trees took 2.1x ruff before) nor pathspec (its import and one expression per
    pattern: a warm run over three trees asks the default excludes of 2,507 files)."""
    _compiled.cache_clear()
    globs = _walked(Globs(["__pycache__/", "*.py[cod]", ".venv/", "*{{*}}*"]))
    assert globs.match_file("pkg/__pycache__/m.pyc")
    assert globs.match_file("{{cookiecutter.slug}}/app.py")
    assert not globs.match_file("pkg/module.py")
    assert not globs.match_file("pkg/__pycache__")  # a file of that name
    assert globs._whole is None
    assert _compiled.cache_info().misses == 0


@pytest.mark.parametrize("gitignore", [True, False])
def test_name_patterns_of_a_walk_answer_as_pathspec_does(gitignore: bool) -> None:
    sets = [list(DEFAULT_EXCLUDE), *(list(c) for c in itertools.combinations(NAMES, 2)), NAMES]
    for patterns in sets:
        ours, theirs = _both(patterns, gitignore)
        _walked(ours)
        for path in [*NAME_PATHS, *PATHS, "{{cookiecutter.slug}}/", "a/{{x}}/b.py"]:
            assert ours.include(path) == theirs.check_file(path).include, (patterns, path)
            assert ours.match_file(path) == theirs.match_file(path), (patterns, path)
