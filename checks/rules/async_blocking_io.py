"""FG302 / FG303: blocking HTTP and other blocking calls inside `async def`."""

from __future__ import annotations

import ast
import functools
import re
import sys
from collections.abc import Collection, Iterator, Mapping
from typing import ClassVar

from checks.blocking import (
    AIO_CLIENTS,
    ASYNC_NAMESPACES,
    BLOCKING_CALLS,
    BLOCKING_CLIENTS,
    BLOCKING_HTTP,
    CLIENT_CONSTRUCTORS,
    CLIENT_LOCAL_METHODS,
    CLIENT_MAKERS,
    CLIENT_REQUEST,
    DERIVATIONS,
    DIGEST_COMPARISONS,
    HELPER_BLOCKS,
    HELPER_REQUESTS,
    LANGCHAIN_CHAT_MODELS,
    NEW_PASSWORD_HASHES,
    OPENAI_V0_REQUESTS,
    PASSWORD_HASHER_MAKERS,
    PASSWORD_HASHER_METHODS,
    PASSWORD_HASHERS,
    PASSWORD_HASHING,
    PASSWORD_VERIFYING,
    POPEN,
    POPEN_BLOCKING_USES,
    POPEN_PIPES,
    POPEN_WAITS,
    PSUTIL_INTERVALS,
    SESSION_REQUESTS,
    STRIPE_REQUESTS,
    WAITS_WITH_OPTIONS,
    YOOKASSA_REQUESTS,
    checked,
    client_of,
    describe_call,
    is_client_request,
    is_resource_request,
    sends,
    waits_an_interval,
)
from checks.context import (
    DEPENDS,
    ClassInfo,
    FileContext,
    code_of,
    descendants,
    keyword_arg,
    module_definitions,
    node_memo,
    own_descendants,
)
from checks.lazy import lazy_pattern
from checks.lazy import libcst as cst
from checks.prefilter import Evidence
from checks.project import (
    ANY_RETURNED,
    BLOCKS,
    CALL,
    CALL_CHAIN,
    COMPARED,
    HELD_CHAIN,
    PUBLIC_CALLER_ROOT,
    Condition,
    returned_owner,
)
from checks.project_facts import NEW_PASSWORD_HASH_SELECTED, PUBLIC_CALLER, PUBLIC_ROUTE_OF
from checks.public_routes import public_message
from checks.rule import Example, Rule
from checks.rules.sqlalchemy_sessions import idle_route_hint, runs_its_own_loop
from checks.session_receivers import (
    CLIENT_FACTORY_NAMES,
    bound_once,
    defining_class,
    init_of,
    instance_attributes,
    is_async_session,
    receiver_class,
)
from checks.structure import CallSite, Structure
from checks.structure import dotted_name as ast_dotted_name

#: SDKs whose resource classes make a request in a class method (`stripe.Customer.create`,
#: `openai.Image.create`): the methods, and how the awaitable twin is spelled.
_RESOURCE_REQUESTS = {
    "stripe": (
        STRIPE_REQUESTS,
        "`await {resource}.{method}_async(...)` (stripe 8.10+), or `await asyncio.to_thread(...)`",
    ),
    "openai": (
        OPENAI_V0_REQUESTS,
        "`await {resource}.a{method}(...)` (openai 0.x), or `openai.AsyncOpenAI` (1.0 "
        "removed these resources)",
    ),
    "yookassa": (
        YOOKASSA_REQUESTS,
        "`await asyncio.to_thread({resource}.{method}, ...)` (YooKassa's SDK has no async client)",
    ),
}
_RESOURCE_METHODS = STRIPE_REQUESTS | OPENAI_V0_REQUESTS | YOOKASSA_REQUESTS


def _resource_request(name: str, ctx: FileContext | None = None) -> str | None:
    """The awaitable twin to name for a resource request (`stripe.Customer.create`:
    `checks.blocking.is_resource_request`), else None; a thread where the project's pins
    admit no stripe with the twins (Abdallahozaifa's `stripe==7.0.0`, reader 103)."""
    if not is_resource_request(name):
        return None
    parts = name.split(".")
    if parts[0] == "stripe" and ctx is not None and not ctx.package_at_least("stripe", "8.10"):
        return (
            "`await asyncio.to_thread(...)` (the `*_async` methods came with stripe 8.10, "
            "which this project's pins do not admit)"
        )
    return _RESOURCE_REQUESTS[parts[0]][1].format(resource=".".join(parts[:-1]), method=parts[-1])


#: A new password hashed on the loop is reported in new code or when FG303 is named
#: (`checks.project_facts.NEW_PASSWORD_HASH_SELECTED`); a verification always.
_NEW_HASH = Condition((), frozenset(), fact=NEW_PASSWORD_HASH_SELECTED)
#: One on a route that takes no credential (`checks.public_routes`) is a public sign-up's,
#: reported where nothing authenticates the project's routes elsewhere
#: (`checks.project_facts.PUBLIC_ROUTE_OF`), and one in a coroutine such a route awaits
#: (`PUBLIC_CALLER`), each with a message that says so: alternatives reported before the
#: plain one where they hold (`_report`, `_BlockingInAsync._imported_helper`); the project
#: index reads the routes only then.

#: The calls awaited in the file (`ctx.marks`): an awaited call returns an awaitable, it
#: does not block (async-stripe's patched `stripe.Customer.create`).
_AWAITED = "fg302:awaited"
#: (function, client class) already reported in the file (`ctx.stash`).
_CLIENTS_REPORTED = "fg302:clients"
POPEN_CLASSES = frozenset({POPEN})


class _BlockingInAsync(Rule):
    calls: ClassVar[dict[str, str]]
    #: what the calls do, for a helper of another module that makes one
    does: ClassVar[str]
    #: whether a helper's request through a sync client is the rule's (`CLIENT_REQUEST`)
    client_requests: ClassVar[bool] = False
    #: whether a new password's hash whose result is compared is a check (`COMPARED`):
    #: FG303's, which holds new hashes back; looked for by no other rule
    compared_checks: ClassVar[bool] = False

    def roots(self) -> frozenset[str]:
        """What a helper of another module makes that the rule reports (a BLOCKS
        condition's roots)."""
        return frozenset(self.calls) | ({CLIENT_REQUEST} if self.client_requests else set())

    def may_fire(self, evidence: Evidence) -> bool:
        # `_imported_helper`: any call in an `async def` may be of another module's helper
        return evidence.has("async")

    def may_fire_in(self, structure: Structure) -> bool:
        return self._definite(structure) or any(True for _ in _imported_callees(structure))

    def visit_Await(self, node: cst.Await, ctx: FileContext) -> None:
        ctx.marks(_AWAITED).add(id(node.expression))

    def deferred_conditions(self, structure: Structure) -> tuple[Condition, ...] | None:
        # without a call the file shows to block, every finding here is one of
        # `_imported_helper`: a coroutine calling a function of another module of the
        # project, which the index knows to make one of `calls`
        if self._definite(structure):
            return None
        refs = tuple(sorted(set(_imported_callees(structure))))
        # a call whose result is compared makes a new password's hash a check
        # (`_imported_helper`): then those count too
        roots = self.roots()
        if self.compared_checks and _compares_calls(structure):
            roots |= {COMPARED}
        plain = Condition(refs, roots, subject=BLOCKS)
        if self.compared_checks and any(call.in_async for call in structure.calls):
            # a coroutine that may be a route taking no credential, or one such a route
            # awaits: its new password's hash is reported where the project authenticates
            # nothing elsewhere (`_coroutine_name`)
            return (plain, Condition(refs, roots | {PUBLIC_CALLER_ROOT}, subject=BLOCKS))
        return (plain,)

    def _definite(self, structure: Structure) -> bool:
        """Whether the file may hold a finding that needs no other module's answer."""
        # `visit_Call`: one of `calls` (or the builtin `input`) in an `async def`
        if structure.layer in ("test", "tooling"):
            return False
        if "input" in self.calls and any(
            isinstance(call.node.func, ast.Name) and call.node.func.id == "input"
            for call in structure.calls
            if call.in_async
        ):
            return True
        if any(structure.calls_to(self.calls, in_async=True)):
            return True
        return may_call_blocking_helper(structure, self.calls, self.client_requests)

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        if not ctx.in_async_function or ctx.layer in ("test", "tooling"):
            return
        if ctx.runs_before_serving:
            return  # start-up or shutdown: no request waits on it (FG301)
        if runs_its_own_loop(ctx):
            return  # a script's loop serves that run alone (FG301)
        name = ctx.qualified_name(node.func)
        if name is None and self._is_builtin_input(node.func, ctx):
            name = "input"
        replacement = self.calls.get(name or "")
        if replacement is not None:
            if self._not_reported_here(node, name, ctx) or _polls(node, name):
                return
            if name in _SHELLS and _makes_a_folder(node):
                # `os.system(f"mkdir uploads/{user_id}")`: no process is needed at all
                # (joboy-dev's upload folders: reader 143)
                replacement = "`os.makedirs(path, exist_ok=True)`: no process needed"
            _report(
                ctx,
                node,
                f"`{name}()` blocks the event loop inside `async def`: use {replacement}"
                + idle_route_hint(ctx),
                name or "",
            )
            return
        helper = blocking_helper(node, ctx, self.calls, self.code, self.client_requests)
        if helper is not None:
            callee, blocking, chain = helper
            if blocking in PASSWORD_HASHING:
                checks = "checks" if blocking in PASSWORD_VERIFYING else "hashes"
                _report(
                    ctx,
                    node,
                    f"`{callee}()` calls {chain}, which {checks} a password (CPU work of "
                    "milliseconds to a tenth of a second or more, on purpose), blocking the "
                    f"event loop inside `async def`: `await asyncio.to_thread({callee}, ...)`"
                    + idle_route_hint(ctx),
                    blocking,
                )
                return
            client = client_of(blocking)
            # a client's request, one of `calls`, or an SDK resource's (`_blocking_helpers`)
            twin = _resource_request(blocking, ctx)
            replacement = (
                BLOCKING_CLIENTS[client]
                if client is not None
                else twin
                if twin is not None
                else self.calls[blocking]
            )
            # the client's own advice may offer a thread too: the helper's is the one here
            replacement = replacement.split(", or `await asyncio.to_thread")[0]
            ctx.report(
                node,
                f"`{callee}()` calls {chain}, which blocks the event loop inside "
                f"`async def`: use {replacement} there, or `await "
                f"asyncio.to_thread({callee}, ...)`" + idle_route_hint(ctx),
            )
            return
        if is_blocking_helper(node, ctx, self.calls, self.code, self.client_requests):
            return  # its first call in the function is reported (`blocking_helper`)
        self._imported_helper(
            node,
            name
            or _annotated_receiver_method(node, ctx)
            or _queried_model_method(node, ctx)
            or _returned_model_method(node, ctx)
            or _own_method(node, ctx)
            or _own_function(node, ctx),
            ctx,
        )

    def _imported_helper(self, node: cst.Call, name: str | None, ctx: FileContext) -> None:
        """A function of another module of the project called here (`billing.
        fetch_invoice(...)`), reported if the project index finds it to be a sync function
        whose body makes one of `calls` (`ModuleSummary.blocking`)."""
        if name is None or not _may_be_project_function(name) or id(node) in ctx.marks(_AWAITED):
            return  # awaited: an awaitable, not a sync helper's result
        if not _first_in_function(ctx, self.code, name):
            return  # once per helper and calling function (`blocking_helper`)
        head = name.partition(".")[0]
        info = ctx.classes.get(head)
        if info is not None and info.outer is None and ctx.module_name is not None:
            # a method of a class of this module, held by an attribute (`self.helper.
            # hash_credentials(...)` of `self.helper = AuthServiceHelper(db)`), which the
            # index knows by the module's name (FranFerd's sign-up: reader 182)
            name = f"{ctx.module_name}.{name}"
        callee = code_of(node.func)
        module = name.rpartition(".")[0]
        # `file_service.download(...)` on a parameter annotated with a class
        kind = "method" if module.rpartition(".")[2][:1].isupper() else "function"
        owner = f"of `{module}`"
        if name.startswith(CALL_CHAIN):
            # of what a call returned (`_returned_model_method`): the index names the
            # class (`checks.run._named_blocking_call`)
            owner, kind = returned_owner(name), "method"
        # (a helper hashing a new password holds where the run reports those: the index
        # asks `checks.project_facts.NEW_PASSWORD_HASH_SELECTED`)
        # its result compared (`hmac(password) != user.password`): a new password's hash
        # made there checks one (noflawarkosh's logins, reader 128)
        roots = self.roots()
        if self.compared_checks and _compared(node, ctx):
            roots |= {COMPARED}
        message = (
            f"`{callee}()` is a sync {kind} {owner} that {self.does}, which blocks "
            f"the event loop inside `async def`: make it async, or `await "
            f"asyncio.to_thread({callee}, ...)`" + idle_route_hint(ctx)
        )
        coroutine = _coroutine_name(ctx) if self.compared_checks and COMPARED not in roots else None
        if coroutine is not None:
            # a new password's hash there is a public sign-up's: reported (and said so)
            # where the project authenticates nothing elsewhere, else as any other
            public = roots | {PUBLIC_CALLER_ROOT + coroutine}
            ctx.report_if(node, Condition((name,), public, subject=BLOCKS), message)
        ctx.report_if(node, Condition((name,), roots, subject=BLOCKS), message)

    def _not_reported_here(self, node: cst.Call, name: str | None, ctx: FileContext) -> bool:
        """Whether the call is no finding of its own (FG303: a `Popen` the coroutine waits
        for is reported at the wait; one only started is none)."""
        return False

    @staticmethod
    def _is_builtin_input(func: cst.BaseExpression, ctx: FileContext) -> bool:
        return isinstance(func, cst.Name) and func.value == "input" and not ctx.is_bound("input")


