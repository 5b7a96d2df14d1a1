"""The calls that block the thread they run on: a request over the network, a process
started or waited for, a password hashed. FG302 and FG303 report them in an `async def`,
and the project's summaries record the sync functions that make one
(`ModuleSummary.blocking`), so that a coroutine calling such a helper of another module is
reported too."""

from __future__ import annotations

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
    # SDKs whose module functions make a request
    **{
        f"cloudinary.uploader.{f}": "`await asyncio.to_thread(...)` (Cloudinary's SDK is sync)"
        for f in ("upload", "upload_large", "destroy", "explicit", "rename", "add_tag")
    },
    # google-auth fetches Google's certificates through the request it is given, on every
    # call unless that request caches (khoj's sign-in: `verify_oauth2_token(credential,
    # google_requests.Request(), client_id)`)
    **dict.fromkeys(
        (
            "google.oauth2.id_token.verify_oauth2_token",
            "google.oauth2.id_token.verify_token",
            "google.oauth2.id_token.verify_firebase_token",
            "google.oauth2.id_token.fetch_id_token",
        ),
        "`await asyncio.to_thread(...)` (google-auth fetches the certificates with a sync request)",
    ),
    # LiteLLM's module functions: a sync request to the model's provider (seconds for a
    # completion), each with its async twin prefixed `a` (`litellm.acompletion`)
    **{
        f"litellm.{f}": f"`await litellm.a{f}(...)`"
        for f in (
            "completion",
            "text_completion",
            "embedding",
            "image_generation",
            "transcription",
            "speech",
            "moderation",
            "rerank",
            "responses",
        )
    },
    # connects to the server when given one (`SMTP(host, port)`, `with SMTP(host) as s`)
    "smtplib.SMTP": "aiosmtplib (`await aiosmtplib.send(...)`)",
    "smtplib.SMTP_SSL": "aiosmtplib (`await aiosmtplib.send(...)`)",
}
#: A password hash is CPU work of a tenth to half a second per call, on purpose (a cost
#: factor an attacker must pay per guess): on the event loop, every other request waits
#: for it. bcrypt, argon2-cffi and hashlib release the GIL, so a thread runs it in
#: parallel with the loop (`checks.rules.async_blocking_io` reports these in FG303).
_HASH = (
    "`await asyncio.to_thread(...)` (a password hash is CPU work of milliseconds to a tenth of a "
    "second or more, on purpose)"
)
#: passlib's hash classes (`from passlib.hash import bcrypt; bcrypt.hash(password)`)
_PASSLIB_HANDLERS = (
    "bcrypt",
    "bcrypt_sha256",
    "argon2",
    "pbkdf2_sha256",
    "pbkdf2_sha512",
    "sha256_crypt",
    "sha512_crypt",
    "scrypt",
)
#: Classes whose instances hash passwords, and their methods that hash
#: (`pwd_context = CryptContext(schemes=["bcrypt"])`, then `pwd_context.verify(...)`).
PASSWORD_HASHERS = {
    "passlib.context.CryptContext": frozenset({"hash", "verify", "verify_and_update", "encrypt"}),
    "pwdlib.PasswordHash": frozenset({"hash", "verify", "verify_and_update"}),
    "argon2.PasswordHasher": frozenset({"hash", "verify"}),
}
#: Every spelling that makes one (`PasswordHash.recommended()`), with the class it makes.
PASSWORD_HASHER_MAKERS = {
    **{cls: cls for cls in PASSWORD_HASHERS},
    "pwdlib.PasswordHash.recommended": "pwdlib.PasswordHash",
}
#: The methods those instances hash with.
PASSWORD_HASHER_METHODS = frozenset(m for methods in PASSWORD_HASHERS.values() for m in methods)
PASSWORD_HASHING = {
    "bcrypt.hashpw": _HASH,
    "bcrypt.checkpw": _HASH,
    "bcrypt.kdf": _HASH,
    "hashlib.pbkdf2_hmac": _HASH,
    "hashlib.scrypt": _HASH,
    "argon2.low_level.hash_secret": _HASH,
    "argon2.low_level.hash_secret_raw": _HASH,
    "argon2.low_level.verify_secret": _HASH,
    **{
        f"passlib.hash.{handler}.{method}": _HASH
        for handler in _PASSLIB_HANDLERS
        for method in ("hash", "verify", "encrypt")
    },
    # a method of an instance of the hashers above, as a summary records it (`checks.
    # summary`: `pwd_context.verify(...)` of a module-level `CryptContext`)
    **{f"{cls}.{method}": _HASH for cls, methods in PASSWORD_HASHERS.items() for method in methods},
}
#: Key derivations a service runs both to hash a new password and to check one: the
#: function that also compares the digest it derived with a stored one
#: (`hmac.compare_digest(actual, expected)`) checks a password, and the summaries and
#: FG303's same-module helpers record its call under the name `checked(...)` gives
#: (`hashlib.pbkdf2_hmac#checked`; `call_name` is what a message shows).
DERIVATIONS = frozenset(
    {
        "hashlib.pbkdf2_hmac",
        "hashlib.scrypt",
        "bcrypt.kdf",
        "argon2.low_level.hash_secret",
        "argon2.low_level.hash_secret_raw",
    }
)
DIGEST_COMPARISONS = frozenset({"hmac.compare_digest", "secrets.compare_digest"})
CHECKED = "#checked"
PASSWORD_HASHING.update({f"{name}{CHECKED}": _HASH for name in DERIVATIONS})


