# Index for the sessions given in a period (safety overview, cohort report); make bench, issue #8.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("infusions", "0006_history_and_report_permissions"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="infusionsession",
            index=models.Index(fields=["started_at"], name="session_started_idx"),
        ),
    ]
