"""FG601-FG603: Alembic revisions that lose data, fail on a full table, or cannot go back.

They apply only to Alembic revision files: files in the `migrations` layer, or modules
that define both `revision` and `down_revision`.
"""

from __future__ import annotations

import subprocess

import libcst as cst

from checks.context import FileContext, dotted_name, keyword_arg
from checks.prefilter import Evidence
from checks.rule import Example, Rule

DESTRUCTIVE = frozenset({"drop_table", "drop_column", "rename_table"})


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
    """`drop_table` for `op.drop_table(...)` (alembic's `op`, any alias)."""
    name = ctx.qualified_name(call.func) or ""
    if name.startswith(("alembic.op.", "alembic.op_")):
        return name.rpartition(".")[2]
    return None


class _MigrationRule(Rule):
    def may_fire(self, evidence: Evidence) -> bool:
        return evidence.layer == "migration" or evidence.has("revision", "down_revision")

    def visit_Module(self, node: cst.Module, ctx: FileContext) -> None:
        if is_revision_file(node, ctx):
            ctx.marks("alembic-revision").add(1)

    @staticmethod
    def in_function(ctx: FileContext, name: str) -> bool:
        function = ctx.function
        return (
            bool(ctx.marks("alembic-revision"))
            and function is not None
            and isinstance(function.node, cst.FunctionDef)
            and function.node.name.value == name
        )


class DestructiveMigration(_MigrationRule):
    code = "FG601"
    name = "destructive-migration"
    family = "Alembic"
    message = "Destructive operation in an upgrade: split it (expand, migrate, contract)"
    summary = (
        "Checks for `op.drop_table`, `op.drop_column`, `op.rename_table`, column renames and "
        "type changes in a revision's `upgrade()`."
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
    )

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        if not self.in_function(ctx, "upgrade"):
            return
        operation = _alembic_op(node, ctx)
        if operation in DESTRUCTIVE:
            ctx.report(node, f"`op.{operation}()` in an upgrade: {self.message.split(': ')[1]}")
        elif operation == "alter_column" and (
            keyword_arg(node, "type_") or keyword_arg(node, "new_column_name")
        ):
            ctx.report(node, "Column type change or rename in an upgrade: expand and contract")


class NotNullWithoutDefault(_MigrationRule):
    code = "FG602"
    name = "not-null-column-without-default"
    family = "Alembic"
    message = (
        "NOT NULL column added without `server_default`: the upgrade fails on a table that has rows"
    )
    summary = "Checks for `op.add_column()` of a `nullable=False` column without `server_default`."
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
    )

    def visit_Call(self, node: cst.Call, ctx: FileContext) -> None:
        if not self.in_function(ctx, "upgrade") or _alembic_op(node, ctx) != "add_column":
            return
        for arg in node.args:
            column = arg.value
            if not isinstance(column, cst.Call):
                continue
            if (ctx.qualified_name(column.func) or "").rpartition(".")[2] != "Column":
                continue
            nullable = keyword_arg(column, "nullable")
            not_null = nullable is not None and dotted_name(nullable.value) == "False"
            if not_null and keyword_arg(column, "server_default") is None:
                ctx.report(column)


class EmptyDowngrade(_MigrationRule):
    code = "FG603"
    name = "empty-downgrade"
    family = "Alembic"
    message = "Empty `downgrade()`: write the reverse of the upgrade, or raise if it cannot be"
    summary = "Checks for a revision whose `downgrade()` does nothing (`pass`, `...`)."
    why = (
        "An empty downgrade claims the revision can be reverted while leaving the schema "
        "as it was: the next upgrade then fails, or code runs against the wrong schema. "
        "Reverse the upgrade, or `raise NotImplementedError` to say it cannot be."
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
    )

    def visit_FunctionDef(self, node: cst.FunctionDef, ctx: FileContext) -> None:
        if node.name.value != "downgrade" or not ctx.marks("alembic-revision"):
            return
        if ctx.function is not None or ctx.enclosing_class is not None:
            return
        if _does_nothing(node.body):
            ctx.report(node.name)


def _does_nothing(body: cst.BaseSuite) -> bool:
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
        "committed. Skipped outside a git repository and for files not committed yet."
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
        if not ctx.marks("alembic-revision"):
            return
        first = _first_committed_version(ctx.path)
        if first is not None and first != node.code.encode(node.encoding):
            ctx.report(node.body[0] if node.body else node)


def _first_committed_version(path: object) -> bytes | None:
    """The file's content in the commit that added it, or None (no git, not committed)."""
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
