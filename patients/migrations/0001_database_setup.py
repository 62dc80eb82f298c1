"""Database objects the patient tables rely on: search extensions and functions, and the MRN sequence.

- pg_trgm and unaccent serve patient search (partial, case- and accent-insensitive). Both are "trusted"
  extensions since PostgreSQL 13, so a database owner may create them without superuser rights.
- ``unaccent()`` is only STABLE (its dictionary could change), so a generated column cannot call it directly;
  ``patients_fold`` names the dictionary explicitly and is declared IMMUTABLE, the usual PostgreSQL idiom.
  ``patients_search_name`` builds the folded name column; search terms go through ``patients_fold`` too, so both
  sides are folded the same way.
- MRNs come from a sequence: unique and never reused, even after a rolled-back registration.
"""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

FOLD = """
CREATE OR REPLACE FUNCTION patients_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$;
"""

SEARCH_NAME = """
CREATE OR REPLACE FUNCTION patients_search_name(family text, given text, preferred text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT patients_fold(coalesce(family, '') || ' ' || coalesce(given, '') || ' ' || coalesce(preferred, '')) $$;
"""


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        TrigramExtension(),
        UnaccentExtension(),
        migrations.RunSQL(FOLD, "DROP FUNCTION patients_fold(text)"),
        migrations.RunSQL(SEARCH_NAME, "DROP FUNCTION patients_search_name(text, text, text)"),
        migrations.RunSQL(
            "CREATE SEQUENCE patients_mrn_seq START WITH 100001",
            "DROP SEQUENCE patients_mrn_seq",
        ),
    ]
