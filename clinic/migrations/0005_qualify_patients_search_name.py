"""Nothing to do: this migration patched the ``patients`` app's ``patients_search_name`` function from ``clinic``
(issue #10, backups). Issue #15 (plan decision D5) moved that statement to
``patients/migrations/0013_qualify_search_name``, so ``clinic`` no longer depends on a feature app's migrations.

The file and its name stay: databases that applied it keep its record, and later ``clinic`` migrations depend on it.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("clinic", "0004_form_submission")]

    operations = []
