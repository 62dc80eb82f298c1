"""Side effects leave ``infusions`` for their own app (issue #15), in the migration state only: the tables, their
rows, indexes, constraints and triggers stay exactly where they are, and ``side_effects/0001_initial`` takes the same
tables over under its own labels. Nothing runs against the database here."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('infusions', '0009_merge_20261130_0915'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='externalreport',
                    name='event',
                ),
                migrations.RemoveField(
                    model_name='externalreportevent',
                    name='event',
                ),
                migrations.RemoveField(
                    model_name='adverseeventevent',
                    name='pgh_obj',
                ),
                migrations.RemoveField(
                    model_name='adverseeventevent',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='adverseeventevent',
                    name='patient',
                ),
                migrations.RemoveField(
                    model_name='adverseeventevent',
                    name='pgh_context',
                ),
                migrations.RemoveField(
                    model_name='adverseeventevent',
                    name='rescue_medication',
                ),
                migrations.RemoveField(
                    model_name='adverseeventevent',
                    name='reviewed_by',
                ),
                migrations.RemoveField(
                    model_name='adverseeventevent',
                    name='session',
                ),
                migrations.RemoveField(
                    model_name='adverseeventevent',
                    name='term',
                ),
                migrations.RemoveField(
                    model_name='adverseeventevent',
                    name='updated_by',
                ),
                migrations.RemoveField(
                    model_name='adverseeventevent',
                    name='voided_by',
                ),
                migrations.RemoveField(
                    model_name='adverseeventtermevent',
                    name='pgh_obj',
                ),
                migrations.RemoveField(
                    model_name='adverseeventtermevent',
                    name='pgh_context',
                ),
                migrations.RemoveField(
                    model_name='externalreport',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='externalreport',
                    name='updated_by',
                ),
                migrations.RemoveField(
                    model_name='externalreport',
                    name='voided_by',
                ),
                migrations.RemoveField(
                    model_name='externalreportevent',
                    name='pgh_obj',
                ),
                migrations.RemoveField(
                    model_name='externalreportevent',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='externalreportevent',
                    name='pgh_context',
                ),
                migrations.RemoveField(
                    model_name='externalreportevent',
                    name='updated_by',
                ),
                migrations.RemoveField(
                    model_name='externalreportevent',
                    name='voided_by',
                ),
                migrations.DeleteModel(
                    name='AdverseEvent',
                ),
                migrations.DeleteModel(
                    name='AdverseEventEvent',
                ),
                migrations.DeleteModel(
                    name='AdverseEventTerm',
                ),
                migrations.DeleteModel(
                    name='AdverseEventTermEvent',
                ),
                migrations.DeleteModel(
                    name='ExternalReport',
                ),
                migrations.DeleteModel(
                    name='ExternalReportEvent',
                ),
            ],
            database_operations=[],
        ),
    ]
