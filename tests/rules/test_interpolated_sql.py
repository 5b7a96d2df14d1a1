"""FG105: what a pasted piece is (a value, a name, a placeholder, a fragment), which
bindings and helpers are followed, and where the rule applies."""

# ruff: noqa: S608, E501 - the cases are SQL built from pieces, on the lines the rule reads

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from checks.rules.sqlalchemy_sql_text import FRAGMENT, NAME, PLACEHOLDER, VALUE, place
from tests.helpers import check_code, positions, run_cli, write


def _fg105(source: str, path: str = "app/users/repository.py") -> list[str]:
    """The messages of FG105 (values; the piece named replaced by `<piece>`) and FG111
    (names, as they are)."""
    return [
        _VALUE_PIECE.sub("<piece> pasted into SQL as a value", f.message)
        for f in check_code(source, path)
        if f.code in {"FG105", "FG111"}
    ]


_VALUE_PIECE = re.compile(r"^`.*?` pasted into SQL as a value")
VALUE_MESSAGE = "<piece> pasted into SQL as a value: pass it as a bound parameter"

M0 = "\ue000"


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        (f"SELECT * FROM users WHERE email = '{M0}'", VALUE),
        (f"SELECT * FROM users WHERE id = {M0}", VALUE),
        (f"SELECT * FROM users WHERE id IN ({M0})", VALUE),
        (f"SELECT * FROM users LIMIT {M0}", VALUE),
        (f"INSERT INTO users (name) VALUES ('a', {M0})", VALUE),
        (f"SELECT * FROM users WHERE lower(email) = lower({M0})", VALUE),
        (f"SELECT * FROM docs WHERE to_tsvector(body) @@ {M0}(:query)", NAME),
        (f"SELECT * FROM docs WHERE body @@ {M0} (:query)", VALUE),
        (f"SELECT * FROM events WHERE at > now() - INTERVAL '{M0} days'", VALUE),
        (f'SELECT * FROM "{M0}".users', NAME),
        (f"SELECT * FROM {M0}", NAME),
        (f"SELECT * FROM {M0}.users", NAME),
        (f"SELECT users.{M0} FROM users", NAME),
        (f"SELECT * FROM users ORDER BY {M0}", NAME),
        (f"SELECT * FROM users ORDER BY name, {M0}", NAME),
        (f"SELECT * FROM users WHERE {M0} = :value", NAME),
        (f"SELECT id, {M0} FROM users", NAME),
        (f"INSERT INTO users ({M0}) VALUES (:a)", NAME),
        (f"DROP INDEX idx_{M0}", NAME),
        (f"CREATE SCHEMA IF NOT EXISTS {M0}", NAME),
        (f"SET search_path TO {M0}", NAME),
        (f"SET LOCAL app.tenant = '{M0}'", NAME),
        (f"ALTER TABLE users ADD COLUMN age int DEFAULT {M0}", NAME),
        (f"SELECT * FROM users WHERE id = :{M0}", PLACEHOLDER),
        (f"SELECT * FROM users WHERE id = %({M0})s", PLACEHOLDER),
        (f"SELECT * FROM users WHERE {M0}", FRAGMENT),
        (f"SELECT * FROM users WHERE a = 1 AND {M0}", FRAGMENT),
        (f"SELECT * FROM users HAVING count(*) > 1 {M0}", FRAGMENT),
        (f"{M0}", FRAGMENT),
        # a SQL function's arguments are what the call stands for (bisheng, mem0, freqtrade)
        (f"SELECT * FROM t ORDER BY CONVERT({M0} USING gbk) ASC", NAME),
        (f"CONVERT({M0} USING gbk) ASC", NAME),
        (f"SELECT id, VECTOR_DISTANCE(v, :q, {M0}) distance FROM t", NAME),
        (f"SELECT CASE WHEN REGEXP_LIKE({M0}, '^[a-z]') THEN 0 ELSE 1 END FROM t", NAME),
        (f"SELECT CASE WHEN {M0} REGEXP '^[a-z]' THEN 0 ELSE 1 END FROM t", NAME),
        (f"SELECT CASE WHEN a = 'x' THEN 'y' ELSE {M0} END FROM t", NAME),
        (f"SELECT CASE status WHEN {M0} THEN 1 END FROM t", VALUE),
        (f"SELECT * FROM t WHERE a = coalesce({M0}, 0)", VALUE),
    ],
)
def test_a_piece_is_placed_by_the_sql_around_it(sql: str, kind: str) -> None:
    assert place(sql) == {0: kind}


def test_a_piece_inside_a_function_body_of_ddl_cannot_be_bound() -> None:
    sql = f"CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN UPDATE t SET a = '{M0}'; END $$"
    assert place(sql) == {0: NAME}


def test_value_in_a_quoted_literal_is_flagged_with_the_bind_message() -> None:
    source = """
    from sqlalchemy import text

    def find(session, email):
        return session.execute(text(f"SELECT * FROM users WHERE email = '{email}'"))
    """
    assert _fg105(source) == [VALUE_MESSAGE]


def test_identifier_from_a_parameter_gets_the_quoting_message() -> None:
    source = """
    from sqlalchemy import text

    class Tenants:
        def create(self, session, schema: str):
            session.execute(text(f"CREATE SCHEMA {schema}"))
    """
    [message] = _fg105(source)
    assert message.startswith("`schema` pasted into SQL where a bound parameter cannot go")
    assert "identifier preparer" in message


@pytest.mark.parametrize(
    ("piece", "reported"),
    [
        ("CREATE SCHEMA {self.schema}", False),
        ("SELECT * FROM {self._table(Model)}", False),
        ("SELECT * FROM {settings.db_schema}.users", False),
        ("SELECT * FROM {get_settings().db_schema}.users", False),
        ("SET search_path TO {self.schema}", True),  # a value `set_config()` binds
        ("SELECT * FROM t WHERE owner = '{self.owner}'", True),  # a value
        ("SELECT * FROM {other.schema}.users", True),
    ],
)
def test_a_name_the_object_or_the_settings_hold_is_not_reported(piece: str, reported: bool) -> None:
    source = f"""
    from sqlalchemy import text

    class Tenants:
        def create(self, session, settings, get_settings, other, Model):
            session.execute(text(f"{piece}"))
    """
    assert bool(_fg105(source)) is reported


