"""Make backups restorable: ``patients_search_name`` calls ``public.patients_fold``, schema-qualified.

pg_restore runs with an empty ``search_path`` (a pg_dump safety measure), and PostgreSQL inlines this SQL function
while it creates the ``patients_patient`` generated column, so the unqualified ``patients_fold`` was not found and
every restore failed ("function patients_fold(text) does not exist"). Same body otherwise; ``CREATE OR REPLACE``
keeps the generated column that depends on it. Ref: issue #10 (backups).

It lives in ``clinic`` only to stay clear of the patients migrations being written in parallel; it depends on the
patients migration that created the function.
"""

from django.db import migrations

QUALIFIED = """
CREATE OR REPLACE FUNCTION patients_search_name(family text, given text, preferred text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT public.patients_fold(coalesce(family, '') || ' ' || coalesce(given, '') || ' ' || coalesce(preferred, '')) $$;
"""

UNQUALIFIED = """
CREATE OR REPLACE FUNCTION patients_search_name(family text, given text, preferred text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT patients_fold(coalesce(family, '') || ' ' || coalesce(given, '') || ' ' || coalesce(preferred, '')) $$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0004_form_submission"),
        ("patients", "0001_database_setup"),
    ]

    operations = [migrations.RunSQL(QUALIFIED, UNQUALIFIED)]
