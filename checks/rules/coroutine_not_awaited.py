"""FG304: a coroutine function of the module called as a statement, its coroutine dropped."""

from __future__ import annotations

import ast
import warnings
from collections import Counter
from typing import NamedTuple

from checks.context import FileContext, FixSpec, code_of, descendants, own_descendants
from checks.lazy import libcst as cst
from checks.newer_syntax import plain_parse
from checks.prefilter import Evidence
from checks.rule import Example, FixExample, Rule
from checks.structure import Structure, ast_route_decorator, dotted_name

#: Decorators that keep an `async def` a coroutine function: tenacity's and backoff's
#: retries wrap one in a coroutine function, `override` returns it, `staticmethod` and
#: `classmethod` call it. Any other decorator may make it something else (a task queue's
#: `@huey.task()` enqueues the call: tracardi's workers), so a function with one is left.
_KEEPS_A_COROUTINE = frozenset(
    {
        "tenacity.retry",
        "backoff.on_exception",
        "backoff.on_predicate",
        "typing.override",
        "typing_extensions.override",
        "staticmethod",
        "classmethod",
    }
)

#: Their route decorators return the function they register (`@router.delete(...)`).
_WEB_FRAMEWORKS = frozenset({"fastapi", "starlette"})


class _Coroutines(NamedTuple):
    """The coroutine functions a module defines, as CPython's tree shows them."""

    #: module-level `async def`s whose name nothing else in the module binds
    functions: frozenset[str]
    #: class name -> its `async def` methods that nothing else in the class binds and no
    #: attribute of that name is stored anywhere in the module
    methods: dict[str, frozenset[str]]
    #: of those, the ones whose own body awaits nothing (no `await`, `async for`,
    #: `async with`): `name` for a function, `Class.name` for a method
    idle: frozenset[str] = frozenset()


def _awaits(function: ast.AsyncFunctionDef) -> bool:
    """Whether the function's own body awaits (`await`, `async for`, `async with`, an
    async comprehension), nested functions and classes aside."""
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Await | ast.AsyncFor | ast.AsyncWith):
            return True
        if isinstance(node, ast.comprehension) and node.is_async:
            return True
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            pending.extend(ast.iter_child_nodes(node))
    return False


def _yields(function: ast.AsyncFunctionDef) -> bool:
    """Whether the function is an async generator (a `yield` of its own body)."""
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Yield | ast.YieldFrom):
            return True
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            pending.extend(ast.iter_child_nodes(node))
    return False


def _bindings(tree: ast.Module) -> tuple[Counter[str], set[str]]:
    """How many times each name is bound anywhere in the module (a definition, a
    parameter, an assignment, an import, `except ... as`, a `match` capture), and the
    attribute names stored (`obj.name = ...`)."""
    names: Counter[str] = Counter()
    stored: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names[node.name] += 1
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names[node.id] += 1
        elif isinstance(node, ast.arg):
            names[node.arg] += 1
        elif isinstance(node, ast.alias):
            names[node.asname or node.name.partition(".")[0]] += 1
        elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar):
            if node.name is not None:
                names[node.name] += 1
        elif isinstance(node, ast.MatchMapping) and node.rest is not None:
            names[node.rest] += 1
        elif isinstance(node, ast.Global | ast.Nonlocal):
            names.update(node.names)
        elif isinstance(node, ast.Attribute) and not isinstance(node.ctx, ast.Load):
            stored.add(node.attr)
    return names, stored


def _candidates(
    body: list[ast.stmt], classes: list[ast.ClassDef]
) -> tuple[list[ast.AsyncFunctionDef], dict[str, list[ast.AsyncFunctionDef]]]:
    """The module-level `async def`s that are coroutine functions, and each class's (by
    name), before the checks of bindings and decorators."""
    functions = [node for node in body if isinstance(node, ast.AsyncFunctionDef)]
    methods: dict[str, list[ast.AsyncFunctionDef]] = {}
    for cls in classes:
        methods.setdefault(cls.name, []).extend(
            item for item in cls.body if isinstance(item, ast.AsyncFunctionDef)
        )
    return functions, methods


