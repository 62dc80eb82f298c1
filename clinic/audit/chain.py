"""Tamper evidence for the audit tables: a hash chain of seals, and its verification (security.md G2).

Design (ONC 170.315(d)(2)(v), Part 11 11.10(a)):

- **Which tables**: every change-history event table (the models ``clinic.audit.track_changes`` generates through
  django-pghistory), ``PatientAccessEvent`` and ``AuthEvent`` (``audit_tables()``).
- **On insert**: a statement-level ``AFTER INSERT`` trigger on each of them (``audit_seal``) writes one
  ``AuditSeal`` per new row: table, key, the sorted column names, and ``row_hash = sha256(table | key | jsonb of
  the row)``. The functions run with ``SET timezone = 'UTC'`` so timestamps serialise the same way at insert and at
  verification, whatever the session's time zone. PostgreSQL's ``jsonb`` text is canonical (keys sorted, no
  duplicates), so the same row always hashes the same. Storing the column names means a column added to an audit
  table later (a new field on a tracked model) does not change the hash of older rows.
- **Linking**: ``manage.py seal_audit`` (systemd timer, every few minutes) calls ``audit_link_seals()``, which takes
  an advisory lock that only sealers take (so requests, which only insert, never wait on it), and links the seals
  not linked yet, in id order, into the chain: ``position`` (1, 2, ...), ``prev_hash`` (the previous link's
  ``chain_hash``; 32 zero bytes before the first) and ``chain_hash = sha256(prev_hash || row_hash)``. A seal is
  updated exactly once, from unlinked to linked; the database refuses any other UPDATE and every DELETE.
- **Verification**: ``manage.py verify_audit`` links what is pending, then, in one snapshot, walks the chain
  (positions contiguous, each ``prev_hash`` equal to the previous ``chain_hash``, each ``chain_hash`` recomputed)
  and recomputes every row's hash from the live row (changed, missing, or a row without a seal). It reports the
  first broken link by position and exits non-zero.
- **Installation**: the trigger is (re)installed on every audit table after each ``migrate`` (post_migrate), so a
  newly tracked model is covered without touching other apps' migrations. Rows written before their table had the
  trigger (data migrations during the same ``migrate``, or an upgrade from a version without seals) are sealed then,
  marked ``origin = backfill`` and counted by ``verify_audit``.

Limits: someone with the database owner's rights can disable triggers and rewrite the rest of the chain
consistently. That is why ``seal_audit`` prints the chain head (position and hash) into the journal: a head written
down elsewhere (log shipping, G5) cannot be rewritten afterwards without showing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pghistory.models
from django.apps import apps
from django.db import connection, transaction
from django.db.models import Model

from clinic.audit.models import AuditSeal

GENESIS_HASH = bytes(32)  # prev_hash of the first link
SEAL_TRIGGER = "audit_seal"

# Undoes install() (the reverse of the migration that adds the seal table): every seal trigger, then the functions.
UNINSTALL_SQL = r"""
DO $$
DECLARE t record;
BEGIN
    FOR t IN SELECT tgrelid::regclass AS tbl FROM pg_trigger WHERE tgname = 'audit_seal' LOOP
        EXECUTE format('DROP TRIGGER audit_seal ON %s', t.tbl);
    END LOOP;
END
$$;
DROP FUNCTION IF EXISTS audit_install_seal_trigger(text, text);
DROP FUNCTION IF EXISTS audit_count_rows(text);
DROP FUNCTION IF EXISTS audit_seal_rows();
DROP FUNCTION IF EXISTS audit_backfill(text, text);
DROP FUNCTION IF EXISTS audit_link_seals();
DROP FUNCTION IF EXISTS audit_check_table(text, text);
DROP FUNCTION IF EXISTS audit_row_digest(text, bigint, jsonb);
"""

FUNCTIONS_SQL = r"""
CREATE OR REPLACE FUNCTION audit_row_digest(tbl text, pk bigint, doc jsonb) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT sha256(convert_to(tbl || '|' || pk::text || '|' || doc::text, 'UTF8'))
$$;