def checked(name: str, compared: bool) -> str:
    """The name a blocking call is recorded under: a derivation in a function that
    compares digests is a check of a password (`CHECKED`)."""
    return f"{name}{CHECKED}" if compared and name in DERIVATIONS else name


def call_name(name: str) -> str:
    """The call a recorded name stands for, as a message names it."""
    return name.removesuffix(CHECKED)


#: Of those, the checks of a password against its stored hash: a login attempt, which
#: anyone may send as often as they like. The others hash a new one (a sign-up, a password
#: change), reported in new code or when FG303 is named
#: (`checks.project_facts.NEW_PASSWORD_HASH_SELECTED`).
PASSWORD_VERIFYING = frozenset(
    name
    for name in PASSWORD_HASHING
    if name.endswith((".checkpw", ".verify", "verify_secret", ".verify_and_update", CHECKED))
)
NEW_PASSWORD_HASHES = frozenset(PASSWORD_HASHING) - PASSWORD_VERIFYING
_SPAWN = "`await asyncio.create_subprocess_exec(...)`"
#: What a function does with a `subprocess.Popen` that makes it block: wait for it, or
#: read or write its pipes. A `Popen` only started costs what asyncio's own start costs
#: (`create_subprocess_exec` calls it on the loop's thread): a helper that only starts
#: one is no blocking helper.
POPEN = "subprocess.Popen"
#: Its methods that wait for the process, and its pipes (read or written, they block as
#: a wait does).
POPEN_WAITS = frozenset({"wait", "communicate"})
POPEN_PIPES = frozenset({"stdout", "stderr", "stdin"})
POPEN_BLOCKING_USES = POPEN_WAITS | POPEN_PIPES
BLOCKING_CALLS = {
    "subprocess.Popen": "`await asyncio.create_subprocess_exec(...)`",
    "subprocess.run": "`await asyncio.create_subprocess_exec(...)`",
    "subprocess.call": "`await asyncio.create_subprocess_exec(...)`",
    "subprocess.check_call": "`await asyncio.create_subprocess_exec(...)`",
    "subprocess.check_output": "`await asyncio.create_subprocess_exec(...)`",
    "subprocess.getoutput": "`await asyncio.create_subprocess_shell(...)`",
    "subprocess.getstatusoutput": "`await asyncio.create_subprocess_shell(...)`",
    "os.system": "`await asyncio.create_subprocess_shell(...)`",
    "os.popen": "`await asyncio.create_subprocess_shell(...)`",
    "os.posix_spawn": _SPAWN,
    "os.posix_spawnp": _SPAWN,
    **{f"os.spawn{suffix}": _SPAWN for suffix in ("l", "le", "lp", "lpe", "v", "ve", "vp", "vpe")},
    **{
        f"os.{wait}": "`await process.wait()` on an asyncio subprocess"
        for wait in ("wait", "wait3", "wait4", "waitid", "waitpid")
    },
    **PASSWORD_HASHING,
}
#: Sync SQLAlchemy sessions made in a function (`with Session(engine) as session:`): the
#: queries run on it block the thread (FG102 reports a coroutine calling such a helper of
#: another module). A summary records one for a function that makes none of the calls
#: above (those are FG302's and FG303's).
SYNC_SESSION_OPENERS = frozenset(
    {
        "sqlalchemy.orm.Session",
        "sqlalchemy.orm.session.Session",
        "sqlmodel.Session",
        "sqlmodel.orm.session.Session",
    }
)
#: What a summary records of a sync function that makes none of the calls above but
#: opens what calls of the project give (`with get_sync_db_session() as session:`):
#: this prefix, then those calls' names, joined by commas; the project index asks
#: whether one gives a sync session (FG102).
OPENS = "opens:"
#: The `os` waits that take options: with `WNOHANG` they return at once (FG303's
#: `_polls`, and the summaries' of other modules).
WAITS_WITH_OPTIONS = frozenset({"os.waitpid", "os.wait3", "os.wait4", "os.waitid"})
#: Both: what a summary records of a sync function's body.
BLOCKING = frozenset({*BLOCKING_HTTP, *BLOCKING_CALLS})
#: Clients whose constructor makes no request: a function that makes one and hands it on
#: (`return httpx.Client(...)`) blocks no caller; one that sends through it does.
CLIENT_CONSTRUCTORS = frozenset(
    {
        "httpx.Client",
        "requests.Session",
        "http.client.HTTPConnection",
        "http.client.HTTPSConnection",
    }
)
#: The first segment of each: a module importing none of them makes none of the calls.
BLOCKING_PACKAGES = frozenset(name.partition(".")[0] for name in BLOCKING | SYNC_SESSION_OPENERS)
#: What a finding on a call of another module's sync helper says the helper does, before
#: the project index has read it (FG302's, FG303's); once it has, the finding names the
#: blocking call instead (`checks.run.resolve_with`: "that calls `subprocess.run()`").
HELPER_REQUESTS = "makes a blocking request"
HELPER_BLOCKS = "runs or waits for a process, or hashes a password"


#: Methods of a sync session, engine or connection that do database IO (FG102; the
#: summaries ask them of a session a helper opens by assignment, `db = SessionLocal()`).
SYNC_IO_METHODS = frozenset(
    {
        "execute",
        "exec",
        "exec_driver_sql",
        "scalar",
        "scalars",
        "query",
        "get",
        "get_one",
        "commit",
        "rollback",
        "flush",
        "refresh",
        "merge",
        "connect",
        "begin",
    }
)