def _imports(tree: ast.Module) -> dict[str, set[str]]:
    """Each name an absolute import binds, with what it may name."""
    found: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname is not None:
                    found.setdefault(alias.asname, set()).add(alias.name)
                else:
                    head = alias.name.partition(".")[0]
                    found.setdefault(head, set()).add(head)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                local = alias.asname or alias.name
                found.setdefault(local, set()).add(f"{node.module}.{alias.name}")
    return found


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
    #: a coroutine assigned to a name the function then reads as the result
    #: (`article = self.get_article(id)`, then `if article:` or `article.title`)
    assigned_message = (
        "`{callee}()` is an `async def` called without `await`: `{target}` holds the "
        "coroutine, not what `{name}` returns, and {use}: `{target} = await {callee}(...)`"
    )
    comprehension_message = (
        "`{callee}()` is an `async def` called in a comprehension whose result is dropped: "
        "each call only makes a coroutine, so nothing of `{name}` runs: "
        "`await asyncio.gather(*({callee}(...) for ...))`, or await each in a loop"
    )
    summary = (
        "Checks for a coroutine function of the module called as a whole statement, or as "
        "the element of a list or set comprehension that is a whole statement, or in the "
        "test of an `if`, `elif`, `while`, `assert` or conditional expression (alone, under "
        "`not`, or an operand of `and`/`or`: a coroutine is always true), without "
        "`await`: a module-level `async def` whose name nothing else in the module binds, "
        "or, through the method's first parameter (`self.notify(...)`), an `async def` "
        "method of the caller's class that nothing else in the class body binds and no "
        "attribute of that name is stored in the module. An async generator (an `async "
        "def` that yields) and a function with a decorator other than tenacity's or "
        "backoff's retries, `override`, `staticmethod` and `classmethod` are left: a "
        "decorator may make the call something else (a task queue's `@task` enqueues "
        "it). A call whose coroutine is kept (returned, passed to `asyncio.create_task` "
        "or `gather`, put in a container) is not this rule's; one assigned to a name in an "
        "`async def` is, when the function never awaits nor hands on that name and reads "
        "it as the result: an attribute other than a coroutine's own (`article.title`), "
        "an item, an iteration, or a test (`if article:`: always true).\n\n"
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
        return evidence.has("async")

    def may_fire_in(self, structure: Structure) -> bool:
        # `_called`: a call whose result is dropped (a statement, or a comprehension's
        # element as one) of a module-level `async def` by its name, or of an `async def`
        # of the class whose method (`ctx.function.owner`) calls it on its first parameter
        dropped = {id(call) for call in structure.bare_calls}
        dropped.update(id(call) for call in structure.dropped_comprehension_calls)
        # and one in a condition (`if not self.exists(...)`): no call awaited is one
        dropped.update(
            id(call.node) for call in structure.calls if not structure.is_awaited(call.node)
        )
        if not dropped:
            return False
        functions = {
            node.name for node in structure.tree.body if isinstance(node, ast.AsyncFunctionDef)
        }
        for call in structure.calls:
            if id(call.node) not in dropped:
                continue
            func = call.node.func
            if isinstance(func, ast.Name):
                if func.id in functions:
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

    def visit_Expr(self, node: cst.Expr, ctx: FileContext) -> None:
        value = node.value
        if isinstance(value, cst.Call):
            self._called(value, ctx, comprehension=False)
        elif isinstance(value, cst.ListComp | cst.SetComp) and isinstance(value.elt, cst.Call):
            self._called(value.elt, ctx, comprehension=True)

    def visit_If(self, node: cst.If, ctx: FileContext) -> None:
        self._tested(node.test, ctx)

    def visit_While(self, node: cst.While, ctx: FileContext) -> None:
        self._tested(node.test, ctx)

    def visit_Assert(self, node: cst.Assert, ctx: FileContext) -> None:
        self._tested(node.test, ctx)

    def visit_IfExp(self, node: cst.IfExp, ctx: FileContext) -> None:
        self._tested(node.test, ctx)

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
    ) -> None:
        """Report a call of the module's or the class's coroutine function whose coroutine
        is dropped, tested, or (`assigned`: the name it is bound to) read as its result."""
        func = call.func
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
        else:
            return
        callee = code_of(func)
        if assigned is not None:
            # the function's body is walked only for a call of a coroutine function
            use = _read_as_a_result(assigned, ctx)
            if use is None:
                return
            message = self.assigned_message.replace("{target}", assigned).replace("{use}", use)
        elif comprehension:
            message = self.comprehension_message
        elif condition:
            message = self.condition_message
            if not ctx.can_await:
                message = message.replace(
                    ": `await {callee}(...)`",
                    ": make the caller `async def` and `await {callee}(...)`",
                )
        elif ctx.in_async_function:
            message = self.message
        elif ctx.function is None and ctx.enclosing_class is None:
            message = self.module_message
        else:
            message = self.sync_message
            if key in coroutines.idle:
                message += self.idle_hint
        fix = None
        if not comprehension and ctx.can_await and "\n" not in callee:
            fix = FixSpec("Add `await`", ((func, f"await {callee}"),), applicability="unsafe")
        ctx.report(call, message.format(callee=callee, name=name), fix=fix)


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
        for node in descendants(function.node.body):
            if isinstance(node, cst.Await) and isinstance(node.expression, cst.Name):
                awaited.add(node.expression.value)
            elif isinstance(node, cst.AssignTarget | cst.AnnAssign | cst.AugAssign | cst.For):
                if isinstance(node.target, cst.Name):
                    bound[node.target.value] += 1
            elif isinstance(node, cst.AsName) and isinstance(node.name, cst.Name):
                bound[node.name.value] += 1
            elif isinstance(node, cst.NamedExpr) and isinstance(node.target, cst.Name):
                bound[node.target.value] += 1
        for node in own_descendants(function.node.body):
            if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
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
        uses.append(
            {key: value for key, value in read.items() if key not in awaited and bound[key] < 2}
        )
    found: str | None = uses[0].get(name)
    return found