class BlockingHttpInAsync(_BlockingInAsync):
    code = "FG302"
    name = "blocking-http-in-async"
    family = "async"
    calls = BLOCKING_HTTP
    does = HELPER_REQUESTS
    client_requests = True
    message = "Blocking HTTP call inside `async def`: use `httpx.AsyncClient`"
    summary = (
        "Checks for blocking HTTP clients called in an `async def`: `requests`, `httpx`'s "
        "module functions and `httpx.Client`, `urllib.request.urlopen`, `http.client`, "
        "LiteLLM's module functions (`litellm.completion`, `embedding`, ...: each has an "
        "async twin, `acompletion`); "
        "also a sync function of the same module, a sync method called through `self` (or "
        "a static one of a class of the module, by the class's name), or a "
        "sync function of another module of the project (the project index records which "
        "make such a call), or a sync method of a class of another module, called on the "
        "instance that module binds (`user_service = UserService()`) or on a parameter of "
        "the coroutine annotated with the class (`files: FileService = Depends(...)`, or "
        "the module's `Annotated[FileService, Depends(...)]` alias; or unannotated, "
        "`ai_service=Depends(get_ai_service)` of a function annotated `-> AIService`), "
        "on a name it "
        "annotates so once (`helper: RedisHelper = request.state.redis_helper`), on an "
        "instance it makes (`payment = Gateway(...)`, then `payment.pay()`), on what an "
        "awaited call of the project returns by its return annotation (`user = await "
        "repo.get_by_email(email)` of `-> User | None`), or an "
        "attribute of `self` its class annotates so (a dataclass's `files: FileService`), "
        "whose own body calls one of them, makes a Stripe resource's request (below), or "
        "sends a request through one of the sync "
        'clients below (the module\'s, `s3 = boto3.client("s3")`; its own; one a function '
        "of its module returns, annotated so or every `return` making one, `client = "
        "get_minio_client()` of `return Minio(...)`, or the module's global its first "
        "call binds, `if _client is None: _client = boto3.client(...)` then `return "
        "_client`, whose set-up there runs once per process and is no call of its "
        "callers; or a method of its class so, "
        "`self._client(...).upload_fileobj(...)`; a parameter "
        "annotated with the client's class; one `__init__` binds to `self`; or another "
        "module's, imported by its name, `redis_client.get(key)` of `from app.cache import "
        "redis_client`, as the project index reads it), or calls "
        "another method of its class that does (`is_token_revoked` calling `self."
        "get_data`, which calls `self.redis.get`), or a helper of its module that makes "
        "such a request (`buscar_farmacia` calling `_obter_ibge_por_cep`, which calls "
        "`httpx.get`) (not a function it defines: a "
        "thread's target; nor a client it makes and hands on, `return httpx.Client(...)`: "
        "its constructor sends nothing), reported at its first call in each function that "
        "calls it. And the sync clients of network services: a "
        "request through a sync HTTP session, `requests.Session`, `httpx.Client`, an "
        "`http.client` connection (its `get()`, `post()`, ..., `request()`, "
        "`getresponse()`; not `headers.update(...)` nor `mount()`), "
        "an `openai.OpenAI`/`AzureOpenAI`, a slack_sdk `WebClient`, an "
        "`anthropic.Anthropic` "
        "(Bedrock, Vertex), a sync `redis.Redis` (also made by `Redis.from_url(...)`, or "
        "bound to one `if url else None`), an `smtplib.SMTP` (its constructor "
        "connects) or a `yagmail.SMTP`, a Docker SDK client (`docker.from_env()`), the "
        "Kubernetes client's API groups (`client.CoreV1Api()`), PyJWT's `PyJWKClient`, "
        "Elasticsearch's, OpenSearch's, Hugging Face's `InferenceClient`, Azure Blob "
        "Storage's clients (not `get_container_client()`, made locally), Azure "
        "Communication Services' `EmailClient` (its `from_connection_string()` makes it, "
        "the request is `begin_send()`), Qdrant's "
        "`QdrantClient` and Milvus' `MilvusClient`, ElevenLabs' `ElevenLabs`, Expo's "
        "`PushClient`, Twilio's `Client` (not its `*_async` methods), SendGrid's "
        "`SendGridAPIClient`, Razorpay's `Client` (not its local signature checks), a MinIO "
        "`Minio`, Google Cloud Vision's `ImageAnnotatorClient` and Storage's `Client` "
        "(not its local `bucket()`), a google-genai `Client` (not through its `client.aio`), "
        "a google-generativeai `GenerativeModel` (not its `generate_content_async()`), a "
        "LangChain chat model (`ChatOpenAI`, `ChatAnthropic`, `ChatGoogleGenerativeAI`, "
        "`ChatGroq`, `ChatOllama`, ...: its `invoke`, `batch`, `stream`, also of a runnable "
        "made of it at module level, `structured = llm.with_structured_output(Schema)`; not "
        "`ainvoke`, `astream` nor `bind_tools`), a "
        "`boto3.client(...)` or a supabase `create_client(...)`, known by the "
        "receiver's class (made in the function or at module level, "
        "annotated, or assigned in `__init__`: `self.client = OpenAI()`, `self.model = model` "
        "of a module-level client, or once by a "
        "set-up method where `__init__` binds it to None: `self.client = redis.Redis(...)` "
        "in `connect()`), or returned by a "
        "function of another module imported by its name whose return annotation names "
        "one (`client = get_minio_client()` with `def get_minio_client() -> Minio`, or "
        "unannotated, whose every `return` makes one, `return Minio(...)`; or a "
        "method of an object imported so, `r = cache.get_redis_client()` with `-> Redis`; "
        "also given to an unannotated parameter, `cache=Depends(get_redis)`), or "
        "bound at module level by another module, which this one imports (`from app.core."
        "config import redis`, made there by `Redis(...)` or `cast(Redis, get_redis())`: "
        "the project index reads it; also a resource of it, `stt_llm.audio.speech."
        "create(...)`, and one an instance of a class there holds, `minio_service.client."
        "put_object(...)` of `minio_service = MinIOService()` whose `__init__` makes "
        "`self.client = Minio(...)`), once "
        "per client and function, not its `with_options()`, `pipeline()`, `lock()` or "
        "`close()`, nor "
        "boto3's local `generate_presigned_url()` and paginators; "
        "stripe-python's resource requests (`stripe.Customer.create(...)`), not awaited "
        "(async-stripe's); YooKassa's (`yookassa.Payment.create(...)`); "
        "openai-python 0.x's (`openai.ChatCompletion.create(...)`, whose "
        "awaitable twin is `acreate`); Cloudinary's `uploader.upload()`; Resend's "
        "`Emails.send()`; the Firebase Admin SDK's `messaging.send*()` and `auth` user "
        "calls (`auth.get_user_by_email()`; not `verify_id_token()`, checked against "
        "certificates it caches); Celery's remote control "
        "waiting for the workers' replies (`app.control.broadcast(..., reply=True)`, "
        "`app.control.ping()`, `app.control.inspect().stats()`, in a file naming Celery); "
        "google-auth's ID-token checks (`id_token.verify_oauth2_token(...)`), which fetch "
        "Google's certificates on every call.\n\n"
        "Where it applies: every layer but tests, development tooling and start-up code "
        "(see FG301: a "
        "test's event loop serves the test alone); nor a service on AWS Lambda alone "
        "(see FG301)."
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
            import litellm


            def rephrase(question: str, history: str) -> str:
                prompt = f"{history} Rephrase as a standalone question: {question}"
                response = litellm.completion(
                    model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}]
                )
                return str(response.choices[0].message.content)


            async def answer(question: str, history: str) -> str:
                standalone = rephrase(question, history)
                response = await litellm.acompletion(
                    model="gpt-4o", messages=[{"role": "user", "content": standalone}]
                )
                return str(response.choices[0].message.content)
            """,
            note="LiteLLM's sync completion in a helper of the coroutine (farfalle's "
            "chat stream); its async twin, awaited, is fine",
        ),
        Example(
            """
            async def expand(profile_url: str) -> list[str]:
                return fetch_repositories(profile_url)


            def fetch_repositories(profile_url: str) -> list[str]:
                import httpx

                answer = httpx.get(f"{profile_url}/repos", timeout=10)
                return [repo["name"] for repo in answer.json()]
            """,
            note="a helper below the coroutine, importing httpx in its own body",
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
        Example(
            """
            import requests


            class Project:
                def set_country_info(self) -> None:
                    url = "https://nominatim.example.org/reverse"
                    self.country = requests.get(url, timeout=5).json()["address"]["country"]

                async def update(self) -> None:
                    self.set_country_info()


            def geocode(place: str) -> dict[str, object]:
                return requests.get("https://geo.example.org", params={"q": place}).json()


            async def locate(place: str) -> dict[str, object]:
                return geocode(place)
            """,
            expect=2,
            note="a sync method or function of the module that makes the call (tasking-manager)",
        ),
        Example(
            """
            import stripe
            from openai import OpenAI


            class Advisor:
                def __init__(self, key: str) -> None:
                    self.client = OpenAI(api_key=key)

                async def plan(self, prompt: str) -> str | None:
                    response = self.client.chat.completions.create(
                        model="gpt-4o", messages=[{"role": "user", "content": prompt}]
                    )
                    return response.choices[0].message.content


            async def subscribe(email: str) -> str:
                return stripe.Customer.create(email=email).id
            """,
            expect=2,
            note="the sync OpenAI client an async method calls (a health service's advisor)",
        ),
        Example(
            """
            import boto3
            import openai
            from fastapi import FastAPI, UploadFile

            app = FastAPI()
            s3 = boto3.client("s3")
            sqs = boto3.Session(region_name="eu-west-1").client("sqs")


            @app.post("/upload")
            async def upload(file: UploadFile) -> None:
                s3.upload_fileobj(file.file, "uploads", file.filename)


            @app.post("/notify")
            async def notify(name: str) -> None:
                sqs.send_message(QueueUrl="uploads", MessageBody=name)


            @app.get("/image")
            async def image(prompt: str) -> str:
                response = openai.Image.create(prompt=prompt, n=1)
                return response["data"][0]["url"]
            """,
            expect=3,
            note="module-level boto3 clients (SuperAGI); openai 0.x's resources (AgentGPT)",
        ),
        Example(
            """
            from fastapi import UploadFile

            from app.core.storage import get_minio_client


            async def upload(file: UploadFile) -> None:
                client = get_minio_client()
                data = await file.read()
                client.put_object("uploads", file.filename, data, len(data))
            """,
            path="app/api/uploads.py",
            project=(
                (
                    "app/core/storage.py",
                    """
                    from minio import Minio


                    def get_minio_client() -> Minio:
                        return Minio("minio:9000", secure=False)
                    """,
                ),
            ),
            note="a sync client a factory of another module returns (ragwebui's MinIO)",
        ),
        Example(
            """
            from app.storage import get_image


            async def show(name: str) -> bytes:
                return get_image(name)
            """,
            path="app/api/images.py",
            project=(
                (
                    "app/storage.py",
                    """
                    from minio import Minio


                    def get_minio_client():
                        return Minio("minio:9000", secure=False)


                    def get_image(name: str) -> bytes:
                        client = get_minio_client()
                        return client.get_object("images", name).read()
                    """,
                ),
            ),
            note=(
                "a helper of another module requesting through its module's unannotated "
                "factory (MagHattabUser's MinIO, reader 198)"
            ),
        ),
        Example(
            """
            from app.storage import S3Service


            async def upload(key: str, data: bytes) -> None:
                storage = S3Service()
                storage.upload(key, data)
            """,
            path="app/api/files.py",
            project=(
                (
                    "app/storage.py",
                    """
                    import boto3


                    class S3Service:
                        def _client(self):
                            return boto3.client("s3")

                        def upload(self, key: str, data: bytes) -> None:
                            self._client().put_object(Bucket="files", Key=key, Body=data)
                    """,
                ),
            ),
            note=(
                "a method requesting through a getter method of its class "
                "(johnsouto's `S3Service._client()`, reader 201)"
            ),
        ),
        Example(
            """
            import os

            import redis

            redis_url = os.getenv("REDIS_URL")
            cache = redis.Redis.from_url(redis_url) if redis_url else None


            async def search(query: str) -> str | None:
                if cache and (hit := cache.get(query)):
                    return hit.decode()
                return None


            async def size(url: str | None) -> int:
                client = redis.Redis(host=url) if url else None
                return client.dbsize() if client else 0
            """,
            expect=2,
            note="a client made from a URL, or none (farfalle's search cache); the same "
            "in the function",
            also=("FG407",),
        ),
        Example(
            """
            from qdrant_client import QdrantClient, models


            class QdrantStore:
                def __init__(self, url: str) -> None:
                    self.client = QdrantClient(url=url)

                async def delete(self, collection: str, ids: list[str]) -> None:
                    self.client.delete(collection, points_selector=models.PointIdsList(points=ids))
            """,
            note="a vector database's sync client (pyspur's datastores)",
        ),
        Example(
            """
            from google import genai
            from google.auth.transport import requests as google_requests
            from google.oauth2 import id_token


            async def sign_in(credential: str, client_id: str) -> str:
                claims = id_token.verify_oauth2_token(
                    credential, google_requests.Request(), client_id
                )
                return claims["email"]


            async def caption(client: genai.Client, prompt: str) -> str | None:
                answer = client.models.generate_content(model="gemini-2.5-flash", contents=prompt)
                return answer.text
            """,
            expect=2,
            note="google-auth fetches Google's certificates on each check; google-genai's "
            "sync client (khoj)",
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
        Example(
            """
            import stripe
            from openai import AsyncOpenAI


            class Advisor:
                def __init__(self, key: str) -> None:
                    self.client = AsyncOpenAI(api_key=key)

                async def plan(self, prompt: str) -> str | None:
                    response = await self.client.chat.completions.create(
                        model="gpt-4o", messages=[{"role": "user", "content": prompt}]
                    )
                    return response.choices[0].message.content


            async def subscribe(email: str) -> str:
                customer = await stripe.Customer.create_async(email=email)
                return customer.id
            """,
            note="the async clients",
        ),
        Example(
            """
            import asyncio

            from google import genai

            from app.core.storage import get_storage


            async def caption(client: genai.Client, prompt: str) -> str | None:
                pending = client.aio.models.generate_content(model="gemini", contents=prompt)
                answer = await asyncio.wait_for(pending, timeout=30)
                return answer.text


            async def upload(name: str, data: bytes) -> None:
                storage = get_storage()
                pending = storage.put_object("uploads", name, data)
                await pending
            """,
            project=(
                (
                    "app/core/storage.py",
                    """
                    from miniopy_async import Minio


                    def get_storage() -> Minio:
                        return Minio("minio:9000", secure=False)
                    """,
                ),
            ),
            note="google-genai's `client.aio`; an async client a factory returns",
        ),
    )

    def may_fire_in(self, structure: Structure) -> bool:
        return super().may_fire_in(structure) or any(True for _ in _client_factories(structure))

    def deferred_conditions(self, structure: Structure) -> tuple[Condition, ...] | None:
        # and `_factory_client`: a method of what an imported function returned, when the
        # index reads a sync client in its return annotation
        conditions = super().deferred_conditions(structure)
        if conditions is None:
            return None
        factories = tuple(sorted(set(_client_factories(structure))))
        if factories:
            conditions += (
                Condition(factories, _BLOCKING_CLIENT_CLASSES, exact=True, subject=CALL),
            )
        return conditions

    def _definite(self, structure: Structure) -> bool:
        if super()._definite(structure):
            return True
        if structure.layer in ("test", "tooling"):
            return False
        # `visit_Call`: a method of a client of `BLOCKING_CLIENTS` (a class the file names,
        # which `receiver_class` needs), or a stripe resource's request, in an `async def`
        clients = structure.refers_to(*BLOCKING_CLIENTS, *CLIENT_FACTORY_NAMES)
        for call in structure.calls:
            if not call.in_async or call.dotted is None or "." not in call.dotted:
                continue
            if clients and call.last not in CLIENT_LOCAL_METHODS:
                return True
            if call.last in _RESOURCE_METHODS and any(
                _resource_request(name) for name in structure.qualified(call.dotted)
            ):
                return True
        # `_celery_control_wait`: a remote-control call of a file that names Celery
        return _names_celery(structure.source) and any(
            call.in_async and call.last in _CELERY_WAITS for call in structure.calls
        )

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        super().visit_Call(node, ctx)
        made = ctx.qualified_name(node.func)
        if made in BLOCKING_CLIENTS and made in self.calls and ctx.function is not None:
            # `smtplib.SMTP(host)`, reported above: its requests in this function are the
            # same finding
            _reported_clients(ctx).add((id(ctx.function.node), made))
        func = node.func
        if (
            not isinstance(func, cst.Attribute)
            or not ctx.in_async_function
            or ctx.layer in ("test", "tooling")
            or id(node) in ctx.marks(_AWAITED)
            or ctx.runs_before_serving
            or runs_its_own_loop(ctx)
        ):
            return
        method = func.attr.value
        name = made
        if name is not None and name in self.calls:
            return  # reported above
        resource = _RESOURCE_REQUESTS.get(name.split(".", 1)[0]) if name is not None else None
        if resource is not None and method in resource[0]:
            assert name is not None
            twin = _resource_request(name, ctx)
            if twin is not None:
                # (and, in a route that awaits nothing, `def`: djahern-max's Stripe routes,
                # reader 118)
                ctx.report(
                    node,
                    f"`{name}()` makes a blocking request inside `async def`: use {twin}"
                    + idle_route_hint(ctx),
                )
            return
        if method in CLIENT_LOCAL_METHODS:
            return
        waited = _celery_control_wait(node, ctx)
        if waited is not None:
            ctx.report(
                node,
                f"`{waited}` waits for the Celery workers' replies (up to its timeout) "
                "inside `async def`, blocking the event loop: `await asyncio.to_thread(...)` "
                "it",
            )
            return
        receiver: cst.BaseExpression = func.value
        while True:
            client = receiver_class(receiver, ctx)
            if client is not None:
                if client in SESSION_REQUESTS and (
                    receiver is not func.value or not sends(client, [method])
                ):
                    return  # (`session.headers.update(...)`, `session.mount(...)`)
                replacement = BLOCKING_CLIENTS.get(client)
                function = ctx.function
                key = (id(function.node) if function is not None else None, client)
                if replacement is not None and key not in _reported_clients(ctx):
                    # one finding per client and function: the fix is the client
                    _reported_clients(ctx).add(key)
                    if client in AIO_CLIENTS:  # the call's own twin under `.aio`
                        held = code_of(receiver)
                        rest = code_of(func)[len(held) + 1 :]
                        replacement = f"`{held}.aio` (`await {held}.aio.{rest}(...)`)"
                    elif client in LANGCHAIN_CHAT_MODELS and method in _RUNNABLE_TWINS:
                        # the call's own twin (`structured.invoke(...)`: `await
                        # structured.ainvoke(...)`)
                        replacement = _RUNNABLE_TWINS[method].format(code_of(receiver))
                    sent = _request_sent(node, ctx)
                    if sent is not None:
                        # a query builder: its last call sends the request (supabase's
                        # `client.table("t").select("*").eq(...).execute()`: reader 55)
                        ctx.report(
                            sent,
                            f"`{code_of(func)}(...)` ... `.execute()` sends its request on a "
                            f"sync `{client}` client, which blocks the event loop inside "
                            f"`async def`: use {replacement}" + idle_route_hint(ctx),
                        )
                        return
                    ctx.report(
                        node,
                        f"`{code_of(func)}()` on a sync `{client}` client blocks the event "
                        f"loop inside `async def`: use {replacement}" + idle_route_hint(ctx),
                    )
                return
            if not isinstance(receiver, cst.Attribute):
                if isinstance(receiver, cst.Name):
                    _factory_client(node, receiver, ctx)
                return
            if receiver.attr.value in ASYNC_NAMESPACES:
                return  # `client.aio.models.generate_content(...)`: a coroutine
            receiver = receiver.value


#: A LangChain runnable's sync calls, with their async twins.
_RUNNABLE_TWINS = {
    "invoke": "`await {}.ainvoke(...)`",
    "batch": "`await {}.abatch(...)`",
    "stream": "`async for ... in {}.astream(...)`",
}
#: Methods of Celery's `app.control.inspect()` that ask the workers and wait for replies.
_CELERY_INSPECTIONS = frozenset(
    {
        "ping",
        "stats",
        "active",
        "scheduled",
        "reserved",
        "registered",
        "registered_tasks",
        "revoked",
        "active_queues",
        "query_task",
        "conf",
        "report",
        "clock",
    }
)


_CELERY_WAITS = _CELERY_INSPECTIONS | {"broadcast"}


def _celery_control_wait(node: cst.Call, ctx: FileContext) -> str | None:
    """What a call of Celery's remote control waits for, written short (`app.control
    .broadcast(..., reply=True)`, `app.control.ping()`, `app.control.inspect().stats()`
    or a method of an `inspect()` kept in a name), or None. The file names Celery: a
    `.control` attribute alone says nothing of the library."""
    func = node.func
    if not isinstance(func, cst.Attribute) or not _names_celery(ctx.source):
        return None
    method = func.attr.value
    owner = func.value
    if _is_control(owner):
        if method == "ping" or (
            method == "broadcast"
            and (reply := keyword_arg(node, "reply")) is not None
            and not (isinstance(reply.value, cst.Name) and reply.value.value in ("False", "None"))
        ):
            return f"{code_of(owner)}.{method}(...)"
        return None
    if method not in _CELERY_INSPECTIONS:
        return None
    inspector = owner
    if isinstance(owner, cst.Name) and ctx.function is not None:
        bound = [
            value for target, value in _assignments(ctx.function.node) if target == owner.value
        ]
        inspector = bound[0] if len(bound) == 1 else owner
    if (
        isinstance(inspector, cst.Call)
        and isinstance(inspector.func, cst.Attribute)
        and inspector.func.attr.value == "inspect"
        and _is_control(inspector.func.value)
    ):
        return f"{code_of(inspector.func.value)}.inspect().{method}()"
    return None


def _is_control(expr: cst.BaseExpression) -> bool:
    """`<app>.control`: Celery's remote control of an app."""
    return isinstance(expr, cst.Attribute) and expr.attr.value == "control"


@functools.lru_cache(maxsize=2)
def _names_celery(source: bytes | None) -> bool:
    """Whether the file's text names Celery (unknown text: it may); read once per file,
    not at each call in a coroutine."""
    return source is None or b"celery" in source.lower()


def _assignments(
    function: cst.FunctionDef | cst.Lambda,
) -> Iterator[tuple[str, cst.BaseExpression]]:
    """`name = value` (also annotated) statements of a function's own body."""
    for node in own_descendants(function.body):
        if isinstance(node, cst.Assign):
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    yield target.target.value, node.value
        elif (
            isinstance(node, cst.AnnAssign)
            and isinstance(node.target, cst.Name)
            and node.value is not None
        ):
            yield node.target.value, node.value


#: The clients a project's factory may return (`ProjectIndex.returned_class`).
_BLOCKING_CLIENT_CLASSES = frozenset(BLOCKING_CLIENTS)


def _factory_client(node: cst.Call, base: cst.Name, ctx: FileContext) -> None:
    """A method of what a function of another module returned, called by the name it was
    imported under (`minio_client = get_minio_client()`, then `minio_client.put_object(...)`):
    reported if the project index reads a sync client of `BLOCKING_CLIENTS` in that
    function's return annotation (`-> Minio`)."""
    inferred = ctx.infer(base, calls=True)
    factory = inferred.cls if inferred is not None and inferred.call else None
    if factory is None:
        # a parameter FastAPI fills from a dependency, unannotated (`cache=Depends(
        # get_redis)`: KiyoshiSama's routes, whose `get_redis` returns `redis.Redis(...)`,
        # reader 121): what that function returns
        factory = _dependency_factory(base, ctx)
    if factory is None:
        return
    # a function imported by its name, or a method of an imported object (`r =
    # redis.get_redis_client()` of a module-level `CacheCleaner`: Icebeear's cached
    # routes, reader 169); the screen's `_client_factories` lists those
    imported = ctx.imports.values()
    if (
        factory not in imported and factory.rpartition(".")[0] not in imported
    ) or not _may_be_project_function(factory):
        return
    function = ctx.function
    key = (id(function.node) if function is not None else None, factory)
    if key in _reported_clients(ctx):
        return
    _reported_clients(ctx).add(key)
    named = factory.rpartition(".")[2]
    callee = code_of(node.func)
    if "\n" in callee:
        callee = f"{base.value}..."
    ctx.report_if(
        node,
        Condition((factory,), _BLOCKING_CLIENT_CLASSES, exact=True, subject=CALL),
        f"`{callee}()` is a request of the sync client `{named}()` returns, which blocks "
        "the event loop inside `async def`: make it return the library's async client "
        "(awaited), or `await asyncio.to_thread(...)`",
    )


def _dependency_factory(base: cst.Name, ctx: FileContext) -> str | None:
    """The imported function an unannotated parameter of the enclosing function takes from
    `Depends(...)` (`cache=Depends(get_redis)`), qualified; else None."""
    function = ctx.function
    if function is None or not isinstance(function.node, cst.FunctionDef):
        return None
    params = function.node.params
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        if param.name.value != base.value:
            continue
        default = param.default
        if (
            param.annotation is not None
            or not isinstance(default, cst.Call)
            or ctx.qualified_name(default.func) not in DEPENDS
            or not default.args
            or default.args[0].keyword is not None
        ):
            return None
        return ctx.qualified_name(default.args[0].value)
    return None


def _client_factories(structure: Structure) -> Iterator[str]:
    """The screen of `_factory_client`: the functions of other modules of the project the
    file calls by an imported name, when a coroutine calls a method (not awaited)."""
    if structure.layer in ("test", "tooling"):
        return
    if not any(
        call.in_async
        and isinstance(call.node.func, ast.Attribute)
        and not structure.is_awaited(call.node)
        for call in structure.calls
    ):
        return
    for call in structure.calls:
        func = call.node.func
        if (
            isinstance(func, ast.Name)
            and func.id == "Depends"
            and call.node.args
            and isinstance(call.node.args[0], ast.Name)
        ):
            func = call.node.args[0]  # `cache=Depends(get_redis)` (`_dependency_factory`)
        if isinstance(func, ast.Name) and func.id in structure.bindings:
            # the index reads return annotations of the project's modules only
            for qualified in structure.qualified(func.id):
                if _may_be_project_function(qualified) and structure.may_be_project_class(
                    qualified
                ):
                    yield qualified
        elif (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in structure.bindings
        ):
            # a method of an imported object (`redis.get_redis_client()`)
            for qualified in structure.qualified(func.value.id):
                if _may_be_project_function(qualified) and structure.may_be_project_class(
                    qualified
                ):
                    yield f"{qualified}.{func.attr}"


def _reported_clients(ctx: FileContext) -> set[tuple[int | None, str | None]]:
    """The (function, client class) pairs FG302 reported in the file."""
    stash = ctx.stash(_CLIENTS_REPORTED)
    if not stash:
        stash.append(set())
    found: set[tuple[int | None, str | None]] = stash[0]
    return found


class BlockingCallInAsync(_BlockingInAsync):
    code = "FG303"
    name = "blocking-call-in-async"
    family = "async"
    does = HELPER_BLOCKS
    compared_checks = True
    calls: ClassVar[dict[str, str]] = {
        **BLOCKING_CALLS,
        # the same call in a command-line client and in a server: advice for both
        "input": (
            "`await asyncio.to_thread(input, ...)` in a command-line client "
            "(in a server, a request parameter)"
        ),
    }
    message = "Blocking call inside `async def`"
    summary = (
        "Checks for other blocking calls in an `async def`: starting a process "
        "(`os.posix_spawn`, `os.spawn*`; a `subprocess.Popen` only when the coroutine "
        "reads or writes its pipes, `proc.stdout.read()`: started alone, it costs what "
        "asyncio's `create_subprocess_exec` costs, which calls `Popen` on the loop's "
        "thread too), running one "
        "(`subprocess.run`/`call`/`check_call`/`check_output`/`getoutput`, `os.system`, "
        "`os.popen`, whose message offers `os.makedirs` for a command line that is a "
        "`mkdir`; a library's call that runs a program and waits for it: pytesseract's "
        "`image_to_string()` and the other `image_to_*`, running `tesseract`, pdfkit's "
        "`from_url()`/`from_file()`/`from_string()`, running `wkhtmltopdf`, pdf2image's "
        "`convert_from_path()`/`convert_from_bytes()`, running `pdftoppm`), sleeping "
        "through an interval (psutil's `cpu_percent()`/`cpu_times_percent()` given a "
        "positive `interval`, written as a number), waiting for one "
        "(`os.wait*`, and `.wait()`/`.communicate()` on a "
        "`subprocess.Popen` object: assigned from `Popen(...)`, opened with "
        "`with Popen(...) as process`, or annotated `Popen`), running the jobs that "
        "are due (the `schedule` package's `run_pending()`/`run_all()`: each job a sync "
        "function, run in the call), and `input()`; ruff's "
        "ASYNC220-222 cover the `subprocess` and `os` ones. A `Popen` the coroutine "
        "itself waits for is reported once, at the wait (one fix). Also a password "
        "hashed: `bcrypt.hashpw`/"
        "`checkpw`, `hashlib.pbkdf2_hmac`/`scrypt`, argon2-cffi's low-level functions, "
        "passlib's hash classes (`passlib.hash.bcrypt.verify`), and the `hash`/`verify` "
        "methods of a passlib `CryptContext`, a pwdlib `PasswordHash` or an argon2 "
        "`PasswordHasher` (also one a function of the module makes, known by its return "
        "annotation: `-> argon2.PasswordHasher`). A sync function of the project is "
        "followed through the helpers "
        "of its module it calls, to a password hash (`authenticate_user` calls "
        "`verify_password`, which checks the hash; `login` calls `self.authenticate_user`, "
        "its class's or a base's of the module, which calls another module's "
        "`verify_password`, also through that module, `security.verify_password(...)`, "
        "or that module's hasher, `crypto.pwd_context.verify(...)`; "
        "`crud.user.authenticate(...)`, a method of the "
        "instance a package binds over its submodule's name, `from .user import user`; "
        "`user.check_password(password)`, a model's method, on the row the coroutine "
        "queried or on what an awaited call returns by its annotation, `user = await "
        "repo.get_by_email(email)` of `-> User | None`; `self.security.verify_password(...)`, "
        "a method of the object a base of another module makes in its body, `security = "
        "Security()`; `self.auth_utils.verify_password(...)`, a method of another module's "
        "instance `__init__` binds, `self.auth_utils = auth_utils`; "
        "`PasswordHasher.verify(...)`, a classmethod checking with its class body's "
        "hasher, `cls._pwd_context.verify(...)`; a "
        "process further down was a cached or "
        "guarded one-off for readers, and is not followed); a helper is reported at its "
        "first call in each function that calls it. In a route that awaits nothing, the "
        "message offers `def` too: FastAPI runs a `def` route in its threadpool, with "
        "every blocking call of it (FG302 the same, and FG102 on a call of a sync "
        "helper that queries a sync session). A check of a "
        "password (`checkpw`, `verify`, or `pbkdf2_hmac`, `scrypt` in a function that "
        "compares the digest with `hmac.compare_digest`, or in a method of a class "
        "another of whose methods compares digests) is always reported: a login "
        "attempt, which anyone "
        "may send as often as they like; a new password hashed (`hashpw`, `hash`, "
        "`pbkdf2_hmac`: a sign-up, a password change, a credential an administrator "
        "creates) in a route that takes no credential, a public sign-up anyone may send "
        "as often as a login, or in a coroutine such a route awaits, up to three deep "
        "(a service's `register`, its repository's `create_user`), found by the route's "
        "parameter annotated with the service's class, its `Depends(get_service)`, a "
        "module-level instance, the attribute that holds the repository; the route a "
        "`POST` of a router or app its module makes, with no `dependencies=` there, on "
        "the decorator, where a router is included or the app made, and no "
        "authenticating middleware, nor a rate limit (`@limiter.limit(...)`); a name and "
        "path that speak of no reset, invitation, confirmation, change or administrator, "
        'and a body that names no administrator\'s role (`role="admin"`); each parameter '
        "a value of the request, not one named as a token or code, or filled by a "
        "dependency shown to take no credential: one named as the service's plumbing, "
        "`get_db`, `get_user_service`, `SessionDep`, or a function of the module whose "
        "own parameters take none (a dependency of another module named otherwise, "
        "`Security(...)`, a header, a cookie or a request whose headers the route reads "
        "is a credential); else in new code (the edit hook) or when the selection names "
        "FG303.\n\n"
        "Where it applies: every layer but tests, development tooling and start-up code, "
        "nor a service on AWS Lambda alone (see FG301)."
    )
    why = (
        "These wait for another process (or a terminal) on the event loop thread: the "
        "worker serves nothing else until they return. asyncio has non-blocking "
        "equivalents (`asyncio.create_subprocess_exec`), and `asyncio.to_thread` runs "
        "anything else off the loop. A password hash is slow on purpose (a tenth to half a "
        "second of CPU per call, the cost an attacker pays per guess): on the loop, every "
        "login stalls every other request for that long. bcrypt, argon2-cffi and hashlib "
        "release the GIL, so `asyncio.to_thread` runs the hash in parallel with the loop."
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
        Example(
            """
            import os
            import subprocess
            from subprocess import PIPE, Popen

            async def convert(path: str, previous: Popen) -> bytes:
                process = subprocess.Popen(["convert", path], stdout=PIPE)
                output, _ = process.communicate()
                with Popen(["optipng", path]) as optimiser:
                    optimiser.wait()
                previous.wait()
                os.spawnlp(os.P_NOWAIT, "notify", "notify", path)
                return output
            """,
            expect=4,
            note=(
                "`Popen` started, then waited for (assigned, `with ... as`, annotated: "
                "reported at the wait), and `os.spawn*`"
            ),
        ),
        Example(
            """
            import subprocess


            async def tail(path: str) -> list[str]:
                process = subprocess.Popen(["tail", "-n", "100", path], stdout=subprocess.PIPE)
                return [line.decode() for line in process.stdout]
            """,
            note="a `Popen` whose pipe the coroutine reads: reported at the start",
        ),
        Example(
            """
            import bcrypt
            from fastapi import APIRouter
            from passlib.context import CryptContext
            from pwdlib import PasswordHash

            router = APIRouter()
            pwd_context = CryptContext(schemes=["bcrypt"], deprecated="auto")
            password_hash = PasswordHash.recommended()


            def verify_password(plain: str, hashed: str) -> bool:
                return pwd_context.verify(plain, hashed)


            def authenticate(users: dict[str, str], email: str, password: str) -> bool:
                stored = users.get(email)
                return stored is not None and verify_password(password, stored)


            @router.post("/login")
            async def login(email: str, password: str, stored: str) -> bool:
                return (
                    bcrypt.checkpw(password.encode(), stored.encode())
                    and password_hash.verify(password, stored)
                    and authenticate({email: stored}, email, password)
                )
            """,
            expect=3,
            note=(
                "a password hashed on the event loop: a hashing function, a hasher's "
                "method, and a helper of the module that calls one through another"
            ),
            also=("FG504",),
        ),
        Example(
            """
            import hashlib
            import hmac

            from fastapi import APIRouter

            router = APIRouter()


            def verify_password(password: str, stored: str) -> bool:
                salt, digest = (bytes.fromhex(part) for part in stored.split("$"))
                actual = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600_000)
                return hmac.compare_digest(actual, digest)


            @router.post("/login")
            async def login(email: str, password: str, stored: str) -> bool:
                return verify_password(password, stored)
            """,
            note=(
                "a derivation compared with the stored digest: a check of a password "
                "(polars-svelte's login)"
            ),
        ),
        Example(
            """
            import subprocess


            def rm(path: str) -> None:
                subprocess.check_call(["rm", "-rf", path])


            async def upload_weights(path: str) -> None:
                try:
                    await unpack(path)
                except OSError:
                    rm(path)
                    raise
                finally:
                    rm(path + ".part")


            async def delete_weights(path: str) -> None:
                rm(path)
            """,
            expect=2,
            note="a helper reported once per function that calls it (refact's `rm()`)",
        ),
    )
    good = (
        Example(
            """
            import asyncio


            async def render_pdf(path: str) -> None:
                process = await asyncio.create_subprocess_exec("wkhtmltopdf", path, path + ".pdf")
                if await process.wait() != 0:
                    raise RuntimeError(f"wkhtmltopdf failed on {path}")
            """,
            note="the process started and waited for on the loop, with asyncio's subprocess",
        ),
        Example(
            """
            import subprocess


            async def run_benchmark(name: str) -> None:
                subprocess.run(["modal", "run", name], check=True)
            """,
            path="evals/hotpot/run_benchmark.py",
            note="development tooling (the `tooling` layer: `evals/`, `scripts/`, ...)",
        ),
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
        Example(
            """
            import asyncio
            import subprocess

            def run_sync(args: list[str]) -> bytes:
                process = subprocess.Popen(args, stdout=subprocess.PIPE)
                return process.communicate()[0]

            async def run(args: list[str], waiter) -> bytes:
                process = await asyncio.create_subprocess_exec(*args, stdout=subprocess.PIPE)
                output, _ = await process.communicate()
                await process.wait()
                waiter.wait()
                return output + await asyncio.to_thread(run_sync, args)
            """,
            note="an asyncio process, an unknown receiver, `Popen` in a sync helper",
        ),
        Example(
            """
            import os
            import subprocess


            class BrowserManager:
                async def start(self, args: list[str]) -> str:
                    self.process = subprocess.Popen(args, preexec_fn=os.setpgrp)
                    await self.wait_for_devtools()
                    return self.endpoint
            """,
            note="a process started and kept, not waited for (crawl4ai's browser): "
            "`create_subprocess_exec` would call `Popen` on the loop's thread too",
        ),
        Example(
            """
            import asyncio
            import hashlib

            from passlib.context import CryptContext

            pwd_context = CryptContext(schemes=["bcrypt"], deprecated="auto")


            def verify_password(plain: str, hashed: str) -> bool:
                return pwd_context.verify(plain, hashed)


            async def login(password: str, stored: str, token: str) -> bool:
                if pwd_context.identify(stored) is None:
                    return False
                digest = hashlib.sha256(token.encode()).hexdigest()
                ok = await asyncio.to_thread(pwd_context.verify, password, stored)
                return ok and await asyncio.to_thread(verify_password, password, digest)
            """,
            note=(
                "a hash run in a thread; a hasher's method that hashes nothing "
                "(`identify`); a fast digest (`hashlib.sha256`)"
            ),
            also=("FG504",),
        ),
        Example(
            """
            import subprocess
            import time


            async def test_server_survives_a_slow_client(server) -> None:
                process = subprocess.Popen(["slowloris", server.url])
                time.sleep(0.5)
                process.terminate()
                assert process.wait() == 0
            """,
            path="tests/test_slow_clients.py",
            note="a test (see FG301)",
            also=("FG301",),
        ),
    )

    def _definite(self, structure: Structure) -> bool:
        # and `.wait()` / `.communicate()` on what the file shows to be a `Popen`: named in
        # code through an import, or in a string annotation
        # and a password hasher's method (`_hashes`, a class the file names, which
        # `receiver_class` needs), in an `async def` or in a same-module helper
        # (`_blocking_helpers`)
        return super()._definite(structure) or (
            structure.layer not in ("test", "tooling")
            and (
                (
                    structure.calls_method(*POPEN_WAITS, in_async=True)
                    and (
                        structure.refers_to(*POPEN_CLASSES)
                        or any("Popen" in text for text in structure.strings)
                    )
                )
                or (
                    structure.refers_to(*PASSWORD_HASHER_MAKERS)
                    and structure.calls_method(*PASSWORD_HASHER_METHODS)
                    and any(call.in_async for call in structure.calls)
                )
            )
        )

    def visit_WithItem(self, node: cst.WithItem, ctx: FileContext) -> None:
        # `with Popen(...) as process:` binds a Popen object the context does not infer
        function = ctx.function
        item = node.item
        if (
            function is not None
            and node.asname is not None
            and isinstance(node.asname.name, cst.Name)
            and isinstance(item, cst.Call)
            and ctx.qualified_name(item.func) in POPEN_CLASSES
        ):
            ctx.stash(self.code).append((id(function.node), node.asname.name.value))

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        super().visit_Call(node, ctx)
        func = node.func
        if (
            ctx.in_async_function
            and ctx.layer not in ("test", "tooling")
            and not ctx.runs_before_serving
            and isinstance(func, cst.Attribute)
            and func.attr.value in POPEN_WAITS
            and self._is_popen(func.value, ctx)
        ):
            ctx.report(
                node,
                f"`.{func.attr.value}()` on a `subprocess.Popen` waits for the process on the "
                "event loop inside `async def`: use `await asyncio.create_subprocess_exec(...)` "
                f"and `await process.{func.attr.value}()`",
            )
            return
        hashed = self._hashes(node, ctx)
        if hashed is not None:
            method = code_of(func)
            _report(
                ctx,
                node,
                f"`{method}()` on a `{hashed}` hashes a password on the event loop inside "
                "`async def` (CPU work of milliseconds to a tenth of a second or more, on "
                f"purpose): `await asyncio.to_thread({method}, ...)`" + idle_route_hint(ctx),
                f"{hashed}.{func.attr.value}" if isinstance(func, cst.Attribute) else hashed,
            )

    def _hashes(self, node: cst.Call, ctx: FileContext) -> str | None:
        """The password hasher class (`PASSWORD_HASHERS`) whose hashing method a call of
        a coroutine makes, on an instance the context knows (`pwd_context.verify(...)` of a
        module-level `CryptContext(...)`, `self.hasher.hash(...)`), or None."""
        func = node.func
        if (
            not isinstance(func, cst.Attribute)
            or func.attr.value not in PASSWORD_HASHER_METHODS
            or not ctx.in_async_function
            or ctx.layer in ("test", "tooling")
            or ctx.runs_before_serving
            or runs_its_own_loop(ctx)
            or id(node) in ctx.marks(_AWAITED)
        ):
            return None
        receiver = func.value
        cls = (
            PASSWORD_HASHER_MAKERS.get(ctx.qualified_name(receiver.func) or "")
            if isinstance(receiver, cst.Call)
            else receiver_class(receiver, ctx)
        )
        function = ctx.function
        if cls is None and function is not None and function.owner is not None:
            # `self.pwd_context.verify(...)` of a hasher the class binds
            found = _self_hasher_call(node, _class_hashers(function.owner.node, ctx))
            cls = found.rpartition(".")[0] if found is not None else None
        if cls is None or func.attr.value not in PASSWORD_HASHERS.get(cls, ()):
            return None
        return cls

    def _not_reported_here(self, node: cst.Call, name: str | None, ctx: FileContext) -> bool:
        # `proc = Popen(...)`: starting a process is what asyncio's own API does on the
        # loop's thread too (`create_subprocess_exec` calls `subprocess.Popen` there), so
        # a process only started is no finding (crawl4ai's browser, started and left); one
        # the coroutine waits for is reported at the wait (`visit_Call` below: one fix),
        # one whose pipes it reads or writes (`proc.stdout.read()`) here, at the start
        function = ctx.function
        if name not in POPEN_CLASSES or function is None:
            return False
        names: set[str] = set()
        statement = ctx.within[-1] if ctx.within else None
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign | cst.AnnAssign) and small.value is node:
                    targets = (
                        [t.target for t in small.targets]
                        if isinstance(small, cst.Assign)
                        else [small.target]
                    )
                    names.update(
                        code_of(t) for t in targets if isinstance(t, cst.Name | cst.Attribute)
                    )
        elif isinstance(statement, cst.With):
            for item in statement.items:
                asname = item.asname.name if item.asname is not None else None
                if item.item is node and isinstance(asname, cst.Name):
                    names.add(asname.value)
        return not any(
            isinstance(used, cst.Attribute)
            and used.attr.value in POPEN_PIPES
            and (used.value is node or code_of(used.value) in names)
            for used in own_descendants(function.node.body)
        )

    def _is_popen(self, receiver: cst.BaseExpression, ctx: FileContext) -> bool:
        inferred = ctx.infer(receiver)
        if inferred is not None and not inferred.iterable and inferred.cls in POPEN_CLASSES:
            return True
        function = ctx.function
        return (
            isinstance(receiver, cst.Name)
            and function is not None
            and (id(function.node), receiver.value) in ctx.stash(self.code)
        )


