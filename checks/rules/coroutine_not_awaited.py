"""FG304: a coroutine function called without `await`, its coroutine dropped, tested or iterated."""

from __future__ import annotations

import ast
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from checks.context import (
    FileContext,
    FixSpec,
    code_of,
    conjoin,
    descendants,
    own_descendants,
)
from checks.coroutines import Coroutines, read_coroutines
from checks.lazy import libcst as cst
from checks.newer_syntax import plain_parse
from checks.prefilter import Evidence
from checks.project import COROUTINE, INSTANCE, TASK_RUNNERS, Condition
from checks.rule import Example, FixExample, Rule
from checks.structure import Structure
from checks.structure import dotted_name as ast_dotted_name


class CoroutineNotAwaited(Rule):
    """An `async def` of the module (or of the caller's class, through `self`) called as a
    statement without `await`."""

    code = "FG304"
    name = "coroutine-not-awaited"
    family = "async"
    message = (
        "`{callee}()` is an `async def` called without `await`: the call only makes a "
        "coroutine, which is dropped, so nothing of `{name}` runs: `await {callee}(...)`"
    )
    module_message = (
        "`{callee}()` is an `async def` called without `await` at module level: the call "
        "only makes a coroutine, which is dropped, so nothing of `{name}` runs: "
        "`asyncio.run({callee}(...))`"
    )
    sync_message = (
        "`{callee}()` is an `async def` called without `await` in sync code: the "
        "call only makes a coroutine, which is dropped, so nothing of `{name}` runs: make "
        "the caller `async def` and await it, or schedule it on the running loop "
        "(`asyncio.create_task`, keeping a reference to the task)"
    )
    #: added to `sync_message` when the coroutine function awaits nothing itself
    idle_hint = (
        "; or, as `{name}` awaits nothing, declare it `def` (then every `await` of it "
        "elsewhere goes too)"
    )
    #: a call in a condition (`if not self.exists(item_id):`): the coroutine is true
    condition_message = (
        "`{callee}()` is an `async def` called without `await` in a condition: the call "
        "only makes a coroutine, which is always true, so the test never sees what "
        "`{name}` returns and nothing of it runs: `await {callee}(...)`"
    )
    #: a coroutine returned from an `async def` (`return service.get_all(...)`)
    returned_message = (
        "`{callee}()` is an `async def` returned without `await` from an `async def`: "
        "whoever awaits this function gets the coroutine, not what `{name}` returns (a "
        "route's response cannot be serialized), and nothing of it runs: "
        "`return await {callee}(...)`"
    )
    #: ...of the function itself (a route calling itself for the helper it meant)
    itself_message = (
        "`{callee}()` is this `async def` itself, called without `await`: its result is "
        "a coroutine (a route's response cannot be serialized), and awaiting it would "
        "call itself without end: call the function meant (an import of another name?)"
    )
    #: a coroutine assigned to a name the function then reads as the result
    #: (`article = self.get_article(id)`, then `if article:` or `article.title`)
    assigned_message = (
        "`{callee}()` is an `async def` called without `await`: `{target}` holds the "
        "coroutine, not what `{name}` returns, and {use}: `{target} = await {callee}(...)`"
    )
    #: a coroutine iterated (`for r in crud.get_roles(db, pk)`): a `TypeError`
    iterated_message = (
        "`{callee}()` is an `async def` called without `await` and iterated: a coroutine "
        "is not iterable (`TypeError`), so nothing of `{name}` runs: "
        "`for ... in await {callee}(...)`"
    )
    comprehension_message = (
        "`{callee}()` is an `async def` called in a comprehension whose result is dropped: "
        "each call only makes a coroutine, so nothing of `{name}` runs: "
        "`await asyncio.gather(*({callee}(...) for ...))`, or await each in a loop"
    )
    #: a coroutine function handed to what calls it without `await` (a thread, a sync
    #: scheduler's job): `{api}` says which, `{instead}` what runs it
    handed_message = (
        "`{callee}` is an `async def` handed to {api}, which calls it without `await`: "
        "each call only makes a coroutine, which is dropped, so nothing of `{name}` runs: "
        "{instead}"
    )
    thread_instead = (
        "await it on the loop (`await {callee}(...)`, or `asyncio.create_task`), or hand "
        "over a sync function"
    )
    scheduler_instead = (
        "schedule it on an `AsyncIOScheduler`, which awaits coroutine functions, or hand "
        "over a sync function"
    )
    celery_message = (
        "`{name}` is an `async def` made a Celery task: Celery calls the task's function "
        "without `await`, so each run only makes a coroutine, which is dropped (the task's "
        "result is the coroutine object), and nothing of `{name}` runs: make the task a "
        "`def` that runs it (`asyncio.run(...)`)"
    )
    summary = (
        "Checks for a coroutine function called as a whole statement, or as "
        "the element of a list or set comprehension that is a whole statement, or in the "
        "test of an `if`, `elif`, `while`, `assert` or conditional expression (alone, under "
        "`not`, or an operand of `and`/`or`: a coroutine is always true), or as what a "
        "`for` or a comprehension iterates (a coroutine is not iterable: `TypeError`), or "
        "returned from an `async def` (whoever awaits it gets the coroutine, not the "
        "result; a call of the function itself, returned or bound and read, is told so, "
        "without a fix: awaiting it would call itself without end), "
        "without `await`: a module-level `async def` whose name nothing else in its module "
        "binds (or only other `def`s of its module's body above it, which it replaces), "
        "called by name in its module or imported from it (`from app.mail import "
        "notify`, or `mail.notify(...)`: the project index reads the other module); an "
        "`async def` method of a module-level instance (`repo = Repo()`, bound once), in its "
        "module or imported from it (`curd_user.get_roles(...)`), or of an instance made "
        "for the call (`BookingsService(db).get_all()`, its class of another module); or, "
        "through the method's "
        "first parameter (`self.notify(...)`), an `async def` "
        "method of the caller's class that nothing else in the class body binds and no "
        "attribute of that name is stored in the module. An async generator (an `async "
        "def` that yields) and a function with a decorator other than tenacity's or "
        "backoff's retries, `override`, `staticmethod` and `classmethod` are left: a "
        "decorator may make the call something else (a task queue's `@task` enqueues "
        "it). A coroutine function handed to what calls it without `await` is reported "
        "too, where the function is one of those above (or of another module, the index "
        "asked): the `target` of `threading.Thread`, the function of `threading.Timer`, "
        "`asyncio.to_thread` or `run_in_executor`, a job added to APScheduler's "
        "`BackgroundScheduler` or `BlockingScheduler` (`add_job`, or `@scheduled_job` on "
        "the `async def`; bound once in the module, the function or on `self`, or a "
        "module-level one of another module; not one given `executors`), and an `async "
        "def` whose innermost decorator makes it a Celery task (`@app.task` of a "
        "`Celery` app, `@shared_task`): each runs the function in a thread or a worker "
        "and drops the coroutine (APScheduler's `AsyncIOScheduler`, Starlette's "
        "`BackgroundTasks`, taskiq's and arq's workers await it). "
        "A call whose coroutine is kept (returned from a sync `def`, a wrapper's, "
        "passed to `asyncio.create_task` "
        "or `gather`, put in a container) is not this rule's; one assigned to a name in an "
        "`async def` is, when the function never awaits nor hands on that name and reads "
        "it as the result: an attribute other than a coroutine's own (`article.title`), "
        "an item, an iteration, or a test (`if article:`: always true), or returns it, "
        "as it is (`return article`) or, from a route, in its response (`return "
        "{'hotel': hotel}`, which cannot be serialized); a module's or its class's "
        "coroutine function there, not another module's.\n\n"
        "Where it applies: everywhere, tests included (a test that drops the coroutine "
        "of what it means to exercise passes without running it). FG103 reports the same "
        "mistake for an `AsyncSession`'s methods."
    )
    why = (
        "Calling an `async def` runs none of its body: it returns a coroutine, which "
        "runs only when awaited or scheduled. Dropped, it is garbage: the write, the "
        "notification or the clean-up never happens, the request still succeeds, and "
        "Python only warns (`RuntimeWarning: coroutine ... was never awaited`) when the "
        "coroutine is collected, in a log nobody ties to the call."
    )
    bad = (
        Example(
            """
            from app.db import Database


            async def delete_chat(db: Database, chat_id: str) -> None:
                await db.execute("DELETE FROM chats WHERE id = $1", chat_id)


            async def delete_all_chats(db: Database, chat_ids: list[str]) -> None:
                for chat_id in chat_ids:
                    delete_chat(db, chat_id)
            """
        ),
        Example(
            """
            class Researcher:
                async def _log_event(self, kind: str, **details: object) -> None:
                    await self.log_handler.send(kind, details)

                def add_costs(self, cost: float) -> None:
                    self.costs += cost
                    self._log_event("research", cost=cost)
            """,
            note="a sync method drops the coroutine of its class's `async def` (gpt-researcher)",
        ),
        Example(
            """
            class ArticleRepository:
                async def get_article(self, article_id: int) -> Article | None:
                    return await self.db.get(Article, article_id)

                async def delete_article(self, article_id: int) -> Article | None:
                    article = self.get_article(article_id)
                    if article:
                        await self.db.delete(article)
                        await self.db.commit()
                    return article
            """,
            note="the coroutine assigned, then tested as the row: always true",
        ),
        Example(
            """
            from fastapi import APIRouter

            router = APIRouter()


            @router.delete("/chats/{chat_id}")
            async def delete_chat(chat_id: str) -> None: ...


            @router.delete("/chats")
            async def delete_all(chat_ids: list[str]) -> bool:
                [delete_chat(chat_id) for chat_id in chat_ids]
                return True
            """,
            note="a route's coroutines dropped in a comprehension (serge's "
            "`DELETE /chat/delete/all`): FastAPI's decorator returns the function",
        ),
        Example(
            """
            from alembic import context


            async def run_migrations_offline() -> None:
                context.configure(url="postgresql://app@db/app", literal_binds=True)
                with context.begin_transaction():
                    context.run_migrations()


            if context.is_offline_mode():
                run_migrations_offline()
            """,
            path="app/migrations/env.py",
            note="at module level: `alembic upgrade --sql` writes nothing (lcfs)",
        ),
        Example(
            """
            import tenacity


            class PolicyStore:
                @tenacity.retry(stop=tenacity.stop_after_attempt(3))
                async def set_policy(self, policy_id: str, code: str) -> None: ...

                async def full_import(self, policies: dict[str, str]) -> None:
                    for policy_id, code in policies.items():
                        self.set_policy(policy_id, code)
            """,
            note="a retry decorator keeps it a coroutine function",
        ),
        Example(
            """
            from fastapi import APIRouter

            router = APIRouter()


            class BookingsService:
                def __init__(self, db: DB) -> None:
                    self.db = db

                async def get_all_bookings(self) -> list[Booking]:
                    return await self.db.bookings.get_all()


            @router.get("/bookings")
            async def get_all_bookings(db: DBDep) -> list[Booking]:
                return BookingsService(db).get_all_bookings()
            """,
            note="returned from an async route, of an instance made for the call: FastAPI "
            "gets a coroutine to serialize (Xol3pa's, reader 114)",
        ),
        Example(
            """
            from apscheduler.schedulers.background import BackgroundScheduler

            scheduler = BackgroundScheduler()


            async def notify_deadlines() -> None: ...


            def start_jobs() -> None:
                scheduler.add_job(notify_deadlines, "cron", hour=8)
                scheduler.start()
            """,
            note="handed to a sync scheduler, which calls it in a thread: the daily "
            "notifications never run (NathanC16's, reader 154)",
        ),
    )
    good = (
        Example(
            """
            from app.db import Database


            async def delete_chat(db: Database, chat_id: str) -> None:
                await db.execute("DELETE FROM chats WHERE id = $1", chat_id)


            async def delete_all_chats(db: Database, chat_ids: list[str]) -> None:
                for chat_id in chat_ids:
                    await delete_chat(db, chat_id)
            """
        ),
        Example(
            """
            import asyncio

            background: set[asyncio.Task[None]] = set()


            async def notify(user_id: int) -> None: ...


            async def sign_up(user_id: int) -> None:
                task = asyncio.create_task(notify(user_id))
                background.add(task)
                pending = notify(user_id)
                await pending
                await asyncio.gather(*[notify(i) for i in range(3)])
            """,
            note="the coroutine is kept: scheduled, assigned, gathered",
        ),
        Example(
            """
            async def notify(user_id: int) -> None: ...


            def notify_later(user_id: int):
                return notify(user_id)
            """,
            note="a sync wrapper hands the coroutine on to its caller",
        ),
        Example(
            """
            from huey import RedisHuey

            huey = RedisHuey()


            @huey.task()
            async def import_table(name: str) -> None: ...


            def start_import(name: str) -> None:
                import_table(name)
            """,
            note="a decorator may make the call something else (a task queue enqueues it)",
        ),
        Example(
            """
            from app.cache import cache


            @cache.get("users")
            async def load_users() -> list[str]: ...


            def warm() -> None:
                load_users()
            """,
            note="a route-shaped decorator in a module that imports no web framework",
        ),
        Example(
            """
            async def rows(query: str):
                yield query


            def handler(query: str) -> None:
                rows(query)
            """,
            note="an async generator: left (calling one runs nothing either, but "
            "Python says nothing of it, and neither does this rule)",
        ),
        Example(
            """
            async def refresh() -> None: ...


            def schedule(refresh) -> None:
                refresh()
            """,
            note="the name is bound again (a parameter): which function it holds is not known",
        ),
        Example(
            """
            class Base:
                async def close(self) -> None: ...


            class Sync(Base):
                def close(self) -> None: ...

                def stop(self) -> None:
                    self.close()
            """,
            note="the caller's class defines it sync",
        ),
        Example(
            """
            import asyncio


            async def fetch(url: str) -> dict[str, str]: ...


            async def profile(movie_id: int) -> tuple[str, str]:
                detailed = fetch(f"/movie/{movie_id}")
                keywords = fetch(f"/movie/{movie_id}/keywords")
                detailed, keywords = await asyncio.gather(detailed, keywords)
                return detailed["title"], keywords["id"]
            """,
            note="coroutines handed to `gather`, their names bound again to its results "
            "(hagmannStephan's, reader 109): what is read is the result",
        ),
        Example(
            """
            from apscheduler.schedulers.asyncio import AsyncIOScheduler

            scheduler = AsyncIOScheduler()


            async def notify_deadlines() -> None: ...


            async def start_jobs() -> None:
                scheduler.add_job(notify_deadlines, "cron", hour=8)
                scheduler.start()
            """,
            note="an `AsyncIOScheduler`, started on the running loop, awaits each job",
        ),
    )
    fix = (
        "Unsafe fix (`--unsafe-fixes`): adds `await` before the call when it is a whole "
        "statement in an `async def`. Unsafe because the call now runs: what the code "
        "never did (a write, a message) it now does. No fix in a sync function or a "
        "comprehension: making the caller async, or gathering the coroutines, is a "
        "decision about the caller."
    )
    fixes = (
        FixExample(
            """
            async def notify(user_id: int) -> None: ...


            async def sign_up(user_id: int) -> None:
                notify(user_id)
            """,
            """
            async def notify(user_id: int) -> None: ...


            async def sign_up(user_id: int) -> None:
                await notify(user_id)
            """,
            unsafe=True,
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has("async", *_HANDING_WORDS)

    def may_fire_in(self, structure: Structure) -> bool:
        return self._local_may_fire(structure) or bool(_project_callees(structure))

    def deferred_conditions(self, structure: Structure) -> tuple[Condition, ...] | None:
        # without a call of the module's own coroutine functions, every finding here is
        # one of a function another module defines (or a method of a module-level
        # instance), which the index reads (`_project_coroutine`)
        if self._local_may_fire(structure):
            return None
        return (
            Condition(tuple(sorted(_project_callees(structure))), frozenset(), subject=COROUTINE),
        )

    def _local_may_fire(self, structure: Structure) -> bool:
        if _may_hand(structure):
            return True  # `visit_Call`'s and `visit_FunctionDef`'s (few files have one)
        # `_called`: a call whose result is dropped (a statement, or a comprehension's
        # element as one), assigned, tested, iterated or returned, of a module-level
        # `async def` by its name, or of an `async def` of the class whose method
        # (`ctx.function.owner`) calls it on its first parameter
        dropped = {id(call) for call in structure.bare_calls}
        dropped.update(id(call) for call in structure.dropped_comprehension_calls)
        dropped.update(id(call) for call in structure.tested_calls)
        dropped.update(id(call) for call in structure.iterated_calls)
        dropped.update(
            id(statement.value)
            for statement in structure.returns
            if isinstance(statement.value, ast.Call)
        )
        if not dropped:
            return False
        functions = {
            node.name for node in structure.tree.body if isinstance(node, ast.AsyncFunctionDef)
        }
        async_methods = {
            node.name: {item.name for item in node.body if isinstance(item, ast.AsyncFunctionDef)}
            for node in structure.tree.body
            if isinstance(node, ast.ClassDef)
        }
        for call in structure.calls:
            if id(call.node) not in dropped:
                continue
            func = call.node.func
            if isinstance(func, ast.Name):
                if func.id in functions:
                    return True
            elif (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Call)
                and isinstance(func.value.func, ast.Name)
            ):
                # `return Service(db).list()` of a class of the module (`_called`)
                if func.attr in async_methods.get(func.value.func.id, ()):
                    return True
            elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                method = call.enclosing
                if method is None or not isinstance(
                    method.node, ast.FunctionDef | ast.AsyncFunctionDef
                ):
                    continue
                owner = method.outer
                if owner is None or not isinstance(owner.node, ast.ClassDef):
                    continue
                params = [*method.node.args.posonlyargs, *method.node.args.args]
                if (
                    params
                    and params[0].arg == func.value.id
                    and func.attr
                    in {
                        item.name
                        for item in owner.node.body
                        if isinstance(item, ast.AsyncFunctionDef)
                    }
                ):
                    return True
        return False

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        # a coroutine function handed to a thread or a sync scheduler (NathanC16's
        # `BackgroundScheduler().add_job(check_and_notify_async, "cron", ...)`, reader 154:
        # the daily notifications never run)
        handed = _thread_caller(node, ctx)
        instead = self.thread_instead
        scheduler: Condition | bool = True
        if (
            handed is None
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "add_job"
        ):
            scheduler = _instance_of(node.func.value, ctx, _SYNC_SCHEDULERS)
            if scheduler is False:
                return
            handed = _argument(node, 0, "func", "a sync APScheduler scheduler's job")
            instead = self.scheduler_instead
        if handed is None:
            return
        api, function = handed
        coroutine = _coroutine_function(function, ctx)
        if coroutine is None:
            return
        name, asked = coroutine
        callee = code_of(function)
        message = self.handed_message.format(
            callee=callee, name=name, api=api, instead=instead.format(callee=callee)
        )
        if isinstance(scheduler, Condition):
            asked = scheduler if asked is None else conjoin(asked, scheduler)
        if asked is None:
            ctx.report(function, message)
        else:
            ctx.report_if(function, asked, message)

    def visit_FunctionDef(self, node: cst.FunctionDef, ctx: FileContext) -> None:
        # an `async def` a Celery task or a sync scheduler's job runs (FastShip's `@app.task
        # async def send_sms`, reader 156: no text message is ever sent); the innermost
        # decorator only, as the others take what it makes
        if node.asynchronous is None or not node.decorators:
            return
        decorator = node.decorators[-1]
        target = decorator.decorator
        if isinstance(target, cst.Call):
            target = target.func
        name = node.name.value
        asked: Condition | bool = False
        message = self.celery_message.format(name=name)
        if ctx.qualified_name(target) in _SHARED_TASK:
            asked = True
        elif isinstance(target, cst.Attribute) and target.attr.value == "task":
            asked = _instance_of(target.value, ctx, _CELERY)
        elif isinstance(target, cst.Attribute) and target.attr.value == "scheduled_job":
            asked = _instance_of(target.value, ctx, _SYNC_SCHEDULERS)
            message = self.handed_message.format(
                callee=name,
                name=name,
                api="a sync APScheduler scheduler's job",
                instead=self.scheduler_instead,
            )
        if asked is True:
            ctx.report(decorator, message)
        elif isinstance(asked, Condition):
            ctx.report_if(decorator, asked, message)

    def visit_Expr(self, node: cst.Expr, ctx: FileContext) -> None:
        value = node.value
        if isinstance(value, cst.Call):
            self._called(value, ctx, comprehension=False)
        elif isinstance(value, cst.ListComp | cst.SetComp) and isinstance(value.elt, cst.Call):
            self._called(value.elt, ctx, comprehension=True)

    def visit_If(self, node: cst.If, ctx: FileContext) -> None:
        self._tested(node.test, ctx)

    def visit_For(self, node: cst.For, ctx: FileContext) -> None:
        if node.asynchronous is None and isinstance(node.iter, cst.Call):
            self._called(node.iter, ctx, comprehension=False, iterated=True)

    def visit_CompFor(self, node: cst.CompFor, ctx: FileContext) -> None:
        if node.asynchronous is None and isinstance(node.iter, cst.Call):
            self._called(node.iter, ctx, comprehension=False, iterated=True)

    def visit_While(self, node: cst.While, ctx: FileContext) -> None:
        self._tested(node.test, ctx)

    def visit_Assert(self, node: cst.Assert, ctx: FileContext) -> None:
        self._tested(node.test, ctx)

    def visit_IfExp(self, node: cst.IfExp, ctx: FileContext) -> None:
        self._tested(node.test, ctx)

    def visit_Return(self, node: cst.Return, ctx: FileContext) -> None:
        # `return BookingsService(db).get_all_bookings()` in an async route (Xol3pa,
        # reader 114: FastAPI serializes the coroutine, a 500 on every call); from a sync
        # `def`, a coroutine returned is a wrapper's, handed on
        if ctx.in_async_function and isinstance(node.value, cst.Call):
            self._called(node.value, ctx, comprehension=False, returned=True)

    def visit_Assign(self, node: cst.Assign, ctx: FileContext) -> None:
        # `article = self.get_article(article_id)` then `if article:` (vinodvpillai's
        # repository, reader 66: the update and delete routes fail on every call)
        if not (
            ctx.in_async_function
            and len(node.targets) == 1
            and isinstance(node.targets[0].target, cst.Name)
            and isinstance(node.value, cst.Call)
        ):
            return
        target = node.targets[0].target.value
        self._called(node.value, ctx, comprehension=False, assigned=target)

    def _tested(self, test: cst.BaseExpression, ctx: FileContext) -> None:
        """The calls whose truth a test takes: the test itself, under `not`, or an operand
        of `and`/`or` (`if not self.exists(id) or force:`)."""
        pending = [test]
        while pending:
            expression = pending.pop()
            if isinstance(expression, cst.UnaryOperation) and isinstance(
                expression.operator, cst.Not
            ):
                pending.append(expression.expression)
            elif isinstance(expression, cst.BooleanOperation):
                pending.extend((expression.left, expression.right))
            elif isinstance(expression, cst.Call):
                self._called(expression, ctx, comprehension=False, condition=True)

    def _called(
        self,
        call: cst.Call,
        ctx: FileContext,
        *,
        comprehension: bool,
        condition: bool = False,
        assigned: str | None = None,
        iterated: bool = False,
        returned: bool = False,
    ) -> None:
        """Report a call of the module's or the class's coroutine function whose coroutine
        is dropped, tested, iterated, returned from an `async def`, or (`assigned`: the
        name it is bound to) read as its result; or of another module's
        (`_project_coroutine`), the index's answer asked."""
        func = call.func
        # another module's (not for a call assigned: reading how the function uses each
        # name bound to an imported call took a tenth of a cold run)
        project = _project_coroutine(func, ctx) if assigned is None else None
        if project is not None:
            # another module's coroutine function, or a method of a module-level instance:
            # the index reads whether it is one (`checks.coroutines.exported_coroutines`)
            self._report(
                call,
                ctx,
                project.rpartition(".")[2],
                Condition((project,), frozenset(), subject=COROUTINE),
                comprehension=comprehension,
                condition=condition,
                assigned=assigned,
                iterated=iterated,
                returned=returned,
            )
            return
        if isinstance(func, cst.Name):
            name = func.value
            # a name the module defines with `def` (libcst's tree says it without
            # CPython's): only then is the source read for its bindings
            if name not in ctx.module_functions():
                return
            coroutines = _coroutines(ctx)
            if coroutines is None or name not in coroutines.functions:
                return
            key = name
        elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            name = func.attr.value
            function = ctx.function
            if (
                function is None
                or function.owner is None
                or name not in function.owner.methods
                or not isinstance(function.node, cst.FunctionDef)
                or func.value.value != _first_parameter(function.node)
            ):
                return
            coroutines = _coroutines(ctx)
            if coroutines is None or name not in coroutines.methods.get(
                function.owner.name, frozenset()
            ):
                return
            key = f"{function.owner.name}.{name}"
        elif (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Call)
            and isinstance(func.value.func, cst.Name)
        ):
            # `return BookingsService(db).get_all_bookings()` (or the call dropped, tested,
            # iterated), the class the module's own (another module's is
            # `_project_coroutine`'s): a name no import nor function around binds
            cls = func.value.func.value
            name = func.attr.value
            if cls in ctx.imports or ctx.shadowed(cls):
                return
            coroutines = _coroutines(ctx)
            if coroutines is None or name not in coroutines.methods.get(cls, frozenset()):
                return
            key = f"{cls}.{name}"
        else:
            return
        idle = key in coroutines.idle
        self._report(
            call,
            ctx,
            name,
            None,
            comprehension=comprehension,
            condition=condition,
            assigned=assigned,
            iterated=iterated,
            returned=returned,
            idle=idle,
        )

    def _report(
        self,
        call: cst.Call,
        ctx: FileContext,
        name: str,
        asked: Condition | None,
        *,
        comprehension: bool,
        condition: bool,
        assigned: str | None,
        iterated: bool = False,
        returned: bool = False,
        idle: bool = False,
    ) -> None:
        """The finding on a dropped, tested or misread coroutine of `name`'s function
        (`asked`: the index's answer it stands on, for another module's)."""
        func = call.func
        callee = code_of(func)
        if assigned is not None:
            # the function's body is walked only for a call of a coroutine function
            use = _read_as_a_result(assigned, ctx)
            if use is None:
                return
            message = self.assigned_message.replace("{target}", assigned).replace("{use}", use)
            if _calls_itself(func, ctx):
                # (aidan138's `create_manager` route: `manager = create_manager(mg, db)`,
                # meant for the crud module's, then `return manager`)
                message = self.itself_message
        elif comprehension:
            message = self.comprehension_message
        elif returned and _calls_itself(func, ctx):
            # (HST-inc's `sign_in_by_token` route returning `sign_in_by_token(token)`,
            # meant for the service's `signin_by_token`: reader 176)
            message = self.itself_message
        elif returned:
            message = self.returned_message
        elif iterated:
            message = _in_sync_code(
                self.iterated_message, ctx, "for ... in await {callee}(...)", "iterate"
            )
        elif condition:
            message = _in_sync_code(self.condition_message, ctx, "await {callee}(...)", "")
        elif ctx.in_async_function:
            message = self.message
        elif ctx.function is None and ctx.enclosing_class is None:
            message = self.module_message
        else:
            message = self.sync_message
            if idle:
                message += self.idle_hint
        fix = None
        if (
            not comprehension
            and ctx.can_await
            and "\n" not in callee
            and message != self.itself_message
        ):
            fix = FixSpec("Add `await`", ((func, f"await {callee}"),), applicability="unsafe")
        if asked is None:
            ctx.report(call, message.format(callee=callee, name=name), fix=fix)
        else:
            ctx.report_if(call, asked, message.format(callee=callee, name=name), fix)


