"""Facts about a whole project that some findings depend on, found by reading its files
(CPython's parser, only the files whose text may hold the fact).

A rule that depends on one reports with `Condition(fact=...)`; `ProjectIndex.holds` asks
the fact once per run, after every file is checked, and only when such a finding exists.
"""

from __future__ import annotations

import ast
import builtins
import functools
import os
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import TypeVar

from checks.lazy import lazy_pattern

#: `Condition.fact`: the project has a settings module (FG407's "outside the settings
#: module" presupposes one): a class deriving from Pydantic's `BaseSettings`, or a
#: settings object of another configuration library made at module level.
SETTINGS_MODULE = "settings-module"
#: `Condition.fact`: the selection names FG210 (`checks.config.named_in_selection`):
#: imports of the `pydantic.v1` layer are reported (an inventory of a deliberate choice,
#: not a slip). A fact of the run's configuration, not of the project's files.
V1_LAYER_SELECTED = "selected:FG210"
#: `Condition.fact`: the run checks new code (the edit hook), or the selection names
#: FG406: `@app.on_event()` with no lifespan beside it (deprecated, and FastAPI keeps it
#: running on Starlette 1.x) is reported there; in existing code it is an inventory for
#: the move to a lifespan, as the other forms that still work.
ON_EVENT_SELECTED = "new-code-or-selected:FG406"
#: `Condition.fact`: the project's queries are written against SQLAlchemy 2.0's API: it
#: uses the asyncio extension (where `Query` does not exist), or its `select()`
#: statements are at least as many as its `.query()` calls. A project written throughout
#: against the legacy `Query` API (supported in 2.0) has made a decision: FG101 reports
#: its sync code when selected by name.
SQL_2_QUERIES = "sqlalchemy-2-queries"
#: `Condition.fact`: the served code imports neither pydantic-settings' `BaseSettings`
#: nor its `SettingsConfigDict` at module level, which exist only for Pydantic 2
#: (pydantic-settings 2.0 requires `pydantic>=2`), or the selection names FG212. Where
#: it does and the pins admit only Pydantic 1, they are stale: FG212 reports that once,
#: at that import, not at each Pydantic 2 API (the move is one pin: edu-app-platform's
#: sub-services pinning `pydantic==1.10.7`, run on the shared requirements' Pydantic 2,
#: reader 202).
NO_V2_SETTINGS = "no-pydantic-settings-2"
#: A prefixed fact, `V1_ONLY_LIBRARY + "FG206"`: the selection names the rule, or the
#: served code imports no library that runs only on Pydantic 1. Asked of the Pydantic
#: rules' findings (FG201-FG211) where nothing decides the target (no pin says which
#: Pydantic runs: target 2 by default): monkeydnoya's unpinned service imports
#: `fastapi_jwt_auth`, whose every release (0.5.0, the last) fails to import under
#: Pydantic 2 (`@validator(..., each_item=True)`, measured), so it runs Pydantic 1, where
#: its `orm_mode` is right (reader 203: 7 FG206 findings, none worth a change); so does
#: one whose code imports Pydantic 1's `BaseSettings` from `pydantic` (reader 210).
V1_ONLY_LIBRARY = "no-pydantic-1-library:"
#: `Condition.fact`: the run checks new code (the edit hook), or the selection names
#: FG101: a legacy `Query` in synchronous code (or at module level) is reported there.
#: SQLAlchemy 2.0 keeps `Query` working for sync sessions (legacy, not deprecated): in
#: existing code it is an inventory for the move to `select()`, reported when named, as
#: ruff's pyupgrade rules are opt-in (the sixteenth reader judged 16 such findings, in
#: projects that write `select()` at least as often: none worth acting on, the code works).
SYNC_QUERY_SELECTED = "new-code-or-selected:FG101"
#: `Condition.fact`: the project's models are typed: `Mapped[...]` annotations are at
#: least as many as `Column(...)` attributes (FG108's gate, as above).
TYPED_MODELS = "sqlalchemy-typed-models"
#: `Condition.fact`: the project's clients authenticate with a header only: it reads
#: credentials from headers (FastAPI's `HTTPBearer`, `OAuth2PasswordBearer`,
#: `APIKeyHeader`, an `Authorization` header) and never sets or reads cookies
#: (`set_cookie(`, `request.cookies`, `Cookie(`, `APIKeyCookie`, `SessionMiddleware`,
#: `CookieTransport`) outside its tests (a browser test's cookies are the browser's).
#: A page of another site cannot make the browser attach such a credential, so CORS's
#: wildcard is how that API is meant to be called (FG501 asks the negation: cookies, or
#: no authentication at all, where any page may read what an operator's browser can
#: reach).
HEADER_CREDENTIALS_ONLY = "header-credentials-only"
#: `Condition.fact`: the service's databases may be a server's: its code (tests aside)
#: names a database server (PostgreSQL, MySQL, ... by their names or drivers') or does not
#: name SQLite (a `sqlite://` URL, `aiosqlite`, `sqlite3`). Where it names SQLite alone,
#: a sync session's query takes a millisecond or so on a file, and the fix FG102 offers
#: breaks it: a session moved to a thread fails SQLite's same-thread check
#: (`check_same_thread=True`, the default); the move is the whole data layer's, to
#: `aiosqlite`. Readers judged 18 of 18 such findings (serge, autogen-studio) not worth a
#: change: FG102 reports them when named, and in new code (the edit hook).
SERVER_DATABASES = "server-databases"
#: The rules about blocking the event loop.
LOOP_RULES = frozenset({"FG102", "FG301", "FG302", "FG303"})
#: `Condition.fact` of a loop rule's finding (`served_concurrently`, the rule's code after
#: it) in a project that pins `mangum`: the service's loop serves concurrent requests.
#: Unless the selection names the rule or the code is new, it does not where the code
#: wraps the app in `Mangum(...)` and no deployment file runs an ASGI server
#: (`served_one_at_a_time`): AWS Lambda hands each environment one request at a time, so
#: a blocking call delays only the request that makes it (code2flowchart's sync sessions
#: and OpenAI client: reader 146 judged 16 such findings not worth a change).
SERVED_CONCURRENTLY = "served-concurrently:"


def served_concurrently(code: str) -> str:
    """`SERVED_CONCURRENTLY`'s fact for the loop rule `code`."""
    return SERVED_CONCURRENTLY + code


SERVED_CONCURRENTLY_FACTS = frozenset(served_concurrently(code) for code in LOOP_RULES)
#: Facts that only gate a report asking the index about other modules: such a report may
#: still wait, unplaced (`Engine.defer_waiting`); where the gate holds back its rule, the
#: closing line counts the file among those not run, not the finding.
DEFERRABLE_GATES = frozenset({SERVER_DATABASES, *SERVED_CONCURRENTLY_FACTS})
#: `Condition.fact`: the service's code sets or reads a cookie (the patterns of
#: `HEADER_CREDENTIALS_ONLY`), whatever the selection: which of FG501's messages a
#: wildcard with `allow_credentials=True` gets (its visitors' cookies read by any site,
#: or a service any site may call and read without one).
COOKIES_USED = "cookies-used"
#: FG501's message where the service sets no cookie (no credentials at all, or FG501
#: named over a header-authenticated API): nothing a cookie unlocks, but any page its
#: users visit may call it and read what it answers (dataline's local server: stored
#: connections, and SQL run on them); `checks.run.resolve_with` puts it in place.
#: (Where the browser sends them: a `SameSite=None` cookie, and a `Lax` one (Starlette's
#: and the browsers' default) to a page of the same site, a sibling subdomain or port:
#: readers 116 and 117 found "any site" overstated for a `Lax` session cookie.)
COOKIE_PHRASE = (
    "lets other origins read what its visitors' cookies unlock, wherever the browser "
    "sends them (every `SameSite=None` cookie; a `Lax` one from a sibling subdomain)"
)
NO_COOKIE_PHRASE = (
    "on a service that sets no cookie: any site its users visit may call it and read "
    "what it answers without one"
)
#: `Condition.fact`: the service's code takes credentials at all, from a cookie or a
#: header (the patterns of `HEADER_CREDENTIALS_ONLY`). A wildcard without
#: `allow_credentials=True` lets no site read what a cookie or a header unlocks (the
#: browser sends neither, or the response stays unreadable): FG501 reports it where there
#: are no credentials to protect, an internal UI or a local server any page may read.
CREDENTIALS_USED = "credentials-used"
#: `Condition.fact`: the service's code takes credentials at all (`CREDENTIALS_USED`'s
#: patterns), or the run checks new code, or the selection names FG501. A service that
#: takes none answers every page what it answers anyone who fetches it: FG501 holds back
#: its wildcard (arafatDU's cookieless demo services: readers judged 9 of 12 such
#: findings not worth a change, the other 3 on a LAN or internal tool), reported where
#: named (an intranet service, a local server, whose answers only its users' browsers
#: reach).
CREDENTIALS_TAKEN = "credentials-taken"
#: `Condition.fact`: the project hashes with bcrypt: a file of it names bcrypt
#: (`CryptContext(schemes=["bcrypt"])`, `HASH_SCHEME = "bcrypt"`, `import bcrypt`).
#: passlib fails with bcrypt 5.0 (FG504); with its other hashers it works, unmaintained.
BCRYPT_HASHING = "bcrypt-hashing"
#: `Condition.fact`: the project signs or encrypts tokens with asymmetric keys: a file of
#: it names an asymmetric JOSE algorithm (`RS256`, `ES256`, `PS512`, `EdDSA`, `RSA-OAEP`,
#: `ECDH-ES`), a JWK set (`jwks`) or a PEM public key or certificate. python-jose 3.3.0's
#: advisories need one: CVE-2024-33663 confuses an ECDSA public key with an HMAC secret,
#: CVE-2024-33664 is a JWE bomb anyone holding the public key can make. A project whose
#: tokens are HMAC-signed (`HS256` with a secret) is reached by neither (FG504).
JOSE_ASYMMETRIC = "jose-asymmetric-keys"
#: `Condition.fact`: the project's services and repositories have errors of their own:
#: they raise an exception class of their own (not `HTTPException`, not Python's), and
#: raise `HTTPException` fewer than `HTTP_ERRORS_CONVENTION` times, or their own classes
#: at least as often (in as many modules as raise it more than theirs), or raise it in
#: one module only. A layer that raises none of its own answers with `HTTPException`
#: by design, however young (in new code, the edit hook's, a young one still gets FG401:
#: its convention is being made). A
#: sub-service whose service layer raises `HTTPException` throughout (dozens of times, in
#: more modules than its own errors, or its own errors rarer) has made it the
#: layer's error mechanism: FG401 reports it when selected by name, as FG101 a project
#: written in the 1.x query style.
OWN_SERVICE_ERRORS = "own-service-errors"
#: `Condition.fact`: the project has an error of its own for a refused caller (a class
#: named `Unauthorized...`, `Forbidden...`, `PermissionDenied`, `AuthError`, not an HTTP
#: error) or names 401/403 beside its own errors' handler: without one, `HTTPException(401
#: or 403)` in a service is how the project answers those (saptadi73's services, whose
#: `AppException`s map to 400, 404 and 409 only: reader 95, 12 of 14 judged so).
OWN_AUTH_ERRORS = "own-auth-errors"
#: How many `raise HTTPException(...)` in the service layer make a convention, not a slip.
HTTP_ERRORS_CONVENTION = 10
#: `Condition.fact`: the project uses SQLAlchemy's asyncio extension (`AsyncSession`,
#: `create_async_engine`, `async_sessionmaker` named anywhere). Where it does not, a
#: session is a sync one: tasks sharing it cannot fail as an `AsyncSession` does (FG106),
#: they block (FG102).
ASYNC_SESSIONS = "sqlalchemy-async-sessions"
#: `Condition.fact`: the project may make an `AsyncSession` (`makes_async_sessions`).
#: Where it makes none, an `AsyncSession` annotation is wrong: DT-231's sync repository
#: annotated `session: AsyncSession`, given the sync `Session` of `Depends(get_db)`,
#: whose unawaited `commit()` commits (reader 171); FG103 holds its finding there.
ASYNC_SESSIONS_MADE = "sqlalchemy-async-sessions-made"
#: `Condition.fact`s, one per family of Pydantic v1 APIs that Pydantic 2 still runs (with
#: a deprecation warning; they go in Pydantic 3): the run checks new code (the edit hook:
#: `new_code` of `checks.run.build_index`), the selection names a rule of the family, or
#: the configuration sets `target-pydantic = "2"`. In existing code such a spelling is an
#: inventory for a planned move, as ruff's pyupgrade rules are opt-in: two readers judged
#: 18 of them in projects that write the family mostly in the v2 spelling (1 `class
#: Config` against 46 `model_config`), none worth acting on, the code works. What
#: Pydantic 2 ignores or refuses (`orm_mode`, a `Config` key it renamed) is never gated.
PYDANTIC_SPELLING = {
    family: f"new-code-or-selected:pydantic-{family}"
    for family in (
        "serialization",
        "validation",
        "config",
        "validators",
        "schema-extras",
        "json-schema",
        "other-v1-api",
    )
}
#: The rules whose findings each family gates.
SPELLING_RULES = {
    "FG201": "serialization",
    "FG202": "serialization",
    "FG203": "json-schema",
    "FG204": "validation",
    "FG205": "validation",
    "FG207": "config",
    "FG208": "validators",
    "FG209": "other-v1-api",
    "FG211": "schema-extras",
}
#: `Condition.fact`: the run checks new code, or the selection names FG108: an untyped
#: `Column()`, a `relationship(backref=...)` and `sqlalchemy.orm.declarative_base()` (legacy in
#: SQLAlchemy 2.0, not deprecated: they work, without a warning) are reported there; in
#: existing code they are an inventory, as above.
LEGACY_MAPPING_SELECTED = "new-code-or-selected:FG108-legacy"
#: The rules whose findings, on a project that pins SQLAlchemy 1.x, speak of the
#: migration to 2.0 (`Rule.needs_sqlalchemy_2`).
SQLALCHEMY_2_CODES = ("FG108", "FG112")
#: `Condition.fact`: the run checks new code, or the selection names FG409: a FastAPI
#: parameter's `regex=`, which FastAPI still applies (as `pattern=`, with a deprecation
#: warning, up to today's 0.165), is reported there; `min_items=`/`max_items=`, which it
#: ignores or refuses, always.
PARAMETER_REGEX_SELECTED = "new-code-or-selected:FG409-regex"
#: `Condition.fact`: the run checks new code, or the selection names FG104: an async
#: session factory that keeps expiring objects at commit is reported there. In code that
#: runs it is a trap the code has stepped around (a `refresh()` after each commit, no
#: attribute read after one): readers of eleven such findings judged one worth a change.
EXPIRE_ON_COMMIT_SELECTED = "new-code-or-selected:FG104"
#: `Condition.fact`: the run checks new code, or the selection names FG211: a settings
#: field's `env=` naming the variable pydantic-settings 2 reads anyway (the field's own
#: name) is reported there; one naming another variable, which it ignores, always.
FIELD_ENV_SELECTED = "new-code-or-selected:FG211-env"
#: `Condition.fact`: the run checks new code, or the selection names FG303: a new password
#: hashed on the event loop (`bcrypt.hashpw`, `pwd_context.hash`, `hashlib.pbkdf2_hmac`) is
#: reported there. In running code it is a sign-up, a password change or a credential an
#: administrator creates, a rare request: readers judged 3 of 11 such findings worth a
#: change, against 6 of 6 verifications (`checkpw`, `.verify`), which run on every login
#: attempt anyone can send, reported always. A public sign-up's is reported by default too
#: (`PUBLIC_ROUTES`).
NEW_PASSWORD_HASH_SELECTED = "new-code-or-selected:FG303-hash"
#: `Condition.fact`: a route that takes no credential (`checks.public_routes`) is public:
#: nothing authenticates the service's routes outside their parameters (no router included
#: with `dependencies=`, no app made with them, no router made with them in a module that
#: includes routers, no authenticating middleware), and the run checks existing code (in
#: new code every new password's hash is reported, `NEW_PASSWORD_HASH_SELECTED`). A new
#: password hashed on the loop there is a public sign-up's, which anyone may send as
#: often as a login: reported by default (FG303; reader 153 judged 9 of 9 live public
#: sign-ups worth a change, readers 175-180 named four more as misses).
PUBLIC_ROUTES = "public-routes"
#: A prefixed fact, `PUBLIC_CALLER + "app.services.auth.AuthService.register"`: the
#: coroutine is a route of the project that takes no credential (`PUBLIC_ROUTE_OF`), or
#: such a route awaits it, or awaits one that does
#: (`ProjectIndex.awaited_by_public_route`), where nothing authenticates the routes
#: elsewhere (as `PUBLIC_ROUTES`): a new password hashed there is a public sign-up's
#: (FG303; reader 177's `UserRepository.create_user`, reader 182's `AuthService.register`).
PUBLIC_CALLER = "public-caller:"
#: A prefixed fact, `PUBLIC_ROUTE_OF + "app.api.auth.register"`: the coroutine is itself a
#: route that takes no credential (`checks.public_routes`), where nothing authenticates the
#: routes elsewhere: which of FG303's two messages a public sign-up's finding gives.
PUBLIC_ROUTE_OF = "public-route:"
#: `Condition.fact`: FG000 in a file no import names and the service does not run: the
#: development tooling (a one-off repair script, zyntro's `scripts/Fix_pr_79.py`; devon's
#: generated evals), or a module whose name is no identifier (`dependency-chaining.py`, a
#: docs excerpt saved in a package). Readers judged 4 such findings, none worth acting
#: on; reported in new code (the edit hook) or when the selection names FG000.
SYNTAX_ERROR_SELECTED = "new-code-or-selected:FG000"
#: `Condition.fact`: the run checks new code, or the selection names FG504: python-jose
#: imported where no dependency file names it is reported there (an assistant's new
#: import: PyJWT instead). In a project's existing code a fresh install gets the newest
#: release, its 2024 advisories fixed in 3.4.0: BookStore's imports (reader 61), whose
#: message quoted 3.3.0's advisories, were judged not worth a change.
JOSE_UNPINNED_SELECTED = "new-code-or-selected:FG504-jose"
#: `Condition.fact`: the run checks new code, or the selection names FG501: a wildcard
#: without `allow_credentials=True` in a service that takes no credentials
#: (`CREDENTIALS_TAKEN`) is reported there.
PUBLIC_CORS_SELECTED = "new-code-or-selected:FG501-public"