def _own_calls(function: cst.FunctionDef | cst.Lambda) -> Iterator[cst.Call]:
    """The calls of a function's own body (not of the functions and lambdas nested in it,
    which run elsewhere)."""
    for node in own_descendants(function.body):
        if isinstance(node, cst.Call):
            yield node


#: Libraries a service calls in its coroutines all the time, none of whose functions is
#: a helper of the project (their own blocking calls are named in `checks.blocking`).
_LIBRARIES = frozenset(
    {"sqlalchemy", "sqlmodel", "fastapi", "starlette", "pydantic", "pydantic_settings", "httpx"}
)


def _own_method_of(call: CallSite, structure: Structure) -> str | None:
    """The screen of `_own_method`: `self.method(...)` in a method of a module-level class
    whose body, or a local base's, defines `method` with `def`."""
    func = call.node.func
    method = call.enclosing
    if (
        structure.module is None
        or method is None
        or not isinstance(func, ast.Attribute)
        or not isinstance(func.value, ast.Name)
        or not isinstance(method.node, ast.FunctionDef | ast.AsyncFunctionDef)
    ):
        return None
    owner = method.outer
    if owner is None or not isinstance(owner.node, ast.ClassDef) or owner.outer is not None:
        return None
    params = [*method.node.args.posonlyargs, *method.node.args.args]
    if not params or params[0].arg != func.value.id:
        return None
    defining = _defining_local_class(owner.node, func.attr, structure.tree)
    if defining is None:
        return None
    return f"{structure.module}.{defining.name}.{func.attr}"