@pytest.mark.parametrize(
    "guard",
    [
        "if not SCHEMA.fullmatch(schema):\n        raise ValueError(schema)",
        "if schema not in ALLOWED_SCHEMAS:\n        raise ValueError(schema)",
        "validate_schema_name(schema)",
        "assert schema.isidentifier()",
    ],
)
def test_identifier_checked_before_it_is_pasted_is_not_flagged(guard: str) -> None:
    source = f"""
from sqlalchemy import text

def use(session, schema: str):
    {guard}
    session.execute(text(f'SET search_path TO "{{schema}}"'))
"""
    assert _fg105(source) == []


def test_identifier_checked_after_it_is_pasted_is_still_flagged() -> None:
    source = """
    from sqlalchemy import text

    def use(session, schema: str):
        session.execute(text(f'SET search_path TO "{schema}"'))
        assert schema.isidentifier()
    """
    assert len(_fg105(source)) == 1


@pytest.mark.parametrize(
    "piece",
    [
        "int(limit)",
        "len(ids)",
        "BATCH_SIZE",
        "uuid.uuid4().hex[:8]",
        "Status.ACTIVE.value",
        "quoted_name(name, quote=True)",
        "conn.dialect.identifier_preparer.quote(name)",
        "plpy.quote_literal(name)",
        "plpy.quote_nullable(name)",
        "'a' if flag else 'b'",
        "typed_limit",
        "json.dumps(DEFAULT_DATA)",
        "json.dumps({'beta': True, 'quota': None})",
    ],
)
def test_pieces_that_cannot_carry_input_are_not_flagged(piece: str) -> None:
    source = f"""
import json
import uuid

from sqlalchemy import quoted_name, text

def page(session, conn, limit, ids, name, flag, typed_limit: int):
    session.execute(text(f"SELECT * FROM users WHERE id = {{{piece}}}"))
"""
    assert _fg105(source) == []


def test_json_of_a_parameter_is_flagged() -> None:
    """JSON of constants cannot carry input; of a parameter it can."""
    source = """
    import json

    from sqlalchemy import text

    def tag(session, labels):
        session.execute(text(f"UPDATE t SET data = '{json.dumps(labels)}'::jsonb"))
    """
    assert _fg105(source) == [VALUE_MESSAGE]


def test_text_added_to_under_several_ifs_is_followed_on_each_path() -> None:
    """invokeai's image records: `query_conditions` gets `" AND ... = ?"` under one `if`
    per filter, and is pasted after `WHERE 1=1`: text with placeholders only, on every
    path (reported as a value when two `if`s added to it, as a name after `WHERE TRUE`).
    A value pasted into it under one of the `if`s is reported, by its own name."""
    source = """
    def search(cursor, a, b, space):
        query_conditions = ""
        if a:
            query_conditions += " AND v.a = ? "
        if b:
            query_conditions += " AND v.b = ? "
        cursor.execute(f"SELECT 1 FROM v WHERE 1=1{query_conditions}", [a, b])
        cursor.execute(f"SELECT 1 FROM v WHERE TRUE {query_conditions}", [a, b])

    def pasted(cursor, a, b):
        query_conditions = ""
        if a:
            query_conditions += " AND v.a = ? "
        if b:
            query_conditions += f" AND v.b = '{b}' "
        cursor.execute(f"SELECT 1 FROM v WHERE 1=1 {query_conditions}", [a])
    """
    found = [(f.code, f.start.row, f.message) for f in check_code(source, "app/repository.py")]
    assert found == [("FG105", 16, "`b` pasted into SQL as a value: pass it as a bound parameter")]


def test_a_command_line_program_in_the_package_pastes_its_operators_input() -> None:
    """invokeai's `gallery_maintenance.py` (argparse) and 3.0 image import tool
    (prompt_toolkit), each with a `__main__` guard and no web framework: a maintenance
    command run on the user's own database. A module serving requests beside its
    `__main__` guard, or a guard without a command-line library, is checked."""
    source = """
    import argparse
    import sqlite3


    def forget(conn: sqlite3.Connection, filename: str) -> None:
        conn.execute(f"DELETE FROM images WHERE image_name = '{filename}'")


    if __name__ == "__main__":
        parser = argparse.ArgumentParser()
        parser.add_argument("filename")
        forget(sqlite3.connect("db.sqlite"), parser.parse_args().filename)
    """
    path = "app/backend/util/gallery_maintenance.py"
    assert _fg105(source, path) == []
    served = source.replace("import sqlite3", "import sqlite3\n\n    from fastapi import FastAPI")
    assert _fg105(served, path) == [VALUE_MESSAGE]
    unparsed = source.replace("import argparse", "import sys").replace(
        "parser.parse_args().filename", "sys.argv[1]"
    )
    assert _fg105(unparsed, path) == [VALUE_MESSAGE]


def test_a_click_command_groups_module_pastes_its_operators_input() -> None:
    """example-service's `cli/commands/search.py` defines `@search.command()`s of a click
    group, without a `__main__` guard (the program's entry point runs them): a command-line
    program (reader 51). The same function in a module without a command is checked."""
    source = """
    import click
    from sqlalchemy import text


    @click.group()
    def search() -> None: ...


    @search.command()
    @click.argument("entity")
    async def reindex(entity: str) -> None:
        async with engine.begin() as conn:
            await conn.execute(text(f"UPDATE search SET dirty = true WHERE entity = '{entity}'"))
    """
    path = "example_service/cli/commands/search.py"
    assert _fg105(source, path) == []
    plain = source.replace("    @click.group()\n", "").replace(
        '    @search.command()\n    @click.argument("entity")\n', ""
    )
    assert _fg105(plain, path) == [VALUE_MESSAGE]


def test_a_typed_number_or_a_literal_is_not_flagged() -> None:
    """`limit or 10` of `limit: int | None` (example-service's vector search, reader 51):
    either operand is a number. `limit or name` with a string is reported."""
    source = """
    from sqlalchemy import text


    async def nearest(session, name: str, limit: int | None = None):
        size = limit or 10
        return await session.execute(text(f"SELECT id FROM items LIMIT {size}"))


    async def labelled(session, name: str, limit: int | None = None):
        size = limit or name
        return await session.execute(text(f"SELECT id FROM items LIMIT {size}"))
    """
    assert _fg105(source, "app/repository.py") == [VALUE_MESSAGE]