-- AFTER INSERT ... FOR EACH STATEMENT, REFERENCING NEW TABLE AS new_rows; TG_ARGV[0] is the key column.
CREATE OR REPLACE FUNCTION audit_seal_rows() RETURNS trigger
LANGUAGE plpgsql SET timezone = 'UTC' AS $$
BEGIN
    INSERT INTO audit_auditseal (table_name, row_pk, columns, row_hash, origin)
    SELECT TG_TABLE_NAME, r.pk, ARRAY(SELECT k FROM jsonb_object_keys(r.doc) AS k ORDER BY k),
           audit_row_digest(TG_TABLE_NAME, r.pk, r.doc), 'trigger'
    FROM (SELECT (d.doc ->> TG_ARGV[0])::bigint AS pk, d.doc
          FROM (SELECT to_jsonb(n) AS doc FROM new_rows AS n) AS d) AS r
    ORDER BY r.pk;
    RETURN NULL;
END
$$;

-- Seals rows that have none (rows written before their table had the trigger), marked as backfilled.
CREATE OR REPLACE FUNCTION audit_backfill(tbl text, pkcol text) RETURNS bigint
LANGUAGE plpgsql SET timezone = 'UTC' AS $$
DECLARE
    added bigint;
BEGIN
    EXECUTE format(
        'INSERT INTO audit_auditseal (table_name, row_pk, columns, row_hash, origin)
         SELECT %1$L, r.pk, ARRAY(SELECT k FROM jsonb_object_keys(r.doc) AS k ORDER BY k),
                audit_row_digest(%1$L, r.pk, r.doc), ''backfill''
         FROM (SELECT t.%2$I::bigint AS pk, to_jsonb(t) AS doc FROM %1$I AS t
               WHERE NOT EXISTS (SELECT 1 FROM audit_auditseal AS s
                                 WHERE s.table_name = %1$L AND s.row_pk = t.%2$I)) AS r
         ORDER BY r.pk', tbl, pkcol);
    GET DIAGNOSTICS added = ROW_COUNT;
    RETURN added;
END
$$;

-- Puts the seal trigger on an audit table that lacks it (identifiers quoted by format(), never by Python).
CREATE OR REPLACE FUNCTION audit_install_seal_trigger(tbl text, pkcol text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = tbl::regclass AND tgname = 'audit_seal') THEN
        RETURN false;
    END IF;
    EXECUTE format(
        'CREATE TRIGGER audit_seal AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
        'FOR EACH STATEMENT EXECUTE FUNCTION audit_seal_rows(%L)', tbl, pkcol);
    RETURN true;
END
$$;

CREATE OR REPLACE FUNCTION audit_count_rows(tbl text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE format('SELECT count(*) FROM %I', tbl) INTO n;
    RETURN n;
END
$$;

-- Links the unlinked seals into the chain. Only sealers take this advisory lock.
CREATE OR REPLACE FUNCTION audit_link_seals() RETURNS bigint
LANGUAGE plpgsql SET timezone = 'UTC' AS $$
DECLARE
    head_position bigint;
    head_hash bytea;
    seal record;
    linked bigint := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('clinic.audit.link_seals'));
    SELECT s.position, s.chain_hash INTO head_position, head_hash
    FROM audit_auditseal AS s WHERE s.position IS NOT NULL ORDER BY s.position DESC LIMIT 1;
    IF head_position IS NULL THEN
        head_position := 0;
        head_hash := decode(repeat('00', 32), 'hex');
    END IF;
    FOR seal IN SELECT s.id, s.row_hash FROM audit_auditseal AS s WHERE s.position IS NULL ORDER BY s.id LOOP
        head_position := head_position + 1;
        UPDATE audit_auditseal
        SET position = head_position, prev_hash = head_hash, chain_hash = sha256(head_hash || seal.row_hash),
            sealed_at = now()
        WHERE id = seal.id
        RETURNING chain_hash INTO head_hash;
        linked := linked + 1;
    END LOOP;
    RETURN linked;
END
$$;

-- Rows of one table whose hash no longer matches its seal, seals whose row is gone, rows without a seal.
CREATE OR REPLACE FUNCTION audit_check_table(tbl text, pkcol text)
RETURNS TABLE (seal_position bigint, row_pk bigint, problem text)
LANGUAGE plpgsql STABLE SET timezone = 'UTC' AS $$
BEGIN
    RETURN QUERY EXECUTE format(
        'SELECT s.position, s.row_pk,
                CASE WHEN t.%2$I IS NULL THEN ''missing'' ELSE ''changed'' END
         FROM audit_auditseal AS s LEFT JOIN %1$I AS t ON t.%2$I = s.row_pk
         WHERE s.table_name = %1$L
           AND (t.%2$I IS NULL
                OR audit_row_digest(%1$L, s.row_pk,
                       (SELECT coalesce(jsonb_object_agg(e.key, e.value), ''{}''::jsonb)
                        FROM jsonb_each(to_jsonb(t)) AS e WHERE e.key = ANY (s.columns))) <> s.row_hash)
         UNION ALL
         SELECT NULL::bigint, t.%2$I::bigint, ''unsealed''
         FROM %1$I AS t
         WHERE NOT EXISTS (SELECT 1 FROM audit_auditseal AS s WHERE s.table_name = %1$L AND s.row_pk = t.%2$I)',
        tbl, pkcol);
END
$$;
"""

CHAIN_CHECK_SQL = """
SELECT position, table_name, row_pk,
       CASE
           WHEN position <> coalesce(before_position, 0) + 1 THEN 'gap'
           WHEN prev_hash IS DISTINCT FROM coalesce(before_hash, %(genesis)s) THEN 'prev'
           ELSE 'hash'
       END
FROM (
    SELECT position, table_name, row_pk, prev_hash, chain_hash, row_hash,
           lag(position) OVER w AS before_position, lag(chain_hash) OVER w AS before_hash
    FROM audit_auditseal WHERE position IS NOT NULL
    WINDOW w AS (ORDER BY position)
) AS links
WHERE position <> coalesce(before_position, 0) + 1
   OR prev_hash IS DISTINCT FROM coalesce(before_hash, %(genesis)s)
   OR chain_hash IS DISTINCT FROM sha256(prev_hash || row_hash)
ORDER BY position
LIMIT 1
"""

PROBLEM_TEXT = {
    "changed": "row changed: its content no longer matches the hash sealed when it was written",
    "missing": "row missing: sealed, but no longer in its table",
    "unsealed": "row not sealed: in the table without a seal (written with the seal trigger off?)",
    "gap": "chain altered: links before this position are missing",
    "prev": "chain altered: prev_hash does not match the previous link's chain_hash",
    "hash": "chain altered: chain_hash does not match sha256(prev_hash || row_hash)",
}


def audit_tables() -> list[tuple[str, str]]:
    """(table, key column) of every audit table: change-history events, the access log, auth events."""
    from clinic.audit.models import AuthEvent, PatientAccessEvent

    models: list[type[Model]] = [
        model
        for model in apps.get_models()
        if issubclass(model, pghistory.models.Event) and model._meta.managed and not model._meta.proxy
    ]
    models += [PatientAccessEvent, AuthEvent]
    return sorted({(model._meta.db_table, model._meta.pk.column) for model in models})


def install(*, using: str = "default") -> dict[str, int]:
    """Create the functions, put the seal trigger on every audit table that lacks it, seal rows without a seal and
    link them. Idempotent; run after every ``migrate``. Returns the rows backfilled per table."""
    from django.db import connections

    conn = connections[using]
    backfilled: dict[str, int] = {}
    with transaction.atomic(using=using), conn.cursor() as cursor:
        existing = set(conn.introspection.table_names(cursor))
        if AuditSeal._meta.db_table not in existing:  # migrated to a state before the seals (or back out of it)
            return backfilled
        cursor.execute(FUNCTIONS_SQL)
        for table, pk in audit_tables():
            if table not in existing:
                continue
            cursor.execute("SELECT audit_install_seal_trigger(%s, %s)", [table, pk])
            cursor.execute("SELECT audit_backfill(%s, %s)", [table, pk])
            added = cursor.fetchone()[0]
            if added:
                backfilled[table] = added
        cursor.execute("SELECT audit_link_seals()")
        # TRUNCATE refused wherever DELETE is, tables added since included (audit migration 0005 made the function).
        cursor.execute("SELECT to_regprocedure('audit_install_truncate_guards()') IS NOT NULL")
        if cursor.fetchone()[0]:
            cursor.execute("SELECT audit_install_truncate_guards()")
    return backfilled


def install_through_triggers(*, using: str = "default") -> None:
    """Install the change-history triggers of Django's auto-created many-to-many tables (user roles, role
    permissions), which migrations do not carry; only once their event table exists."""
    import pgtrigger
    from django.db import connections

    conn = connections[using]
    with conn.cursor() as cursor:
        existing = set(conn.introspection.table_names(cursor))
    for model, trigger in pgtrigger.registered():
        event_model = getattr(trigger, "event_model", None)
        if model._meta.auto_created and event_model is not None and event_model._meta.db_table in existing:
            trigger.install(model, database=using)


def seal() -> int:
    """Link every seal not linked yet into the chain; returns how many were linked."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT audit_link_seals()")
        return cursor.fetchone()[0]


