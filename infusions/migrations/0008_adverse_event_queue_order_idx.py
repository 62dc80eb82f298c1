# The side-effect review queue's index in the queue's own order, over events not voided (replaces ae_queue_idx,
# whose column order and directions could not serve that ORDER BY); make bench, issue #8.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("infusions", "0007_session_started_idx"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="adverseevent",
            name="ae_queue_idx",
        ),
        migrations.AddIndex(
            model_name="adverseevent",
            index=models.Index(
                models.OrderBy(models.F("reviewed_at"), nulls_first=True),
                models.OrderBy(models.F("serious"), descending=True),
                models.OrderBy(models.F("grade"), descending=True),
                models.F("onset_at"),
                models.F("id"),
                condition=models.Q(("voided_at__isnull", True)),
                name="ae_queue_order_idx",
            ),
        ),
    ]
