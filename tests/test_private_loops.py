"""A coroutine the project runs only on loops of its own (`asyncio.run(collect())` in a
Celery task of another module, `checks.private_loops`): what blocks in it blocks no
request, so FG102 and FG301-FG303 hold their findings there (reader 54: cryptostorage's
price collector); anywhere else the coroutine is named, they stand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import run_cli, write

COLLECTOR = """
import time

import requests


async def collect_prices(symbol: str) -> list[float]:
    answer = requests.get(f"https://prices.example.com/{symbol}", timeout=10)
    time.sleep(1)
    return [float(price) for price in answer.json()]
"""
TASK = """
import asyncio

from celery import shared_task

from app.etl.collector import collect_prices


@shared_task
def collect_prices_task() -> None:
    asyncio.run(collect_prices("SOLUSDT"))
"""


def findings(root: Path) -> list[tuple[str, str, int]]:
    result = run_cli("check", "--no-cache", "--output-format", "json", str(root))
    return sorted(
        (Path(f["filename"]).name, f["code"], f["location"]["row"])
        for f in json.loads(result.stdout)
    )


def project(tmp_path: Path, **files: str) -> Path:
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\ndependencies = ["fastapi"]\n')
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/etl/__init__.py", "")
    write(tmp_path, "app/etl/collector.py", COLLECTOR)
    for name, source in files.items():
        write(tmp_path, name, source)
    return tmp_path


REPORTED = [("collector.py", "FG301", 8), ("collector.py", "FG302", 7)]


def test_a_coroutine_only_a_task_runs_on_its_own_loop_is_not_reported(tmp_path: Path) -> None:
    root = project(tmp_path, **{"app/tasks.py": TASK})
    assert findings(root) == []


def test_a_run_of_some_files_reads_no_other_to_tell(tmp_path: Path) -> None:
    """The hooks check one file: the task that runs the coroutine is not read, and the
    finding stands there, as in a project of which nothing else is known."""
    root = project(tmp_path, **{"app/tasks.py": TASK})
    result = run_cli(
        "check", "--no-cache", "--output-format", "concise", str(root / "app/etl/collector.py")
    )
    assert "collector.py:7:14: FG302" in result.stdout
    assert "collector.py:8:5: FG301" in result.stdout


def test_it_is_reported_alone_or_where_a_route_awaits_it(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert findings(root) == REPORTED  # nothing runs it: a new coroutine
    route = """
        from fastapi import APIRouter

        from app.etl.collector import collect_prices

        router = APIRouter()


        @router.get("/prices/{symbol}")
        async def prices(symbol: str) -> list[float]:
            return await collect_prices(symbol)
        """
    write(root, "app/tasks.py", TASK)
    write(root, "app/routes.py", route)
    assert findings(root) == REPORTED


@pytest.mark.parametrize(
    ("name", "source"),
    [
        # a test of it runs it in the test's loop: no request waits on it
        (
            "tests/test_collector.py",
            "from app.etl.collector import collect_prices\n\n\n"
            "async def test_collect() -> None:\n"
            '    assert await collect_prices("X")\n',
        ),
        # the loop made by hand, the coroutine imported where the task runs it
        (
            "app/cron.py",
            "import asyncio\n\n\ndef main() -> None:\n"
            "    from app.etl import collector\n\n"
            "    loop = asyncio.new_event_loop()\n"
            '    loop.run_until_complete(collector.collect_prices("X"))\n',
        ),
    ],
)
def test_other_ways_of_running_it_alone(tmp_path: Path, name: str, source: str) -> None:
    root = project(tmp_path, **{"app/tasks.py": TASK, name: source})
    assert findings(root) == []


@pytest.mark.parametrize(
    ("name", "source"),
    [
        # handed to a scheduler that runs it on the service's loop
        (
            "app/main.py",
            "from app.etl.collector import collect_prices\n\nJOBS = [collect_prices]\n",
        ),
        # every name of the module, unseen
        ("app/main.py", "from app.etl.collector import *\n\nJOB = collect_prices\n"),
        # a string naming it (a task registry, a scheduler's job path)
        ("app/jobs.py", 'JOB = "app.etl.collector.collect_prices"\n'),
    ],
)
def test_named_otherwise_it_is_reported(tmp_path: Path, name: str, source: str) -> None:
    root = project(tmp_path, **{"app/tasks.py": TASK, name: source})
    assert findings(root) == REPORTED


def test_a_decorated_coroutine_is_reported(tmp_path: Path) -> None:
    """A decorator may hand the coroutine to anything (an app's startup, a scheduler)."""
    decorated = COLLECTOR.replace(
        "async def collect_prices", "@scheduler.scheduled_job('interval')\nasync def collect_prices"
    ).replace("import time\n", "import time\n\nfrom app.jobs import scheduler\n")
    root = project(tmp_path, **{"app/tasks.py": TASK, "app/etl/collector.py": decorated})
    assert [code for _, code, _ in findings(root)] == ["FG301", "FG302"]


def test_a_source_folder_without_init_is_one_package_with_its_imports(tmp_path: Path) -> None:
    """`from src.app.etl.collector import ...` where `src/` holds no `__init__.py`: the
    file's packages name it `app.etl.collector` (cryptostorage's layout)."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "svc"\ndependencies = ["fastapi"]\n')
    write(tmp_path, "src/app/__init__.py", "")
    write(tmp_path, "src/app/etl/__init__.py", "")
    write(tmp_path, "src/app/etl/collector.py", COLLECTOR)
    write(tmp_path, "src/app/tasks.py", TASK.replace("from app.", "from src.app."))
    assert findings(tmp_path) == []


UPDATER = """
import asyncio

import requests


class DbUpdater:
    async def update_db_online(self) -> None:
        rows = requests.get("https://sheets.example.com/menu", timeout=10).json()
        tasks = [asyncio.create_task(self.update_menu(row)) for row in rows]
        await asyncio.gather(*tasks)

    async def update_menu(self, row: dict) -> None:
        requests.post("https://cache.example.com/clear", json=row, timeout=10)


db_updater = DbUpdater()
"""
UPDATER_TASK = """
import asyncio

from celery import shared_task

from app.etl.updater import db_updater


@shared_task
def db_synchronization() -> None:
    asyncio.run(db_updater.update_db_online())
"""
UPDATER_REPORTED = [("updater.py", "FG302", 8), ("updater.py", "FG302", 13)]


@pytest.mark.parametrize(
    ("name", "source", "reported"),
    [
        (None, None, []),
        # a route awaits the method the task's coroutine reaches through `self`
        (
            "app/routes.py",
            "from app.etl.updater import db_updater\n\n\n"
            "async def refresh(row: dict) -> None:\n"
            "    await db_updater.update_menu(row)\n",
            [("updater.py", "FG302", 13)],
        ),
        # a method of that name on another object: it may be this class's
        (
            "app/routes.py",
            "async def refresh(updater, row: dict) -> None:\n    await updater.update_menu(row)\n",
            [("updater.py", "FG302", 13)],
        ),
        # the coroutine the task runs, awaited by a route too
        (
            "app/routes.py",
            "from app.etl.updater import db_updater\n\n\n"
            "async def refresh() -> None:\n"
            "    await db_updater.update_db_online()\n",
            UPDATER_REPORTED,
        ),
    ],
    ids=["only the task", "a route awaits the inner one", "another receiver", "a route too"],
)
def test_a_method_only_a_task_runs_through_an_instance_is_not_reported(
    tmp_path: Path, name: str | None, source: str | None, reported: list[tuple[str, str, int]]
) -> None:
    """Icebeear's `DbUpdater` (reader 169): a Celery task runs `asyncio.run(db_updater.
    update_db_online())`, `db_updater = DbUpdater()` in the class's module, and the
    coroutine reaches the class's other coroutine methods through `self` (one handed to
    `asyncio.create_task`, on the same loop): the blocking calls in them block no
    request. A method the project names otherwise is reported."""
    files = {"app/etl/updater.py": UPDATER, "app/tasks.py": UPDATER_TASK}
    if name is not None and source is not None:
        files[name] = source
    root = project(tmp_path, **files)
    assert [f for f in findings(root) if f[0] == "updater.py"] == reported
