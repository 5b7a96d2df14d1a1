"""FG601-FG604: Alembic revisions that lose data, fail on a full table, or cannot go back.

They apply only to Alembic revision files: files in the `migrations` layer, or modules
that define both `revision` and `down_revision`; never to the `tests` layer, where a
revision is a fixture of a test of the migration tooling. Operations are `op.<name>(...)`
(alembic's `op`, any alias) and, in batch mode, `batch_op.<name>(...)` inside
`with op.batch_alter_table("table") as batch_op:`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from checks import revisions
from checks.context import (
    FileContext,
    child_nodes,
    code_of,
    descendants,
    dotted_name,
    keyword_arg,
    own_descendants,
    string_value,
)
from checks.lazy import lazy_pattern
from checks.lazy import libcst as cst
from checks.prefilter import Evidence
from checks.project import Condition
from checks.project_facts import TABLE_MAPPED
from checks.rule import Example, Rule
from checks.structure import Structure

DESTRUCTIVE = frozenset({"drop_table", "drop_column", "rename_table"})
#: Operations that change the schema: a revision making one needs a real downgrade.
SCHEMA_OPERATIONS = frozenset(
    {
        "create_table",
        "drop_table",
        "rename_table",
        "add_column",
        "drop_column",
        "alter_column",
        "create_index",
        "drop_index",
        "create_unique_constraint",
        "create_foreign_key",
        "create_check_constraint",
        "create_primary_key",
        "create_exclude_constraint",
        "drop_constraint",
        "create_table_comment",
        "drop_table_comment",
    }
)
#: Raw DDL run with `op.execute()`: CREATE, ALTER or DROP of an object. Not
#: `ALTER TYPE ... ADD VALUE` (PostgreSQL cannot remove an enum value), nor
#: `CREATE OR REPLACE` (the revision does not hold the body it replaces), nor extensions.
_DDL = lazy_pattern(r"\s*(CREATE|ALTER|DROP)\b", re.IGNORECASE)
_NOT_REVERSIBLE_DDL = lazy_pattern(
    r"\s*(ALTER\s+TYPE\b[^;]*\bADD\s+VALUE\b|CREATE\s+(OR\s+REPLACE|EXTENSION)\b|"
    r"(CREATE|DROP)\s+EXTENSION\b)",
    re.IGNORECASE,
)
#: `DELETE FROM t` (no WHERE) or `TRUNCATE [TABLE] t`: the table is empty afterwards.
_EMPTIES_TABLE = lazy_pattern(
    r'\s*(?:DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+(?:ONLY\s+)?"?([\w.]+)"?\s*;?\s*$',
    re.IGNORECASE,
)
_BATCH_KEY = "alembic-batch"


def is_revision_file(module: cst.Module, ctx: FileContext) -> bool:
    """A migrations-layer file, or a module assigning `revision` and `down_revision`."""
    if ctx.layer == "migration":
        return True
    names: set[str] = set()
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                targets = (
                    [t.target for t in small.targets]
                    if isinstance(small, cst.Assign)
                    else [small.target]
                    if isinstance(small, cst.AnnAssign)
                    else []
                )
                names.update(t.value for t in targets if isinstance(t, cst.Name))
    return {"revision", "down_revision"} <= names


def _alembic_op(call: cst.Call, ctx: FileContext) -> str | None:
    """`drop_table` for `op.drop_table(...)` (alembic's `op`, any alias), and
    `drop_column` for `batch_op.drop_column(...)` in a `batch_alter_table` block."""
    name = ctx.qualified_name(call.func) or ""
    if name.startswith(("alembic.op.", "alembic.op_")):
        return name.rpartition(".")[2]
    func = call.func
    if (
        isinstance(func, cst.Attribute)
        and isinstance(func.value, cst.Name)
        and func.value.value in _batches(ctx)
    ):
        return func.attr.value
    return None


def _batches(ctx: FileContext) -> dict[str, str | None]:
    """The `batch_op` names of the function being walked, with their table."""
    function = ctx.function
    key = id(function.node) if function is not None else 0
    stash = ctx.stash(_BATCH_KEY)
    if not stash:
        stash.append({})
    by_function = stash[0]
    assert isinstance(by_function, dict)
    batches = by_function.setdefault(key, {})
    assert isinstance(batches, dict)
    return batches


def _table_of(call: cst.Call, operation: str, ctx: FileContext) -> str | None:
    """The table an operation acts on: its first argument, or the batch block's table."""
    func = call.func
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
        batches = _batches(ctx)
        if func.value.value in batches:
            return batches[func.value.value]
    first = call.args[0].value if call.args and call.args[0].keyword is None else None
    table = keyword_arg(call, "table_name")
    return string_value(table.value if table is not None else first)


def _sql_literal(expr: cst.BaseExpression, ctx: FileContext) -> str | None:
    """The text of `"..."` or `sa.text("...")`."""
    if isinstance(expr, cst.Call) and expr.args:
        if (ctx.qualified_name(expr.func) or "").rpartition(".")[2] != "text":
            return None
        expr = expr.args[0].value
    if isinstance(expr, cst.ConcatenatedString):
        value = expr.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(expr, cst.FormattedString):
        return "".join(
            part.value if isinstance(part, cst.FormattedStringText) else "x" for part in expr.parts
        )
    return string_value(expr)


class _MigrationRule(Rule):
    #: whether the rule looks at revisions other revisions build on (`checks.revisions`):
    #: what a revision does is judged where a new one is written, at the heads
    history_too = False

    #: the revision's function where the rule reports (None: either)
    reports_in: str | None = None

    @property
    def revision_mark(self) -> str:
        """The mark of a file this rule judges: one per kind of rule, so that a rule that
        judges history too (FG604) does not make the others judge it."""
        return "alembic-revision-history" if self.history_too else "alembic-revision"

    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.layer == "migration" or evidence.has("revision", "down_revision")

    def may_fire_in(self, structure: Structure) -> bool:
        # `visit_Module`: a revision outside the tests, at the heads unless `history_too`
        if structure.layer == "test":
            return False
        if self.reports_in is not None and not structure.defines(self.reports_in):
            return False
        if self.history_too or structure.path is None or structure.source is None:
            return True
        source = structure.source
        return b"down_revision" not in source or not revisions.is_superseded(structure.path, source)

    def visit_Module(self, node: cst.Module, ctx: FileContext) -> None:
        if (
            ctx.layer != "test"
            and is_revision_file(node, ctx)
            and (self.history_too or not ctx.superseded_revision)
        ):
            ctx.marks(self.revision_mark).add(1)

    def visit_With(self, node: cst.With, ctx: FileContext) -> None:
        """`with op.batch_alter_table("users") as batch_op:` makes `batch_op` an `op`."""
        if not ctx.marks(self.revision_mark):
            return
        for item in node.items:
            call = item.item
            if (
                isinstance(call, cst.Call)
                and _alembic_op(call, ctx) == "batch_alter_table"
                and item.asname is not None
                and isinstance(item.asname.name, cst.Name)
            ):
                first = call.args[0].value if call.args else None
                table = keyword_arg(call, "table_name")
                name = string_value(table.value if table is not None else first)
                _batches(ctx)[item.asname.name.value] = name

    def in_function(self, ctx: FileContext, name: str) -> bool:
        function = ctx.function
        return (
            bool(ctx.marks(self.revision_mark))
            and function is not None
            and isinstance(function.node, cst.FunctionDef)
            and function.node.name.value == name
        )


class DestructiveMigration(_MigrationRule):
    reports_in = "upgrade"
    code = "FG601"
    name = "destructive-migration"
    family = "Alembic"
    default = False
    message = "Destructive operation in an upgrade: split it (expand, migrate, contract)"
    summary = (
        "Checks for `op.drop_table`, `op.drop_column`, `op.rename_table`, column renames and "
        "type changes in a revision's `upgrade()`, also in batch mode "
        "(`batch_op.drop_column(...)` in `with op.batch_alter_table(...) as batch_op:`).\n\n"
        "Where it applies: revision files (the `migrations` layer, or a module defining "
        "`revision` and `down_revision`), not the `tests` layer; the heads of a folder "
        "only: a revision another revision names as its `down_revision` is history "
        "(editing it changes nothing where it ran; FG604 is the rule for that). Nor a "
        "revision outside the locations the nearest `alembic.ini` above it configures "
        "(`script_location`, `version_locations`): Alembic never runs it.\n\n"
        "Not enabled by default: expand and contract is the practice of a service deployed "
        "without downtime (several instances, a rolling deploy); a service deployed as one "
        "instance drops a column it no longer reads in one step, on purpose (readers of 21 "
        "such findings on real services judged none worth changing). A team that deploys "
        'so selects it (`extend-select = ["FG601"]`).'
    )
    why = (
        "While a deploy rolls out, the old code still runs against the new schema: a "
        "dropped or renamed column breaks it, and a drop loses data a rollback cannot bring "
        "back. Expand (add the new shape), migrate the code and the data, and contract "
        "(drop the old shape) in a later release, once nothing reads it."
    )
    bad = (
        Example(
            """
            import sqlalchemy as sa
            from alembic import op

            revision = "0002"
            down_revision = "0001"


            def upgrade() -> None:
                op.drop_column("users", "nickname")
                op.alter_column("users", "age", type_=sa.SmallInteger())


            def downgrade() -> None:
                op.add_column("users", sa.Column("nickname", sa.String(50)))
            """,
            path="migrations/versions/0002_drop_nickname.py",
            expect=2,
        ),
        Example(
            """
            import sqlalchemy as sa
            from alembic import op

            revision = "0002"
            down_revision = "0001"


            def upgrade() -> None:
                with op.batch_alter_table("users") as batch_op:
                    batch_op.drop_column("nickname")
                    batch_op.alter_column("age", type_=sa.SmallInteger())


            def downgrade() -> None:
                with op.batch_alter_table("users") as batch_op:
                    batch_op.add_column(sa.Column("nickname", sa.String(50)))
            """,
            path="migrations/versions/0002_drop_nickname.py",
            expect=2,
            note="batch mode",
        ),
    )
    good = (
        Example(
            """
            import sqlalchemy as sa
            from alembic import op

            revision = "0002"
            down_revision = "0001"


            def upgrade() -> None:
                op.add_column("users", sa.Column("display_name", sa.String(100)))


            def downgrade() -> None:
                op.drop_column("users", "display_name")
            """,
            path="migrations/versions/0002_add_display_name.py",
        ),
        Example(
            """
            from alembic import op

            def cleanup() -> None:
                op.drop_table("scratch")
            """,
            path="app/maintenance.py",
            note="not a revision file",
        ),
        Example(
            """
            from alembic import op

            revision = "0002"
            down_revision = "0001"


            def upgrade() -> None:
                op.drop_table("scratch")


            def downgrade() -> None:
                op.create_table("scratch")
            """,
            path="tests/fixtures/migrations/0002_drop_scratch.py",
            note="a revision in the tests layer: a fixture",
        ),
    )

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        if not self.in_function(ctx, "upgrade"):
            return
        operation = _alembic_op(node, ctx)
        if operation in DESTRUCTIVE:
            callee = dotted_name(node.func) or f"op.{operation}"
            ctx.report(node, f"`{callee}()` in an upgrade: {self.message.split(': ')[1]}")
        elif operation == "alter_column" and (
            keyword_arg(node, "type_") or keyword_arg(node, "new_column_name")
        ):
            ctx.report(node, "Column type change or rename in an upgrade: expand and contract")


class DropsMappedTable(_MigrationRule):
    reports_in = "upgrade"
    code = "FG605"
    name = "migration-drops-mapped-table"
    family = "Alembic"
    message = (
        "This upgrade drops `{table}`, a table the project's models still map: its rows "
        "are lost, and every query of the model fails (autogenerate run with the models "
        "missing from `target_metadata`?): remove the drop, or the model with it"
    )
    summary = (
        "Checks for `op.drop_table('name')` in a revision's `upgrade()` where a model of "
        "the service still maps that table: `__tablename__ = 'name'`, `Table('name', "
        "metadata, ...)`, or a SQLModel class made `table=True` of that name in lower "
        "case, in the code the service runs (not its tests nor its tooling), by the "
        "project index. Not where the same upgrade creates the table again "
        "(`op.create_table('name', ...)`) or renames another to it: a rebuild. This is "
        "Alembic's autogenerate run while `env.py`'s `target_metadata` holds none of the "
        "models (an empty `MetaData()`, or the models' modules not imported): it compares "
        "the database with nothing and drops every table (Evgeny011's first revision, "
        "titled `Create tables`, dropping the three tables its models map). FG601 "
        "reports every drop, where a team deploys without downtime. One finding per "
        "upgrade, at the first such drop, naming the tables.\n\n"
        "Where it applies: revision files, not the `tests` layer; the heads of a folder "
        "only, as for FG601."
    )
    why = (
        "`alembic upgrade head` deletes the table with all its rows, and the service, "
        "whose models still map it, fails on every query of it. A downgrade that creates "
        "the table again brings back its shape, never its data."
    )
    bad = (
        Example(
            """
            from alembic import op

            revision = "c6cc29f25e9e"
            down_revision = None


            def upgrade() -> None:
                op.drop_table("inventories")


            def downgrade() -> None:
                op.create_table("inventories")
            """,
            path="migrations/versions/c6cc29f25e9e_create_tables.py",
            note="`app/inventory/models.py` maps `inventories`",
            also=("FG601",),
            project=(
                (
                    "app/inventory/models.py",
                    """
                    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


                    class Base(DeclarativeBase):
                        pass


                    class Inventory(Base):
                        __tablename__ = "inventories"

                        id: Mapped[int] = mapped_column(primary_key=True)
                    """,
                ),
            ),
        ),
    )
    good = (
        Example(
            """
            import sqlalchemy as sa
            from alembic import op

            revision = "c6cc29f25e9e"
            down_revision = None


            def upgrade() -> None:
                op.create_table(
                    "inventories",
                    sa.Column("id", sa.Integer(), primary_key=True),
                )


            def downgrade() -> None:
                op.drop_table("inventories")
            """,
            path="migrations/versions/c6cc29f25e9e_create_tables.py",
            note="autogenerated with the models in `target_metadata`: it creates their tables",
        ),
    )

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        if not self.in_function(ctx, "upgrade") or _alembic_op(node, ctx) != "drop_table":
            return
        function = ctx.function
        assert function is not None  # (`in_function`)
        drops = _drops_in(function.node, ctx)
        index = next((i for i, (call, _) in enumerate(drops) if call is node), None)
        if index is None:
            return
        # one finding per upgrade: at the first drop of a mapped table, naming the mapped
        # tables from there on (`checks.run` keeps those the index finds mapped)
        table = drops[index][1]
        later = [dropped for _, dropped in drops[index:]]
        # (the last: any of the tables from here, true when the first holds, for
        # `checks.run` to name those mapped)
        condition = Condition((), frozenset(), fact=TABLE_MAPPED + ",".join(later))
        earlier = [dropped for _, dropped in drops[:index]]
        if earlier:
            unmapped = Condition((), frozenset(), fact=TABLE_MAPPED + ",".join(earlier))
            condition = unmapped._replace(negated=True, also=condition)
        condition = Condition((), frozenset(), fact=TABLE_MAPPED + table, also=condition)
        ctx.report_if(node, condition, dropped_message(later))


def dropped_message(tables: Sequence[str]) -> str:
    """FG605's message for the mapped tables an upgrade drops."""
    if len(tables) == 1:
        return DropsMappedTable.message.format(table=tables[0])
    shown = ", ".join(f"`{table}`" for table in tables[:3])
    more = f" and {len(tables) - 3} more" if len(tables) > 3 else ""
    return (
        f"This upgrade drops {len(tables)} tables the project's models still map ({shown}"
        f"{more}): their rows are lost, and every query of their models fails (autogenerate "
        "run with the models missing from `target_metadata`?): remove the drops, or the "
        "models with them"
    )


def _drops_in(function: cst.CSTNode, ctx: FileContext) -> list[tuple[cst.Call, str]]:
    """The `op.drop_table('name')` calls of a revision's function, in the order of the
    source, of tables it does not create again or rename another to (one walk per
    function)."""
    kept = ctx.stash(f"FG605.drops:{id(function)}")
    if kept:
        known: list[tuple[cst.Call, str]] = kept[0]
        return known
    drops: list[tuple[cst.Call, str]] = []
    made: set[str] = set()
    stack: list[cst.CSTNode] = [function]
    while stack:
        node = stack.pop()
        stack.extend(reversed(child_nodes(node)))
        operation = _alembic_op(node, ctx) if isinstance(node, cst.Call) else None
        if operation in ("drop_table", "create_table") and isinstance(node, cst.Call):
            table = _table_of(node, operation, ctx)
            if table is not None and operation == "drop_table":
                drops.append((node, table))
            elif table is not None:
                made.add(table)
        elif operation == "rename_table" and isinstance(node, cst.Call):
            second = _argument(node, 1, "new_table_name")
            renamed = string_value(second) if second is not None else None
            if renamed is not None:
                made.add(renamed)
    found = [(call, table) for call, table in drops if table not in made]
    kept.append(found)
    return found


class NotNullWithoutDefault(_MigrationRule):
    reports_in = "upgrade"
    code = "FG602"
    name = "not-null-column-without-default"
    family = "Alembic"
    message = (
        "NOT NULL column added without `server_default`: the upgrade fails on a table that has rows"
    )
    summary = (
        "Checks for `op.add_column()` (or `batch_op.add_column()`) of a `nullable=False` "
        "column without `server_default`, unless the upgrade created the table, or emptied "
        "it (`DELETE FROM t` without `WHERE`, `TRUNCATE t`), before adding the column; "
        "nor a column the database fills for each row itself, an identity "
        "(`sa.Identity()`) or a computed one (`sa.Computed(...)`; a `sa.Sequence(...)` "
        "gives the rows no value). Where the upgrade also drops a column of that table, "
        "the message says it may be a rename, which autogenerate writes as an add and a "
        "drop that lose the values, and "
        "offers `op.alter_column(table, old, new_column_name=new)` (not for a column the "
        "downgrade adds back with a type of another kind: an `INTEGER` dropped where a "
        "`UUID` is added is no rename; where a dropped column shares a word with the name "
        "of one column added, `password` and `hashed_password`, only that one). For a "
        "foreign key (a `ForeignKey(...)` in the column, or one the upgrade creates on it) "
        "it says to add it nullable, fill it, then set NOT NULL: no `server_default` names "
        "the row each refers to; so for a unique column (`unique=True`, or a unique index "
        "or constraint of it alone that the upgrade makes), to whose rows no "
        "`server_default` gives each its own value.\n\n"
        "Where it applies: revision files, not the `tests` layer; the heads of a folder "
        "only, as for FG601."
    )
    why = (
        "Adding a NOT NULL column to a table with rows fails (`column contains null "
        "values`): it works on the empty development database and breaks in production. "
        "Give it a `server_default`, or add it nullable, backfill, then set NOT NULL."
    )
    bad = (
        Example(
            """
            import sqlalchemy as sa
            from alembic import op

            revision = "0003"
            down_revision = "0002"


            def upgrade() -> None:
                op.add_column("users", sa.Column("is_staff", sa.Boolean(), nullable=False))


            def downgrade() -> None:
                op.drop_column("users", "is_staff")
            """,
            path="migrations/versions/0003_staff.py",
        ),
        Example(
            """
            import sqlalchemy as sa
            from alembic import op

            revision = "0003"
            down_revision = "0002"


            def upgrade() -> None:
                with op.batch_alter_table("users") as batch_op:
                    batch_op.add_column(sa.Column("is_staff", sa.Boolean(), nullable=False))


            def downgrade() -> None:
                with op.batch_alter_table("users") as batch_op:
                    batch_op.drop_column("is_staff")
            """,
            path="migrations/versions/0003_staff.py",
            note="batch mode",
        ),
    )
    good = (
        Example(
            """
            import sqlalchemy as sa
            from alembic import op

            revision = "0003"
            down_revision = "0002"


            def upgrade() -> None:
                op.add_column(
                    "users",
                    sa.Column("is_staff", sa.Boolean(), nullable=False, server_default=sa.false()),
                )


            def downgrade() -> None:
                op.drop_column("users", "is_staff")
            """,
            path="migrations/versions/0003_staff.py",
        ),
        Example(
            """
            import sqlalchemy as sa
            from alembic import op

            revision = "0003"
            down_revision = "0002"


            def upgrade() -> None:
                # the rows are throwaway credentials: users reconnect
                op.execute("DELETE FROM user_credential")
                op.drop_column("user_credential", "secret")
                op.add_column(
                    "user_credential", sa.Column("secret", sa.LargeBinary(), nullable=False)
                )


            def downgrade() -> None:
                raise NotImplementedError("credentials are not restored")
            """,
            path="migrations/versions/0003_encrypt_credentials.py",
            note="the upgrade empties the table first",
        ),
    )

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        if not self.in_function(ctx, "upgrade"):
            return
        operation = _alembic_op(node, ctx)
        empty_tables = ctx.stash(self.code + ".empty-tables")
        if operation == "create_table":
            empty_tables.append(_table_of(node, operation, ctx))
            return
        if operation == "execute" and node.args:
            text = _sql_literal(node.args[0].value, ctx)
            emptied = _EMPTIES_TABLE.match(text) if text is not None else None
            if emptied is not None:
                empty_tables.append(emptied.group(1).rpartition(".")[2])
            return
        if operation != "add_column":
            return
        table = _table_of(node, operation, ctx)
        if table is not None and table.rpartition(".")[2] in empty_tables:
            return  # no row to fill: the table was created or emptied above
        for arg in node.args:
            column = arg.value
            if not isinstance(column, cst.Call):
                continue
            if (ctx.qualified_name(column.func) or "").rpartition(".")[2] != "Column":
                continue
            nullable = keyword_arg(column, "nullable")
            not_null = nullable is not None and dotted_name(nullable.value) == "False"
            if (
                not_null
                and keyword_arg(column, "server_default") is None
                and not _generated(column, ctx)
            ):
                message = _renamed_message(column, table, ctx)
                name = string_value(column.args[0].value) if column.args else None
                if message is None and _references(column, table, ctx):
                    message = _FOREIGN_KEY_MESSAGE.format(name=name, table=table)
                elif message is None and name is not None and _unique(column, name, table, ctx):
                    message = _UNIQUE_MESSAGE.format(name=name, table=table)
                elif message is None and name is not None and table is not None:
                    # named, as the other messages name it (reader 127)
                    message = _NAMED_MESSAGE.format(name=name, table=table)
                ctx.report(column, message)


def _generated(column: cst.Call, ctx: FileContext) -> bool:
    """Whether the database fills the column of each existing row itself: an identity
    (`sa.Identity()`, `GENERATED ... AS IDENTITY`, which PostgreSQL numbers the rows of
    the table with) or a computed column (`sa.Computed(...)`). gymhero's `id` added with
    `sa.Identity(always=False)`, checked on a populated table by reader 166. Not a
    `sa.Sequence(...)`: SQLAlchemy renders no default for it, INSERTs ask it."""
    for arg in column.args[1:]:
        if arg.keyword is None and isinstance(arg.value, cst.Call):
            name = ctx.qualified_name(arg.value.func) or ""
            if name.startswith("sqlalchemy.") and name.rpartition(".")[2] in _GENERATED:
                return True
    return False


#: SQLAlchemy's column arguments by which the database fills each row (`_generated`).
_GENERATED = frozenset({"Identity", "Computed"})


#: FG602's message for a foreign key: no `server_default` names the row each existing
#: one refers to (NeverWalkAloner's `public_key_id`, reader 99: the message said to give
#: one).
_FOREIGN_KEY_MESSAGE = (
    "NOT NULL foreign key `{name}` added to `{table}` without a value for the rows it "
    "has: the upgrade fails on a table that has rows, and no `server_default` can name "
    "the row each refers to: add it nullable, fill it (`op.execute(...)`), then "
    "`op.alter_column(..., nullable=False)`"
)


#: FG602's message where the column and its table are named.
_NAMED_MESSAGE = (
    "NOT NULL column `{name}` added to `{table}` without `server_default`: the upgrade "
    "fails on a table that has rows"
)
#: FG602's message for a unique column: no `server_default` gives each row its own value
#: (TetherOne's `email`, with a unique index: reader 127).
_UNIQUE_MESSAGE = (
    "NOT NULL unique column `{name}` added to `{table}` without a value for the rows it "
    "has: the upgrade fails on a table that has rows, and no `server_default` gives each "
    "its own value: add it nullable, fill it (`op.execute(...)`), then "
    "`op.alter_column(..., nullable=False)`"
)


def _unique(column: cst.Call, name: str, table: str | None, ctx: FileContext) -> bool:
    """Whether an added column is unique: `unique=True` or `primary_key=True` in it, or
    the upgrade makes a unique index or constraint of it alone (`op.create_index(...,
    "users", ["email"], unique=True)`, `op.create_unique_constraint(None, "users",
    ["email"])`)."""
    for keyword in ("unique", "primary_key"):
        given = keyword_arg(column, keyword)
        if given is not None and dotted_name(given.value) == "True":
            return True
    function = ctx.function
    if function is None:
        return False
    for call in own_descendants(function.node.body):
        if not isinstance(call, cst.Call):
            continue
        operation = _alembic_op(call, ctx)
        if operation == "create_index":
            unique = keyword_arg(call, "unique")
            if unique is None or dotted_name(unique.value) != "True":
                continue
            on, columns = _argument(call, 1, "table_name"), _argument(call, 2, "columns")
        elif operation == "create_unique_constraint":
            on, columns = _argument(call, 1, "table_name"), _argument(call, 2, "columns")
        else:
            continue
        if (
            string_value(on) == table
            and isinstance(columns, cst.List | cst.Tuple)
            and [string_value(element.value) for element in columns.elements] == [name]
        ):
            return True
    return False


def _references(column: cst.Call, table: str | None, ctx: FileContext) -> bool:
    """Whether an added column is a foreign key: it holds a `ForeignKey(...)`, or the
    upgrade makes one of it (`op.create_foreign_key(None, table, other, [name], ...)`)."""
    if any(
        isinstance(arg.value, cst.Call)
        and (ctx.qualified_name(arg.value.func) or "").rpartition(".")[2] == "ForeignKey"
        for arg in column.args
    ):
        return True
    name = string_value(column.args[0].value) if column.args else None
    function = ctx.function
    if name is None or function is None:
        return False
    for call in own_descendants(function.node.body):
        if not isinstance(call, cst.Call) or _alembic_op(call, ctx) != "create_foreign_key":
            continue
        # `op.create_foreign_key(name, source, referent, local_cols, remote_cols)`;
        # `batch_op.create_foreign_key(name, referent, local_cols, remote_cols)`
        func = call.func
        batches = _batches(ctx)
        receiver = (
            func.value.value
            if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)
            else None
        )
        batch = receiver in batches
        source = (
            batches[receiver]
            if receiver is not None and batch
            else string_value(_argument(call, 1, "source_table"))
        )
        local = _argument(call, 2 if batch else 3, "local_cols")
        if source != table or not isinstance(local, cst.List | cst.Tuple):
            continue
        if any(string_value(element.value) == name for element in local.elements):
            return True
    return False


