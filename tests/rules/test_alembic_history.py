"""Revisions other revisions build on are history: FG601-FG603 and FG105 report on the
heads of a migrations folder only; FG604 (edited history) still looks at all of them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checks import revisions
from checks.engine import Engine
from checks.rules import RULES_BY_CODE
from tests.helpers import run_cli, write

REVISION = """
import sqlalchemy as sa
from alembic import op

revision{annotation} = "{revision}"
down_revision{annotation} = {down}


def upgrade() -> None:
    op.drop_column("users", "nickname_{revision}")
    op.add_column("users", sa.Column("age_{revision}", sa.Integer(), nullable=False))
    op.execute(f"UPDATE users SET age_{revision} = {{age}}")


def downgrade() -> None:
    pass
"""


def _revision(root: Path, revision: str, down: str, annotation: str = "") -> None:
    write(
        root,
        f"migrations/versions/{revision}_change.py",
        REVISION.format(revision=revision, down=down, annotation=annotation),
    )


def _reported(root: Path, *options: str) -> dict[str, list[str]]:
    result = run_cli("check", "--output-format", "json", *options, str(root))
    assert result.exit_code in (0, 1), result.stderr
    found: dict[str, list[str]] = {}
    for item in json.loads(result.stdout):
        name = Path(item["filename"]).name.split("_", 1)[0]
        found.setdefault(name, []).append(item["code"])
    return {name: sorted(set(codes)) for name, codes in found.items()}


@pytest.fixture(autouse=True)
def _fresh_folders() -> None:
    revisions.forget()


#: A project that deploys without downtime selects FG601 (opt-in).
_ROLLING = "[project]\nname = 'svc'\n\n[tool.fastapi-guardrails]\nextend-select = ['FG601']\n"


def test_only_the_head_revision_is_judged(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", _ROLLING)
    _revision(tmp_path, "0001", "None")
    _revision(tmp_path, "0002", '"0001"', annotation=": str")
    assert _reported(tmp_path, "--no-cache") == {"0002": ["FG105", "FG601", "FG602", "FG603"]}


@pytest.mark.parametrize("prefilter", [False, True])
def test_history_stays_history_when_fg604_is_selected_too(tmp_path: Path, prefilter: bool) -> None:
    # FG604 looks at every revision; the others must not start judging history with it
    # (found by the equivalence harness on Netflix/dispatch: 72 findings on history)
    _revision(tmp_path, "0001", "None")
    _revision(tmp_path, "0002", '"0001"')
    rules = [RULES_BY_CODE[code] for code in ("FG601", "FG602", "FG603", "FG604")]
    engine = Engine(rules, prefilter=prefilter)
    found = {}
    for path in sorted((tmp_path / "migrations" / "versions").iterdir()):
        result = engine.check(path, path.read_bytes(), "migration")
        found[path.name[:4]] = sorted({f.code for f in result.findings})
    assert found == {"0001": [], "0002": ["FG601", "FG602", "FG603"]}


def test_a_merge_revision_makes_both_parents_history(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    _revision(tmp_path, "0001", "None")
    _revision(tmp_path, "0002a", '"0001"')
    _revision(tmp_path, "0002b", '"0001"')
    two_heads = _reported(tmp_path, "--no-cache")
    assert set(two_heads) == {"0002a", "0002b"}
    _revision(tmp_path, "0003", '(\n    "0002a",\n    "0002b",\n)')
    assert set(_reported(tmp_path, "--no-cache")) == {"0003"}


def test_a_new_revision_retires_the_old_head_also_in_a_cached_run(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    _revision(tmp_path, "0001", "None")
    assert set(_reported(tmp_path)) == {"0001"}
    _revision(tmp_path, "0002", '"0001"')
    assert set(_reported(tmp_path)) == {"0002"}  # 0001's cached answer is not reused
    (tmp_path / "migrations" / "versions" / "0002_change.py").unlink()
    assert set(_reported(tmp_path)) == {"0001"}


def test_the_hook_judges_a_revision_as_written_against_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hook checks the text Claude wrote: a new head is judged, and a rewritten old
    revision is not (FG604, when selected, is the rule for that)."""
    from checks.hook import run_claude_hook

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))  # the hook's run markers
    write(tmp_path, "pyproject.toml", _ROLLING)
    _revision(tmp_path, "0001", "None")
    _revision(tmp_path, "0002", '"0001"')
    for name, expected in (("0002", True), ("0001", False)):
        path = tmp_path / "migrations" / "versions" / f"{name}_change.py"
        payload = {
            "session_id": "history",
            "cwd": str(tmp_path),
            "hook_event_name": "PostToolUse",
            "tool_name": "Write",
            "tool_input": {"file_path": str(path), "content": path.read_text()},
            "tool_response": {"type": "create", "filePath": str(path), "structuredPatch": []},
            "tool_use_id": f"toolu_history_{name}",
        }
        answer = run_claude_hook(
            json.dumps(payload).encode(), {"CLAUDE_PROJECT_DIR": str(tmp_path)}
        )
        assert ("FG601" in answer.stdout) is expected, (name, answer)


def test_edited_history_is_still_fg604s() -> None:
    assert RULES_BY_CODE["FG604"].history_too is True  # type: ignore[attr-defined]
    assert not any(
        getattr(RULES_BY_CODE[code], "history_too", True) for code in ("FG601", "FG602", "FG603")
    )


@pytest.mark.parametrize(
    ("ini", "judged"),
    [
        ("[alembic]\nscript_location = alembic\n", False),
        ("[alembic]\nscript_location = %(here)s/alembic\n", False),
        ("[alembic]\nscript_location = migrations\n", True),
        ("[alembic]\nscript_location = %(here)s/migrations\n", True),
        (
            "[alembic]\nscript_location = alembic\n"
            "version_locations = %(here)s/migrations/versions\n",
            True,
        ),
        ("[alembic]\nscript_location = app:alembic\n", True),
        ("[alembic]\nsqlalchemy.url = postgresql://db/app\n", True),
        (None, True),
    ],
    ids=[
        "other",
        "other here",
        "configured",
        "configured here",
        "version location",
        "package resource",
        "no location",
        "no ini",
    ],
)
def test_a_revision_alembic_never_runs_is_not_judged(
    tmp_path: Path, ini: str | None, judged: bool
) -> None:
    """A trading engine keeps a revision in `migrations/versions/` while its
    `alembic.ini` runs `alembic/`: Alembic never applies it, and what it does is no
    finding. A location we cannot resolve (an installed package's folder), or no
    location at all, keeps the revision judged."""
    write(tmp_path, "pyproject.toml", "[project]\nname = 'svc'\n")
    if ini is not None:
        write(tmp_path, "alembic.ini", ini)
    _revision(tmp_path, "0001", "None")
    assert bool(_reported(tmp_path).get("0001")) is judged