def _calls_itself(func: cst.BaseExpression, ctx: FileContext) -> bool:
    """Whether the call is of the function it is in: its name, at module level, or
    `self.name`/`cls.name` in a method of that name."""
    function = ctx.function
    if function is None or not isinstance(function.node, cst.FunctionDef):
        return False
    name = function.node.name.value
    if isinstance(func, cst.Name):
        return function.owner is None and func.value == name
    return (
        isinstance(func, cst.Attribute)
        and func.attr.value == name
        and isinstance(func.value, cst.Name)
        and func.value.value in ("self", "cls")
        and function.owner is not None
    )


#: what a coroutine object has: a name read through one of these may be used as one
_COROUTINE_ATTRIBUTES = frozenset(
    {"send", "throw", "close", "cr_await", "cr_code", "cr_frame", "cr_running", "cr_origin"}
)


def _read_as_a_result(name: str, ctx: FileContext) -> str | None:
    """How the enclosing function reads `name` as a value rather than a coroutine (an
    attribute that no coroutine has, an item, an iteration, a test), said for the
    message; None when it never does, or when it awaits the name (`await article`), or
    binds it more than once (`task = asyncio.create_task(task)`: what is read may be the
    other value). Handing it on decides nothing: a coroutine tested or read as a row is
    the mistake whatever else receives it (`if article: setattr(article, ...)`). Reads
    are the function's own (a nested function's `article` is its own); an `await` or a
    binding anywhere inside it counts."""
    function = ctx.function
    if function is None:
        return None
    uses = ctx.stash(f"FG304.uses:{id(function.node)}")  # one walk of each function
    if not uses:
        awaited: set[str] = set()
        bound: Counter[str] = Counter()
        read: dict[str, str] = {}
        returns: dict[str, str] = {}
        for node in descendants(function.node.body):
            if isinstance(node, cst.Await) and isinstance(node.expression, cst.Name):
                awaited.add(node.expression.value)
            elif isinstance(node, cst.AssignTarget | cst.AnnAssign | cst.AugAssign | cst.For):
                # also an element of a tuple bound (`a, b = await asyncio.gather(a, b)`:
                # hagmannStephan's coroutines handed to `gather`, reader 109)
                for bound_name in _bound_names(node.target):
                    bound[bound_name] += 1
            elif isinstance(node, cst.AsName):
                for bound_name in _bound_names(node.name):
                    bound[bound_name] += 1
            elif isinstance(node, cst.NamedExpr) and isinstance(node.target, cst.Name):
                bound[node.target.value] += 1
        for node in own_descendants(function.node.body):
            if isinstance(node, cst.Return) and node.value is not None and function.is_async:
                # returned as it is, as `return service.get(...)` is; or in a route's
                # response (vladikhub's `hotel = HotelService(db).get_hotel(...)`, then
                # `return {"hotel": hotel}`: a 500 on every request, reader 175)
                # (said only where nothing else reads it: a test or an attribute says more)
                if isinstance(node.value, cst.Name):
                    returns.setdefault(
                        node.value.value,
                        f"`return {node.value.value}` gives the caller the coroutine",
                    )
                elif function.is_route:
                    for returned in _displayed_names(node.value):
                        returns.setdefault(
                            returned,
                            f"the route's response holds `{returned}`, which cannot be serialized",
                        )
            elif isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
                if node.attr.value not in _COROUTINE_ATTRIBUTES:
                    read.setdefault(
                        node.value.value,
                        f"`{node.value.value}.{node.attr.value}` raises `AttributeError`",
                    )
            elif isinstance(node, cst.Subscript) and isinstance(node.value, cst.Name):
                read.setdefault(node.value.value, f"`{node.value.value}[...]` raises `TypeError`")
            elif isinstance(node, cst.For) and isinstance(node.iter, cst.Name):
                read.setdefault(
                    node.iter.value, f"`for ... in {node.iter.value}` raises `TypeError`"
                )
            elif isinstance(node, cst.If | cst.While | cst.IfExp):
                test = node.test
                if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
                    test = test.expression
                if isinstance(test, cst.Name):
                    read.setdefault(test.value, f"`if {test.value}:` is always true")
                elif (
                    isinstance(test, cst.Comparison)
                    and isinstance(test.left, cst.Name)
                    and len(test.comparisons) == 1
                    and isinstance(test.comparisons[0].operator, cst.Is | cst.IsNot)
                    and isinstance(test.comparisons[0].comparator, cst.Name)
                    and test.comparisons[0].comparator.value == "None"
                ):
                    left = test.left.value
                    is_not = isinstance(test.comparisons[0].operator, cst.IsNot)
                    read.setdefault(
                        left,
                        f"`{left} is not None` is always true"
                        if is_not
                        else f"`{left} is None` is never true",
                    )
        for key, value in returns.items():
            read.setdefault(key, value)
        uses.append(
            {key: value for key, value in read.items() if key not in awaited and bound[key] < 2}
        )
    found: str | None = uses[0].get(name)
    return found


