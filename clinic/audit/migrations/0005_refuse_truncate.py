"""TRUNCATE refused wherever DELETE is (security.md G1, G4).

Row-level triggers refuse UPDATE and DELETE on the audit tables and DELETE on clinical rows, but TRUNCATE fires no
row trigger: it emptied those tables for the app's own database role. A statement-level ``BEFORE TRUNCATE`` trigger,
``refuse_truncate``, now refuses it on every table that refuses DELETE (found in the catalogue: a BEFORE DELETE
trigger), and on django-pghistory's context table (who, where, from which address of every change).

``audit_install_truncate_guards()`` is also called after every ``migrate`` (``clinic.audit.chain.install``), so a
table added later is guarded as soon as it refuses DELETE. The one way past the trigger is the transaction-local
setting ``clinic.allow_truncate = 'on'``, which only the test suite's database flush sets (tests/conftest.py); see
docs/security.md G1 for why.
"""

from django.db import migrations

FUNCTIONS_SQL = r"""
CREATE OR REPLACE FUNCTION audit_refuse_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('clinic.allow_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'clinic: Cannot truncate % table: its rows are kept (audit trail or clinical record)', TG_TABLE_NAME;
END
$$;

-- Every table of this schema with a BEFORE DELETE trigger (tgtype bits: 2 = BEFORE, 8 = DELETE), and pghistory's
-- context table. Identifiers are quoted by regclass and format(), never by Python.
CREATE OR REPLACE FUNCTION audit_install_truncate_guards() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    t record;
    added integer := 0;
BEGIN
    FOR t IN
        SELECT DISTINCT c.oid::regclass AS tbl
        FROM pg_trigger AS tr
        JOIN pg_class AS c ON c.oid = tr.tgrelid
        WHERE NOT tr.tgisinternal AND tr.tgtype & 10 = 10 AND c.relnamespace = current_schema()::regnamespace
        UNION
        SELECT to_regclass('pghistory_context') WHERE to_regclass('pghistory_context') IS NOT NULL
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = t.tbl AND tgname = 'refuse_truncate') THEN
            EXECUTE format(
                'CREATE TRIGGER refuse_truncate BEFORE TRUNCATE ON %s FOR EACH STATEMENT '
                'EXECUTE FUNCTION audit_refuse_truncate()', t.tbl);
            added := added + 1;
        END IF;
    END LOOP;
    RETURN added;
END
$$;

SELECT audit_install_truncate_guards();
"""

UNINSTALL_SQL = r"""
DO $$
DECLARE t record;
BEGIN
    FOR t IN SELECT tgrelid::regclass AS tbl FROM pg_trigger WHERE tgname = 'refuse_truncate' LOOP
        EXECUTE format('DROP TRIGGER refuse_truncate ON %s', t.tbl);
    END LOOP;
END
$$;
DROP FUNCTION IF EXISTS audit_install_truncate_guards();
DROP FUNCTION IF EXISTS audit_refuse_truncate();
"""


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0004_role_and_permission_changes"),
    ]

    operations = [
        migrations.RunSQL(sql=FUNCTIONS_SQL, reverse_sql=UNINSTALL_SQL),
    ]