def test_arithmetic_of_parameters_typed_as_numbers_is_not_flagged() -> None:
    """feast's DuckDB histogram: `bin_width` is computed from parameters annotated `float`
    and `int`, which are not reported on their own either. A parameter of no annotation
    in the same sum still is."""
    source = """
    def histogram(conn, bins: int, min_val: float, max_val: float, offset):
        bin_width = (max_val - min_val) / bins
        conn.execute(f"SELECT FLOOR((x - {min_val}) / {bin_width}) AS bucket FROM t")
        shifted = (max_val - offset) / bins
        conn.execute(f"SELECT FLOOR(x / {shifted}) AS bucket FROM t")
    """
    assert _fg105(source) == [VALUE_MESSAGE]


def test_a_join_of_the_items_of_a_parameter_typed_as_numbers_is_not_flagged() -> None:
    """tzinchy's repositories (reader 157): `", ".join(map(str, apart_ids))` of
    `apart_ids: list[int]` (a route's `List[int]` body), or a generator over it, carries
    no SQL. A collection of strings, or the parameter bound again, still is flagged."""
    source = """
    from typing import List, Optional

    from sqlalchemy import text


    async def set_notes(session, apart_ids: list[int], notes: str):
        ids = ", ".join(map(str, apart_ids))
        await session.execute(text(f"UPDATE a SET notes = :n WHERE id IN ({ids})"), {"n": notes})


    async def table(session, apart_ids: Optional[List[int]] = None):
        ids = ", ".join(str(i) for i in apart_ids)
        await session.execute(text(f"SELECT 1 FROM a WHERE id IN ({ids})"))


    async def by_names(session, names: list[str]):
        await session.execute(text(f"SELECT 1 FROM a WHERE n IN ({', '.join(map(str, names))})"))


    async def rebound(session, apart_ids: tuple[int, ...]):
        apart_ids = [x for x in apart_ids]
        await session.execute(text(f"SELECT 1 FROM a WHERE id IN ({', '.join(map(str, apart_ids))})"))
    """
    assert _fg105(source, "app/repository.py") == [VALUE_MESSAGE, VALUE_MESSAGE]


def test_a_list_of_placeholders_bound_anew_per_filter_is_not_flagged() -> None:
    """tzinchy's `get_house_addresses` (reader 157): `placeholders = []` under each
    filter, `:district_0`, `:district_1`, ... appended, joined and pasted; the values
    go in `params`. So too a list comprehension of placeholders joined later. A value
    appended to one of them is still flagged."""
    source = """
    from sqlalchemy import text


    async def house_addresses(session, districts: list[str], municipal_districts: list[str]):
        query = "SELECT DISTINCT house_address FROM new_apart WHERE 1=1"
        params = {}
        if districts:
            placeholders = []
            for i, district in enumerate(districts):
                key = f"district_{i}"
                placeholders.append(f":{key}")
                params[key] = district
            placeholders_str = ", ".join(placeholders)
            query += f" AND district IN ({placeholders_str})"
        if municipal_districts:
            placeholders = []
            for i, municipal in enumerate(municipal_districts):
                key = f"municipal_{i}"
                placeholders.append(f":{key}")
                params[key] = municipal
            placeholders_str = ", ".join(placeholders)
            query += f" AND municipal_district IN ({placeholders_str})"
        query += " ORDER BY house_address"
        return await session.execute(text(query), params)


    async def by_ids(session, ids: list[str]):
        marks = [f":id_{i}" for i in range(len(ids))]
        params = {f"id_{i}": value for i, value in enumerate(ids)}
        return await session.execute(text(f"SELECT 1 FROM a WHERE id IN ({', '.join(marks)})"), params)
    """
    assert _fg105(source, "app/repository.py") == []
    leaked = source.replace('placeholders.append(f":{key}")', "placeholders.append(municipal)", 2)
    assert _fg105(leaked, "app/repository.py") == [VALUE_MESSAGE]


def test_a_comprehension_of_placeholders_given_more_items_is_not_flagged() -> None:
    """ProduitsGilbert's carrier statements (reader 209): `insert_values = [f":{column}"
    for column in insert_columns]`, then `insert_values.append("SYSUTCDATETIME()")`,
    joined into a MERGE's `VALUES (...)`: bind-parameter names and SQL, no value. A value
    appended, or a comprehension of values, is still flagged."""
    source = """
    from sqlalchemy import text


    async def merge(session, columns: list[str], values: dict[str, object], stamp: bool):
        insert_values = [f":{column}" for column in columns]
        if stamp:
            insert_values.append("SYSUTCDATETIME()")
        sql = f"INSERT INTO statements VALUES ({', '.join(insert_values)})"
        return await session.execute(text(sql), values)
    """
    assert _fg105(source, "app/repository.py") == []
    appended = source.replace('append("SYSUTCDATETIME()")', "append(values['note'])")
    assert _fg105(appended, "app/repository.py") == [VALUE_MESSAGE]
    pasted = source.replace('[f":{column}" for column', "[f\"'{values[column]}'\" for column")
    assert _fg105(pasted, "app/repository.py") == [VALUE_MESSAGE]


def test_text_added_in_a_block_reads_its_names_as_bound_there() -> None:
    """tzinchy's `cin_repository.py` (reader 157): `placeholders` bound in the `if`
    block of the `query += f"... IN ({placeholders})"`, which the `execute()` after the
    block ran: the names of the text added hold what they held at the `+=`, the joined
    `:district_0, ...` there. A value pasted in the same place is still flagged."""
    source = """
    from sqlalchemy import text


    async def districts(session, user_districts: list[str]):
        query = "SELECT DISTINCT district FROM cin"
        params = {}
        if user_districts:
            params = {f"district_{i}": district for i, district in enumerate(user_districts)}
            placeholders = ", ".join(f":{key}" for key in params.keys())
            query += f" WHERE district IN ({placeholders})"
        query += " ORDER BY cin_id"
        return await session.execute(text(query), params)
    """
    assert _fg105(source, "app/repository.py") == []
    pasted = source.replace('f":{key}" for key in params.keys()', "user_districts")
    assert _fg105(pasted, "app/repository.py") == [VALUE_MESSAGE]


def test_a_loop_over_rows_of_literals_binds_each_literal_position_as_a_constant() -> None:
    """vs-ai-ds's migration (reader 159): `for col_name, col_type, default in columns`,
    the rows `("city_logo_url", sa.String(length=500), None)`; the names are literals in
    every row, the types calls: `{col_name}` is a constant there, `{col_type}` still is
    not."""
    source = """
    import sqlalchemy as sa


    def upgrade(conn, columns_extra):
        columns = [
            ("city_logo_url", sa.String(length=500), None),
            ("push_enabled", sa.Boolean(), "true"),
        ]
        for col_name, col_type, default in columns:
            conn.execute(sa.text(f"SELECT 1 FROM c WHERE column_name = '{col_name}'"))
            conn.execute(sa.text(f"SELECT 1 FROM c WHERE kind = '{col_type}'"))
    """
    assert _fg105(source, "app/setup/columns.py") == [VALUE_MESSAGE]


