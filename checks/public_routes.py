"""Whether a FastAPI route takes no credential: anyone may call it, as often as they like.

FG303 reports a new password hashed on the event loop there (a public sign-up: each
request costs the service a tenth of a second of its loop, as a login attempt does), where
it holds back one an authenticated caller or an administrator sends. What the route's own
module shows decides, and whatever it cannot show to be no credential counts as one:

- the route is a `POST` of a router (or app) the module makes itself, with no
  `dependencies=` on it or on the decorator;
- it limits no rate (`@limiter.limit("5/hour")`), its name and path say nothing of a
  reset, an invitation, a confirmation, a change of password or an administrator (a
  token in the body gates those: ally360's `/auth/reset-password`, reader 153), and its
  body gives no administrator's role (`role="admin"`: a first administrator's bootstrap);
- each parameter is a value of the request's body, path or query (not one named as a token
  or code, nor a body the module's own model makes with such a field: a social sign-in's
  `token`), or filled by a dependency shown to take none: one named as the service's
  plumbing (`get_db`, `get_session`, `get_user_service`, `UserRepository`, `SessionDep`),
  or a function of the module whose own parameters take none. A dependency of another
  module named otherwise (`Depends(get_usuario_atual)`, built on `OAuth2PasswordBearer`:
  reader 153), `Security(...)`, a header or a cookie, and a request whose headers,
  cookies or state the function reads, or that it hands to a call (but a background
  task's, which runs after the response), all count as credentials.

Read on CPython's tree, by the project index and only when a finding asks
(`checks.summary.coroutines_of`, for `checks.project_facts.PUBLIC_ROUTE_OF` and
`PUBLIC_CALLER`: the route's own hash, and the routes that await a service's coroutine).
Whether the project authenticates its routes elsewhere (a router included with
`dependencies=`, an app made with them, an authenticating middleware) is part of those
facts (`PUBLIC_ROUTES`).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Sequence

from checks.lazy import lazy_pattern
from checks.structure import dotted_name

#: How a module names what it imports (`fastapi.Depends` for `Depends`), None for a name
#: it binds itself.
Qualify = Callable[[ast.expr], "str | None"]
_Function = ast.FunctionDef | ast.AsyncFunctionDef

#: Words of a route's name or path that say a credential gates it (a token in the body,
#: an administrator, a signed-in user changing their own data).
_GATED_ROUTE = lazy_pattern(
    r"reset|invit|token|confirm|verif|activat|recover|forgot|change|update|edit|admin|"
    r"passw|otp|magic|callback|oauth|webhook|accept|staff|superuser|internal|(?:^|[/_-])me(?:$|[/_-])",
    re.IGNORECASE,
)
#: A role's name that says an administrator (`"admin"`, `Role.SUPERUSER`).
_ADMINISTRATOR = lazy_pattern(r"(?:super_?)?admin(?:istrator)?|superuser|root", re.IGNORECASE)
#: A parameter's name that says it carries a credential (`token`, `invite_code`).
_CREDENTIAL_PARAMETER = lazy_pattern(
    r"token|otp|invit|reset|(?:^|_)code(?:$|_)|secret|api_?key|signature|credential|"
    r"authorization|nonce",
    re.IGNORECASE,
)
#: The last word of a dependency's name that says it gives the service's plumbing, not the
#: caller: a session, a service, a repository, a client, settings.
_PLUMBING = frozenset(
    {
        "service",
        "services",
        "repository",
        "repositories",
        "repo",
        "repos",
        "uow",
        "crud",
        "dao",
        "manager",
        "client",
        "storage",
        "mailer",
        "bus",
        "queue",
        "producer",
        "publisher",
        "broker",
        "cache",
        "redis",
        "logger",
        "pagination",
        "paginator",
        "params",
        "parameters",
        "settings",
        "config",
        "configuration",
        "engine",
    }
)
#: The last word of a dependency's name that says it gives a database session: plumbing
#: too, unless another word speaks of the caller (`get_current_session`).
_DATABASE = frozenset(
    {"db", "database", "session", "sessions", "conn", "connection", "tx", "transaction"}
)
#: Words of a dependency's or an annotation's name that speak of the caller.
_CALLER_WORDS = frozenset(
    {
        "auth",
        "authenticated",
        "authorized",
        "user",
        "admin",
        "token",
        "current",
        "login",
        "logged",
        "permission",
        "permissions",
        "role",
        "roles",
        "verify",
        "verified",
        "require",
        "required",
        "requires",
        "jwt",
        "secret",
        "key",
        "access",
        "scope",
        "scopes",
        "owner",
        "member",
        "account",
        "principal",
        "identity",
        "guard",
        "protected",
        "security",
        "me",
        "staff",
        "superuser",
        "active",
        "credentials",
        "bearer",
        "api",
    }
)
#: Words of an imported annotation's name that say it is a dependency's alias filled with
#: the caller (`CurrentUser`, `AdminDep`), not a model of the body (`UserCreate`).
_CALLER_ALIAS_WORDS = frozenset(
    {
        "current",
        "auth",
        "authenticated",
        "admin",
        "token",
        "principal",
        "identity",
        "logged",
        "superuser",
        "active",
        "verified",
        "me",
        "credentials",
        "dep",
        "deps",
        "dependency",
    }
)
#: Leading and trailing words of a dependency's name that say nothing of what it gives.
_VERBS = frozenset({"get", "provide", "make", "create", "build", "init", "new", "async", "sync"})
_SUFFIXES = frozenset({"dep", "deps", "dependency", "factory", "provider", "getter"})
_WORD = lazy_pattern(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+")
#: What FastAPI fills from the request's headers or cookies, or the caller's credentials.
_CREDENTIAL_PARAMS = frozenset(
    {
        "fastapi.Security",
        "fastapi.params.Security",
        "fastapi.Header",
        "fastapi.params.Header",
        "fastapi.Cookie",
        "fastapi.params.Cookie",
    }
)
_REQUESTS = frozenset(
    {
        "fastapi.Request",
        "fastapi.WebSocket",
        "fastapi.requests.Request",
        "fastapi.requests.HTTPConnection",
        "starlette.requests.Request",
        "starlette.requests.HTTPConnection",
        "starlette.websockets.WebSocket",
    }
)
#: What of a request holds the caller's credentials or identity.
_REQUEST_CREDENTIALS = frozenset(
    {"headers", "cookies", "state", "session", "user", "auth", "scope"}
)
_ROUTERS = frozenset({"fastapi.APIRouter", "fastapi.FastAPI", "fastapi.routing.APIRouter"})
_ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})
#: How deep a function of the module is followed through its own dependencies.
_DEPTH = 3


_DEPENDS = frozenset({"fastapi.Depends", "fastapi.params.Depends"})
#: A decorator's or a dependency's name that says it limits the rate of calls (slowapi's
#: `@limiter.limit("5/hour")`, fastapi-limiter's `RateLimiter`): a sign-up so limited is
#: no longer sent as often as anyone likes (haneefojay's, reader 183).
_LIMITED = lazy_pattern(r"limit|throttl", re.IGNORECASE)


def takes_no_credential(function: _Function, body: Sequence[ast.stmt], qualified: Qualify) -> bool:
    """Whether a module-level function of the module of `body` is a route that takes no
    credential (see the module's docstring)."""
    routes = [
        (call, call.func.attr)
        for call in function.decorator_list
        if isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr in ("post", "put", "get", "patch", "delete", "api_route")
    ]
    if len(routes) != 1 or any(
        _LIMITED.search(dotted_name(d.func if isinstance(d, ast.Call) else d) or "")
        for d in function.decorator_list
    ):
        return (
            False  # (rate-limited, `@limiter.limit("5/hour")`: no longer as often as anyone likes)
        )
    decorator, method = routes[0]
    if method != "post" or _keyword(decorator, "dependencies") is not None:
        return False
    path = _keyword(decorator, "path")
    if path is None and decorator.args:
        path = decorator.args[0]
    text = _string(path)
    if text is None or _GATED_ROUTE.search(text) or _GATED_ROUTE.search(function.name):
        return False
    assert isinstance(decorator.func, ast.Attribute)
    router = decorator.func.value
    if not isinstance(router, ast.Name):
        return False
    made = _module_value(router.id, body, qualified)
    if (
        not isinstance(made, ast.Call)
        or qualified(made.func) not in _ROUTERS
        or _keyword(made, "dependencies") is not None
    ):
        return False  # a router the module does not make, or made behind a dependency
    prefix = _keyword(made, "prefix")
    if prefix is not None and _GATED_ROUTE.search(_string(prefix) or "/admin"):
        return False  # `APIRouter(prefix="/admin")` (or a prefix the module cannot read)
    if _makes_an_administrator(function):
        return False
    return _parameters_free(function, body, qualified, 0)


def _makes_an_administrator(function: _Function) -> bool:
    """Whether the route gives what it makes an administrator's role (`role="admin"`,
    `role=Role.ADMIN`, `user.role = "admin"`): a first administrator's bootstrap, or an
    administrator's form, not a sign-up (ptd0409's `/register`, open only until an
    administrator exists: reader 184); not a role named among others a sign-up may ask
    for (`requested_role in ["admin", "parent", "student"]`)."""
    for node in ast.walk(function):
        given: list[ast.expr] = []
        if isinstance(node, ast.keyword | ast.Assign | ast.AnnAssign) and node.value is not None:
            given.append(node.value)
        elif isinstance(node, ast.Dict):
            given.extend(node.values)
        for value in given:
            text = (
                value.value
                if isinstance(value, ast.Constant) and isinstance(value.value, str)
                else value.attr
                if isinstance(value, ast.Attribute)
                else None
            )
            if text is not None and _ADMINISTRATOR.fullmatch(text):
                return True
    return False


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _string(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _imported(name: str, qualified: Qualify) -> bool:
    return qualified(ast.Name(id=name, ctx=ast.Load())) is not None


def _module_value(name: str, body: Sequence[ast.stmt], qualified: Qualify) -> ast.expr | None:
    """The value the module's top level binds `name` to, when it binds it once, by an
    assignment, and imports no name so."""
    if _imported(name, qualified):
        return None
    found: list[ast.expr | None] = []
    for statement in body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if statement.name == name:
                return None
        elif isinstance(statement, ast.Assign):
            if any(isinstance(t, ast.Name) and t.id == name for t in statement.targets):
                found.append(statement.value)
        elif (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and statement.target.id == name
        ):
            found.append(statement.value)
    return found[0] if len(found) == 1 else None


def _module_function(name: str, body: Sequence[ast.stmt], qualified: Qualify) -> _Function | None:
    """The one function the module's top level defines as `name`."""
    found = [
        s for s in body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef) and s.name == name
    ]
    return found[0] if len(found) == 1 and not _imported(name, qualified) else None


def _parameters_free(
    function: _Function, body: Sequence[ast.stmt], qualified: Qualify, depth: int
) -> bool:
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(arguments.defaults))
    defaults += arguments.defaults
    pairs = [
        *zip(positional, defaults, strict=True),
        *zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True),
    ]
    return all(
        _parameter_free(arg, default, function, body, qualified, depth) for arg, default in pairs
    )