#: `Condition.fact`, one per rule of the Pydantic family: the selection names that rule.
#: A project whose code targets Pydantic 1 gets a Pydantic rule's findings (speaking of
#: the migration, without a fix) only then; held back otherwise, and counted as such.
def pydantic_1_named(code: str) -> str:
    """The fact of `code` named where the project targets Pydantic 1."""
    return f"selected-on-pydantic-1:{code}"


def sqlalchemy_1_named(code: str) -> str:
    """The fact of `code` named where the project targets SQLAlchemy 1.x: its findings
    are held back otherwise, and counted so, as the Pydantic rules' on Pydantic 1."""
    return f"selected-on-sqlalchemy-1:{code}"


SQLALCHEMY_1_NAMED = frozenset(sqlalchemy_1_named(code) for code in SQLALCHEMY_2_CODES)
PYDANTIC_CODES = tuple(f"FG2{number:02d}" for number in range(1, 12))
PYDANTIC_1_NAMED = frozenset(pydantic_1_named(code) for code in PYDANTIC_CODES)
#: The fact a finding of a rule about blocking the event loop (`LOOP_RULES`) in a
#: module-level coroutine waits on, followed by the coroutine's qualified name
#: (`checks.context.FileContext._add_report`): negated, the finding stands unless the
#: project runs the coroutine only on loops of its own (`checks.private_loops`).
RUN_ALONE_FACT = "runs-alone:"
#: The fact a finding in a module-level class or a settings field waits on, followed by
#: the rule's code, `:` and the name (`used_fact`): the name is written elsewhere in the
#: sub-service (its Python files, tests too), or the selection names the rule, or the run
#: checks new code. A Pydantic v1 `Config` in a schema nothing imports, a password as the
#: default of a setting nothing reads: dead code, which readers judged not worth a change
#: (BookStore's `UserResponse`, evilmoose's `FIRST_SUPERUSER_PASSWORD`, reader 61; two
#: unused models of session 33's readings).
USED_FACT = "used:"


#: `used_fact`'s name of a class or function: used where written besides its definitions
#: (`named_besides_definitions`), not merely twice.
DEFINED = "def:"
#: `used_fact`'s name of a module-level function of the service or repository layer:
#: used where written besides its definitions and the imports that only bind it
#: (`from app.services.x import f` in a module that never writes `f` again), outside
#: tests (`named_outside_imports`): nothing else calls a helper of those layers by its
#: name (Pizza-eaters' `check_if_comment_exists`, imported and never called, and
#: `get_picture_tags`, which only its tests call: reader 206; vehiquo's
#: `update_vehicle`: reader 205).
CALLED = "called:"
#: `used_fact`'s name of what a module does only through the names it defines
#: (`reached`): `def=` its functions and classes, `;var=` its variables with the times
#: its own text writes each (`def=hash_password,verify_password;var=pwd_context:3`).
REACHED = "reached:"
#: `used_fact`'s name of a module's constant read from the environment variable of its
#: own name (`JWT_SECRET = os.getenv("JWT_SECRET", "...")`): the variable's name is no use
#: of the constant (`written_twice_but_read_as_a_variable`).
ENV_NAMED = "env:"
#: `used_fact`'s name of an environment variable whose read has a literal fallback: the
#: fallback runs unless a settings class of the service requires that variable (a field
#: of its name without a default, in a class something makes: `requires_setting`), where
#: start-up fails first (Ljc798's `os.getenv("SECRET_KEY", "fallback-secret")` beside
#: `Settings.SECRET_KEY: str`, reader 148).
FALLBACK = "fallback:"


#: `used_fact`'s name of a method of a plain class (`Class.method`): used where the
#: method's name is written besides its definitions, or where the packaging files name
#: the class (an entry point's plugin, whose host calls its methods by a protocol).
METHOD = "method:"
#: `used_fact`'s name of a pytest fixture: used where a test or fixture of the project
#: names it (its parameters, `usefixtures`), the tests included.
FIXTURE = "fixture:"
#: `used_fact`'s name of a library and a module (`first:jose:app.security`): used where
#: the module is the first (by name) of the sub-service's modules whose findings ask it
#: (`checks.run`): one finding per project of a move that is one pin or one migration
#: (FG504: readers 100-102 judged the copies in each importing file not worth a change).
FIRST = "first:"
#: `used_fact`'s name of a settings class's field: used where read as an attribute
#: (`settings.SECRET_KEY`), named in a string (`getattr(settings, "SECRET_KEY")`) or given
#: as a keyword (`Settings(SECRET_KEY=...)`), not where another variable bears its name
#: (`field_read`).
FIELD = "field:"
#: `used_fact`'s name of the module of a function that makes an `HTTPException`
#: (`claim_not_found() -> HTTPException`), raised in a service: used where that module
#: lies outside the service and repository layers (by its path), and so is not where
#: FG401 reports the helper's own construction; inside them, the helper is the one
#: finding and fix, not each raise of its result (phuoctung28's 14 raises of two helpers
#: of a services module: reader 119).
HELPER_OUTSIDE = "helper-outside:"
#: `used_fact`'s name of a module (its last name): used where the service's code imports
#: it, or names it in a string (`importlib`, `uvicorn "m:app"`): `module_imported`.
IMPORTED = "imported:"
#: `used_fact`'s name of a module of the routes layer (its dotted name, else its last
#: name): used where the service's code imports it, or names its path in a string
#: (`"app.routers.role"`), not a word of data (`"role"`): a routes module nothing imports
#: registers no route (`routes_module_imported`).
ROUTES_IMPORTED = "routes-imported:"
#: `used_fact`'s name of a module of the service or repository layer (its package's last
#: name, `/`, its own): used where the service's code imports it or names its path in a
#: string, as for `ROUTES_IMPORTED`, or includes no router or imports nothing of its
#: package by name (its wiring unknown): a module nothing imports runs none of its code
#: (shronme's `app/services/service_old.py`, whose classes bear the names of the live
#: ones in `service.py`: reader 135).
LAYER_IMPORTED = "layer-imported:"
#: `used_fact`'s name of a module of no layer (its file's absolute path without the
#: `.py`): used where the project's code or packaging files import it by its package (its
#: folder's name) and name (`from app.schemas.animal import`, `from app.schemas import
#: animal`), relatively (`from .animal import`), as a top-level module, or name its path
#: in a string, or where a module is imported by a name built at run time, or where the
#: service includes no router or imports nothing of its package by name: a module
#: nothing imports runs none of its code (tamaralcgibbons' `backend/schemas/animal.py`,
#: superseded by classes of the same names in its routers: reader 154).
MODULE_IMPORTED = "module-imported:"
#: `used_fact`'s name of a module-level name (`/abs/src/database|session`): used where
#: its module's own code reads it besides its binding, or another module imports it from
#: there (by name, from the module or its package, or with `*`) or reads it through the
#: module (`database.session`): `module_name_used` (vladikhub's `session =
#: async_session_maker()`, which nothing reads: reader 175).
NAME_IMPORTED = "name-imported:"
#: A fact asking whether a model of the service maps a table (`TABLE_MAPPED + "users"`):
#: `mapped_tables` reads them (FG605: a revision dropping a table the models still map).
TABLE_MAPPED = "table-mapped:"
#: `used_fact`'s name of the modules a test imports (comma-separated): used unless one is
#: a module of the project that it does not have (`module_missing`).
IMPORTS = "imports:"


