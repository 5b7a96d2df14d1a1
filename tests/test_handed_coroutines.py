"""FG304: a coroutine function handed to what calls it without `await` (a thread, a sync
APScheduler scheduler's job, a Celery task): measured first (`asyncio.to_thread`,
`threading.Thread`, `run_in_executor`, `BackgroundScheduler.add_job` and Celery's
`@app.task` each leave `coroutine ... was never awaited`; `AsyncIOScheduler` awaits)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import check_code, checked_package


def _fg304(source: str, project: tuple[tuple[str, str], ...] = ()) -> list[tuple[int, int]]:
    return [
        (f.start.row, f.start.column)
        for f in check_code(source, "app/jobs.py", project)
        if f.code == "FG304"
    ]


SCHEDULED = """
from apscheduler.schedulers.{module} import {cls}


scheduler = {cls}(timezone="UTC")


async def notify_deadlines() -> None: ...


def send_report() -> None: ...


def start() -> None:
    scheduler.add_job(notify_deadlines, "cron", hour=8)
    scheduler.add_job(send_report, "cron", hour=9)
    scheduler.add_job(func=notify_deadlines, trigger="interval", minutes=5)
    scheduler.start()
"""


@pytest.mark.parametrize(
    ("module", "cls", "found"),
    [
        ("background", "BackgroundScheduler", [(14, 23), (16, 28)]),
        ("blocking", "BlockingScheduler", [(14, 23), (16, 28)]),
        ("asyncio", "AsyncIOScheduler", []),
    ],
)
def test_a_coroutine_function_a_sync_scheduler_runs(
    module: str, cls: str, found: list[tuple[int, int]]
) -> None:
    """NathanC16's daily notifications (reader 154): `BackgroundScheduler` runs a job in a
    thread and drops the coroutine; `AsyncIOScheduler` awaits it; a sync job is a job."""
    assert _fg304(SCHEDULED.format(module=module, cls=cls)) == found


def test_the_message_says_what_drops_it_and_what_runs_it() -> None:
    findings = check_code(
        SCHEDULED.format(module="background", cls="BackgroundScheduler"), "app/jobs.py"
    )
    assert findings[0].message == (
        "`notify_deadlines` is an `async def` handed to a sync APScheduler scheduler's "
        "job, which calls it without `await`: each call only makes a coroutine, which is "
        "dropped, so nothing of `notify_deadlines` runs: schedule it on an "
        "`AsyncIOScheduler`, which awaits coroutine functions, or hand over a sync function"
    )


def test_a_scheduler_given_executors_or_bound_otherwise_is_left() -> None:
    source = """
    from apscheduler.executors.asyncio import AsyncIOExecutor
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(executors={"default": AsyncIOExecutor()})
    other = BackgroundScheduler()
    other = make_scheduler()


    async def job() -> None: ...


    def start(given) -> None:
        scheduler.add_job(job, "interval", seconds=5)
        other.add_job(job, "interval", seconds=5)
        given.add_job(job, "interval", seconds=5)
    """
    assert _fg304(source) == []


def test_a_local_scheduler_and_one_self_stores() -> None:
    """PetTechh's `AppointmentScheduler` stores its `BackgroundScheduler` on `self` and
    adds a method of its own."""
    source = """
    from apscheduler.schedulers.background import BackgroundScheduler


    class Reminders:
        def __init__(self) -> None:
            self.scheduler = BackgroundScheduler()

        async def check(self) -> None: ...

        def sync_check(self) -> None: ...

        def schedule(self) -> None:
            self.scheduler.add_job(self.check, "interval", minutes=30)
            self.scheduler.add_job(self.sync_check, "interval", minutes=30)


    async def tick() -> None: ...


    async def lifespan(app):
        scheduler = BackgroundScheduler()
        scheduler.add_job(tick, "interval", minutes=1)
        scheduler.start()
        yield
    """
    assert _fg304(source) == [(13, 32), (22, 23)]


def test_a_coroutine_function_run_in_a_thread() -> None:
    source = """
    import asyncio
    import threading
    from threading import Timer


    async def warm_cache() -> None: ...


    def build_index() -> None: ...


    async def start() -> None:
        threading.Thread(target=warm_cache, daemon=True).start()
        Timer(5.0, warm_cache).start()
        await asyncio.to_thread(warm_cache)
        await asyncio.get_running_loop().run_in_executor(None, warm_cache)
        threading.Thread(target=build_index).start()
        await asyncio.to_thread(build_index)
        threading.Thread(target=lambda: asyncio.run(warm_cache())).start()
    """
    assert _fg304(source) == [(13, 29), (14, 16), (15, 29), (16, 60)]


CELERY = """
from celery import Celery, shared_task

