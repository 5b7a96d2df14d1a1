"""FG406, FG408 (FastAPI and test-client APIs) and FG501, FG503, FG504 (security)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from checks.context import (
    FileContext,
    FixSpec,
    child_nodes,
    code_of,
    conjoin,
    descendants,
    dotted_name,
    is_main_guard,
    keyword_arg,
    string_value,
    text_words,
)
from checks.lazy import lazy_pattern
from checks.lazy import libcst as cst
from checks.prefilter import Evidence
from checks.project import Condition
from checks.project_facts import (
    BCRYPT_HASHING,
    COOKIE_PHRASE,
    CREDENTIALS_TAKEN,
    CREDENTIALS_USED,
    FIRST,
    HEADER_CREDENTIALS_ONLY,
    JOSE_ASYMMETRIC,
    JOSE_UNPINNED_SELECTED,
    ON_EVENT_SELECTED,
    PUBLIC_CORS_SELECTED,
    REACHED,
    in_code,
    names_bcrypt,
    used_fact,
    written_times,
)
from checks.rule import Example, FixExample, Rule
from checks.structure import Structure
from checks.summary import FASTAPI_APPS, FASTAPI_ROUTERS

CORS_MIDDLEWARE = frozenset(
    {"fastapi.middleware.cors.CORSMiddleware", "starlette.middleware.cors.CORSMiddleware"}
)
HTTPX_CLIENTS = frozenset({"httpx.AsyncClient", "httpx.Client"})
JWT_DECODERS = frozenset(
    {
        "jwt.decode",
        "jwt.decode_complete",
        "jwt.api_jwt.decode",
        "jwt.api_jwt.decode_complete",
        "jose.jwt.decode",
    }
)
#: python-jose's read of a token's claims without verifying it (FG503).
UNVERIFIED_READERS = frozenset({"jose.jwt.get_unverified_claims"})
#: FG503's message for it.
_UNVERIFIED_CLAIMS = (
    "`{call}()` reads the token's claims without verifying its signature: anyone can "
    "write such a token; verify it (`jwt.decode(token, key, algorithms=[...])`, with the "
    "issuer's key) before trusting what it says"
)
#: Where the decoders take `algorithms` and `options` positionally: PyJWT 2.x's
#: `decode(jwt, key="", algorithms=None, options=None, ...)` (and `decode_complete`) and
#: python-jose's `decode(token, key, algorithms=None, options=None, ...)` agree.
_JWT_POSITIONS = {"algorithms": 2, "options": 3}
UNMAINTAINED = {
    "passlib": (
        "passlib is unmaintained and fails with bcrypt 5 (4.1-4.3 log an error): use pwdlib "
        "(Argon2), with its bcrypt hasher beside it to verify the stored hashes (until then, "
        "pin `bcrypt<5`)"
    ),
    "jose": (
        "python-jose had no release from 2021 to 2025 and is barely maintained (3.3.0 has "
        "CVE-2024-33663 and CVE-2024-33664): use PyJWT for JWTs (FastAPI's docs moved to it)"
    ),
}
#: passlib where the file's contexts hash new passwords with another scheme and keep bcrypt
#: to verify the stored hashes (`schemes=["argon2", "bcrypt"]`): hashing works with
#: bcrypt 5, checking a stored bcrypt hash raises `ValueError` (reader 55, norvor).
_PASSLIB_VERIFY_ONLY = (
    "passlib is unmaintained and, with bcrypt 5, cannot check a stored bcrypt hash "
    "(`ValueError`; this file hashes new passwords with {first}): use pwdlib (Argon2), "
    "with its bcrypt hasher beside it to verify the stored hashes"
)
#: passlib in a project that hashes with none of bcrypt: it works there, unmaintained (a
#: note for a selection naming FG504).
_PASSLIB_NOTE = (
    "passlib is unmaintained (no release since 2020): hash new passwords with pwdlib "
    "(Argon2) and rehash the stored ones when users log in"
)
#: passlib in a project whose bcrypt pins admit no 5.0 (a note for a selection naming it).
_PASSLIB_PINNED_NOTE = (
    "passlib is unmaintained: it works with the pinned bcrypt (below 5.0; 4.1-4.3 log a "
    "caught error at start-up) and fails from bcrypt 5.0; hash new passwords with pwdlib "
    "(Argon2) before that upgrade"
)
#: `CryptContext(schemes=[...])` with its schemes written out: the file's hashers.
_CRYPT_CONTEXT = lazy_pattern(rb"\bCryptContext\s*\(")
#: A `CryptContext`'s `deprecated=[...]` written out: schemes that only verify.
_DEPRECATED_SCHEMES = lazy_pattern(
    rb"\bdeprecated\s*=\s*[\[(]\s*(?:(?:\"[\w-]*\"|'[\w-]*')\s*,?\s*)+[\])]"
)
_LITERAL_SCHEMES = lazy_pattern(
    rb"\bCryptContext\s*\(\s*schemes\s*=\s*[\[(]\s*(?:(?:\"[\w-]*\"|'[\w-]*')\s*,?\s*)+[\])]"
)
#: python-jose where the pins admit nothing below 3.4.0 (the advisories fixed), or where a
#: fresh install takes 3.4.0 or later (a floor below it, no version, and no lock): a note
#: for a selection naming FG504. Where only older releases are admitted (`==3.3.0`, a lock
#: at 3.3.0) or nothing pins it (an assistant's new import), it is reported: use PyJWT.
_JOSE_FLOOR = (
    "python-jose: the pins admit 3.3.0 (CVE-2024-33663, CVE-2024-33664, fixed in 3.4.0, "
    "2025); a fresh install gets a fixed release, an environment built before may keep "
    "3.3.0: require `python-jose>=3.4.0`, or move to PyJWT, which FastAPI's docs use"
)
_LIBPASS_NOTE = (
    "passlib here is libpass, its maintained fork (pinned), which works with bcrypt 5; "
    "pwdlib is what FastAPI's docs use"
)
#: python-jose with its advisories in a project whose tokens are HMAC-signed: a note for a
#: selection naming FG504.
_JOSE_HMAC_NOTE = (
    "python-jose: the pins admit only 3.3.0 and older, whose advisories (CVE-2024-33663, "
    "ECDSA keys; CVE-2024-33664, JWE bombs) need asymmetric keys, which this project "
    "names nowhere (HMAC-signed tokens): require `python-jose>=3.4.0`, or move to PyJWT, "
    "which FastAPI's docs use"
)
_JOSE_PATCHED_NOTE = (
    "python-jose is released rarely (3.4.0 in 2025 fixed CVE-2024-33663 and "
    "CVE-2024-33664, after four years without a release): FastAPI's docs moved to PyJWT"
)
#: What python-jose offers that PyJWT does not: JWE (encrypted tokens). PyJWT reads JWKs
#: (`jwt.PyJWK`, `PyJWKClient`) but has no JWE at all.
_JOSE_PARTS = {
    "jwe": (
        "python-jose had no release from 2021 to 2025 and is barely maintained: PyJWT has "
        "no JWE; use joserfc, jwcrypto or authlib for encrypted tokens"
    ),
    "jwk": (
        "python-jose had no release from 2021 to 2025 and is barely maintained: use "
        "PyJWT's `jwt.PyJWK`/`PyJWKClient`, or joserfc"
    ),
}


#: The FastAPI release that added `FastAPI(lifespan=...)`.
_LIFESPAN_RELEASE = "0.93"
#: The first FastAPI whose pins admit Starlette 1.0, which removed `add_event_handler`.
_STARLETTE_1_RELEASE = "0.133"
#: The httpx release that removed `AsyncClient(app=...)` (0.27 deprecated it: a warning).
_APP_REMOVED = "0.28"
_BEFORE_LIFESPAN = (
    "`@app.on_event()` is how this project's FastAPI (pinned below 0.93, which has no "
    "`lifespan=`) runs start-up code: when upgrading, move it to a lifespan context manager"
)


class OnEventHandler(Rule):
    code = "FG406"
    name = "on-event-handler"
    family = "API"
    message = "`@app.on_event()` is deprecated: use a lifespan context manager"
    summary = (
        "Checks for `@app.on_event('startup' | 'shutdown')` handlers (deprecated: on "
        "Starlette 1.x FastAPI keeps them with its own implementation, and a warning), and "
        "for `app.add_event_handler('startup' | 'shutdown', ...)`, which it does not keep "
        "there (`AttributeError` at import). An `on_event` handler in a module that also "
        "gives the app a lifespan never runs, and is always reported; one alone still runs "
        "(deprecated): reported by the edit hook in new code, and in existing code when "
        "the selection names FG406 (an inventory for the move to a lifespan). So is "
        "`add_event_handler` where the project's FastAPI range takes no Starlette 1.0 "
        '(`fastapi = "^0.95.1"`: it runs on every install the project supports); pinned '
        "to one release (`fastapi==0.128.0`), the next bump is the break: reported. So is "
        "`add_event_handler` on FastAPI's `APIRouter` (`router = APIRouter()`, a FastAPI "
        "app's `.router`), which FastAPI keeps on every Starlette for backward "
        "compatibility, as `on_event`: an inventory, in new code or when named.\n\n"
        "Where it applies: every layer, tests included (deprecated for a test's app as for "
        "the service's); not where the project's pins (or its "
        "sub-service's: a folder below the project root whose requirement files pin "
        "FastAPI) admit no FastAPI 0.93 or later, which added `lifespan=`, unless the "
        "selection names FG406 (then the finding speaks of the upgrade)."
    )
    why = (
        "FastAPI deprecated `on_event` in favour of `FastAPI(lifespan=...)`, an async "
        "context manager whose code before `yield` runs at start-up and after it at "
        "shut-down: the resources it opens are in scope for their cleanup. Starlette 1.0 "
        "removed its event handlers; FastAPI keeps `on_event` working on it with its own "
        "implementation, with a deprecation warning. A lifespan and "
        "`on_event` handlers cannot be mixed: with `lifespan=` given, the `on_event` "
        "handlers never run (checked on FastAPI 0.165 with Starlette 1.x)."
    )
    bad = (
        Example(
            """
            from fastapi import FastAPI

            app = FastAPI()


            @app.on_event("startup")
            async def connect() -> None:
                app.state.ready = True
            """
        ),
        Example(
            """
            from fastapi import FastAPI

            from app.db import close_pools, open_pools

            app = FastAPI()
            app.add_event_handler("startup", open_pools)
            app.add_event_handler("shutdown", close_pools)
            """,
            expect=2,
            note="Starlette's method: gone in Starlette 1.0 (service-base-fastapi)",
        ),
        Example(
            """
            from collections.abc import AsyncIterator
            from contextlib import asynccontextmanager

            from fastapi import FastAPI


            @asynccontextmanager
            async def lifespan(app: FastAPI) -> AsyncIterator[None]:
                yield


            app = FastAPI(lifespan=lifespan)


            @app.on_event("shutdown")
            async def close_pools() -> None:
                await app.state.pools.close()
            """,
            note="beside a lifespan: the handler never runs (its message says so)",
        ),
        Example(
            """
            from fastapi import APIRouter

            router = APIRouter()
            router.add_event_handler("startup", lambda: None)
            """,
            note="FastAPI's router keeps the method, deprecated as `on_event` is: "
            "reported in new code or when named (deerflow's test of a router's hook)",
        ),
    )
    good = (
        Example(
            """
            from collections.abc import AsyncIterator
            from contextlib import asynccontextmanager

            from fastapi import FastAPI


            @asynccontextmanager
            async def lifespan(app: FastAPI) -> AsyncIterator[None]:
                app.state.ready = True
                yield


            app = FastAPI(lifespan=lifespan)
            """
        ),
        Example(
            """
            import socketio

            sio = socketio.AsyncServer()

            @sio.on("message")
            async def message(sid, data):
                return data
            """,
            note="another library's event decorator",
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has_attribute("on_event", "add_event_handler")

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        # `app.add_event_handler("startup", connect)`: Starlette's method, gone with its
        # event handlers in 1.0 (FastAPI's app has no such method on it: AttributeError)
        func = node.func
        if not (
            isinstance(func, cst.Attribute)
            and func.attr.value == "add_event_handler"
            and node.args
            and string_value(node.args[0].value) in {"startup", "shutdown"}
            and ctx.imports_module("fastapi", "starlette")
        ):
            return
        if _fastapi_router(func.value, ctx):
            # FastAPI's own router keeps the method, for backward compatibility, on every
            # Starlette: it works as `on_event` does (deerflow's test of a router's hook)
            ctx.report_if(node, _ON_EVENT_SELECTED, _ROUTER_EVENT_HANDLER)
        elif not ctx.fastapi_at_least(_LIFESPAN_RELEASE):
            if ctx.names(self.code):
                ctx.report(node, _BEFORE_LIFESPAN)
        elif ctx.fastapi_at_least(_STARLETTE_1_RELEASE) and ctx.package_at_least(
            "starlette", "1.0"
        ):
            ctx.report(node, _ADD_EVENT_HANDLER)
        elif ctx.fastapi_at_least(_STARLETTE_1_RELEASE) or ctx.package_pinned_exactly("fastapi"):
            # the pins admit no Starlette 1.0 but their FastAPI does, or pin one release
            # of it (a snapshot the next bump moves): it runs until the upgrade that
            # brings Starlette's security fixes (the seventeenth reader: `fastapi==0.128.0`,
            # `starlette==0.50.0`, "the next bump fails at import"); said so
            ctx.report(node, _ADD_EVENT_HANDLER_BEFORE_1)
        else:
            # a range of FastAPI that takes no Starlette 1.0 (`fastapi = "^0.95.1"`): it
            # runs on every install the project supports, as `on_event` does; a move of
            # the whole stack's inventory (the eighteenth and twenty-second readers), new
            # code's or named
            ctx.report_if(node, _ON_EVENT_SELECTED, _ADD_EVENT_HANDLER_BEFORE_1)

    def visit_Decorator(self, node: cst.Decorator, ctx: FileContext) -> None:
        call = node.decorator
        if not (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Attribute)
            and call.func.attr.value == "on_event"
        ):
            return
        event = string_value(call.args[0].value) if call.args else None
        if not (event in {"startup", "shutdown"} or ctx.imports_module("fastapi", "starlette")):
            return
        if ctx.fastapi_at_least(_LIFESPAN_RELEASE):
            if _has_lifespan(ctx):
                ctx.report(node, _NEVER_RUNS)  # dead code: always
            else:  # deprecated, and kept running: new code's, or named
                ctx.report_if(node, _ON_EVENT_SELECTED)
        elif ctx.names(self.code):  # a migration's inventory, asked for by name
            ctx.report(node, _BEFORE_LIFESPAN)


def _fastapi_router(receiver: cst.BaseExpression, ctx: FileContext) -> bool:
    """Whether the receiver is FastAPI's `APIRouter`: one made as such, or a FastAPI
    app's `.router`."""
    if isinstance(receiver, cst.Attribute) and receiver.attr.value == "router":
        app = ctx.infer(receiver.value)
        return app is not None and app.cls in FASTAPI_APPS
    made = ctx.infer(receiver)
    return made is not None and made.cls in FASTAPI_ROUTERS