def _displayed_names(value: cst.BaseExpression) -> Iterator[str]:
    """The names a dict, list, tuple or set display holds as its elements or values."""
    if isinstance(value, cst.Dict):
        for element in value.elements:
            if isinstance(element, cst.DictElement) and isinstance(element.value, cst.Name):
                yield element.value.value
    elif isinstance(value, cst.List | cst.Tuple | cst.Set):
        for item in value.elements:
            if isinstance(item, cst.Element) and isinstance(item.value, cst.Name):
                yield item.value.value


def _bound_names(target: cst.BaseExpression) -> Iterator[str]:
    """The names an assignment target binds: itself, or the elements of a tuple or list
    of targets (starred too), however nested."""
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, cst.Tuple | cst.List):
        for element in target.elements:
            yield from _bound_names(element.value)


def _first_parameter(function: cst.FunctionDef) -> str | None:
    """The name of a method's first parameter (`self`), unless it is a static method."""
    for decorator in function.decorators:
        target = decorator.decorator
        if isinstance(target, cst.Name) and target.value == "staticmethod":
            return None
    params = [*function.params.posonly_params, *function.params.params]
    return params[0].name.value if params else None


def _coroutines(ctx: FileContext) -> Coroutines | None:
    """The module's coroutine functions (`Coroutines`), from CPython's tree of the
    source: None when CPython cannot parse it (newer syntax: nothing is reported)."""
    found = ctx.stash("FG304-coroutines")
    if not found:
        found.append(_read_coroutines(ctx))
    coroutines: Coroutines | None = found[0]
    return coroutines