from app.decorators import sync_run_async

app = Celery("worker")


@app.task
async def send_sms(to: str) -> None: ...


@app.task(bind=True, max_retries=3)
async def send_mail(self, to: str) -> None: ...


@shared_task
async def cleanup() -> None: ...


@app.task
@sync_run_async
async def click(item_id: int) -> None: ...


@app.task
def sync_send(to: str) -> None: ...
"""


def test_an_async_def_made_a_celery_task() -> None:
    """FastShip's `@app.task async def send_sms` (reader 156): the task's result is the
    coroutine; a decorator under the task's makes it sync (wxhou's `sync_run_async`)."""
    findings = [f for f in check_code(CELERY, "app/worker.py") if f.code == "FG304"]
    assert [(f.start.row, f.start.column) for f in findings] == [(8, 1), (12, 1), (16, 1)]
    assert findings[0].message.startswith(
        "`send_sms` is an `async def` made a Celery task: Celery calls the task's function "
        "without `await`"
    )


def test_a_task_of_another_queue_is_left() -> None:
    """taskiq's and dramatiq's brokers await an `async def` task."""
    source = """
    from taskiq_redis import ListQueueBroker

    broker = ListQueueBroker("redis://localhost")


    @broker.task
    async def send_sms(to: str) -> None: ...
    """
    assert _fg304(source) == []


def _checked(root: Path, files: dict[str, str]) -> list[dict[str, Any]]:
    return [f for f in checked_package(root, files) if f["code"] == "FG304"]


def test_another_modules_coroutine_and_scheduler_and_celery_app(tmp_path: Path) -> None:
    """The coroutine function, the scheduler and the Celery app each of another module
    (the index answers): NathanC16's `main.py` imports its jobs from `core.notifications`;
    a worker module's tasks use the app `celery_app.py` makes. The module handing them
    over says no `async`."""
    notifications = (
        "async def notify_deadlines() -> None: ...\n\n\ndef send_report() -> None: ...\n"
    )
    scheduler = (
        "from apscheduler.schedulers.background import BackgroundScheduler\n\n"
        "scheduler = BackgroundScheduler()\n"
    )
    main = (
        "from app.notifications import notify_deadlines, send_report\n"
        "from app.scheduler import scheduler\n\n\n"
        "def start() -> None:\n"
        '    scheduler.add_job(notify_deadlines, "cron", hour=8)\n'
        '    scheduler.add_job(send_report, "cron", hour=9)\n'
    )
    celery_app = 'from celery import Celery\n\ncelery_app = Celery("worker")\n'
    broker = "from taskiq import InMemoryBroker\n\nbroker = InMemoryBroker()\n"
    tasks = (
        "from app.broker import broker\n"
        "from app.celery_app import celery_app\n\n\n"
        "@celery_app.task\n"
        "async def send_sms(to: str) -> None: ...\n\n\n"
        "@broker.task\n"
        "async def send_push(to: str) -> None: ...\n"
    )
    found = _checked(
        tmp_path,
        {
            "app/notifications.py": notifications,
            "app/scheduler.py": scheduler,
            "app/main.py": main,
            "app/celery_app.py": celery_app,
            "app/broker.py": broker,
            "app/tasks.py": tasks,
        },
    )
    assert [(Path(f["filename"]).name, f["location"]["row"]) for f in found] == [
        ("main.py", 6),
        ("tasks.py", 5),
    ]
