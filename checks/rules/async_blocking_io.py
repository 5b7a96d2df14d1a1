"""FG302 / FG303: blocking HTTP and other blocking calls inside `async def`."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from checks.context import FileContext
from checks.prefilter import Evidence
from checks.rule import Example, Rule

_REQUESTS_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "request")
BLOCKING_HTTP = {
    **{f"requests.{m}": "httpx.AsyncClient" for m in _REQUESTS_METHODS},
    **{f"requests.api.{m}": "httpx.AsyncClient" for m in _REQUESTS_METHODS},
    "requests.Session": "httpx.AsyncClient",
    **{f"httpx.{m}": "an httpx.AsyncClient" for m in (*_REQUESTS_METHODS, "stream")},
    "httpx.Client": "httpx.AsyncClient",
    "urllib.request.urlopen": "httpx.AsyncClient",
    "http.client.HTTPConnection": "httpx.AsyncClient",
    "http.client.HTTPSConnection": "httpx.AsyncClient",
}
BLOCKING_CALLS = {
    "subprocess.run": "`await asyncio.create_subprocess_exec(...)`",
    "subprocess.call": "`await asyncio.create_subprocess_exec(...)`",
    "subprocess.check_call": "`await asyncio.create_subprocess_exec(...)`",
    "subprocess.check_output": "`await asyncio.create_subprocess_exec(...)`",
    "subprocess.getoutput": "`await asyncio.create_subprocess_shell(...)`",
    "subprocess.getstatusoutput": "`await asyncio.create_subprocess_shell(...)`",
    "os.system": "`await asyncio.create_subprocess_shell(...)`",
    "os.popen": "`await asyncio.create_subprocess_shell(...)`",
    "os.wait": "`await process.wait()` on an asyncio subprocess",
    "os.waitpid": "`await process.wait()` on an asyncio subprocess",
}


class _BlockingInAsync(Rule):
    calls: ClassVar[dict[str, str]]

    def may_fire(self, evidence: Evidence) -> bool:
        if not evidence.has("async"):
            return False
        if "input" in self.calls and evidence.has("input"):
            return True
        packages = {name.split(".", 1)[0] for name in self.calls if "." in name}
        names = {name.rpartition(".")[2] for name in self.calls}
        return evidence.has_package(*packages) and evidence.has(*names)

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        if not ctx.in_async_function:
            return
        name = ctx.qualified_name(node.func)
        if name is None and self._is_builtin_input(node.func, ctx):
            name = "input"
        replacement = self.calls.get(name or "")
        if replacement is not None:
            ctx.report(
                node,
                f"`{name}()` blocks the event loop inside `async def`: use {replacement}",
            )

    @staticmethod
    def _is_builtin_input(func: cst.BaseExpression, ctx: FileContext) -> bool:
        return isinstance(func, cst.Name) and func.value == "input" and not ctx.is_bound("input")


class BlockingHttpInAsync(_BlockingInAsync):
    code = "FG302"
    name = "blocking-http-in-async"
    family = "async"
    calls = BLOCKING_HTTP
    message = "Blocking HTTP call inside `async def`: use `httpx.AsyncClient`"
    summary = (
        "Checks for blocking HTTP clients called in an `async def`: `requests`, `httpx`'s "
        "module functions and `httpx.Client`, `urllib.request.urlopen`, `http.client`."
    )
    why = (
        "A blocking HTTP call in a coroutine stops the event loop for the whole round trip "
        "(often hundreds of milliseconds, or a timeout): every other request of the worker "
        "waits. Use `httpx.AsyncClient` (one client for the app, created in the lifespan), "
        "or run legacy code with `await asyncio.to_thread(...)`."
    )
    bad = (
        Example(
            """
            import requests


            async def fetch_rates() -> dict[str, float]:
                return requests.get("https://rates.example.com/latest", timeout=5).json()
            """
        ),
        Example(
            """
            import httpx
            from urllib.request import urlopen

            async def probe(url: str) -> int:
                with httpx.Client() as client:
                    client.get(url)
                return urlopen(url).status + httpx.get(url).status_code
            """,
            expect=3,
        ),
    )
    good = (
        Example(
            """
            import httpx


            async def fetch_rates(client: httpx.AsyncClient) -> dict[str, float]:
                response = await client.get("https://rates.example.com/latest")
                return response.json()
            """
        ),
        Example(
            """
            import asyncio

            import requests

            def fetch_sync(url: str) -> bytes:
                return requests.get(url, timeout=5).content

            async def fetch(url: str) -> bytes:
                return await asyncio.to_thread(fetch_sync, url)
            """,
            note="sync helper run in a thread",
        ),
    )


class BlockingCallInAsync(_BlockingInAsync):
    code = "FG303"
    name = "blocking-call-in-async"
    family = "async"
    calls: ClassVar[dict[str, str]] = {
        **BLOCKING_CALLS,
        "input": "a request parameter (no terminal input in a server)",
    }
    message = "Blocking call inside `async def`"
    summary = (
        "Checks for other blocking calls in an `async def`: `subprocess.run`/`call`/"
        "`check_output`, `os.system`, `os.popen`, `os.wait`, `input()`."
    )
    why = (
        "These wait for another process (or a terminal) on the event loop thread: the "
        "worker serves nothing else until they return. asyncio has non-blocking "
        "equivalents (`asyncio.create_subprocess_exec`), and `asyncio.to_thread` runs "
        "anything else off the loop."
    )
    bad = (
        Example(
            """
            import subprocess


            async def render_pdf(path: str) -> None:
                subprocess.run(["wkhtmltopdf", path, path + ".pdf"], check=True)
            """
        ),
        Example(
            """
            import os
            from subprocess import check_output

            async def info() -> str:
                os.system("sync")
                name = input("name? ")
                return check_output(["uname"]).decode() + name
            """,
            expect=3,
        ),
    )
    good = (
        Example(
            """
            import asyncio


            async def render_pdf(path: str) -> None:
                process = await asyncio.create_subprocess_exec("wkhtmltopdf", path, path + ".pdf")
                await process.wait()
            """
        ),
        Example(
            """
            import subprocess

            def render_sync(path: str) -> None:
                subprocess.run(["wkhtmltopdf", path], check=True)

            async def ask(input: str) -> str:
                return input.upper()
            """,
            note="a sync function; a parameter named input",
        ),
    )