def _defining_local_class(cls: ast.ClassDef, method: str, tree: ast.Module) -> ast.ClassDef | None:
    """The module-level class whose body defines `method` with `def` for instances of
    `cls`: `cls`, or one of its bases of the module (breadth first), as
    `checks.session_receivers.defining_class` finds it, or None (an `async def` there)."""
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    seen: set[str] = set()
    pending = [cls]
    while pending:
        current = pending.pop(0)
        if current.name in seen:
            continue
        seen.add(current.name)
        for item in current.body:
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name == method:
                return current if isinstance(item, ast.FunctionDef) else None
        pending.extend(
            classes[base.id]
            for base in current.bases
            if isinstance(base, ast.Name) and base.id in classes
        )
    return None


def _own_function_of(call: CallSite, structure: Structure) -> str | None:
    """The screen of `_own_function`: `helper(...)` of a sync `def` of the module (a
    superset: any binding of the name elsewhere aside; an `async def`'s ask never holds,
    the index records sync functions only)."""
    func = call.node.func
    if structure.module is None or not isinstance(func, ast.Name):
        return None
    if not any(
        isinstance(function, ast.FunctionDef) and function.name == func.id
        for function in structure.functions
    ):
        return None
    return f"{structure.module}.{func.id}"


def _may_be_project_function(qualified: str) -> bool:
    """Whether an imported callee may be a function the project index reads: an absolute
    dotted name outside the standard library and the libraries every service calls."""
    top, dot, _ = qualified.partition(".")
    return bool(dot) and bool(top) and top not in sys.stdlib_module_names and top not in _LIBRARIES