def test_sql_built_in_a_variable_then_run_is_flagged() -> None:
    source = """
    from sqlalchemy import text

    async def find(session, email):
        sql = f"SELECT id FROM users WHERE email = '{email}'"
        return await session.execute(text(sql))
    """
    assert _fg105(source) == [VALUE_MESSAGE]


def test_sql_in_a_variable_run_through_execute_is_flagged() -> None:
    source = """
    def find(cursor, email):
        query = "SELECT id FROM users WHERE email = '%s'" % email
        cursor.execute(query)
    """
    assert _fg105(source) == [VALUE_MESSAGE]


def test_sql_run_through_sqlmodels_exec_is_flagged() -> None:
    """JayJose's metadata route (reader 73): SQLModel's `Session.exec` runs the text."""
    source = """
    from sqlmodel import Session

    def columns(session: Session, table: str):
        sql = f"SELECT * FROM information_schema.columns WHERE table_name = '{table}'"
        return session.exec(sql).all()
    """
    assert _fg105(source) == [VALUE_MESSAGE]


def test_variable_reassigned_in_a_branch_is_followed_on_that_path() -> None:
    """When `admin` is true, the interpolated text is what runs."""
    source = """
    from sqlalchemy import text

    def find(session, email, admin):
        sql = "SELECT id FROM users"
        if admin:
            sql = f"SELECT id FROM users WHERE email = '{email}'"
        return session.execute(text(sql))
    """
    assert len(_fg105(source)) == 1


def test_variable_bound_on_branches_to_literals_only_is_not_reported() -> None:
    source = """
    from sqlalchemy import text

    def find(session, admin):
        if admin:
            sql = "SELECT id FROM users"
        else:
            sql = "SELECT id FROM users WHERE active"
        sql += " ORDER BY id"
        return session.execute(text(sql))
    """
    assert _fg105(source) == []


def test_text_added_to_under_an_if_is_followed() -> None:
    source = """
    from sqlalchemy import text

    def search(session, kind, limit: int):
        sql = "SELECT * FROM items WHERE 1 = 1"
        if kind:
            sql += " AND kind = :kind"
        sql += f" LIMIT {limit}"
        return session.execute(text(sql), {"kind": kind})
    """
    assert _fg105(source) == []


def test_variable_rebound_later_in_the_loop_around_the_use_is_not_followed() -> None:
    source = """
    from sqlalchemy import text

    def run(session, emails):
        sql = "SELECT 1"
        for email in emails:
            session.execute(text(sql))
            sql = f"SELECT id FROM users WHERE email = '{email}'"
    """
    assert _fg105(source) == []


def test_assignment_inside_the_loop_before_the_use_is_followed() -> None:
    source = """
    from sqlalchemy import text

    def run(session, emails):
        for email in emails:
            sql = f"SELECT id FROM users WHERE email = '{email}'"
            session.execute(text(sql))
    """
    assert _fg105(source) == [VALUE_MESSAGE]


def test_augmented_assignment_is_followed() -> None:
    """`sql += f"..."` after a literal: the rule renders what `+=` adds
    (`SqlFlow.augmented`, since 993b835); this test said the opposite only because the
    rule's screen read no `+=` and spared the file (turned with the screen, reader 157)."""
    source = """
    from sqlalchemy import text

    def run(session, email):
        sql = "SELECT id FROM users WHERE 1 = 1"
        sql += f" AND email = '{email}'"
        session.execute(text(sql))
    """
    assert _fg105(source) == [VALUE_MESSAGE]


def test_fragment_built_in_the_function_is_checked_where_it_is_pasted() -> None:
    source = """
    from sqlalchemy import text

    def run(session, email):
        condition = f"email = '{email}'"
        session.execute(text(f"SELECT id FROM users WHERE {condition}"))
    """
    assert _fg105(source) == [VALUE_MESSAGE]


def test_fragment_from_a_literal_is_not_flagged() -> None:
    source = """
    from sqlalchemy import text

    def run(session):
        subquery = "SELECT id FROM chat_message WHERE chat_session_id IS NULL"
        session.execute(text(f"DELETE FROM feedback WHERE message_id IN ({subquery})"))
    """
    assert _fg105(source) == []


def test_sql_returned_by_a_helper_of_the_module_is_flagged_at_the_use() -> None:
    source = """
    from sqlalchemy import text

    async def tasks(session, status):
        return await session.execute(text(_by_status(status)))

    def _by_status(status: str) -> str:
        return f"SELECT id FROM tasks WHERE status = '{status}'"
    """
    findings = [f for f in check_code(source, "app/tasks.py") if f.code == "FG105"]
    assert [(f.start.row, f.message) for f in findings] == [
        (4, "`status` pasted into SQL as a value: pass it as a bound parameter")
    ]


def test_helper_given_a_constant_is_not_flagged() -> None:
    source = """
    from sqlalchemy import text

    def _by_status(status: str) -> str:
        return f"SELECT id FROM tasks WHERE status = '{status}'"

    async def open_tasks(session):
        return await session.execute(text(_by_status("open")))
    """
    assert _fg105(source) == []


def test_helper_with_a_return_that_is_not_a_string_is_not_followed() -> None:
    source = """
    from sqlalchemy import text

    def _query(status):
        if status is None:
            return None
        return f"SELECT id FROM tasks WHERE status = '{status}'"

    async def tasks(session, status):
        return await session.execute(text(_query(status)))
    """
    assert _fg105(source) == []


def test_placeholder_lists_and_bound_parameter_names_are_not_flagged() -> None:
    source = """
    def by_ids(cursor, ids, values):
        marks = ",".join(["?" for _ in ids])
        cursor.execute(f"SELECT id FROM objects WHERE id IN ({marks}) AND kind = ?", (*ids, "a"))
        cursor.execute("SELECT id FROM objects WHERE id IN (%s)" % ", ".join(["%s"] * len(ids)), ids)
    """
    assert _fg105(source) == []