#: Files a folder builds its modules from (a Rust or C extension, Cython): a module it
#: lacks may be built.
_BUILT_FROM = (".so", ".pyd", ".pyx", ".rs", ".c", ".cpp")
_BUILD_FILES = frozenset({"Cargo.toml", "setup.py", "meson.build", "CMakeLists.txt"})


def module_missing(module: str, root: Path) -> bool:
    """Whether `module` is one of the project's, whose first package lies in `root`, that
    the project does not have: a folder of its path lacks the next name (as a folder, a
    `.py` or `.pyi` file), and builds no module (`_BUILT_FROM`, `_BUILD_FILES`). A module
    whose first name is not in `root` is another's (installed): not missing."""
    folder = root
    parts = module.split(".")
    for index, part in enumerate(parts):
        if (folder / part).is_dir():
            folder = folder / part
            continue
        if (folder / f"{part}.py").is_file() or (folder / f"{part}.pyi").is_file():
            return False  # (the rest may be names of that module)
        if index == 0:
            return False  # not the project's
        try:
            names = os.listdir(folder)
        except OSError:
            return False
        return not any(n.endswith(_BUILT_FROM) or n in _BUILD_FILES for n in names)
    return False


def used_fact(code: str, name: str) -> str:
    """The fact that `name` is used (written more than once), for a finding of `code`; with
    no name, code nothing runs (a test module pytest skips whole): it holds only where the
    selection names the rule, or in new code."""
    return f"{USED_FACT}{code}:{name}"


#: Functions given a coroutine (a call) that run a loop of their own until it is done.
LOOP_RUN_CALLS = frozenset({"asyncio.run", "asyncio.runners.run"})
#: Functions given the coroutine function itself (`anyio.run(main)`).
LOOP_RUN_FUNCTIONS = frozenset({"anyio.run", "trio.run"})
#: Facts of the configuration: found without reading a file (their absence says nothing
#: of files outside the run).
SELECTION_FACTS = frozenset(
    {
        V1_LAYER_SELECTED,
        ON_EVENT_SELECTED,
        SYNC_QUERY_SELECTED,
        *PYDANTIC_SPELLING.values(),
        LEGACY_MAPPING_SELECTED,
        PARAMETER_REGEX_SELECTED,
        EXPIRE_ON_COMMIT_SELECTED,
        FIELD_ENV_SELECTED,
        NEW_PASSWORD_HASH_SELECTED,
        SYNTAX_ERROR_SELECTED,
        JOSE_UNPINNED_SELECTED,
        PUBLIC_CORS_SELECTED,
        *PYDANTIC_1_NAMED,
        *SQLALCHEMY_1_NAMED,
    }
)

#: Facts that depend on every file of the project: a run of part of it that asks one
#: keeps no run snapshot, whatever the answer (a file outside it may change it).
COUNTED_FACTS = frozenset(
    {
        SQL_2_QUERIES,
        NO_V2_SETTINGS,
        TYPED_MODELS,
        HEADER_CREDENTIALS_ONLY,
        SERVER_DATABASES,
        COOKIES_USED,
        CREDENTIALS_USED,
        CREDENTIALS_TAKEN,
        BCRYPT_HASHING,
        JOSE_ASYMMETRIC,
        OWN_SERVICE_ERRORS,
        OWN_AUTH_ERRORS,
        ASYNC_SESSIONS,
        ASYNC_SESSIONS_MADE,
        PUBLIC_ROUTES,
        *SERVED_CONCURRENTLY_FACTS,
    }
)

SETTINGS_BASES = frozenset(
    {
        "pydantic_settings.BaseSettings",
        "pydantic_settings.main.BaseSettings",
        "pydantic.BaseSettings",
        "pydantic.env_settings.BaseSettings",
        "pydantic.v1.BaseSettings",
        "pydantic.v1.env_settings.BaseSettings",
    }
)
#: Configuration objects of other libraries: starlette's `Config`, dynaconf, environs,
#: python-decouple.
SETTINGS_FACTORIES = frozenset(
    {
        "starlette.config.Config",
        "dynaconf.Dynaconf",
        "dynaconf.LazySettings",
        "environs.Env",
        "decouple.AutoConfig",
        "decouple.Config",
    }
)
#: python-decouple's ready-made reader (`from decouple import config`)
_SETTINGS_READERS = frozenset({"decouple.config"})
#: The text any of the above needs (a file without it is not parsed).
_SETTINGS_TEXT = lazy_pattern(rb"BaseSettings|starlette|dynaconf|environs|decouple")


def requires_setting(variable: str, sources: Sequence[bytes]) -> bool:
    """Whether a settings class (a base named `BaseSettings`, no `env_prefix`) declares
    the field `variable` (case-insensitive, as pydantic-settings reads the environment)
    without a default (`SECRET_KEY: str`, `= Field(...)`), and some text makes the class
    (`Settings()`): the service does not start without the variable."""
    lowered = variable.lower()
    for source in sources:
        if b"BaseSettings" not in source or lowered.encode() not in source.lower():
            continue
        if b"env_prefix" in source:
            continue  # the field's variable is another
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for cls in tree.body:
            if not isinstance(cls, ast.ClassDef) or not any(
                (base.id if isinstance(base, ast.Name) else getattr(base, "attr", ""))
                == "BaseSettings"
                for base in cls.bases
            ):
                continue
            # (`Settings()`, not `AppSettings()` nor `config.Settings()`'s namesake)
            made = re.compile(rb"(?<![\w.])" + re.escape(cls.name.encode()) + rb"\(\s*\)")
            if any(
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and statement.target.id.lower() == lowered
                and _required(statement.value)
                for statement in cls.body
            ) and any(made.search(text) for text in sources):
                return True
    return False


def _required(value: ast.expr | None) -> bool:
    """A field's value that gives it no default: none, or `Field(...)` alone."""
    if value is None:
        return True
    return (
        isinstance(value, ast.Call)
        and (value.func.id if isinstance(value.func, ast.Name) else "") == "Field"
        and not value.keywords
        and len(value.args) == 1
        and isinstance(value.args[0], ast.Constant)
        and value.args[0].value is Ellipsis
    )


def defines_settings(source: bytes) -> bool:
    """Whether a module defines the project's settings: a class whose base is one of
    `SETTINGS_BASES`, a call of one of `SETTINGS_FACTORIES`, or an import of
    python-decouple's `config` (names resolved through the module's imports)."""
    if _SETTINGS_TEXT.search(source) is None:
        return False
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    imports: dict[str, str] = {}
    nodes = list(ast.walk(tree))
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                qualified = f"{node.module}.{alias.name}"
                if qualified in _SETTINGS_READERS:
                    return True
                imports[alias.asname or alias.name] = qualified
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname is not None:
                    imports[alias.asname] = alias.name
                else:
                    first = alias.name.partition(".")[0]
                    imports[first] = first
    for node in nodes:
        if isinstance(node, ast.ClassDef):
            if any(_qualified(base, imports) in SETTINGS_BASES for base in node.bases):
                return True
        elif isinstance(node, ast.Call) and _qualified(node.func, imports) in SETTINGS_FACTORIES:
            return True
    return False


def _qualified(expr: ast.expr, imports: dict[str, str]) -> str | None:
    parts: list[str] = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name) or expr.id not in imports:
        return None
    return ".".join([imports[expr.id], *reversed(parts)])


def project_sources(files: Iterable[Path], text: re.Pattern[bytes]) -> Iterator[tuple[Path, bytes]]:
    """The files whose text matches `text`, with their bytes (unreadable ones skipped)."""
    for path in files:
        try:
            source = path.read_bytes()
        except OSError:
            continue
        if text.search(source) is not None:
            yield path, source


#: File names where settings usually live: read first, so that a project that has a
#: settings module is usually answered after one file (`settings.py`, `config.py`,
#: `core/config.py`, `app_settings.py`, ...).
_SETTINGS_NAMES = lazy_pattern(r"(^|_)(settings|config|configs|conf|configuration)(_|$)")


def first_settings_module(files: Iterable[Path]) -> Path | None:
    """The first of `files` that defines settings (`defines_settings`), if any, those
    named like a settings module read first."""
    ordered = sorted(files, key=lambda path: _SETTINGS_NAMES.search(path.stem) is None)
    for path, source in project_sources(ordered, _SETTINGS_TEXT):
        if defines_settings(source):
            return path
    return None


_ASYNC_SQLALCHEMY = lazy_pattern(rb"\b(?:AsyncSession|create_async_engine|async_sessionmaker)\b")
_MAKES_ASYNC = lazy_pattern(
    rb"\b(?:create_async_engine|async_sessionmaker|AsyncEngine|async_scoped_session"
    rb"|async_engine_from_config|AsyncSession\s*\(|class_\s*=\s*\w*\.?AsyncSession"
    rb"|advanced_alchemy|fastapi_users_db_sqlalchemy|sqlmodel\.ext\.asyncio|litestar"
    rb"|SQLAlchemyAsyncConfig)\b"
    rb"|\+(?:asyncpg|aiosqlite|aiomysql|asyncmy|psycopg_async|aioodbc|aiopg)\b"
)
_SELECT = lazy_pattern(rb"(?<![\w.])select\(|\b(?:sa|sqlalchemy|sqlmodel)\.select\(")
_QUERY = lazy_pattern(rb"\.query\(")
_MAPPED = lazy_pattern(rb"\bMapped\[")
_COLUMN = lazy_pattern(rb"(?<![\w.])Column\(|\b(?:sa|sqlalchemy|db)\.Column\(")
#: What reads a cookie in every count: a request's, FastAPI's `Cookie(` and
#: `APIKeyCookie`, Starlette's sessions, fastapi-users' transport, fastapi-jwt's classes
#: that read one (`JwtAccessBearerCookie`).
_READ_COOKIE_WORDS = (
    rb"\b(?:request|websocket)\.cookies\b|\bCookie\(|\bAPIKeyCookie\b"
    # (fastapi-users' transport where one is made or derived from, not an import left
    # by commented-out code: AidamirKaraziev's, whose API reads a header only, reader 125)
    rb"|\bSessionMiddleware\b|\bCookieTransport\s*\(|\bclass\s+\w+\s*\(\s*CookieTransport\b"
    rb"|\bJwt(?:Access|Refresh)(?:Bearer)?Cookie\b"
)
_COOKIES = lazy_pattern(rb"\bset_cookie\(|" + _READ_COOKIE_WORDS)
_HEADER_CREDENTIALS = lazy_pattern(
    rb"\b(?:HTTPBearer|OAuth2PasswordBearer|OAuth2AuthorizationCodeBearer|APIKeyHeader)\b"
    # fastapi-users' transport that reads the `Authorization` header
    rb"|\bBearerTransport\s*\("
    # fastapi-jwt's that read the `Authorization` header alone (fscorrales' API, whose
    # `set_access_cookie` sets a cookie nothing reads: reader 78)
    rb"|\bJwt(?:Access|Refresh)Bearer\b"
    # the header read: `headers.get("Authorization")`, `headers["authorization"]` (not an
    # item set: `headers["Authorization"] = ...` is sent to another API with the
    # service's own key, as is a dict's `{"Authorization": ...}`, and a set of names to
    # redact names none), `Header(alias="Authorization")`, or a parameter FastAPI fills
    # from it (`authorization: str = Header(None)`)
    rb"|\.get\(\s*[\"']authorization[\"']"
    rb"|\[\s*[\"']authorization[\"']\s*\](?!\s*=[^=])"
    rb"|\balias\s*=\s*[\"']authorization[\"']"
    rb"|\bauthorization\s*:[^\n=]*=\s*(?:fastapi\.)?Header\("
    # an API key or token parameter FastAPI fills from a header (squaredev-io's
    # `api_key: str = Header()`, its one credential: reader 104), or its header's name
    rb"|\b(?:x_)?(?:api_?key|(?:access_|auth_)?token)\s*:[^\n=]*=\s*(?:fastapi\.)?Header\("
    rb"|\balias\s*=\s*[\"']x-api-key[\"']",
    re.IGNORECASE,
)


#: The headers a CORS configuration lets through or exposes (`allow_headers=[...]`).
_CORS_HEADER_LISTS = lazy_pattern(rb"\b(?:allow|expose)_headers\s*=\s*[\[(][^\])]*[\])]")


def counted_sources(files: Iterable[Path]) -> list[bytes]:
    """The texts the counted facts read: every file of the project, read once per run for
    all of them (each fact then searches only its own words; a prefilter for all their
    words together costs more than it spares); an unreadable file reads as empty, so
    that the texts stay in the files' order."""
    found: list[bytes] = []
    for path in files:
        try:
            found.append(path.read_bytes())
        except OSError:
            found.append(b"")
    return found