def _imported_callees(structure: Structure) -> Iterator[str]:
    """The screen of `_imported_helper`: what a coroutine calls that may be a function of
    another module of the project, resolved through the file's imports; or a method of a
    class of another module called on a parameter the coroutine annotates with it
    (`_annotated_receiver_method`)."""
    if structure.layer in ("test", "tooling"):
        return
    for call in structure.calls:
        # a call awaited gives an awaitable: not a sync helper's (`_imported_helper`)
        if call.in_async and not structure.is_awaited(call.node):
            own = _own_method_of(call, structure) or _own_function_of(call, structure)
            if own is not None:
                yield own
            for qualified in structure.qualified(call.dotted):
                if _may_be_project_function(qualified) and structure.may_be_project_class(
                    qualified
                ):
                    yield qualified
            func = call.node.func
            enclosing = call.enclosing.node if call.enclosing is not None else None
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call):
                # a method of an instance made for the call (`_annotated_receiver_method`)
                for qualified in structure.qualified(ast_dotted_name(func.value.func)):
                    if _may_be_project_function(qualified) and (
                        structure.may_be_project_class(qualified)
                    ):
                        yield f"{qualified}.{func.attr}"
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                # or made by the coroutine, bound to a name (`payment = Gateway(...)`)
                for made in structure.bindings_of(func.value.id).values:
                    if not isinstance(made, ast.Call):
                        continue
                    for qualified in structure.qualified(ast_dotted_name(made.func)):
                        if _may_be_project_function(qualified) and (
                            structure.may_be_project_class(qualified)
                        ):
                            yield f"{qualified}.{func.attr}"
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and isinstance(enclosing, ast.AsyncFunctionDef)
            ):
                arguments = enclosing.args
                written = [
                    argument.annotation
                    for argument in (
                        *arguments.posonlyargs,
                        *arguments.args,
                        *arguments.kwonlyargs,
                    )
                    if argument.arg == func.value.id and argument.annotation is not None
                ]
                # a local name the coroutine annotates (any `x: T` of the file's)
                written += structure.bindings_of(func.value.id).annotations
                # an unannotated parameter FastAPI fills from a project's function
                # (`ai_service=Depends(get_ai_service)`): the method of what it returns
                for depended in _dependency_defaults(enclosing, func.value.id):
                    for qualified in structure.qualified(ast_dotted_name(depended)):
                        if _may_be_project_function(qualified):
                            yield f"{CALL_CHAIN}{qualified}|{func.attr}"
                for written_annotation in written:
                    annotations = [written_annotation]
                    if isinstance(written_annotation, ast.Name):
                        # a module's `Annotated` alias (`FileContext.annotated_alias`):
                        # whatever the name is bound to
                        annotations += structure.bindings_of(written_annotation.id).values
                    for annotation in annotations:
                        if isinstance(annotation, ast.Subscript) and (
                            ast_dotted_name(annotation.value) or ""
                        ).endswith("Annotated"):
                            inner = annotation.slice
                            annotation = inner.elts[0] if isinstance(inner, ast.Tuple) else inner
                        for qualified in structure.qualified(ast_dotted_name(annotation)):
                            if _may_be_project_function(qualified) and (
                                structure.may_be_project_class(qualified)
                            ):
                                yield f"{qualified}.{func.attr}"
                # a method of a row the coroutine queried (`_queried_model_method`): of
                # the entities selected or got in what the name was assigned
                queried = structure.memo(
                    ("fg302:queried", id(enclosing)), functools.partial(_Queried, enclosing)
                )
                for entity in queried.rows_of(func.value.id):
                    for qualified in structure.qualified(entity):
                        if _may_be_project_function(qualified) and (
                            structure.may_be_project_class(qualified)
                        ):
                            yield f"{qualified}.{func.attr}"
                # a method of what an awaited call returned (`_returned_model_method`):
                # of any class of the project (the screen cannot tell which)
                if func.attr not in _RESULT_METHODS and any(
                    isinstance(value, ast.Await)
                    for value in structure.bindings_of(func.value.id).values
                ):
                    yield f"{ANY_RETURNED}{func.attr}"
            yield from _attribute_classes_methods(call, structure)


def _dependency_defaults(function: ast.AsyncFunctionDef, name: str) -> list[ast.expr]:
    """What an unannotated parameter `name` of the coroutine takes from `Depends(...)`
    (`ai_service=Depends(get_ai_service)`: `get_ai_service`), as `_dependency_factory`
    reads it in libcst's tree."""
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    first = len(positional) - len(arguments.defaults)
    pairs = list(zip(positional[first:], arguments.defaults, strict=True))
    pairs += [
        (argument, default)
        for argument, default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)
        if default is not None
    ]
    return [
        default.args[0]
        for argument, default in pairs
        if argument.arg == name
        and argument.annotation is None
        and isinstance(default, ast.Call)
        and (ast_dotted_name(default.func) or "").rpartition(".")[2] == "Depends"
        and default.args
    ]


def _held_import(owner: ClassInfo, attribute: str, ctx: FileContext) -> str | None:
    """What `self.<attribute> = name` in the class's `__init__` binds, where `name` is
    imported from another module (its qualified name); None for anything else, or where
    `__init__` binds the attribute more than once."""
    init = init_of(owner)
    if init is None:
        return None
    values = [
        node.value
        for node in descendants(init.body)
        if isinstance(node, cst.Assign)
        and any(
            isinstance(target.target, cst.Attribute)
            and isinstance(target.target.value, cst.Name)
            and target.target.value.value == "self"
            and target.target.attr.value == attribute
            for target in node.targets
        )
    ]
    if len(values) != 1 or not isinstance(values[0], cst.Name):
        return None
    name = values[0].value
    if name not in ctx.imports:
        return None
    qualified = ctx.qualified_name(values[0])
    return qualified if qualified is not None and "." in qualified else None


def _base_elsewhere(owner: ClassInfo, ctx: FileContext) -> bool:
    """Whether a module-level class derives, itself or through its bases in the file, from
    a class of another module (whose body the project index reads)."""
    pending, seen = [owner], set[str]()
    while pending:
        info = pending.pop()
        if info.outer is not None or info.name in seen:
            continue
        seen.add(info.name)
        for base in info.bases:
            local = ctx.classes.get(base) if base is not None else None
            if local is None:
                return base is not None
            pending.append(local)
    return False


