"""The rule catalog: every rule class, in code order.

Adding a rule is one module with one class, and one line here.
"""

from __future__ import annotations

from checks.rule import Rule
from checks.rules.alembic_migrations import (
    DestructiveMigration,
    DropsMappedTable,
    EditedMigration,
    EmptyDowngrade,
    NotNullWithoutDefault,
)
from checks.rules.api_and_security import (
    AsyncClientApp,
    CorsWildcard,
    JwtWithoutVerification,
    OnEventHandler,
    UnmaintainedAuthLibrary,
)
from checks.rules.async_blocking_io import BlockingCallInAsync, BlockingHttpInAsync
from checks.rules.async_blocking_sleep import BlockingSleepInAsync
from checks.rules.coroutine_not_awaited import CoroutineNotAwaited
from checks.rules.data_access_layers import AddInLoop, DataAccessInRoutes
from checks.rules.fastapi_routes import (
    BroadExceptInRoute,
    FastapiParameterV1Keyword,
    RouteReturnsOrmModel,
    RouteWithoutResponseModel,
)
from checks.rules.hardcoded_secrets import HardcodedSecret
from checks.rules.http_exception_in_middleware import HttpExceptionInMiddleware
from checks.rules.http_exception_in_service import HttpExceptionInService, HttpExceptionReturned
from checks.rules.model_defaults import DefaultEvaluatedOnce
from checks.rules.pydantic_config import PydanticClassConfig, PydanticOrmMode
from checks.rules.pydantic_v1_api import (
    PydanticFieldExtra,
    PydanticFromOrm,
    PydanticParse,
    PydanticSchema,
    PydanticV1Imports,
    PydanticV1Misc,
)
from checks.rules.pydantic_v1_serialization import PydanticDict, PydanticJson
from checks.rules.pydantic_v2_on_v1 import PydanticV2OnV1
from checks.rules.pydantic_validators import PydanticV1Validators
from checks.rules.route_order import RouteShadowed
from checks.rules.settings_access import EnvironmentOutsideSettings
from checks.rules.sqlalchemy_legacy_query import LegacyQueryApi
from checks.rules.sqlalchemy_models import LegacyDeclarative, RelationshipWithoutLazy
from checks.rules.sqlalchemy_sessions import (
    InterpolatedSql,
    InterpolatedSqlName,
    MissingAwaitOnAsyncSession,
    SessionKeepsExpiring,
    SessionSharedByTasks,
    SyncDriverForAsyncEngine,
    SyncSessionInAsyncModule,
)
from checks.rules.sqlalchemy_textual import TextualSqlWithoutText
from checks.rules.tool import InternalErrorRule, SyntaxErrorRule

RULE_CLASSES: tuple[type[Rule], ...] = (
    SyntaxErrorRule,
    InternalErrorRule,
    LegacyQueryApi,
    SyncSessionInAsyncModule,
    MissingAwaitOnAsyncSession,
    SessionKeepsExpiring,
    InterpolatedSql,
    SessionSharedByTasks,
    AddInLoop,
    LegacyDeclarative,
    SyncDriverForAsyncEngine,
    RelationshipWithoutLazy,
    InterpolatedSqlName,
    TextualSqlWithoutText,
    DefaultEvaluatedOnce,
    PydanticDict,
    PydanticJson,
    PydanticSchema,
    PydanticParse,
    PydanticFromOrm,
    PydanticOrmMode,
    PydanticClassConfig,
    PydanticV1Validators,
    PydanticV1Misc,
    PydanticV1Imports,
    PydanticFieldExtra,
    PydanticV2OnV1,
    BlockingSleepInAsync,
    BlockingHttpInAsync,
    BlockingCallInAsync,
    CoroutineNotAwaited,
    HttpExceptionInService,
    DataAccessInRoutes,
    RouteWithoutResponseModel,
    RouteReturnsOrmModel,
    BroadExceptInRoute,
    OnEventHandler,
    EnvironmentOutsideSettings,
    AsyncClientApp,
    FastapiParameterV1Keyword,
    HttpExceptionReturned,
    HttpExceptionInMiddleware,
    RouteShadowed,
    CorsWildcard,
    HardcodedSecret,
    JwtWithoutVerification,
    UnmaintainedAuthLibrary,
    DestructiveMigration,
    NotNullWithoutDefault,
    EmptyDowngrade,
    EditedMigration,
    DropsMappedTable,
)

ALL_RULES: tuple[Rule, ...] = tuple(cls() for cls in RULE_CLASSES)
RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in ALL_RULES}