def _written(
    name: str,
    sources: Iterable[bytes],
    times: int,
    skipped: re.Pattern[bytes] | None = None,
    before: int = 0,
    code_only: bool = False,
    unless: Callable[[bytes, int, int], bool] | None = None,
) -> bool:
    """Whether the identifier is written `times` times or more in the texts, as a whole
    word, not counting a place whose `before` bytes ahead match `skipped`; `code_only`:
    nor one in a comment or in a string of prose (`in_code`); nor one `unless` says of
    (the text, the word's start and end)."""
    word = name.encode()
    count = 0
    for source in sources:
        if word not in source:
            continue
        for found in _word_pattern(word).finditer(source):
            start = found.start()
            if (
                (skipped is None or skipped.search(source[max(0, start - before) : start]) is None)
                and (not code_only or in_code(source, start, found.end()))
                and (unless is None or not unless(source, start, found.end()))
            ):
                count += 1
                if count >= times:
                    return True
    return False


@functools.lru_cache(maxsize=256)
def _word_pattern(word: bytes) -> re.Pattern[bytes]:
    """The identifier as a whole word (`_written`, `written_times`)."""
    return re.compile(rb"(?<![\w])" + re.escape(word) + rb"(?![\w])")


def in_code(source: bytes, start: int, end: int) -> bool:
    """Whether the word at `start:end` may name something of the code: not in a comment,
    nor in a string of prose (`f"User {id} not found"`, `"User-Agent"`, a comment's
    `# User inside CarDisplay`: HaftomZ's three unused `User` schemas, reader 174); a
    string that is a type or a name (`"User"`, `"list[User]"`, `__all__`'s), or an
    f-string's replacement field, is code. Read on the word's line alone: inside a
    triple-quoted string opened above it, the word counts (a docstring may be a type's
    text, and counting only keeps a finding)."""
    index = source.rfind(b"\n", 0, start) + 1
    quote = b""
    opened = 0
    while index < start:
        char = source[index : index + 1]
        if not quote:
            if char == b"#":
                return False
            if char in (b"'", b'"'):
                quote = char * 3 if source.startswith(char * 3, index) else char
                index += len(quote)
                opened = index
                continue
        elif char == b"\\":
            index += 1
        elif source.startswith(quote, index):
            index += len(quote)
            quote = b""
            continue
        index += 1
    if not quote:
        return True
    text = source[opened:start]
    if source[max(0, opened - len(quote) - 2) : opened - len(quote)].lower().find(b"f") >= 0:
        field = text.rfind(b"{")
        if field >= 0 and text.find(b"}", field) < 0:
            return True  # a replacement field's expression
    close = source.find(quote, end)
    line_end = source.find(b"\n", end)
    if close < 0 or (len(quote) == 1 and 0 <= line_end < close):
        return False  # (an unclosed string: not code that runs)
    return _TYPE_TEXT.fullmatch(source[opened:close]) is not None


#: The text of a string that names code: a dotted name, an entry point's
#: (`"app.storage:S3Storage"`), or a type of them (`"Optional[User]"`, `"User | None"`),
#: never two words in a row.
_TYPE_TEXT = lazy_pattern(rb"[ \t]*[\w.:]+(?:[ \t]*[\[\],|][ \t]*[\w.:]*)*[ \t]*")


def written_twice(name: str, sources: Iterable[bytes]) -> bool:
    """`USED_FACT`: the identifier is written at least twice in the texts, as a whole word
    (its definition, and a use: an import, an annotation, an attribute read, a string
    naming it; a comment counts too, which only keeps a finding)."""
    return _written(name, sources, 2)


def written_besides_its_variable(name: str, sources: Iterable[bytes]) -> bool:
    """`USED_FACT` for `ENV_NAMED`: written twice, not counting the name quoted as an
    environment variable's (`os.getenv("JWT_SECRET"`, `os.environ["JWT_SECRET"]`,
    `environ.get('JWT_SECRET'`): TungYuChiang's `JWT_SECRET`, which nothing reads while
    its tokens are signed with another hard-coded key, reader 94."""
    return _written(name, sources, 2, _ENV_READ_BEFORE, 40)


#: What comes before an environment variable's quoted name.
_ENV_READ_BEFORE = lazy_pattern(
    rb"(?:getenv|environ\.get|environ\s*\[|environ\.setdefault)\s*\(?\s*[\"']$"
)


def module_imported(name: str, sources: Iterable[bytes], in_path: bool = False) -> bool:
    """`USED_FACT` for `IMPORTED`: a module whose last name is `name` is imported in the
    texts (`import a.name`, `from a.name import x`, `from a import name` on one line or in
    brackets), or its name is quoted as part of a path (haruningen's `refresh_db.py`,
    which only its tests import, and its Makefile runs: reader 101); `in_path`: quoted
    after a package's name only (`"app.routers.role"`, not a word of data: `"role"`)."""
    word = re.escape(name.encode())
    # a dotted path, or a file's (`"app/routers/role.py"`); not a URL's segment, which a
    # router's own prefix is (`APIRouter(prefix="/auth")`: ta-na-mao's unmounted
    # `routers/auth.py`, reader 150)
    quoted = (
        rb"[\"'][\w./:-]*(?:\." + word + rb"(?![\w/-])|/" + word + rb"\.py\b)"
        if in_path
        else rb"[\"'][\w./:-]*\b" + word + rb"\b"
    )
    pattern = re.compile(
        rb"(?m)^[ \t]*(?:from[ \t]+[\w.]*\b"
        + word
        + rb"\b|import[ \t]+[^\n#]*\b"
        + word
        + rb"\b|from[ \t]+[\w.]+[ \t]+import[ \t]+(?:\([^)]*|[^\n#]*)\b"
        + word
        + rb"\b)|"
        + quoted
    )
    encoded = name.encode()
    if in_path and any(_DYNAMIC_IMPORT.search(source) is not None for source in sources):
        return True  # modules imported by a name built at run time (`import_module(...)`)
    return any(encoded in source and pattern.search(source) is not None for source in sources)


def routes_module_imported(
    module: str,
    sources: Sequence[bytes],
    modules: Sequence[str | None] | None = None,
    depth: int = 3,
) -> bool:
    """`ROUTES_IMPORTED`'s answer: `module_imported` of its last name, where an import of
    it (or its quoted path) names a module that agrees with its dotted name (one's path
    ends the other's; a relative one, by the part it names): EFRAN033's
    `app/routers/auth.py`, left beside the `app/presentation/api/routers/auth.py` its
    `main.py` imports (`from app.presentation.api.routers import auth`), registers no route
    (reader 184). With `modules`, the dotted names of the texts' modules (None: a
    packaging file's, or a name not known), an importer counts where it runs: it makes
    an app (`FastAPI(...)`), runs as a script, or is itself imported so, up to `depth`
    modules up: PedrovD's `app/api/api_v1/api.py` includes every router of `endpoints/`
    in an `api_router` that nothing imports, its `main.py` declaring the routes it serves
    (reader 189)."""
    package, _, stem = module.rpartition(".")
    if not module_imported(stem, sources, in_path=True):
        return False
    if not package or any(_DYNAMIC_IMPORT.search(source) is not None for source in sources):
        return True
    # (a module that registers its routes on an app or router it imports, or includes
    # its own router in one, is wired by the import alone)
    makes_a_router = modules is not None and any(
        name == module and _ROUTER_MADE.search(text) is not None and b"include_router" not in text
        for name, text in zip(modules, sources, strict=True)
    )
    for index, source in enumerate(sources):
        if stem.encode() not in source or not _imports_module(module, stem, source):
            continue
        if makes_a_router and b"include_router" in source and _import_unused(stem, source):
            # the module that includes the routers imports this one and reads nothing of
            # it: ssms' `main.py` imports `campaigns` beside the routers it includes, and
            # never includes its router (reader 192)
            continue
        importer = modules[index] if modules is not None else None
        if importer is None or not _may_be_dead(importer, module, sources, modules, depth):
            return True
    return False