def _parameter_free(
    arg: ast.arg,
    default: ast.expr | None,
    function: _Function,
    body: Sequence[ast.stmt],
    qualified: Qualify,
    depth: int,
) -> bool:
    """Whether FastAPI fills a parameter with something other than a credential."""
    name = arg.arg
    if _CREDENTIAL_PARAMETER.search(name):
        return False
    if isinstance(default, ast.Call) and not _filled_freely(default, None, body, qualified, depth):
        return False
    annotation = arg.annotation
    if annotation is None:
        return True
    spelled = qualified(annotation) or ""
    if spelled in _REQUESTS:
        return not _reads_credentials(name, function)
    if spelled.startswith("fastapi.security."):
        return False
    return _annotation_free(annotation, body, qualified, depth, default)


def _filled_freely(
    call: ast.Call,
    annotation: ast.expr | None,
    body: Sequence[ast.stmt],
    qualified: Qualify,
    depth: int,
) -> bool:
    """Whether a parameter's `Depends(...)`, `Header(...)`, ... fills it with no
    credential."""
    spelled = qualified(call.func)
    if spelled in _CREDENTIAL_PARAMS:
        return False
    if spelled not in _DEPENDS:
        return True  # `Body(...)`, `Query(...)`, `Form(...)`: the request's values
    dependency = call.args[0] if call.args else _keyword(call, "dependency")
    if dependency is None:
        # `Depends()`: the annotation's class, made with what FastAPI fills its
        # parameters with
        named = dotted_name(annotation) if annotation is not None else None
        return named is not None and _named_plumbing(named)
    return _dependency_free(dependency, body, qualified, depth)