def _read_coroutines(ctx: FileContext) -> Coroutines | None:
    if ctx.source is None:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            tree = plain_parse(ctx.source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
    return read_coroutines(tree)


def _in_sync_code(message: str, ctx: FileContext, written: str, verb: str) -> str:
    r"""A message's advice (`: \`await f(...)\``) where the caller cannot await: make it
    `async def` first."""
    if ctx.can_await:
        return message
    awaited = written.rpartition("for ... in ")[2]
    instead = f"{verb} `{awaited}`" if verb else f"`{awaited}`"
    return message.replace(f": `{written}`", f": make the caller `async def` and {instead}")


def _project_coroutine(func: cst.BaseExpression, ctx: FileContext) -> str | None:
    """What a call names that another module, or a module-level instance, may define as a
    coroutine function, qualified (the index reads whether it is: `COROUTINE`): a
    function imported from a module of the project (`notify(...)` after `from app.mail
    import notify`, or `mail.notify(...)`), or a method of a module-level instance,
    imported (`curd_user.get_roles(...)`: JohnDoe1996's permission check, reader 68) or
    the module's own (`repo.list(...)` with `repo = Repo()` above). Not the module's own
    functions nor `self`'s methods, which the file reads itself."""
    if isinstance(func, cst.Name):
        if func.value in ctx.module_functions():
            return None
        qualified = ctx.qualified_name(func)
    elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call):
        # `BookingsService(db).get_all_bookings()`: a method of an instance made for the
        # call (Xol3pa's route, reader 114)
        cls = ctx.qualified_name(func.value.func)
        qualified = f"{cls}.{func.attr.value}" if cls is not None else None
    elif isinstance(func, cst.Attribute):
        # `crud.user.is_active(...)`: an instance a package re-exports (mlbase, reader 72)
        qualified = ctx.qualified_name(func)
        if (
            qualified is None
            and isinstance(func.value, cst.Name)
            and ctx.module_name is not None
            and ctx.module_instance(func.value.value)
        ):
            qualified = f"{ctx.module_name}.{func.value.value}.{func.attr.value}"
    else:
        return None
    if qualified is None or "." not in qualified or qualified.startswith("."):
        return None
    return qualified