def _attribute_classes_methods(call: CallSite, structure: Structure) -> Iterator[str]:
    """The screen of `_annotated_receiver_method`'s `self.x.method()`: `Class.method` for
    each class of the project that the enclosing class, or a base of it in the file,
    annotates an attribute of that name with (in its body, or `self.x: T` in a method),
    makes under that name (`x = Maker()` in its body, `self.x = Maker(...)` in a method:
    pkrecz's `self.auth = AuthenticationRepository(self.db, UserModel)`, reader 170; a
    function of the file it calls, by what that function's annotation returns), or
    whose methods name a parameter with (a superset of `instance_attributes`)."""
    func = call.node.func
    enclosing = call.enclosing
    if not (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Attribute)
        and isinstance(func.value.value, ast.Name)
        and func.value.value.id == "self"
        and enclosing is not None
        and enclosing.outer is not None
        and isinstance(enclosing.outer.node, ast.ClassDef)
    ):
        return
    attribute = func.value.attr
    annotations: list[ast.expr] = []
    held: list[str] = []

    def made_by(value: ast.expr | None) -> None:
        while isinstance(value, ast.IfExp):  # `Maker() if url else None`
            made_by(value.body)
            value = value.orelse
        if not isinstance(value, ast.Call):
            return
        annotations.append(value.func)
        if isinstance(value.func, ast.Name):
            annotations.extend(
                function.returns
                for function in structure.functions
                if function.name == value.func.id and function.returns is not None
            )

    classes = [enclosing.outer.node]
    seen: set[str] = set()
    elsewhere = False
    while classes:
        cls = classes.pop()
        if cls.name in seen:
            continue
        seen.add(cls.name)
        for base in structure.local_base_names(cls.name):
            classes.extend(structure.local_classes(base))
        elsewhere = elsewhere or any(
            not structure.local_classes(ast_dotted_name(base) or "") for base in cls.bases
        )
        for statement in cls.body:
            if (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and statement.target.id == attribute
            ):
                annotations.append(statement.annotation)
            elif isinstance(statement, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == attribute
                for target in statement.targets
            ):
                # `_password_hasher = PasswordHasher()` in the class body: the class it makes
                made_by(statement.value)
            elif isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
                arguments = statement.args
                annotations.extend(
                    argument.annotation
                    for argument in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)
                    if argument.annotation is not None
                )
                for node in ast.walk(statement):
                    if isinstance(node, ast.AnnAssign) and _attribute_named(node.target, attribute):
                        annotations.append(node.annotation)
                    elif isinstance(node, ast.Assign) and any(
                        _attribute_named(target, attribute) for target in node.targets
                    ):
                        made_by(node.value)
                        if isinstance(node.value, ast.Name):
                            held.append(node.value.id)
    for name in held:
        # another module's instance the attribute holds (`self.auth_utils = auth_utils`
        # of `from app.utils.auth import auth_utils`): its method, as the index reads it
        for qualified in structure.qualified(name):
            if _may_be_project_function(qualified) and "." in qualified:
                yield f"{qualified}.{func.attr}"
    for annotation in annotations:
        for qualified in structure.qualified(ast_dotted_name(annotation)):
            if _may_be_project_function(qualified) and structure.may_be_project_class(qualified):
                yield f"{qualified}.{func.attr}"
        named = ast_dotted_name(annotation)
        if named is not None and structure.module and structure.local_classes(named):
            # a class of this module (`self.helper = AuthServiceHelper(db)`), which the
            # index knows by the module's name (`_BlockingInAsync._imported_helper`)
            yield f"{structure.module}.{named}.{func.attr}"
    if elsewhere:
        # what a base of another module holds under the name (`_annotated_receiver_method`):
        # any class's method of that name (the screen cannot tell which)
        yield f"{ANY_RETURNED}{func.attr}"


def _attribute_named(target: ast.expr, attribute: str) -> bool:
    """Whether an assignment's target is an attribute of that name of a plain name
    (`self.auth`)."""
    return (
        isinstance(target, ast.Attribute)
        and target.attr == attribute
        and isinstance(target.value, ast.Name)
    )


class _Queried:
    """What the names a coroutine assigns hold of a query, asked name by name (the
    screen's superset of `_queried_model_method`'s classes): the dotted names of the
    entities selected (`select(User)`) or got (`.get(User, pk)`) in what a name is
    assigned, also through a name assigned so (`result = await db.execute(select(User))`,
    then `user = result.scalar_one_or_none()`), for the rows the coroutine holds, not the
    results it reads them from. Its assignments are read on the first question."""

    def __init__(self, function: ast.AsyncFunctionDef) -> None:
        self._function = function
        self._assigned: dict[str, list[ast.expr]] | None = None
        self._rows: dict[str, frozenset[str]] = {}

    def rows_of(self, name: str) -> frozenset[str]:
        found = self._rows.get(name)
        if found is None:
            if self._assigned is None:
                self._assigned = {}
                for node in ast.walk(self._function):
                    if isinstance(node, ast.Assign):
                        for target in node.targets:
                            if isinstance(target, ast.Name):
                                self._assigned.setdefault(target.id, []).append(node.value)
            values = self._assigned.get(name, [])
            if values and not any(_runs_a_statement(value) for value in values):
                found = frozenset().union(*(self._entities(value, 0) for value in values))
            else:
                found = frozenset()
            self._rows[name] = found
        return found

    def _entities(self, value: ast.expr, depth: int) -> set[str]:
        assert self._assigned is not None
        found: set[str] = set()
        for node in ast.walk(value):
            if isinstance(node, ast.Name) and depth < 2 and node.id in self._assigned:
                for inner in self._assigned[node.id]:
                    found |= self._entities(inner, depth + 1)
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            last = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if last in ("select", "get", "get_one"):
                dotted = ast_dotted_name(node.args[0])
                if dotted is not None:
                    found.add(dotted)
        return found


def _runs_a_statement(value: ast.expr) -> bool:
    """Whether an assigned value is a statement's result, not one of its rows (`await
    db.execute(select(User))`, `session.scalars(...)`): a method called on it reads the
    rows (`result.scalar_one_or_none()`), it is no model's."""
    if isinstance(value, ast.Await):
        value = value.value
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr in ("execute", "exec", "scalars", "stream", "stream_scalars")
    )


#: `typing.Annotated`'s spellings: its first argument is the parameter's class.
_ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})


#: SQLAlchemy's `select()`: the entity it selects is what a query's one row holds.
_SELECTS = frozenset({"sqlalchemy.select", "sqlalchemy.future.select", "sqlmodel.select"})
#: Calls that give one row's entity of the statement they are given or follow
#: (`await session.scalar(select(User)...)`, `result.scalar_one_or_none()`).
_ONE_ENTITY = frozenset(
    {"scalar", "scalar_one", "scalar_one_or_none", "first", "one", "one_or_none", "get", "get_one"}
)
#: A receiver named as a session (`session`, `db`, `db_session`, `self.session`).
_SESSION_NAME = lazy_pattern(r"^(?:\w+_)?(?:session|db)$", re.IGNORECASE)
#: Calls that run a statement and give its result (`await session.execute(select(User))`).
_RUNS_STATEMENT = frozenset({"execute", "scalars", "exec"})


def _queried_model_method(node: cst.Call, ctx: FileContext) -> str | None:
    """`Model.method` for a method called on a row a coroutine queried (`user = await
    session.scalar(select(User)...)`, or `result.scalar_one_or_none()` of `result = await
    db.execute(select(User)...)`, or `await session.get(User, pk)`), `Model` being a class
    of another module: readers 56's forum, movies and uuipdemo check a login's password
    with `user.check_password(password)`, a model method that hashes."""
    func = node.func
    if not isinstance(func, cst.Attribute) or not isinstance(func.value, cst.Name):
        return None
    if ctx.function is None or not ctx.in_async_function:
        return None
    model = _entity_of(bound_once(func.value, ctx), ctx, 0)
    if model is None or "." not in model:
        return None
    return f"{model}.{func.attr.value}"


#: Methods of what library coroutines return (SQLAlchemy's results, HTTP responses,
#: built-in containers and strings, Pydantic models), never asked of the project index
#: (`_returned_model_method`, and its screen: a file whose coroutines call only these on
#: what they awaited waits for no answer).
_RESULT_METHODS = frozenset(
    {
        *("scalars", "scalar", "scalar_one", "scalar_one_or_none", "one", "one_or_none"),
        *("first", "all", "fetchall", "fetchone", "fetchmany", "mappings", "unique"),
        *("tuples", "partitions", "columns", "keys", "values", "items", "get", "pop"),
        *("json", "raise_for_status", "read", "aread", "aiter_bytes", "aiter_lines"),
        *("iter_bytes", "close", "aclose", "append", "extend", "update", "copy"),
        *("lower", "upper", "strip", "split", "startswith", "endswith", "decode"),
        *("encode", "format", "replace", "model_dump", "model_dump_json", "dict"),
    }
)


def _returned_model_method(node: cst.Call, ctx: FileContext) -> str | None:
    """A method called on what an awaited call of the coroutine returned (`user = await
    crud.get_user(email)`, then `user.check_password(password)`), where the class is the
    return annotation of a function or method of the project (`-> User | None`): the
    method of that class, asked of the project index as `()crud.get_user|check_password`
    (`CALL_CHAIN`: Vorongor's and Udemezue12's logins check the password with bcrypt in a
    model method, readers 126 and 127)."""
    func = node.func
    if not isinstance(func, cst.Attribute) or not isinstance(func.value, cst.Name):
        return None
    if func.attr.value in _RESULT_METHODS:
        return None
    if ctx.function is None or not ctx.in_async_function:
        return None
    value = bound_once(func.value, ctx)
    if not isinstance(value, cst.Await):
        return None
    called = _held_method(value.expression, ctx)
    if called is None:
        inferred = ctx.infer(value.expression, calls=True)
        if inferred is None or inferred.iterable or inferred.of_class or not inferred.call:
            return None
        called = inferred.cls
    if not _may_be_project_function(called):
        return None
    return f"{CALL_CHAIN}{called}|{func.attr.value}"


def _held_method(call: cst.BaseExpression, ctx: FileContext) -> str | None:
    """`Class.method` for a call of a method of an attribute of `self` whose class the
    enclosing class's body or `__init__` says (`self.repo.get_by_email(...)` with
    `self.repo: AuthRepo = AuthRepo(db)`), `self` being the enclosing method's, also in
    a function nested in it (Udemezue12's `async def handler()` in `login`)."""
    if not (
        isinstance(call, cst.Call)
        and isinstance(call.func, cst.Attribute)
        and isinstance(call.func.value, cst.Attribute)
        and isinstance(call.func.value.value, cst.Name)
        and call.func.value.value.value == "self"
    ):
        return None
    owner = next((f.owner for f in reversed(ctx.functions) if f.owner is not None), None)
    if owner is None or owner.outer is not None:
        return None
    cls = instance_attributes(owner.name, ctx).get(call.func.value.attr.value)
    if cls is None:
        return None
    if "." not in cls and ctx.module_name is not None and cls in ctx.classes:
        cls = f"{ctx.module_name}.{cls}"  # a class of this module
    return f"{cls}.{call.func.attr.value}"


def _entity_of(value: cst.BaseExpression | None, ctx: FileContext, depth: int) -> str | None:
    """The class of the one row `value` gives (see `_queried_model_method`), else None."""
    if isinstance(value, cst.Await):
        value = value.expression
    if depth > 2 or not isinstance(value, cst.Call) or not isinstance(value.func, cst.Attribute):
        return None
    method = value.func.attr.value
    receiver = value.func.value
    first = value.args[0].value if value.args and value.args[0].keyword is None else None
    if method in _ONE_ENTITY and first is not None:
        if method in ("get", "get_one"):
            # `session.get(User, pk)`, on what is named or typed as a session (not a
            # cache's `get(settings.KEY)`)
            written = code_of(receiver).rpartition(".")[2]
            if _SESSION_NAME.match(written) or is_async_session(receiver, ctx):
                return ctx.class_ref(first)
            return None
        return _selected(first, ctx)  # `session.scalar(select(User)...)`
    if method in _ONE_ENTITY or method in ("scalars", "unique"):
        # `result.scalar_one_or_none()`, `(await db.execute(q)).scalars().first()`
        if isinstance(receiver, cst.Name):
            return _entity_of(bound_once(receiver, ctx), ctx, depth + 1)
        if isinstance(receiver, cst.Await | cst.Call):
            return _entity_of(receiver, ctx, depth + 1)
        return None
    if method in _RUNS_STATEMENT and first is not None:
        return _selected(first, ctx)
    return None


def _selected(statement: cst.BaseExpression, ctx: FileContext) -> str | None:
    """The one entity of a `select(User)...` chain (`.where(...)`, `.filter_by(...)`), also
    of the one a name is bound to (`stmt = select(UserModel).filter_by(email=email)`, then
    `await db.execute(stmt)`: Liliyakhu's login, reader 131)."""
    if isinstance(statement, cst.Name):
        statement = bound_once(statement, ctx) or statement
    while isinstance(statement, cst.Call):
        func = statement.func
        if ctx.qualified_name(func) in _SELECTS:
            args = statement.args
            if len(args) == 1 and args[0].keyword is None and not args[0].star:
                return ctx.class_ref(args[0].value)
            return None
        if not isinstance(func, cst.Attribute):
            return None
        statement = func.value
    return None


def _own_function(node: cst.Call, ctx: FileContext) -> str | None:
    """`module.helper` for `helper(...)`, a function the module defines at its top level
    (`module_definitions`, as FG102 asks of them): the summary of this module records
    another module's password helper it calls (Max-ghub's `_ensure_password_valid`,
    which calls `verify_password` of `app.core.security`, which runs passlib's `verify`:
    reader 110), which the project index follows, as for `_own_method`."""
    func = node.func
    if ctx.module_name is None or not isinstance(func, cst.Name) or ctx.is_bound(func.value):
        return None
    name = func.value
    if name not in module_definitions(ctx) or name in ctx.classes:
        return None
    return f"{ctx.module_name}.{name}"