#: FG406's message for `add_event_handler` on FastAPI's router, which FastAPI keeps.
_ROUTER_EVENT_HANDLER = (
    "`add_event_handler()` on an `APIRouter` is kept by FastAPI only for backward "
    "compatibility, as `on_event` is (deprecated): use a lifespan context manager"
)
#: `@app.on_event()` alone stands in new code (the edit hook) or when FG406 is named.
_ON_EVENT_SELECTED = Condition((), frozenset(), fact=ON_EVENT_SELECTED)
#: FG406's message where the module gives its app a lifespan: the handler is dead code.
_NEVER_RUNS = (
    "`@app.on_event()` never runs here: the app has a lifespan (`lifespan=`, "
    "`lifespan_context`), which replaces the event handlers; move it into the lifespan"
)


def _has_lifespan(ctx: FileContext) -> bool:
    """Whether the module gives an app or router a lifespan: a call with a `lifespan=`
    keyword (`FastAPI(lifespan=...)`), or an assignment to a `lifespan_context`."""
    found = ctx.stash("FG406.lifespan")
    if not found:
        found.append(
            any(
                (
                    isinstance(node, cst.Call)
                    and any(
                        arg.keyword is not None and arg.keyword.value == "lifespan"
                        for arg in node.args
                    )
                )
                or (
                    isinstance(node, cst.AssignTarget)
                    and isinstance(node.target, cst.Attribute)
                    and node.target.attr.value == "lifespan_context"
                )
                for node in descendants(ctx.module)
            )
        )
    return bool(found[0])


#: FG406's message for `add_event_handler`, which breaks rather than warns.
_ADD_EVENT_HANDLER = (
    "`add_event_handler()` is Starlette's, removed in Starlette 1.0 (an `AttributeError` on "
    "FastAPI's app there): use a lifespan context manager"
)
_ADD_EVENT_HANDLER_BEFORE_1 = (
    "`add_event_handler()` is Starlette's: it works with the FastAPI the project pins, but "
    "Starlette 1.0 removes it and FastAPI 0.133 admits 1.0 (an `AttributeError` at import "
    "after that upgrade): use a lifespan context manager"
)