def _project_callees(structure: Structure) -> set[str]:
    """The screen of `_project_coroutine`: what the calls whose coroutine `_called` would
    drop, test or iterate name, through the file's imports, of another module of the
    project; or a method of a module-level instance of one of the file's classes."""

    def make() -> set[str]:
        candidates = {id(call) for call in structure.bare_calls if structure.is_statement(call)}
        candidates.update(id(call) for call in structure.dropped_comprehension_calls)
        candidates.update(id(call) for call in structure.tested_calls)
        candidates.update(id(call) for call in structure.iterated_calls)
        returned = {
            id(statement.value)
            for statement in structure.returns
            if isinstance(statement.value, ast.Call)
        }
        instances = _module_instances(structure.tree)
        found: set[str] = set()
        for call in structure.calls:
            if structure.is_awaited(call.node):
                continue
            if id(call.node) not in candidates and not (
                call.in_async and id(call.node) in returned
            ):
                continue
            found.update(
                qualified
                for qualified in structure.qualified(call.dotted)
                if structure.may_be_project_class(qualified)
            )
            func = call.node.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call):
                # a method of an instance made for the call (`_project_coroutine`)
                found.update(
                    f"{qualified}.{func.attr}"
                    for qualified in structure.qualified(ast_dotted_name(func.value.func))
                    if structure.may_be_project_class(qualified)
                )
            if (
                structure.module is not None
                and isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id in instances
            ):
                found.add(f"{structure.module}.{func.value.id}.{func.attr}")
        return found

    return structure.memo(_project_callees, make)


