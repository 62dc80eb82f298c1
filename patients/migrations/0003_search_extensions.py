"""pg_trgm and unaccent for patient search (partial, case- and accent-insensitive name matching)."""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("patients", "0002_mrn_sequence")]

    # Both are "trusted" extensions since PostgreSQL 13: the database owner may create them without superuser.
    operations = [TrigramExtension(), UnaccentExtension()]