def test_join_of_quoted_values_is_flagged() -> None:
    source = """
    from sqlalchemy import text

    def by_names(session, names):
        session.execute(text(f"SELECT id FROM tools WHERE name IN ({','.join(f\"'{n}'\" for n in names)})"))
    """
    assert _fg105(source) == [VALUE_MESSAGE]


def test_loop_over_a_constant_collection_of_pairs_is_trusted() -> None:
    source = """
    from sqlalchemy import text

    PAIRS = (("GITHUB", "labels"), ("JIRA", "tags"))

    def run(session):
        for source, key in PAIRS:
            session.execute(text(f"UPDATE tag SET is_list = true WHERE key = '{key}' AND source = '{source}'"))
    """
    assert _fg105(source) == []


def test_tests_layer_is_not_checked() -> None:
    source = """
    import uuid

    from sqlalchemy import text

    def test_delete(conn, email):
        conn.execute(text(f"DELETE FROM users WHERE email = '{email}'"))
    """
    assert _fg105(source, "tests/test_users.py") == []
    assert _fg105(source, "app/users/repository.py") == [VALUE_MESSAGE]


def test_migration_reports_values_but_not_names() -> None:
    source = """
    from alembic import op

    revision = "0002"
    down_revision = "0001"

    def upgrade():
        name = index_name()
        op.execute(f"CREATE INDEX {name} ON users (email)")
        for entity in fetch_entities():
            op.execute(f"DELETE FROM kg_entity_type WHERE id_name = '{entity}'")

    def downgrade():
        pass
    """
    assert _fg105(source, "migrations/versions/0002_index.py") == [VALUE_MESSAGE]


def test_a_revision_s_own_module_object_carries_no_input() -> None:
    # harokki's seed roles (reader 88): built at import, their ids made by `Role.__init__`
    source = """
    from alembic import op

    from app.domains.entities.role import Role

    revision = "0002"
    down_revision = "0001"

    admin_role = Role("Admin", "Admin of Application Ecosystem")

    def upgrade():
        op.bulk_insert(role_table, [{"id": admin_role.id, "name": admin_role.name}])

    def downgrade():
        op.execute(f"DELETE FROM roles WHERE id = '{admin_role.id}'")
        for admin_role in fetch_roles():
            op.execute(f"DELETE FROM grants WHERE role_id = '{admin_role.id}'")
    """
    assert _fg105(source, "migrations/versions/0002_roles.py") == [VALUE_MESSAGE]
    assert len(_fg105(source, "app/roles/repository.py")) == 2


def test_a_none_or_type_check_is_not_a_check_of_the_name() -> None:
    source = """
    from sqlalchemy import text

    def use(session, schema):
        if schema is None or not isinstance(schema, str):
            raise ValueError(schema)
        session.execute(text(f'SET search_path TO "{schema}"'))
    """
    assert len(_fg105(source)) == 1


def test_pragma_operands_ask_to_quote_not_to_bind() -> None:
    source = """
    from sqlalchemy import text

    async def columns(session, table_name: str):
        return await session.execute(text(f"PRAGMA table_info('{table_name}')"))
    """
    assert place(f"PRAGMA table_info('{M0}')") == {0: NAME}
    [message] = _fg105(source)
    assert message.startswith("`table_name` pasted into SQL where a bound parameter cannot go")


def test_a_name_assigned_input_on_one_branch_is_not_a_literal() -> None:
    source = """
    from sqlalchemy import text

    async def find(session, order: str, custom: str | None):
        if custom:
            column = custom
        else:
            column = "created_at"
        return await session.execute(text(f"SELECT id FROM users WHERE {column} = '{order}'"))

    async def rows(session, table: str | None = None):
        if table is None:
            table = "users"
        return await session.execute(text(f"SELECT id FROM {table}"))
    """
    # the first query pastes a name (FG111) and a value (FG105), the second a name
    assert len(_fg105(source)) == 3


def test_a_local_list_holding_input_is_not_a_constant_collection() -> None:
    source = """
    from sqlalchemy import text

    async def purge(session, extra: str):
        tables = ["users", extra]
        for table in tables:
            await session.execute(text(f"DELETE FROM {table}"))
    """
    assert len(_fg105(source)) == 1


def test_a_value_in_the_fragment_a_helper_returns_is_flagged() -> None:
    source = """
    from sqlalchemy import text

    def _filter(email: str) -> tuple[str, dict[str, str]]:
        return f"email = '{email}'", {}

    async def find(session, email: str):
        where, params = _filter(email)
        return await session.execute(text(f"SELECT id FROM users WHERE {where}"), params)
    """
    assert _fg105(source) == [VALUE_MESSAGE]


def test_a_quoted_value_a_helper_joins_into_its_clauses_is_flagged() -> None:
    """rag-postgres' filter builder (reader 44): a method quotes the value an LLM's tool
    call gives (`f"'{filter.value}'"`) in the loop that appends each clause, joins the
    clauses, and returns them as `WHERE ...` and `AND ...`; the search pastes them in.
    A local bound once in the loop holds that expression's values only."""
    source = """
    from sqlalchemy import text

    class Searcher:
        def build_filter_clause(self, filters) -> tuple[str, str]:
            clauses = []
            for filter in filters:
                value = f"'{filter.value}'" if isinstance(filter.value, str) else filter.value
                clauses.append(f"{filter.column} = {value}")
            clause = " AND ".join(clauses)
            return f"WHERE {clause}", f"AND {clause}"

        async def search(self, session, filters):
            where, _ = self.build_filter_clause(filters)
            return await session.execute(text(f"SELECT id FROM items {where} LIMIT 20"))
    """

    def values(code: str) -> list[str]:
        return [f.message for f in check_code(code, "app/search.py") if f.code == "FG105"]

    assert values(source) == [
        "`filter.value` pasted into SQL as a value: pass it as a bound parameter"
    ]
    # bound twice in the helper: what `value` holds is not followed, the name is reported
    twice = source.replace(
        "                clauses.append(",
        "                value = filter.value if filter.trusted else value\n"
        "                clauses.append(",
    )
    assert values(twice) == ["`value` pasted into SQL as a value: pass it as a bound parameter"]


def test_columns_read_from_the_inspector_are_catalog_names() -> None:
    source = """
    from sqlalchemy import inspect, text

    def widen(conn, table: str) -> None:
        for column in inspect(conn).get_columns("users"):
            conn.execute(text(f'ALTER TABLE users ALTER COLUMN "{column["name"]}" TYPE text'))
    """
    assert _fg105(source) == []