def _own_method(node: cst.Call, ctx: FileContext) -> str | None:
    """`module.Class.method` for `self.method(...)` in a method of a module-level class
    whose body defines `method` with `def`: the summary of this module records what such a
    method calls (balorette's `self._verify_password(...)`, which calls `verify_password`
    of `app.core.security`, which runs `bcrypt.checkpw`: reader 64), and the project
    index follows it as it follows another module's helper."""
    func = node.func
    function = ctx.function
    owner = function.owner if function is not None else None
    if (
        ctx.module_name is None
        or owner is None
        or owner.outer is not None
        or not isinstance(func, cst.Attribute)
        or not isinstance(func.value, cst.Name)
        or function is None
        or not isinstance(function.node, cst.FunctionDef)
        or func.value.value != _first_parameter_name(function.node)
    ):
        return None
    method = func.attr.value
    # (or of a local base: musashimiyomoto's `self._verify_password(...)` of
    # `BaseAuthUsecase`, reader 137)
    found = defining_class(owner.name, method, ctx)
    if found is None or found[0].outer is not None or found[1].asynchronous is not None:
        return None
    return f"{ctx.module_name}.{found[0].name}.{method}"


def _first_parameter_name(function: cst.FunctionDef) -> str | None:
    params = [*function.params.posonly_params, *function.params.params]
    return params[0].name.value if params else None