def _argument(call: cst.Call, index: int, keyword: str) -> cst.BaseExpression | None:
    """The argument at `index` of the positional ones, or given by its keyword."""
    found = keyword_arg(call, keyword)
    if found is not None:
        return found.value
    positional = [arg.value for arg in call.args if arg.keyword is None]
    return positional[index] if len(positional) > index else None


def _renamed_message(column: cst.Call, table: str | None, ctx: FileContext) -> str | None:
    """FG602's message where the upgrade also drops a column of that table: Alembic's
    autogenerate writes a rename so, an add and a drop that lose the values (akiko23's
    `content` added and `description` dropped from `posts`, reader 87); None otherwise."""
    function = ctx.function
    name = string_value(column.args[0].value) if column.args else None
    if function is None or table is None or name is None:
        return None
    dropped = [
        # `op.drop_column("posts", "description")`, `batch_op.drop_column("description")`
        string_value(call.args[-1].value)
        for call in descendants(function.node.body)
        if isinstance(call, cst.Call)
        and call.args
        and _alembic_op(call, ctx) == "drop_column"
        and _table_of(call, "drop_column", ctx) == table
    ]
    old = [found for found in dropped if found is not None]
    # not a column the downgrade adds back of another type (MikeZ77's `offer_id`, an
    # INTEGER, against the `content_id` UUID added: reader 94), which no rename keeps
    restored = _types_restored(table, ctx)
    added = _column_type(column)
    old = [
        found
        for found in old
        if found not in restored or added is None or _same_type(restored[found], added)
    ]
    # a dropped column whose name another added column shares a word of is that one's
    # (TetherOne's `password` dropped where `email` and `hashed_password` are added:
    # only the second may be its rename, reader 127)
    others = [
        other
        for call in descendants(function.node.body)
        if isinstance(call, cst.Call)
        and call.args
        and _alembic_op(call, ctx) == "add_column"
        and _table_of(call, "add_column", ctx) == table
        and isinstance(added_column := call.args[-1].value, cst.Call)
        and added_column.args
        and (other := string_value(added_column.args[0].value)) not in (None, name)
    ]
    old = [
        found
        for found in old
        if _shares_a_word(name, found)
        or not any(_shares_a_word(other, found) for other in others if other is not None)
    ]
    if not old:
        return None
    old = sorted(set(old))
    listed = ", ".join(f"`{found}`" for found in old)
    renamed = f'"{old[0]}"' if len(old) == 1 else "<its old name>"
    return (
        f"NOT NULL column `{name}` added to `{table}` without `server_default`, where the "
        f"upgrade drops {listed} from it: if it is a rename (autogenerate writes one as an "
        f'add and a drop, losing the values), `op.alter_column("{table}", {renamed}, '
        f'new_column_name="{name}")` keeps them; else the upgrade fails on a table that has '
        "rows"
    )