def test_placeholders_a_helper_binds_before_returning_them_with_params_are_followed() -> None:
    source = """
    from sqlalchemy import text

    def _in_params(prefix: str, values: list[str]) -> tuple[str, dict[str, str]]:
        params = {f"{prefix}_{i}": v for i, v in enumerate(values)}
        placeholders = ", ".join(f":{prefix}_{i}" for i in range(len(values)))
        return placeholders, params

    async def edges(session, types: list[str]):
        marks, params = _in_params("type", types)
        type_filter = f"AND e.type IN ({marks})"
        return await session.execute(text(f"SELECT * FROM edge e WHERE 1 = 1 {type_filter}"), params)
    """
    assert _fg105(source) == []


def test_a_helper_that_binds_every_value_is_reported_for_the_names_it_pastes() -> None:
    source = """
    from sqlalchemy import text


    def insert_query(table_name: str, data: dict) -> str:
        marks = []
        for key in data:
            marks.append(f":{key}")
        columns = ", ".join([f'"{key}"' for key in data])
        values = ", ".join(marks)
        return f"INSERT INTO {table_name} ({columns}) VALUES ({values})"


    async def insert(conn, table_name: str, data: dict) -> None:
        await conn.execute(text(insert_query(table_name, data)), data)
    """
    [message] = _fg105(source)
    assert message.startswith("`table_name` pasted into SQL where a bound parameter cannot go")


def test_a_helper_list_holding_pasted_values_is_reported_as_values() -> None:
    source = """
    from sqlalchemy import text


    def where(filters: dict) -> str:
        parts = []
        for key, value in filters.items():
            parts.append(f"{key} = '{value}'")
        clause = " AND ".join(parts)
        return f"SELECT id FROM users WHERE {clause}"


    async def find(conn, filters: dict):
        return await conn.execute(text(where(filters)))
    """
    assert _fg105(source)[0] == VALUE_MESSAGE  # and FG111 for the column `key`


def test_a_module_named_migrations_reports_values_but_not_names() -> None:
    source = """
    async def m002_add_events(db):
        await db.execute(f"CREATE TABLE events (id TEXT PRIMARY KEY, at TIMESTAMP DEFAULT {db.timestamp_now})")
        for owner in await owners(db):
            await db.execute(f"DELETE FROM events WHERE owner = '{owner}'")
    """
    assert _fg105(source, "wallet/core/migrations.py") == [VALUE_MESSAGE]
    assert len(_fg105(source, "wallet/core/schema.py")) == 2


def test_a_helper_with_several_returns_is_placed_in_the_statement_of_its_call() -> None:
    source = """
    from sqlalchemy import text

    class Store:
        async def create(self, session, index_name: str, args) -> None:
            sql = f"CREATE INDEX {index_name} ON t USING hnsw (v) {self._options(args)}"
            await session.execute(text(sql))

        def _options(self, args) -> str:
            if args.kind == 1:
                return f"WITH (lists={args.n})"
            return f"WITH (m={args.m})"
    """
    # DDL takes no bound parameter: the options are operands of it, not values (R2R)
    assert [f.code for f in check_code(source, "app/store.py") if f.code == "FG105"] == []


def test_a_clause_joined_from_appended_sql_literals_is_sql() -> None:
    source = """
    from sqlalchemy import text

    async def search(session, filters: dict):
        conditions = []
        params = []
        for key, value in filters.items():
            conditions.append("JSON_EXTRACT(payload, %s) = %s")
            params.extend([key, value])
        clause = "WHERE " + " AND ".join(conditions) if conditions else ""
        return await session.execute(text(f"SELECT id FROM t {clause}"), params)
    """
    assert _fg105(source) == []  # mem0's filters: placeholders only, values bound


@pytest.mark.parametrize(
    "fill",
    ["conditions.append(f\"a = '{value}'\")", "conditions.extend([f\"a = '{value}'\"])"],
)
def test_a_list_filled_after_it_is_bound_empty_is_followed(fill: str) -> None:
    source = f"""
from sqlalchemy import text

async def search(session, value: str):
    conditions = []
    {fill}
    clause = " AND ".join(conditions)
    return await session.execute(text(f"SELECT id FROM t WHERE {{clause}}"))
"""
    assert _fg105(source) == [VALUE_MESSAGE]  # the empty list it started as is no constant


def test_a_piece_of_a_rendering_given_up_is_not_pasted() -> None:
    source = """
    from sqlalchemy import text

    def migrate(sess, db_type, db_schema, table_name, column_name):
        quoted_schema = quote_db_identifier(db_type, db_schema) if db_schema else None
        quoted_table = quote_db_identifier(db_type, table_name)
        table_full_name = f"{quoted_schema}.{quoted_table}" if quoted_schema else quoted_table
        sess.execute(text(f"ALTER TABLE {table_full_name} ALTER COLUMN {column_name} TYPE JSONB"))
    """
    # agno's migration: DDL operands only (FG111's), no value; a piece met while rendering
    # `quoted_schema` (given up: `else None`) is not in the text
    assert [m for m in _fg105(source) if m == VALUE_MESSAGE] == []
    assert len(_fg105(source)) == 1  # FG111, once


def test_a_comprehension_variable_is_named_by_what_it_runs_over() -> None:
    """`",".join([str(k) for k in session_ids])`: the message names `session_ids`, what
    the SQL carries, not the comprehension's `k`."""
    source = """
    from sqlalchemy import text

    def purge(session, frame):
        session_ids = frame["session_id"].unique()
        joined = ",".join([str(k) for k in session_ids])
        session.execute(text(f"DELETE FROM events WHERE session_id IN ({joined})"))
    """
    findings = [f for f in check_code(source, "app/jobs.py") if f.code == "FG105"]
    assert [f.message for f in findings] == [
        "`session_ids` pasted into SQL as a value: pass it as a bound parameter"
    ]


def test_values_psycopg_bound_with_mogrify_are_not_flagged() -> None:
    """`cur.mogrify(template, values)` gives the values quoted by the driver: joined into
    a multi-row `VALUES`, they are bound already. A template that pastes input itself is
    still flagged."""
    source = """
    def insert(cur, rows, table):
        values = []
        for row in rows:
            values.append(cur.mogrify("(%(user_id)s, %(title)s)", row).decode("utf-8"))
        cur.execute(f"INSERT INTO notifications (user_id, title) VALUES {','.join(values)}")
        pasted = ",".join(cur.mogrify(f"('{row['title']}')", row).decode() for row in rows)
        cur.execute(f"INSERT INTO notifications (title) VALUES {pasted}")
    """
    assert _fg105(source) == [VALUE_MESSAGE]