def head() -> tuple[int, str]:
    """The last link: (position, chain_hash in hex); (0, genesis) for an empty chain."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT position, chain_hash FROM audit_auditseal WHERE position IS NOT NULL ORDER BY position DESC LIMIT 1"
        )
        row = cursor.fetchone()
    return (row[0], bytes(row[1]).hex()) if row else (0, GENESIS_HASH.hex())


@dataclass(frozen=True)
class Break:
    """One broken link: where, and what is wrong."""

    table: str
    row_pk: int
    position: int | None
    problem: str

    @property
    def description(self) -> str:
        where = f"position {self.position}" if self.position is not None else "no position"
        return f"{where}: table {self.table}, row {self.row_pk}: {PROBLEM_TEXT[self.problem]}"


@dataclass
class Verification:
    """What ``verify`` found: counts, the chain head, and every break ordered by position (first = first broken)."""

    links: int = 0
    pending: int = 0
    backfilled: int = 0
    rows_by_table: dict[str, int] = field(default_factory=dict)
    head_position: int = 0
    head_hash: str = GENESIS_HASH.hex()
    breaks: list[Break] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def first(self) -> Break | None:
        return self.breaks[0] if self.breaks else None


def verify() -> Verification:
    """Link pending seals, then check the chain and every audit row against its seal, in one snapshot."""
    seal()
    result = Verification()
    own_transaction = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if own_transaction:  # one snapshot for every check (a caller's transaction already has one)
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute(
            "SELECT count(position), count(*) - count(position), count(*) FILTER (WHERE origin = 'backfill') "
            "FROM audit_auditseal"
        )
        result.links, result.pending, result.backfilled = cursor.fetchone()
        result.head_position, result.head_hash = head()

        breaks: list[Break] = []
        cursor.execute(CHAIN_CHECK_SQL, {"genesis": GENESIS_HASH})
        row = cursor.fetchone()
        if row:
            breaks.append(Break(table=row[1], row_pk=row[2], position=row[0], problem=row[3]))
        for table, pk in audit_tables():
            cursor.execute("SELECT audit_count_rows(%s)", [table])
            result.rows_by_table[table] = cursor.fetchone()[0]
            cursor.execute("SELECT seal_position, row_pk, problem FROM audit_check_table(%s, %s)", [table, pk])
            breaks += [Break(table=table, row_pk=r[1], position=r[0], problem=r[2]) for r in cursor.fetchall()]
    # Ordered by position; rows without one (unsealed) after every positioned break, by table and key.
    result.breaks = sorted(
        breaks, key=lambda b: (b.position is None, b.position or 0, b.problem not in ("gap", "prev", "hash"), b.table)
    )
    return result


def seal_trigger_tables() -> set[str]:
    """Tables that carry the seal trigger (for the test that every audit table has it)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = %s", [SEAL_TRIGGER])
        return {name.strip('"') for (name,) in cursor.fetchall()}


__all__ = ["AuditSeal", "Break", "Verification", "audit_tables", "head", "install", "seal", "verify"]