def _dependency_free(
    dependency: ast.expr, body: Sequence[ast.stmt], qualified: Qualify, depth: int
) -> bool:
    if isinstance(dependency, ast.Call):
        dependency = dependency.func  # `Depends(RateLimiter(times=5))`
    name = dotted_name(dependency)
    if name is None or _LIMITED.search(name):
        return False  # (`Depends(RateLimiter(times=5))`: see `takes_no_credential`)
    if _named_plumbing(name.rpartition(".")[2]):
        return True
    function = _module_function(name, body, qualified) if "." not in name else None
    if function is None or depth >= _DEPTH or _words(name) & _CALLER_WORDS:
        return False
    return _parameters_free(function, body, qualified, depth + 1)


def _annotation_free(
    annotation: ast.expr,
    body: Sequence[ast.stmt],
    qualified: Qualify,
    depth: int,
    default: ast.expr | None,
) -> bool:
    """Whether an annotation fills its parameter with no credential: `Annotated[T,
    Depends(...)]`, an alias of one the module binds, or an imported name not spoken of
    as the caller's (`CurrentUser`, `AdminDep`)."""
    if isinstance(annotation, ast.Subscript) and qualified(annotation.value) in _ANNOTATED:
        inner = annotation.slice
        if not isinstance(inner, ast.Tuple) or not inner.elts:
            return False
        first, *metadata = inner.elts
        return all(
            not isinstance(m, ast.Call) or _filled_freely(m, first, body, qualified, depth)
            for m in metadata
        )
    if isinstance(annotation, ast.Name):
        if any(_CREDENTIAL_PARAMETER.search(field) for field in _fields(annotation.id, body)):
            # a body the module's model makes, carrying a credential: Aponti's
            # `SocialLoginRequest(provider, token)`, a Google ID token checked before the
            # new account's hash (reader 190)
            return False
        value = _module_value(annotation.id, body, qualified)
        if value is not None:
            return _annotation_free(value, body, qualified, depth, default)
        if _imported(annotation.id, qualified) and default is None:
            name = annotation.id
            return _named_plumbing(name) or not _words(name) & _CALLER_ALIAS_WORDS
    return True