def test_an_attribute_init_makes_a_uuid_is_not_flagged() -> None:
    """tracecat's `sa.text(f"'{self.ws_uuid}'::uuid")`, a column's server default, where
    `__init__` assigns `self.ws_uuid` only a UUID (`WorkspaceUUID.new(...)`); an
    attribute `__init__` assigns anything else still is."""
    source = """
    import sqlalchemy as sa

    class Tables:
        def __init__(self, workspace_id, name):
            self.ws_uuid = WorkspaceUUID.new(workspace_id)
            self.name = name

        def tenant_default(self):
            return sa.text(f"'{self.ws_uuid}'::uuid")

        def by_name(self):
            return sa.text(f"SELECT * FROM t WHERE name = '{self.name}'")
    """
    findings = [f for f in check_code(source, "app/tables/service.py") if f.code == "FG105"]
    assert [(f.start.row, f.message) for f in findings] == [
        (12, "`self.name` pasted into SQL as a value: pass it as a bound parameter")
    ]


def test_a_name_bound_on_every_branch_is_followed_on_each() -> None:
    """Placeholders chosen per driver on each branch carry no input; one branch that
    binds the caller's value does."""
    source = """
    import sqlite3


    class Writer:
        def _sql(self, name: str) -> str:
            if self.sqlite:
                marks = ", ".join(["?"] * 14)
            elif self.pg:
                marks = ", ".join(f"${i}" for i in range(1, 15))
            else:
                marks = name
            return f"INSERT INTO logs VALUES ({marks})"

        def write(self, name: str) -> None:
            sqlite3.connect("x").execute(self._sql(name))


    async def insert(conn, name: str, sqlite: bool) -> None:
        if sqlite:
            marks = ", ".join(["?"] * 14)
        else:
            marks = ", ".join("?" for _ in range(3))
        await conn.execute(f"INSERT INTO t VALUES ({marks})")
        if sqlite:
            other = ", ".join(["?"] * 14)
        else:
            other = name
        await conn.execute(f"INSERT INTO t VALUES ({other})")
    """
    found = [
        (f.start.row, f.message.split("`")[1])
        for f in check_code(source, "app/logs.py")
        if f.code == "FG105"
    ]
    assert found == [(15, "marks"), (28, "other")]


def test_every_value_pasted_in_is_named() -> None:
    """keep's MERGE pastes four values, the tenant's id from the token and the alert
    fields from a webhook's payload: naming only the first (`tenant_id`) let a reader
    dismiss an injection; the message names each (the first four)."""
    source = """
        from sqlalchemy import text


        def upsert(session, tenant_id: str, fields: list[str], provider_id: str) -> None:
            values = ", ".join(f"('{tenant_id}', '{field}', '{provider_id}')" for field in fields)
            session.execute(text(f"MERGE INTO AlertField USING (VALUES {values}) AS s (t, f, p)"))
        """
    (message,) = [f.message for f in check_code(source, "app/db.py") if f.code == "FG105"]
    assert message == (
        "`tenant_id`, `fields`, `provider_id` pasted into SQL as values: pass them as bound "
        "parameters"
    )


def test_an_item_a_loop_appends_holds_what_its_names_held_there() -> None:
    """A list of clauses built in a loop (`where.append(f"... IN ({marks})")`, `marks`
    bound in the same turn): each name of an item is read as it was where the item was
    appended, not where the list is joined (cognee's graph filters, placeholders from a
    helper judged a false finding by the twenty-third reader, are FG105's good example)."""
    # a value there is named as what it is: the loop's variable, not the clause holding it
    value = """
        from sqlalchemy import text


        async def nodes(session, names):
            where = []
            for name in names:
                clause = f"name = '{name}'"
                where.append(clause)
            return await session.execute(text("SELECT id FROM node WHERE " + " OR ".join(where)))
        """
    found = [f.message for f in check_code(value, "app/users/repository.py") if f.code == "FG105"]
    assert found == ["`name` pasted into SQL as a value: pass it as a bound parameter"]
    # a name bound again after the append held the earlier value when it was appended
    rebound = """
        from sqlalchemy import text


        async def nodes(session, names):
            where = []
            marks = "1"
            where.append(f"id IN ({marks})")
            marks = names[0]
            return await session.execute(text("SELECT id FROM node WHERE " + " AND ".join(where)))
        """
    assert _fg105(rebound) == []


def test_a_name_bound_to_literals_on_every_branch_carries_nothing_after_another_piece() -> None:
    """mem0's vector store: `limit_clause` is `""` or a literal with a placeholder; whether
    it carries input is its own values' question, not the pieces met before it in the
    same text (`{filter_clause}`, from a helper the module does not define)."""
    source = """
        def list_(self, cursor, top_k):
            filter_clause, params = self._build_filters(top_k)
            limit_clause = ""
            if top_k is not None:
                limit_clause = " FETCH FIRST :limit ROWS ONLY"
            cursor.execute(f"SELECT id, payload FROM memories {filter_clause} {limit_clause}", params)
        """
    assert _fg105(source, "app/vector_stores/oracledb.py") == []
    # a branch that binds what a caller gave is still a name pasted in
    tainted = source.replace('limit_clause = ""', "limit_clause = self.limit")
    assert _fg105(tainted, "app/vector_stores/oracledb.py") != []


def test_numbers_of_an_enumerated_range_and_a_models_int_field_carry_no_sql() -> None:
    """tracardi's MySQL importer pages with `LIMIT {start}, {self.batch}`: `start` walks
    `enumerate(range(...))`, and `batch: int` is a field Pydantic validated. A field the
    model's methods assign again, one of a class that validates nothing, and an item of an
    enumerated list of input are values."""
    source = """
        from pydantic import BaseModel


        class Importer(BaseModel):
            batch: int
            table: str

            def pages(self, cursor, total: int, names: list[str]) -> None:
                for number, start in enumerate(range(0, total, self.batch)):
                    cursor.execute(f"SELECT * FROM t LIMIT {start}, {self.batch}")
                for number, name in enumerate(names):
                    cursor.execute(f"SELECT * FROM t WHERE name = '{name}'")


        class Resized(BaseModel):
            batch: int

            def pages(self, cursor, size) -> None:
                self.batch = size
                cursor.execute(f"SELECT * FROM t LIMIT {self.batch}")


        class Plain:
            batch: int

            def pages(self, cursor) -> None:
                cursor.execute(f"SELECT * FROM t LIMIT {self.batch}")
        """
    found = [
        (f.start.row, f.message.split("`")[1]) for f in check_code(source) if f.code == "FG105"
    ]
    assert found == [(12, "name"), (20, "self.batch"), (27, "self.batch")]


