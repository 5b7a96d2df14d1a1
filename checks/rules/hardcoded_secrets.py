"""FG502: secrets and credentialed database URLs written into the code."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Sequence

from checks.context import (
    FileContext,
    code_of,
    conjoin,
    descendants,
    is_main_guard,
    keyword_arg,
    string_value,
    subscript_key,
    text_words,
)
from checks.lazy import lazy_pattern
from checks.lazy import libcst as cst
from checks.prefilter import Evidence
from checks.project import Condition
from checks.project_facts import ENV_NAMED, FALLBACK, FIELD, SETTINGS_BASES, used_fact
from checks.rule import Example, Rule
from checks.structure import Structure, dotted_name

_SECRET_NAME = lazy_pattern(
    r"(?:^|_)(secret|secret_key|password|passwd|api_key|apikey|private_key|access_key|"
    r"auth_token|access_token|refresh_token|client_secret|jwt_secret|signing_key|"
    r"encryption_key|master_key|hmac_key|fernet_key|token_key|jwt_key|"
    # a token the service itself checks (Ni154's `ADMIN_TOKEN` falling back to
    # "admin-token", the only gate of the route creating a tenant: reader 196)
    r"admin_token|master_token|internal_token|service_token|api_token)"
    # its text (`APP_SECRET_STRING`: ally360's JWT key, reader 148)
    r"(?:_string|_str)?$"
    # the key of one kind of token (`SECRET_KEY_ACCESS`: vadimchubok's, reader 122)
    r"|(?:^|_)(?:secret|secret_key|jwt_secret|signing_key|jwt_key)_(?:access|refresh)"
    r"(?:_token)?$",
    re.IGNORECASE,
)
#: A settings field named as a token (`gsms_token`, `BOT_TOKEN`), which `_SECRET_NAME`
#: leaves (a token's type, URL or purpose is named so as often): a secret where its value
#: has the shape of a token a provider issues (`_ISSUED_TOKEN`).
_TOKEN_FIELD = lazy_pattern(r"(?:^|_)token$", re.IGNORECASE)
#: A JSON Web Token (`eyJ....eyJ....signature`), or a Telegram bot's token
#: (`123456789:AA...`, 35 characters after the colon).
_ISSUED_TOKEN = lazy_pattern(r"eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{16,}$|\d{8,10}:[\w-]{35}$")
#: What every secret name contains, for the pre-filter: lowercase and searched in the
#: lowered text (`Evidence.mentions`), so without IGNORECASE (5x slower, the same matches).
_SECRET_WORDS = lazy_pattern(
    rb"secret|passw|api_?key|private_key|access_key|_token|signing_key|encryption_key"
    rb"|master_key|hmac_key|fernet_key|token_key|jwt_key"
)
_SECRET_TEXT = lazy_pattern(_SECRET_WORDS.pattern.decode("ascii"))
_CREDENTIALED_URL = lazy_pattern(
    r"^[a-z][a-z0-9+.-]*://(?P<user>[^/\s:@]+):(?P<password>[^/\s@]+)@(?P<host>[^/\s:?#]*)",
    re.IGNORECASE,
)
#: Calls whose literal argument is the value a secret-named target gets: a settings
#: field's default (`SecretStr("...")`, `Field("...")`, `Field(default="...")`).
_WRAPPERS = frozenset(
    {
        "pydantic.SecretStr",
        "pydantic.types.SecretStr",
        "pydantic.SecretBytes",
        "pydantic.types.SecretBytes",
        "pydantic.Field",
        "pydantic.fields.Field",
        "sqlmodel.Field",
    }
)
#: Reads of the environment whose default is the value when the variable is missing
#: (`os.getenv("JWT_SECRET", "dev-secret-123")`): the process runs with it, unnoticed.
_ENV_READS = frozenset({"os.getenv", "os.environ.get"})
#: Configuration readers whose `default=` is the fallback (python-decouple's `config`; a
#: `starlette.config.Config` instance is known by its class).
_CONFIG_READS = frozenset({"decouple.config"})
_STARLETTE_CONFIG = frozenset({"starlette.config.Config"})
#: Environment readers known by an instance's class, whose `str()` method (and the
#: instance called) take the variable and its default, as a keyword or second
#: (envparse's and environs' `env = Env()`, then `env.str("SECRET_KEY", default="...")`:
#: Sergey81-code's settings, reader 217).
_ENV_INSTANCES = frozenset({"envparse.Env", "envparse.envparse.Env", "environs.Env"})
#: The last names of those calls, for the screen (a `Config` instance has any name: its
#: calls are screened by their `default=`).
_WRAPPER_NAMES = frozenset({"SecretStr", "SecretBytes", "Field", "getenv", "get", "config"})
#: Calls that sign or verify with the key they are given, and where it goes: the index
#: of the positional argument and the keyword (PyJWT's and python-jose's
#: `jwt.encode(payload, key, ...)`, itsdangerous' `URLSafeTimedSerializer(secret_key)`).
#: A literal there is the key itself, whatever it reads like (frostyalce's
#: `jwt.encode(..., "my-super-secret")`).
_SIGNERS: dict[str, tuple[int, str]] = {
    "jwt.encode": (1, "key"),
    "jwt.decode": (1, "key"),
    "jose.jwt.encode": (1, "key"),
    "jose.jwt.decode": (1, "key"),
    # fastapi-users' JWT strategy (tr1plejj's `JWTStrategy(secret=SECRET)` of `SECRET =
    # "SECRET"`: reader 128)
    **{
        f"fastapi_users.authentication.{where}JWTStrategy": (0, "secret")
        for where in ("", "strategy.", "strategy.jwt.")
    },
    **{
        f"itsdangerous.{name}": (0, "secret_key")
        for name in (
            "Signer",
            "TimestampSigner",
            "Serializer",
            "TimedSerializer",
            "URLSafeSerializer",
            "URLSafeTimedSerializer",
        )
    },
}
#: Middleware whose `secret_key=` signs the session cookie, given to `add_middleware()` or
#: `Middleware()` (frostyalce's `SessionMiddleware, secret_key="secret-key"`).
_SIGNING_MIDDLEWARE = frozenset({"starlette.middleware.sessions.SessionMiddleware"})
#: Classes whose `secret_key=` signs a session, and the classes of the file deriving from
#: them: sqladmin's login backend hands it to Starlette's `SessionMiddleware` (ruauka's,
#: milinsoft's and DevdScvn's `AdminAuth(secret_key="...")`: readers 98, 99 and 107).
_SIGNING_BACKENDS = frozenset(
    {"sqladmin.authentication.AuthenticationBackend", "sqladmin.AuthenticationBackend"}
)
#: The last names of those calls as written, for the screen (`URLSafeTimedSerializer`,
#: `jwt.encode`; the middleware is given to `add_middleware()` or `Middleware()`).
_SIGNER_LAST_NAMES = frozenset(
    {*(name.rsplit(".", 1)[1] for name in _SIGNERS), "add_middleware", "Middleware"}
)
_SIGNER_KEYS = "FG502.signer-keys"
_SIGNER_MESSAGE = (
    "Hard-coded signing key given to `{callee}`: anyone who reads the code can forge what "
    "it signs; read the key from settings (`SecretStr`, from the environment)"
)


#: The name of a service's own signing key (`SECRET_KEY`, `JWT_SECRET`, `AUTH_SECRET_KEY`,
#: `SECRET_KEY_ACCESS`), which no provider issues: not `STRIPE_SECRET_KEY` nor
#: `GOOGLE_CLIENT_SECRET`.
_OWN_KEY_NAME = lazy_pattern(
    r"^(?:(?:jwt|auth|app|token|access(?:_token)?|refresh(?:_token)?|session|cookie|csrf)_)?"
    r"(?:secret_key|signing_key|encryption_key|hmac_key|fernet_key|jwt_key)"
    r"(?:_(?:access|refresh)(?:_token)?)?$"
    r"|^(?:jwt_)?secret$|^jwt_(?:access_|refresh_)?secret(?:_key)?$",
    re.IGNORECASE,
)
#: Names of keys that sign or encrypt (a token, a cookie, a download link): a weak one
#: lets anyone forge what it protects; also the key of one kind of token
#: (`SECRET_KEY_ACCESS`, `SECRET_KEY_REFRESH`: vadimchubok's, reader 122).
_SIGNING_NAME = lazy_pattern(
    r"(?:^|_)(?:secret|secret_key|signing_key|encryption_key|master_key|hmac_key|fernet_key"
    r"|token_key|jwt_key)(?:_(?:access|refresh)(?:_token)?)?$",
    re.IGNORECASE,
)
#: The secret of another service's API, which that service holds too (`livekit_api_secret`,
#: an OAuth `client_secret`), not a key the service itself signs with.
_SHARED_SECRET = lazy_pattern(r"(?:^|_)(?:api|client)_secret$", re.IGNORECASE)
_SETTINGS_DEFAULT = (
    "Hard-coded secret as a settings default: the service runs with it unless the "
    "environment sets it; declare the field without a default (`SecretStr`) so that "
    "start-up fails instead"
)
#: A settings default a provider generated (`_generated`): leaked, read or not.
_LEAKED_KEY = (
    "Hard-coded key as a settings default: anyone who reads the repository has it, whether "
    "the service reads the setting or not; revoke it, and declare the field without a "
    "default (`SecretStr`) so that the environment gives it"
)
#: The same as the fallback of an environment read in a settings class (`STRIPE_KEY: str =
#: os.getenv("STRIPE_KEY", "sk_live_...")`).
_LEAKED_FALLBACK = (
    "Hard-coded key as the environment's fallback: anyone who reads the repository has "
    "it, whether the service reads the setting or not; revoke it, and read the variable "
    "without a fallback (`os.environ[{variable!r}]`, or a pydantic-settings field without "
    "a default)"
)
_ENV_DEFAULT = (
    "Hard-coded secret as the environment's fallback: the service runs with it when "
    "the variable is missing; make it required so that start-up fails instead "
    "(`os.environ[{variable!r}]`, or a pydantic-settings field without a default)"
)
#: A signing key read as `str(os.getenv("X"))` (`_none_when_unset`).
_NONE_KEY = (
    '`str({read})` makes a missing variable the key `"None"`, which anyone can sign '
    "with: the service starts and runs with it; read it with `os.environ[{variable!r}]` "
    "(or a pydantic-settings field without a default) so that start-up fails instead"
)
#: Passwords of development defaults (docker-compose files, tutorials): not secrets; and
#: the word "password" of the languages whose docs spell a URL to fill in their own
#: (Langchain-Chatchat's `mysql+pymysql://用户名:密码@主机地址/数据库名称`).
_DEFAULT_PASSWORDS = frozenset(
    {
        "password",
        "pass",
        "changeme",
        "secret",
        "密码",
        "密碼",
        "パスワード",
        "비밀번호",
        "пароль",
        "passwort",
        "contraseña",
        "senha",
        "motdepasse",
        "mot_de_passe",
    }
)
#: The URL pattern unanchored: a part of a string libcst sees may start inside CPython's
#: joined constant (`"see " "postgres://u:p@db"`).
_CREDENTIALED_URL_ANYWHERE = lazy_pattern(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@", re.IGNORECASE)
#: Values that are not secrets: empty, placeholders to fill, environment variable names.
_CAPITALS = lazy_pattern(r"^[A-Z][A-Z0-9_]*$")
#: (a label in square brackets stands for a value: `"[Hidden for security]"`, a
#: redaction put in a welcome email where the password was: tawounfouet, reader 71)
#: ...but not a generated key in capitals (ddcroft73's `ADMIN_API_KEY =
#: "HDG673L2MNDUI76E"`, reader 88): sixteen letters and digits or more, its digits in
#: runs letters part, as no placeholder's words and numbers are.
#: Or twenty-four or more with a digit, no underscore: no variable's name runs so long
#: without one (rauljimm's JWT key `"ASDFGHIJKLMNOPQRSTUVWXYZ1234567890"`, reader 115).
#: A request for the value in words of any case (`"Enter_Your_API_Key"`: Jhaveri-Jeet's
#: Stripe key, reader 175; `"your-api-key-here"`), a placeholder as the capitals are;
#: after a provider's prefix of a mode (`sk_test_`, `pk_live_`), another service's key,
#: with which this one signs nothing (Aponti's `STRIPE_SECRET_KEY` fallback
#: `"sk_test_your_key_here"`, reader 190); or a provider's prefix before a stand-in word
#: (GitSujal's `STRIPE_SECRET_KEY: str = "sk_test_dummy"  # Default for testing`,
#: reader 223).
_ASKS_FOR_VALUE = lazy_pattern(
    r"^(?:(?:enter|insert|put|add|paste|replace)[_ -]?(?:with[_ -]?)?your[_ -]?[a-z0-9_ -]*"
    r"|(?:[a-z]{2,5}_(?:test|live)_)?your[_ -][a-z0-9_ -]*[_ -]here"
    r"|[a-z]{2,6}_(?:(?:test|live)_)?(?:dummy|fake|mock|placeholder|example|changeme|x{3,}))$",
    re.IGNORECASE,
)
_PROVIDER_MODE = lazy_pattern(r"^[a-z]{2,5}_(?:test|live)_", re.IGNORECASE)
_GENERATED_CAPITALS = lazy_pattern(
    r"^(?:(?=[A-Z0-9]{16,}$)[A-Z0-9]*[0-9][A-Z]+[0-9][A-Z0-9]*"
    r"|(?=[A-Z0-9]{24,}$)[A-Z]*[0-9][A-Z0-9]*)$"
)
_PLACEHOLDER = lazy_pattern(
    r"^(\s*|[A-Z][A-Z0-9_]*|\$\{?\w+\}?|<[^>]*>|\{[^}]*\}|\[[^\]]*\]|\*+|x+)$"
)


#: A lower-case identifier or slug (`polar_client_secret`, `setup.access_token`, a private
#: `_pgpt_previous_refresh_token`): a name.
_IDENTIFIER = lazy_pattern(r"^_*[a-z][a-z0-9]*(?:[_.:-][a-z0-9]+)*$")
#: A path of them (an AWS Secrets Manager or Vault id: JMSolorzano-13's
#: `EMAIL_PROVIDER_SECRET = "siigo/mailprovider/token"`, reader 74): the name of a secret
#: kept elsewhere, whatever the constant is called (a key has no path of words).
_SECRET_PATH = lazy_pattern(r"^[a-z][a-z0-9_.-]*(?:/[a-z][a-z0-9_.-]*)+$")
#: Keys and tokens carry runs of digits (hex, base62); names of things do not.
_DIGIT_RUN = lazy_pattern(r"[0-9]{3,}")
#: ...and a password of random letters has no separator and runs of consonants no name
#: has (a Google app password: 16 lower-case letters, `"ybddxyueijfkscku"`); a name
#: glued from words keeps them shorter (`"mysecretpassword"`, `"polarclientsecret"`).
_RANDOM_LETTERS = lazy_pattern(r"^(?=[a-z]{12,}$)[a-z]*[b-df-hj-np-tv-z]{6}")
#: ...or a long segment mixing letters and digits (`sk_live_4f9a8b7c6d5e4f3a2b1c`).
_KEY_SEGMENT = lazy_pattern(r"(?:^|[_.:-])(?=[a-z0-9]*[0-9])(?=[a-z0-9]*[a-z])[a-z0-9]{16,}$")
#: A path or URL template (`"/oauth/client/{client_id}/secret"`) or a message to format
#: (`"Set the API key in the configuration file {}"`, `"... {0}"`, `"... %s"`, a Redis
#: key's `"User:Token:%d"`: LesslsMore's, reader 80): a route or a text named like a
#: secret, not one (a key holds no braces nor `%s`).
_TEMPLATE_FIELD = lazy_pattern(r"\{(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]*)\}|%(?:\([A-Za-z_]\w*\))?[sdi]")
#: Layers where fake secrets are made on purpose: tests, and development tooling (seed
#: scripts, demos, examples: `[tool.fastapi-guardrails.layers] tooling`).
_EXEMPT_LAYERS = frozenset({"test", "tooling"})


_WORD = lazy_pattern(r"[a-z0-9]+")
#: Hosts of a database on the developer's own machine: its URL is a local default.
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "0.0.0.0"})


#: Words that make a name a state of a secret wherever they are in it, not the secret
#: (`user_wrong_password = "User Entered Incorrect Password"`, an audit event's label).
_STATE_WORDS = frozenset(
    {"missing", "invalid", "wrong", "incorrect", "fail", "failed", "expired", "error"}
)
#: A name's first word that makes it a message or a state about a secret, not the secret:
#: `"missing_api_key": "the backend has no SKYVERN_API_KEY"`, `invalid_password = ...`.
_ABOUT_THE_SECRET = frozenset(
    {
        # (`FORGOT_PASSWORD = "password-reset"`: the purpose a mailed token is for,
        # nuriadevs', reader 193)
        "forgot",
        "missing",
        "invalid",
        "no",
        "bad",
        "wrong",
        "empty",
        "expired",
        "unknown",
        "error",
        "msg",
        "message",
        "label",
        "hint",
        "help",
        "prompt",
        "placeholder",
        "title",
        "description",
    }
)
#: Words of a name saying its value is a sample of the secret, not the secret.
_EXAMPLE_WORDS = frozenset({"example", "examples"})
#: Words of a name saying its key is made to be public (`STRIPE_PUBLISHABLE_KEY`).
_PUBLIC_WORDS = frozenset({"public", "publishable"})
#: Keys made to be public, shipped to browsers and apps: PostHog project keys, Stripe
#: publishable keys.
_PUBLIC_KEY = lazy_pattern(r"^(?:phc_|pk_live_|pk_test_)[A-Za-z0-9]+$")
#: A Google API key's shape, and the keys of a Firebase web app's configuration beside it.
_GOOGLE_API_KEY = lazy_pattern(r"^AIza[0-9A-Za-z_-]{35}$")
_FIREBASE_WEB_KEYS = frozenset({"authDomain", "projectId", "messagingSenderId", "appId"})


def _firebase_web_key(key: str, node: cst.DictElement, ctx: FileContext) -> bool:
    """`"apiKey": "AIza..."` in a Firebase web app's configuration (beside `authDomain`,
    `projectId`, `messagingSenderId`, `appId`): an identifier every browser of the app
    receives, made public by Firebase's design; its security rules guard the data
    (joboy-dev's `firebase_config` for pyrebase: reader 143). A Google API key anywhere
    else (Gemini's, Maps' server key) is a secret."""
    text = string_value(node.value)
    if key != "apiKey" or text is None or not _GOOGLE_API_KEY.match(text):
        return False
    table = ctx.parent(node)
    if not isinstance(table, cst.Dict):
        return False
    keys = {string_value(e.key) for e in table.elements if isinstance(e, cst.DictElement)}
    return len(keys & _FIREBASE_WEB_KEYS) >= 2


#: Keyword arguments whose value documents an API (OpenAPI examples): sample credentials
#: there are meant to be read.
_EXAMPLE_KEYWORDS = frozenset(
    {"example", "examples", "openapi_examples", "json_schema_extra", "openapi_extra"}
)
_IN_EXAMPLES = "FG502.in-examples"
#: A provider's key prefix alone, a placeholder to complete (`"sk-proj-"`, `"sk-ant-"`).
_KEY_PREFIX_ONLY = lazy_pattern(r"^[a-z]{2,4}(?:-[a-z]+)*-$")
#: A masked or elided key (`"ya29.a0AfH6SMBxxxxxxxx"`, `"sk-...a1b2"`, `"ghp_****"`): a
#: random key holds no run of six `x` (one chance in 62**6), three dots or four stars.
_MASKED = lazy_pattern(r"x{6,}|X{6,}|\.{3}|\*{4,}|\u2022{3,}")
#: A value masked whole: a word framed by stars (HITA's settings answer's
#: `"smtp_password": "***hidden***"`, reader 189), which no key holds.
_MASKED_WORD = lazy_pattern(r"^\*{2,}[A-Za-z][A-Za-z _-]*\*{2,}$")
#: A password no login can match, marking a disabled account as `/etc/shadow`'s `!`
#: and Django's unusable passwords do (Charelk2's system user,
#: `password="!disabled-system-user!"`, reader 188): `!` or `*` alone, or before words
#: saying so; not a secret.
_DISABLED_PASSWORD = lazy_pattern(
    r"^(?:[!*]|[!*][A-Za-z_ -]*(?:disabled|locked|unusable|no-?login|inactive)[A-Za-z_ -]*[!*]?)$",
    re.IGNORECASE,
)
#: An elision alone (`"..."`, `"…"`): no key's part is shown, the text is the whole value.
_ELISION = lazy_pattern(r"^(?:\.{3,}|\u2026)$")
#: The passwords images and installers of servers ship with (`pg_password: str =
#: "postgres"`): a development default, not a secret.
_SERVER_PASSWORDS = frozenset(
    {"postgres", "admin", "root", "mysql", "guest", "test", "user", "example", "dev", "demo"}
)
#: The last word of a name that holds a password itself (`MQTT_PASSWORD`, `db_passwd`).
_PASSWORD_WORDS = frozenset({"password", "passwd", "pwd"})
#: Words separated by spaces (`"Elastic Api Key"`, `"Key has been deactivated"`): a label
#: or a message about the secret, not one (a key has no spaces; a passphrase in code of
#: plain words is let through).
#: Words of any script (sergssnorth's bot, `API_TOKEN = 'Ваш Telegram Bot API токен'`,
#: "your Telegram Bot API token": reader 211).
_PROSE = lazy_pattern(
    r"[^\W\d_](?:[^\W\d_]|[',.:;!?()-])*(?:\s+[^\W\d_](?:[^\W\d_]|[',.:;!?()-])*)+"
)
_PROSE_WORD = lazy_pattern(r"\(?[^\W\d_](?:[^\W\d_]|[',.:;!?()-])*")


def _speaks_of(name: str, value: str) -> bool:
    """Whether a text of several words has among them the secret its name ends with
    (`password`, `secret`, `token`, `key`)."""
    named = _WORD.findall(name.lower())
    words = set(_WORD.findall(value.lower()))
    return len(words) >= 4 and bool(named) and named[-1] in words


def _prose(value: str) -> bool:
    """Words separated by spaces (`_PROSE`), or a sentence of five words or more, two in
    three of them plain words, around a URL, a variable's name or a number (keepa's
    troubleshooting hints: `"Make sure EMAIL_PASSWORD in .env is a 16-character App
    Password (no spaces)"`)."""
    text = value.strip()
    if _PROSE.fullmatch(text):
        return True
    tokens = text.split()
    plain = sum(1 for token in tokens if _PROSE_WORD.fullmatch(token))
    return len(tokens) >= 5 and plain * 3 >= len(tokens) * 2


def _is_secret_value(
    name: str,
    value: str,
    in_dict: bool = False,
    declared: bool = False,
    signing: bool = False,
    held: bool = False,
) -> bool:
    """Whether a string given to a secret-named target is a secret (see the rule's
    summary); `in_dict`: a dict's value, where words separated by spaces are a label or a
    message (`{"api_key": "Elastic Api Key"}`), while a variable holding them holds its
    value (`SECRET = "super secret jwt secret"`: a weak secret); `declared`: wrapped in
    `SecretStr(...)`, where a lower-case slug (`"secret-prod"`) is a weak secret, not the
    name of one; `signing`: the key a service signs with when nothing else is configured (a
    settings default, an environment read's fallback), where any literal is a key anyone
    can forge with, however short or however it echoes its name (`"secret"`); `held`:
    assigned to a name (a constant, a variable, a settings field), where a word given to
    a password's name is the password (not a keyword argument's, as often a sample
    user's)."""
    words = _WORD.findall(name.lower())
    if words and (words[0] in _ABOUT_THE_SECRET or _STATE_WORDS.intersection(words)):
        return False
    if _EXAMPLE_WORDS.intersection(words):
        # `_EXAMPLE_ACCESS_TOKEN = "eyJ...signature"`: a sample shown in the API's docs
        # (prosoftdev999's `json_schema_extra`, reader 89)
        return False
    if _PUBLIC_WORDS.intersection(words):
        return False  # `INNERTUBE_PUBLIC_API_KEY`: a key made to be shipped to clients
    return (
        (len(value) >= 8 or (signing and value.strip() != ""))
        and not _PUBLIC_KEY.match(value)
        # a signing key's default in capitals is the key too (`"TEST_SECRET_DO_NOT_USE"`,
        # `"CHANGEME"`: the service signs with it until the environment says otherwise);
        # not another service's API secret, which that service must share: a placeholder
        # there (`livekit_api_secret = "ENTER_YOUR_LIVE_KIT_API_SECRET"`) forges nothing
        and not (
            (_PLACEHOLDER.match(value) or _ASKS_FOR_VALUE.match(value))
            and not (
                signing
                and (_CAPITALS.match(value) or _ASKS_FOR_VALUE.match(value))
                and not _SHARED_SECRET.search(name)
                and not _PROVIDER_MODE.match(value)
            )
            and not _GENERATED_CAPITALS.match(value)
        )
        and not _KEY_PREFIX_ONLY.match(value)
        # an elision as a signing key's whole default is the key the service runs with
        # (kasilianaoliveira's `JWT_SECRET_KEY: SecretStr = SecretStr("...")`, reader 172)
        and not (_MASKED.search(value) and not (signing and _ELISION.match(value)))
        and not _MASKED_WORD.match(value)
        and not _DISABLED_PASSWORD.match(value)
        # words separated by spaces: a dict's label, or any name's of an API key or token,
        # which no provider issues with spaces (unstract's Postman item names,
        # `EXECUTE_API_KEY = "Process document"`); a password may be a passphrase
        and not ((in_dict or _KEY_NAME.search(name)) and _prose(value))
        and not (
            not declared
            and _IDENTIFIER.match(value)
            and not _DIGIT_RUN.search(value)
            and not _KEY_SEGMENT.search(value)
            and not _RANDOM_LETTERS.match(value)
            # a name's value is a name, but a password's is the password: a word given to
            # `MQTT_PASSWORD` (AgroSense's broker, `"sensormod"`: reader 172) logs in
            and not (
                held
                and words
                and words[-1] in _PASSWORD_WORDS
                and value not in _DEFAULT_PASSWORDS
                and value not in _SERVER_PASSWORDS
            )
        )
        # a signing key's fallback that names what it is (`"secret"`, `"jwt-secret-key"`) is
        # that key; one that names something else is a label (`SANDBOX_PROXY_CA_SECRET =
        # "sandbox-proxy-ca"`: the name of a Kubernetes secret)
        and not (_spells_its_name(name, value) and not (signing and _says_key(value, name)))
        and not value.startswith("/")
        and not (
            _SECRET_PATH.match(value)
            and not _DIGIT_RUN.search(value)
            and not any(_KEY_SEGMENT.search(part) for part in value.split("/"))
        )
        and not _HEADER_NAME.match(value)
        # what a user table stores for a password (a seed row's admin): a verifier that
        # logs in nobody without the password, not the password
        and not (_PASSWORD_NAME.search(name) and _PASSWORD_HASH.match(value))
        and not _TEMPLATE_FIELD.search(value)
        and not _SQL_TEXT.match(value)
        and not _REGEX.search(value)
        and not _MARKUP.search(value)
        and not ("\n" in value.strip() and "-----BEGIN" not in value)
    )


#: A password's hash: a modular-crypt string (bcrypt `$2b$12$...`, argon2, PBKDF2, scrypt,
#: sha-crypt) or a hex digest (MD5, SHA-1, SHA-256, SHA-512).
_PASSWORD_HASH = lazy_pattern(
    r"^(?:\$(?:2[abxy]?|argon2(?:id|i|d)|pbkdf2(?:[-_]sha\d+)?|scrypt|[156]|7|y|gy)\$\S+"
    r"|[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{128})$"
)
#: The name of an API key or a token (not a password, nor a key the service signs with).
_KEY_NAME = lazy_pattern(
    r"(?:^|_)(?:api_key|apikey|access_key|token)$",
    re.IGNORECASE,
)
#: The name of an HTTP header (`TOKEN_KEY = "X-SQLBOT-TOKEN"`: the header a token comes
#: in), not a key: words of letters, joined by hyphens after `X-`.
_HEADER_NAME = lazy_pattern(r"^[Xx]-[A-Za-z]+(?:-[A-Za-z]+)*$")


#: A class's name that says it holds settings (`_Settings`, `AppConfig`).
_SETTINGS_CLASS_NAME = lazy_pattern(r"settings|config", re.IGNORECASE)


#: Markup or a template (`{"reset_password": """<html>...{{ otp }}..."""}`: the e-mail a
#: password reset sends): text about a secret, not one. Nor is any text of several lines
#: but a PEM key's (`-----BEGIN PRIVATE KEY-----`).
_MARKUP = lazy_pattern(r"<[A-Za-z!/][^>]*>|\{\{|\{%")


#: A regular expression (a log redactor's `API_KEY = r"sk-[a-zA-Z0-9]{20,}"`): a pattern
#: that finds keys, not one. A character range, a counted repetition, a class escape or a
#: group's `(?`: generated keys and passwords hold none of them.
_REGEX = lazy_pattern(
    r"\[\^?[^\]]*[A-Za-z0-9]-[A-Za-z0-9][^\]]*\]|\{\d+,\d*\}|\\[dwsDWS]|\(\?[:P<=!]"
)
#: SQL text (`DELETE_EXPIRED_TOKENS = "DELETE FROM tokens WHERE ..."`): a statement about
#: the secrets, not one.
_SQL_TEXT = lazy_pattern(r"\s*(?:SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|ALTER)\s", re.IGNORECASE)


#: Words that say a value is a key (`"secret"`, `"my-jwt-key"`).
_KEY_WORDS = frozenset({"secret", "key", "jwt", "token", "signing", "password"})


#: Where a token is kept: a `*_TOKEN_KEY` named so is the key it is kept under (a
#: cookie's or a header's name, a cache key), not a key tokens are signed with.
_PLACES = frozenset({"cookie", "header", "cache", "redis", "storage", "dict", "field", "param"})


def _names_a_place(name: str) -> bool:
    """`COOKIE_REFRESH_TOKEN_KEY = "fba_refresh_token"`: the name of the cookie a refresh
    token is kept in (fastapi_best_architecture's settings); or an OAuth client's secret
    (`GOOGLE_CLIENT_SECRET`), which the provider issues and checks: no key this service
    signs with, so its placeholder (`"your-google-client-secret"`) is one like any other
    service's (balorette's, reader 64)."""
    lowered = name.lower()
    # (Facebook's `FACEBOOK_APP_SECRET`, Twitter's `CONSUMER_SECRET`: eedu7's
    # `"YOUR_FACEBOOK_APP_SECRET"`, reader 85)
    if lowered.endswith(("client_secret", "app_secret", "consumer_secret")):
        return True
    words = _WORD.findall(lowered)
    return lowered.endswith("token_key") and not _PLACES.isdisjoint(words)


def _paired_with_an_access_key(name: str, node: cst.CSTNode, ctx: FileContext) -> bool:
    """Whether a secret sits beside the API or access key of the same provider
    (`BINANCE_API_KEY` next to `BINANCE_SECRET_KEY` and `BINANCE_API_SECRET`,
    MarchenkoRuslan's, reader 93; AWS's access key and secret key): the pair another
    service issued, which signs requests that service checks, not tokens this one
    issues; its placeholder (`"test_secret"`) forges nothing."""
    first = _first_word(name)
    if first is None:
        return False
    _, neighbours, _, _ = _neighbours(node, ctx)
    pattern = re.compile(
        re.escape(first) + r"_(?:api_key|access_key|access_key_id|api_key_id|key_id)$",
        re.IGNORECASE,
    )
    return any(pattern.fullmatch(found) for names, _ in neighbours for found in names)


def _refused_default(
    text: str, ctx: FileContext, name: str | None = None, validators: bool = True
) -> bool:
    """Whether the module compares something with this very default (`if self.secret_key
    == "change-me-in-production": raise ValueError(...)` in a validator): the project
    refuses it where it matters (ikidevz's production and staging, reader 64); or with
    `name`, the constant holding it (Stonuv's `self.secret_key == _DEFAULT_SECRET_KEY`,
    reader 78); or tests it against a collection of the module holding it (`if
    self.JWT_SECRET_KEY.lower() in self._INSECURE_SECRET_VALUES`, joseantoniogahez's,
    reader 79), or written in the test (`in {"dev-only-change-me", ...}`); `validators`:
    also a constant a validator names (`_named_in_a_validator`)."""
    source = ctx.source
    if source is None:
        return False
    literal = re.escape(text.encode("utf-8", "surrogatepass"))
    quoted = rb"([\"'])" + literal + rb"\1"
    # (or tests it against a literal collection: prodkit-labs' `if settings.secret_key in
    # {"dev-only-change-me", ...}: raise RuntimeError(...)` at start-up, reader 89)
    patterns = [
        rb"[!=]=\s*" + quoted,
        quoted + rb"\s*[!=]=",
        rb"\bin\s*[\[{(][^\]})]*" + quoted,
    ]
    if name is not None:
        named = re.escape(name.encode())
        # (also read through the instance: msg4naresh's `self.SECRET_KEY ==
        # self._DEV_SECRET_KEY and self.ENVIRONMENT == "production"`, reader 176)
        patterns += [
            rb"[!=]=\s*(?:(?:self|cls)\.)?" + named + rb"\b",
            rb"\b(?:(?:self|cls)\.)?" + named + rb"\s*[!=]=",
        ]
    if any(
        _refuses_at(source, match.start(), b"!=" in match[0])
        for pattern in patterns
        for match in re.finditer(pattern, source)
    ):
        return True
    for collection in _COLLECTION.finditer(source):
        if re.search(quoted, collection[2]) is not None:
            test = rb"\bin\s+(?:self\.|cls\.)?" + re.escape(collection[1]) + rb"\b"
            if any(_refuses_at(source, m.start()) for m in re.finditer(test, source)):
                return True
    return name is not None and validators and _named_in_a_validator(name, ctx)


def _refuses_at(source: bytes, position: int, unequal: bool = False) -> bool:
    """Whether the comparison at `position` refuses what it finds: its line raises or
    exits, or asserts, or the block it opens does (NathanC16's `if SECRET_KEY ==
    "your-default-...": print("AVISO: ...")` only warns, and the service signs with the
    default all the same: reader 154); `unequal` (`!=`: the block is the value's way
    through), or the statements after the block in the same one do."""
    start = source.rfind(b"\n", 0, position) + 1
    end = source.find(b"\n", position)
    end = len(source) if end < 0 else end
    line = source[start:end]
    indent = len(line) - len(line.lstrip())
    block = [line]
    for following in source[end + 1 :].split(b"\n"):
        stripped = following.strip()
        if not stripped or stripped.startswith(b"#"):
            continue
        depth = len(following) - len(following.lstrip())
        if depth < indent or (depth == indent and not unequal):
            break
        block.append(following)
    if line.lstrip().startswith(b"assert") or any(
        _REFUSES.search(text) is not None for text in block
    ):
        return True
    # an error collected, the errors raised together further down the same function
    # (Oshkelosh's `validate_backends()`: `errors.append("JWT_SECRET_KEY must be set ...")`,
    # then `if errors: raise ValueError(...)`, reader 195)
    collected = {m.group(1) for text in block for m in _COLLECTS.finditer(text)}
    if not collected:
        return False
    rest = source[end + 1 :]
    top_level = _TOP_LEVEL.search(rest)
    rest = rest[: top_level.start()] if top_level is not None else rest
    return any(
        re.search(
            rb"\bif\s+" + re.escape(name) + rb"\s*:\s*(?:#[^\n]*)?\n\s*raise\b"
            rb"|\braise\b[^\n]*\b" + re.escape(name) + rb"\b",
            rest,
        )
        is not None
        for name in collected
    )


#: An error collected in a list (`errors.append(...)`), and a statement at the module's
#: top level, where a function's text ends.
_COLLECTS = lazy_pattern(rb"\b(\w+)\.append\(")
_TOP_LEVEL = lazy_pattern(rb"(?m)^(?:def|class|async|@|if|[A-Za-z_]\w*\s*=)")


#: A statement that refuses a value: an exception raised, the process ended.
_REFUSES = lazy_pattern(rb"\braise\b|\b(?:sys\.)?exit\(|\babort\(|\bos\._exit\(")


def _named_in_a_validator(name: str, ctx: FileContext) -> bool:
    """Whether a Pydantic validator of the module names the constant (trouchet's
    `@model_validator` checking `("JWT_SECRET_KEY", self.JWT_SECRET_KEY,
    DEFAULT_SECRET_KEY)` through a helper that refuses a value left at its default, reader
    83): the default is what the settings compare their values with."""
    if name.encode() not in (ctx.source or b""):
        return False
    for statement in ctx.module.body:
        if not isinstance(statement, cst.ClassDef):
            continue
        for member in statement.body.body:
            if (
                isinstance(member, cst.FunctionDef)
                and any(
                    code_of(
                        decorator.decorator.func
                        if isinstance(decorator.decorator, cst.Call)
                        else decorator.decorator
                    ).endswith("validator")
                    for decorator in member.decorators
                )
                and any(
                    isinstance(node, cst.Name) and node.value == name
                    for node in descendants(member.body)
                )
            ):
                return True
    return False


#: A name bound to a literal collection (`_INSECURE = {"changeme", "secret"}`, annotated
#: or not), and the collection's text.
_COLLECTION = lazy_pattern(rb"(\w+)\s*(?::[^=\n]*)?=\s*[\[{(]([^\]})]*)[\]})]")


def _generated(value: str) -> bool:
    """Whether a value reads as a provider generated it, not as a person typed it: a long
    run mixing letters and digits (`"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"`, `_KEY_SEGMENT`
    in any case) or of random letters (`_RANDOM_LETTERS`)."""
    lowered = value.lower()
    return _KEY_SEGMENT.search(lowered) is not None or _RANDOM_LETTERS.search(lowered) is not None


def _says_key(value: str, name: str = "") -> bool:
    """Whether a value says it is a key (`"secret"`, `"my-jwt-key"`, `"jwtsecret"`: a
    word of `_KEY_WORDS`, apart or run together with others). For the key a token is
    kept under (`REFRESH_TOKEN_KEY`), a value saying only "token" names the token
    (9WooPWooP8's `"refreshToken"`, its cookie's name: reader 102)."""
    compact = "".join(_WORD.findall(value.lower()))
    words = _SAYS_SECRET if _TOKEN_KEY_NAME.search(name) else _KEY_WORDS
    return any(word in compact for word in words)


#: The name of the key a token is kept under (`REFRESH_TOKEN_KEY`, `ACCESS_TOKEN_NAME`).
_TOKEN_KEY_NAME = lazy_pattern(r"(?i)token_?(?:key|name)$")
#: The words of `_KEY_WORDS` that say a secret, not what it is a key of.
_SAYS_SECRET = frozenset({"secret", "key", "signing", "password"})


def _spells_its_name(name: str, value: str) -> bool:
    """`ERROR_INVALID_API_KEY = "invalid api key"`, `_USER_API_KEY = "UserApiKey"`,
    `CSRF_TOKEN_KEY = "csrftoken"`: the value only repeats words of the name, apart or run
    together (a label, message, type or field name about the secret, not the secret).
    The value's CamelCase is split before comparing."""
    words = text_words(value)
    named = _WORD.findall(name.lower())
    if bool(words) and words <= set(named):
        return True
    # its words run together (`CSRF_TOKEN_KEY = "csrftoken"`: a cookie's name)
    compact = "".join(_WORD.findall(value.lower()))
    return len(compact) >= 4 and compact in "".join(named)


#: A class named for tests (`TestSettings`, `TestingConfig`, `Test`), not one whose name
#: only starts so (`Testimonial`).
_TEST_CLASS = lazy_pattern(r"Test(?:ing)?(?:[A-Z_0-9]|$)")


def _exempt(ctx: FileContext) -> bool:
    """Tests and development tooling hold fake secrets on purpose; so does a module that
    makes fake data (it imports Faker, factory_boy, polyfactory or mimesis), a class whose
    name says it configures tests (`TestSettings`, `TestingConfig`), wherever it lies, and
    a module's `if __name__ == "__main__":` block (its own demo run: MultiDB's MinIO
    client against a local server, keep's Kafka provider), and the functions only that
    block calls (`_in_demo_function`)."""
    if ctx.layer in _EXEMPT_LAYERS or ctx.stash(_MAIN_GUARDS):
        return True
    if ctx.imports_module("faker", "factory", "polyfactory", "mimesis"):
        # a module that makes fake data (zamaniamin's `BaseFakeAccount`, `fake = Faker()`
        # beside the password of the accounts its tests and seed script create: reader 92)
        return True
    return any(_TEST_CLASS.match(info.name) for info in ctx.class_stack)


def _in_demo_function(ctx: FileContext, node: cst.CSTNode | None = None) -> bool:
    """Whether the walk is in a function only the module's `__main__` block calls (asked
    of a finding: it reads the whole module), or one named as a stand-in
    (felixschwamm's `generate_mock_jwt`: reader 180); or `node` in a module-level
    assignment of data only that block and such functions name (Sunny-Clover's
    `test_user_datas`, the bodies a hand-run client script posts to its local server:
    reader 181)."""
    function = ctx.outermost_function
    if function is None:
        return node is not None and _in_demo_data(node, ctx)
    return _STAND_IN.search(
        function.name.value
    ) is not None or function.name.value in _demo_functions(ctx)


def _in_demo_data(node: cst.CSTNode, ctx: FileContext) -> bool:
    """Whether `node` is in a module-level assignment whose every target is a name only
    the `__main__` block and the functions only it calls name (`_demo_functions`), in a
    module that calls a server on this machine (`http://localhost:8000`): a client script
    run by hand against the developer's own server, whose data is test data (not a seed
    script's accounts, which its deployment may run: EFRAN033's `seed_users.py`, run by
    its Docker entrypoint)."""
    source = ctx.source if ctx.source is not None else ctx.module.code.encode()
    if _LOCAL_URL.search(source) is None:
        return False
    statement = node
    while (parent := ctx.parent(statement)) is not None and not isinstance(parent, cst.Module):
        statement = parent
    if not any(statement is s for s in ctx.module.body):
        return False  # (a class's body, a function's)
    demo = _demo_functions(ctx)
    names = _assigned_names(statement)
    return bool(names) and all(name.value in demo for name in names)


#: A URL of a server on this machine.
_LOCAL_URL = lazy_pattern(rb"https?://(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])\b")
#: A function's name that says it makes a stand-in (`generate_mock_jwt`, `fake_user`).
_STAND_IN = lazy_pattern(r"(?:^|_)(?:mock|fake|dummy|stub)(?:_|$)", re.IGNORECASE)


def _demo_functions(ctx: FileContext) -> frozenset[str]:
    """The module's functions that only its `if __name__ == "__main__":` block calls
    (`def main(): ...` with sample input, run as `python module.py`): named there and
    nowhere else in the module (bisheng's `mask_data.main()`)."""
    found = ctx.stash("FG502.demo")
    if not found:
        # (in a client script of a server on this machine, its unused steps too:
        # `_in_demo_data`)
        source = ctx.source if ctx.source is not None else ctx.module.code.encode()
        local = _LOCAL_URL.search(source) is not None
        found.append(_only_called_by_the_main_guard(ctx.module, uncalled=local))
    demo: frozenset[str] = found[0]
    return demo


def _only_called_by_the_main_guard(module: cst.Module, uncalled: bool = False) -> frozenset[str]:
    """The module's functions named only in its `__main__` block, or only in the bodies
    of such functions (alaa-aqeel's `migrate.py`: the guard calls `init_reset_database`,
    which drops the database and calls `create_users`, whose seed passwords are a
    script's: reader 180), and its module-level data only they name; `uncalled`: as if
    the block called the functions the module names nowhere too (a client script's steps
    left out of its run: Sunny-Clover's `update_password`, reader 181)."""
    guarded: set[str] = set()
    defined: set[str] = set()
    #: the names each module-level function's body writes, and those of the rest
    within: dict[str, set[str]] = {}
    elsewhere: set[str] = set()
    #: module-level data: a name assigned by a statement of its own
    data: set[str] = set()
    for statement in module.body:
        own = {id(name) for name in _assigned_names(statement)}
        names = {
            node.value
            for node in descendants(statement)
            if isinstance(node, cst.Name)
            and not (isinstance(statement, cst.FunctionDef) and node is statement.name)
            and id(node) not in own
        }
        if isinstance(statement, cst.FunctionDef):
            defined.add(statement.name.value)
            within.setdefault(statement.name.value, set()).update(names)
        elif isinstance(statement, cst.If) and is_main_guard(statement.test):
            guarded |= names
        else:
            data.update(name.value for name in _assigned_names(statement))
            elsewhere |= names
    if uncalled and guarded:
        # (a script: one with a `__main__` block that names something)
        guarded |= {
            function
            for function in within
            if function not in guarded
            and function not in elsewhere
            and not any(function in names for other, names in within.items() if other != function)
        }
    defined |= data
    demo = (guarded & defined) - elsewhere
    for _ in range(len(defined) + 1):
        # named by the block or by demo functions, and by no other function (itself aside)
        named_by_others = {
            name
            for function, names in within.items()
            if function not in demo
            for name in names
            if name != function
        }
        following = {
            name
            for name in defined - elsewhere - named_by_others
            if name in guarded or any(name in within.get(function, ()) for function in demo)
        }
        if following == demo:
            break
        demo = following
    return frozenset(demo)


def _assigned_names(statement: cst.CSTNode) -> list[cst.Name]:
    """The names a module-level statement assigns (`x = ...`, `x: T = ...`), as nodes."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return []
    small = statement.body[0]
    if isinstance(small, cst.Assign):
        targets = [t.target for t in small.targets]
    elif isinstance(small, cst.AnnAssign):
        targets = [small.target]
    else:
        return []
    return [t for t in targets if isinstance(t, cst.Name)]


#: The `if __name__ == "__main__":` blocks FG502 is inside.
_MAIN_GUARDS = "FG502.main"


def _names_examples(expr: cst.BaseExpression) -> bool:
    """Whether a name or attribute says it holds API examples (`USER_CREATE_EXAMPLES`,
    `user_create_example`, `merge_examples`): jpcadena's request bodies given to
    `openapi_examples=` and `json_schema_extra=` by name (reader 65)."""
    last = expr.attr.value if isinstance(expr, cst.Attribute) else None
    if isinstance(expr, cst.Name):
        last = expr.value
    return last is not None and "example" in last.lower()


def _examples(ctx: FileContext) -> set[int]:
    return ctx.marks(_IN_EXAMPLES)


def _mark_examples(value: cst.BaseExpression, ctx: FileContext) -> None:
    """Remember the keyword arguments and dict entries inside an API example."""

    class Collect(cst.CSTVisitor):
        def visit_Arg(self, node: cst.Arg) -> None:
            _examples(ctx).add(id(node))

        def visit_DictElement(self, node: cst.DictElement) -> None:
            _examples(ctx).add(id(node))

    value.visit(Collect())


class HardcodedSecret(Rule):
    code = "FG502"
    name = "hardcoded-secret"
    family = "security"
    message = "Hard-coded secret: read it from settings (`SecretStr`, from the environment)"
    summary = (
        "Checks for string literals assigned to secret-named variables, attributes, "
        "keyword arguments and dict keys (`SECRET_KEY = '...'`, `password='...'`, "
        "`AES_ENCRYPTION_KEY`, `MASTER_KEY`, `APP_SECRET_STRING`, a token the service "
        "checks, `ADMIN_TOKEN`, `API_TOKEN`; each name of a tuple "
        "assignment given its element, `login, password = 'u', '...'`; a dict's item, "
        "`config['password'] = '...'`; the environment's, `os.environ['JWT_SECRET'] = "
        "'...'`, `os.environ.setdefault('SECRET_KEY', '...')`), also as a settings "
        "field's default "
        "(`SecretStr('...')`, `Field(default='...')`; a field named as a token, "
        "`gsms_token`, holding one a provider issues, a JSON Web Token or a Telegram bot's) "
        "or as the fallback of an environment "
        "read (`os.getenv('JWT_SECRET', '...')`, `os.environ.get`, python-decouple's and "
        "Starlette's `config('X', default='...')`, envparse's and environs' `env.str('X', "
        "'...')` of `env = Env()`: named by its target or "
        "by the variable, also inside `str(...)` or a URL's quoting, `quote_plus(...)`, or "
        "after `or`: `os.getenv('SECRET_KEY') or "
        "'...'`, or under `if not SECRET_KEY:` after `SECRET_KEY = os.getenv(...)`; held "
        "back where a settings class of the service requires that variable, a field of its "
        "name without a default in a class something makes, `SECRET_KEY: str` of "
        "`settings = Settings()`: start-up fails before the fallback runs); a signing "
        "key read as the text of a variable that may be missing (`str(os.getenv("
        "'ACCESS_SECRET_KEY'))`, no default: the key `'None'`; a setting nothing reads "
        "(fastapi-jwt-auth's `authjwt_*` settings are read by the library) "
        "aside); a signing key held by a settings class without a settings base (`class "
        "Settings():` of attributes, or `class Settings(BaseModel)`, `SECRET_KEY: str = "
        "'secretkey'`: no environment replaces it, read as a module's constant); a "
        "literal key given to a signer "
        "(`jwt.encode(payload, '...')`, python-jose's "
        "`jwt`, itsdangerous' serializers, `SessionMiddleware`'s `secret_key=`, sqladmin's "
        "`AuthenticationBackend(secret_key=...)` and its subclasses): the key "
        "itself, whatever it reads like (not a public key), and so a module constant the "
        "module gives a signer (`SECRET_KEY = 'SECRET_KEY'`, then `jwt.encode(data, "
        "SECRET_KEY)`), or a class's attribute its methods give one (`secret = "
        "'supersecret'`, then `jwt.encode(payload, self.secret)`); a signing key's "
        "settings default or "
        "environment fallback even when it reads like a name or is short "
        "(`SECRET_KEY: str = 'your-secret-key'`, `os.getenv('JWT_SECRET_KEY', 'secret')`: "
        "the key tokens are signed with unless the environment sets one; not a value "
        "naming something else, `'sandbox-proxy-ca'`, a Kubernetes secret's name, nor the "
        "key a token is kept under, `COOKIE_REFRESH_TOKEN_KEY = 'fba_refresh_token'`, a "
        "cookie's name; nor a placeholder in capitals, or asking for the value in any "
        "case, as another service's API secret, `livekit_api_secret = "
        "'ENTER_YOUR_LIVE_KIT_API_SECRET'`, `stripe.api_key = 'Enter_Your_API_Key'`, "
        "`STRIPE_SECRET_KEY` falling back to `'sk_test_your_key_here'` or defaulting to a "
        "provider's prefix and a stand-in word, `'sk_test_dummy'`, which that service "
        "must share); a credential sent with a request, in a `headers=` dict (an "
        "`Authorization` scheme's value, `'Bearer 9f8e...'`, or an API-key header's) or a "
        "`cookies=` dict (a session's or a token's cookie), 16 characters or more and not "
        "a placeholder, once per dict; and "
        "database URLs with a password. Not secrets: placeholders (not a key in "
        "capitals with digits among its letters, `'HDG673L2MNDUI76E'`, or of 24 or more "
        "with a digit and no underscore), environment variable "
        "names, lower-case identifiers without digit runs (`'polar_client_secret'`; not "
        "random letters, `'ybddxyueijfkscku'`, a Google app password's form; not "
        "inside `SecretStr(...)`, which declares a secret: `SecretStr('secret-prod')` is "
        "one), a "
        "value that only repeats words of its name (`INVALID_API_KEY = 'invalid api key'`, "
        "`_USER_API_KEY = 'UserApiKey'`), "
        "a name about the secret (`missing_api_key`, `invalid_password`, `FORGOT_PASSWORD`, "
        "`user_wrong_password`, `FAIL_ACCESS_TOKEN`, `ACCESS_TOKEN_ERROR`: messages and "
        "states), keys made public (PostHog "
        "`phc_...`, Stripe `pk_live_...`, a name saying `public` or `publishable`, a "
        "Firebase web app's `apiKey` beside its `authDomain`, `projectId`, `appId`), a "
        "provider's "
        "key prefix alone (`'sk-proj-'`: a placeholder to complete), a masked or elided "
        "key (`'ya29.a0AfH6xxxxxxxx'`, `'sk-...a1b2'`, `'****'`) or a value masked whole "
        "(`'***hidden***'`), a disabled account's password no login matches (`'!'`, "
        "`'!disabled-system-user!'`), a regular expression "
        "that finds keys (`r'sk-[a-zA-Z0-9]{20,}'`: a character range, a counted "
        "repetition, `\\d`, `(?:`), a dict's value of words "
        "separated by spaces (`{'api_key': 'Elastic Api Key'}`, `{'secret': 'Key has been "
        "deactivated'}`: a label or a message; so under any name of an API key or token, "
        "`EXECUTE_API_KEY = 'Process document'`, `API_TOKEN = 'Ваш Telegram Bot API "
        "токен'`, words of any script; a variable of another name holding such "
        "words holds a weak secret or a passphrase), values "
        "inside API examples (`examples=`, `json_schema_extra=`, `openapi_extra=`, or held "
        "by a name that says so: `USER_CREATE_EXAMPLES = {...}`, `merge_examples(...)`, "
        "`_EXAMPLE_ACCESS_TOKEN = 'eyJ...'`), "
        "a path or URL template (`CLIENT_SECRET = '/oauth/client/{client_id}/secret'`: a "
        "value starting with `/` or holding `{name}` fields) and a message to format "
        "(`{'set_api_key': 'Set the API key in the configuration file {}'}`: `{}`, `{0}`, "
        "`%s`), "
        "the name of a header (`TOKEN_KEY = 'X-APP-TOKEN'`), the defaults of a settings "
        "class named for a development or test profile (`DevelopmentSettings`, "
        "`TestingConfig`, `LocalSettings`: held back, reported when named and in new "
        "code), a settings default the module "
        "compares with to refuse it (`if self.secret_key == 'change-me': raise ...` in a "
        "validator, an exit, an `assert`, an error collected in a list the function "
        "raises further down; not a warning printed, after which the service "
        "signs with it all the same; or a constant a validator names, or a private one "
        "the class compares a setting with, `self.SECRET_KEY == self._DEV_SECRET_KEY`), an "
        "OAuth client's "
        "secret "
        "placeholder (`GOOGLE_CLIENT_SECRET = 'your-google-client-secret'`, "
        "`FACEBOOK_APP_SECRET`, `*_CONSUMER_SECRET`: the provider's, not a key the service "
        "signs with), "
        "a password's hash (bcrypt's "
        "`$2b$...`, argon2's, a hex digest) as a user table stores it, "
        "and the URL of a database on `localhost`, on a host of one label (`db`, a compose "
        "service's name), or whose password repeats its user name or is `password` "
        "(`postgres:postgres@db`: a development default); so, too, a "
        "password the service gives a server that the settings next to it place on this "
        "machine (`NEO4J_PASSWORD` beside `NEO4J_URI = 'bolt://localhost:7687'`, in one dict "
        "or call or among the statements of a block, related by the first word of their "
        "names or environment variables; not a key the service signs with, unless its name "
        "says which server it is for: `MINIO_SECRET_KEY`), or one that repeats the user "
        "given next to it (`minioadmin`/`minioadmin`); a settings class's fields are named "
        "with its `env_prefix` there when it names a server (`S3_`, not an app's own "
        "`polar_`). A module's "
        "constant named as a signing key (`JWT_SECRET = 'mysupersecret'`) is the key "
        "itself: a lower-case word is one there.\n\n"
        "Where it applies: every layer but tests (fixed fake secrets and passwords in "
        "request bodies are what tests are made of; a module that defines a `TestCase` "
        "is a test wherever it lies, and so is a class named for tests, `TestSettings`, "
        "`TestingConfig`, in a settings module) and development tooling (the "
        "`tooling` layer: seed data and scripts, demos, examples, `scripts/`, `seeds/`, "
        "`fixtures/`, `dev/`; an LLM agent's `tools/` package is the service's code), nor "
        "a module's `if __name__ == '__main__':` block (its own demo run) and the "
        "functions only that block calls (`def main():` with sample input), or only such "
        "functions do (a seed script's `create_users()`, called by the `reset_database()` "
        "the block runs), and, in a client script of a server on this machine "
        "(`http://localhost:8000`), the module-level data only those and the steps the "
        "block leaves out name (the bodies it posts; a seed script's accounts stand: its "
        "deployment may run it), nor a function named as a stand-in (`generate_mock_jwt`, "
        "`fake_user`: `mock`, `fake`, `dummy`, `stub`), nor a module "
        "that makes fake data (it imports Faker, factory_boy, polyfactory or mimesis: "
        "the password of the accounts it makes for tests and seeds)."
    )
    why = (
        "A secret in the code is in every clone, fork, CI log and backup of the "
        "repository, and rotating it means a deploy. Settings read it from the "
        "environment (or a secret store) as `SecretStr`; the code keeps only the name. "
        "Tests may use fixed fake secrets."
    )
    bad = (
        Example(
            """
            from app.core.security import create_user

            DEMO_USERS = [{"email": "admin@demo.vet", "password": "admin123", "role": "admin"}]


            def bootstrap_users() -> None:
                for user in DEMO_USERS:
                    create_user(**user)


            if __name__ == "__main__":
                bootstrap_users()
            """,
            path="app/bootstrap_users.py",
            note=(
                "a seed script's accounts, which its deployment may run (EFRAN033's, run by "
                "its Docker entrypoint): no local server's test data"
            ),
        ),
        Example(
            """
            DEFAULT_ADMIN = {"email": "admin@example.com", "password": "Adm1n-2024-x"}


            def ensure_admin(users: dict[str, dict[str, str]]) -> None:
                users.setdefault(DEFAULT_ADMIN["email"], DEFAULT_ADMIN)


            if __name__ == "__main__":
                print(DEFAULT_ADMIN)
            """,
            path="app/core/admin.py",
            note=(
                "data the `__main__` block prints, which a function the module does not "
                "only run from there reads too"
            ),
        ),
        Example(
            """
            SECRET_KEY = "f3a9c2e1d4b5a6978877665544332211"
            DATABASE_URL = "postgresql+asyncpg://app:hunter2hunter2@db.internal:5432/app"


            def connect(client_factory):
                return client_factory(api_key="sk_live_0123456789abcdef")
            """,
            expect=3,
        ),
        Example(
            """
            import jwt

            SECRET_KEY = "SECRET_KEY"


            def issue(user_id: int) -> str:
                return jwt.encode({"sub": str(user_id)}, SECRET_KEY, algorithm="HS256")
            """,
            note=(
                "a placeholder in capitals the module signs with: the key anyone can forge "
                "tokens with (lorevange's)"
            ),
        ),
        Example(
            """
            from sqladmin.authentication import AuthenticationBackend
            from starlette.requests import Request


            class AdminAuth(AuthenticationBackend):
                async def authenticate(self, request: Request) -> bool:
                    return "token" in request.session


            authentication_backend = AdminAuth(secret_key="...")
            """,
            note=(
                "sqladmin's login backend signs its session cookie with `secret_key=` "
                '(its docs\' `"..."`, copied as it is)'
            ),
        ),
        Example(
            """
            import httpx


            async def profile(client: httpx.AsyncClient, username: str) -> dict:
                response = await client.get(
                    f"https://www.example-social.com/@{username}",
                    cookies={"sessionid": "1709dc65dbf38af23f5ba125d895e8a1", "lang": "en"},
                )
                return response.json()
            """,
            note="an account's session cookie sent with a request",
        ),
        Example(
            """
            import jwt

            JWT_SECRET = "mysupersecret"


            def issue(claims: dict[str, str]) -> str:
                return jwt.encode(claims, JWT_SECRET, algorithm="HS256")
            """,
            note="a module's signing key: the key itself, however it reads",
        ),
        Example(
            """
            import smtplib


            def send_email(message: EmailMessage) -> None:
                app_email_password = "ybddxyueijfkscku"
                with smtplib.SMTP_SSL("smtp.gmail.com", 465) as smtp:
                    smtp.login("alerts@example.com", app_email_password)
                    smtp.send_message(message)
            """,
            note="random letters, a Google app password's form (login-backend)",
        ),
        Example(
            """
            import os


            def verify(token: str) -> str:
                jwt_secret = os.environ.get("KEEP_JWT_SECRET", "jwtsecret")
                return jwt_secret
            """,
            path="app/auth/verifier.py",
            also=("FG407",),
            note="a signing key's fallback that says what it is, its words run together (keep)",
        ),
        Example(
            """
            GITHUB_ACCESS_TOKEN = "ghp_4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e"
            """,
            path="app/agent/tools/github.py",
            note="an LLM agent's tools are the service's code, not development tooling",
        ),
        Example(
            """
            DEFAULTS = {
                "AES_ENCRYPTION_KEY": "b90e4648ad699c3bdf62c0860e09eb9efc098ee75f215bf7",
                "JWT_SECRET_KEY": "dbefe42f34473990a3fa903a6a3283acdc3a910beb1ae271",
            }
            """,
            expect=2,
            note="defaults a deployment keeps unless it overrides them",
        ),
        Example(
            """
            import os

            from pydantic import SecretStr
            from pydantic_settings import BaseSettings

            JWT_SECRET = os.getenv("JWT_SECRET", "dev-secret-key-1234567")


            class ProdSettings(BaseSettings):
                secret_key: SecretStr = SecretStr("secret-prod")
                REFRESH_TOKEN_KEY: str = "dev-refresh-key-change-in-production"
            """,
            expect=3,
            path="app/core/settings.py",
            note="an environment read's fallback, a settings field's default declared secret",
        ),
        Example(
            """
            import os

            SECRET_KEY = os.getenv("SECRET_KEY") or "dev-secret-key-1234567"


            class SearchStore:
                def __init__(self, password: str | None = None) -> None:
                    self.password = password or os.getenv("ES_PASSWORD", "Xk93mQ7pLw2z")
            """,
            expect=2,
            path="app/core/config.py",
            note="a fallback after `or`: the last operand is what runs when the rest is empty",
        ),
        Example(
            """
            from pydantic_settings import BaseSettings


            class Settings(BaseSettings):
                COOKIE_SECRET_KEY: str = "cookie-signing-key-0042"
                SESSION_TOKEN_KEY: str = "s3ss10n-t0k3n-k3y"


            def main() -> None:
                connect(password="Xk93mQ7pLw2z")


            def serve() -> None:
                main()


            if __name__ == "__main__":
                main()
            """,
            expect=3,
            path="app/core/settings.py",
            note="a cookie's signing key; a function the module calls besides its `__main__` block",
        ),
        Example(
            '''
            JWT_PRIVATE_KEY = """-----BEGIN PRIVATE KEY-----
            MC4CAQAwBQYDK2VwBCIEIMbn1zaD3WqQ8rX2kV7o0wYc5d2fJvZyq9XoG0rW1a2b
            -----END PRIVATE KEY-----"""
            ''',
            note="a PEM key: text of several lines that is a secret",
        ),
        Example(
            """
            from pydantic_settings import BaseSettings


            class Settings(BaseSettings):
                SECRET_KEY: str = "TEST_SECRET_DO_NOT_USE_IN_PROD"
                AUTH_SECRET: bytes = b"O/M2uIbGj+lDD2oyNa8ax4jEOJqCPJzO53UbWShmq98="
            """,
            expect=2,
            path="app/core/config.py",
            note="a signing key's default in capitals; a key given as bytes (Open-Assistant)",
        ),
        Example(
            """
            from pydantic_settings import BaseSettings


            class Settings(BaseSettings):
                POSTGRES_SERVER: str = "localhost"
                ADMIN_PASSWORD: str = "Adm1n-Bootstrap-2024"
            """,
            path="app/core/config.py",
            note="the service's own credential beside a local database's host (not its setting)",
        ),
        Example(
            """
            DEFAULTS = {
                "HOST_URL": "http://localhost:8000",
                "AES_ENCRYPTION_KEY": "b90e4648ad699c3bdf62c0860e09eb9efc098ee75f215bf7",
            }
            """,
            path="app/config.py",
            note="a key the service encrypts with, in a dict beside its own local URL (taskingai)",
        ),
    )
    good = (
        Example(
            """
            import os


            def neo4j_config() -> dict[str, str]:
                return {
                    "uri": os.getenv("NEO4J_URI", "bolt://localhost:7687"),
                    "user": os.getenv("NEO4J_USER", "neo4j"),
                    "password": os.getenv("NEO4J_PASSWORD", "12345678"),
                }
            """,
            path="app/api/config.py",
            note="a password for a server its settings place on this machine (memos' Neo4j)",
        ),
        Example(
            """
            HINTS = {
                "gmail_app_password": "Use an App Password: https://myaccount.google.com/apppasswords",
                "check_password": "Make sure EMAIL_PASSWORD in .env is a 16-character App Password",
            }
            """,
            note="sentences about a password, with a URL and a variable's name (keepa's hints)",
        ),
        Example(
            """
            from pydantic_settings import BaseSettings


            class Settings(BaseSettings):
                POSTGRES_SERVER: str = "localhost"
                POSTGRES_PASSWORD: str = "Password123@pg"
                TOKEN_KEY: str = "X-APP-TOKEN"
            """,
            path="app/core/config.py",
            note="a local database's password; the name of the header a token comes in (sqlbot)",
        ),
        Example(
            """
            import os

            pg_host = os.environ.get("POSTGRES_HOST", "database")
            pg_password = os.environ.get("POSTGRES_PASSWORD", "password123")
            DATABASE_URL = f"postgresql://app:{pg_password}@{pg_host}:5432/app"
            """,
            path="infrastructure/database.py",
            note="the password of a database on a compose service's host, as its compose "
            "file gives it (LeoFernanndes', reader 108)",
        ),
        Example(
            """
            import os


            class Storage:
                def __init__(self) -> None:
                    self.endpoint = os.getenv("MINIO_URI") or "http://minio:9000"
                    self.access_key = os.getenv("MINIO_ACCESS_KEY") or "minioadmin"
                    self.secret_key = os.getenv("MINIO_SECRET_KEY") or "minioadmin"
            """,
            path="app/storage/minio.py",
            note="a password that repeats its user name: the server's factory default (yuxi)",
        ),
        Example(
            """
            from pydantic_settings import BaseSettings, SettingsConfigDict


            class S3Settings(BaseSettings):
                model_config = SettingsConfigDict(env_prefix="S3_")

                endpoint_url: str = "http://localhost:9000"
                access_key: str = "minioadmin"
                secret_key: str = "minioadmin"


            class LiveKitSettings(BaseSettings):
                model_config = SettingsConfigDict(env_prefix="LIVEKIT_")

                url: str = "http://localhost:7880"
                api_key: str = "devkey"
                api_secret: str = "secret1234567890secret1234567890"


            class RedisSettings(BaseSettings):
                url: str = "redis://localhost:6379/0"
                password: str = "r3d1s-Pa55w0rd!"

                class Config:
                    env_prefix = "REDIS_"
            """,
            path="app/core/config/storage.py",
            note="one server's settings, read from `S3_*` and `LIVEKIT_*` variables: its "
            "factory default, and a development server's key pair on this machine "
            "(Shizik3535's, reader 118)",
        ),
        Example(
            """
            DEFAULT_ADMIN = {
                "account": "admin",
                "password": "8f32d1e371702c1b1b7346f4b07a701d",
            }
            """,
            path="app/bootstrap.py",
            note="a password's hash, as a user table stores it: no password (sqlbot's seed row)",
        ),
        Example(
            """
            class CollectionKey:
                EXECUTE_API_KEY = "Process document"
                STATUS_API_KEY = "Execution status"
            """,
            path="app/postman/constants.py",
            note="labels under a key's name: no API key holds spaces (unstract's Postman items)",
        ),
        Example(
            """
            from minio import Minio


            def client(endpoint: str, access_key: str, secret_key: str) -> Minio:
                return Minio(endpoint, access_key=access_key, secret_key=secret_key)


            if __name__ == "__main__":
                _secret_key = "12345678"
                print(client("localhost:9000", "minioadmin", _secret_key).list_buckets())
            """,
            path="app/utils/minio_client.py",
            note="a module's own demo run, under its `__main__` guard",
        ),
        Example(
            """
            def mask(record: dict[str, str]) -> dict[str, str]:
                return {key: "***" if key == "password" else value for key, value in record.items()}


            def main() -> None:
                print(mask({"user": "alice", "password": "mysecret123"}))


            if __name__ == "__main__":
                main()
            """,
            path="app/utils/mask_data.py",
            note="sample input of a function only the `__main__` block calls (bisheng)",
        ),
        Example(
            """
            import requests

            BASE_URL = "http://localhost:8000"
            users = [{"email": f"user{n}@example.com", "password": "123123123"} for n in range(10)]
            password_change = {"current_password": "password123", "new_password": "pass4567"}


            def create_user(user: dict[str, str]) -> None:
                requests.post(f"{BASE_URL}/users", json=user, timeout=10)


            def change_password() -> None:
                requests.patch(f"{BASE_URL}/users/me/password", json=password_change, timeout=10)


            if __name__ == "__main__":
                for user in users:
                    create_user(user)
            """,
            path="app/api_simulation.py",
            note=(
                "the bodies a hand-run client script posts to its local server: data only "
                "the `__main__` block, the functions only it calls and the steps it leaves "
                "out name (Sunny-Clover's)"
            ),
        ),
        Example(
            """
            from pydantic_settings import BaseSettings


            class Settings(BaseSettings):
                COOKIE_REFRESH_TOKEN_KEY: str = "fba_refresh_token"
                REFRESH_TOKEN_KEY: str = "refreshToken"
                TOKEN_SECRET_KEY: str
            """,
            path="app/core/conf.py",
            note=(
                "the name of the cookie a token is kept in (fastapi_best_architecture's; "
                "9WooPWooP8's `refreshToken`)"
            ),
        ),
        Example(
            """
            SECRET_KEY = "secret_key"
            CLIENT_SECRET = "client_secret"
            CSRF_TOKEN_KEY = "csrftoken"
            DB_CREDENTIALS_DICT_TOKEN_KEY = "google_tokens"
            MCP_PREVIOUS_REFRESH_TOKEN_KEY = "_pgpt_previous_refresh_token"
            """,
            path="app/core/oauth_fields.py",
            note=(
                "constants naming a form's or a config's fields: they repeat their names, or "
                "name the metadata key a token is kept under (privategpt's, a leading `_`)"
            ),
        ),
        Example(
            """
            import os

            from pydantic import Field, SecretStr
            from pydantic_settings import BaseSettings

            DEBUG = os.getenv("DEBUG", "false")
            DB_PASSWORD = os.getenv("DB_PASSWORD", "")


            class Settings(BaseSettings):
                secret_key: SecretStr
                api_key: str = Field(..., description="the provider's key")
            """,
            path="app/core/settings.py",
            note="no fallback: a missing variable fails at start-up",
        ),
        Example(
            """
            # the web client's key, in every page the site serves
            INNERTUBE_PUBLIC_API_KEY = "web3f9a8c2e71b04d6a9e5c0d1b"
            """,
            note="a key its name says is public",
        ),
        Example(
            """
            INSERT_REFRESH_TOKEN = "INSERT INTO refresh_tokens (user_id, hash) VALUES (:id, :hash)"
            """,
            note="SQL text named for the table it writes (an ERP's queries)",
        ),
        Example(
            """
            import unittest

            import requests


            class SignupTests(unittest.TestCase):
                def test_signup(self) -> None:
                    body = {"email": "qa@example.com", "password": "Pa$$w0rd!"}
                    response = requests.post("https://staging.example.com/auth/signup", json=body)
                    self.assertEqual(response.status_code, 201)
            """,
            path="api/v1/services/api_tests.py",
            note="a test case outside the tests folder: a module defining a `TestCase` is a "
            "test (hng's `services/api_tests.py`)",
        ),
        Example(
            """
            from enum import Enum


            class AuditEvent(str, Enum):
                user_authenticated = "User Authenticated"
                user_wrong_password = "User Entered Incorrect Password"
            """,
            path="app/models/audit_log.py",
            note="an audit event named for a wrong password (laa-civil-case-api)",
        ),
        Example(
            """
            from pydantic import SecretStr
            from pydantic_settings import BaseSettings


            class Settings(BaseSettings):
                secret_key: SecretStr
                database_url: str = "postgresql+asyncpg://app@localhost:5432/app"
            """
        ),
        Example(
            """
            TOKEN_TYPE = "bearer"
            PASSWORD_ENV = "APP_PASSWORD"
            password = ""
            api_key = "${API_KEY}"
            """,
            note="not secrets: a token type, an environment variable name, empty, a template",
        ),
        Example(
            """
            CONFIG_KEYS = {"host": "Elastic hostname", "api_key": "Elastic Api Key"}
            revoked = {"secret": "Key has been deactivated"}
            SAMPLE = {"access_token": "ya29.a0AfH6SMBxxxxxxxxxxxxxxxxxxxxxxxx"}
            MASKED_KEY = "sk-...a1b2"
            """,
            note="a label, a message, a masked sample and an elided key: no secret",
        ),
        Example(
            """
            from app.models import User

            def system_user() -> User:
                return User(email="system@example.com", password="!disabled-system-user!")

            def mail_settings() -> dict[str, str]:
                return {"smtp_host": "smtp.example.com", "smtp_password": "***hidden***"}
            """,
            note="a disabled account's password no login matches, and a masked value",
        ),
        Example(
            """
            import os

            STRIPE_SECRET_KEY = os.getenv("STRIPE_SECRET_KEY", "sk_test_your_key_here")
            """,
            note="a request for another service's key, in its test mode's shape",
        ),
        Example(
            '''
            EMAIL_TEMPLATES = {
                "reset_password": """
            <p>Hi {{ name }}, your password reset code is:</p>
            <p>{{ otp }}</p>
            """,
                "admin_password": "<b>Your new password is set</b>",
            }
            ''',
            note="markup and templates: the e-mail a reset sends, not a secret",
        ),
        Example(
            r"""
            REDACTED = {
                "API_KEY": r"(sk-[a-zA-Z0-9]{20,})",
                "JWT_TOKEN": r"eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+",
            }
            """,
            note="a log redactor's patterns: regular expressions that find keys",
        ),
        Example(
            """
            from enum import StrEnum

            class TokenKind(StrEnum):
                client_secret = "polar_client_secret"
                access_token = "polar_access_token"

            FIELD = {"client_secret": "client_secret"}
            """,
            note="identifiers that name a secret (polar's token kinds)",
        ),
        Example(
            """
            AUTH_ERROR_INVALID_API_KEY = "invalid api key"
            FORGOT_PASSWORD = "password-reset"
            DEFAULT_DATABASE_URL = "postgresql+asyncpg://app:app@localhost:5432/app"
            COMPOSE_DATABASE_URL = "postgresql+asyncpg://myuser:mypassword@db:5432/mydb"
            """,
            note=(
                "a message that repeats its name, a mailed token's purpose; a local "
                "development database (onyx, letta), one on a compose service's host"
            ),
        ),
        Example(
            """
            postgres_password = "admin123"
            postgres_host = "127.0.0.1"
            """,
            note="a module's password for a server its neighbour places on this machine",
        ),
        Example(
            """
            _USER_API_KEY = "UserApiKey"
            """,
            note="a type name that spells its own name in CamelCase (a GraphQL node name)",
        ),
        Example(
            """
            def test_login_rejects_a_wrong_password(client) -> None:
                response = client.post(
                    "/auth/login", json={"email": "a@example.com", "password": "hunter2hunter2"}
                )
                assert response.status_code == 401
            """,
            path="tests/test_auth.py",
            note="a password in a test's request body",
        ),
        Example(
            """
            SECRET_KEY = "test-secret-key-for-the-suite"
            """,
            path="tests/conftest.py",
            note="tests",
        ),
        Example(
            """
            CLIENT_SECRET = "/oauth/client/{client_id}/secret"
            RESET_PASSWORD = "/auth/reset-password"
            """,
            note="routes named like a secret: a path, a URL template",
        ),
        Example(
            """
            MESSAGES = {
                "set_api_key": "Please set the correct API Key in the configuration file {}",
                "api_key_for": "API key of %s:",
            }
            """,
            note="messages to format (DB-GPT's installer): `{}` and `%s` are no key's",
        ),
        Example(
            """
            # Fixed HMAC key for KEK identification: a protocol constant
            _KEK_ID_HMAC_KEY = b"fides-kek-id"
            """,
            note="a bytes constant outside settings: a protocol's constant as often as a key",
        ),
        Example(
            """
            DEMO_USERS = [{"username": "demo_owner", "password": "DemoOwner123!"}]
            """,
            path="qa/scenarios/sharing_demo.py",
            note="development tooling: a demo's users (the `tooling` layer)",
        ),
        Example(
            """
            from pydantic_settings import BaseSettings


            class Settings(BaseSettings):
                livekit_api_key: str = "ENTER_YOUR_LIVE_KIT_API_KEY"
                livekit_api_secret: str = "ENTER_YOUR_LIVE_KIT_API_SECRET"
            """,
            path="apps/livekit/app.py",
            note="placeholders for another service's key and secret (vocode's LiveKit app)",
        ),
    )

    def may_fire(self, evidence: Evidence) -> bool:
        source = evidence.source
        return (
            evidence.mentions(_SECRET_WORDS)
            or b"://" in source
            # a signer's literal key (`jwt.encode(payload, "k")`, `URLSafeSerializer("k")`)
            or b"jwt" in source
            or b"itsdangerous" in source
            # `_sent`: a credential in a request's headers or cookies
            or (b"headers=" in source and _CREDENTIAL_HEADER_WORDS.search(source) is not None)
            or (b"cookies=" in source and _SESSION_COOKIE_WORDS.search(source) is not None)
        )

    def may_fire_in(self, structure: Structure) -> bool:
        # the visitors below: a secret-named string (whole, where libcst may see a part of
        # an implicit concatenation), or a credentialed URL anywhere in a string constant
        if structure.layer in _EXEMPT_LAYERS:
            return False
        if any(
            site.last in _SIGNER_LAST_NAMES and _signer_literal(site.node, structure)
            for site in structure.calls
        ):
            return True
        if structure.refers_to(*_SIGNING_BACKENDS) and any(
            kw.arg == "secret_key" and _is_literal(kw.value)
            for site in structure.calls
            for kw in site.node.keywords
        ):
            return True  # `AdminAuth(secret_key="...")` of sqladmin's backend
        if any(_sends_a_credential(site.node) for site in structure.calls):
            return True  # `_sent`
        if any(
            # `declared`: a settings class's default (`_check`) is one
            (
                _SECRET_NAME.search(name)
                or (_TOKEN_FIELD.search(name) and _ISSUED_TOKEN.match(value))
            )
            and _is_secret_value(name, value, declared=True, signing=True)
            for name, value in structure.named_strings
        ) or any(_CREDENTIALED_URL_ANYWHERE.search(text) for text in structure.strings):
            return True
        if any(
            (unset := _none_when_unset_ast(call, structure)) is not None
            and (_SIGNING_NAME.search(holder) or _SIGNING_NAME.search(unset))
            for holder, call in structure.named_calls
        ):
            return True  # `_none_when_unset`
        # an environment read's or a wrapper's literal is reported under a secret name:
        # an identifier of the text (a target, an attribute, a keyword, as written) or a
        # string's value (a dict key, an environment variable's name, escapes decoded)
        if structure.source is not None and not (
            _SECRET_WORDS.search(structure.source.lower())
            or any(_SECRET_TEXT.search(text.lower()) for text in structure.strings)
        ):
            return False
        # `_wrapped`: a literal in a wrapper or an environment read, where `_check` reads
        # it: a call held by a name (assigned, a keyword's, a dict's; never a statement:
        # gpustack's `parser.add_argument("--api-key", default=None)`), under a secret
        # name: the holder's, or else the variable an environment read names (polar's
        # `THRESHOLD = os.getenv("LOAD_TEST_..._THRESHOLD", "1000")` has neither)
        for holder, call in structure.named_calls:
            while (
                (
                    (
                        isinstance(call.func, ast.Name)
                        and call.func.id == "str"
                        and len(call.args) == 1
                        and not call.keywords
                    )
                    or not structure.qualified(dotted_name(call.func)).isdisjoint(_QUOTES)
                )
                and call.args
                and isinstance(call.args[0], ast.Call)
            ):
                # `str(os.environ.get("KEY", "..."))`, `quote_plus(...)` of one
                call = call.args[0]
            func = call.func
            last = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if not (
                any(keyword.arg == "default" for keyword in call.keywords)
                or (
                    last in _WRAPPER_NAMES
                    # `_wrapped` reads a positional literal of these only: a `.get()` of
                    # a dict (`headers.get("Authorization")`) holds none, nor a builtin
                    # (`getattr(request.state, "api_key", None)`)
                    and (
                        last != "get"
                        or not structure.qualified(dotted_name(func)).isdisjoint(_ENV_READS)
                    )
                )
                # `env.str("X", "...")` of an `Env()` (`_env_instance_read`)
                or (isinstance(func, ast.Attribute) and last == "str")
            ):
                continue
            literals = _literals(call)
            if not literals:
                continue
            names = [holder]
            first = next(iter(_positional(call)), None)
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                names.append(first.value)  # an environment read's variable
            if any(
                _SECRET_NAME.search(name)
                and _is_secret_value(name, value, declared=True, signing=True)
                for name in names
                for value in literals
            ):
                return True
        return False

    def _check(
        self,
        name: str,
        value: cst.BaseExpression | None,
        node: cst.CSTNode,
        ctx: FileContext,
        in_dict: bool = False,
        constant: bool = False,
    ) -> None:
        message = None
        field = name
        unset = _none_when_unset(value, ctx) if isinstance(value, cst.Call) else None
        if unset is not None:
            # pkrecz's `ACCESS_SECRET_KEY: str = str(os.getenv("ACCESS_SECRET_KEY"))`
            # (reader 170): a key anyone can guess wherever the variable is not set
            spelled, unset_variable = unset
            if (_SIGNING_NAME.search(name) or _SIGNING_NAME.search(unset_variable)) and not (
                _names_a_place(name) or _SHARED_SECRET.search(name) or _in_demo_function(ctx, node)
            ):
                message = _NONE_KEY.format(read=spelled, variable=unset_variable)
                if _in_settings_class(ctx) and isinstance(node, cst.AnnAssign | cst.Assign):
                    used = Condition((), frozenset(), fact=used_fact(self.code, FIELD + field))
                    ctx.report_if(node, used, message)
                elif constant and unset_variable == field:
                    named = Condition((), frozenset(), fact=used_fact(self.code, ENV_NAMED + field))
                    ctx.report_if(node, named, message)
                else:
                    ctx.report(node, message)
            return
        # `os.getenv("SECRET_KEY") or "dev-secret-123"`, `password or os.getenv("X", "...")`:
        # the last operand of an `or` is the fallback the code runs with
        read_before: str | None = None
        operands = _or_operands(value) if isinstance(value, cst.BooleanOperation) else None
        if operands is not None:
            read_before = next(
                (found for operand in operands[:-1] if (found := _env_variable(operand, ctx))),
                None,
            )
            value = operands[-1]
        elif constant:
            # `SECRET_KEY = os.getenv("SECRET_KEY")`, then `if not SECRET_KEY: SECRET_KEY =
            # "insecure-dev-secret"` (amusphere's, reader 80): the fallback of that read
            read_before = _fallback_of_a_read(name, ctx)
        # a settings class's default is the value the service runs with unless the
        # environment says otherwise: a slug there (`"your-secret-key"`) signing tokens is
        # a weak key anyone can forge with (a password's or an API key's slug fails to
        # log in instead: `"postgres"`, `"sk-local"`)
        # a private attribute (`_DEFAULT_PASSWORD`: Pydantic reads no environment for it)
        # or a `ClassVar` is no field the environment sets (mealie's first admin's
        # documented password, judged not worth acting on)
        in_settings = _in_settings_class(ctx) and not (
            name.startswith("_") or _class_var(node, ctx)
        )
        # bytes there too (`AUTH_SECRET: bytes = b"..."`); elsewhere a bytes constant named
        # like a key is as often a protocol's constant (fides' `_KEK_ID_HMAC_KEY =
        # b"fides-kek-id"`, a fingerprint's salt)
        text = _literal_text(value) if in_settings else string_value(value)
        declared = (
            in_settings
            and _SIGNING_NAME.search(name) is not None
            and not _names_a_place(name)
            and not _paired_with_an_access_key(name, node, ctx)
        )
        if in_settings:
            message = _SETTINGS_DEFAULT
        from_environment = False
        variable: str | None = None  # the environment variable read, when one is
        if text is None and isinstance(value, cst.Call):
            text, env_name = _wrapped(value, ctx)
            declared = declared or (ctx.qualified_name(value.func) or "").endswith(
                ("SecretStr", "SecretBytes")
            )
            if env_name is not None:
                variable = env_name
                from_environment = True
                message = _ENV_DEFAULT.format(variable=env_name)
                if not _SECRET_NAME.search(name):
                    name = env_name  # `signing = os.getenv("JWT_SECRET", "...")`
        elif text is not None and read_before is not None:
            from_environment = True
            message = _ENV_DEFAULT.format(variable=read_before)
            if not _SECRET_NAME.search(name):
                name = read_before  # `signing = os.getenv("JWT_SECRET") or "..."`
        # a settings class without a settings base (`class Settings():`) holds the key
        # the service signs with, and no environment replaces it
        in_config_class = constant and not _at_module_level(ctx)
        signing = (
            (in_settings or from_environment or in_config_class)
            and _SIGNING_NAME.search(name)
            and not _names_a_place(name)
            and not _paired_with_an_access_key(name, node, ctx)
            # another service's API secret is no key the service signs with: a placeholder
            # fallback there (`"api_secret": os.getenv("SMS_API_SECRET",
            # "your_api_secret")`: HealthMatch's, reader 146) forges nothing
            and not _SHARED_SECRET.search(name)
        )
        # a module's constant named as a signing key (`JWT_SECRET = "mysupersecret"`) is
        # the key itself, not a name: no lower-case word is spared there
        # (not `*_TOKEN_KEY`, which names a key of a dict as often: onyx's
        # `DB_CREDENTIALS_DICT_TOKEN_KEY = "google_tokens"`)
        declared = declared or (
            constant
            and _SIGNING_NAME.search(name) is not None
            and not name.lower().endswith("token_key")
            and not _names_a_place(name)
        )
        # a module's constant the module signs with (`jwt.encode(data, SECRET_KEY, ...)`)
        # is the key whatever it reads like: lorevange's `SECRET_KEY = "SECRET_KEY"`, a
        # placeholder in capitals anyone can forge tokens with (reader 106)
        signs = bool(signing) or (
            text is not None
            and (
                (constant and _signs_with(name, ctx))
                # a class's attribute its methods sign with (`secret = "supersecret"`,
                # then `jwt.encode(payload, self.secret)`: juampa95's `AuthHandler`,
                # reader 158)
                or (ctx.in_class_body and _signs_with(name, ctx, through_self=True))
            )
        )
        if (
            text is not None
            and (
                _SECRET_NAME.search(name)
                # a settings field of a token a provider issued, by its shape (AxasSoft's
                # `gsms_token`, a GreenSMS API token: reader 125)
                or (in_settings and _TOKEN_FIELD.search(name) and _ISSUED_TOKEN.match(text))
            )
            and _is_secret_value(
                name,
                text,
                in_dict,
                declared or signs,
                signs,
                held=isinstance(node, cst.Assign | cst.AnnAssign),
            )
            # a sentence that speaks of what its name names is a message about it, not
            # it (arindam-aspire's `AGENT_CREATED_WITH_TEMP_PASSWORD = "Agent created
            # successfully with a temporary password"`: reader 132); not a settings
            # default, which the service runs with (milashensky's `app_secret = 'add a
            # strong secret to .env'`), nor a key something signs with
            and (in_settings or signs or not (_prose(text) and _speaks_of(name, text)))
            and not _in_demo_function(ctx, node)
            and not _local_server_default(name, text, node, ctx)
        ):
            if in_settings and message == _SETTINGS_DEFAULT and _refused_default(text, ctx):
                return
            if (
                ctx.in_class_body
                and name.startswith("_")
                and _refused_default(text, ctx, name, validators=False)
            ):
                # a class's private default, refused where it matters (msg4naresh's
                # `_DEV_SECRET_KEY`: `if self.SECRET_KEY == self._DEV_SECRET_KEY and
                # self.ENVIRONMENT == "production": raise`, reader 176)
                return
            if constant and _refused_default(text, ctx, name):
                return  # the module's default, refused where it matters
            if (
                in_settings
                and (_generated(text) or _ISSUED_TOKEN.match(text))
                and _OWN_KEY_NAME.search(field) is None
            ):
                # a provider's key is leaked by the repository whether or not the service
                # reads it (nvson2201's unread `GOOGLE_CLIENT_SECRET = "GOCSPX-..."`,
                # reader 82); the service's own signing key nothing reads signs nothing
                # (RVG1995's `JWT_SECRET_KEY` in six services that verify RS256 tokens:
                # reader 117), as any setting nothing reads (below)
                read = variable or read_before
                leaked = _LEAKED_FALLBACK.format(variable=read) if read else _LEAKED_KEY
                ctx.report(node, leaked)
                return
            if in_settings and _development_profile(ctx):
                # the defaults of a development or test profile (wxhou's
                # `DevelopmentSettings`, chosen by the environment beside a
                # `ProductionSettings`: reader 157): the developer's machine's; held
                # back, reported where named and in new code
                held = Condition((), frozenset(), fact=used_fact(self.code, ""))
                ctx.report_if(node, held, message)
                return
            if in_settings and isinstance(node, cst.AnnAssign | cst.Assign):
                # a setting nothing reads is dead code: its default never runs
                # (evilmoose's `FIRST_SUPERUSER_PASSWORD`, reader 61)
                used = Condition((), frozenset(), fact=used_fact(self.code, FIELD + field))
                ctx.report_if(node, used, message)
                return
            fallback = variable or read_before
            # the fallback of a variable a settings class of the service requires never
            # runs: start-up fails first (Ljc798's `os.getenv("SECRET_KEY", "fallback-
            # secret")` beside `Settings.SECRET_KEY: str`, reader 148)
            unrequired = (
                Condition((), frozenset(), fact=used_fact(self.code, FALLBACK + fallback))
                if from_environment and fallback
                else None
            )
            if constant and variable == field and isinstance(node, cst.AnnAssign | cst.Assign):
                # a module's setting read from the variable of its name, which nothing
                # reads (TungYuChiang's `JWT_SECRET`, reader 94): dead code too
                named = Condition((), frozenset(), fact=used_fact(self.code, ENV_NAMED + field))
                ctx.report_if(
                    node, named if unrequired is None else conjoin(unrequired, named), message
                )
                return
            owner = ctx.enclosing_class if ctx.in_class_body else None
            if (
                owner is not None
                and _SETTINGS_CLASS_NAME.search(owner.name) is not None
                and isinstance(node, cst.AnnAssign | cst.Assign)
            ):
                # an attribute nothing reads of a class named for settings without a
                # settings base, as a setting nothing reads (Damian-Hsu's
                # `_Settings.stream_jwt_secret`, read nowhere: reader 200): dead code, its
                # default never runs
                used = Condition((), frozenset(), fact=used_fact(self.code, FIELD + field))
                ctx.report_if(
                    node, used if unrequired is None else conjoin(unrequired, used), message
                )
                return
            if unrequired is not None:
                ctx.report_if(node, unrequired, message)
                return
            ctx.report(node, message)

    def visit_Assign(self, node: cst.Assign, ctx: FileContext) -> None:
        if _exempt(ctx):
            return
        if any(_names_examples(target.target) for target in node.targets):
            _mark_examples(node.value, ctx)  # `USER_CREATE_EXAMPLES = {...}`
        for target in node.targets:
            name = target.target
            if isinstance(name, cst.Name):
                self._check(name.value, node.value, node, ctx, constant=_constant_here(ctx))
            elif isinstance(name, cst.Attribute):
                self._check(name.attr.value, node.value, node, ctx)
            elif (
                isinstance(name, cst.Subscript)
                and (key := string_value(subscript_key(name))) is not None
            ):
                # `config["password"] = "..."`, a dict's item as a display's is;
                # `os.environ["SECRET_KEY"] = "..."`, the variable the service reads
                environ = ctx.qualified_name(name.value) == "os.environ"
                self._check(key, node.value, node, ctx, in_dict=not environ)
            elif (
                isinstance(name, cst.Tuple | cst.List)
                and isinstance(node.value, cst.Tuple | cst.List)
                and len(name.elements) == len(node.value.elements)
                and not any(isinstance(e, cst.StarredElement) for e in name.elements)
                and not any(isinstance(e, cst.StarredElement) for e in node.value.elements)
            ):
                # `login, password = "GabitovDS", "21v1DF43!!!!"` (tzinchy's container
                # service, reader 157): each name given its element
                for element, value in zip(name.elements, node.value.elements, strict=True):
                    if isinstance(element.value, cst.Name):
                        self._check(
                            element.value.value,
                            value.value,
                            value.value,
                            ctx,
                            constant=_at_module_level(ctx),
                        )

    def visit_AnnAssign(self, node: cst.AnnAssign, ctx: FileContext) -> None:
        if node.value is not None and _names_examples(node.target):
            _mark_examples(node.value, ctx)
        if not _exempt(ctx) and isinstance(node.target, cst.Name):
            self._check(node.target.value, node.value, node, ctx, constant=_constant_here(ctx))

    def visit_If(self, node: cst.If, ctx: FileContext) -> None:
        if is_main_guard(node.test):
            ctx.stash(_MAIN_GUARDS).append(node)

    def leave_If(self, node: cst.If, ctx: FileContext) -> None:
        guards = ctx.stash(_MAIN_GUARDS)
        if guards and guards[-1] is node:
            guards.pop()

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        if _exempt(ctx):
            return
        if (
            ctx.qualified_name(node.func) == "os.environ.setdefault"
            and len(node.args) == 2
            and not any(arg.keyword or arg.star for arg in node.args)
            and (variable := string_value(node.args[0].value)) is not None
        ):
            # `os.environ.setdefault("SECRET_KEY", "...")`: the key the service signs
            # with wherever the environment sets none (PharmaGestion's Vercel entry
            # point, a miss of reader 156)
            self._check(variable, node.args[1].value, node.args[1], ctx, constant=True)
            return
        if _names_examples(node.func):
            _mark_examples(node, ctx)  # `merge_examples(base, {"password": "..."})`
            return
        found = _signer_key(node, ctx)
        if found is None:
            return
        callee, arg = found
        text = _literal_text(arg.value)
        if not text or "PUBLIC KEY" in text or _in_demo_function(ctx):
            return  # no key, or a public key (RS256's verifying half)
        ctx.marks(_SIGNER_KEYS).add(id(arg))
        ctx.report(arg, _SIGNER_MESSAGE.format(callee=callee))

    def visit_Arg(self, node: cst.Arg, ctx: FileContext) -> None:
        if id(node) in ctx.marks(_SIGNER_KEYS):
            return
        if node.keyword is not None and node.keyword.value in _EXAMPLE_KEYWORDS:
            _mark_examples(node.value, ctx)
            return
        if not _exempt(ctx) and node.keyword is not None and id(node) not in _examples(ctx):
            self._check(node.keyword.value, node.value, node, ctx)

    def visit_DictElement(self, node: cst.DictElement, ctx: FileContext) -> None:
        key = string_value(node.key)
        if key in _EXAMPLE_KEYWORDS:
            _mark_examples(node.value, ctx)  # `model_config = {"json_schema_extra": ...}`
            return
        if not _exempt(ctx) and key is not None and id(node) not in _examples(ctx):
            if _firebase_web_key(key, node, ctx):
                return
            self._check(key, node.value, node, ctx, in_dict=True)
            self._sent(key, node, ctx)

    def _sent(self, key: str, node: cst.DictElement, ctx: FileContext) -> None:
        """A credential in a request's `headers=` or `cookies=` dict."""
        text = string_value(node.value)
        if text is None or not any(
            _request_credential(keyword, key, text) for keyword in ("headers", "cookies")
        ):
            return  # asked first: finding the dict's argument searches the statement
        table = ctx.parent(node)
        arg = ctx.parent(table) if isinstance(table, cst.Dict) else None
        if not (isinstance(arg, cst.Arg) and arg.keyword is not None):
            return
        what = _request_credential(arg.keyword.value, key, text)
        reported = ctx.marks(_SENT)
        if what is not None and id(table) not in reported and not _in_demo_function(ctx):
            reported.add(id(table))  # one finding per dict: one fix, settings for all
            ctx.report(node.value, _REQUEST_CREDENTIAL_MESSAGE.format(what=what))

    def visit_SimpleString(self, node: cst.SimpleString, ctx: FileContext) -> None:
        if _exempt(ctx):
            return
        text = string_value(node)
        match = _CREDENTIALED_URL.match(text or "")
        if (
            match is not None
            and not _PLACEHOLDER.match(match["password"])
            and match["host"].lower() not in _LOCAL_HOSTS
            # a host of one label (`db`, `postgres`): a compose service's name, whose
            # password is the compose file's development default (readers 57 and 58:
            # `lms_user:superpassword@db`, `myuser:mypassword@db`)
            and "." in match["host"].strip("[]")
            # `postgres:postgres@db`, `app:password@db`: a compose file's default
            and match["password"].lower() not in {match["user"].lower(), *_DEFAULT_PASSWORDS}
        ):
            parent = ctx.parent(node)
            if _in_settings_class(ctx) and isinstance(parent, cst.AnnAssign | cst.Assign):
                # `database_url: str = "postgresql://app:s3cret@db/app"`: it is read from
                # settings already, and the default is what runs without the variable
                message = (
                    "Database URL with a password as a settings default: the service "
                    "connects with it unless the environment sets it; declare the field "
                    "without a default so that start-up fails instead"
                )
                target = (
                    parent.target if isinstance(parent, cst.AnnAssign) else parent.targets[0].target
                )
                if isinstance(target, cst.Name):
                    # unless nothing reads the setting: dead code, its default never runs
                    # (KirillEL's `DB_TEST_URI`, read nowhere, tests included: reader 200)
                    field = FIELD + target.value
                    used = Condition((), frozenset(), fact=used_fact(self.code, field))
                    ctx.report_if(node, used, message)
                else:
                    ctx.report(node, message)
            else:
                ctx.report(node, "Database URL with a password in the code: read it from settings")


#: `Authorization: Bearer <token>` and the other schemes a header carries a credential in
_AUTHORIZATION = lazy_pattern(r"(?i)(?:bearer|token|basic|bot|apikey|api-key)\s+(\S+)")
#: Headers whose whole value is a credential
_KEY_HEADERS = frozenset(
    {"x-api-key", "api-key", "apikey", "x-auth-token", "x-access-token", "x-token"}
)
#: A cookie's name that says it holds a session or a token
_SESSION_COOKIE = lazy_pattern(r"(?i)session|token|sid\b|^sid|auth")


def _request_credential(keyword: str, key: str, value: str) -> str | None:
    """What a literal sent with a request is, when it is a credential: the value of an
    `Authorization` header's scheme (`Bearer 9f8e...`) or of an API-key header, or a
    session or token cookie's (`{"sessionid": "1709dc65..."}`: Nurshot's TikTok account,
    reader 66); None for anything else (a placeholder, a template, a short value)."""
    lowered = key.lower()
    credential = None
    if keyword == "headers":
        if lowered in ("authorization", "proxy-authorization"):
            match = _AUTHORIZATION.fullmatch(value.strip())
            credential = match[1] if match else None
        elif lowered in _KEY_HEADERS:
            credential = value.strip()
        what = f"the `{key}` header"
    elif keyword == "cookies" and _SESSION_COOKIE.search(key):
        credential = value.strip()
        what = f"the `{key}` cookie"
    else:
        return None
    if credential is None or len(credential) < 16:
        return None
    if not _is_secret_value("api_key", credential, in_dict=True):
        return None
    return what


#: For the pre-filter: what a header `_request_credential` reads is named with (the
#: `Authorization` schemes' header, `_KEY_HEADERS`), and a session or token cookie's name.
_CREDENTIAL_HEADER_WORDS = lazy_pattern(rb"(?i)authorization|api-?key|-token")
_SESSION_COOKIE_WORDS = lazy_pattern(rb"(?i)session|token|sid|auth")
#: the `headers=`/`cookies=` dicts reported (`_sent`)
_SENT = "FG502.sent"
_REQUEST_CREDENTIAL_MESSAGE = (
    "Hard-coded credential sent with a request ({what}): anyone who reads the code can "
    "use it; read it from settings (`SecretStr`, from the environment)"
)


#: The attributes of fastapi-users' `BaseUserManager` that sign its tokens.
_MANAGER_SECRETS = frozenset({"reset_password_token_secret", "verification_token_secret"})


def _signs_with(name: str, ctx: FileContext, through_self: bool = False) -> bool:
    """Whether the module gives the name to a signer as its key (`jwt.encode(data,
    SECRET_KEY)`, `SessionMiddleware, secret_key=SECRET_KEY`), found once per file;
    `through_self`: an attribute of `self` or `cls` of that name (`jwt.encode(payload,
    self.secret)`)."""
    found = ctx.stash("FG502.signed-with")
    if not found:
        names: set[str] = set()
        attributes: set[str] = set()
        for node in descendants(ctx.module):
            if isinstance(node, cst.Call):
                key = _signer_key(node, ctx)
                if key is not None and isinstance(key[1].value, cst.Name):
                    names.add(key[1].value.value)
                elif (
                    key is not None
                    and isinstance(key[1].value, cst.Attribute)
                    and isinstance(key[1].value.value, cst.Name)
                    and key[1].value.value.value in {"self", "cls"}
                ):
                    attributes.add(key[1].value.attr.value)
            elif (
                # fastapi-users' user manager signs its reset and verification tokens
                # with these (`reset_password_token_secret = SECRET`)
                isinstance(node, cst.Assign)
                and isinstance(node.value, cst.Name)
                and any(
                    isinstance(target.target, cst.Name) and target.target.value in _MANAGER_SECRETS
                    for target in node.targets
                )
            ):
                names.add(node.value.value)
        found.append(names)
        found.append(attributes)
    return name in found[1 if through_self else 0]


def _signer_key(node: cst.Call, ctx: FileContext) -> tuple[str, cst.Arg] | None:
    """The argument a signing call takes its key from, and how to name the call: a
    signer's (`_SIGNERS`), or a signing middleware's `secret_key=` where the call names it
    first (`app.add_middleware(SessionMiddleware, secret_key=...)`)."""
    qualified = ctx.qualified_name(node.func)
    where = _SIGNERS.get(qualified or "")
    args = node.args
    if where is not None:
        index, keyword = where
        positional = [arg for arg in args if arg.keyword is None and not arg.star]
        for arg in args:
            if arg.keyword is not None and arg.keyword.value == keyword:
                return f"{code_of(node.func)}()", arg
        if len(positional) > index:
            return f"{code_of(node.func)}()", positional[index]
        return None
    made = ctx.qualified_name(node.func)
    if made in _SIGNING_BACKENDS or (
        isinstance(node.func, cst.Name) and ctx.derives_from(node.func.value, _SIGNING_BACKENDS)
    ):
        for arg in args:
            if arg.keyword is not None and arg.keyword.value == "secret_key":
                return f"{code_of(node.func)}()", arg
        return None
    if args and args[0].keyword is None and not args[0].star:
        middleware = ctx.qualified_name(args[0].value)
        if middleware in _SIGNING_MIDDLEWARE:
            for arg in args[1:]:
                if arg.keyword is not None and arg.keyword.value == "secret_key":
                    return code_of(args[0].value), arg
    return None


def _signer_literal(call: ast.Call, structure: Structure) -> bool:
    """The screen of `_signer_key`: a string or bytes constant where a signer may take its
    key, or any `secret_key=` constant of a call naming a signing middleware first."""
    where = next(
        (
            _SIGNERS[name]
            for name in structure.qualified(dotted_name(call.func))
            if name in _SIGNERS
        ),
        None,
    )
    if where is not None:
        index, keyword = where
        values = [kw.value for kw in call.keywords if kw.arg == keyword]
        positional = [arg for arg in call.args if not isinstance(arg, ast.Starred)]
        values += positional[index : index + 1]
        return any(_is_literal(value) for value in values)
    if not call.args or not any(
        name in _SIGNING_MIDDLEWARE for name in structure.qualified(dotted_name(call.args[0]))
    ):
        return False
    return any(kw.arg == "secret_key" and _is_literal(kw.value) for kw in call.keywords)


def _sends_a_credential(call: ast.Call) -> bool:
    """`_sent`'s question, of CPython's tree: a `headers=` or `cookies=` dict holding a
    credential (`_request_credential`)."""
    for keyword in call.keywords:
        if keyword.arg not in ("headers", "cookies") or not isinstance(keyword.value, ast.Dict):
            continue
        for key, value in zip(keyword.value.keys, keyword.value.values, strict=True):
            if (
                isinstance(key, ast.Constant)
                and isinstance(key.value, str)
                and isinstance(value, ast.Constant)
                and isinstance(value.value, str)
                and _request_credential(keyword.arg, key.value, value.value) is not None
            ):
                return True
    return False


def _is_literal(value: ast.expr) -> bool:
    """A string or bytes constant, or an implicit concatenation of them (one constant)."""
    return isinstance(value, ast.Constant) and isinstance(value.value, str | bytes)


def _literal_text(value: cst.BaseExpression | None) -> str | None:
    """A string literal's value, or a bytes literal's decoded as Latin-1 (a key given as
    bytes: `AUTH_SECRET: bytes = b"..."`)."""
    text = string_value(value)
    if text is None and isinstance(value, cst.SimpleString):
        evaluated = value.evaluated_value
        if isinstance(evaluated, bytes):
            return evaluated.decode("latin-1")
    return text


def _constant_here(ctx: FileContext) -> bool:
    """Whether a name assigned here is a constant of the module: at module level, or in
    the body of a module-level class of nothing but attributes named as settings (`class
    Settings():` holding `SECRET_KEY: str = "secretkey"`, no base, no environment read:
    apiService's, reader 173; or a Pydantic model's, `class Settings(BaseModel)`), which
    every import of it reads as it is written."""
    if _at_module_level(ctx):
        return True
    owner = ctx.enclosing_class
    return (
        owner is not None
        and ctx.function is None
        and ctx.in_class_body
        and owner.outer is None
        and not owner.node.keywords
        and all(
            (isinstance(arg.value, cst.Name) and arg.value.value == "object")
            # a Pydantic model reads no environment (its `Config.env_file` is a settings
            # class's): jidris-spec's `class Settings(BaseModel)`, reader 175
            or ctx.qualified_name(arg.value) in _PLAIN_MODELS
            for arg in owner.node.bases
        )
        and _CONFIG_CLASS.search(owner.name) is not None
        and _DEVELOPMENT_PROFILE.match(owner.name) is None
    )


#: Bases of a class whose attributes no environment sets.
_PLAIN_MODELS = frozenset({"pydantic.BaseModel", "pydantic.main.BaseModel"})
#: A class named as settings (`Settings`, `AppConfig`, `Configuration`).
_CONFIG_CLASS = lazy_pattern(r"(?:Settings|Config|Configuration)$")


def _at_module_level(ctx: FileContext) -> bool:
    """Whether the statement visited is the module's own (not a function's, a class's)."""
    return ctx.function is None and not ctx.class_stack


#: What quotes a text for a URL, keeping what it quotes.
_QUOTES = frozenset({"urllib.parse.quote_plus", "urllib.parse.quote"})


def _wrapped(call: cst.Call, ctx: FileContext) -> tuple[str | None, str | None]:
    """The literal a wrapper call holds (`SecretStr("...")`, `Field(default="...")`), or an
    environment read's default with the variable's name (`os.getenv("X", "...")`)."""
    name = ctx.qualified_name(call.func)
    positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
    # the builtin `str` (`ctx.qualified_name` spells it only as `builtins.str`)
    builtin_str = isinstance(call.func, cst.Name) and call.func.value == "str"
    if (
        (name == "builtins.str" or (builtin_str and not ctx.is_bound("str")))
        and len(call.args) == 1
        and len(positional) == 1
        and isinstance(positional[0].value, cst.Call)
    ):
        return _wrapped(positional[0].value, ctx)  # `str(os.environ.get("KEY", "..."))`
    if (
        name in _QUOTES
        and len(positional) >= 1
        and positional[0] is call.args[0]
        and isinstance(positional[0].value, cst.Call)
    ):
        # a URL's part, quoted as it is (`quote_plus(str(os.environ.get('db_password',
        # 'Applogiq123')))`: applogiq's musiq API, reader 177)
        return _wrapped(positional[0].value, ctx)
    default = keyword_arg(call, "default")
    env_instance = _env_instance_read(call.func, ctx)
    if (
        name in _ENV_READS
        or name in _CONFIG_READS
        or _is_starlette_config(call.func, ctx)
        or env_instance
    ):
        # `os.getenv("X", "...")`; decouple's and starlette's `config("X", default="...")`;
        # `env.str("X", "...")` of an `Env()`
        if default is None and (name in _ENV_READS or env_instance) and len(positional) > 1:
            default = positional[1]
        env_name = string_value(positional[0].value) if positional else None
        if default is None or env_name is None:
            return None, None
        return string_value(default.value), env_name
    if name not in _WRAPPERS:
        return None, None
    if default is None and positional:
        default = positional[0]
    return (string_value(default.value) if default is not None else None), None


def _or_operands(expr: cst.BooleanOperation) -> list[cst.BaseExpression] | None:
    """The operands of `a or b or c`, in order (None: an `and` in the chain)."""
    if not isinstance(expr.operator, cst.Or):
        return None
    found: list[cst.BaseExpression] = []
    for side in (expr.left, expr.right):
        if isinstance(side, cst.BooleanOperation):
            inner = _or_operands(side)
            if inner is None:
                return None
            found.extend(inner)
        else:
            found.append(side)
    return found


def _none_when_unset(call: cst.Call, ctx: FileContext) -> tuple[str, str] | None:
    """`str(os.getenv("X"))` (or `os.environ.get`), the read given no default: the code
    written for it and the variable `X`; a missing variable becomes the text `"None"`."""
    builtin_str = isinstance(call.func, cst.Name) and call.func.value == "str"
    if (
        not (builtin_str and not ctx.is_bound("str"))
        or len(call.args) != 1
        or call.args[0].keyword is not None
        or call.args[0].star
    ):
        return None
    read = call.args[0].value
    if (
        not isinstance(read, cst.Call)
        or ctx.qualified_name(read.func) not in _ENV_READS
        or len(read.args) != 1
        or read.args[0].keyword is not None
        or read.args[0].star
    ):
        return None
    variable = string_value(read.args[0].value)
    return (code_of(read), variable) if variable is not None else None


def _none_when_unset_ast(call: ast.Call, structure: Structure) -> str | None:
    """The screen's `_none_when_unset`: the variable of `str(os.getenv("X"))`."""
    if not (
        isinstance(call.func, ast.Name)
        and call.func.id == "str"
        and len(call.args) == 1
        and not call.keywords
        and isinstance(call.args[0], ast.Call)
    ):
        return None
    read = call.args[0]
    if (
        len(read.args) != 1
        or read.keywords
        or structure.qualified(dotted_name(read.func)).isdisjoint(_ENV_READS)
        or not isinstance(read.args[0], ast.Constant)
        or not isinstance(read.args[0].value, str)
    ):
        return None
    return read.args[0].value


def _env_variable(expr: cst.BaseExpression, ctx: FileContext) -> str | None:
    """The variable an environment read names (`os.getenv("X")`, `os.environ.get("X",
    None)`, decouple's `config("X")`), with or without a default."""
    if not isinstance(expr, cst.Call) or not expr.args or expr.args[0].keyword is not None:
        return None
    name = ctx.qualified_name(expr.func)
    if name in _ENV_READS or name in _CONFIG_READS:
        return string_value(expr.args[0].value)
    return None


def _fallback_of_a_read(name: str, ctx: FileContext) -> str | None:
    """The variable of an environment read assigned to `name` at module level before, when
    the assignment being checked is under `if not name:` (the read's fallback)."""
    guards = [
        statement
        for statement in ctx.within
        if isinstance(statement, cst.If)
        and isinstance(statement.test, cst.UnaryOperation)
        and isinstance(statement.test.operator, cst.Not)
        and isinstance(statement.test.expression, cst.Name)
        and statement.test.expression.value == name
    ]
    if not guards or ctx.statement < 0:
        return None
    for statement in ctx.module.body[: ctx.statement]:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if (
                isinstance(small, cst.Assign)
                and any(
                    isinstance(t.target, cst.Name) and t.target.value == name for t in small.targets
                )
                and (variable := _env_variable(small.value, ctx)) is not None
            ):
                return variable
    return None


def _is_starlette_config(func: cst.BaseExpression, ctx: FileContext) -> bool:
    inferred = ctx.infer(func)
    return inferred is not None and not inferred.iterable and inferred.cls in _STARLETTE_CONFIG


def _env_instance_read(func: cst.BaseExpression, ctx: FileContext) -> bool:
    """Whether the call reads a variable through an `Env()` (`_ENV_INSTANCES`): its
    `str()` method, or the instance called."""
    if isinstance(func, cst.Attribute):
        if func.attr.value != "str":
            return False
        func = func.value
    inferred = ctx.infer(func)
    return inferred is not None and not inferred.iterable and inferred.cls in _ENV_INSTANCES


def _in_settings_class(ctx: FileContext) -> bool:
    """Whether the statement is in the body of a class deriving from a settings base
    (`pydantic_settings.BaseSettings`), also through a class of the file
    (`class Config(BaseConfig)` with `class BaseConfig(BaseSettings)`: the FastAPI
    production boilerplate's `SECRET_KEY: str = "super-secret-key"`, reader 45)."""
    owner = ctx.enclosing_class
    return (
        owner is not None
        and ctx.in_class_body
        and any(ctx.derives_from(base, SETTINGS_BASES) for base in owner.bases)
    )


def _development_profile(ctx: FileContext) -> bool:
    """Whether the settings class is a development or test profile by its name
    (`DevelopmentSettings`, `DevConfig`, `TestingSettings`, `LocalSettings`)."""
    owner = ctx.enclosing_class
    return owner is not None and _DEVELOPMENT_PROFILE.match(owner.name) is not None


#: A settings class named for a development or test profile.
_DEVELOPMENT_PROFILE = lazy_pattern(
    r"(?:Dev|Development|Local|Test|Testing)(?:Env|Environment)?_?"
    r"(?:Settings|Config|Configuration)$"
)


def _class_var(node: cst.CSTNode, ctx: FileContext) -> bool:
    """Whether an annotated assignment declares a `ClassVar` (`typing.ClassVar[str]`)."""
    if not isinstance(node, cst.AnnAssign):
        return False
    annotation = node.annotation.annotation
    target = annotation.value if isinstance(annotation, cst.Subscript) else annotation
    return ctx.qualified_name(target) in {"typing.ClassVar", "typing_extensions.ClassVar"}


def _positional(node: ast.Call) -> list[ast.expr]:
    """A call's positional arguments, as `_wrapped` counts them (no `*args`)."""
    return [argument for argument in node.args if not isinstance(argument, ast.Starred)]


def _literals(node: ast.Call) -> list[str]:
    """The string constants `_wrapped` may read from a call (its first two positional
    arguments and its `default=`), for the screen."""
    found = [a.value for a in _positional(node)[:2] if isinstance(a, ast.Constant)]
    found += [
        k.value.value
        for k in node.keywords
        if k.arg == "default" and isinstance(k.value, ast.Constant)
    ]
    return [value for value in found if isinstance(value, str)]


#: A host on the developer's own machine, in a URL, a `host:port` or alone.
_LOCAL_HOST_TEXT = lazy_pattern(
    rf"(?:^|[/@\s])(?:{'|'.join(map(re.escape, sorted(_LOCAL_HOSTS)))})(?:$|[:/\s?])",
    re.IGNORECASE,
)
#: First words of the names of a server's settings (`MINIO_SECRET_KEY`, `REDIS_PASSWORD`):
#: a key so named is what the service presents to that server, not one it signs with.
_SERVER_WORDS = frozenset(
    {
        "postgres",
        "postgresql",
        "pg",
        "mysql",
        "mariadb",
        "mssql",
        "neo4j",
        "milvus",
        "minio",
        "redis",
        "mongo",
        "mongodb",
        "rabbitmq",
        "amqp",
        "elastic",
        "elasticsearch",
        "opensearch",
        "clickhouse",
        "qdrant",
        "weaviate",
        # (georgephilippas-ber's `MEILISEARCH_MASTER_KEY`, the key of its compose
        # service, reader 90)
        "meilisearch",
        "typesense",
        "db",
        "database",
        "smtp",
        "mail",
        "ldap",
        "s3",
        "kafka",
        "nats",
        # a LiveKit server's API key pair (`livekit-server --dev`'s `devkey`/`secret`),
        # which the service signs its clients' tokens with (Shizik3535's, reader 118)
        "livekit",
    }
)
#: A compose service's name as a host: one label, lower case (`db`, `database`,
#: `postgres-db`), not an environment variable's name (`POSTGRES_HOST`).
_COMPOSE_HOST = lazy_pattern(r"[a-z][a-z0-9_-]*")
#: A host's setting (`POSTGRES_HOST`, `pg_host`, `db_server`).
_HOST_NAME = lazy_pattern(r"(?:^|_)(?:host|hostname|server)$", re.IGNORECASE)
#: A password's name (`NEO4J_PASSWORD`, `db_pass`), not a key's.
_PASSWORD_NAME = lazy_pattern(r"(?:^|_)(?:password|passwd|pass|pwd)$", re.IGNORECASE)
#: Names of the user a password goes with (`NEO4J_USER`, MinIO's `access_key`).
_USER_NAME = lazy_pattern(
    r"(?:^|_)(?:user|username|user_name|login|access_key|access_key_id)$", re.IGNORECASE
)


def _local_server_default(name: str, text: str, node: cst.CSTNode, ctx: FileContext) -> bool:
    """A development default of a password the service gives a server it connects to, as
    for a database URL on `localhost` or whose password repeats its user name: the
    password repeats the user given next to it (MinIO's `minioadmin`/`minioadmin`), or,
    for a password (not a key the service signs with, unless its name says which server
    it is for: `MINIO_SECRET_KEY`, `_SERVER_WORDS`), the setting next to it places that
    server on this machine (`NEO4J_URI = "bolt://localhost:7687"` beside
    `NEO4J_PASSWORD`). Next to it: in the same dict or call (one server's settings), or,
    among the statements of its block (a settings class, a function), one whose name or
    environment variable starts with the same word (`NEO4J_`, `POSTGRES_`):
    `ADMIN_PASSWORD` beside `POSTGRES_SERVER = "localhost"` is the service's own."""
    own, neighbours, grouped, prefix = _neighbours(node, ctx)
    if _first_word(prefix + "x") in _SERVER_WORDS:
        # a settings class's `env_prefix` naming a server (`S3_`): its fields are read
        # from `S3_*` variables, that server's settings (Shizik3535's `S3Settings`, whose
        # `secret_key` repeats its `access_key`, `minioadmin`: reader 118); not an app's
        # own prefix (polar's `polar_`, over all its settings)
        name = prefix + name
        neighbours = [
            ([*names, *(prefix + n for n in names)], texts) for names, texts in neighbours
        ]
    words = {first for found in (name, *own) if (first := _first_word(found)) is not None}
    related = [
        (names, texts)
        for names, texts in neighbours
        if any(_first_word(found) in words for found in names)
        # one server's settings, named for what they are (`{"uri": ..., "password": ...}`)
        or (grouped and not words and not any(_first_word(found) for found in names))
    ]
    if any(
        text in texts
        for names, texts in related
        if any(_USER_NAME.search(found) for found in names)
    ):
        return True
    password = _PASSWORD_NAME.search(name) or any(_PASSWORD_NAME.search(f) for f in own)
    if not password and _SIGNING_NAME.search(name) and words.isdisjoint(_SERVER_WORDS):
        return False  # `SECRET_KEY`, `AES_ENCRYPTION_KEY`: keys the service itself holds
    return any(
        _LOCAL_HOST_TEXT.search(found)
        # or a host of one label, named as one (`POSTGRES_HOST` defaulting to `database`):
        # a compose service, whose password is the compose file's development default,
        # as for a database URL (LeoFernanndes' `password123`, reader 108)
        or (_COMPOSE_HOST.fullmatch(found) and any(_HOST_NAME.search(n) for n in names))
        for names, texts in related
        for found in texts
    )


def _first_word(name: str) -> str | None:
    """The first word of a name of two words or more (`neo4j` of `NEO4J_PASSWORD`)."""
    words = _WORD.findall(name.lower())
    return words[0] if len(words) >= 2 else None


def _neighbours(
    node: cst.CSTNode, ctx: FileContext
) -> tuple[list[str], list[tuple[list[str], list[str]]], bool, str]:
    """The names of the reported setting (its environment variables), and its neighbours:
    each with its names (a target, a key, a keyword, the environment variables it reads)
    and the strings it holds; whether they are one group (a dict's entries, a call's
    arguments) rather than the statements of a block; and the `env_prefix` a settings
    class's block declares (`model_config = SettingsConfigDict(env_prefix="S3_")`, or its
    `Config`'s), else ""."""
    parent = ctx.parent(node)
    if isinstance(node, cst.DictElement | cst.Arg) and isinstance(parent, cst.Dict | cst.Call):
        items: list[cst.CSTNode] = list(
            parent.elements if isinstance(parent, cst.Dict) else parent.args
        )
        grouped = True
    else:
        block = ctx.parent(parent) if isinstance(parent, cst.SimpleStatementLine) else None
        if block is None and any(line is parent for line in ctx.module.body):
            # a module-level setting (`ctx.parent` searches the statement being walked):
            # its neighbours are the module's (reader 58: skeleton's `postgres_password`
            # beside `postgres_host = "127.0.0.1"`)
            block = ctx.module
        if not isinstance(block, cst.Module | cst.IndentedBlock):
            return [], [], False, ""
        items = list(_assignments(block.body))
        grouped = False
        prefix = _env_prefix(block) if isinstance(block, cst.IndentedBlock) else ""
    own: list[str] = []
    neighbours: list[tuple[list[str], list[str]]] = []
    for item in items:
        names, texts = _named_texts(item)
        if item is node:
            own = [found for found in texts if _CAPITALS.match(found)]
        else:
            neighbours.append((names, texts))
    return own, neighbours, grouped, "" if grouped else prefix


def _env_prefix(block: cst.IndentedBlock) -> str:
    """The `env_prefix` a class body declares for pydantic-settings: a keyword of its
    `model_config = SettingsConfigDict(...)` (or a dict's key), or an assignment of its
    inner `class Config`."""
    for line in block.body:
        if isinstance(line, cst.ClassDef) and line.name.value == "Config":
            if isinstance(line.body, cst.IndentedBlock):
                for inner in _assignments(line.body.body):
                    targets = (
                        [t.target for t in inner.targets]
                        if isinstance(inner, cst.Assign)
                        else [inner.target]
                    )
                    if any(isinstance(t, cst.Name) and t.value == "env_prefix" for t in targets):
                        value = inner.value
                        return (string_value(value) if value is not None else None) or ""
            continue
        if not isinstance(line, cst.SimpleStatementLine):
            continue
        for small in line.body:
            if not (
                isinstance(small, cst.Assign | cst.AnnAssign)
                and isinstance(small.value, cst.Call | cst.Dict)
            ):
                continue
            targets = (
                [t.target for t in small.targets]
                if isinstance(small, cst.Assign)
                else [small.target]
            )
            if not any(isinstance(t, cst.Name) and t.value == "model_config" for t in targets):
                continue
            value = small.value
            if isinstance(value, cst.Call):
                found = keyword_arg(value, "env_prefix")
                if found is not None:
                    return string_value(found.value) or ""
            elif isinstance(value, cst.Dict):
                for element in value.elements:
                    if (
                        isinstance(element, cst.DictElement)
                        and string_value(element.key) == "env_prefix"
                    ):
                        return string_value(element.value) or ""
    return ""


def _assignments(body: Sequence[cst.BaseStatement]) -> Iterator[cst.Assign | cst.AnnAssign]:
    """The assignments of a block, and of the branches of its `if` statements (a server's
    URL chosen by where the service runs: `if is_running_in_docker(): URL = ...`)."""
    for line in body:
        if isinstance(line, cst.SimpleStatementLine):
            yield from (s for s in line.body if isinstance(s, cst.Assign | cst.AnnAssign))
        elif isinstance(line, cst.If):
            branch: cst.If | cst.Else | None = line
            while branch is not None:
                if isinstance(branch.body, cst.IndentedBlock):
                    yield from _assignments(branch.body.body)
                branch = branch.orelse if isinstance(branch, cst.If) else None


def _named_texts(item: cst.CSTNode) -> tuple[list[str], list[str]]:
    """A setting's names (its target, key or keyword, and the environment variables its
    value names: strings in capitals) and every string it holds."""
    names: list[str] = []
    value: cst.CSTNode | None = None
    if isinstance(item, cst.Assign):
        targets = [target.target for target in item.targets]
        value = item.value
    elif isinstance(item, cst.AnnAssign):
        targets = [item.target]
        value = item.value
    elif isinstance(item, cst.DictElement):
        targets = []
        key = string_value(item.key)
        if key is not None:
            names.append(key)
        value = item.value
    elif isinstance(item, cst.Arg):
        targets = []
        if item.keyword is not None:
            names.append(item.keyword.value)
        value = item.value
    else:
        return [], []
    for target in targets:
        if isinstance(target, cst.Name):
            names.append(target.value)
        elif isinstance(target, cst.Attribute):
            names.append(target.attr.value)
    texts = [
        found
        for string in (descendants(value) if value is not None else ())
        if isinstance(string, cst.SimpleString) and (found := string_value(string)) is not None
    ]
    names.extend(found for found in texts if _CAPITALS.match(found))
    return names, texts