def _shares_a_word(first: str, second: str) -> bool:
    """Whether two column names share a word (`hashed_password`, `password`)."""
    return bool(set(first.lower().split("_")) & set(second.lower().split("_")) - {""})


def _column_type(column: cst.Call) -> str | None:
    """The type a `sa.Column(name, type, ...)` call declares, as written (`sa.UUID()`)."""
    if len(column.args) < 2 or column.args[1].keyword is not None:
        return None
    return code_of(column.args[1].value)


def _types_restored(table: str, ctx: FileContext) -> dict[str, str]:
    """The columns the module's `downgrade()` adds back to `table`, with their types."""
    found: dict[str, str] = {}
    for statement in ctx.module.body:
        if not isinstance(statement, cst.FunctionDef) or statement.name.value != "downgrade":
            continue
        for call in descendants(statement.body):
            if (
                isinstance(call, cst.Call)
                and _alembic_op(call, ctx) == "add_column"
                and _table_of(call, "add_column", ctx) == table
                and call.args
                and isinstance(column := call.args[-1].value, cst.Call)
            ):
                name = string_value(column.args[0].value) if column.args else None
                kind = _column_type(column)
                if name is not None and kind is not None:
                    found[name] = kind
    return found


#: Families of column types: autogenerate's downgrade writes the type the database
#: reflects (`sa.VARCHAR(length=64)`, `postgresql.TIMESTAMP()`, `sa.INTEGER()`) where the
#: upgrade wrote the model's (`sa.String(length=64)`, `sa.DateTime()`, `sa.Integer()`).
_TYPE_FAMILIES = {
    **dict.fromkeys(
        (
            "string",
            "varchar",
            "nvarchar",
            "char",
            "nchar",
            "text",
            "unicode",
            "unicodetext",
            "citext",
            "enum",
        ),
        "text",
    ),
    **dict.fromkeys(
        ("integer", "int", "biginteger", "bigint", "smallinteger", "smallint"), "integer"
    ),
    **dict.fromkeys(
        ("numeric", "decimal", "float", "double", "real", "double_precision"), "number"
    ),
    **dict.fromkeys(("boolean", "bool"), "boolean"),
    **dict.fromkeys(("datetime", "timestamp"), "timestamp"),
    **dict.fromkeys(("uuid", "uuidtype", "guid"), "uuid"),
    **dict.fromkeys(("json", "jsonb"), "json"),
}