@functools.lru_cache(maxsize=16)
def _python_tree(source: bytes) -> ast.Module | None:
    """CPython's tree of a text the project facts read closely (the module that includes
    routers, for every routes module it imports: `_import_unused`; a text naming a
    method: `_names_method`), parsed once; None when it cannot be parsed."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _import_unused(stem: str, source: bytes) -> bool:
    """Whether the names a text binds by importing a module of that last name (`from
    app.api import campaigns`, `from app.api.campaigns import router as campaigns_router`)
    are read nowhere in it: False where it binds it otherwise (`import app.api.campaigns`)
    or cannot be parsed."""
    tree = _python_tree(source)
    if tree is None:
        return False  # (not parsed, or too deep for CPython's parser: taken to read it)
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(
            stem in alias.name.split(".") for alias in node.names
        ):
            return False
        if not isinstance(node, ast.ImportFrom):
            continue
        origin = (node.module or "").split(".")
        for alias in node.names:
            if alias.name == stem or (origin and origin[-1] == stem):
                bound.add(alias.asname or alias.name)
    if not bound or "*" in bound:
        return False
    return not any(
        isinstance(node, ast.Name) and node.id in bound for node in ast.walk(tree)
    ) and not any(isinstance(node, ast.Constant) and node.value in bound for node in ast.walk(tree))


def _may_be_dead(
    importer: str,
    module: str,
    sources: Sequence[bytes],
    modules: Sequence[str | None] | None,
    depth: int,
) -> bool:
    """Whether a module importing a routes module (`routes_module_imported`) may run
    none of its code: of a package, it makes no app and runs as no script, no file that
    is not code (a Dockerfile, `pyproject.toml`: `modules`' None) names it, the project
    makes its app in a text read here (its wiring known), and nothing imports it where
    that runs (`depth` modules up)."""
    if importer == module or depth == 0 or "." not in importer or modules is None:
        return False
    own = next(text for name, text in zip(modules, sources, strict=True) if name == importer)
    if _RUNS.search(own) is not None:
        return False
    made = {m.group(1) for m in _ROUTER_MADE.finditer(own)}
    if any(m.group(1) not in made for m in _INCLUDES.finditer(own)):
        return False  # it includes routers in an app or router made elsewhere: it wires
    dotted, path = importer.encode(), importer.replace(".", "/").encode()
    if any(
        name is None and (dotted in text or path in text)
        for name, text in zip(modules, sources, strict=True)
    ):
        return False
    if not any(b"FastAPI(" in text for text in sources):
        return False
    return not routes_module_imported(importer, sources, modules, depth - 1)


#: A router a module makes (`api_router = APIRouter(...)`), and what includes routers.
_ROUTER_MADE = lazy_pattern(rb"(?m)^[ \t]*(\w+)[ \t]*(?::[^=\n]*)?=[ \t]*(?:\w+\.)?APIRouter\(")
_INCLUDES = lazy_pattern(rb"\b(\w+)\.include_router\(")
#: What makes a module run whatever imports it: an app made there, a script's guard.
_RUNS = lazy_pattern(rb"\b(?:FastAPI|Starlette)\(|__name__\s*==\s*[\"']__main__[\"']")


def _imports_module(module: str, stem: str, source: bytes) -> bool:
    """Whether the text imports the module, or quotes its path, by a name that agrees
    with its dotted name (`routes_module_imported`)."""
    own = module.split(".")
    word = re.compile(rb"\b" + re.escape(stem.encode()) + rb"\b")

    def agrees(path: str, target: list[str]) -> bool:
        parts = [p for p in path.split(".") if p]
        if path.startswith("."):
            return _ends(target, parts)  # relative: the tail it names
        return bool(parts) and (_ends(target, parts) or _ends(parts, target))

    for match in _FROM_IMPORT.finditer(source):
        origin = match.group(1).decode("ascii", "replace")
        if agrees(origin, own) or (
            word.search(match.group(2)) is not None and agrees(origin, own[:-1])
        ):
            return True  # `from app.routers.auth import router`, `from app.routers import auth`
    for match in _PLAIN_IMPORT.finditer(source):
        for item in match.group(1).decode("ascii", "replace").split(","):
            if agrees(item.split(" as ")[0].strip(), own):
                return True  # `import app.routers.auth`
    for match in _QUOTED_PATH.finditer(source):
        path = match.group(1).decode("ascii", "replace").partition(":")[0]
        if "/" in path and not path.endswith(".py"):
            continue  # a URL's path (`prefix="/auth"`), not a file's
        if agrees(path.removesuffix(".py").replace("/", "."), own):
            return True  # `"app.routers.auth"`, `"app/routers/auth.py"`
    return False


def _ends(whole: list[str], tail: list[str]) -> bool:
    """Whether a dotted path's parts end with `tail`'s."""
    return len(tail) <= len(whole) and whole[len(whole) - len(tail) :] == tail


#: `from X import names` (names on one line or in brackets), `import X, Y`, a quoted path.
_FROM_IMPORT = lazy_pattern(rb"(?m)^[ \t]*from[ \t]+([\w.]+)[ \t]+import[ \t]+(\([^)]*\)?|[^\n#]*)")
_PLAIN_IMPORT = lazy_pattern(rb"(?m)^[ \t]*import[ \t]+([^\n#;]*)")
_QUOTED_PATH = lazy_pattern(rb"[\"'](\w[\w./:-]*[./][\w:-]+)[\"']")


def module_name_used(
    module: Path, name: str, own: bytes, sources: Iterable[bytes], siblings: Iterable[bytes] = ()
) -> bool:
    """`NAME_IMPORTED`'s answer: `name`, bound at the top of the module `module` (its
    text `own`), is read there besides its binding (in code, `in_code`), or imported in
    the texts from a module or package of its name (`from src.database import session`,
    `from src import database` then `database.session`, `from .database import *`),
    relatively only in `siblings` (its folder's texts and below); or some module is
    imported by a name built at run time."""
    if _written(name, [own], 2, code_only=True):
        return True
    word = re.escape(name.encode())
    stem = re.escape(module.stem.encode())
    package = re.escape(module.parent.name.encode())
    owner = rb"(?:" + stem + rb"|" + package + rb")"
    imported = re.compile(
        rb"(?m)^[ \t]*from[ \t]+[\w.]*\b"
        + owner
        + rb"[ \t]+import[ \t]+(?:\([^)]*\b"
        + word
        + rb"\b|[^\n#]*\b"
        + word
        + rb"\b|\*)|\b"
        + stem
        + rb"\."
        + word
        + rb"\b"
    )
    relative = re.compile(
        rb"(?m)^[ \t]*from[ \t]+\.+(?:"
        + stem
        + rb")?[ \t]+import[ \t]+(?:\([^)]*\b"
        + word
        + rb"\b|[^\n#]*\b"
        + word
        + rb"\b|\*)"
    )
    return _imported_in(sources, siblings, imported, relative, (name.encode(), b"*"))


def mapped_tables(sources: Iterable[bytes]) -> frozenset[str]:
    """`TABLE_MAPPED`: the tables the texts' models map by a literal name: `__tablename__
    = "users"`, `Table("users", metadata, ...)`, a SQLModel class made `table=True` (its
    name in lower case, as SQLModel names it, unless it sets `__tablename__`)."""
    found: set[str] = set()
    for source in sources:
        if b"__tablename__" in source:
            found.update(m[1].decode() for m in _TABLENAME.finditer(source))
        if b"Table(" in source:
            found.update(m[1].decode() for m in _TABLE_CALL.finditer(source))
        if b"table=True" in source:
            found.update(m[1].decode().lower() for m in _SQLMODEL_TABLE.finditer(source))
    return frozenset(found)


_TABLENAME = lazy_pattern(rb"\b__tablename__\s*(?::[^=\n]*)?=\s*[\"'](\w+)[\"']")
_TABLE_CALL = lazy_pattern(rb"\bTable\(\s*[\"'](\w+)[\"']\s*,")
_SQLMODEL_TABLE = lazy_pattern(rb"(?m)^class[ \t]+(\w+)\s*\([^)]*\btable\s*=\s*True\b")


def package_module_imported(
    package: str, name: str, sources: Iterable[bytes], siblings: Iterable[bytes] = ()
) -> bool:
    """`MODULE_IMPORTED`'s answer: the module `name` of the package `package` is imported
    in the texts by its dotted path (`import app.schemas.animal`, `from ..schemas.animal
    import X`), from its package (`from app.schemas import (animal, camp)`), as a
    top-level module (`from animal import X`, a script's folder on the path), or its path
    is quoted (`"app.schemas.animal"`, `"schemas/animal.py"`); relatively (`from .animal
    import X`, `from ..parser import f`, `from . import animal`) only in `siblings`, the
    texts of its folder and the folders below it (`backend/models/__init__.py`'s `from
    .animal import Animal` is another module); or
    some module is imported by a name built at run time."""
    word = re.escape(name.encode())
    folder = re.escape(package.encode())
    pattern = re.compile(
        rb"(?m)^[ \t]*(?:(?:from|import)[ \t]+[\w.]*\b"
        + folder
        + rb"\."
        + word
        + rb"\b|import[ \t]+[^\n#]*\b"
        + folder
        + rb"\."
        + word
        + rb"\b|from[ \t]+[\w.]*\b"
        + folder
        + rb"[ \t]+import[ \t]+(?:\([^)]*|[^\n#]*)\b"
        + word
        + rb"\b|(?:from|import)[ \t]+"
        + word
        + rb"\b)|[\"'][\w./:-]*\b"
        + folder
        + rb"(?:\."
        + word
        + rb"(?![\w/-])|/"
        + word
        + rb"\.py\b)"
    )
    relative = re.compile(
        rb"(?m)^[ \t]*from[ \t]+(?:\.+"
        + word
        + rb"\b|\.+[ \t]+import[ \t]+(?:\([^)]*|[^\n#]*)\b"
        + word
        + rb"\b)"
    )
    return _imported_in(sources, siblings, pattern, relative, (name.encode(),))


def _imported_in(
    sources: Iterable[bytes],
    siblings: Iterable[bytes],
    imported: re.Pattern[bytes],
    relative: re.Pattern[bytes],
    words: tuple[bytes, ...],
) -> bool:
    """Whether some module is imported by a name built at run time, or a text holding one
    of `words` matches `imported`, or a sibling's matches `relative` (a relative import
    reads only in its own folder and below)."""
    sources = list(sources)
    if any(_DYNAMIC_IMPORT.search(source) is not None for source in sources):
        return True
    return any(
        any(word in source for word in words) and imported.search(source) is not None
        for source in sources
    ) or any(
        any(word in source for word in words) and relative.search(source) is not None
        for source in siblings
    )


#: A module imported by a name the code builds (`import_module(f"{app}.router")`:
#: EbraheemTammam's apps), or found by walking a package: any module may be imported so.
#: (Not one given a literal: `__import__("datetime")`, ta-na-mao's, names its module.)
_DYNAMIC_IMPORT = lazy_pattern(
    rb"\b(?:import_module|__import__)\((?!\s*[\"'][\w.]+[\"']\s*[,)])|\bpkgutil\b|\biter_modules\("
)


def field_read(name: str, sources: Iterable[bytes]) -> bool:
    """`USED_FACT` for `FIELD`: the settings field is read somewhere: an attribute, a
    string, a keyword (darlingtonmuzari's `SECRET_KEY` setting, which its tokens never
    use, while its scripts sign with variables of that name: reader 101)."""
    word = name.encode()
    sources = list(sources)
    if name.startswith("authjwt_") and any(b"AuthJWT" in source for source in sources):
        # fastapi-jwt-auth reads `authjwt_secret_key` from the settings object given to
        # `AuthJWT.load_config` (alaa-aqeel's only signing key: reader 180)
        return True
    escaped = re.escape(word)
    pattern = re.compile(rb"[.\"']" + escaped + rb"(?!\w)|[(,]\s*" + escaped + rb"\s*=(?!=)")
    return any(
        word in source
        and any(
            _ENV_OF_FIELD.search(source, max(0, match.start() - 40), match.start()) is None
            for match in pattern.finditer(source)
        )
        for source in sources
    )


#: What names a field's environment variable, not the field, right before the string:
#: the variable Pydantic reads it from (`Field(default=..., env="SECRET_KEY")`: kznetwork's
#: key no module reads, reader 144), its alias, or a read of the environment
#: (`SECRET_KEY: str = os.getenv("SECRET_KEY", "...")`: edu-app's gateway, reader 143).
_ENV_OF_FIELD = lazy_pattern(
    rb"(?:\b(?:env|alias|validation_alias|serialization_alias)\s*=|"
    rb"\bgetenv\(|\benviron\.get\(|\benviron\[)\s*$"
)


def fixture_named(name: str, sources: Iterable[bytes]) -> bool:
    """`USED_FACT` for a pytest fixture (`FIXTURE`): a test or fixture of the texts takes
    it, as CPython's tree shows: a parameter of that name, `usefixtures("name")`,
    `request.getfixturevalue("name")`, or a `parametrize` naming it (indirect). Not a word
    of data or prose (11joao44's `client`, named in its tests only in strings: reader
    109); a text CPython cannot parse counts as naming it."""
    word = name.encode()
    for source in sources:
        if word not in source:
            continue
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError):
            return True
        for node in ast.walk(tree):
            if isinstance(node, ast.arg) and node.arg == name:
                return True
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in _NAMING_FIXTURES
                and any(
                    isinstance(arg, ast.Constant)
                    and isinstance(arg.value, str)
                    and name in re.split(r"[\s,]+", arg.value)
                    for arg in node.args
                )
            ):
                return True
    return False


#: Calls that name fixtures in strings.
_NAMING_FIXTURES = frozenset({"usefixtures", "getfixturevalue", "parametrize"})


def shadows_fixture(name: str, text: bytes) -> bool:
    """Whether a test module or `conftest.py` defines a pytest fixture `name` of its own
    that does not take the one it overrides (`def client(client)`): its tests, and those
    below it, take that one, not another file's (11joao44's `client` in
    `test_users.py`, which left the `conftest.py` fixture of that name unused: reader
    109)."""
    if name.encode() not in text or b"fixture" not in text:
        return False
    for match in _FIXTURE_DEFINITION.finditer(text):
        if match[1].decode() == name and re.search(rb"\b%s\b" % match[1], match[2]) is None:
            return True
    return False


#: A fixture's definition: its decorator, then any others, then `def name(params)`.
_FIXTURE_DEFINITION = lazy_pattern(
    rb"@pytest(?:_asyncio)?\.fixture\b[^\n]*\n(?:[ \t]*@[^\n]*\n)*"
    rb"[ \t]*(?:async[ \t]+)?def[ \t]+(\w+)[ \t]*\(([^)]*)\)"
)


def named_besides_definitions(name: str, sources: Iterable[bytes], code_only: bool = True) -> bool:
    """`USED_FACT` for a class or function (`DEFINED`): the identifier is written, as a
    whole word, somewhere else than after `def` or `class` (sepehremami's `async def
    get_users` defined again below the route of that name, whose decorator registered
    the first: reader 84), and not in a comment or prose (`in_code`; with `code_only`
    false, anywhere: the texts of packaging files, whose entry points are strings)."""
    return _written(name, sources, 1, _DEFINES, 12, code_only=code_only)


_DEFINES = lazy_pattern(rb"\b(?:def|class)[ \t]+$")


def named_outside_imports(name: str, sources: Iterable[bytes]) -> bool:
    """`USED_FACT` for `CALLED`: the identifier is written in code somewhere else than
    after `def` or `class` and than in the names an import binds (`from m import a, name`,
    in brackets too); an import that renames it (`name as other`) counts."""
    return _written(name, sources, 1, _DEFINES, 12, code_only=True, unless=_only_imported)


def _only_imported(source: bytes, start: int, end: int) -> bool:
    """Whether the word at `start:end` is a name a `from ... import` binds as it is: on
    the statement's first line, or within its brackets."""
    if _RENAMED.match(source, end) is not None:
        return False
    line = source.rfind(b"\n", 0, start) + 1
    if _IMPORT_LINE.match(source, line, start) is not None:
        return True
    opened = [found.end() for found in _IMPORT_OPENED.finditer(source, max(0, start - 4000), start)]
    return bool(opened) and source.find(b")", opened[-1], start) < 0


#: `as other` after an imported name.
_RENAMED = lazy_pattern(rb"[ \t]+as[ \t]+\w")
#: A `from ... import` statement's first line, up to a name it binds.
_IMPORT_LINE = lazy_pattern(rb"[ \t]*from[ \t]+[.\w]+[ \t]+import\b[^\n#;]*$")
#: A `from ... import (` statement's opening.
_IMPORT_OPENED = lazy_pattern(rb"(?m)^[ \t]*from[ \t]+[.\w]+[ \t]+import[ \t]*\(")


def reached(spec: str, sources: Sequence[bytes]) -> bool:
    """`REACHED`'s answer: one of the functions or classes is named besides its
    definitions (`named_besides_definitions`), or one of the variables is written in the
    texts more often than its own module writes it (another module imports it)."""
    functions, _, variables = spec.partition(";var=")
    for name in functions.removeprefix("def=").split(","):
        if name and named_besides_definitions(name, sources):
            return True
    for item in variables.split(","):
        name, _, times = item.partition(":")
        if name and _written(name, sources, int(times or 0) + 1, code_only=True):
            return True
    return False


def written_times(name: str, source: bytes) -> int:
    """How often a text writes the identifier as a whole word, in code (`_written`'s
    count with `code_only`)."""
    word = name.encode()
    if word not in source:
        return 0
    return sum(
        1
        for found in _word_pattern(word).finditer(source)
        if in_code(source, found.start(), found.end())
    )


def class_bases(sources: Iterable[bytes]) -> dict[str, frozenset[str]]:
    """Each class the texts define, by name, with the identifiers its bases write (the
    classes of one name together): `method_named`'s hierarchy, read once per run."""
    bases: dict[str, set[str]] = {}
    for source in sources:
        if b"class" in source:
            for found in _CLASS_HEADER.finditer(source):
                names = bases.setdefault(found[1].decode(), set())
                names.update(w.decode() for w in _IDENTIFIER.findall(found[2] or b""))
    return {name: frozenset(named) for name, named in bases.items()}


def method_named(
    owner: str,
    method: str,
    sources: Sequence[bytes],
    bases: Mapping[str, frozenset[str]] | None = None,
) -> bool:
    """`USED_FACT` for a method of a class without bases (`METHOD`): its name is written
    besides its definitions (`named_besides_definitions`), not only as an attribute of
    another class of the project, which cannot reach it (reanderson89's
    `CommonRoutes.get_all`, nothing calls, beside the `BaseActions.get_all(...)` every
    action calls: reader 195). A receiver counts where it may be the class: the class
    or one whose bases name it or a class that does (by name, any identifier of the
    bases read as one), a name that is no class of the project (an instance, a module),
    anything but a name; `self` or `cls` in a class of the project that does not define
    the method itself (a mixin). The method's name counts anywhere else as a name, an
    import or a string (`getattr`), and a text CPython cannot parse counts whole."""
    if not named_besides_definitions(method, sources):
        return False
    word = method.encode()
    if bases is None:
        bases = class_bases(sources)
    family = _subclasses(bases, {owner})
    for source in sources:
        if word in source and _names_method(source, method, family, bases):
            return True
    return False


#: A class's header: its name, then its bases' text (on one line or several).
_CLASS_HEADER = lazy_pattern(rb"(?m)^[ \t]*class[ \t]+(\w+)[ \t]*(?:\(([^()]*)\))?[ \t]*:")
_IDENTIFIER = lazy_pattern(rb"[A-Za-z_]\w*")


def _names_method(
    source: bytes, method: str, family: set[str], classes: Mapping[str, frozenset[str]]
) -> bool:
    """Whether a text names the method where it may be the family's (`method_named`)."""
    tree = _python_tree(source)
    if tree is None:
        return True  # (not parsed: every place counts)
    try:
        return _MethodUses(method, family, classes).found_in(tree)
    except (RecursionError, MemoryError):
        return True


class _MethodUses(ast.NodeVisitor):
    """The places of a tree that may name a method of the family (`method_named`)."""

    def __init__(
        self, method: str, family: set[str], classes: Mapping[str, frozenset[str]]
    ) -> None:
        self.method = method
        self.family = family
        self.classes = classes
        self.owners: list[ast.ClassDef] = []
        self.found = False

    def found_in(self, tree: ast.AST) -> bool:
        self.visit(tree)
        return self.found

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.owners.append(node)
        self.generic_visit(node)
        self.owners.pop()

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr == self.method and self._may_be_family(node.value):
            self.found = True
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id == self.method:
            self.found = True

    def visit_Constant(self, node: ast.Constant) -> None:
        if node.value == self.method:
            self.found = True

    def visit_alias(self, node: ast.alias) -> None:
        if self.method in (node.name, node.asname) or node.name.endswith("." + self.method):
            self.found = True

    def _may_be_family(self, receiver: ast.expr) -> bool:
        if not isinstance(receiver, ast.Name):
            return True
        if receiver.id in ("self", "cls"):
            owner = self.owners[-1] if self.owners else None
            return (
                owner is None
                or owner.name in self.family
                or not any(
                    isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name == self.method
                    for s in owner.body
                )
            )
        return receiver.id in self.family or receiver.id not in self.classes


def queries_2_0(sources: Iterable[bytes]) -> bool:
    """`SQL_2_QUERIES`: the asyncio extension named anywhere, or `select(` calls at least
    as many as `.query(` calls."""
    selects = queries = 0
    for source in sources:
        if _ASYNC_SQLALCHEMY.search(source) is not None:
            return True
        if b"select(" in source:
            selects += len(_SELECT.findall(source))
        if b".query(" in source:
            queries += len(_QUERY.findall(source))
    return selects >= queries


def async_sessions(sources: Iterable[bytes]) -> bool:
    """`ASYNC_SESSIONS`: the asyncio extension named anywhere."""
    # each name holds `Async` or `async_`: a file without them is passed over at memchr speed
    return any(
        (b"Async" in source or b"async_" in source) and _ASYNC_SQLALCHEMY.search(source)
        for source in sources
    )


def makes_async_sessions(sources: Iterable[bytes]) -> bool:
    """`ASYNC_SESSIONS_MADE`: some text may make an `AsyncSession`: it names what makes
    one or its engine (`create_async_engine`, `async_sessionmaker`, `AsyncEngine`,
    `async_scoped_session`, `async_engine_from_config`, `AsyncSession(...)`,
    `class_=AsyncSession`), a library that makes them for the project (advanced-alchemy,
    fastapi-users' database adapter, SQLModel's, Litestar's plugin), or an async
    driver's URL (`+asyncpg`, `+aiosqlite`, ...)."""
    return any(_MAKES_ASYNC.search(source) is not None for source in sources)


def imports_v1_only_library(sources: Iterable[bytes], settings: bool = True) -> bool:
    """`V1_ONLY_LIBRARY`'s negation: a text imports a library that runs only on
    Pydantic 1 (`fastapi_jwt_auth`), or, at module level and unguarded, Pydantic 1's own
    `BaseSettings` (`from pydantic import BaseSettings`: Pydantic 2 raises
    `PydanticImportError` there, measured on 2.14; RezenkovD's unpinned `config.py`,
    whose six `orm_mode` reader 210 judged right for the Pydantic it runs; `settings`
    false: the library alone, for FG210, whose finding is that import)."""
    return any(
        (b"fastapi_jwt_auth" in source and _V1_ONLY_IMPORT.search(source) is not None)
        or (
            settings
            and b"BaseSettings" in source
            and _V1_SETTINGS_IMPORT.search(source) is not None
        )
        for source in sources
    )


_V1_ONLY_IMPORT = lazy_pattern(rb"(?m)^[ \t]*(?:from|import)[ \t]+fastapi_jwt_auth\b")
#: `from pydantic import BaseSettings` at module level (a `try:` block's is indented),
#: on its line or in brackets.
_V1_SETTINGS_IMPORT = lazy_pattern(
    rb"(?m)^from[ \t]+pydantic[ \t]+import[ \t]+(?:\([^)]*|[^\n#]*)\bBaseSettings\b"
)


def imports_v2_settings(sources: Iterable[bytes]) -> bool:
    """`NO_V2_SETTINGS`'s negation: a text imports `BaseSettings` or `SettingsConfigDict` from
    pydantic-settings at module level (at the start of a line: not in a `try` guarding
    it; the pydantic-settings of 2020, 0.2, exported neither)."""
    for source in sources:
        if b"pydantic_settings" not in source:
            continue
        for found in _V2_SETTINGS_IMPORT.finditer(source):
            if _V2_SETTINGS_NAME.search(found[0]) is not None:
                return True
    return False


_V2_SETTINGS_IMPORT = lazy_pattern(
    rb"(?m)^from[ \t]+pydantic_settings(?:\.[\w.]+)?[ \t]+import[ \t]*(?:\([^)]*\)|[^\n]*)"
)
_V2_SETTINGS_NAME = lazy_pattern(rb"\b(?:BaseSettings|SettingsConfigDict)\b")


def typed_models(sources: Iterable[bytes]) -> bool:
    """`TYPED_MODELS`: `Mapped[` at least as often as `Column(`."""
    mapped = columns = 0
    for source in sources:
        # Each pattern holds its literal: a file without it is passed over at memchr
        # speed (the regexes alone took 0.47 s over polar and dispatch).
        if b"Mapped[" in source:
            mapped += len(_MAPPED.findall(source))
        if b"Column(" in source:
            columns += len(_COLUMN.findall(source))
    return mapped >= columns


_RAISE_HTTP_EXCEPTION = lazy_pattern(rb"\braise\s+(?:\w+\.)*HTTPException\s*\(")
#: A function that says it returns `HTTPException` (`def not_found(...) -> HTTPException:`).
_HTTP_HELPER = lazy_pattern(
    rb"(?m)^[ \t]*def[ \t]+(\w+)[ \t]*\([^)]*\)[ \t]*->[ \t]*(?:\w+\.)*HTTPException[ \t]*:"
)
#: `raise NotFoundError(...)`, `raise errors.Conflict`: a CapWords class raised
_RAISE_CLASS = lazy_pattern(rb"\braise\s+(?:\w+\.)*([A-Z]\w*)\b")
#: `except NotFound as e:` / `except (NotFound, Conflict):` at the start of a line: the
#: indentation and the classes caught
_EXCEPT_CLASSES = lazy_pattern(
    rb"^([ \t]*)except[ \t]*\(?[ \t]*((?:\w+\.)*[A-Z]\w*(?:[ \t]*,[ \t]*(?:\w+\.)*[A-Z]\w*)*)"
    rb"[ \t]*,?[ \t]*\)?(?:[ \t]+as[ \t]+\w+)?[ \t]*:",
    re.MULTILINE,
)
#: `@app.exception_handler(NotFound)`, `app.add_exception_handler(errors.NotFound, ...)`
_HANDLED_CLASS = lazy_pattern(rb"exception_handler\(\s*(?:\w+\.)*([A-Z]\w*)")
#: Python's own exceptions: what a service raises of them says nothing of its errors.
_BUILTIN_ERRORS = frozenset(name.encode() for name in dir(builtins) if name[:1].isupper())
#: A class named as a service or repository (FG401's layer by name).
#: A class named as a service or repository, not a schema named so
#: (`class SearchAvailabilityService(BaseModel)`: a request's part, by its bases).
_LAYER_CLASS = lazy_pattern(
    rb"^[ \t]*class[ \t]+\w*(?:Service|Repository|Repo|UseCase)\b"
    rb"(?![ \t]*\([^)]*\b(?:BaseModel|\w*Schema|\w*Model|\w*Enum|Enum)\b)",
    re.MULTILINE,
)


def is_service_layer_text(source: bytes) -> bool:
    """Whether a module defines a class named as a service or repository (`*Service`,
    `*Repository`, `*Repo`, `*UseCase`): FG401's lower layer by name, wherever the file
    lies."""
    return _LAYER_CLASS.search(source) is not None


#: `class NotFoundError(HTTPException):`, `class Gone(errors.NotFound, Base):`: a class
#: and the last names of its bases.
_CLASS_BASES = lazy_pattern(rb"^[ \t]*class[ \t]+(\w+)[ \t]*\(([^)]*)\)", re.MULTILINE)
_BASE_NAME = lazy_pattern(rb"(\w+)[ \t]*(?:,|$)")


def http_error_classes(sources: Iterable[bytes]) -> frozenset[bytes]:
    """The names of the project's classes deriving from `HTTPException` (by the names of
    their bases, followed from class to class): fides' `NotFoundError(HTTPException)`."""
    return _http_error_classes(_class_bases(sources))


def _class_bases(sources: Iterable[bytes]) -> dict[bytes, set[bytes]]:
    """Each class the texts define, with the names of its bases."""
    bases: dict[bytes, set[bytes]] = {}
    for source in sources:
        if b"class" not in source:
            continue
        for name, written in _CLASS_BASES.findall(source):
            bases.setdefault(name, set()).update(_BASE_NAME.findall(written.strip()))
    return bases


def _http_error_classes(bases: dict[bytes, set[bytes]]) -> frozenset[bytes]:
    found = _subclasses(bases, {b"HTTPException"})
    found.discard(b"HTTPException")
    return frozenset(found)


_Name = TypeVar("_Name", str, bytes)


def _subclasses(bases: Mapping[_Name, AbstractSet[_Name]], roots: set[_Name]) -> set[_Name]:
    """The roots and every class whose bases name one of them or such a class (by name),
    each class given with the names its bases write."""
    found = set(roots)
    grown = True
    while grown:
        grown = False
        for name, named in bases.items():
            if name not in found and not named.isdisjoint(found):
                found.add(name)
                grown = True
    return found


#: A class named as an error (`NotFound`, no: `NotFoundError`, `QuotaExceeded` no).
_ERROR_NAME = lazy_pattern(rb"(?:Error|Exception)$")


def _error_classes(bases: dict[bytes, set[bytes]]) -> set[bytes]:
    """The classes named as errors, or deriving from a class named so (`class
    NotFound(AppError)`)."""
    return {
        name
        for name, named in bases.items()
        if _ERROR_NAME.search(name) or any(_ERROR_NAME.search(base) for base in named)
    }


#: A class name saying it refuses a caller (`UnauthorizedError`, `ForbiddenException`,
#: `PermissionDenied`, `AuthenticationError`, `NotAuthorized`, `AccessDenied`).
_AUTH_ERROR_NAME = lazy_pattern(
    rb"Unauthori[sz]ed|Unauthenticated|Forbidden|Permission|Auth(?:entication|orization)?"
    rb"(?:Error|Exception|Failed)|NotAuthori[sz]ed|AccessDenied|Denied|NotAllowed|Credential"
)


def own_auth_errors(project: Iterable[bytes]) -> bool:
    """`OWN_AUTH_ERRORS`: an error class of the project's (`_error_classes`), not an HTTP
    error, whose name says it refuses a caller."""
    bases = _class_bases(project)
    http_classes = _http_error_classes(bases)
    return any(
        _AUTH_ERROR_NAME.search(name) is not None for name in _error_classes(bases) - http_classes
    )


def _translated(source: bytes, http_classes: frozenset[bytes]) -> set[bytes]:
    """The classes a text catches to raise `HTTPException` (or an HTTP error class of
    the project's) in their place: `except ProductNotFound as e:` then, in that handler,
    `raise HTTPException(404, ...)`."""
    if b"except" not in source:
        return set()
    found: set[bytes] = set()
    for match in _EXCEPT_CLASSES.finditer(source):
        indent = len(match.group(1).expandtabs())
        # the handler: the rest of the `except` line (`except X: raise ...`), then the
        # lines indented deeper than it, blank ones and comments aside
        start = end = match.end()
        while (end := source.find(b"\n", end) + 1) and end < len(source):
            stop = source.find(b"\n", end)
            line = source[end : stop if stop >= 0 else len(source)].expandtabs()
            stripped = line.lstrip()
            code = stripped.strip() and not stripped.startswith(b"#")
            if code and len(line) - len(stripped) <= indent:
                break
        text = source[start:end] if end else source[start:]
        if _RAISE_HTTP_EXCEPTION.search(text) or any(
            name in http_classes for name in _RAISE_CLASS.findall(text)
        ):
            found.update(name.rsplit(b".", 1)[-1].strip() for name in match.group(2).split(b","))
    return found


def own_service_errors(
    sources: Iterable[bytes],
    project: Iterable[bytes] = (),
    young: bool = False,
    shared: Iterable[bytes] = (),
) -> bool:
    """`OWN_SERVICE_ERRORS`, over the texts of the service and repository layers; a class
    of the project's (`project`: its texts) deriving from `HTTPException` is an HTTP
    error, not one of its own (fides raises `NotFoundError(HTTPException)` from its data
    layer by design). A project whose every error class is an HTTP error (clean
    architecture's `AuthError(HTTPException)`, no handler) has none of its own: raising
    one where it raises `HTTPException` changes nothing. `young`: new code's run (the edit
    hook), where a layer raising none of its own yet, and `HTTPException` fewer than
    `HTTP_ERRORS_CONVENTION` times, is still making its convention. An error of its own
    is a class the project defines (in `project`, or the texts it shares with other
    sub-services, `shared`), not a library's it raises again (moscow1worker2every1day's
    cart service re-raising redis' `RedisError` beside its `HTTPException`s, as its three
    sibling services do with `ValueError`: reader 78)."""
    project = list(project)
    bases = _class_bases(project)
    # (without the project's texts, every class raised counts as its own)
    defined = set(bases) | set(_class_bases(shared)) if project else None
    http_classes = _http_error_classes(bases)
    if http_classes and not _error_classes(bases) - http_classes:
        return False
    sources = list(sources)
    # an error the layer itself catches to raise `HTTPException` in its place never
    # reaches a caller: the layer answers in HTTP by design, and raising it is no error of
    # its own (VladiFinogenov's order service raising `ProductNotFound` to catch it three
    # lines down as a 404; prostogma's auth service turning its repository's
    # `UserNotFoundError` into a 401: reader 138). One an exception handler of the
    # project's answers still reaches it.
    translated = set().union(*(_translated(source, http_classes) for source in sources))
    if translated:
        handled = {
            name
            for source in project
            if b"exception_handler" in source
            for name in _HANDLED_CLASS.findall(source)
        }
        translated -= handled
    # a helper of the project's returning one (`raise error_response(...)`, whose `def`
    # says `-> HTTPException`) raises `HTTPException` too (Charelk2's quotes repository
    # and calendar service: 12 raises, 7 through its helper, reader 188)
    helpers = {name for source in project for name in _HTTP_HELPER.findall(source)}
    raises_helper = (
        re.compile(rb"\braise\s+(?:\w+\.)*(?:" + b"|".join(sorted(helpers)) + rb")\s*\(")
        if helpers
        else None
    )
    http = own = http_modules = http_led = own_led = 0
    for source in sources:
        if b"raise" not in source:
            continue
        names = _RAISE_CLASS.findall(source)
        raised = len(_RAISE_HTTP_EXCEPTION.findall(source))
        if raises_helper is not None:
            raised += len(raises_helper.findall(source))
        raised += sum(1 for name in names if name in http_classes)
        http += raised
        http_modules += raised > 0
        mine = sum(
            1
            for name in names
            if name != b"HTTPException"
            and name not in _BUILTIN_ERRORS
            and name not in http_classes
            and name not in translated
            and (defined is None or name in defined)
        )
        own += mine
        http_led += raised > mine
        own_led += 0 < mine >= raised
    if own == 0:
        # no error of its own anywhere in the layer (Python's aside): `HTTPException` is
        # how it answers, however young; there is no convention for a raise to slip from
        return young and http < HTTP_ERRORS_CONVENTION
    # counted by modules too: where more of them raise `HTTPException` than errors of
    # their own, one module's many raises of its own (morphik's metadata filter parser:
    # 59, against 37 `HTTPException` across four services) are that module's, not the
    # layer's mechanism
    if own_led < http_led:
        own = 0
    # two modules or more leading with it, against no more than twice as many leading with
    # errors of their own: the layer is split between two conventions, each module keeping
    # its own, and no one module slips (tawounfouet's blog and demo apps raise
    # `HTTPException` and its tests assert it, where its auth and users apps raise their
    # own errors: reader 71 judged none of the 15 worth a change)
    elif http_led >= 2 and 2 * http_led >= own_led:
        return False
    # one module raising it, where the others raise errors of their own, is that module's
    # slip, however often it raises (a to-do app's `tasks/service.py`: 35 raises)
    return http < HTTP_ERRORS_CONVENTION or own >= http or (http_modules == 1 and own > 0)


def names_bcrypt(source: bytes) -> bool:
    """Whether a text names bcrypt, in any case (`BCRYPT`, `bcrypt_sha256`), outside its
    comments (dz's `# bcrypt ignores anything after 72 bytes` above a `CryptContext` of
    `pbkdf2_sha256` alone: reader 51). A lowered copy and a substring test first: a
    case-insensitive regex leaves re's literal search and took 50 ms over polar and
    dispatch, this takes 15; the tokens are read only for a text that names it."""
    if b"bcrypt" not in source.lower():
        return False
    import io
    import tokenize

    try:
        return any(
            token.type != tokenize.COMMENT and "bcrypt" in token.string.lower()
            for token in tokenize.tokenize(io.BytesIO(source).readline)
        )
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError):
        return True  # not Python the tokenizer reads: the substring stands


def hashes_with_bcrypt(sources: Iterable[bytes]) -> bool:
    """`BCRYPT_HASHING`: a file names bcrypt."""
    return any(names_bcrypt(source) for source in sources)


#: What names asymmetric keys in a text (`JOSE_ASYMMETRIC`): an algorithm of RFC 7518
#: (`RS256`, `ES256K`, `PS384`, `EdDSA`, `RSA-OAEP-256`, `RSA1_5`, `ECDH-ES+A128KW`), a JWK
#: set, a PEM public key or certificate.
_ASYMMETRIC_JOSE = lazy_pattern(
    rb"\b(?:RS|ES|PS)(?:256|384|512)K?\b|\bEdDSA\b|RSA-OAEP|RSA1_5|ECDH-ES|\bjwks\b|JWKS"
    rb"|-----BEGIN (?:RSA |EC )?PUBLIC KEY|-----BEGIN CERTIFICATE"
)


def uses_asymmetric_jose(sources: Iterable[bytes]) -> bool:
    """`JOSE_ASYMMETRIC`: a file names an asymmetric algorithm, a JWK set or a public key,
    outside its comments (ohadc55-png's `# Apple's keys are at well-known/jwks`, above an
    unverified read of the token, in a service that signs its own with HS256: reader
    130)."""
    return any(
        _ASYMMETRIC_JOSE.search(source) is not None
        and _ASYMMETRIC_JOSE.search(_uncommented(source)) is not None
        for source in sources
    )


#: What names SQLite in a text, and the drivers and products that name a database
#: server (`SERVER_DATABASES`), lowered: substring tests, as `names_bcrypt`'s. Not DuckDB:
#: an engine in the process, as SQLite is (polars-svelte reads users' `.duckdb` files).
#: SQLite named: a URL, its drivers, or `connect_args={"check_same_thread": False}`, an
#: argument only SQLite's driver takes (davemac93's engine on a `DATABASE_URL` from the
#: environment, beside its `subscription.db`: reader 67)
#: A DuckDB URL (`duckdb:///...`, duckdb-engine's) is such a database too: in the process,
#: no server (georgephilippas-ber's seeder, reader 90); the module alone is not (`import
#: duckdb`: polars-svelte's users' files).
_SQLITE = lazy_pattern(
    rb"sqlite(?:\+\w+)?://|\baiosqlite\b|\bsqlite3\b|[\"']check_same_thread[\"']|\bduckdb://"
)
_DATABASE_SERVERS = (
    b"psycopg",
    b"asyncpg",
    b"pyodbc",
    b"pymysql",
    b"aiomysql",
    b"mysqldb",
    b"pymssql",
    b"cockroach",
    b"bigquery",
    b"redshift",
    b"clickhouse",
)
#: The servers whose names are also words of a text (a skill tag `"postgres"` in
#: starlette-admin's HR example's seed data, keras-tuner's `self.tuner.oracle`, Twitter's
#: snowflake ids), lowered: named as a database only by a URL's scheme, a dialect, a
#: driver, a setting's name (`POSTGRES_HOST`, `mysql_user`), an import, or a quoted name
#: assigned, compared, passed or stored under a key (`scheme="postgresql+psycopg"`,
#: `DB_TYPE == "oracle"`), not one listed among others.
_NAMED = rb"(?:postgres(?:ql)?|mysql|mariadb|mssql|oracle|snowflake)"
_WORD_DATABASE_SERVERS = lazy_pattern(
    # a URL: with more after the scheme (`postgresql://app@db/app`, an f-string's
    # `postgresql://{user}`), or a scheme built on (`"postgresql://" + host`) or rewritten
    # (`url.replace("postgres://", "postgresql://")`: the service's own URL, Heroku's
    # spelling); not a scheme only tested (`connection_string.startswith("postgresql://")`,
    # polars-svelte's check of a user's data source)
    rb"\b" + _NAMED + rb"(?:\+\w+)?://(?![\"'])"
    rb"|\b" + _NAMED + rb"(?:\+\w+)?://[\"']\s*\+"
    rb"|\.replace\(\s*[\"']" + _NAMED + rb"(?:\+\w+)?://"
    rb"|dialects\.(?:postgresql|mysql|mssql|oracle)"
    rb"|\b(?:postgres(?:ql)?|mysql|mariadb|mssql)_\w"
    rb"|(?:==|=|\(|:)\s*[\"']" + _NAMED + rb"(?:\+\w+)?[\"']"
    rb"|(?:^|\n)\s*(?:import|from)\s+(?:mysql|mariadb)\b"
    rb"|cx_oracle|\boracledb\b|snowflake[-_.]sqlalchemy|snowflake\.connector"
)
_WORD_SERVER_NAMES = (b"postgres", b"mysql", b"mariadb", b"mssql", b"oracle", b"snowflake")


#: A line that is a comment alone (Python's, a shell's, an `.env` file's, YAML's).
_COMMENT_LINE = lazy_pattern(rb"(?m)^[ \t]*#[^\n]*")


def _uncommented(source: bytes) -> bytes:
    """The text without its comment lines: code or a setting commented out is neither
    (elyte5star's `# app.add_middleware(SessionMiddleware, ...)`, YohanGarcia's
    `# DATABASE_URL=postgresql://...` in `.env.example`: reader 122)."""
    return _COMMENT_LINE.sub(b"", source) if b"#" in source else source


def sqlite_databases(sources: Iterable[bytes]) -> bool:
    """Whether a text names SQLite, and none a database server (`SERVER_DATABASES` is
    its negation), comment lines aside."""
    sqlite = False
    for source in sources:
        lowered = source.lower()
        if _names_a_server(lowered) and _names_a_server(_uncommented(lowered)):
            return False  # (comments stripped only where a server is named at all)
        sqlite = sqlite or (
            (b"sqlite" in lowered or b"check_same_thread" in lowered or b"duckdb://" in lowered)
            and _names_sqlite(lowered)
        )
    return sqlite


#: SQLAlchemy's engine makers, as a call's name (`sqlalchemy.create_engine`, SQLModel's).
_ENGINE_MAKERS = frozenset({"create_engine", "create_async_engine"})
#: What may make an engine from a configuration instead (`engine_from_config`).
_CONFIGURED_ENGINES = lazy_pattern(rb"\b(?:async_)?engine_from_config\b")


def engines_on_sqlite_only(sources: Iterable[bytes]) -> bool:
    """Whether the service makes its engines on SQLite alone, as its code writes them: it
    calls `create_engine` or `create_async_engine` somewhere, each time on a literal
    `sqlite` (or `duckdb`) URL, written in the call or bound once at module level to a
    name it passes, or with SQLite's own `connect_args` (`_sqlite_connect_args`), and
    makes none from a configuration. Then what else names a server
    (a settings default nothing reads, an unused driver among the requirements) is no
    database the service queries (isikjon's taxi back-end on `sqlite:///./taxi_admin.db`
    beside `DATABASE_URL: str = "postgresql+asyncpg://..."`: reader 162 judged its 17
    FG102 findings not worth a change)."""
    found = False
    for source in sources:
        if b"create_engine" not in source and b"create_async_engine" not in source:
            if _CONFIGURED_ENGINES.search(source) is not None:
                return False
            continue
        if _CONFIGURED_ENGINES.search(source) is not None:
            return False
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # an invalid escape's SyntaxWarning
                tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return False
        bound: dict[str, list[ast.expr]] = {}
        for statement in tree.body:
            if isinstance(statement, ast.Assign | ast.AnnAssign) and statement.value is not None:
                targets = (
                    statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                )
                for target in targets:
                    if isinstance(target, ast.Name):
                        bound.setdefault(target.id, []).append(statement.value)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in _ENGINE_MAKERS:
                continue
            url = (
                node.args[0]
                if node.args
                else next((k.value for k in node.keywords if k.arg == "url"), None)
            )
            if isinstance(url, ast.Name) and len(bound.get(url.id, ())) == 1:
                url = bound[url.id][0]
            if not (
                isinstance(url, ast.Constant)
                and isinstance(url.value, str)
                and url.value.lower().startswith(("sqlite", "duckdb"))
            ) and not _sqlite_connect_args(node, bound):
                return False
            found = True
    return found


def _sqlite_connect_args(call: ast.Call, bound: dict[str, list[ast.expr]]) -> bool:
    """Whether an engine is always given `connect_args` that only SQLite's driver takes
    (`{"check_same_thread": False}`, written in the call or bound once at module level):
    psycopg2 refuses them (`invalid dsn: invalid connection option "check_same_thread"`),
    asyncpg and PyMySQL too (`unexpected keyword argument`), so the engine, whatever URL
    the settings give it, reaches SQLite alone (CristobalZurita's workshop back-end,
    reader 165). A choice by the URL (`... if url.startswith("sqlite") else {}`) is none."""
    value = next((k.value for k in call.keywords if k.arg == "connect_args"), None)
    if isinstance(value, ast.Name) and len(bound.get(value.id, ())) == 1:
        value = bound[value.id][0]
    return isinstance(value, ast.Dict) and any(
        isinstance(key, ast.Constant) and key.value == "check_same_thread" for key in value.keys
    )


def _names_a_server(lowered: bytes) -> bool:
    """Whether a lowered text names a database server (`_DATABASE_SERVERS`, or a word of
    `_WORD_SERVER_NAMES` as a server)."""
    return any(word in lowered for word in _DATABASE_SERVERS) or (
        any(word in lowered for word in _WORD_SERVER_NAMES)
        and _WORD_DATABASE_SERVERS.search(lowered) is not None
    )


def _names_sqlite(lowered: bytes) -> bool:
    """`_SQLITE` outside a comment (minsuhya's `# connect_args = {"check_same_thread":
    False}  # only for SQLite` above a MySQL engine read from the environment: reader 76)."""
    for match in _SQLITE.finditer(lowered):
        line = lowered.rfind(b"\n", 0, match.start()) + 1
        if b"#" not in lowered[line : match.start()] and not _SQLITE_ERRORS_ONLY.match(
            lowered, line
        ):
            return True
    return False


#: An import of the `sqlite3` module's exceptions alone (joelGabriel7's `from sqlite3
#: import IntegrityError` in a service on a database the environment names, catching
#: nothing SQLAlchemy raises: reader 157), lowered: it names no database the service uses.
_SQLITE_ERRORS_ONLY = lazy_pattern(
    rb"[ \t]*from[ \t]+sqlite3[ \t]+import[ \t]+\(?\s*"
    rb"\w*(?:error|warning|exception)(?:\s*,\s*\w*(?:error|warning|exception))*"
    rb"\s*,?\s*\)?[ \t]*(?:#[^\n]*)?(?:\n|$)"
)


#: A command that runs an ASGI server (`uvicorn app.main:app`, `CMD ["gunicorn", ...]`,
#: `python -m hypercorn`, `fastapi run`) or a Python script (`python main.py`, which may
#: call `uvicorn.run(app)`): a word of a command, not a package installed
#: (`pip install uvicorn`) nor a version (`uvicorn==0.30`).
_SERVER_RUN = lazy_pattern(
    rb"(?<![\w.-])(?:uvicorn|gunicorn|hypercorn|granian|daphne)(?![\w.=<>~\[-])"
    rb"|\bfastapi[\"',\s]+run\b"
    rb"|\bpython[\d.]*[\"',\s]+(?:-u[\"',\s]+)?[\w./-]+\.py\b"
)


def served_one_at_a_time(sources: Iterable[bytes], deployment: Iterable[bytes]) -> bool:
    """Whether the service runs on AWS Lambda alone (`SERVED_CONCURRENTLY` is its
    negation): its code wraps the app in `Mangum(...)`, and no deployment file runs a
    server (`_SERVER_RUN`, on a line that installs nothing). Even a reloading one
    (`command: uvicorn main:app --reload` in ElGranZorro's compose file, beside its
    `Mangum(app)` and an image that is no Lambda's): the service may be served so, and
    reader 147 judged its four FG102 findings worth the change."""
    if not any(b"Mangum(" in source and b"Mangum(" in _uncommented(source) for source in sources):
        return False
    for text in deployment:
        for line in _uncommented(text).splitlines():
            if _SERVER_RUN.search(line) is not None and b"install" not in line:
                return False
    return True


def cookies_used(sources: Iterable[bytes]) -> bool:
    """`COOKIES_USED`: a cookie set or read anywhere."""
    return any(_sets_cookies(source) for source in sources)


def credentials_used(sources: Iterable[bytes]) -> bool:
    """`CREDENTIALS_USED`: a cookie or a header credential anywhere."""
    return any(_sets_cookies(source) or _reads_header_credentials(source) for source in sources)


def _sets_cookies(source: bytes) -> bool:
    """Whether a text sets or reads a cookie (`_COOKIES`); a substring every alternative
    implies comes first: the regexes alone took 80 ms over polar and dispatch."""
    return (b"ookie" in source or b"SessionMiddleware" in source) and _COOKIES.search(
        _uncommented(source)
    ) is not None


def _reads_header_credentials(source: bytes) -> bool:
    """Whether a text reads a credential from a header (`_HEADER_CREDENTIALS`, which
    ignores case: so do the substrings tested first). A header a CORS configuration lets
    through (`allow_headers=["Content-Type", "Authorization"]`, llama_deploy's apiserver,
    which reads none) is no credential read."""
    lowered = source.lower()
    if not any(
        word in lowered for word in (b"bearer", b"apikeyheader", b"authorization", b"header(")
    ):
        return False
    source = _uncommented(source)
    if b"_headers" in source:
        source = _CORS_HEADER_LISTS.sub(b"", source)
    return _HEADER_CREDENTIALS.search(source) is not None


#: What reads a cookie: `_READ_COOKIE_WORDS`, any `.cookies.get(`/`.cookies[`, and a
#: library told to read them (`JWT_TOKEN_LOCATION = ["headers", "cookies"]`,
#: `LoginManager(..., use_cookie=True)`).
_COOKIE_READS = lazy_pattern(
    _READ_COOKIE_WORDS
    + rb"|\breq\.cookies\b|\.cookies(?:\.get\(|\[)|[\"']cookies?[\"']|\buse_cookies?\s*="
)


def _reads_cookies(source: bytes) -> bool:
    """Whether a text reads a cookie (`_COOKIE_READS`): one only set or deleted
    (`set_cookie(`, fastapi-jwt's `set_access_cookie(`) authenticates nothing the service
    reads (fike's httponly `token` cookie beside an `OAuth2PasswordBearer` that reads the
    header alone: reader 84)."""
    if not (b"ookie" in source or b"SessionMiddleware" in source):
        return False
    text = _uncommented(source)
    return any(not _plain_cookie_read(text, match) for match in _COOKIE_READS.finditer(text))


def _plain_cookie_read(text: bytes, match: re.Match[bytes]) -> bool:
    """Whether a cookie read is of a cookie named by a literal that no credential's name
    is (aliyaqubi's course demo, `test_cookie: Optional[str] = Cookie(None)`, in an API
    whose clients send a bearer header: reader 176): a parameter `Cookie(...)` makes (its
    name, or its `alias=`), or `request.cookies.get("theme")` / `["theme"]`."""
    found = match[0]
    name: bytes | None = None
    if found == b"Cookie(":
        alias = _COOKIE_ALIAS.match(text, match.end())
        if alias is not None:
            name = alias[1]
        else:
            line = text[text.rfind(b"\n", 0, match.start()) + 1 : match.start()]
            parameter = _COOKIE_PARAMETER.search(line)
            name = parameter[1] if parameter is not None else None
    elif found.endswith(b"cookies"):
        key = _COOKIE_KEY.match(text, match.end())
        name = key[1] if key is not None else None
    elif found.endswith((b"get(", b"[")):
        key = _COOKIE_KEY.match(text, match.end() - (5 if found.endswith(b"get(") else 1))
        name = key[1] if key is not None else None
    return name is not None and _CREDENTIAL_COOKIE.search(name) is None


#: The `alias=` a `Cookie(...)` call names its cookie by, among its first arguments.
_COOKIE_ALIAS = lazy_pattern(rb"[^()\n]*?\balias\s*=\s*[\"'](\w+)[\"']")
#: The parameter a `Cookie(...)` default is given to, at the end of the text before it.
_COOKIE_PARAMETER = lazy_pattern(rb"\b(\w+)\s*(?::[^=\n]*)?=\s*$")
#: A cookie read by a literal key: `.get("theme"` or `["theme"]` after `cookies`.
_COOKIE_KEY = lazy_pattern(rb"\s*(?:\.get\(|\[)\s*[\"'](\w+)[\"']")
#: Words of a cookie's name that may carry a credential or a session.
_CREDENTIAL_COOKIE = lazy_pattern(
    rb"(?i)token|sess|sid|auth|jwt|access|refresh|login|user|remember|csrf|xsrf|key|secret"
    rb"|cred|ident|account|id$|^id|_id|oauth|sso"
)


def header_credentials_only(sources: Iterable[bytes]) -> bool:
    """`HEADER_CREDENTIALS_ONLY`: credentials read from headers, no cookie read anywhere
    (one only set authenticates nothing the service reads)."""
    headers = False
    for source in sources:
        if _reads_cookies(source):
            return False
        headers = headers or _reads_header_credentials(source)
    return headers


#: What makes a router's or an app's every route take a dependency: `include_router(...,
#: dependencies=[...])`, `FastAPI(..., dependencies=[...])` (arguments nested one level).
_GUARDED_INCLUDE = lazy_pattern(
    rb"\b(?:include_router|FastAPI)\((?:[^()]|\([^()]*\))*?\bdependencies\s*="
)
_GUARDED_ROUTER = lazy_pattern(rb"\bAPIRouter\((?:[^()]|\([^()]*\))*?\bdependencies\s*=")
#: A middleware whose name speaks of authentication (`AuthenticationMiddleware`,
#: `JWTMiddleware`), added to the app.
_AUTH_MIDDLEWARE = lazy_pattern(
    rb"\badd_middleware\(\s*[\w.]*(?:auth|jwt|token|login|permission|access|secur)",
    re.IGNORECASE,
)
#: A middleware the module defines (`@app.middleware("http")`, a `BaseHTTPMiddleware`),
#: and what it may read to authenticate.
_OWN_MIDDLEWARE = lazy_pattern(rb"\.middleware\(\s*[\"']http[\"']|\bBaseHTTPMiddleware\b")
_MIDDLEWARE_CREDENTIALS = lazy_pattern(rb"authorization|token|jwt|api[_-]?key", re.IGNORECASE)


def authenticates_outside_routes(sources: Iterable[bytes]) -> bool:
    """Whether the service authenticates callers outside a route's own parameters
    (`PUBLIC_ROUTES` is its negation): a router included with `dependencies=`, an app made
    with them, a router made with them in a module that includes routers (a parent of
    others), a middleware named for authentication, or one the code defines that reads a
    header or a token."""
    for source in sources:
        if _GUARDED_INCLUDE.search(source) or _AUTH_MIDDLEWARE.search(source):
            return True
        if b"include_router" in source and _GUARDED_ROUTER.search(source):
            return True
        if _OWN_MIDDLEWARE.search(source) and _MIDDLEWARE_CREDENTIALS.search(source):
            return True
    return False
