"""A batch of rows as one table in one statement (the escalation tick's fence, and on
PostgreSQL every batch of outbox rows or audit events).

A CASE over every id, a multi-row VALUES or an executemany costs Python work per
row (and, for executemany on PostgreSQL, a server-side execution per row).
`rows_table` instead binds a whole batch as ONE JSON document, read back as a table
by json_to_recordset (PostgreSQL) or json_each (SQLite). The statement text does not
depend on the batch size, so SQLAlchemy compiles it once and the driver prepares it
once.
"""

import functools
import json
from collections.abc import Callable, Sequence

from sqlalchemy import (
    JSON,
    BindParameter,
    ColumnElement,
    Insert,
    TableClause,
    bindparam,
    cast,
    column,
    func,
    insert,
    select,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.expression import FromClause
from sqlalchemy.types import TypeEngine


def rows_table(dialect: Dialect, name: str, columns: Sequence[ColumnElement],
               rows: Sequence[Sequence]) -> FromClause:
    """`rows` (tuples in `columns` order) as a table called `name` whose columns take
    the names and types of `columns`."""
    document: BindParameter[str] = bindparam(f"{name}_json", _document(dialect, columns, rows))
    if dialect.name == "postgresql":
        typed = (column(c.name, c.type) for c in columns)
        return (func.json_to_recordset(cast(document, JSON)).table_valued(*typed)
                .render_derived(name, with_types=True))
    each = func.json_each(document).table_valued("value")
    return select(*(_sqlite_field(each.c.value, c).label(c.name) for c in columns)).subquery(name)


def _sqlite_field(row: ColumnElement, col: ColumnElement) -> ColumnElement:
    """The column's value in a document row; a JSON column gets JSON text, which
    json_extract alone returns only for objects and arrays (it unquotes a string)."""
    value = func.json_extract(row, f"$.{col.name}")
    return func.json_quote(value) if isinstance(col.type, JSON) else value


def _document(dialect: Dialect, columns: Sequence[ColumnElement], rows: Sequence[Sequence]) -> str:
    """The rows as a JSON array of objects holding what each column stores."""
    names = [c.name for c in columns]
    stored = [_storing(c.type, dialect) for c in columns]
    return json.dumps([{n: store(v) for n, store, v in zip(names, stored, row, strict=True)}
                       for row in rows], default=str)


def _storing(type_: TypeEngine, dialect: Dialect) -> Callable:
    """What turns a value into what its column stores: JSON values go into the document
    as they are (the document is JSON already); others through the column type's own
    conversion, which SQLAlchemy would otherwise apply per parameter, once per distinct
    value (a batch repeats its timestamps)."""
    if isinstance(type_, JSON):
        return _same
    convert = type_.dialect_impl(dialect).bind_processor(dialect)
    return functools.cache(lambda value: _text(convert(value))) if convert else _same


def _same(value):
    return value


def _text(value):
    """What a driver would send natively (a datetime for asyncpg) goes as its text form,
    which the server's type input reads back; `default=str` does the same for columns
    without a conversion."""
    return value if isinstance(value, _JSON_NATIVE) else str(value)


_JSON_NATIVE = (str, int, float, bool, type(None))


async def insert_rows(conn: AsyncConnection, table: TableClause, rows: Sequence[dict]) -> None:
    """Insert `rows` (dicts with the same keys) in one statement; ids follow the list's
    order, as both table functions yield rows in document order."""
    if not rows:
        return
    columns = [table.c[key] for key in rows[0]]
    values = [tuple(row[c.name] for c in columns) for row in rows]
    source = rows_table(conn.dialect, f"new_{table.name}", columns, values)
    await conn.execute(insert(table).from_select(columns, select(*source.c)))


# Below this many rows an executemany costs less than building the document (on
# PostgreSQL two outbox rows took 120-150 us of CPU that way, 400-600 us as a document).
SMALL = 16


async def insert_all(conn: AsyncConnection, statement: Insert, rows: Sequence[dict]) -> None:
    """Insert `rows` with a prebuilt INSERT; on PostgreSQL a larger batch goes as one
    statement (`insert_rows`) instead, since an executemany there is a statement per
    row, with the server-side work (and statement triggers) of each."""
    if conn.dialect.name == "postgresql" and len(rows) >= SMALL:
        await insert_rows(conn, statement.table, rows)
    elif rows:
        await conn.execute(statement, rows)