def _fields(name: str, body: Sequence[ast.stmt]) -> list[str]:
    """The annotated fields of a class of that name the module defines (none if it
    defines no such class)."""
    for statement in body:
        if isinstance(statement, ast.ClassDef) and statement.name == name:
            return [
                item.target.id
                for item in statement.body
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
            ]
    return []


def _named_plumbing(name: str) -> bool:
    """Whether a dependency's name says it gives the service's plumbing (`get_db`,
    `get_user_service`, `UserRepository`, `SessionDep`), not the caller."""
    words = _words(name)
    ordered = [w.lower() for w in _WORD.findall(name)]
    while ordered and ordered[0] in _VERBS:
        ordered.pop(0)
    while ordered and ordered[-1] in _SUFFIXES:
        ordered.pop()
    if not ordered:
        return False
    if "".join(ordered[-3:]) == "unitofwork":
        return True
    last = ordered[-1]
    if last in _PLUMBING:
        return True
    return last in _DATABASE and not words & _CALLER_WORDS


def _words(name: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(name)}


def _reads_credentials(name: str, function: _Function) -> bool:
    """Whether a function reads the headers, cookies, state or session of the request it
    takes as `name` (or hands the request on: a helper may read them)."""
    for node in ast.walk(function):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == name
            and node.attr in _REQUEST_CREDENTIALS
        ):
            return True
        if (
            isinstance(node, ast.Call)
            and not _after_the_response(node)
            and any(
                isinstance(value, ast.Name) and value.id == name
                for value in (*node.args, *(k.value for k in node.keywords))
            )
        ):
            return True
    return False


def _after_the_response(call: ast.Call) -> bool:
    """A call that hands its arguments to a background task (`background_tasks.add_task(
    set_redis, request, ...)`), which runs once the response is sent: it gates nothing
    (pathokpoint's `/signup`, keeping the pending account in Redis: reader 192)."""
    return isinstance(call.func, ast.Attribute) and call.func.attr == "add_task"


def public_message(message: str, awaited: bool = False) -> str:
    """A finding's message on a new password hashed in a route that takes no credential
    (or, `awaited`, in a coroutine such a route awaits), saying why it matters there."""
    where = (
        "in a coroutine awaited by a route that takes no credential, which anyone may call"
        if awaited
        else "on a route that takes no credential, that anyone may call"
    )
    return message.replace(
        "inside `async def`", f"inside `async def`, {where} as often as they like", 1
    )
