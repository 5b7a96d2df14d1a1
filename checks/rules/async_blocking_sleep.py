"""FG301: `time.sleep()` inside `async def`."""

from __future__ import annotations

from checks.context import FileContext, FixSpec
from checks.lazy import libcst as cst
from checks.prefilter import Evidence
from checks.rule import Example, FixExample, Rule
from checks.rules.async_blocking_io import blocking_helper, may_call_blocking_helper
from checks.rules.sqlalchemy_sessions import runs_its_own_loop
from checks.structure import Structure

#: What this rule looks for.
_SLEEP = frozenset({"time.sleep"})


class BlockingSleepInAsync(Rule):
    """`time.sleep` (under any alias) called directly in an `async def`."""

    code = "FG301"
    name = "blocking-sleep-in-async"
    family = "async"
    message = "`time.sleep()` blocks the event loop inside `async def`: use `await asyncio.sleep()`"
    summary = (
        "Checks for `time.sleep()` called in an `async def`, under any import form or "
        "alias; also a sync function of the same module, or a sync method called through "
        "`self`, whose own body calls it (no fix there), at its first call in each "
        "function.\n\n"
        "Where it applies: every layer but tests. A blocking call in an `async def` test or "
        "fixture does block the loop the test runs on, but that loop serves the test alone: "
        "the cost is the test's own time, and tests block on purpose (a fake dependency "
        "that hangs, a watchdog that must see the loop stall, a deadline that must pass). "
        "The service code they exercise is checked where it lives. Nor in development "
        "tooling (the `tooling` layer: scripts, examples, evals, benchmarks), whose event "
        "loop serves the one run of the tool, nor in a module that runs its own loop (a "
        "`__main__` guard and `asyncio.run(...)`, or a command-line program's commands "
        "calling `asyncio.run(...)` (typer, click, argparse), or a module of a `cli/` "
        "package (the helpers its commands await), or a module of Celery tasks "
        "(`@celery_app.task`, `@shared_task`: a worker runs the loop a task makes), or a "
        "module that makes a loop of its own (`asyncio.new_event_loop()`) and runs it "
        "(`run_until_complete`, `run_forever`: in a thread or a sync function, where no "
        "request's loop runs); no web framework imported: a cron job, a one-off "
        "migration, a CLI, a task), nor in the body of a module-level `async def` the "
        "module runs with `asyncio.run(main())` and names nowhere else (or an `async def` "
        "method it runs only so: `asyncio.run(self.observe())`), even where it "
        "imports a web framework for another mode (a terminal chat beside a `--server` "
        "option: the loop `asyncio.run` makes serves that coroutine), nor of one another "
        "module of the project runs so (`asyncio.run(collect())` in a Celery task, "
        "`loop.run_until_complete(...)`, `anyio.run(...)`) where no other module names it "
        "(awaited by a route, handed to a scheduler, in a string or by a star import; its "
        "tests aside) and no decorator wraps it; or an `async def` method of a "
        "module-level class so run through an instance its module makes once "
        "(`asyncio.run(db_updater.update_db_online())` of `db_updater = DbUpdater()`), "
        "and the class's other `async def` methods only such methods name, on `self` "
        "(a run of the whole project: a run of some files, the hooks', reads no other "
        "file to tell). Nor in "
        "start-up and shutdown code: a "
        "lifespan (an `@asynccontextmanager` named `*lifespan*` or taking the app) and an "
        '`@app.on_event("startup")`/`("shutdown")` handler run when no request is being '
        "served (waiting for the database before serving blocks nobody). Nor in a service "
        "on AWS Lambda alone: its dependencies name `mangum`, its code wraps the app in "
        "`Mangum(...)`, and no Dockerfile, Procfile, compose file or shell script at the "
        "top of the project (or of its sub-service) runs a server (`uvicorn`, `gunicorn`, "
        "`hypercorn`, `granian`, `daphne`, `fastapi run`, `python main.py`; even with "
        "`--reload`: the service may be served so): Lambda hands each environment one request "
        "at a time, so a blocking call delays only the request that makes it; unless the "
        "selection names the rule or the code is new (the edit hook). FG102, FG302 and "
        "FG303 apply alike."
    )
    fix = (
        "Safe fix: `time.sleep(x)` becomes `await asyncio.sleep(x)` where it is a whole "
        "statement, an assignment or a return value; `import asyncio` is added before the "
        "first import when the file lacks it. The import of `time` (or `from time import "
        "sleep`) the fix leaves unused is dropped with it, as ruff's F401 fix would."
    )
    why = (
        "An `async def` runs on the event loop thread: `time.sleep()` stops that thread, so "
        "every other request the worker serves waits too. `await asyncio.sleep()` suspends "
        "only the current task. A `def` nested in the coroutine, a lambda, and passing "
        "`time.sleep` as a function (`asyncio.to_thread(time.sleep, 1)`) are not flagged: "
        "they do not run on the loop by themselves."
    )
    bad = (
        Example(
            """
            import time


            async def poll_job(job_id: int) -> None:
                time.sleep(0.5)
            """
        ),
        Example(
            """
            import time


            def wait_for_replica(seconds: float) -> None:
                time.sleep(seconds)


            class Exporter:
                def backoff(self, attempt: int) -> None:
                    time.sleep(2**attempt)

                async def export(self) -> None:
                    wait_for_replica(1.0)
                    self.backoff(2)
            """,
            expect=2,
            note="a sync function or method of the module that sleeps (no fix)",
        ),
        Example(
            """
            import time as t
            from time import sleep as nap

            async def retry(op):
                for attempt in range(3):
                    try:
                        return await op()
                    except* ConnectionError:
                        t.sleep(attempt)
                match attempt:
                    case 2:
                        nap(1)
            """,
            expect=2,
            note="aliases, except*, match",
        ),
        Example(
            """
            import asyncio
            import time

            from fastapi import FastAPI

            app = FastAPI()


            async def refresh() -> None:
                time.sleep(1)


            @app.post("/refresh")
            async def refresh_now() -> None:
                await refresh()


            if __name__ == "__main__":
                asyncio.run(refresh())
            """,
            note="run by `asyncio.run`, and awaited by a route too: the server's loop waits",
        ),
        Example(
            """
            import time

            class Worker:
                async def run(self):
                    waits = [time.sleep(0) for _ in range(2)]
                    return waits
            """,
            note="a comprehension runs in the coroutine",
        ),
    )
    good = (
        Example(
            """
            import time
            from collections.abc import AsyncIterator
            from contextlib import asynccontextmanager

            from fastapi import FastAPI


            @asynccontextmanager
            async def lifespan(app: FastAPI) -> AsyncIterator[None]:
                while not app.state.database.ready():
                    time.sleep(0.5)
                yield
            """,
            note="start-up code: no request is being served yet",
        ),
        Example(
            """
            import asyncio
            import time


            async def add_submission_ids(project_ids: list[int]) -> None:
                for project_id in project_ids:
                    await backfill(project_id)
                    time.sleep(1)  # the remote API allows one call a second


            if __name__ == "__main__":
                asyncio.run(add_submission_ids([1, 2, 3]))
            """,
            path="src/migrations/archived/add_submission_ids.py",
            note="a one-off script that runs its own loop (fmtm's archived migration)",
        ),
        Example(
            """
            import asyncio
            import sys
            import time

            import uvicorn
            from fastapi import FastAPI

            app = FastAPI()


            async def main() -> None:
                print("Welcome")
                time.sleep(1)
                answer = input("> ")
                print(answer)


            if __name__ == "__main__":
                if "--server" in sys.argv:
                    uvicorn.run(app)
                else:
                    asyncio.run(main())
            """,
            note="the coroutine `asyncio.run` is given, in a module that also serves "
            "(open-interpreter's terminal chat): its loop serves that coroutine alone",
        ),
        Example(
            """
            import time


            async def launch_frontend(process) -> None:
                process.start()
                time.sleep(1)
            """,
            path="examples/guides/start_local_ui.py",
            note="development tooling: an example's loop serves its one run",
        ),
        Example(
            """
            import asyncio


            async def poll_job(job_id: int) -> None:
                await asyncio.sleep(0.5)
            """
        ),
        Example(
            """
            import asyncio
            import time

            async def pause() -> None:
                await asyncio.to_thread(time.sleep, 1)

            async def outer() -> None:
                def blocking_helper() -> None:
                    time.sleep(1)

                callback = lambda: time.sleep(1)
                await asyncio.to_thread(blocking_helper)

            def sync_job() -> None:
                time.sleep(1)
            """,
            note="passed as a function, nested def, lambda, sync function",
        ),
        Example(
            """
            import asyncio
            from asyncio import sleep

            async def tick(clock) -> None:
                await sleep(1)
                clock.sleep(1)
            """,
            note="asyncio's sleep and an unrelated sleep method",
        ),
        Example(
            """
            import asyncio
            import time


            async def test_watchdog_reports_a_stalled_loop(watchdog) -> None:
                time.sleep(0.5)  # stall the loop on purpose
                await asyncio.sleep(0)
                assert watchdog.stalls == 1
            """,
            path="tests/test_watchdog.py",
            note="a test that blocks on purpose",
        ),
    )
    fixes = (
        FixExample(
            """
            import time


            async def poll_job(job_id: int) -> None:
                time.sleep(0.5)
            """,
            """
            import asyncio


            async def poll_job(job_id: int) -> None:
                await asyncio.sleep(0.5)
            """,
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has("async") and evidence.has("sleep")

    def may_fire_in(self, structure: Structure) -> bool:
        # `visit_Call`: `time.sleep` called in an `async def`
        if structure.layer in ("test", "tooling"):
            return False
        return any(structure.calls_to(_SLEEP, in_async=True)) or may_call_blocking_helper(
            structure, _SLEEP
        )

    def visit_Expr(self, node: cst.Expr, ctx: FileContext) -> None:
        ctx.marks(self.code).add(id(node.value))

    def visit_Assign(self, node: cst.Assign, ctx: FileContext) -> None:
        ctx.marks(self.code).add(id(node.value))

    def visit_Return(self, node: cst.Return, ctx: FileContext) -> None:
        if node.value is not None:
            ctx.marks(self.code).add(id(node.value))

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        if ctx.layer in ("test", "tooling"):
            return
        if ctx.runs_before_serving:
            return  # start-up or shutdown: no request waits on it
        if not ctx.in_async_function or runs_its_own_loop(ctx):
            return  # a script that runs its own loop (`asyncio.run` under `__main__`)
        if ctx.qualified_name(node.func) == "time.sleep":
            fixable = ctx.can_await and id(node) in ctx.marks(self.code)
            fix = self._fix(node, ctx) if fixable else None
            ctx.report(node, fix=fix)
            return
        helper = blocking_helper(node, ctx, _SLEEP, self.code)
        if helper is not None:
            ctx.report(
                node,
                f"`{helper[0]}()` calls {helper[2]}, which blocks the event loop inside "
                f"`async def`: use `await asyncio.sleep()` there, or `await "
                f"asyncio.to_thread({helper[0]}, ...)`",
            )

    @staticmethod
    def _fix(node: cst.Call, ctx: FileContext) -> FixSpec | None:
        """`time.sleep(x)` -> `await asyncio.sleep(x)`, importing asyncio if needed. Only
        for a whole statement, assignment or return value, where `await` needs no
        parentheses."""
        found = ctx.import_module("asyncio")
        if found is None:
            return None  # the name means something else here
        alias, insertion = found
        replacements: list[tuple[cst.CSTNode, str]] = [insertion] if insertion else []
        # replace only the callee: the arguments keep their text, comments and layout
        replacements.append((node.func, f"await {alias}.sleep"))
        # `time` (or `from time import sleep`) may be left unused: the fixer drops it then
        head = node.func
        while isinstance(head, cst.Attribute):
            head = head.value
        releases = (head.value,) if isinstance(head, cst.Name) else ()
        return FixSpec("Use `await asyncio.sleep()`", tuple(replacements), releases=releases)