class AsyncClientApp(Rule):
    code = "FG408"
    name = "httpx-client-app"
    family = "tests"
    message = (
        "`AsyncClient(app=...)` was removed in httpx 0.28: use "
        "`AsyncClient(transport=ASGITransport(app=app), base_url=...)`"
    )
    summary = (
        "Checks for `httpx.AsyncClient(app=...)` and `httpx.Client(app=...)`.\n\n"
        "Where it applies: every layer; it is mostly found in tests, where it breaks. A "
        "project whose pins of httpx (`pyproject.toml`, requirements, `uv.lock`, "
        "`poetry.lock`) admit no 0.28 or later, which removed `app=`, gets it only when "
        "the selection names FG408: the shortcut works there (0.27 warns), and the "
        "finding is a note for the upgrade."
    )
    why = (
        "httpx 0.28 removed the `app=` shortcut: the call raises `TypeError`. Wrap the "
        "application in a transport: `httpx.ASGITransport(app=app)` for `AsyncClient` "
        "(and give a `base_url`, which relative URLs need)."
    )
    fix = (
        "Safe fix: `app=app` becomes `transport=ASGITransport(app=app)`, importing "
        "`ASGITransport` from httpx (or using `httpx.ASGITransport`) when needed."
    )
    bad = (
        Example(
            """
            import httpx

            from app.main import app


            async def test_health() -> None:
                async with httpx.AsyncClient(app=app, base_url="http://test") as client:
                    assert (await client.get("/health/live")).status_code == 200
            """,
            path="tests/test_health.py",
        ),
    )
    good = (
        Example(
            """
            import httpx

            from app.main import app


            async def test_health() -> None:
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                    assert (await client.get("/health/live")).status_code == 200
            """,
            path="tests/test_health.py",
        ),
    )
    fixes = (
        FixExample(
            """
            from httpx import AsyncClient

            from app.main import app


            async def test_health() -> None:
                client = AsyncClient(app=app, base_url="http://test")
                async with client:
                    assert (await client.get("/health/live")).status_code == 200
            """,
            """
            from httpx import ASGITransport, AsyncClient

            from app.main import app


            async def test_health() -> None:
                client = AsyncClient(transport=ASGITransport(app=app), base_url="http://test")
                async with client:
                    assert (await client.get("/health/live")).status_code == 200
            """,
            path="tests/test_health.py",
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has("app") and evidence.has("AsyncClient", "Client")

    def may_fire_in(self, structure: Structure) -> bool:
        # `visit_Call`: an httpx client made with `app=`
        return any(
            any(keyword.arg == "app" for keyword in call.node.keywords)
            for call in structure.calls_to(HTTPX_CLIENTS)
        )

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        app = keyword_arg(node, "app")
        if ctx.qualified_name(node.func) in HTTPX_CLIENTS and app is not None:
            if not ctx.package_at_least("httpx", _APP_REMOVED) and not ctx.names(self.code):
                return  # the project's httpx still has `app=`: an upgrade note, when named
            ctx.report(node, fix=self._fix(node, app, ctx))

    @staticmethod
    def _fix(node: cst.Call, app: cst.Arg, ctx: FileContext) -> FixSpec | None:
        """`AsyncClient(app=app)` -> `AsyncClient(transport=ASGITransport(app=app))`."""
        if app.keyword is None:
            return None
        value = code_of(app.value)
        if "\n" in value:
            return None  # a multi-line value: left to the author
        replacements: list[tuple[cst.CSTNode, str]] = []
        module = ctx.module_alias("httpx")
        imported = next(
            (local for local, q in ctx.imports.items() if q == "httpx.ASGITransport"), None
        )
        if imported is None and isinstance(node.func, cst.Attribute) and module is not None:
            transport = f"{module}.ASGITransport"
        else:
            found = ctx.import_from("httpx", "ASGITransport")
            if found is None:
                return None  # the name means something else here
            transport, insertion = found
            if insertion is not None:
                replacements.append(insertion)
        replacements.append((app.keyword, "transport"))
        replacements.append((app.value, f"{transport}(app={value})"))
        return FixSpec("Use `transport=ASGITransport(app=...)`", tuple(replacements))


class CorsWildcard(Rule):
    code = "FG501"
    name = "cors-wildcard-origin"
    family = "security"
    message = "CORS allows every origin (`*`): list the origins from settings"
    summary = (
        "Checks for `CORSMiddleware` configured with `allow_origins=['*']` (or a name its "
        'scope binds to it, in one branch or all: `origins = ["*"]`; not in a branch that '
        "asks for a development run, the developer's: `if settings.DEBUG:`, `if ENV == "
        "'development':`, `['*'] if debug else origins`, nor the middleware added in one "
        "or in the module's `if __name__ == '__main__':` block, its run as a script), "
        "or with an "
        '`allow_origin_regex` that any site matches (`".*"`), unless the '
        "project's clients authenticate with a header only: it reads credentials from "
        "headers (`HTTPBearer`, `OAuth2PasswordBearer`, `APIKeyHeader`, the "
        "`Authorization` header read: `headers.get('Authorization')`, "
        "`headers['authorization']`, `authorization: str = Header(None)`, "
        "`alias='Authorization'`, an API key or token a route takes from a header: "
        "`api_key: str = Header()`, `alias='X-API-Key'`; not one a CORS configuration only "
        "lets through, "
        "`allow_headers=[...]`, nor one it sends to another API: "
        "`{'Authorization': f'Bearer {key}'}`, `headers['Authorization'] = ...`) and never "
        "reads a cookie "
        "(`request.cookies`, `Cookie(`, `APIKeyCookie`, `SessionMiddleware`, "
        "`CookieTransport`, any other word of a cookie but the calls that set or delete "
        "one, `set_cookie(`: a cookie only set authenticates nothing the service reads; "
        "not the cookies of its own clients: `http.cookies`, a browser "
        "automation's `context.cookies()`; nor one read by a literal name no credential's "
        "is, `test_cookie: str = Cookie(None)`, `request.cookies.get('theme')`: a name "
        "with `token`, `session`, `sid`, `auth`, `jwt`, `access`, `refresh`, `user`, "
        "`csrf`, `key`, `id` or the like is one); named in the selection, FG501 reports that "
        "case too. A page "
        "of another site cannot make the browser attach a token it does not have: such an "
        "API is meant to be called from other sites. With cookies and "
        "`allow_credentials=True`, any page its users visit can read what their cookies "
        "unlock (a service that sets no cookie is told so: any page may call it and read "
        "what it answers); without `allow_credentials=True` the browser sends no cookie or "
        "hides the answer, and the wildcard matters only where the code takes no "
        "credentials at all (an internal UI, a local server: any page may read what its "
        "users' browsers reach). A service that takes no credentials at all, cookie or "
        "header, is held back in both modes (counted in the closing line; reported in new "
        "code, by the edit hook, and when the selection names FG501): on the internet it "
        "answers a page what it answers anyone who fetches it, and readers judged 9 of "
        "12 such findings not worth a change (the other 3 on a LAN or internal tool: "
        "nothing in the code tells them apart); name FG501 for a service "
        "only an intranet or a local machine reaches.\n\n"
        "Where it applies: every layer but tests and development tooling (a test app "
        "exercising CORS, a library's example app, a demo: not deployed)."
    )
    why = (
        "With `allow_credentials=True`, Starlette's `CORSMiddleware` answers a wildcard by "
        "echoing the caller's `Origin` with `Access-Control-Allow-Credentials: true`: any "
        "origin can then read what its visitors' cookies unlock, wherever the browser sends "
        "them (every `SameSite=None` cookie; under the default `Lax`, a page of a sibling "
        "subdomain or another port of the same host, which is the same site). Without "
        "credentials, any web page can still call the API from its visitors' browsers. List "
        "the allowed origins in settings."
    )
    bad = (
        Example(
            """
            from fastapi import FastAPI
            from fastapi.middleware.cors import CORSMiddleware

            app = FastAPI()
            app.add_middleware(
                CORSMiddleware, allow_origins=["*"], allow_credentials=True, allow_methods=["*"]
            )
            """
        ),
        Example(
            """
            from fastapi import FastAPI
            from fastapi.middleware.cors import CORSMiddleware

            app = FastAPI()
            origins = ["*"]
            app.add_middleware(CORSMiddleware, allow_origins=origins, allow_credentials=True)
            """,
            note="FastAPI's tutorial spelling: the list in a name",
        ),
        Example(
            """
            from fastapi import FastAPI
            from fastapi.middleware.cors import CORSMiddleware


            def create_app(allowed: str | None) -> FastAPI:
                if allowed is not None:
                    allow_origins = allowed.split(",")
                else:
                    allow_origins = ["*"]
                app = FastAPI()
                app.add_middleware(
                    CORSMiddleware, allow_origins=allow_origins, allow_credentials=True
                )
                return app
            """,
            note="every origin when the setting is unset (tracecat)",
        ),
        Example(
            """
            from fastapi import FastAPI
            from fastapi.middleware.cors import CORSMiddleware

            app = FastAPI()
            app.add_middleware(
                CORSMiddleware, allow_origin_regex=".*", allow_credentials=True
            )
            """,
            note="a pattern every origin matches: each is echoed, as `*` is (cheshire-cat)",
        ),
    )
    good = (
        Example(
            """
            from fastapi import FastAPI
            from fastapi.middleware.cors import CORSMiddleware

            from app.core.config import settings

            app = FastAPI()
            origins = settings.CORS_ORIGINS
            if settings.DEBUG:
                origins = ["*"]
            app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET"])
            """,
            path="app/main.py",
            note="a wildcard bound only in a development branch (spoolman's debug mode)",
        ),
        Example(
            """
            from fastapi import FastAPI
            from fastapi.middleware.cors import CORSMiddleware

            app = FastAPI()
            app.add_middleware(
                CORSMiddleware,
                allow_origins=["https://app.example.com"],
                allow_credentials=True,
                allow_methods=["GET", "POST"],
            )
            """
        ),
        Example(
            """
            from fastapi import FastAPI
            from fastapi.middleware.cors import CORSMiddleware


            def test_preflight_is_answered(client_for) -> None:
                app = FastAPI()
                app.add_middleware(CORSMiddleware, allow_origins=["*"])
                assert client_for(app).options("/").status_code == 405
            """,
            path="tests/test_cors.py",
            note="a test app",
        ),
        Example(
            """
            from fastapi import FastAPI
            from fastapi.middleware.cors import CORSMiddleware

            app = FastAPI()
            app.add_middleware(
                CORSMiddleware, allow_origins=["*"], allow_credentials=True, allow_methods=["*"]
            )
            """,
            path="examples/app/main.py",
            note="a library's example app (development tooling: not deployed)",
        ),
        Example(
            """
            from fastapi import FastAPI
            from fastapi.middleware.cors import CORSMiddleware

            app = FastAPI()
            app.add_middleware(
                CORSMiddleware,
                allow_origin_regex=r"https://[a-z0-9-]+\\.example\\.com",
                allow_credentials=True,
            )
            """,
            note="a pattern of the project's own sites",
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has("allow_origins", "allow_origin_regex")

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        if ctx.layer in ("test", "tooling"):
            return
        names = [ctx.qualified_name(node.func)] + [
            ctx.qualified_name(arg.value) for arg in node.args if arg.keyword is None
        ]
        if not CORS_MIDDLEWARE.intersection(n for n in names if n):
            return
        if _in_development_branch(node, ctx):
            # `if settings.environment == "dev": app.add_middleware(...)` (ragapp), or a
            # module's own run as a script, `if __name__ == "__main__":` (a sample model
            # server's: kserve), as FG502 leaves a secret there
            return
        origins = keyword_arg(node, "allow_origins")
        regex = keyword_arg(node, "allow_origin_regex")
        value = origins.value if origins is not None else None
        advice = "list the origins from settings"
        if value is not None and _fallback_wildcard(value):
            # `settings.origins.split(",") if settings.origins else ["*"]` (mouakos',
            # reader 82): the origins already come from settings; the fallback opens it
            shown = "`allow_origins` falling back to `['*']`"
            every = "(its fallback is `*`)"
            advice = "drop the `['*']` fallback, so that no origin is allowed when none is set"
        elif value is not None and _wildcard(value):
            # as written (`allow_origins="*"`: Starlette's `"*" in allow_origins` reads a
            # string too: bogdankirich's, reader 117), a long expression as its wildcard
            written = code_of(value)
            shown = f"`allow_origins={written}`" if len(written) <= 30 else "`allow_origins=['*']`"
            every = "(`*`)"
        elif isinstance(value, cst.Name) and _assigned_wildcard(value.value, ctx):
            # `origins = ["*"]` (FastAPI's tutorial), or `["*"]` as the fallback of an
            # `if`/`else` (tracecat's unset `TRACECAT__ALLOW_ORIGINS`): bound in the scope
            shown = f"`allow_origins={value.value}` (`['*']` here)"
            every = f"(`{value.value}` may be `['*']`)"
        elif regex is not None and _admits_any_site(regex.value):
            # `allow_origin_regex=".*"`: every origin echoed, as the wildcard is
            origins = regex
            shown = f"`allow_origin_regex={code_of(regex.value)}`"
            every = f"(`allow_origin_regex={code_of(regex.value)}`)"
        else:
            return
        assert origins is not None
        credentials = keyword_arg(node, "allow_credentials")
        if credentials is not None and dotted_name(credentials.value) == "True":
            message = f"CORS {shown} with `allow_credentials=True` {COOKIE_PHRASE}: {advice}"
            # where the service sets no cookie, the run says what is at stake instead
            # (`checks.run.resolve_with`: `NO_COOKIE_PHRASE`)
            ctx.report_if(origins, conjoin(_COOKIES_SENT, _CREDENTIALS_TAKEN), message)
        else:
            # no credentials mode: a cookie is not sent, or its response unreadable
            message = f"CORS allows every origin {every}: {advice}"
            ctx.report_if(origins, conjoin(_NO_CREDENTIALS, _PUBLIC_SELECTED), message)


def _wildcard(value: cst.BaseExpression) -> bool:
    """Whether the expression is `"*"` or a list or tuple holding it, or may give one
    (`origins or ["*"]`, `["*"] if not production else origins`; not in a development
    branch: `["*"] if settings.DEBUG else origins`)."""
    if isinstance(value, cst.BooleanOperation):
        return _wildcard(value.left) or _wildcard(value.right)
    if isinstance(value, cst.IfExp):
        body = not _development_test(value.test) and _wildcard(value.body)
        return body or _wildcard(value.orelse)
    elements = value.elements if isinstance(value, cst.List | cst.Tuple) else []
    return string_value(value) == "*" or any(string_value(e.value) == "*" for e in elements)


def _fallback_wildcard(value: cst.BaseExpression) -> bool:
    """Whether the wildcard is only the fallback of origins given otherwise (`origins or
    ["*"]`, `origins.split(",") if origins else ["*"]`)."""
    if isinstance(value, cst.IfExp):
        return _wildcard(value.orelse) and not _wildcard(value.body)
    if isinstance(value, cst.BooleanOperation):
        return _wildcard(value.right) and not _wildcard(value.left)
    return False


#: Origins no project lists: a pattern that admits one admits every site.
_FOREIGN_ORIGINS = ("https://attacker.invalid", "http://attacker.invalid:8080")


def _admits_any_site(value: cst.BaseExpression) -> bool:
    """Whether an `allow_origin_regex` literal admits an origin nobody listed: Starlette
    answers an origin the pattern matches in full (`re.fullmatch`) as it answers `*`."""
    pattern = string_value(value)
    if pattern is None:
        return False
    try:
        compiled = re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return False
    return any(compiled.fullmatch(origin) for origin in _FOREIGN_ORIGINS)


def _assigned_wildcard(name: str, ctx: FileContext) -> bool:
    """Whether a statement of the scope of a name passed as `allow_origins` (the
    function's own body, else the module outside its functions and classes) binds it to
    a wildcard (`origins = ["*"]`, or in one branch of an `if`)."""
    function = ctx.function
    scope = function.node.body if function is not None else ctx.module
    for node in _outside_development(scope):
        if isinstance(node, cst.Assign):
            targets = [target.target for target in node.targets]
        elif isinstance(node, cst.AnnAssign) and node.value is not None:
            targets = [node.target]
        else:
            continue
        if any(isinstance(t, cst.Name) and t.value == name for t in targets) and (
            node.value is not None and _wildcard(node.value)
        ):
            return True
    return False


def _outside_development(scope: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The nodes of a scope (not of the functions, lambdas and classes it defines) outside
    the bodies of `if` statements that test for a development run (`_development_test`):
    a wildcard bound there (spoolman's `if env.is_debug_mode(): origins = ["*"]`) is the
    developer's, as a `--reload` is."""
    stack = [scope]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, cst.If) and _development_test(current.test):
            if current.orelse is not None:
                stack.append(current.orelse)
        elif not isinstance(current, cst.FunctionDef | cst.Lambda | cst.ClassDef):
            stack.extend(child_nodes(current))


def _in_development_branch(node: cst.CSTNode, ctx: FileContext) -> bool:
    """Whether `node` is in the body of an `if` that tests for a development run
    (`_development_test`) or is the module's `__main__` guard, in the statement being
    walked."""
    child: cst.CSTNode = node
    parent = ctx.parent(child)
    while parent is not None:
        if (
            isinstance(parent, cst.If)
            and child is parent.body
            and (_development_test(parent.test) or is_main_guard(parent.test))
        ):
            return True
        child, parent = parent, ctx.parent(parent)
    return False


#: Words of a name that asks for a development run (`settings.DEBUG`, `is_debug_mode()`,
#: `DEV_MODE`, `is_development`), and the values an environment's name is compared with.
_DEVELOPMENT_WORDS = frozenset({"debug", "dev", "development"})
_DEVELOPMENT_VALUES = frozenset({"debug", "dev", "development", "local"})


def _development_test(test: cst.BaseExpression) -> bool:
    """Whether an `if` test asks for a development run: a flag named for it (`DEBUG`,
    `settings.debug`, `env.is_debug_mode()`, `DEV_MODE`), or the environment's name
    compared, equal or among, with a development one (`ENV == "development"`, `in ("dev",
    "local")`). Not a negation (`if not settings.DEBUG:` is production's branch)."""
    if isinstance(test, cst.Comparison):
        return all(
            isinstance(target.operator, cst.Equal | cst.In) for target in test.comparisons
        ) and any(
            (found := string_value(value)) is not None and found.lower() in _DEVELOPMENT_VALUES
            for side in (test.left, *(target.comparator for target in test.comparisons))
            for value in (
                [e.value for e in side.elements]
                if isinstance(side, cst.List | cst.Tuple | cst.Set)
                else [side]
            )
        )
    if isinstance(test, cst.Call):
        test = test.func
    dotted = dotted_name(test)
    if dotted is None:
        return False
    return not text_words(dotted).isdisjoint(_DEVELOPMENT_WORDS)


#: FG501 stands unless the clients authenticate with a header only (or FG501 is named)
_COOKIES_SENT = Condition((), frozenset(), fact=HEADER_CREDENTIALS_ONLY, negated=True)
#: without `allow_credentials=True`: only where the code takes no credentials at all (an
#: internal UI, a local server: what it answers is what any page may read), or named
_NO_CREDENTIALS = Condition((), frozenset(), fact=CREDENTIALS_USED, negated=True)
#: and a service that takes no credentials at all is held back (`CREDENTIALS_TAKEN`):
#: reported in new code or where FG501 is named (`_PUBLIC_SELECTED`: the same, without
#: reading the code, for the case above, which is only that one)
_CREDENTIALS_TAKEN = Condition((), frozenset(), fact=CREDENTIALS_TAKEN)
_PUBLIC_SELECTED = Condition((), frozenset(), fact=PUBLIC_CORS_SELECTED)


class JwtWithoutVerification(Rule):
    code = "FG503"
    name = "jwt-decode-unverified"
    family = "security"
    message = "JWT decoded without verifying its signature or without `algorithms=`"
    summary = (
        "Checks for PyJWT's `jwt.decode()`/`decode_complete()` and python-jose's "
        "`jwt.decode()` without `algorithms` (by keyword or as the third positional "
        "argument, as both libraries' signatures place it), with `algorithms=None` or a "
        "list allowing `none`, or with signature verification turned off (`options="
        "{'verify_signature': False}`, by keyword or fourth positional argument; "
        "`verify=False`); and python-jose's `jwt.get_unverified_claims()`, an unverified "
        "decode by its name. A call that passes `*args` or `**kwargs` where these could be is "
        "not judged, nor claims decoded unverified into a name that the function only "
        'reads for where the token goes (`claims.get("aud")`, `claims["iss"]`, `tid`, '
        "`kid`, `azp`): the peek that picks the key of a verified decode; or for when it "
        "expires (`exp`, `iat`, `nbf`: a client deciding to refresh its own token); nor a "
        "token the function also decodes with verification, or gives to a verifier "
        "(`verify_token(token, ...)`); nor an unverified decode whose result is dropped "
        "(a statement of its own: a check that the token parses, whose claims nothing "
        "reads); nor the `id_token` of the answer to an authorization code the function "
        'exchanges itself at the provider\'s token endpoint (`"grant_type": '
        '"authorization_code"`): received from it over TLS, OpenID Connect lets the '
        "client trust it unchecked; nor one a comment on its lines, or in the lines "
        "right above it, speaks of: the author's note that the verification is "
        "elsewhere (a word of `verif`, `signature`, `signed`, `trust`: `# the gateway "
        "verified the signature`), read as a `# noqa: FG503` with its reason; not one "
        "that says the verification is not done (`deferred`, `TODO`, `FIXME`, `not "
        "verified`). "
        "authlib is not "
        "covered: its `decode()` always verifies, with the "
        "algorithms its `JsonWebToken` was built with.\n\n"
        "Where it applies: every layer but tests (a test reads its own tokens' claims "
        "without verifying them on purpose) and development tooling (mci77777's "
        "`scripts/utils/analyze_jwt.py` prints a token's claims for its developer: no "
        "request is served on what it decodes)."
    )
    why = (
        "A token whose signature is not checked proves nothing: anyone can write one. "
        "Without an explicit list of algorithms, a token can choose its own (`alg: none`, "
        "or HS256 signed with a public RSA key). Decode with "
        "`algorithms=['HS256']` (or your one algorithm) and keep verification on."
    )
    bad = (
        Example(
            """
            import jwt


            def user_id(token: str, secret: str) -> str:
                claims = jwt.decode(token, secret, options={"verify_signature": False})
                return claims["sub"]
            """
        ),
        Example(
            """
            from jwt import decode

            def claims(token: str, key: str) -> dict:
                return decode(token, key)
            """,
            note="no algorithms",
        ),
        Example(
            """
            import jwt
            from jose import jwt as jose_jwt

            def claims(token: str, key: str) -> tuple[dict, dict, dict]:
                return (
                    jwt.decode(token, key, None),
                    jwt.decode_complete(token, key, ["HS256"], {"verify_signature": False}),
                    jose_jwt.decode(token, key, ["none", "HS256"]),
                )
            """,
            expect=3,
            also=("FG504",),
            note="positional: `algorithms=None`, verification off, `none` allowed",
        ),
        Example(
            """
            import jwt

            def tenant_user(token: str) -> str | None:
                claims = jwt.decode(token, options={"verify_signature": False})
                if claims.get("aud") == "tenant":
                    return claims["sub"]
                return None
            """,
            note="claims read unverified beyond the audience: the subject is trusted",
        ),
        Example(
            """
            import time

            import jwt

            def session_user(token: str) -> str | None:
                claims = jwt.decode(token, options={"verify_signature": False})
                if "exp" not in claims or claims["exp"] < time.time():
                    return None
                return claims["sub"]
            """,
            note="an expiry checked on unverified claims, then their subject trusted",
        ),
    )
    good = (
        Example(
            """
            import jwt


            def user_id(token: str, secret: str) -> str:
                claims = jwt.decode(token, secret, algorithms=["HS256"], audience="api")
                return claims["sub"]
            """
        ),
        Example(
            """
            from datetime import datetime, timezone

            import jwt


            def is_refresh_token_valid(refresh_token: str | None) -> bool:
                if not refresh_token:
                    return False
                payload = jwt.decode(refresh_token, options={"verify_signature": False})
                if not payload or "exp" not in payload:
                    return False
                return payload["exp"] > datetime.now(tz=timezone.utc).timestamp()
            """,
            path="client/auth.py",
            note="a client reading when its own token expires (diracx's client)",
        ),
        Example(
            """
            import jwt


            async def logout(user: CurrentUser, token: str = Depends(oauth2_scheme)) -> None:
                claims = jwt.decode(token, options={"verify_signature": False})
                jti, exp = claims.get("jti"), claims.get("exp")
                if jti and exp:
                    await deny_list.add(jti, until=exp)
            """,
            path="app/auth/routes.py",
            note="a logout putting the token's id on a deny list until it expires",
        ),
        Example(
            """
            import jwt
            from jose import jwt as jose_jwt

            ALGORITHMS = ["RS256"]

            def claims(token: str, key: str, options: dict, **settings) -> tuple[dict, ...]:
                return (
                    jwt.decode(token, key, ["HS256"]),
                    jwt.decode_complete(token, key, ALGORITHMS, options),
                    jose_jwt.decode(token, key, ["RS256"]),
                    jwt.decode(token, key, **settings),
                )
            """,
            also=("FG504",),
            note=(
                "`algorithms` passed positionally (PyJWT and python-jose), and a call whose "
                "`**kwargs` may hold them"
            ),
        ),
        Example(
            """
            import jwt

            def is_partner_token(token: str) -> bool:
                claims = jwt.decode(token, options={"verify_signature": False})
                return claims.get("aud") == "partner"

            def verify(token: str, key: str, partner_key: str) -> dict:
                chosen = partner_key if is_partner_token(token) else key
                return jwt.decode(token, chosen, algorithms=["HS256"], audience=["api", "partner"])
            """,
            note="the audience read unverified to pick the key of a verified decode",
        ),
        Example(
            """
            import jwt

            from app.auth import Claims, verify_token


            def claims_of(token: str, keys: dict[str, str]) -> Claims | None:
                unverified = jwt.decode(token, options={"verify_signature": False})
                idempotency_key = unverified.get("idk")
                if not isinstance(idempotency_key, str):
                    return None
                return verify_token(token, keys, idempotency_key=idempotency_key)
            """,
            note="a claim peeked to pass to the project's verifier of the same token (julep)",
        ),
        Example(
            """
            import asyncio

            import jwt


            def _decode_token_unverified(raw_token: str) -> dict:
                return jwt.decode(raw_token, options={"verify_signature": False})


            async def login_redirect(user: dict, secret: str) -> str:
                access_token = create_access_token(user, secret)
                payload = jwt.decode(access_token, options={"verify_signature": False})
                return "/admin" if payload["user"]["is_admin"] else "/"


            async def verify_oauth_token(token: str, key: str) -> dict | None:
                unverified = jwt.decode(token, options={"verify_signature": False})
                if unverified.get("iss") not in TRUSTED or "nonce" in unverified:
                    return None
                return await asyncio.to_thread(jwt.decode, token, key, algorithms=["RS256"])
            """,
            note=(
                "a function named for an unverified read; the claims of a token the "
                "function made; a peek before the same token's verified decode "
                "(mcp-context-forge)"
            ),
        ),
        Example(
            """
            import httpx
            import jwt


            async def google_user(code: str, client_id: str, secret: str) -> str:
                async with httpx.AsyncClient() as client:
                    response = await client.post(
                        "https://oauth2.googleapis.com/token",
                        data={
                            "code": code,
                            "client_id": client_id,
                            "client_secret": secret,
                            "grant_type": "authorization_code",
                        },
                    )
                id_token = response.json()["id_token"]
                return jwt.decode(id_token, options={"verify_signature": False})["email"]
            """,
            note="the id_token of the code exchanged at the token endpoint over TLS (OpenID "
            "Connect Core 3.1.3.7; fastapi-auth's Google login)",
        ),
        Example(
            """
            import jwt

            def test_token_carries_the_user_id(token: str) -> None:
                claims = jwt.decode(token, options={"verify_signature": False})
                assert claims["sub"] == "42"
            """,
            path="tests/test_tokens.py",
            note="a test reading its own token's claims",
        ),
        Example(
            """
            import sys

            import jwt

            print(jwt.decode(sys.argv[1], options={"verify_signature": False}))
            """,
            path="scripts/analyze_jwt.py",
            note="a developer's script printing a token's claims (development tooling)",
        ),
        Example(
            """
            import jwt


            class Client:
                def __init__(self, token: str) -> None:
                    jwt.decode(token, options={"verify_signature": False})  # it parses
                    self._token = token
            """,
            note="a format check whose claims nothing reads (morphik's SDK)",
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has("decode", "decode_complete", "get_unverified_claims")

    def may_fire_in(self, structure: Structure) -> bool:
        # `visit_Call`: a JWT decoder called, or python-jose's unverified read
        return structure.layer != "test" and any(
            structure.calls_to(JWT_DECODERS | UNVERIFIED_READERS)
        )

    def visit_Assign(self, node: cst.Assign, ctx: FileContext) -> None:
        # `claims = jwt.decode(...)`: what the function then reads of it (`_peeks`)
        target = node.targets[0].target if len(node.targets) == 1 else None
        if isinstance(node.value, cst.Call) and isinstance(target, cst.Name):
            ctx.stash(self.code + ".assigned").append((id(node.value), target.value))

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        if ctx.layer in ("test", "tooling"):
            return
        called = ctx.qualified_name(node.func)
        if called in UNVERIFIED_READERS:
            # python-jose's `jwt.get_unverified_claims(token)`: the claims, unverified
            # (ohadc55-png's Apple sign-in links the account its `sub` and `email` name:
            # reader 130), as `jwt.decode(token, options={"verify_signature": False})`
            if not (self._peeks(node, ctx) or _deliberate(node, ctx) or _discarded(node, ctx)):
                ctx.report(node, _UNVERIFIED_CLAIMS.format(call=code_of(node.func)))
            return
        if called not in JWT_DECODERS:
            return
        algorithms = _jwt_argument(node, "algorithms")
        options = _jwt_argument(node, "options")
        verify = keyword_arg(node, "verify")
        unverified = verify is not None and dotted_name(verify.value) == "False"
        if isinstance(options, cst.Dict):
            for element in options.elements:
                if (
                    isinstance(element, cst.DictElement)
                    and string_value(element.key) == "verify_signature"
                    and dotted_name(element.value) == "False"
                ):
                    unverified = True
        allows_none = False
        if isinstance(algorithms, cst.List | cst.Tuple):
            allows_none = any(
                (string_value(e.value) or "").lower() == "none" for e in algorithms.elements
            )
        missing = algorithms is None or dotted_name(algorithms) == "None"
        if unverified and not allows_none and (self._peeks(node, ctx) or _deliberate(node, ctx)):
            return  # the claims that pick the key of a verified decode, read unverified
        if unverified and not allows_none and _discarded(node, ctx):
            return  # a format check (`jwt.decode(token, options=...)` alone): no claim read
        if unverified or missing or allows_none:
            ctx.report(node)

    def _peeks(self, node: cst.Call, ctx: FileContext) -> bool:
        """Whether the unverified claims are only read for what routes the token to its
        verification (`claims = jwt.decode(token, options={...: False})` then only
        `claims.get("aud")`, `claims["iss"]`): the issuer or audience that picks the key
        of a verified decode, the usual multi-tenant peek."""
        name = next((n for call, n in ctx.stash(self.code + ".assigned") if call == id(node)), None)
        function = ctx.function
        if name is None or function is None:
            return False
        uses = peeks = 0
        for inner in descendants(function.node.body):
            if isinstance(inner, cst.Name) and inner.value == name:
                uses += 1
            elif isinstance(inner, cst.Subscript) and _names(inner.value, name):
                elements = inner.slice
                key = elements[0].slice if len(elements) == 1 else None
                if isinstance(key, cst.Index) and string_value(key.value) in _ROUTING_CLAIMS:
                    peeks += 1
            elif (
                isinstance(inner, cst.Comparison)
                and len(inner.comparisons) == 1
                and isinstance(inner.comparisons[0].operator, cst.In | cst.NotIn)
                and _names(inner.comparisons[0].comparator, name)
                and string_value(inner.left) in _ROUTING_CLAIMS
            ):
                peeks += 1  # `"exp" in claims`
            elif (
                isinstance(inner, cst.UnaryOperation)
                and isinstance(inner.operator, cst.Not)
                and _names(inner.expression, name)
            ):
                peeks += 1  # `if not claims`
            elif (
                isinstance(inner, cst.Call)
                and isinstance(inner.func, cst.Attribute)
                and inner.func.attr.value == "get"
                and _names(inner.func.value, name)
                and inner.args
                and string_value(inner.args[0].value) in _ROUTING_CLAIMS
            ):
                peeks += 1
        return uses > 0 and uses == peeks + 1  # the assignment's own target counts once


#: Claims that say where a token is to be verified (its audience, issuer, tenant, key),
#: when it expires (a client deciding to refresh its own token), or its id (a logout
#: putting it on a deny list until it expires): read unverified, they grant nothing.
_ROUTING_CLAIMS = frozenset({"aud", "iss", "tid", "kid", "azp", "exp", "iat", "nbf", "jti"})
#: Words of a function's name that state it reads a token unverified on purpose (as
#: python-jose's `get_unverified_claims()`): its callers decide what to trust.
_UNVERIFIED_WORDS = ("unverified", "insecure", "without_verification")
#: Words of a callee that makes a token (`create_access_token`, `jwt.encode`).
_MINTING_WORDS = ("create", "encode", "issue", "mint", "sign")


def _deliberate(node: cst.Call, ctx: FileContext) -> bool:
    """Whether an unverified decode is one on purpose: in a function whose name says so
    (`_decode_token_unverified`), of a token the function made (`token =
    create_access_token(...)`, then its claims read back), or of a token the function
    also decodes with verification (a peek before the verified decode, whatever it
    reads: `jwt.decode(token, key, algorithms=[...])`, or `jwt.decode` handed to a thread
    runner with the token)."""
    function = ctx.function
    if function is None or not node.args:
        return False
    if isinstance(function.node, cst.FunctionDef):
        name = function.node.name.value.lower()
        if any(word in name for word in _UNVERIFIED_WORDS):
            return True
    token = node.args[0].value
    if not isinstance(token, cst.Name):
        return False
    if _from_the_token_endpoint(token, function.node):
        return True
    for inner in descendants(function.node.body):
        if isinstance(inner, cst.Assign) and isinstance(inner.value, cst.Call | cst.Await):
            made = inner.value.expression if isinstance(inner.value, cst.Await) else inner.value
            targets = [t.target for t in inner.targets]
            callee = (
                (dotted_name(made.func) or "").rpartition(".")[2].lower()
                if isinstance(made, cst.Call)
                else ""
            )
            if any(_names(t, token.value) for t in targets) and any(
                word in callee for word in _MINTING_WORDS
            ):
                return True
        elif isinstance(inner, cst.Call) and inner is not node and _verifies(inner, token, ctx):
            return True
    return False


def _from_the_token_endpoint(token: cst.Name, function: cst.CSTNode) -> bool:
    """Whether the token is the `id_token` of the answer to the authorization code the
    function exchanges itself (`"grant_type": "authorization_code"`, then `id_token =
    data.get("id_token")` or `data["id_token"]`): received straight from the provider's
    token endpoint over TLS, OpenID Connect lets the client trust it without checking its
    signature (Core 3.1.3.7; pegov's Google login, reader 83)."""
    exchanges = named = False
    for inner in descendants(function):
        if isinstance(inner, cst.SimpleString) and string_value(inner) == "authorization_code":
            exchanges = True
        elif (
            isinstance(inner, cst.Assign)
            and any(_names(target.target, token.value) for target in inner.targets)
            and any(
                isinstance(part, cst.SimpleString) and string_value(part) == "id_token"
                for part in descendants(inner.value)
            )
        ):
            named = True
    return exchanges and named


def _verifies(call: cst.Call, token: cst.Name, ctx: FileContext) -> bool:
    """Whether a call decodes `token` with verification left on: a JWT decoder called with
    it and `algorithms`, or handed with it to another call (`asyncio.to_thread(jwt.decode,
    token, **kwargs)`), with no `verify_signature: False` or `verify=False` written in it;
    or a function whose name says it verifies (`verify_token(token, ...)`) given it."""
    values = [arg.value for arg in call.args]
    callee = (dotted_name(call.func) or "").rpartition(".")[2].lower()
    if (
        "verify" in callee
        and not callee.startswith("un")
        and any(_names(v, token.value) for v in values)
    ):
        # a verifier of the project given the token (julep's `verify_token(token,
        # verify_keys=..., idempotency_key=idk)`: the claim peeked is one it checks)
        return True
    if ctx.qualified_name(call.func) in JWT_DECODERS:
        decodes = bool(values) and _names(values[0], token.value)
        algorithms = _jwt_argument(call, "algorithms")
        if not decodes or algorithms is None or dotted_name(algorithms) == "None":
            return False
        if isinstance(algorithms, cst.List | cst.Tuple) and any(
            (string_value(e.value) or "").lower() == "none" for e in algorithms.elements
        ):
            return False
    elif not (
        any(ctx.qualified_name(v) in JWT_DECODERS for v in values)
        and any(_names(v, token.value) for v in values)
    ):
        return False
    for inner in descendants(call):
        if isinstance(inner, cst.DictElement) and string_value(inner.key) == "verify_signature":
            if dotted_name(inner.value) == "False":
                return False
        elif (
            isinstance(inner, cst.Arg)
            and inner.keyword is not None
            and inner.keyword.value == "verify"
            and dotted_name(inner.value) == "False"
        ):
            return False
    return True


def _names(expr: cst.BaseExpression, name: str) -> bool:
    return isinstance(expr, cst.Name) and expr.value == name


#: What `_jwt_argument` answers when `*args` or `**kwargs` may pass the argument.
@functools.cache
def _unknown() -> cst.BaseExpression:
    """What `_jwt_argument` answers when `*args` or `**kwargs` may pass the argument."""
    return cst.Name("__unknown__")


def _jwt_argument(call: cst.Call, name: str) -> cst.BaseExpression | None:
    """The value a JWT decoder receives for `name`, by keyword or by position; None when
    it is not passed; `_unknown()` when `*args` or `**kwargs` may pass it."""
    given = keyword_arg(call, name)
    if given is not None:
        return given.value
    position = _JWT_POSITIONS[name]
    index = 0
    for arg in call.args:
        if arg.star == "*":
            return _unknown()
        if arg.keyword is None and arg.star == "":
            if index == position:
                return arg.value
            index += 1
    if any(arg.star == "**" for arg in call.args):
        return _unknown()
    return None


class UnmaintainedAuthLibrary(Rule):
    code = "FG504"
    name = "unmaintained-auth-library"
    family = "security"
    message = "Unmaintained authentication library"
    summary = (
        "Checks for imports of python-jose, and of passlib in a project that hashes with "
        "bcrypt (a file of it names bcrypt outside its comments: "
        '`CryptContext(schemes=["bcrypt"])`, a settings value), where passlib fails with '
        "bcrypt 5.0 (4.1-4.3 log an error at "
        "start-up and work); not where the project's pins admit no bcrypt 5.0 (passlib "
        "works with it: a note when the selection names FG504), nor in a file whose "
        '`CryptContext(schemes=["argon2"])` names its hashers, bcrypt not among them (a '
        "note when named), nor python-jose where "
        "they admit nothing below 3.4.0, which fixed its 2024 advisories (a lock at 3.5.0, "
        "`>=3.4`), or where a fresh install gets 3.4.0 or later (a floor, `>=3.3` or no "
        "version, and no lock holding an older release; a note to raise the floor when "
        "named): reported where they admit only older releases (`==3.3.0`, `<3.4`, a lock "
        "at 3.3.0) in a project with asymmetric keys (a file of it names an algorithm such "
        "as `RS256`, `ES256` or `RSA-OAEP`, a JWK set or a PEM public key: both advisories "
        "need one; HMAC-signed tokens get a note when named), or where nothing pins it (a "
        "new import); once per file, on its first import of python-jose (and once per "
        "service: below). "
        "With its other hashers "
        "(`pbkdf2_sha256`, `sha256_crypt`) passlib works, unmaintained, and leaving it means "
        "rehashing the stored passwords: reported only when the selection names FG504, as "
        "a note; so is passlib where the project pins libpass, its maintained fork (the "
        "same `passlib` package). A file whose contexts hash with another scheme first and "
        'keep bcrypt to verify the stored hashes (`schemes=["argon2", "bcrypt"]`) is '
        "reported with what fails there: checking a stored bcrypt hash. A file that "
        "imports only passlib's exceptions (`from passlib.exc import UnknownHashError`, "
        "to catch them) hashes nothing: the file that hashes is reported, this one when "
        "the selection names FG504; nor does one whose passlib import its code never uses "
        "(ruff's F401; uses only in comments, `# return bcrypt.verify(...)`, are none).\n\n"
        "Where it applies: every layer but tests (a test forging tokens or hashes follows "
        "the service's move; a library only tests import decodes no caller's token). One "
        "finding per library and service (or sub-service): on the first of its modules "
        "by name that reports it; the others are held back, counted in the closing line, "
        "and listed when the selection names FG504 (the move is one pin or one "
        "migration)."
    )
    why = (
        "passlib has had no release since 2020. With bcrypt 4.1-4.3 it logs a caught "
        "error at start-up (it reads `bcrypt.__about__`, which is gone) and works; bcrypt "
        "5.0 refuses secrets over 72 bytes and passlib's start-up self-test hashes one, so "
        "the first hash raises `ValueError`. "
        "python-jose went without a release from 3.3.0 (2021) to 3.4.0 (2025), which "
        "fixed two 2024 advisories (CVE-2024-33663, an algorithm confusion with ECDSA "
        "keys, and CVE-2024-33664, a JWE decompression bomb); it is released again, "
        "rarely, and FastAPI's documentation moved from it to PyJWT. Use pwdlib (Argon2 "
        "by default; `PasswordHash((Argon2Hasher(), BcryptHasher()))`, `pwdlib[bcrypt]`, "
        "keeps verifying the stored bcrypt hashes, and `verify_and_update()` rehashes one "
        "with Argon2 at login) for passwords and PyJWT for signed tokens; for encrypted tokens "
        "(`jose.jwe`), which PyJWT does not support, joserfc, jwcrypto or authlib."
    )
    bad = (
        Example(
            """
            from jose import jwt
            from passlib.context import CryptContext

            pwd_context = CryptContext(schemes=["bcrypt"], deprecated="auto")
            """,
            expect=2,
        ),
        Example(
            """
            from jose import jwe

            def seal(claims: bytes, key: bytes) -> bytes:
                return jwe.encrypt(claims, key, algorithm="dir", encryption="A256GCM")
            """,
            note="JWE, which PyJWT lacks: the message names joserfc, jwcrypto, authlib",
        ),
        Example(
            """
            from passlib.context import CryptContext

            pwd_context = CryptContext(schemes=["argon2", "bcrypt"], deprecated="auto")
            """,
            note=(
                "new passwords hash with argon2, which works; bcrypt 5 fails only to check "
                "a stored bcrypt hash: the message says so"
            ),
        ),
    )
    good = (
        Example(
            """
            import jwt
            from pwdlib import PasswordHash

            password_hash = PasswordHash.recommended()
            """
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.has_package(*UNMAINTAINED)

    def visit_Import(self, node: cst.Import, ctx: FileContext) -> None:
        for alias in node.names:
            self._check(alias, dotted_name(alias.name), ctx)

    def visit_ImportFrom(self, node: cst.ImportFrom, ctx: FileContext) -> None:
        if not node.relative and node.module is not None:
            self._check(node, dotted_name(node.module), ctx)

    @staticmethod
    def _check(node: cst.CSTNode, module: str | None, ctx: FileContext) -> None:
        library = (module or "").split(".")[0]
        if library not in UNMAINTAINED or ctx.layer == "test":
            # (a test forging tokens or hashes follows the service's move: 0x5chn0uf's
            # eight test modules importing python-jose, reader 102)
            return
        before = len(ctx.reports)
        UnmaintainedAuthLibrary._check_import(node, module, ctx)
        spec = _passlib_reached(ctx) if library == "passlib" and before < len(ctx.reports) else None
        if spec is not None:
            # nothing runs what the file hashes with, unless a name of it is used:
            # rishabhh1809's and kapelukh's `hash_password` and `verify_password`, which
            # nothing calls (readers 194 and 199): dead helpers, whose fix is deletion
            runs = Condition((), frozenset(), fact=used_fact("FG504", REACHED + spec))
            for index in range(before, len(ctx.reports)):
                report = ctx.reports[index]
                ctx.reports[index] = report._replace(condition=conjoin(report.condition, runs))
        if ctx.module_name is None:
            return
        # one finding per library and project, on the first of its modules importing it:
        # the pin or the move is one (readers 100-102: the copies, not worth a change)
        fact = used_fact("FG504", f"{FIRST}{library}:{ctx.module_name}")
        once = Condition((), frozenset(), fact=fact)
        for index in range(before, len(ctx.reports)):
            report = ctx.reports[index]
            ctx.reports[index] = report._replace(condition=conjoin(report.condition, once))

    @staticmethod
    def _check_import(node: cst.CSTNode, module: str | None, ctx: FileContext) -> None:
        parts = (module or "").split(".")
        if parts[0] == "jose":
            # one finding per file, on its first import of python-jose: the move is the
            # file's (`from jose import jwt` and `from jose.exceptions import JWTError`)
            imports = _jose_imports(ctx)
            if imports and imports[0] is not node:
                return
            if ctx.package_guaranteed("python-jose", "3.4.0"):
                # the pins admit only releases with the 2024 advisories fixed (3.4.0, 2025)
                if ctx.names("FG504"):
                    ctx.report(node, _JOSE_PATCHED_NOTE)
                return
            if ctx.package_pinned("python-jose") and ctx.package_at_least("python-jose", "3.4"):
                # a floor below 3.4 (`>=3.3`, no version) and no lock: a fresh install gets
                # the fixed release (three readers judged 11 such findings, none worth a
                # change); an old environment may keep 3.3.0, which raising the floor fixes
                if ctx.names("FG504"):
                    ctx.report(node, _JOSE_FLOOR)
                return
            names = {part for found in imports for part in _jose_parts(found)}
            message = next(
                (_JOSE_PARTS[part] for part in ("jwe", "jwk") if part in names),
                UNMAINTAINED["jose"],
            )
            if not ctx.package_pinned("python-jose"):
                # nothing pins it: in new code a new dependency, PyJWT instead; in existing
                # code a fresh install gets the newest release (`JOSE_UNPINNED_SELECTED`)
                unpinned = Condition((), frozenset(), fact=JOSE_UNPINNED_SELECTED)
                ctx.report_if(node, unpinned, message)
                return
            # the pins admit only releases with the advisories (`==3.3.0`, a lock at 3.3.0):
            # they reach a project with asymmetric keys; HMAC-signed tokens (`HS256` and a
            # secret) are safe from both (the twenty-third reader: 11 of 12 such findings
            # not worth a change, the CVEs not applying)
            # (the one-line alternative: the release that fixed both, saptadi73's pin
            # `python-jose[cryptography]==3.3.0` beside RS256 keys, reader 95)
            message += "; or, to keep it, require `python-jose>=3.4.0` (it fixed both advisories)"
            ctx.report_if(node, Condition((), frozenset(), fact=JOSE_ASYMMETRIC), message)
            if ctx.names("FG504"):
                hmac = Condition((), frozenset(), fact=JOSE_ASYMMETRIC, negated=True)
                ctx.report_if(_module_name_of(node), hmac, _JOSE_HMAC_NOTE)
            return
        if parts[:2] == ["passlib", "exc"] and _only_passlib_exceptions(ctx):
            # nothing here hashes: the file catches passlib's errors (zayycev22's user
            # model, `except UnknownHashError`, reader 88), bcrypt 5 breaks the file that
            # hashes, which gets the finding; the move reaches this file, so a selection
            # naming the rule still sees it
            if ctx.names("FG504"):
                ctx.report(node, UNMAINTAINED["passlib"])
            return
        if parts[0] == "passlib" and _unused_import(node, ctx):
            # nothing of it runs here (Azadron228's `auth.py` and solomonya's teacher
            # service import `CryptContext` and never use it: reader 70): ruff's F401 says
            # to remove the import; the files that hash with it get the finding
            return
        if parts[0] == "passlib" and ctx.package_pinned("libpass"):
            # libpass, passlib's maintained fork, installs the same `passlib` package and
            # works with bcrypt 5 (onyx pins it: the nineteenth reader's false finding)
            if ctx.names("FG504"):
                ctx.report(node, _LIBPASS_NOTE)
            return
        if parts[0] == "passlib" and not ctx.package_at_least("bcrypt", "5.0"):
            # the project's bcrypt pins admit no 5.0: passlib works with that bcrypt
            if ctx.names("FG504"):
                ctx.report(node, _PASSLIB_PINNED_NOTE)
            return
        if parts[0] == "passlib" and ctx.package_not_locked("bcrypt"):
            # the project's lock installs no bcrypt: passlib's bcrypt hashes run on the
            # system's crypt(3) (measured: its `os_crypt` backend on Debian), not on the
            # package whose 5.0 breaks it (readers 56 and 60: lameque's, kamran's)
            if ctx.names("FG504"):
                ctx.report(node, _PASSLIB_NOTE)
            return
        if parts[0] == "passlib" and _hashes_without_bcrypt(ctx):
            # the file's own `CryptContext` names its hashers, bcrypt not among them
            if ctx.names("FG504"):
                ctx.report(node, _PASSLIB_NOTE)
            return
        first = _first_schemes(ctx) if parts[0] == "passlib" else None
        if first is not None:
            # every context of the file hashes with another scheme first: bcrypt only
            # verifies, and only that fails
            ctx.report(node, _PASSLIB_VERIFY_ONLY.format(first=first))
            return
        if parts[0] == "passlib" and not _names_bcrypt(ctx):
            # passlib works with its other hashers: the bug is bcrypt's, the project's
            # other files may name it (`HASH_SCHEMES = ["bcrypt"]` in its settings)
            bcrypt = Condition((), frozenset(), fact=BCRYPT_HASHING)
            ctx.report_if(node, bcrypt, UNMAINTAINED["passlib"])
            if ctx.names("FG504"):
                no_bcrypt = Condition((), frozenset(), fact=BCRYPT_HASHING, negated=True)
                ctx.report_if(_module_name_of(node), no_bcrypt, _PASSLIB_NOTE)
            return
        ctx.report(node, UNMAINTAINED[parts[0]])


def _passlib_reached(ctx: FileContext) -> str | None:
    """The names through which what a file binds by importing passlib may run
    (`checks.project_facts.REACHED`): its module-level functions and classes that use
    it, directly or through its module-level variables, and those variables (with how
    often the file writes each). None where a statement of another kind uses it (it
    runs at import: a call, an `if`, a `try`), where a decorated one does (a decorator
    may register it: a route), where no function or class uses it (a module making a
    context other modules import), or the file cannot be read."""
    if ctx.source is None:
        return None
    tainted: set[str] = set()
    statements: list[tuple[list[str] | None, set[str]]] = []
    for statement in ctx.module.body:
        imports = _imports_of(statement)
        if imports is not None:
            tainted.update(bound for module, bound in imports if module.split(".")[0] == "passlib")
            continue
        statements.append((_defined_names(statement), _names_in(statement)))
    if not tainted:
        return None
    imported = set(tainted)
    grown = True
    while grown:
        grown = False
        for defined, names in statements:
            if names.isdisjoint(tainted) or (defined and tainted.issuperset(defined)):
                continue
            if defined is None:
                return None  # (it runs at import)
            tainted.update(defined)
            grown = True
    definitions = [
        statement
        for statement in ctx.module.body
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef))
        and statement.name.value in tainted
    ]
    if any(definition.decorators for definition in definitions):
        return None  # (a decorator may register it: a route, a start-up hook, a task)
    functions = sorted(definition.name.value for definition in definitions)
    if not functions:
        return None  # (a context alone: what the helpers that hash with it are is unknown)
    # (the names passlib binds are the library's: other modules import them themselves)
    variables = sorted(tainted.difference(functions, imported))
    counts = [f"{name}:{written_times(name, ctx.source)}" for name in variables]
    return f"def={','.join(functions)};var={','.join(counts)}"


def _imports_of(statement: cst.CSTNode) -> list[tuple[str, str]] | None:
    """The modules a statement of imports imports with the names each binds (None: not
    a line of imports)."""
    if not isinstance(statement, cst.SimpleStatementLine):
        return None
    found: list[tuple[str, str]] = []
    for small in statement.body:
        if isinstance(small, cst.Import):
            for alias in small.names:
                module = dotted_name(alias.name) or ""
                bound = alias.asname.name if alias.asname else None
                name = bound.value if isinstance(bound, cst.Name) else module.split(".")[0]
                found.append((module, name))
        elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
            origin = small.module
            module = "" if small.relative or origin is None else dotted_name(origin) or ""
            for name_alias in small.names:
                bound_name = name_alias.asname.name if name_alias.asname else name_alias.name
                if isinstance(bound_name, cst.Name):
                    found.append((module, bound_name.value))
        else:
            return None
    return found


def _defined_names(statement: cst.CSTNode) -> list[str] | None:
    """The names a module-level definition binds (a `def`, a `class`, an assignment to
    names); None for a statement of another kind."""
    if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
        return [statement.name.value]
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.Assign):
        targets = [target.target for target in small.targets]
    elif isinstance(small, cst.AnnAssign):
        targets = [small.target]
    else:
        return None
    if not all(isinstance(target, cst.Name) for target in targets):
        return None
    return [target.value for target in targets if isinstance(target, cst.Name)]


def _names_in(node: cst.CSTNode) -> set[str]:
    """The identifiers a node's code writes (every `Name` in it)."""
    return {found.value for found in descendants(node) if isinstance(found, cst.Name)}


def _only_passlib_exceptions(ctx: FileContext) -> bool:
    """Whether every import of passlib in the file is one of `passlib.exc`'s."""
    for statement in ctx.module.body:
        for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
            if isinstance(small, cst.Import):
                modules = [dotted_name(alias.name) or "" for alias in small.names]
            elif isinstance(small, cst.ImportFrom) and not small.relative and small.module:
                modules = [dotted_name(small.module) or ""]
            else:
                continue
            if any(m.split(".")[0] == "passlib" and m != "passlib.exc" for m in modules):
                return False
    return True


def _unused_import(node: cst.CSTNode, ctx: FileContext) -> bool:
    """Whether every name an import binds is written nowhere else in the file's code (as a
    whole word; a string that may name it keeps the import used, not a comment: ilysth's
    `from passlib.hash import bcrypt` whose every use, `# return bcrypt.verify(...)`, is
    commented out, reader 220)."""
    if isinstance(node, cst.ImportAlias):
        aliases = [node]
    elif isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar):
        aliases = list(node.names)
    else:
        return False  # `from passlib.hash import *`
    if ctx.source is None or not aliases:
        return False
    for alias in aliases:
        bound: cst.BaseExpression = alias.asname.name if alias.asname else alias.name
        if isinstance(node, cst.ImportAlias) and alias.asname is None:
            while isinstance(bound, cst.Attribute):  # `import passlib.context` binds `passlib`
                bound = bound.value
        if not isinstance(bound, cst.Name):
            return False
        word = re.escape(bound.value.encode())
        source = ctx.source
        found = re.finditer(rb"(?<![\w.])" + word + rb"(?!\w)", source)
        if sum(in_code(source, match.start(), match.end()) for match in found) > 1:
            return False
    return True


def _module_name_of(node: cst.CSTNode) -> cst.CSTNode:
    """Where a note whose condition negates a finding's goes: the import's module name (one
    finding per rule and node, and only one of the two conditions holds)."""
    if isinstance(node, cst.ImportFrom) and node.module is not None:
        return node.module
    if isinstance(node, cst.ImportAlias):
        return node.name
    return node


def _jose_imports(ctx: FileContext) -> list[cst.CSTNode]:
    """The file's imports of python-jose, in order: `from jose... import` statements and
    `import jose...` aliases (the nodes `_check` is given)."""
    stash = ctx.stash("FG504.jose")
    if not stash:
        found: list[cst.CSTNode] = []
        stack: list[cst.CSTNode] = [ctx.module]
        while stack:  # in the order of the text; statements only (imports are none's part)
            node = stack.pop()
            if isinstance(node, cst.ImportFrom):
                if not node.relative and _is_jose(node.module):
                    found.append(node)
            elif isinstance(node, cst.Import):
                found += [alias for alias in node.names if _is_jose(alias.name)]
            else:
                stack += reversed(
                    [
                        child
                        for child in child_nodes(node)
                        if not isinstance(child, cst.BaseExpression)
                    ]
                )
        stash.append(found)
    imports: list[cst.CSTNode] = stash[0]
    return imports


def _is_jose(module: cst.BaseExpression | None) -> bool:
    return module is not None and (dotted_name(module) or "").split(".")[0] == "jose"


def _jose_parts(node: cst.CSTNode) -> set[str | None]:
    """The parts of python-jose an import names (`jwe` of `from jose import jwe`,
    `from jose.jwe import encrypt`, `import jose.jwe`)."""
    if isinstance(node, cst.ImportAlias):
        return set((dotted_name(node.name) or "").split(".")[1:2])
    assert isinstance(node, cst.ImportFrom)
    module = dotted_name(node.module) if node.module is not None else None
    names: set[str | None] = set((module or "").split(".")[1:2])
    if not isinstance(node.names, cst.ImportStar):
        names |= {dotted_name(alias.name) for alias in node.names}
    return names


def _names_bcrypt(ctx: FileContext) -> bool:
    source = ctx.source if ctx.source is not None else ctx.module.code.encode()
    return names_bcrypt(source)


def _hashes_without_bcrypt(ctx: FileContext) -> bool:
    """Whether the file makes its `CryptContext`s with their schemes written out
    (`CryptContext(schemes=["argon2"])`), and names bcrypt nowhere: its passwords are
    hashed with those, which passlib handles, whatever another file of the project uses."""
    source = ctx.source if ctx.source is not None else ctx.module.code.encode()
    if names_bcrypt(source):
        return False
    made = len(_CRYPT_CONTEXT.findall(source))
    return made > 0 and made == len(_LITERAL_SCHEMES.findall(source))


#: A scheme of a literal `schemes=[...]` list.
_SCHEME = lazy_pattern(rb"[\"']([\w-]*)[\"']")


def _first_schemes(ctx: FileContext) -> str | None:
    """The scheme the file's `CryptContext`s hash new passwords with, where every one of
    them writes its schemes out, puts one other than bcrypt first (passlib hashes with the
    first) and names bcrypt after it (to verify the stored hashes); else None. The file
    names bcrypt nowhere else but in a `deprecated=[...]` list (a
    `CryptContext(schemes=["bcrypt"])` elsewhere in it, a `bcrypt.hashpw` call, or a
    `default="bcrypt"`, may hash with it)."""
    source = ctx.source if ctx.source is not None else ctx.module.code.encode()
    made = len(_CRYPT_CONTEXT.findall(source))
    lists = [m.group(0) for m in _LITERAL_SCHEMES.finditer(source)]
    if made == 0 or made != len(lists):
        return None
    firsts: set[str] = set()
    for written in lists:
        schemes = [m.group(1).decode() for m in _SCHEME.finditer(written)]
        if "bcrypt" in schemes[0].lower() or not any("bcrypt" in s.lower() for s in schemes):
            return None
        firsts.add(schemes[0])
    rest = source
    # (and the schemes it deprecates, which only verify: Lyriom's `deprecated=["bcrypt"]`
    # beside `schemes=["pbkdf2_sha256", "bcrypt"]`, reader 170)
    for written in [*lists, *(m.group(0) for m in _DEPRECATED_SCHEMES.finditer(source))]:
        rest = rest.replace(written, b"")
    if names_bcrypt(rest) or len(firsts) != 1:
        return None
    return firsts.pop()


def _discarded(node: cst.Call, ctx: FileContext) -> bool:
    """Whether a call is a statement of its own, its result dropped: an unverified decode
    there only checks that the token parses (morphik's SDK: `jwt.decode(self._auth_token,
    options={"verify_signature": False})` as "basic token validation"), and no claim of it
    is trusted."""
    statement = ctx.within[-1] if ctx.within else None
    return isinstance(statement, cst.SimpleStatementLine) and any(
        isinstance(small, cst.Expr) and small.value is node for small in statement.body
    )