def _module_instances(tree: ast.Module) -> set[str]:
    """The module-level names a plain `name = Class(...)` statement binds to an instance
    of one of the module's module-level classes (`checks.coroutines.read_coroutines`
    reads the same, and whether each is bound once)."""
    classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    return {
        target.id
        for statement in tree.body
        if isinstance(statement, ast.Assign)
        and isinstance(statement.value, ast.Call)
        and isinstance(statement.value.func, ast.Name)
        and statement.value.func.id in classes
        for target in statement.targets
        if isinstance(target, ast.Name)
    }


#: What calls a function handed to it in a thread or a sync scheduler's job and drops
#: what it returns: the qualified callable, the position of the function among its
#: positional arguments and its keyword (`asyncio.to_thread(f)`, `threading.Thread(
#: target=f)`); each measured on CPython 3.11, APScheduler 3.11 and Celery 5.5: a
#: coroutine function handed to one never runs (`RuntimeWarning: coroutine ... was
#: never awaited`).
_THREAD_CALLERS: dict[str, tuple[int | None, str | None]] = {
    "threading.Thread": (None, "target"),
    "threading.Timer": (1, "function"),
    "asyncio.to_thread": (0, "func"),
}
#: the sync schedulers of APScheduler 3, whose jobs run in a thread pool (its
#: `AsyncIOScheduler` awaits coroutine functions), and Celery's app
_CELERY = frozenset({"celery.Celery"})
_SYNC_SCHEDULERS = TASK_RUNNERS - _CELERY
_SHARED_TASK = frozenset({"celery.shared_task", "celery.app.shared_task"})
#: the words of a file that may hand a coroutine function to one of another module
#: (`may_fire`; a task's or a scheduled job's `async def` says `async`)
_HANDING_WORDS = ("Thread", "Timer", "to_thread", "run_in_executor", "add_job")