def _same_type(first: str, second: str) -> bool:
    """Whether two written column types may be the same type: their names, without the
    module and the arguments, in one family of `_TYPE_FAMILIES` (`sa.INTEGER()` and
    `sa.Integer`); a type outside them may be anything."""

    def family(kind: str) -> str | None:
        return _TYPE_FAMILIES.get(kind.partition("(")[0].rpartition(".")[2].lower())

    one, other = family(first), family(second)
    return one is None or other is None or one == other


class EmptyDowngrade(_MigrationRule):
    reports_in = "downgrade"
    code = "FG603"
    name = "empty-downgrade"
    family = "Alembic"
    message = (
        "Empty `downgrade()` after an upgrade that changes the schema: write the reverse, "
        "raise if it cannot be, or say in a comment why nothing is undone"
    )
    summary = (
        "Checks for a revision whose `upgrade()` changes the schema and whose `downgrade()` "
        "does nothing (`pass`, `...`) without a comment or docstring saying why (Alembic's "
        "`# ### commands auto generated ###` markers and commented-out code do not). The "
        "schema changes: alembic's create, add, alter, drop and rename operations (also in "
        "batch mode), and raw `CREATE`/`ALTER`/`DROP` run by `op.execute()`, except "
        "`ALTER TYPE ... ADD VALUE` (PostgreSQL cannot remove an enum value), `CREATE OR "
        'REPLACE` and extensions. A data migration (`op.execute("UPDATE ...")`, '
        "`op.bulk_insert()`, queries through `op.get_bind()`) may have nothing to undo.\n\n"
        "Where it applies: revision files, not the `tests` layer; the heads of a folder "
        "only, as for FG601."
    )
    why = (
        "An empty downgrade after a schema change claims the revision can be reverted "
        "while leaving the schema as it was: the next upgrade then fails, or code runs "
        "against the wrong schema. Reverse the upgrade, or `raise NotImplementedError` to "
        "say it cannot be; a no-op that is right (the change cannot or need not be undone) "
        "says so in a comment, for the next reader."
    )
    bad = (
        Example(
            """
            from alembic import op

            revision = "0004"
            down_revision = "0003"


            def upgrade() -> None:
                op.create_index("ix_users_email", "users", ["email"])


            def downgrade() -> None:
                pass
            """,
            path="migrations/versions/0004_email_index.py",
        ),
        Example(
            """
            import sqlalchemy as sa
            from alembic import op

            revision = "0004"
            down_revision = "0003"


            def upgrade() -> None:
                op.execute("CREATE INDEX CONCURRENTLY ix_tasks_title ON tasks (title)")
                with op.batch_alter_table("tasks") as batch_op:
                    batch_op.add_column(sa.Column("done", sa.Boolean(), nullable=True))


            def downgrade() -> None:
                ...
            """,
            path="migrations/versions/0004_tasks.py",
            note="raw DDL and batch mode",
        ),
        Example(
            """
            from alembic import op

            revision = "0004"
            down_revision = "0003"


            def upgrade() -> None:
                # ### commands auto generated by Alembic - please adjust! ###
                op.drop_index("ix_users_nickname", table_name="users")
                # ### end Alembic commands ###


            def downgrade() -> None:
                # ### commands auto generated by Alembic - please adjust! ###
                pass
                # op.create_index("ix_users_nickname", "users", ["nickname"])
                # ### end Alembic commands ###
            """,
            path="migrations/versions/0004_drop_nickname_index.py",
            note="Alembic's markers and commented-out code explain nothing",
        ),
    )
    good = (
        Example(
            """
            from alembic import op

            revision = "0004"
            down_revision = "0003"


            def upgrade() -> None:
                op.create_index("ix_users_email", "users", ["email"])


            def downgrade() -> None:
                op.drop_index("ix_users_email", table_name="users")
            """,
            path="migrations/versions/0004_email_index.py",
        ),
        Example(
            """
            from alembic import op

            revision = "0005"
            down_revision = "0004"


            def upgrade() -> None:
                op.execute("UPDATE users SET email = lower(email)")


            def downgrade() -> None:
                pass
            """,
            path="migrations/versions/0005_lowercase_emails.py",
            note="a data migration: a backfill has nothing to undo",
        ),
        Example(
            """
            from alembic import op

            revision = "0006"
            down_revision = "0005"


            def upgrade() -> None:
                op.execute("ALTER TYPE task_status ADD VALUE 'archived'")


            def downgrade() -> None:
                pass
            """,
            path="migrations/versions/0006_archived_status.py",
            note="PostgreSQL cannot remove an enum value",
        ),
        Example(
            """
            import sqlalchemy as sa
            from alembic import op

            revision = "0007"
            down_revision = "0006"


            def upgrade() -> None:
                op.alter_column("prompts", "body", type_=sa.Text(), existing_type=sa.String(8000))


            def downgrade() -> None:
                pass  # widening only: the old length would truncate rows written since
            """,
            path="migrations/versions/0007_prompt_text.py",
            also=("FG601",),
            note="a no-op downgrade that says why",
        ),
        Example(
            """
            from alembic import op

            revision = "0008"
            down_revision = "0007"


            def upgrade() -> None:
                op.bulk_insert(plans, [{"name": "free"}, {"name": "team"}])


            def downgrade() -> None:
                pass
            """,
            path="migrations/versions/0008_seed_plans.py",
            note="seed data",
        ),
    )

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        if not ctx.marks(self.revision_mark) or self.in_function(ctx, "downgrade"):
            return
        operation = _alembic_op(node, ctx)
        if operation in SCHEMA_OPERATIONS:
            ctx.marks(self.code + ".schema-change").add(1)
        elif operation == "execute" and node.args:
            text = _sql_literal(node.args[0].value, ctx)
            if text is not None and _DDL.match(text) and not _NOT_REVERSIBLE_DDL.match(text):
                ctx.marks(self.code + ".schema-change").add(1)

    def visit_FunctionDef(self, node: cst.FunctionDef, ctx: FileContext) -> None:
        if node.name.value != "downgrade" or not ctx.marks(self.revision_mark):
            return
        if ctx.function is not None or ctx.enclosing_class is not None:
            return
        if _does_nothing(node.body) and not _has_comment(node):
            ctx.stash(self.code).append(node)

    def leave_Module(self, node: cst.Module, ctx: FileContext) -> None:
        if ctx.marks(self.code + ".schema-change"):
            for downgrade in ctx.stash(self.code):
                ctx.report(downgrade.name)


