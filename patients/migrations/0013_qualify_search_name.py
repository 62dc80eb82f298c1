"""Make backups restorable: ``patients_search_name`` calls ``public.patients_fold``, schema-qualified.

pg_restore runs with an empty ``search_path`` (a pg_dump safety measure), and PostgreSQL inlines this SQL function
while it creates the ``patients_patient`` generated column, so the unqualified ``patients_fold`` was not found and
every restore failed ("function patients_fold(text) does not exist"). Same body otherwise; ``CREATE OR REPLACE``
keeps the generated column that depends on it. Ref: issue #10 (backups).

This lived in ``clinic/migrations/0005_qualify_patients_search_name`` until issue #15 (plan decision D5): a
``clinic`` migration does not patch a feature app's function. That migration is now a no-op that databases which
applied it keep on record; on those this one runs the same idempotent statement again.
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
    dependencies = [("patients", "0012_prior_treatment_antidepressant_kind")]

    operations = [migrations.RunSQL(QUALIFIED, UNQUALIFIED)]