def _thread_caller(call: cst.Call, ctx: FileContext) -> tuple[str, cst.BaseExpression] | None:
    """What a call hands to a thread (`threading.Thread(target=f)`, `asyncio.to_thread(f)`,
    `loop.run_in_executor(None, f)`): the API's words for the message, and the function
    expression."""
    qualified = ctx.qualified_name(call.func)
    if qualified in _THREAD_CALLERS:
        position, keyword = _THREAD_CALLERS[qualified]
        return _argument(call, position, keyword, f"`{qualified}` runs it in a thread")
    if isinstance(call.func, cst.Attribute) and call.func.attr.value == "run_in_executor":
        return _argument(call, 1, "func", "`run_in_executor` runs it in a thread")
    return None


def _argument(
    call: cst.Call, position: int | None, keyword: str | None, words: str
) -> tuple[str, cst.BaseExpression] | None:
    positional = [a for a in call.args if a.keyword is None and a.star == ""]
    if any(a.star for a in call.args):
        return None  # `*args`: which argument is the function is unknown
    for argument in call.args:
        if argument.keyword is not None and argument.keyword.value == keyword:
            return words, argument.value
    if position is not None and len(positional) > position:
        return words, positional[position].value
    return None


def _instance_of(
    receiver: cst.BaseExpression, ctx: FileContext, classes: frozenset[str]
) -> Condition | bool:
    """Whether `receiver` (`receiver.add_job(...)`, `@receiver.task`) is an instance of
    one of `classes`: True where this module binds it so (at module level, in the
    function around, or as the attribute of `self` the class stores), each binding a call
    of one (a scheduler given `executors` aside: one may await); the index's question
    for a module-level name of another module (`from app.worker import celery_app`);
    False otherwise."""
    bindings: list[cst.BaseExpression] = []
    if isinstance(receiver, cst.Name):
        name = receiver.value
        qualified = ctx.qualified_name(receiver)
        if qualified is not None:
            if "." not in qualified:
                return False
            return Condition((qualified,), classes, subject=INSTANCE)
        function = ctx.function
        if function is not None and ctx.shadowed(name):
            if not isinstance(function.node, cst.FunctionDef) or ctx.is_parameter(name):
                return False
            bindings = _assigned_values(
                own_descendants(function.node.body), lambda t: _is_name(t, name)
            )
        elif ctx.module_instance(name):
            bindings = _assigned_values(own_descendants(ctx.module), lambda t: _is_name(t, name))
    elif (
        isinstance(receiver, cst.Attribute)
        and isinstance(receiver.value, cst.Name)
        and ctx.function is not None
        and ctx.function.owner is not None
        and isinstance(ctx.function.node, cst.FunctionDef)
        and receiver.value.value == _first_parameter(ctx.function.node)
    ):
        attribute = receiver.attr.value
        owner = ctx.function.owner.node
        bindings = _assigned_values(
            tuple(descendants(owner.body)),
            lambda t: (
                isinstance(t, cst.Attribute)
                and t.attr.value == attribute
                and isinstance(t.value, cst.Name)
                and t.value.value == "self"
            ),
        )
    return bool(bindings) and all(
        isinstance(value, cst.Call)
        and ctx.qualified_name(value.func) in classes
        and not any(a.star or (a.keyword and a.keyword.value == "executors") for a in value.args)
        for value in bindings
    )