@node_memo
def _local_assignments(
    body: cst.BaseSuite,
) -> dict[str, list[cst.AnnAssign | cst.Assign | cst.AugAssign]]:
    """The assignments of a function's own body to each plain name, in the order
    `own_descendants` gives them."""
    found: dict[str, list[cst.AnnAssign | cst.Assign | cst.AugAssign]] = {}
    for node in own_descendants(body):
        if isinstance(node, cst.AnnAssign | cst.Assign | cst.AugAssign):
            targets = (
                [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            )
            for name in dict.fromkeys(t.value for t in targets if isinstance(t, cst.Name)):
                found.setdefault(name, []).append(node)
    return found


def _annotated_receiver_method(node: cst.Call, ctx: FileContext) -> str | None:
    """`Class.method` of another module for a call of a method on a parameter of the
    coroutine annotated with that class (`file_service: FileService =
    Depends(get_file_service)`, then `file_service.download_from_url(url)`: whisperx's
    route), as `checks.summary` records a sync method's blocking call."""
    func = node.func
    function = ctx.function
    if (
        not isinstance(func, cst.Attribute)
        or function is None
        or not isinstance(function.node, cst.FunctionDef)
        or function.node.asynchronous is None
    ):
        return None
    receiver = func.value
    if isinstance(receiver, cst.Call):
        # `AuthService().verify_password(...)`: a method of an instance made for the call
        # (AndreyKrakhmalnyy's login route, whose service checks the password with
        # passlib: reader 115)
        cls = ctx.qualified_name(receiver.func)
        maker = receiver.func
        if cls is None and isinstance(maker, cst.Name) and maker.value in ctx.classes:
            # a class of this module (vladikhub's `AuthService().verify_password(...)` in
            # `AuthService.login_user`, reader 175), as the project index names it
            cls = f"{ctx.module_name}.{maker.value}" if ctx.module_name else None
        return f"{cls}.{func.attr.value}" if cls is not None else None
    if (
        isinstance(receiver, cst.Attribute)
        and isinstance(receiver.value, cst.Name)
        and receiver.value.value == "self"
        and function.owner is not None
    ):
        # `self.hash_service.verify_password(...)`: an attribute the class annotates or
        # its `__init__` binds from an annotated parameter (Forgot-0's login handler, a
        # dataclass whose `hash_service: HashService` checks passwords: reader 77)
        cls = instance_attributes(function.owner.name, ctx).get(receiver.attr.value)
        if cls is None:
            held = _held_import(function.owner, receiver.attr.value, ctx)
            if held is not None:
                # another module's instance `__init__` binds (`self.auth_utils =
                # auth_utils`, `auth_utils = AuthUtils()` there: Poseidon-G's login,
                # reader 212): its class's method, as the project index reads it
                return f"{held}.{func.attr.value}"
        if cls is None and _base_elsewhere(function.owner, ctx) and ctx.module_name:
            # what a base of another module declares the attribute to hold (`security =
            # Security()` in `BaseApi`'s body: ipLance-digital's login, reader 174), as
            # the project index reads it
            owner = f"{ctx.module_name}.{function.owner.name}"
            return f"{HELD_CHAIN}{owner}.{receiver.attr.value}|{func.attr.value}"
        return f"{cls}.{func.attr.value}" if cls is not None else None
    if not isinstance(receiver, cst.Name):
        return None
    made = bound_once(receiver, ctx)
    if isinstance(made, cst.Call):
        # `payment = TinkoffPayment(...)`, then `payment.make_payment()`: a method of an
        # instance the coroutine made (AxasSoft's payment route, whose gateway class
        # posts with `requests`: reader 125), as of one made for the call
        cls = ctx.qualified_name(made.func)
        if cls is not None and cls.rpartition(".")[2][:1].isupper():
            return f"{cls}.{func.attr.value}"
    params = function.node.params
    annotations = [
        param.annotation.annotation
        for param in (*params.posonly_params, *params.params, *params.kwonly_params)
        if param.name.value == receiver.value and param.annotation is not None
    ]
    if not annotations:
        # a local name the coroutine annotates (`redis_helper: RedisHelper =
        # request.state.redis_helper`, agfianf's auth dependency, reader 83), bound once
        bound = _local_assignments(function.node.body).get(receiver.value, ())
        if len(bound) == 1 and isinstance(bound[0], cst.AnnAssign):
            annotations = [bound[0].annotation.annotation]
    if not annotations:
        # an unannotated parameter FastAPI fills from a dependency (`ai_service=Depends(
        # get_ai_service)`, whose `-> AIService`'s method asks Gemini: anishxagrawal's
        # chat route, reader 159): the method of the class the function returns
        factory = _dependency_factory(receiver, ctx)
        if factory is not None and factory in ctx.imports.values():
            return f"{CALL_CHAIN}{factory}|{func.attr.value}"
    for annotation in annotations:
        if isinstance(annotation, cst.Name):
            # `user_service: user_dependency`, the module's `Annotated[UserService,
            # Depends(...)]` alias (Sanoy24's login route, reader 82)
            annotation = ctx.annotated_alias(annotation.value) or annotation
        if isinstance(annotation, cst.Subscript) and (
            ctx.qualified_name(annotation.value) in _ANNOTATED
        ):
            first = annotation.slice[0].slice
            if not isinstance(first, cst.Index):
                return None
            annotation = first.value
        cls = ctx.qualified_name(annotation)
        return f"{cls}.{func.attr.value}" if cls is not None else None
    return None


def may_call_blocking_helper(
    structure: Structure, calls: Collection[str], clients: bool = False
) -> bool:
    """The screen of `blocking_helper`: one of `calls` made somewhere in the file (with
    `clients`, or a sync client made or named there), and a call of a bare name or of a
    method of `self` in an `async def`."""
    made = any(structure.calls_to(calls)) or (
        clients
        and (
            any(structure.calls_to(CLIENT_MAKERS))
            or structure.refers_to(*BLOCKING_CLIENTS)
            # an SDK resource's request (`stripe.Subscription.retrieve(...)`)
            or any(
                call.last in _RESOURCE_METHODS
                and any(is_resource_request(name) for name in structure.qualified(call.dotted))
                for call in structure.calls
            )
        )
    )
    classes = {node.name for node in structure.tree.body if isinstance(node, ast.ClassDef)}
    return made and any(
        call.in_async
        and (
            isinstance(call.node.func, ast.Name)
            or (
                isinstance(call.node.func, ast.Attribute)
                and isinstance(call.node.func.value, ast.Name)
                and (call.node.func.value.id == "self" or call.node.func.value.id in classes)
            )
        )
        for call in structure.calls
    )


def blocking_helper(
    node: cst.Call, ctx: FileContext, calls: Collection[str], code: str, clients: bool = False
) -> tuple[str, str, str] | None:
    """A sync function of this module (`set_country_info()`), or a sync method of the
    enclosing class called through `self`, whose own body makes one of `calls`: the
    callee's code and the blocking call's name (`code`: the rule's, for its per-file
    table). Once per helper and calling function: its first call there (the fix is the
    helper's, or one thread for the function's calls of it; refact's `rm()` was reported
    at each of nine calls, on error paths and in `finally` blocks)."""
    func = node.func
    key = _helper_key(func, ctx)
    if key is None:
        return None
    helpers = _blocking_helpers(ctx, calls, code, clients)
    found = helpers.get(key)
    if found is None or not _first_in_function(ctx, code, key):
        return None
    blocking, through = found
    links: list[str] = []
    while through is not None and len(links) < len(helpers):
        links.append(f"`{through}()`, which calls ")
        through = helpers[through][1]
    return code_of(func), blocking, "".join(links) + describe_call(blocking)


def _helper_key(func: cst.BaseExpression, ctx: FileContext) -> str | None:
    """The name `_blocking_helpers` would know a callee by: a function of the module
    (`set_country_info`) or a method of the enclosing class through `self`
    (`Client.fetch`)."""
    if isinstance(func, cst.Name) and not ctx.is_bound(func.value):
        return func.value
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
        function = ctx.function
        owner = function.owner if function is not None else None
        if func.value.value == "self" and owner is not None and owner.outer is None:
            # the class that defines it: this one, or a local base
            found = defining_class(owner.name, func.attr.value, ctx)
            defining = found[0] if found is not None and found[0].outer is None else owner
            return f"{defining.name}.{func.attr.value}"
        cls = ctx.classes.get(func.value.value)
        if cls is not None and cls.outer is None and not ctx.shadowed(func.value.value):
            # a static or class method of a class of the module, called by the class's
            # name (`HashService.verify_password(...)`: ZUS666's login, reader 123)
            return f"{cls.name}.{func.attr.value}"
    return None


def is_blocking_helper(
    node: cst.Call, ctx: FileContext, calls: Collection[str], code: str, clients: bool = False
) -> bool:
    """Whether the call is of a helper `blocking_helper` reports, at its first call in
    the function: a later one is no finding, also not as one of the helpers the project
    index reads (wolfeiq's rate-limit middleware, whose second `check_rate_limit(...)`
    was reported again as a sync function of its module: reader 116)."""
    key = _helper_key(node.func, ctx)
    return key is not None and key in _blocking_helpers(ctx, calls, code, clients)


def _first_in_function(ctx: FileContext, code: str, helper: str) -> bool:
    """Whether this is the first call of `helper` the rule meets in the enclosing function
    (recording it)."""
    function = ctx.function
    stash = ctx.stash(f"{code}.helpers-called")
    if not stash:
        stash.append(set())
    seen: set[tuple[int | None, str]] = stash[0]
    key = (id(function.node) if function is not None else None, helper)
    if key in seen:
        return False
    seen.add(key)
    return True


def _sends_through(made: cst.Call, function: cst.FunctionDef) -> bool:
    """Whether a function uses the client a call of it makes: opens it in a `with`, calls
    a method on it (`httpx.Client().get(url)`), or binds it to a name it calls a method of
    (`client = httpx.Client()`, then `client.get(url)`): `checks.summary` asks the same of
    another module's function."""
    names: set[str] = set()
    nodes = list(own_descendants(function.body))
    for node in nodes:
        if isinstance(node, cst.WithItem) and node.item is made:
            return True
        if isinstance(node, cst.Assign) and node.value is made:
            names.update(t.target.value for t in node.targets if isinstance(t.target, cst.Name))
    for node in nodes:
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            receiver = node.func.value
            if receiver is made or (isinstance(receiver, cst.Name) and receiver.value in names):
                return True
    return False


#: The calls that run a shell command line.
_SHELLS = frozenset({"os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput"})


def _makes_a_folder(call: cst.Call) -> bool:
    """Whether a shell command line given as a string or an f-string starts with `mkdir `."""
    if not call.args or call.args[0].keyword is not None:
        return False
    value = call.args[0].value
    if isinstance(value, cst.SimpleString):
        text = value.evaluated_value
        return isinstance(text, str) and text.lstrip().startswith("mkdir ")
    if isinstance(value, cst.FormattedString) and value.parts:
        first = value.parts[0]
        return isinstance(first, cst.FormattedStringText) and first.value.lstrip().startswith(
            "mkdir "
        )
    return False


def _polls(call: cst.Call, name: str | None) -> bool:
    """`os.waitpid(-1, os.WNOHANG)`: a wait told not to hang returns at once (mlserver's
    SIGCHLD handler reaping a child that already exited); so does psutil's
    `cpu_percent()` given no positive `interval` (a number written there)."""
    if name in PSUTIL_INTERVALS:
        given = keyword_arg(call, "interval") or next(
            (arg for arg in call.args[:1] if arg.keyword is None and not arg.star), None
        )
        if given is None or not isinstance(given.value, cst.Integer | cst.Float):
            return True
        return not waits_an_interval(given.value.evaluated_value)
    return name in WAITS_WITH_OPTIONS and any(
        isinstance(node, cst.Name | cst.Attribute)
        and (node.value if isinstance(node, cst.Name) else node.attr.value) == "WNOHANG"
        for arg in call.args
        for node in (arg.value, *descendants(arg.value))
    )


def _blocking_helpers(
    ctx: FileContext, calls: Collection[str], code: str, clients: bool = False
) -> dict[str, tuple[str, str | None]]:
    """Each sync module-level function and sync method of a module-level class
    (`Class.method`) whose own body calls one of `calls`, with the first such call's
    name; then, until none is added, each that calls one of those that hashes a password
    (by its bare name, or through `self` in the same class), with its call's name and that
    helper's (`authenticate_user` calls `verify_password`, which calls
    `pwd_context.verify`); computed once per file and rule."""
    stash = ctx.stash(f"{code}.helpers")
    if stash:
        known: dict[str, tuple[str, str | None]] = stash[0]
        return known
    found: dict[str, tuple[str, str | None]] = {}
    pending: list[tuple[str, list[cst.Call]]] = []
    for statement in ctx.module.body:
        functions: list[tuple[str, cst.FunctionDef]] = []
        if isinstance(statement, cst.FunctionDef):
            functions.append((statement.name.value, statement))
        elif isinstance(statement, cst.ClassDef) and isinstance(statement.body, cst.IndentedBlock):
            functions.extend(
                (f"{statement.name.value}.{inner.name.value}", inner)
                for inner in statement.body.body
                if isinstance(inner, cst.FunctionDef)
            )
        hashers = _class_hashers(statement, ctx) if isinstance(statement, cst.ClassDef) else {}
        for key, function in functions:
            if function.asynchronous is not None:
                continue
            own = list(own_descendants(function.body))
            if any(isinstance(inner, cst.Yield) for inner in own):
                # a generator function's call runs none of its body: what it is given to
                # runs it (frigate's `StreamingResponse(imagestream(...))`, iterated in
                # Starlette's threadpool), as the summaries of other modules say
                continue
            own_calls = [inner for inner in own if isinstance(inner, cst.Call)]
            # the helper's own imports (`import httpx` in its body): the file's names
            # know them only once the walk has passed the helper, which may be defined
            # below the coroutine that calls it (reader 54, jobsearch's GitHub fetch)
            local = {
                name: qualified
                for inner in own
                if isinstance(inner, cst.Import | cst.ImportFrom)
                for name, qualified in ctx.import_bindings(inner)
            }
            waits = any(
                isinstance(inner, cst.Attribute) and inner.attr.value in POPEN_BLOCKING_USES
                for inner in own
            )
            for inner in own_calls:
                name = (
                    _locally_imported(inner.func, local)
                    or ctx.qualified_name(inner.func)
                    or _module_hasher_call(inner, ctx)
                    or _self_hasher_call(inner, hashers)
                )
                if name in CLIENT_CONSTRUCTORS and not _sends_through(inner, function):
                    continue  # a client made and handed on (`return httpx.Client()`)
                if name == POPEN and not waits:
                    continue  # a process started, not waited for (`POPEN_BLOCKING_USES`)
                if name is not None and name in calls and not _polls(inner, name):
                    # a derivation compared with a stored digest: a check of a password
                    compared = name in DERIVATIONS and any(
                        ctx.qualified_name(other.func) in DIGEST_COMPARISONS for other in own_calls
                    )
                    found[key] = (checked(name, compared), None)
                    break
            else:
                pending.append((key, own_calls))
    if clients:
        # a request through a sync client the module or the helper makes (`s3 =
        # boto3.client("s3")`, then `s3.put_object(...)` in `upload()`), as the summaries
        # of other modules record it (`checks.summary`)
        from checks.summary import blocking_functions_of

        module = ctx.module_name or "__main__"
        source = ctx.source if ctx.source is not None else ctx.module.code.encode()
        is_package = ctx.module_name is not None and ctx.package == ctx.module_name
        for name, made in blocking_functions_of(source, module, is_package).items():
            helper = name.removeprefix(f"{module}.")
            if is_client_request(made) and helper not in found:
                found[helper] = (made, None)
    added = True
    while added:
        added = False
        for key, own_calls in pending:
            if key in found:
                continue
            owner = key.rpartition(".")[0]
            for inner in own_calls:
                func = inner.func
                callee: str | None = None
                if isinstance(func, cst.Name):
                    callee = func.value
                elif (
                    owner
                    and isinstance(func, cst.Attribute)
                    and isinstance(func.value, cst.Name)
                    and func.value.value == "self"
                ):
                    callee = f"{owner}.{func.attr.value}"
                # through several helpers only to a password hash: a process, a request
                # or a sleep two helpers down was a cached or guarded one-off for readers
                # (a shell's PATH probed once, a package installed when missing: 2 of 7
                # worth a change), a login's hash behind two helpers never is
                if callee is not None and callee in found and found[callee][0] in PASSWORD_HASHING:
                    found[key] = (found[callee][0], callee)
                    added = True
                    break
    stash.append(found)
    return found


def _request_sent(call: cst.Call, ctx: FileContext) -> cst.Call | None:
    """The end of the chain of calls a call starts (`client.table("t").select("*")` ...),
    where the chain ends in `.execute()`: the call that sends a query builder's request;
    else None."""
    current: cst.Call = call
    while True:
        attribute = ctx.parent(current)
        if not isinstance(attribute, cst.Attribute) or attribute.value is not current:
            break
        outer = ctx.parent(attribute)
        if not isinstance(outer, cst.Call) or outer.func is not attribute:
            break
        current = outer
    func = current.func
    if current is call or not isinstance(func, cst.Attribute) or func.attr.value != "execute":
        return None
    return current


def _locally_imported(expr: cst.BaseExpression, local: Mapping[str, str]) -> str | None:
    """The name an expression refers to through a function's own import (`httpx.get` after
    `import httpx` in its body), or None."""
    if isinstance(expr, cst.Attribute):
        head = _locally_imported(expr.value, local)
        return None if head is None else f"{head}.{expr.attr.value}"
    if isinstance(expr, cst.Name):
        return local.get(expr.value)
    return None


def _module_hasher_call(call: cst.Call, ctx: FileContext) -> str | None:
    """`Class.method` (`PASSWORD_HASHERS`) for a call of a hashing method on a module-level
    name bound once, to a hasher (`pwd_context = CryptContext(...)`, then
    `pwd_context.verify(...)` in a helper), or on one made there (`CryptContext(...).hash`),
    as the summaries of other modules record it."""
    func = call.func
    if not isinstance(func, cst.Attribute) or func.attr.value not in PASSWORD_HASHER_METHODS:
        return None
    receiver = func.value
    cls: str | None = None
    if isinstance(receiver, cst.Call):
        cls = PASSWORD_HASHER_MAKERS.get(ctx.qualified_name(receiver.func) or "")
    elif isinstance(receiver, cst.Name):
        cls = _module_hashers(ctx).get(receiver.value)
    if cls is None or func.attr.value not in PASSWORD_HASHERS[cls]:
        return None
    return f"{cls}.{func.attr.value}"


def _class_hashers(node: cst.ClassDef, ctx: FileContext) -> dict[str, str]:
    """The attributes of a class's instances that hold a password hasher, with its class:
    those `instance_attributes` knows (annotated in the body, `pwd_context:
    CryptContext`, or bound by `__init__`, `self.hasher = PasswordHasher()`), and those
    the body binds once to one (`pwd_context = CryptContext(...)`: akeeperctl's and
    artni96's `AuthService`, reader 81); computed once per class and file."""
    stash = ctx.stash(f"fg303.class-hashers:{id(node)}")
    if stash:
        known: dict[str, str] = stash[0]
        return known
    made: dict[str, str | None] = {}
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
    for statement in body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if not isinstance(small, cst.Assign):
                continue
            value = small.value
            cls = (
                PASSWORD_HASHER_MAKERS.get(ctx.qualified_name(value.func) or "")
                if isinstance(value, cst.Call)
                else None
            )
            for target in small.targets:
                if isinstance(target.target, cst.Name):
                    name = target.target.value
                    made[name] = None if name in made else cls
    found = {name: cls for name, cls in made.items() if cls is not None}
    for name, cls in instance_attributes(node.name.value, ctx).items():
        if cls in PASSWORD_HASHERS:
            found.setdefault(name, cls)
    stash.append(found)
    return found


def _self_hasher_call(call: cst.Call, hashers: Mapping[str, str]) -> str | None:
    """`Class.method` for a hashing method called on `self.x`, one of `hashers`."""
    func = call.func
    if not (
        isinstance(func, cst.Attribute)
        and isinstance(func.value, cst.Attribute)
        and isinstance(func.value.value, cst.Name)
        and func.value.value.value == "self"
    ):
        return None
    cls = hashers.get(func.value.attr.value)
    if cls is None or func.attr.value not in PASSWORD_HASHERS[cls]:
        return None
    return f"{cls}.{func.attr.value}"


def _module_hashers(ctx: FileContext) -> dict[str, str]:
    """The module-level names bound once (in the module's own statements), to a password
    hasher made there, with its class; computed once per file."""
    stash = ctx.stash("fg303.hashers")
    if stash:
        known: dict[str, str] = stash[0]
        return known
    made: dict[str, str | None] = {}
    # a function of the module that makes one, by its return annotation (as the summaries)
    makers = {
        statement.name.value: cls
        for statement in ctx.module.body
        if isinstance(statement, cst.FunctionDef)
        and statement.asynchronous is None
        and statement.returns is not None
        and (
            cls := PASSWORD_HASHER_MAKERS.get(
                ctx.qualified_name(statement.returns.annotation) or ""
            )
        )
    }
    for statement in ctx.module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            targets: list[cst.BaseExpression] = []
            value: cst.BaseExpression | None = None
            if isinstance(small, cst.Assign):
                targets = [target.target for target in small.targets]
                value = small.value
            elif isinstance(small, cst.AnnAssign):
                targets, value = [small.target], small.value
            cls = (
                PASSWORD_HASHER_MAKERS.get(ctx.qualified_name(value.func) or "")
                or (makers.get(value.func.value) if isinstance(value.func, cst.Name) else None)
                if isinstance(value, cst.Call)
                else None
            )
            for target in targets:
                if isinstance(target, cst.Name):
                    made[target.value] = None if target.value in made else cls
    found = {name: cls for name, cls in made.items() if cls is not None}
    stash.append(found)
    return found


def _report(ctx: FileContext, node: cst.Call, message: str, blocking: str) -> None:
    """Report a blocking call: a new password hashed (`NEW_PASSWORD_HASHES`) where the
    run reports those (`_NEW_HASH`), unless what it gives is compared (a check); any
    other always."""
    if (
        blocking in NEW_PASSWORD_HASHES
        and not _compared(node, ctx)
        and not (blocking in DERIVATIONS and _class_compares_digests(ctx))
    ):
        coroutine = _coroutine_name(ctx)
        if coroutine is not None:
            route = Condition((), frozenset(), fact=PUBLIC_ROUTE_OF + coroutine)
            ctx.report_if(node, route, public_message(message))
            awaited = Condition((), frozenset(), fact=PUBLIC_CALLER + coroutine)
            ctx.report_if(node, awaited, public_message(message, awaited=True))
        ctx.report_if(node, _NEW_HASH, message)
    else:
        ctx.report(node, message)


def _coroutine_name(ctx: FileContext) -> str | None:
    """The qualified name of the coroutine being walked, a module-level one or a method
    of a module-level class (`app.services.auth.AuthService.register`): the index asks
    whether it is a route that takes no credential or one awaits it, where a new
    password's hash is found in it (`PUBLIC_ROUTE_OF`, `PUBLIC_CALLER`)."""
    function = ctx.function
    module = ctx.module_name
    if function is None or not function.is_async or module is None:
        return None
    if not isinstance(function.node, cst.FunctionDef):
        return None
    owner = function.owner
    name = function.node.name.value
    if owner is None:
        return f"{module}.{name}"
    return f"{module}.{owner.name}.{name}" if owner.outer is None else None


def _class_compares_digests(ctx: FileContext) -> bool:
    """Whether the class of the method being walked compares digests in one of its methods
    (`secrets.compare_digest(...)`): its key derivation hashes the passwords it checks
    too, as a function comparing what it derived does (NormanwOw's `Validator`, whose
    `async def pbkdf2` serves `encode` and, through it, every login: reader 144)."""
    function = ctx.function
    owner = function.owner if function is not None else None
    if owner is None:
        return False
    seen = ctx.marks("FG303.compares-digests")
    if id(owner.node) in seen:
        return True
    if not any(
        isinstance(node, cst.Call) and ctx.qualified_name(node.func) in DIGEST_COMPARISONS
        for node in descendants(owner.node)
    ):
        return False
    seen.add(id(owner.node))
    return True


def _compares_calls(structure: Structure) -> bool:
    """The screen of `_compared`: whether the file compares what a call gives with `==`
    or `!=`."""
    return structure.memo(
        "fg303:compares-calls",
        lambda: any(
            isinstance(node, ast.Compare)
            and any(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops)
            and any(isinstance(operand, ast.Call) for operand in (node.left, *node.comparators))
            for node in ast.walk(structure.tree)
        ),
    )


def _compared(node: cst.Call, ctx: FileContext) -> bool:
    """Whether what a call gives is an operand of `==` or `!=` (`hmac(password) !=
    user.password`, also through a method of the result: `pbkdf2_hmac(...).hex() ==
    stored`): a password hashed to be compared with the stored one is checked."""
    parent = ctx.parent(node)
    while isinstance(parent, cst.Attribute) and parent.value is node:
        outer = ctx.parent(parent)
        if not isinstance(outer, cst.Call) or outer.func is not parent:
            return False
        node, parent = outer, ctx.parent(outer)
    if isinstance(parent, cst.ComparisonTarget):
        return isinstance(parent.operator, cst.Equal | cst.NotEqual)
    return isinstance(parent, cst.Comparison) and isinstance(
        parent.comparisons[0].operator, cst.Equal | cst.NotEqual
    )
