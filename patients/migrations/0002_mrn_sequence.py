"""A database sequence for medical record numbers: unique and never reused, even after a rollback."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("patients", "0001_initial")]

    operations = [
        migrations.RunSQL(
            sql="CREATE SEQUENCE patients_mrn_seq START WITH 100001",
            reverse_sql="DROP SEQUENCE patients_mrn_seq",
        ),
    ]