def _is_name(target: cst.BaseExpression, name: str) -> bool:
    return isinstance(target, cst.Name) and target.value == name


def _assigned_values(
    nodes: Iterable[cst.CSTNode], wanted: Callable[[cst.BaseExpression], bool]
) -> list[cst.BaseExpression]:
    """The values the assignments among `nodes` give the targets `wanted` accepts (a
    `with ... as` or a loop's target counts too, as a value that is no call)."""
    values: list[cst.BaseExpression] = []
    for node in nodes:
        if isinstance(node, cst.Assign):
            if any(wanted(t.target) for t in node.targets):
                values.append(node.value)
        elif isinstance(node, cst.AnnAssign | cst.AugAssign):
            if wanted(node.target):
                values.append(node.value if node.value is not None else node.target)
        elif isinstance(node, cst.AsName | cst.CompFor | cst.For):
            target = node.name if isinstance(node, cst.AsName) else node.target
            if wanted(target):
                values.append(target)
    return values


def _coroutine_function(
    function: cst.BaseExpression, ctx: FileContext
) -> tuple[str, Condition | None] | None:
    """The name of the coroutine function an expression names, and the index's question
    when another module defines it: a module-level `async def` of this module
    (`Coroutines.functions`), an `async def` method of the caller's class through its
    first parameter (`self.check_appointments`), or another module's function or
    module-level instance's method (`_project_coroutine`)."""
    if isinstance(function, cst.Name) and function.value in ctx.module_functions():
        if ctx.shadowed(function.value):
            return None
        coroutines = _coroutines(ctx)
        if coroutines is None or function.value not in coroutines.functions:
            return None
        return function.value, None
    if isinstance(function, cst.Attribute) and isinstance(function.value, cst.Name):
        method = ctx.function
        if (
            method is not None
            and method.owner is not None
            and isinstance(method.node, cst.FunctionDef)
            and function.value.value == _first_parameter(method.node)
        ):
            coroutines = _coroutines(ctx)
            name = function.attr.value
            if coroutines is None or name not in coroutines.methods.get(
                method.owner.name, frozenset()
            ):
                return None
            return name, None
    if not isinstance(function, cst.Name | cst.Attribute):
        return None
    qualified = _project_coroutine(function, ctx)
    if qualified is None:
        return None
    return qualified.rpartition(".")[2], Condition((qualified,), frozenset(), subject=COROUTINE)


def _may_hand(structure: Structure) -> bool:
    """The screen of `visit_Call` and `visit_FunctionDef`: a call of what runs a function
    in a thread or a scheduler's job (`_THREAD_CALLERS`, `run_in_executor`, `add_job`),
    or an `async def` whose innermost decorator may make it a Celery task or a scheduled
    job. Asked once per file (`may_fire_in` and `deferred_conditions` both ask)."""

    def make() -> bool:
        for call in structure.calls:
            func = call.node.func
            if isinstance(func, ast.Attribute) and func.attr in ("run_in_executor", "add_job"):
                return True
            if any(q in _THREAD_CALLERS for q in structure.qualified(call.dotted)):
                return True
        for node in structure.functions:
            if isinstance(node, ast.AsyncFunctionDef) and node.decorator_list:
                target = node.decorator_list[-1]
                if isinstance(target, ast.Call):
                    target = target.func
                if isinstance(target, ast.Attribute) and target.attr in ("task", "scheduled_job"):
                    return True
                dotted = ast_dotted_name(target)
                if dotted and any(q in _SHARED_TASK for q in structure.qualified(dotted)):
                    return True
        return False

    return structure.memo(_may_hand, make)
