"""COPY machinery: rows buffered per table, written with PostgreSQL COPY, with triggers off and big indexes built
after the load.

Why triggers are off during the load: every clinical table carries django-pghistory triggers (one event row per
insert) and the patient table two trigram GIN indexes; row by row they made an earlier 100,000-patient load take
319 s. The generated data needs no change-history rows (nothing was changed by anyone), so the load runs with
``session_replication_role = replica`` (superuser: user triggers and foreign-key checks off), or else with
``ALTER TABLE ... DISABLE TRIGGER USER`` inside the load's transaction (table owner; foreign keys still checked).
Secondary indexes are dropped first and built again after the load, which is much faster than maintaining them
row by row. The whole load is one transaction: a failure leaves the database as it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import models
from django.db.models import NOT_PROVIDED
from psycopg import sql


class Table:
    """Rows for one model's table, in the order of ``columns``; NOT NULL columns left out get the field's constant
    default (``""``, ``False``, ``[]``...). A NOT NULL column without one must be given, or this refuses."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        self.model = model
        self.name = model._meta.db_table
        known = {f.column: f for f in model._meta.concrete_fields}
        unknown = set(columns) - set(known)
        if unknown:
            raise ValueError(f"{self.name}: no such columns {sorted(unknown)}")
        tail_columns, tail = [], []
        for column, field in known.items():
            if column in columns or field.generated or field.null or field.db_default is not NOT_PROVIDED:
                continue
            tail_columns.append(column)
            tail.append(_constant_default(self.name, field))
        self.columns = [*columns, *tail_columns]
        self.tail = tuple(tail)
        self.rows: list[tuple] = []
        self.written = 0
        self.last_id = 0

    def next_id(self) -> int:
        self.last_id += 1
        return self.last_id

    def add(self, *values: Any) -> None:
        self.rows.append(values + self.tail)

    def copy_statement(self) -> sql.Composed:
        columns = sql.SQL(", ").join(map(sql.Identifier, self.columns))
        return sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(self.name), columns)

    def flush(self, cursor: Any) -> None:
        """COPY the buffered rows (``cursor`` is a psycopg cursor)."""
        if not self.rows:
            return
        with cursor.copy(self.copy_statement()) as copy:
            for row in self.rows:
                copy.write_row(row)
        self.written += len(self.rows)
        self.rows.clear()


def _constant_default(table: str, field: models.Field) -> Any:
    if field.has_default() and callable(field.default) and field.default not in (list, dict):
        raise ValueError(f"{table}.{field.column} has a computed default ({field.default!r}): give it a value")
    value = field.get_default()
    if value is None:
        raise ValueError(f"{table}.{field.column} is NOT NULL and has no default: give it a value")
    if isinstance(field, models.JSONField):
        return json.dumps(value)
    return value


class BulkLoad:
    """Prepare tables for a bulk load and restore them afterwards; use inside one transaction."""

    def __init__(self, cursor: Any, tables: Iterable[Table]) -> None:
        self.cursor = cursor
        self.tables = list(tables)
        self.names = [t.name for t in self.tables]
        self.indexes: list[tuple[str, str]] = []
        self.superuser = False

    def start(self) -> None:
        cur = self.cursor
        cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        self.superuser = bool(cur.fetchone()[0])
        if self.superuser:
            cur.execute("SET LOCAL session_replication_role = replica")
        else:
            for name in self.names:
                cur.execute(sql.SQL("ALTER TABLE {} DISABLE TRIGGER USER").format(sql.Identifier(name)))
        cur.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary AND NOT i.indisunique
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            ORDER BY 1
            """,
            [self.names],
        )
        self.indexes = cur.fetchall()
        for name, _ in self.indexes:
            cur.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
        for table in self.tables:
            cur.execute(sql.SQL("SELECT coalesce(max(id), 0) FROM {}").format(sql.Identifier(table.name)))
            table.last_id = cur.fetchone()[0]

    def finish(self) -> None:
        """Build the dropped indexes, turn the triggers back on and move each id sequence past the new rows."""
        cur = self.cursor
        cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _, definition in self.indexes:
            cur.execute(definition)
        if not self.superuser:
            for name in self.names:
                cur.execute(sql.SQL("ALTER TABLE {} ENABLE TRIGGER USER").format(sql.Identifier(name)))
        cur.execute("SET LOCAL session_replication_role = DEFAULT")
        for table in self.tables:
            cur.execute(
                sql.SQL("SELECT setval(pg_get_serial_sequence({}, 'id'), greatest(max(id), 1)) FROM {}").format(
                    sql.Literal(table.name), sql.Identifier(table.name)
                )
            )