def test_fg105_reader_43_values_no_user_controls() -> None:
    """unstract: the state names bound by unpacking a tuple of enum values (`ready,
    claimed = State.READY.value, State.CLAIMED.value`), and a sequence's name, the
    `regclass` of `setval('{seq}', n)`; a name unpacked from input stays reported."""
    source = """
        from app.states import QueueMessageState


        def reap(conn, user_state: str) -> None:
            ready, claimed = QueueMessageState.READY.value, QueueMessageState.CLAIMED.value
            conn.execute(f"UPDATE q SET state = '{ready}' WHERE state = '{claimed}'")
            conn.execute(f"SELECT setval('{conn.sequence}', 1)")
            ready, other = "ready", user_state
            conn.execute(f"UPDATE q SET state = '{ready}' WHERE state = '{other}'")
            serial = f"pg_get_serial_sequence('{conn.table}', '{conn.column}')"
            conn.execute(f"SELECT setval({serial}, (SELECT MAX(id) FROM t))")
            conn.execute(f"SELECT lower('{conn.table}'), lower('{conn.column}')")
        """
    # and both names of `pg_get_serial_sequence('{table}', '{column}')` (sanya1998's
    # `configure_autoincrement`, reader 208); not those of another function
    assert positions(source, "FG105") == [(9, 18), (12, 18)]


def test_fg105_a_django_management_command_is_a_command_line_program() -> None:
    """unstract's one-off `manage.py migrate_to_v2`: the operator runs it at the terminal
    (as a `__main__` guard's argument parser); the same code in a view is reported."""
    source = """
        from django.core.management.base import BaseCommand
        from django.db import connection


        class Command(BaseCommand):
            def handle(self, *args, **options) -> None:
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT * FROM t WHERE name = '{options['name']}'")
        """
    assert positions(source, "FG105", path="app/management/commands/migrate.py") == []
    assert positions(source, "FG105", path="app/views.py") == [(8, 28)]


def test_fg105_a_name_pasted_inside_a_string_literal_too_stays_a_value() -> None:
    """The stdlib's `sqlite3/dump.py`: a table's name pasted as an identifier
    (`FROM "{0}"`) and inside a string literal (`'INSERT INTO "{0}" ...'`), escaped for
    the first only: a quote in it breaks the literal. Only a quoted piece that is itself
    a name (`'{g}'::name`, AGE's `cypher('{g}', ...)`) is one."""
    source = """
        def dump(cu, table_name: str) -> None:
            ident = table_name.replace('"', '""')
            cu.execute(\"\"\"SELECT 'INSERT INTO "{0}" VALUES(1)' FROM "{0}";\"\"\".format(ident))
        """
    assert positions(source, "FG105") == [(3, 16)]


def test_a_local_counting_by_numbers_carries_no_input() -> None:
    """johanguse's paging (reader 64): `offset = 0`, then `offset += batch_size` with
    `batch_size: int`, pasted after `OFFSET`: a number the function counts (as a loop
    over `range()` gives one). Not a name that also takes an untyped parameter, nor a
    parameter that holds text."""
    source = """
        from sqlalchemy import text


        async def stream(db, query: str, batch_size: int = 100, step=None, start: str = "0"):
            offset = 0
            while True:
                rows = await db.execute(text(f"SELECT * FROM t LIMIT {batch_size} OFFSET {offset}"))
                offset += batch_size
                skipped = 0
                skipped += step
                await db.execute(text(f"SELECT * FROM t OFFSET {skipped}"))
                for page in range(3):
                    await db.execute(text(f"SELECT * FROM t OFFSET {page}"))
                await db.execute(text(f"SELECT * FROM t OFFSET {start}"))
                if not rows:
                    break
        """
    assert positions(source, "FG105") == [(11, 31), (14, 31)]


REFRESH_DB = """
import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from config import settings


async def create_database(name: str) -> None:
    engine = create_async_engine(settings.DSN, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(f"SELECT 1 FROM pg_database WHERE datname = '{name}'"))


if __name__ == "__main__":
    asyncio.run(create_database("app"))
"""


def test_a_script_only_tests_import_is_its_operators(tmp_path: Path) -> None:
    """haruningen's `refresh_db.py` (reader 101): a `__main__` guard, no web framework,
    run by its Makefile and imported by its tests only: what it pastes is its operator's.
    Imported by the service's code, or FG105 named, it is reported."""
    write(tmp_path, "src/config.py", "settings = object()\n")
    write(tmp_path, "src/refresh_db.py", REFRESH_DB)
    write(tmp_path, "src/tests/conftest.py", "from refresh_db import create_database\n")

    def found(*options: str) -> list[str]:
        ran = run_cli("check", "--no-cache", "--output-format", "json", *options, str(tmp_path))
        return [f["code"] for f in json.loads(ran.stdout)]

    assert found() == []
    assert found("--extend-select", "FG105") == ["FG105"]
    write(tmp_path, "src/app.py", "from refresh_db import (\n    create_database,\n)\n")
    assert found() == ["FG105"]


def test_an_item_assigned_under_a_loop_variable_does_not_rebind_it() -> None:
    """RVG1995's review statistics (reader 117): `rating` walks `range(1, 6)`, and
    `rating_counts[rating] = ...` in the loop stores an item, it binds no `rating`; a
    name the loop does bind again (`rating = ...`) may hold anything next turn."""
    source = """
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def counts(session: AsyncSession, raw: str) -> dict[int, int]:
    rating_counts: dict[int, int] = {}
    for rating in range(1, 6):
        query = text(f"SELECT COUNT(*) FROM reviews WHERE rating = {rating}")
        result = await session.execute(query)
        rating_counts[rating] = result.scalar_one()
        stats.by_rating = rating
    for turn in range(1, 6):
        query = text(f"SELECT COUNT(*) FROM reviews WHERE rating = {turn}")
        await session.execute(query)
        turn = raw
    return rating_counts
"""
    assert [(f.code, f.start.row) for f in check_code(source) if f.code == "FG105"] == [
        ("FG105", 13)
    ]