def _has_comment(function: cst.FunctionDef) -> bool:
    """Whether a comment that explains sits on or in the function (above it, on its
    `def` line, on any line of its body), or its body has a docstring."""
    if any(_explains(line.comment) for line in function.leading_lines):
        return True
    body = function.body
    if isinstance(body, cst.SimpleStatementSuite):
        return _explains(body.trailing_whitespace.comment)
    if not isinstance(body, cst.IndentedBlock):
        return False
    if _explains(body.header.comment) or any(_explains(line.comment) for line in body.footer):
        return True
    for statement in body.body:
        if isinstance(statement, cst.SimpleStatementLine) and any(
            isinstance(small, cst.Expr)
            and isinstance(small.value, cst.SimpleString | cst.ConcatenatedString)
            for small in statement.body
        ):
            return True
        if not isinstance(statement, cst.SimpleStatementLine | cst.BaseCompoundStatement):
            continue
        if any(_explains(line.comment) for line in statement.leading_lines):
            return True
        if isinstance(statement, cst.SimpleStatementLine) and _explains(
            statement.trailing_whitespace.comment
        ):
            return True
    return False


#: Alembic's autogenerate markers, and commented-out code: not an explanation.
_GENERATED_COMMENT = lazy_pattern(r"^#+\s*###")
_CODE_IN_COMMENT = lazy_pattern(r"""^([\w.]+\s*[(=]|\w+\.\w[\w.]*|["'].*["'],?$|[)\]}],?$)""")
_TWO_WORDS = lazy_pattern(r"[A-Za-z']+[\s,:;-]+[A-Za-z']+")