def _first_parameter(function: cst.FunctionDef) -> str | None:
    """The name of a method's first parameter (`self`), unless it is a static method."""
    for decorator in function.decorators:
        target = decorator.decorator
        if isinstance(target, cst.Name) and target.value == "staticmethod":
            return None
    params = [*function.params.posonly_params, *function.params.params]
    return params[0].name.value if params else None


def _coroutines(ctx: FileContext) -> _Coroutines | None:
    """The module's coroutine functions (`_Coroutines`), from CPython's tree of the
    source: None when CPython cannot parse it (newer syntax: nothing is reported)."""
    found = ctx.stash("FG304-coroutines")
    if not found:
        found.append(_read_coroutines(ctx))
    coroutines: _Coroutines | None = found[0]
    return coroutines


def _read_coroutines(ctx: FileContext) -> _Coroutines | None:
    if ctx.source is None:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            tree = plain_parse(ctx.source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
    bound, stored = _bindings(tree)
    imports = _imports(tree)
    classes = [node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    functions, candidates = _candidates(tree.body, classes)
    kept = frozenset(
        function.name
        for function in functions
        if bound[function.name] == 1 and _keeps_a_coroutine(function, imports)
    )
    methods: dict[str, frozenset[str]] = {}
    idle = {function.name for function in functions if function.name in kept}
    idle.difference_update(function.name for function in functions if _awaits(function))
    defined = Counter(cls.name for cls in classes)
    for cls in classes:
        if defined[cls.name] != 1:
            continue  # two classes of one name: which one calls is not known here
        own: Counter[str] = Counter()
        for item in cls.body:
            own.update(_bound_in_class_body(item))
        methods[cls.name] = frozenset(
            method.name
            for method in candidates[cls.name]
            if own[method.name] == 1
            and method.name not in stored
            and _keeps_a_coroutine(method, imports)
        )
        idle.update(
            f"{cls.name}.{method.name}"
            for method in candidates[cls.name]
            if method.name in methods[cls.name] and not _awaits(method)
        )
    return _Coroutines(kept, methods, frozenset(idle))


def _bound_in_class_body(statement: ast.stmt) -> list[str]:
    """The names a statement of a class body binds in the class (a method, an
    assignment; also under `if`/`try`)."""
    names: list[str] = []
    pending: list[ast.AST] = [statement]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(node.name)
            continue
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.append(node.id)
        elif isinstance(node, ast.alias):
            names.append(node.asname or node.name.partition(".")[0])
        pending.extend(
            child for child in ast.iter_child_nodes(node) if not isinstance(child, ast.Lambda)
        )
    return names


def _keeps_a_coroutine(function: ast.AsyncFunctionDef, imports: dict[str, set[str]]) -> bool:
    """Whether the function is no async generator and each of its decorators keeps it a
    coroutine function (`_KEEPS_A_COROUTINE`, as the module's imports name them; and in
    a module that imports FastAPI or Starlette, a route's `@router.get(...)`, which
    registers the function and returns it)."""
    if _yields(function):
        return False
    web = any(
        name.partition(".")[0] in _WEB_FRAMEWORKS for names in imports.values() for name in names
    )
    route = ast_route_decorator(function) if web else None
    for decorator in function.decorator_list:
        if decorator is route:
            continue
        written = dotted_name(decorator.func if isinstance(decorator, ast.Call) else decorator)
        if written is None:
            return False
        first, _, rest = written.partition(".")
        heads = imports.get(first, {first})
        qualified = {f"{head}.{rest}" if rest else head for head in heads}
        if not qualified <= _KEEPS_A_COROUTINE:
            return False
    return True
