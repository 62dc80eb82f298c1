"""The ketamine stock ledger leaves ``infusions`` for its own app (issue #15), in the migration state only: the
tables, their rows, indexes, constraints and triggers (the ledger's balance check included) stay exactly where they
are, and ``stock/0001_initial`` takes the same tables over. Nothing runs against the database here."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('infusions', '0011_cite_docs_clinical_md'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='stockcount',
                    name='counted_by',
                ),
                migrations.RemoveField(
                    model_name='stockcount',
                    name='product',
                ),
                migrations.RemoveField(
                    model_name='stockcount',
                    name='witness',
                ),
                migrations.RemoveField(
                    model_name='stockmovement',
                    name='by',
                ),
                migrations.RemoveField(
                    model_name='stockmovement',
                    name='patient',
                ),
                migrations.RemoveField(
                    model_name='stockmovement',
                    name='product',
                ),
                migrations.RemoveField(
                    model_name='stockmovement',
                    name='reverses',
                ),
                migrations.RemoveField(
                    model_name='stockmovement',
                    name='second_witness',
                ),
                migrations.RemoveField(
                    model_name='stockmovement',
                    name='session',
                ),
                migrations.RemoveField(
                    model_name='stockmovement',
                    name='vial',
                ),
                migrations.RemoveField(
                    model_name='stockmovement',
                    name='witness',
                ),
                migrations.RemoveField(
                    model_name='stockproductevent',
                    name='pgh_obj',
                ),
                migrations.RemoveField(
                    model_name='vialevent',
                    name='product',
                ),
                migrations.RemoveField(
                    model_name='vial',
                    name='product',
                ),
                migrations.RemoveField(
                    model_name='stockreceipt',
                    name='product',
                ),
                migrations.RemoveField(
                    model_name='stockproductevent',
                    name='pgh_context',
                ),
                migrations.RemoveField(
                    model_name='stockreceipt',
                    name='received_by',
                ),
                migrations.RemoveField(
                    model_name='vial',
                    name='receipt',
                ),
                migrations.RemoveField(
                    model_name='vialevent',
                    name='receipt',
                ),
                migrations.RemoveField(
                    model_name='vial',
                    name='opened_by',
                ),
                migrations.RemoveField(
                    model_name='vialevent',
                    name='pgh_obj',
                ),
                migrations.RemoveField(
                    model_name='vialevent',
                    name='opened_by',
                ),
                migrations.RemoveField(
                    model_name='vialevent',
                    name='pgh_context',
                ),
                migrations.DeleteModel(
                    name='Form106Filing',
                ),
                migrations.DeleteModel(
                    name='StockCount',
                ),
                migrations.DeleteModel(
                    name='StockMovement',
                ),
                migrations.DeleteModel(
                    name='StockProduct',
                ),
                migrations.DeleteModel(
                    name='StockProductEvent',
                ),
                migrations.DeleteModel(
                    name='StockReceipt',
                ),
                migrations.DeleteModel(
                    name='Vial',
                ),
                migrations.DeleteModel(
                    name='VialEvent',
                ),
            ],
            database_operations=[],
        ),
    ]
