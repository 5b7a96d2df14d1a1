"""The calls that block the thread they run on: a request over the network, a process
started or waited for, a password hashed. FG302 and FG303 report them in an `async def`,
and the project's summaries record the sync functions that make one
(`ModuleSummary.blocking`), so that a coroutine calling such a helper of another module is
reported too."""

from __future__ import annotations

from collections.abc import Sequence

_REQUESTS_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "request")
BLOCKING_HTTP = {
    **{f"requests.{m}": "httpx.AsyncClient" for m in _REQUESTS_METHODS},
    **{f"requests.api.{m}": "httpx.AsyncClient" for m in _REQUESTS_METHODS},
    "requests.Session": "httpx.AsyncClient",
    **{f"httpx.{m}": "an httpx.AsyncClient" for m in (*_REQUESTS_METHODS, "stream")},
    "httpx.Client": "httpx.AsyncClient",
    "urllib.request.urlopen": "httpx.AsyncClient",
    "urllib.request.urlretrieve": "httpx.AsyncClient",
    "http.client.HTTPConnection": "httpx.AsyncClient",
    "http.client.HTTPSConnection": "httpx.AsyncClient",
    # SDKs whose module functions make a request
    **{
        f"cloudinary.uploader.{f}": "`await asyncio.to_thread(...)` (Cloudinary's SDK is sync)"
        for f in (
            *("upload", "upload_large", "upload_image", "upload_resource", "destroy"),
            *("explicit", "rename", "add_tag", "remove_tag", "replace_tag"),
        )
    },
    # its Admin API's module functions (Udemezue12's `cloudinary.api.resources(...)` in a
    # route, reader 126)
    **{
        f"cloudinary.api.{f}": "`await asyncio.to_thread(...)` (Cloudinary's SDK is sync)"
        for f in (
            *("ping", "usage", "resources", "resources_by_tag", "resources_by_ids"),
            *("resources_by_context", "resource", "update", "delete_resources"),
            *("delete_resources_by_prefix", "delete_resources_by_tag", "delete_all_resources"),
            *("root_folders", "subfolders", "create_folder", "delete_folder", "tags"),
        )
    },
    # Resend's SDK sends with `requests` (johanguse's sign-up emails, reader 64); its
    # 2.x resources and the module aliases its docs show
    **{
        f"resend.{resource}.{f}": (
            "`await asyncio.to_thread(...)` (Resend's SDK sends with `requests`)"
        )
        for resource in ("Emails", "emails", "Batch", "batch")
        for f in ("send", "get", "cancel", "update")
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
    # the Firebase Admin SDK's module functions that call Google's APIs, with `requests`
    # (Medico24's push notifications from its async routes: reader 135); not
    # `verify_id_token`, which checks the token against certificates it caches
    **{
        f"firebase_admin.{module}.{f}": (
            "`await asyncio.to_thread(...)` (the Firebase Admin SDK is sync)"
        )
        for module, functions in (
            (
                "messaging",
                (
                    *("send", "send_all", "send_each", "send_multicast"),
                    *("send_each_for_multicast", "subscribe_to_topic", "unsubscribe_from_topic"),
                ),
            ),
            (
                "auth",
                (
                    *("create_user", "get_user", "get_user_by_email", "get_user_by_phone_number"),
                    *("get_users", "update_user", "delete_user", "delete_users", "list_users"),
                    *("set_custom_user_claims", "revoke_refresh_tokens", "import_users"),
                    *("generate_password_reset_link", "generate_email_verification_link"),
                    "generate_sign_in_with_email_link",
                ),
            ),
        )
        for f in functions
    },
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
    # werkzeug's: scrypt (32 MiB, by default since 3.0) or pbkdf2 with 600,000 iterations
    # (realestate's login: reader 56)
    "werkzeug.security.generate_password_hash": _HASH,
    "werkzeug.security.check_password_hash": _HASH,
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
    if name.endswith(
        (
            ".checkpw",
            ".verify",
            "verify_secret",
            ".verify_and_update",
            "check_password_hash",
            CHECKED,
        )
    )
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
#: psutil's functions that sleep through their `interval` (the first parameter) when one
#: is given: a wait only with a positive number there (`_polls` reads it).
MEASURED_OVER_AN_INTERVAL = ("cpu_percent", "cpu_times_percent")
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
    # libraries that run a program and wait for it: pytesseract runs `tesseract` once per
    # image (usif-x's PDF text extraction, a page at a time: reader 134), pdfkit runs
    # `wkhtmltopdf`
    **{
        f"pytesseract.{function}": f"`await asyncio.to_thread(pytesseract.{function}, ...)`"
        for function in (
            "image_to_string",
            "image_to_data",
            "image_to_boxes",
            "image_to_osd",
            "image_to_pdf_or_hocr",
            "image_to_alto_xml",
            "run_and_get_output",
        )
    },
    **{
        f"pdfkit.{function}": f"`await asyncio.to_thread(pdfkit.{function}, ...)`"
        for function in ("from_url", "from_file", "from_string")
    },
    # psutil's CPU shares measured over an interval sleep through it (adityachoudhury29's
    # health check, `psutil.cpu_percent(interval=1)`: a second of the loop per probe,
    # reader 141); without one (`interval=None`, the default, or 0) they compare with the
    # last call and return at once (`_polls`)
    **{
        f"psutil.{function}": f"`await asyncio.to_thread(psutil.{function}, ...)`, or "
        f"`interval=None` (the share since the last call)"
        for function in MEASURED_OVER_AN_INTERVAL
    },
    # and pdf2image runs poppler's `pdftoppm` (YuvarajD1998's OCR of a PDF's pages)
    **{
        f"pdf2image.{function}": f"`await asyncio.to_thread(pdf2image.{function}, ...)`"
        for function in ("convert_from_path", "convert_from_bytes")
    },
    # the `schedule` package runs the jobs that are due, sync functions, in the call
    # (amrum-be's `while self.running: schedule.run_pending(); await asyncio.sleep(60)`
    # task: its morning invoices, database updates and mails ran on the loop: reader 164)
    **{
        f"schedule.{function}": (
            f"`await asyncio.to_thread(schedule.{function})` (the jobs then run in a "
            "worker thread), or an async scheduler (APScheduler's `AsyncIOScheduler`)"
        )
        for function in ("run_pending", "run_all")
    },
    **PASSWORD_HASHING,
}
#: Sync clients of network services: every request through one blocks (`client.chat.
#: completions.create(...)` on an `openai.OpenAI`), with the async client to use.
#: Methods of a LangChain runnable that make another runnable of it, locally: it calls
#: the same model (`structured = llm.with_structured_output(Schema)`, then
#: `structured.invoke(...)`).
RUNNABLE_DERIVATIONS = frozenset(
    {"with_structured_output", "bind_tools", "bind", "with_retry", "with_config"}
)
#: LangChain's chat models (`ChatOpenAI(...)`), by the modules their classes are in.
LANGCHAIN_CHAT_MODELS = frozenset(
    f"{module}.{cls}"
    for modules, cls in (
        (("langchain_openai", "langchain_openai.chat_models"), "ChatOpenAI"),
        (("langchain_openai", "langchain_openai.chat_models"), "AzureChatOpenAI"),
        (("langchain_anthropic", "langchain_anthropic.chat_models"), "ChatAnthropic"),
        (
            ("langchain_google_genai", "langchain_google_genai.chat_models"),
            "ChatGoogleGenerativeAI",
        ),
        (("langchain_google_vertexai",), "ChatVertexAI"),
        (("langchain_groq", "langchain_groq.chat_models"), "ChatGroq"),
        (("langchain_mistralai", "langchain_mistralai.chat_models"), "ChatMistralAI"),
        (("langchain_ollama", "langchain_ollama.chat_models"), "ChatOllama"),
        (("langchain_aws",), "ChatBedrock"),
        (("langchain_aws",), "ChatBedrockConverse"),
        (("langchain_deepseek",), "ChatDeepSeek"),
        (("langchain_community.chat_models",), "ChatOpenAI"),
        (("langchain_community.chat_models",), "ChatOllama"),
        (("langchain.chat_models",), "ChatOpenAI"),
    )
    for module in modules
)
BLOCKING_CLIENTS = {
    "openai.OpenAI": "`openai.AsyncOpenAI` (awaited)",
    "openai.AzureOpenAI": "`openai.AsyncAzureOpenAI` (awaited)",
    "anthropic.Anthropic": "`anthropic.AsyncAnthropic` (awaited)",
    "anthropic.AnthropicBedrock": "`anthropic.AsyncAnthropicBedrock` (awaited)",
    "anthropic.AnthropicVertex": "`anthropic.AsyncAnthropicVertex` (awaited)",
    "redis.Redis": "`redis.asyncio.Redis` (awaited)",
    "redis.StrictRedis": "`redis.asyncio.Redis` (awaited)",
    "redis.client.Redis": "`redis.asyncio.Redis` (awaited)",
    "smtplib.SMTP": "aiosmtplib (`await aiosmtplib.send(...)`)",
    "smtplib.SMTP_SSL": "aiosmtplib (`await aiosmtplib.send(...)`)",
    # smtplib underneath (XAgent's sign-up mail: `yag.send(...)`)
    "yagmail.SMTP": "aiosmtplib (`await aiosmtplib.send(...)`)",
    # PyJWT's key set client: fetches the issuer's JWKS over urllib when its cache is cold
    # or stale (feast's OIDC parser: `get_signing_key_from_jwt(token)` per request)
    **dict.fromkeys(
        ("jwt.PyJWKClient", "jwt.jwks_client.PyJWKClient"),
        "`await asyncio.to_thread(...)` (PyJWT's `PyJWKClient` fetches with urllib)",
    ),
    # the Kubernetes client's API groups: a request to the API server per call (feast's
    # token review and role bindings, `self.rbac_v1.list_cluster_role_binding()`)
    **dict.fromkeys(
        (
            f"kubernetes.client.{group}"
            for group in (
                "CoreV1Api",
                "AppsV1Api",
                "BatchV1Api",
                "RbacAuthorizationV1Api",
                "AuthenticationV1Api",
                "AuthorizationV1Api",
                "CustomObjectsApi",
                "NetworkingV1Api",
                "StorageV1Api",
                "AutoscalingV1Api",
                "AutoscalingV2Api",
                "PolicyV1Api",
                "CoordinationV1Api",
                "EventsV1Api",
                "ApiextensionsV1Api",
            )
        ),
        "kubernetes_asyncio (awaited), or `await asyncio.to_thread(...)`",
    ),
    "huggingface_hub.InferenceClient": "`huggingface_hub.AsyncInferenceClient` (awaited)",
    # Alibaba Cloud OSS's SDK sends with `requests` (dc8156046's uploads, reader 113);
    # `sign_url` signs locally (`CLIENT_LOCAL_METHODS`)
    "oss2.Bucket": "`await asyncio.to_thread(...)` (Alibaba Cloud OSS's SDK sends with `requests`)",
    # Groq's SDK, generated as OpenAI's is: a request per call, `AsyncGroq` its twin
    "groq.Groq": "`groq.AsyncGroq` (awaited)",
    # Mailtrap's SDK sends with `requests` (ElonTusk404's sign-up and order emails,
    # reader 108)
    **dict.fromkeys(
        ("mailtrap.MailtrapClient", "mailtrap.client.MailtrapClient"),
        "`await asyncio.to_thread(...)` (Mailtrap's SDK sends with `requests`)",
    ),
    # Voyage AI's embeddings: a request per `embed()` (rbacblog's semantic search: reader 60)
    "voyageai.Client": "`voyageai.AsyncClient` (awaited)",
    # Expo's push service: `PushClient().publish(...)` posts with `requests` (Deskent's
    # scheduled reminders, reader 147)
    "exponent_server_sdk.PushClient": (
        "`await asyncio.to_thread(...)` (the Expo SDK sends with `requests`)"
    ),
    # ElevenLabs' speech: a request per `text_to_speech.convert(...)` (InSideOut's voiced
    # chat stream, reader 147); `AsyncElevenLabs` its twin
    **dict.fromkeys(
        ("elevenlabs.ElevenLabs", "elevenlabs.client.ElevenLabs"),
        "`elevenlabs.client.AsyncElevenLabs` (awaited)",
    ),
    "elasticsearch.Elasticsearch": "`elasticsearch.AsyncElasticsearch` (awaited)",
    "opensearchpy.OpenSearch": "`opensearchpy.AsyncOpenSearch` (awaited)",
    # Azure Blob Storage's sync clients (gpt-researcher's document loader); their async
    # twins are in `azure.storage.blob.aio`
    **dict.fromkeys(
        (
            "azure.storage.blob.BlobServiceClient",
            "azure.storage.blob.ContainerClient",
            "azure.storage.blob.BlobClient",
        ),
        "the `azure.storage.blob.aio` client (awaited)",
    ),
    # Azure Communication Services' e-mail client: `begin_send(...)` sends the request
    # (Le8cho's payment confirmations from an async route: reader 138)
    "azure.communication.email.EmailClient": (
        "the `azure.communication.email.aio` client (awaited)"
    ),
    # a request to the Docker daemon's API per call (`client.containers.run(...)`)
    **dict.fromkeys(
        ("docker.DockerClient", "docker.client.DockerClient"),
        "aiodocker (awaited), or `await asyncio.to_thread(...)`",
    ),
    **dict.fromkeys(
        ("slack_sdk.WebClient", "slack_sdk.web.WebClient", "slack_sdk.web.client.WebClient"),
        "`slack_sdk.web.async_client.AsyncWebClient` (awaited)",
    ),
    # made by a factory (`checks.session_receivers`): `boto3.client("s3")`,
    # `supabase.create_client(url, key)`
    "boto3.client": "aioboto3 (awaited), or `await asyncio.to_thread(...)`",
    # (named as the package's, not a client bound to `supabase`: CappuccinoRose's, reader
    # 139)
    "supabase.Client": (
        "an `AsyncClient`, made by the supabase package's `acreate_client(...)` and awaited"
    ),
    # vector databases' sync clients: a request per search, upsert or delete (pyspur's
    # datastores call them from `async def`); each has an async twin
    "qdrant_client.QdrantClient": "`qdrant_client.AsyncQdrantClient` (awaited)",
    "pymilvus.MilvusClient": "`pymilvus.AsyncMilvusClient` (awaited)",
    # MinIO's client: an S3 request per call (ragwebui's uploads and deletes); not its
    # presigned URLs (`CLIENT_LOCAL_METHODS`)
    "minio.Minio": "miniopy-async (awaited), or `await asyncio.to_thread(...)`",
    # Google Cloud's sync clients: a gRPC or HTTP request per call (realestate's image
    # route: reader 56); Vision has an async twin, Storage none of its own
    **dict.fromkeys(
        ("google.cloud.vision.ImageAnnotatorClient", "google.cloud.vision_v1.ImageAnnotatorClient"),
        "`google.cloud.vision.ImageAnnotatorAsyncClient` (awaited)",
    ),
    **dict.fromkeys(
        ("google.cloud.storage.Client", "google.cloud.storage.client.Client"),
        "gcloud-aio-storage (awaited), or `await asyncio.to_thread(...)`",
    ),
    # Twilio's REST client: a request per call (`client.messages.create(...)`: the SMS
    # alerts junctionxalgeria sends from a coroutine, reader 173); twilio 8's `*_async`
    # methods, given its async HTTP client, are the twins
    **dict.fromkeys(
        ("twilio.rest.Client", "twilio.rest.client.Client"),
        "`Client(..., http_client=AsyncTwilioHttpClient())` and its `*_async` methods "
        "(awaited: `await client.messages.create_async(...)`)",
    ),
    # SendGrid's client: `send(message)` is an HTTPS request to its v3 API, by urllib
    # (python-http-client), as is each `client.mail.send.post(...)` (Dataforce's
    # activation and invitation mails, sent from its async handlers: reader 188); it has
    # no async twin
    **dict.fromkeys(
        ("sendgrid.SendGridAPIClient", "sendgrid.sendgrid.SendGridAPIClient"),
        "`await asyncio.to_thread(client.send, message)`, or its v3 API through an "
        "awaited `httpx.AsyncClient`",
    ),
    # Razorpay's client: each resource call (`client.order.create(...)`,
    # `client.payment.refund(...)`) is an HTTPS request by `requests` (Mendyr's bookings,
    # paid and refunded from async services: reader 190); not its `utility` signature
    # checks (`CLIENT_LOCAL_METHODS`), an HMAC computed locally
    **dict.fromkeys(
        ("razorpay.Client", "razorpay.client.Client"),
        "`await asyncio.to_thread(...)` (the SDK has no async client)",
    ),
    # google-genai: `client.models.generate_content(...)` waits for the model's answer;
    # `client.aio` is the same API, awaited (`ASYNC_NAMESPACES`)
    "google.genai.Client": "`client.aio` (`await client.aio.models.generate_content(...)`)",
    # google-generativeai, google-genai's predecessor: `model.generate_content(...)` waits
    # for the answer (kodzimk's quiz battles, a Gemini call per round: reader 157);
    # `generate_content_async` its twin
    **dict.fromkeys(
        (
            "google.generativeai.GenerativeModel",
            "google.generativeai.generative_models.GenerativeModel",
        ),
        "`await model.generate_content_async(...)`",
    ),
    # LangChain's chat models: `invoke`, `batch`, `stream` wait for the model's answer
    # (ravin1100's claim agents, two Gemini calls per claim on the loop: reader 177);
    # `ainvoke`, `abatch`, `astream` are the twins
    **dict.fromkeys(LANGCHAIN_CHAT_MODELS, "`await llm.ainvoke(...)`"),
    # sync HTTP sessions: their request methods alone send (`SESSION_REQUESTS`)
    **dict.fromkeys(
        (
            "requests.Session",
            "requests.sessions.Session",
            "httpx.Client",
            "http.client.HTTPConnection",
            "http.client.HTTPSConnection",
        ),
        "httpx.AsyncClient",
    ),
}
#: The methods of the sync HTTP sessions of `BLOCKING_CLIENTS` that send a request or wait
#: for its answer, called on the session itself: `self.conn.request(...)` of
#: `self.conn = http.client.HTTPSConnection(host)` (iloveangpao's carpark server, reader
#: 219), `self.session.get(url)` of `requests.Session()`; not what configures or closes
#: it (`session.headers.update(...)`, `session.mount(...)`, `conn.set_debuglevel(1)`).
SESSION_REQUESTS: dict[str, frozenset[str]] = {
    **dict.fromkeys(
        ("requests.Session", "requests.sessions.Session"), frozenset(_REQUESTS_METHODS)
    ),
    "httpx.Client": frozenset({*_REQUESTS_METHODS, "send", "stream"}),
    **dict.fromkeys(
        ("http.client.HTTPConnection", "http.client.HTTPSConnection"),
        frozenset({"request", "getresponse", "connect", "send", "putrequest", "endheaders"}),
    ),
}
#: Clients whose async twin is the same API under `.aio` (the message names the call's).
AIO_CLIENTS = frozenset({"google.genai.Client"})
#: Attributes of a client that lead to its async twin: a call through one is no request
#: made on the loop (google-genai's `client.aio.models.generate_content(...)` is a
#: coroutine).
ASYNC_NAMESPACES = frozenset({"aio"})
#: Methods of those clients that make no request: options, a pipeline or lock to fill,
#: closing the connection pool; boto3's local signing and paginators.
CLIENT_LOCAL_METHODS = frozenset(
    {
        # google-generativeai's awaited twins, and its chat (each `send_message` of which
        # is a request this set does not follow)
        "generate_content_async",
        "count_tokens_async",
        "start_chat",
        "with_options",
        "copy",
        "pipeline",
        "pubsub",
        "lock",
        "close",
        "generate_presigned_url",
        "generate_presigned_post",
        # MinIO's, signed locally: only the first for a bucket, on a client made without
        # `region=`, asks the server for its region, which the client then keeps
        # (Max-ghub's, after a `bucket_exists()` on the same client: reader 110)
        "presigned_get_object",
        "presigned_put_object",
        "presigned_post_policy",
        "get_presigned_url",
        # Alibaba Cloud OSS's presigned URL
        "sign_url",
        # Razorpay's `client.utility` checks: an HMAC of the payload, computed locally
        "verify_payment_signature",
        "verify_webhook_signature",
        "verify_payment_link_signature",
        "verify_subscription_payment_signature",
        "get_paginator",
        "get_waiter",
        "can_paginate",
        # Azure's clients for a container or a blob of the account: made locally
        "get_container_client",
        "get_blob_client",
        # Google Cloud Storage's bucket handle (`client.bucket(name)`, no request; its
        # `get_bucket(name)` fetches the bucket)
        "bucket",
        # a LangChain chat model's: another runnable made locally (`RUNNABLE_DERIVATIONS`),
        # a count of tokens, and the async twins (`astream` an async iterator, not awaited)
        *RUNNABLE_DERIVATIONS,
        "get_num_tokens",
        "get_num_tokens_from_messages",
        "ainvoke",
        "abatch",
        "astream",
        "astream_events",
        "astream_log",
    }
)
#: Functions of network SDKs that make a sync client of `BLOCKING_CLIENTS`, with the
#: client they make (`self.s3 = boto3.client("s3")`; `checks.session_receivers` also
#: reads `boto3.Session().client("s3")`).
CLIENT_FUNCTIONS = {
    "boto3.client": "boto3.client",
    "supabase.create_client": "supabase.Client",
    "supabase.client.create_client": "supabase.Client",
    # a CONSTANT-cased class, which `_is_class_name` takes for no class
    "yagmail.SMTP": "yagmail.SMTP",
    "docker.from_env": "docker.DockerClient",
    # a password hasher (FG303): `password_hash = PasswordHash.recommended()`
    "pwdlib.PasswordHash.recommended": "pwdlib.PasswordHash",
    "docker.client.from_env": "docker.DockerClient",
    # redis-py's constructors from a URL (farfalle's `redis.Redis.from_url(url)`)
    **dict.fromkeys(
        ("redis.from_url", "redis.Redis.from_url", "redis.StrictRedis.from_url"), "redis.Redis"
    ),
    "azure.communication.email.EmailClient.from_connection_string": (
        "azure.communication.email.EmailClient"
    ),
    **{
        f"azure.storage.blob.{cls}.{made}": f"azure.storage.blob.{cls}"
        for cls, made in (
            ("BlobServiceClient", "from_connection_string"),
            ("ContainerClient", "from_connection_string"),
            ("ContainerClient", "from_container_url"),
            ("BlobClient", "from_connection_string"),
            ("BlobClient", "from_blob_url"),
        )
    },
}
#: `typing.cast` in its spellings.
_CASTS = frozenset({"typing.cast", "typing_extensions.cast"})


def client_made_by(called: str | None, cast_to: str | None) -> str | None:
    """The sync client of `BLOCKING_CLIENTS` a module-level call makes, given the
    qualified names of its callee and of its first argument: a client's constructor or
    factory (`redis_client = Redis(...)`, `s3 = boto3.client("s3")`), or `typing.cast` to
    one (`redis = cast(Redis, get_redis())`: waruingugi's, reader 82); other modules
    import it and call its methods (`ProjectIndex.blocking_call`)."""
    if called in _CASTS:
        return cast_to if cast_to in BLOCKING_CLIENTS else None
    if called in BLOCKING_CLIENTS:
        return called
    return CLIENT_FUNCTIONS.get(called or "")


#: Methods of an SDK's object that make one of those clients (`boto3.Session().client(
#: "s3")`, also at module level through a name: `session = boto3.session.Session()`, then
#: `s3 = session.client("s3")`: DmitriiSvarovskii's uploads, reader 116).
CLIENT_METHODS = {
    ("boto3.Session", "client"): "boto3.client",
    ("boto3.session.Session", "client"): "boto3.client",
    ("azure.storage.blob.BlobServiceClient", "get_container_client"): (
        "azure.storage.blob.ContainerClient"
    ),
    ("azure.storage.blob.BlobServiceClient", "get_blob_client"): "azure.storage.blob.BlobClient",
    ("azure.storage.blob.ContainerClient", "get_blob_client"): "azure.storage.blob.BlobClient",
}
#: The classes of those objects: made at module level, a summary records them.
CLIENT_OPENERS = frozenset(owner for owner, _ in CLIENT_METHODS)


#: Every call that makes one of those clients (a screen's names).
CLIENT_MAKERS = frozenset({*BLOCKING_CLIENTS, *CLIENT_FUNCTIONS})
#: What a BLOCKS condition's roots hold for a call through one of `BLOCKING_CLIENTS`
#: that a helper makes (`ModuleSummary.blocking` records it as `client_request` names it):
#: FG302's conditions ask for it, FG303's do not.
CLIENT_REQUEST = "<a request through a sync client>"


def sends(session: str, attributes: Sequence[str]) -> bool:
    """Whether a call of `attributes` on a sync HTTP session (`SESSION_REQUESTS`) sends a
    request: one of its request methods, on the session itself."""
    return len(attributes) == 1 and attributes[0] in SESSION_REQUESTS[session]


def client_request(cls: str, attributes: Sequence[str]) -> str | None:
    """The name a helper's call through a sync client is recorded under (`s3.put_object`
    on a `boto3.client`: `boto3.client.put_object`), or None for a call that sends
    nothing (`CLIENT_LOCAL_METHODS`) or goes through the async twin (`client.aio...`)."""
    if (
        cls not in BLOCKING_CLIENTS
        or not attributes
        or (cls in SESSION_REQUESTS and not sends(cls, attributes))
        or attributes[-1] in CLIENT_LOCAL_METHODS
        or any(attribute in ASYNC_NAMESPACES for attribute in attributes)
        # a string an attribute of the client holds (`bucket.endpoint.replace(...)`:
        # dc8156046's URL, reader 113), not a resource's request
        or (len(attributes) > 1 and attributes[-1] in _STRING_METHODS)
    ):
        return None
    return f"{cls}.{'.'.join(attributes)}"


#: `str` methods: called on an attribute of a client, they send nothing.
_STRING_METHODS = frozenset(
    {
        "replace",
        "split",
        "rsplit",
        "strip",
        "lstrip",
        "rstrip",
        "lower",
        "upper",
        "startswith",
        "endswith",
        "removeprefix",
        "removesuffix",
        "encode",
    }
)


def describe_call(name: str) -> str:
    """A recorded blocking call as a message names it: `` `subprocess.run()` ``, or
    `` `put_object()` on a sync `boto3.client` client `` for a request through a client."""
    client = client_of(name)
    if client is not None:
        return f"`{name[len(client) + 1 :]}()` on a sync `{client}` client"
    return f"`{call_name(name)}()`"


def client_of(name: str) -> str | None:
    """The client class of a recorded request through one (`boto3.client.put_object`:
    `boto3.client`), else None."""
    head = name
    while "." in head:
        head = head.rpartition(".")[0]
        if head in BLOCKING_CLIENTS:
            return head
    return None


#: stripe-python's resource methods that make a request (`stripe.Customer.create(...)`);
#: stripe-python 8.10+ (2024) has an awaitable `*_async` twin of each.
STRIPE_REQUESTS = frozenset(
    {
        "create",
        "retrieve",
        "modify",
        "list",
        "delete",
        "search",
        "cancel",
        "capture",
        "confirm",
        "pay",
        "finalize_invoice",
        "void_invoice",
        "send_invoice",
        "list_line_items",
        "create_login_link",
        "expire",
    }
)
#: openai-python 0.x's resource requests (`openai.ChatCompletion.create(...)`): each has an
#: awaitable `a*` twin (`acreate`); 1.0 replaced them with clients (`openai.AsyncOpenAI`).
OPENAI_V0_REQUESTS = frozenset(
    {
        "create",
        "create_edit",
        "create_variation",
        "transcribe",
        "translate",
        "retrieve",
        "list",
        "delete",
        "download",
        "cancel",
    }
)
#: SDKs whose resource classes make a request in a class method, with those methods.
#: YooKassa's SDK (`yookassa.Payment.create(...)`, `Refund.find_one(...)`), which sends
#: with `requests` and has no async client (DmitriiSvarovskii's and Pave138's payments,
#: reader 116).
YOOKASSA_REQUESTS = frozenset(
    {"create", "find_one", "list", "capture", "cancel", "add", "remove", "get_account_settings"}
)
RESOURCE_SDKS = {
    "stripe": STRIPE_REQUESTS,
    "openai": OPENAI_V0_REQUESTS,
    "yookassa": YOOKASSA_REQUESTS,
}


def is_resource_request(name: str) -> bool:
    """Whether a qualified call is an SDK resource's request (`stripe.Customer.create`: a
    method of `RESOURCE_SDKS` on a capitalized resource of that SDK)."""
    parts = name.split(".")
    methods = RESOURCE_SDKS.get(parts[0])
    return (
        methods is not None and len(parts) >= 3 and parts[-2][:1].isupper() and parts[-1] in methods
    )


def is_client_request(name: str | None) -> bool:
    """Whether a recorded blocking call is a request through a sync client, or an SDK
    resource's (a helper's `stripe.Subscription.retrieve(...)`: JoeWat2005's webhook,
    reader 76; JMSolorzano-13's `stripe.Product.list`, reader 74)."""
    return name is not None and (client_of(name) is not None or is_resource_request(name))


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
#: What a summary records of a sync function that makes none of the calls above but
#: calls password helpers of other modules (`user.check_password()` calling
#: `verify_password` of `app.core.password`): this prefix, then their qualified names,
#: joined by commas; the project index follows them (`ProjectIndex.blocking_call`), to a
#: password hash only, as the same module's helpers are followed.
CALLS = "calls:"
#: The `os` waits that take options: with `WNOHANG` they return at once (FG303's
#: `_polls`, and the summaries' of other modules).
WAITS_WITH_OPTIONS = frozenset({"os.waitpid", "os.wait3", "os.wait4", "os.waitid"})
PSUTIL_INTERVALS = frozenset(f"psutil.{function}" for function in MEASURED_OVER_AN_INTERVAL)


def waits_an_interval(given: object) -> bool:
    """Whether an `interval` given to psutil (`PSUTIL_INTERVALS`), as a literal's value,
    sleeps: a positive number does; `None`, 0, or what is not a literal is not known to."""
    return isinstance(given, int | float) and not isinstance(given, bool) and given > 0


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
#: The first segment of each (and of the sync clients): a module importing none of them
#: makes none of the calls.
BLOCKING_PACKAGES = (
    frozenset(
        name.partition(".")[0]
        for name in BLOCKING
        | SYNC_SESSION_OPENERS
        | BLOCKING_CLIENTS.keys()
        | CLIENT_FUNCTIONS.keys()
    )
    | RESOURCE_SDKS.keys()
)
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