def _explains(comment: cst.Comment | None) -> bool:
    """A comment in words (`# data migration: nothing to undo`), not Alembic's markers
    (`# ### commands auto generated by Alembic ###`) nor commented-out code."""
    if comment is None or _GENERATED_COMMENT.match(comment.value):
        return False
    text = comment.value.lstrip("#").strip()
    return _TWO_WORDS.search(text) is not None and _CODE_IN_COMMENT.match(text) is None


def _does_nothing(body: cst.BaseSuite) -> bool:
    """Whether a body holds only `pass`, `...` and strings."""
    statements = body.body if isinstance(body, cst.IndentedBlock) else [body]
    for statement in statements:
        smalls = statement.body if isinstance(statement, cst.SimpleStatementLine) else None
        if isinstance(statement, cst.SimpleStatementSuite):
            smalls = statement.body
        if smalls is None:
            return False
        for small in smalls:
            if isinstance(small, cst.Pass):
                continue
            if isinstance(small, cst.Expr) and isinstance(
                small.value, cst.SimpleString | cst.ConcatenatedString | cst.Ellipsis
            ):
                continue
            return False
    return True


class EditedMigration(_MigrationRule):
    history_too = True
    code = "FG604"
    name = "committed-migration-edited"
    family = "Alembic"
    default = False
    message = (
        "This migration differs from its first committed version: write a new revision "
        "instead of editing one that may have run"
    )
    summary = (
        "Checks, through git, whether a revision file was changed after it was first "
        "committed. Skipped outside a git repository and for files not committed yet.\n\n"
        "Where it applies: revision files, history included, not the `tests` layer."
    )
    why = (
        "A migration that has run somewhere (a colleague's database, staging, production) "
        "will not run again: editing it makes databases that ran the old version differ "
        "from new ones, silently. Add a new revision. Not enabled by default: it runs git "
        "for each migration file."
    )
    bad = ()
    good = (
        Example(
            """
            from alembic import op

            revision = "0005"
            down_revision = "0004"


            def upgrade() -> None:
                op.create_index("ix_tasks_title", "tasks", ["title"])


            def downgrade() -> None:
                op.drop_index("ix_tasks_title", table_name="tasks")
            """,
            path="migrations/versions/0005_title_index.py",
            note="a file git does not know is left alone",
        ),
    )

    def leave_Module(self, node: cst.Module, ctx: FileContext) -> None:
        if not ctx.marks(self.revision_mark):
            return
        first = _first_committed_version(ctx.path)
        if first is not None and first != node.code.encode(node.encoding):
            ctx.report(node.body[0] if node.body else node)


def _first_committed_version(path: object) -> bytes | None:
    """The file's content in the commit that added it, or None (no git, not committed)."""
    import subprocess  # here, not at the top: only a revision file needs it (start-up time)
    from pathlib import Path

    file = Path(str(path)).absolute()
    if not file.is_file():
        return None

    def git(*args: str) -> bytes | None:
        try:
            result = subprocess.run(
                ["git", "-C", str(file.parent), *args],
                capture_output=True,
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return result.stdout if result.returncode == 0 else None

    added = git("log", "--diff-filter=A", "--format=%H", "--", file.name)
    commits = (added or b"").split()
    if not commits:
        return None
    prefix = (git("rev-parse", "--show-prefix") or b"").decode().strip()
    return git("show", f"{commits[-1].decode()}:{prefix}{file.name}")
