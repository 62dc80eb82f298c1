"""The stock ledger takes over its tables from ``infusions`` (issue #15) by state only: the same tables, the same
trigger names (clinic.triggers pins them), the same balance-check function, no DDL and no data copied. Only the
content types move, so every role's grants and every audit row stay attached."""

import django.core.validators
import django.db.models.deletion
import django.db.models.expressions
import django.db.models.functions.datetime
import django.utils.timezone
import pgtrigger.compiler
import pgtrigger.migrations
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


# The models keep their names; their content types move to the new app, so the permissions (record_stock,
# view_stock_reports, view_vial, ...), the roles' grants, the admin log and the audit rows stay attached.
MOVED = ["stockproduct", "stockproductevent", "stockreceipt", "vial", "vialevent", "stockmovement", "stockcount",
         "form106filing"]  # fmt: skip


def move_content_types(apps, schema_editor, source="infusions", target="stock"):
    """Re-label the moved models' content types; where the new app's content type exists already (made by an
    earlier post_migrate), the grants move to its permissions and the old rows go."""
    content_type = apps.get_model("contenttypes", "ContentType")
    permission = apps.get_model("auth", "Permission")
    group = apps.get_model("auth", "Group")
    user = apps.get_model("accounts", "User")
    for model in MOVED:
        old_type = content_type.objects.filter(app_label=source, model=model).first()
        if old_type is None:
            continue
        new_type = content_type.objects.filter(app_label=target, model=model).first()
        if new_type is None:
            old_type.app_label = target
            old_type.save(update_fields=["app_label"])
            continue
        for perm in permission.objects.filter(content_type=old_type):
            replacement = permission.objects.filter(content_type=new_type, codename=perm.codename).first()
            if replacement is not None:
                for holder in group.objects.filter(permissions=perm):
                    holder.permissions.add(replacement)
                for holder in user.objects.filter(user_permissions=perm):
                    holder.user_permissions.add(replacement)
            perm.delete()
        old_type.delete()
    content_type.objects.clear_cache()


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, "stock", "infusions")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('infusions', '0012_stock_leaves_by_state'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('patients', '0008_amendment_requests'),
        ('pghistory', '0007_auto_20250421_0444'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='StockProductEvent',
                    fields=[
                        ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                        ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                        ('pgh_label', models.TextField(help_text='The event label.')),
                        ('id', models.BigIntegerField()),
                        ('name', models.CharField(help_text='e.g. Ketamine HCl 50 mg/mL, 10 mL vial.', max_length=120)),
                        ('ndc', models.CharField(help_text='National Drug Code, e.g. 0409-2053-10.', max_length=20, verbose_name='NDC')),
                        ('concentration_mg_ml', models.DecimalField(decimal_places=1, max_digits=6, validators=[django.core.validators.MinValueValidator(Decimal('0.001'))], verbose_name='concentration (mg/mL)')),
                        ('volume_ml', models.DecimalField(decimal_places=2, max_digits=6, validators=[django.core.validators.MinValueValidator(Decimal('0.001'))], verbose_name='volume per vial (mL)')),
                        ('schedule', models.CharField(choices=[('CIII', 'Schedule III')], default='CIII', max_length=4)),
                        ('beyond_use_hours', models.PositiveIntegerField(default=672, help_text='How long an opened multi-dose vial may be used (hours); then the rest is wasted. Default 28 days (USP <797> for opened multi-dose vials unless the label says otherwise).')),
                        ('is_active', models.BooleanField(default=True)),
                    ],
                    options={
                        'db_table': 'infusions_stockproductevent',
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='StockReceipt',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('received_on', models.DateField()),
                        ('supplier_name', models.CharField(max_length=200)),
                        ('supplier_address', models.TextField()),
                        ('supplier_dea_number', models.CharField(max_length=20, verbose_name="supplier's DEA number")),
                        ('invoice_number', models.CharField(blank=True, max_length=60)),
                        ('lot_number', models.CharField(max_length=40)),
                        ('expires_on', models.DateField()),
                        ('vial_count', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1)])),
                        ('recorded_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), editable=False)),
                    ],
                    options={
                        'db_table': 'infusions_stockreceipt',
                        'ordering': ['-received_on', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='Vial',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), editable=False)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('label', models.CharField(max_length=20, unique=True, verbose_name='label number')),
                        ('status', models.CharField(choices=[('sealed', 'Sealed'), ('in_use', 'In use'), ('empty', 'Empty'), ('expired', 'Expired (awaiting destruction)'), ('quarantined', 'Quarantined'), ('destroyed', 'Destroyed')], default='sealed', max_length=20)),
                        ('full_mg', models.DecimalField(decimal_places=3, max_digits=10)),
                        ('remaining_mg', models.DecimalField(decimal_places=3, default=Decimal('0'), max_digits=10)),
                        ('opened_at', models.DateTimeField(blank=True, null=True)),
                        ('beyond_use_at', models.DateTimeField(blank=True, null=True)),
                        ('status_reason', models.CharField(blank=True, max_length=300)),
                    ],
                    options={
                        'db_table': 'infusions_vial',
                        'ordering': ['label'],
                    },
                ),
                migrations.CreateModel(
                    name='VialEvent',
                    fields=[
                        ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                        ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                        ('pgh_label', models.TextField(help_text='The event label.')),
                        ('id', models.BigIntegerField()),
                        ('created_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), editable=False)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('label', models.CharField(max_length=20, verbose_name='label number')),
                        ('status', models.CharField(choices=[('sealed', 'Sealed'), ('in_use', 'In use'), ('empty', 'Empty'), ('expired', 'Expired (awaiting destruction)'), ('quarantined', 'Quarantined'), ('destroyed', 'Destroyed')], default='sealed', max_length=20)),
                        ('full_mg', models.DecimalField(decimal_places=3, max_digits=10)),
                        ('remaining_mg', models.DecimalField(decimal_places=3, default=Decimal('0'), max_digits=10)),
                        ('opened_at', models.DateTimeField(blank=True, null=True)),
                        ('beyond_use_at', models.DateTimeField(blank=True, null=True)),
                        ('status_reason', models.CharField(blank=True, max_length=300)),
                    ],
                    options={
                        'db_table': 'infusions_vialevent',
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='StockMovement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('receipt', 'Received'), ('draw', 'Drawn for a session'), ('administered', 'Administered'), ('waste', 'Wasted'), ('return', 'Returned to stock'), ('correction', 'Correction'), ('destruction', 'Destroyed (Form 41)'), ('loss', 'Loss or theft (Form 106)')], max_length=20)),
                        ('occurred_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('recorded_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), editable=False)),
                        ('concentration_mg_ml', models.DecimalField(decimal_places=1, max_digits=6)),
                        ('quantity_mg', models.DecimalField(decimal_places=3, max_digits=10)),
                        ('vial_change_mg', models.DecimalField(decimal_places=3, max_digits=10)),
                        ('session_change_mg', models.DecimalField(decimal_places=3, default=Decimal('0'), max_digits=10)),
                        ('vial_balance_mg', models.DecimalField(decimal_places=3, max_digits=10)),
                        ('product_balance_mg', models.DecimalField(decimal_places=3, max_digits=12)),
                        ('reason', models.TextField(blank=True)),
                        ('method', models.CharField(blank=True, max_length=200, verbose_name='method of destruction')),
                        ('form_106_due_on', models.DateField(blank=True, null=True, verbose_name='DEA Form 106 due')),
                        ('by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('patient', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='stock_movements', to='patients.patient')),
                        ('reverses', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reversal', to='stock.stockmovement')),
                        ('second_witness', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('session', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='stock_movements', to='infusions.infusionsession')),
                        ('witness', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'ledger entry',
                        'verbose_name_plural': 'ledger entries',
                        'db_table': 'infusions_stockmovement',
                        'ordering': ['id'],
                        'permissions': [('record_stock', 'Can record ketamine draws, waste, returns, losses, destruction and counts'), ('view_stock_reports', 'Can read and export the ketamine stock reports')],
                    },
                ),
                migrations.CreateModel(
                    name='Form106Filing',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('filed_on', models.DateField(verbose_name='date filed')),
                        ('reference', models.CharField(help_text='The confirmation or case number the DEA gave.', max_length=60, verbose_name='DEA or case reference')),
                        ('note', models.TextField(blank=True)),
                        ('recorded_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), editable=False)),
                        ('filed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('loss', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='form_106', to='stock.stockmovement')),
                    ],
                    options={
                        'verbose_name': 'DEA Form 106 filing',
                        'db_table': 'infusions_form106filing',
                        'ordering': ['-filed_on', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='StockProduct',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(help_text='e.g. Ketamine HCl 50 mg/mL, 10 mL vial.', max_length=120, unique=True)),
                        ('ndc', models.CharField(help_text='National Drug Code, e.g. 0409-2053-10.', max_length=20, unique=True, verbose_name='NDC')),
                        ('concentration_mg_ml', models.DecimalField(decimal_places=1, max_digits=6, validators=[django.core.validators.MinValueValidator(Decimal('0.001'))], verbose_name='concentration (mg/mL)')),
                        ('volume_ml', models.DecimalField(decimal_places=2, max_digits=6, validators=[django.core.validators.MinValueValidator(Decimal('0.001'))], verbose_name='volume per vial (mL)')),
                        ('schedule', models.CharField(choices=[('CIII', 'Schedule III')], default='CIII', max_length=4)),
                        ('beyond_use_hours', models.PositiveIntegerField(default=672, help_text='How long an opened multi-dose vial may be used (hours); then the rest is wasted. Default 28 days (USP <797> for opened multi-dose vials unless the label says otherwise).')),
                        ('is_active', models.BooleanField(default=True)),
                    ],
                    options={
                        'db_table': 'infusions_stockproduct',
                        'ordering': ['concentration_mg_ml', 'name'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('concentration_mg_ml__gt', 0), ('volume_ml__gt', 0)), name='stockproduct_positive', violation_error_message='Concentration and volume must be greater than zero.')],
                    },
                ),
                migrations.AddField(
                    model_name='stockmovement',
                    name='product',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='movements', to='stock.stockproduct'),
                ),
                migrations.CreateModel(
                    name='StockCount',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('routine', 'Routine count'), ('initial', 'Initial inventory'), ('biennial', 'Biennial inventory')], default='routine', max_length=20)),
                        ('counted_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('business_time', models.CharField(blank=True, choices=[('opening', 'Opening of business'), ('close', 'Close of business')], max_length=10)),
                        ('sealed_vials', models.PositiveSmallIntegerField()),
                        ('open_volume_ml', models.DecimalField(decimal_places=2, max_digits=8, verbose_name='estimated volume in open vials (mL)')),
                        ('counted_mg', models.DecimalField(decimal_places=3, max_digits=12)),
                        ('ledger_sealed_vials', models.PositiveSmallIntegerField()),
                        ('ledger_mg', models.DecimalField(decimal_places=3, max_digits=12)),
                        ('variance_mg', models.DecimalField(decimal_places=3, max_digits=12)),
                        ('variance_reason', models.TextField(blank=True)),
                        ('recorded_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), editable=False)),
                        ('counted_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('witness', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('product', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='counts', to='stock.stockproduct')),
                    ],
                    options={
                        'db_table': 'infusions_stockcount',
                        'ordering': ['-counted_at', '-id'],
                    },
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name='stockproduct',
                    trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "infusions_stockproductevent" ("beyond_use_hours", "concentration_mg_ml", "id", "is_active", "name", "ndc", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "schedule", "volume_ml") VALUES (NEW."beyond_use_hours", NEW."concentration_mg_ml", NEW."id", NEW."is_active", NEW."name", NEW."ndc", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."schedule", NEW."volume_ml"); RETURN NULL;', hash='01a12f28f69713b7b3f7719bcd72f94c5e2c90f7', operation='INSERT', pgid='pgtrigger_insert_insert_34a9b', table='infusions_stockproduct', when='AFTER')),
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name='stockproduct',
                    trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "infusions_stockproductevent" ("beyond_use_hours", "concentration_mg_ml", "id", "is_active", "name", "ndc", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "schedule", "volume_ml") VALUES (NEW."beyond_use_hours", NEW."concentration_mg_ml", NEW."id", NEW."is_active", NEW."name", NEW."ndc", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."schedule", NEW."volume_ml"); RETURN NULL;', hash='bef3d54d7f76671d467c1cfe087349f1fccdecd7', operation='UPDATE', pgid='pgtrigger_update_update_3d704', table='infusions_stockproduct', when='AFTER')),
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name='stockproduct',
                    trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "infusions_stockproductevent" ("beyond_use_hours", "concentration_mg_ml", "id", "is_active", "name", "ndc", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "schedule", "volume_ml") VALUES (OLD."beyond_use_hours", OLD."concentration_mg_ml", OLD."id", OLD."is_active", OLD."name", OLD."ndc", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."schedule", OLD."volume_ml"); RETURN NULL;', hash='4f7f22272d04199bd2170a696d87bca8e79b02f8', operation='DELETE', pgid='pgtrigger_delete_delete_7c25d', table='infusions_stockproduct', when='AFTER')),
                ),
                migrations.AddField(
                    model_name='stockproductevent',
                    name='pgh_context',
                    field=models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context'),
                ),
                migrations.AddField(
                    model_name='stockproductevent',
                    name='pgh_obj',
                    field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='stock.stockproduct'),
                ),
                migrations.AddField(
                    model_name='stockreceipt',
                    name='product',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='receipts', to='stock.stockproduct'),
                ),
                migrations.AddField(
                    model_name='stockreceipt',
                    name='received_by',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AddField(
                    model_name='vial',
                    name='opened_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AddField(
                    model_name='vial',
                    name='product',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='vials', to='stock.stockproduct'),
                ),
                migrations.AddField(
                    model_name='vial',
                    name='receipt',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='vials', to='stock.stockreceipt'),
                ),
                migrations.AddField(
                    model_name='stockmovement',
                    name='vial',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='movements', to='stock.vial'),
                ),
                migrations.AddField(
                    model_name='vialevent',
                    name='opened_by',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AddField(
                    model_name='vialevent',
                    name='pgh_context',
                    field=models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context'),
                ),
                migrations.AddField(
                    model_name='vialevent',
                    name='pgh_obj',
                    field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='stock.vial'),
                ),
                migrations.AddField(
                    model_name='vialevent',
                    name='product',
                    field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='stock.stockproduct'),
                ),
                migrations.AddField(
                    model_name='vialevent',
                    name='receipt',
                    field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='stock.stockreceipt'),
                ),
                migrations.AddConstraint(
                    model_name='form106filing',
                    constraint=models.CheckConstraint(condition=models.Q(('reference', ''), _negated=True), name='form106filing_has_reference', violation_error_message='Enter the DEA confirmation or case reference.'),
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name='form106filing',
                    trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='89687daf3efb6d74abb2493fc968004b5c229993', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_69a1a', table='infusions_form106filing', when='BEFORE')),
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name='form106filing',
                    trigger=pgtrigger.compiler.Trigger(name='only_for_a_loss', sql=pgtrigger.compiler.UpsertTriggerSql(func="\n                BEGIN\n                    IF NOT EXISTS (SELECT 1 FROM infusions_stockmovement WHERE id = NEW.loss_id AND kind = 'loss')\n                    THEN\n                        RAISE EXCEPTION 'stock ledger: a DEA Form 106 is filed for a loss or theft entry'\n                            USING ERRCODE = 'check_violation';\n                    END IF;\n                    RETURN NEW;\n                END;\n                ", hash='e8010f8168722d1d15775bbde6194e15c0ce6f9d', operation='INSERT', pgid='pgtrigger_only_for_a_loss_6dfa4', table='infusions_form106filing', when='BEFORE')),
                ),
                migrations.AddIndex(
                    model_name='stockcount',
                    index=models.Index(fields=['product', '-counted_at'], name='stockcount_product_idx'),
                ),
                migrations.AddConstraint(
                    model_name='stockcount',
                    constraint=models.CheckConstraint(condition=models.Q(('variance_mg', django.db.models.expressions.CombinedExpression(models.F('counted_mg'), '-', models.F('ledger_mg')))), name='stockcount_variance_is_difference'),
                ),
                migrations.AddConstraint(
                    model_name='stockcount',
                    constraint=models.CheckConstraint(condition=models.Q(('variance_mg', 0), models.Q(('variance_reason', ''), _negated=True), _connector='OR'), name='stockcount_variance_has_reason', violation_error_message='Explain the difference between the count and the ledger.'),
                ),
                migrations.AddConstraint(
                    model_name='stockcount',
                    constraint=models.CheckConstraint(condition=models.Q(('witness', models.F('counted_by')), _negated=True), name='stockcount_two_signatures', violation_error_message='The second signature must be another member of staff.'),
                ),
                migrations.AddConstraint(
                    model_name='stockcount',
                    constraint=models.CheckConstraint(condition=models.Q(('kind', 'routine'), models.Q(('business_time', ''), _negated=True), _connector='OR'), name='stockcount_inventory_business_time', violation_error_message='An inventory says whether it was taken at opening or close of business.'),
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name='stockcount',
                    trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='183ecfdd87ee6657fbc65c55e0e208b0ae19ba30', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_357e3', table='infusions_stockcount', when='BEFORE')),
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name='stockproductevent',
                    trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='d7b4ec24ae40b45dd569039c3356c4cc86d4364e', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_9014e', table='infusions_stockproductevent', when='BEFORE')),
                ),
                migrations.AddIndex(
                    model_name='stockreceipt',
                    index=models.Index(fields=['received_on'], name='stockreceipt_received_idx'),
                ),
                migrations.AddConstraint(
                    model_name='stockreceipt',
                    constraint=models.CheckConstraint(condition=models.Q(('vial_count__gte', 1)), name='stockreceipt_has_vials', violation_error_message='At least one.'),
                ),
                migrations.AddConstraint(
                    model_name='stockreceipt',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('supplier_dea_number', ''), _negated=True), models.Q(('supplier_name', ''), _negated=True), models.Q(('lot_number', ''), _negated=True)), name='stockreceipt_supplier_and_lot', violation_error_message="The supplier's name and DEA number and the lot number are required."),
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name='stockreceipt',
                    trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='c3b5764c26a2d2acd47779fe968aa413ee765725', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_c34be', table='infusions_stockreceipt', when='BEFORE')),
                ),
                migrations.AddIndex(
                    model_name='vial',
                    index=models.Index(fields=['status', 'product'], name='vial_status_product_idx'),
                ),
                migrations.AddConstraint(
                    model_name='vial',
                    constraint=models.CheckConstraint(condition=models.Q(('remaining_mg__gte', 0), ('remaining_mg__lte', models.F('full_mg'))), name='vial_remaining_within_vial', violation_error_message='A vial cannot hold less than nothing or more than when it was full.'),
                ),
                migrations.AddConstraint(
                    model_name='vial',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'in_use'), _negated=True), models.Q(('beyond_use_at__isnull', False), ('opened_at__isnull', False)), _connector='OR'), name='vial_opened_has_time', violation_error_message='A vial in use records when it was opened and its beyond-use time.'),
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name='vial',
                    trigger=pgtrigger.compiler.Trigger(name='protect_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot delete rows from % table', TG_TABLE_NAME;", hash='ddccf154db4e192e6d3bd1b613a892e6fef74806', operation='DELETE', pgid='pgtrigger_protect_delete_08d49', table='infusions_vial', when='BEFORE')),
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name='vial',
                    trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "infusions_vialevent" ("beyond_use_at", "created_at", "full_mg", "id", "label", "opened_at", "opened_by_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "product_id", "receipt_id", "remaining_mg", "status", "status_reason", "updated_at") VALUES (NEW."beyond_use_at", NEW."created_at", NEW."full_mg", NEW."id", NEW."label", NEW."opened_at", NEW."opened_by_id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."product_id", NEW."receipt_id", NEW."remaining_mg", NEW."status", NEW."status_reason", NEW."updated_at"); RETURN NULL;', hash='7358db708ac4f6dcbd097c32ccbef5b96c3b7d38', operation='INSERT', pgid='pgtrigger_insert_insert_01718', table='infusions_vial', when='AFTER')),
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name='vial',
                    trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "infusions_vialevent" ("beyond_use_at", "created_at", "full_mg", "id", "label", "opened_at", "opened_by_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "product_id", "receipt_id", "remaining_mg", "status", "status_reason", "updated_at") VALUES (NEW."beyond_use_at", NEW."created_at", NEW."full_mg", NEW."id", NEW."label", NEW."opened_at", NEW."opened_by_id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."product_id", NEW."receipt_id", NEW."remaining_mg", NEW."status", NEW."status_reason", NEW."updated_at"); RETURN NULL;', hash='afa332b692e060a4aeaa84aeb5781681cfbe22be', operation='UPDATE', pgid='pgtrigger_update_update_c4d3b', table='infusions_vial', when='AFTER')),
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name='vial',
                    trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "infusions_vialevent" ("beyond_use_at", "created_at", "full_mg", "id", "label", "opened_at", "opened_by_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "product_id", "receipt_id", "remaining_mg", "status", "status_reason", "updated_at") VALUES (OLD."beyond_use_at", OLD."created_at", OLD."full_mg", OLD."id", OLD."label", OLD."opened_at", OLD."opened_by_id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."product_id", OLD."receipt_id", OLD."remaining_mg", OLD."status", OLD."status_reason", OLD."updated_at"); RETURN NULL;', hash='f0a617e1d3b1df67501ed27e1f6521f1bc0492e8', operation='DELETE', pgid='pgtrigger_delete_delete_477bd', table='infusions_vial', when='AFTER')),
                ),
                migrations.AddIndex(
                    model_name='stockmovement',
                    index=models.Index(fields=['vial', 'id'], name='stockmove_vial_idx'),
                ),
                migrations.AddIndex(
                    model_name='stockmovement',
                    index=models.Index(fields=['product', 'id'], name='stockmove_product_idx'),
                ),
                migrations.AddIndex(
                    model_name='stockmovement',
                    index=models.Index(fields=['session', 'kind'], name='stockmove_session_idx'),
                ),
                migrations.AddIndex(
                    model_name='stockmovement',
                    index=models.Index(fields=['kind', 'occurred_at'], name='stockmove_kind_time_idx'),
                ),
                migrations.AddIndex(
                    model_name='stockmovement',
                    index=models.Index(fields=['occurred_at'], name='stockmove_time_idx'),
                ),
                migrations.AddConstraint(
                    model_name='stockmovement',
                    constraint=models.CheckConstraint(condition=models.Q(('product_balance_mg__gte', 0), ('vial_balance_mg__gte', 0)), name='stockmove_balances_not_negative', violation_error_message='The vial does not hold that much.'),
                ),
                migrations.AddConstraint(
                    model_name='stockmovement',
                    constraint=models.CheckConstraint(condition=models.Q(('quantity_mg__gt', 0)), name='stockmove_quantity_positive', violation_error_message='The quantity must be greater than zero.'),
                ),
                migrations.AddConstraint(
                    model_name='stockmovement',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'receipt'), _negated=True), models.Q(('session__isnull', True), ('vial_change_mg', models.F('quantity_mg'))), _connector='OR'), name='stockmove_receipt_adds'),
                ),
                migrations.AddConstraint(
                    model_name='stockmovement',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'draw'), _negated=True), models.Q(('patient__isnull', False), ('session__isnull', False), ('session_change_mg', models.F('quantity_mg')), ('vial_change_mg', django.db.models.expressions.CombinedExpression(models.F('quantity_mg'), '*', models.Value(-1)))), _connector='OR'), name='stockmove_draw_for_session', violation_error_message='A draw is for a session and its patient.'),
                ),
                migrations.AddConstraint(
                    model_name='stockmovement',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'administered'), _negated=True), models.Q(('session__isnull', False), ('session_change_mg', django.db.models.expressions.CombinedExpression(models.F('quantity_mg'), '*', models.Value(-1))), ('vial_change_mg', 0)), _connector='OR'), name='stockmove_administered_for_session'),
                ),
                migrations.AddConstraint(
                    model_name='stockmovement',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(models.Q(('kind', 'waste'), _negated=True), models.Q(('session__isnull', False), ('session_change_mg', django.db.models.expressions.CombinedExpression(models.F('quantity_mg'), '*', models.Value(-1))), ('vial_change_mg', 0)), models.Q(('session__isnull', True), ('session_change_mg', 0), ('vial_change_mg', django.db.models.expressions.CombinedExpression(models.F('quantity_mg'), '*', models.Value(-1)))), _connector='OR'), models.Q(models.Q(('kind', 'waste'), _negated=True), models.Q(('reason', ''), _negated=True), _connector='OR')), name='stockmove_waste_shape', violation_error_message="A waste has a reason and comes from a session's draw or from a vial."),
                ),
                migrations.AddConstraint(
                    model_name='stockmovement',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'return'), _negated=True), models.Q(('session__isnull', False), ('session_change_mg', django.db.models.expressions.CombinedExpression(models.F('quantity_mg'), '*', models.Value(-1))), ('vial_change_mg', models.F('quantity_mg'))), _connector='OR'), name='stockmove_return_to_vial'),
                ),
                migrations.AddConstraint(
                    model_name='stockmovement',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'destruction'), _negated=True), models.Q(('second_witness__isnull', False), ('session__isnull', True), ('vial_change_mg', django.db.models.expressions.CombinedExpression(models.F('quantity_mg'), '*', models.Value(-1))), ('witness__isnull', False), models.Q(('method', ''), _negated=True)), _connector='OR'), name='stockmove_destruction_two_witnesses', violation_error_message='A destruction records its method and two witnesses (DEA Form 41).'),
                ),
                migrations.AddConstraint(
                    model_name='stockmovement',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'loss'), _negated=True), models.Q(('form_106_due_on__isnull', False), ('session__isnull', True), ('vial_change_mg', django.db.models.expressions.CombinedExpression(models.F('quantity_mg'), '*', models.Value(-1))), models.Q(('reason', ''), _negated=True)), _connector='OR'), name='stockmove_loss_flags_form_106', violation_error_message='A loss or theft records what happened and flags DEA Form 106.'),
                ),
                migrations.AddConstraint(
                    model_name='stockmovement',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'correction'), _negated=True), models.Q(('reverses__isnull', False), models.Q(('reason', ''), _negated=True)), _connector='OR'), name='stockmove_correction_reverses', violation_error_message='A correction reverses an earlier entry and gives the reason.'),
                ),
                migrations.AddConstraint(
                    model_name='stockmovement',
                    constraint=models.CheckConstraint(condition=models.Q(('kind', 'correction'), ('reverses__isnull', True), _connector='OR'), name='stockmove_only_corrections_reverse'),
                ),
                migrations.AddConstraint(
                    model_name='stockmovement',
                    constraint=models.CheckConstraint(condition=models.Q(('witness__isnull', True), models.Q(('witness', models.F('by')), _negated=True), _connector='OR'), name='stockmove_witness_not_recorder', violation_error_message='The witness must be another member of staff.'),
                ),
                migrations.AddConstraint(
                    model_name='stockmovement',
                    constraint=models.CheckConstraint(condition=models.Q(('second_witness__isnull', True), models.Q(models.Q(('second_witness', models.F('by')), _negated=True), models.Q(('second_witness', models.F('witness')), _negated=True)), _connector='OR'), name='stockmove_second_witness_distinct', violation_error_message='The two witnesses must be two other members of staff.'),
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name='stockmovement',
                    trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='95631f4d13dfa1bd9f852276e970bed7eff7ed2e', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_5dc04', table='infusions_stockmovement', when='BEFORE')),
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name='stockmovement',
                    trigger=pgtrigger.compiler.Trigger(name='check_balances', sql=pgtrigger.compiler.UpsertTriggerSql(func="\nDECLARE\n    prev_vial numeric;\n    prev_product numeric;\n    in_hand numeric;\n    reversed infusions_stockmovement%ROWTYPE;\n    needs_witness boolean;\n    session_total numeric;\n    given numeric;\n    prep_conc numeric;\nBEGIN\n    PERFORM pg_advisory_xact_lock(hashtext('infusions_stockmovement'), NEW.product_id::integer);\n    SELECT vial_balance_mg INTO prev_vial FROM infusions_stockmovement\n        WHERE vial_id = NEW.vial_id ORDER BY id DESC LIMIT 1;\n    IF NEW.vial_balance_mg <> COALESCE(prev_vial, 0) + NEW.vial_change_mg THEN\n        RAISE EXCEPTION 'stock ledger: vial balance % is not the previous % plus the change %',\n            NEW.vial_balance_mg, COALESCE(prev_vial, 0), NEW.vial_change_mg USING ERRCODE = 'check_violation';\n    END IF;\n    SELECT product_balance_mg INTO prev_product FROM infusions_stockmovement\n        WHERE product_id = NEW.product_id ORDER BY id DESC LIMIT 1;\n    IF NEW.product_balance_mg <> COALESCE(prev_product, 0) + NEW.vial_change_mg THEN\n        RAISE EXCEPTION 'stock ledger: product balance % is not the previous % plus the change %',\n            NEW.product_balance_mg, COALESCE(prev_product, 0), NEW.vial_change_mg USING ERRCODE = 'check_violation';\n    END IF;\n    IF NEW.session_id IS NOT NULL THEN\n        SELECT COALESCE(SUM(session_change_mg), 0) INTO in_hand FROM infusions_stockmovement\n            WHERE session_id = NEW.session_id AND vial_id = NEW.vial_id;\n        IF in_hand + NEW.session_change_mg < 0 THEN\n            RAISE EXCEPTION 'stock ledger: more given, wasted or returned (%) than drawn from this vial (%)',\n                -NEW.session_change_mg, in_hand USING ERRCODE = 'check_violation';\n        END IF;\n    END IF;\n    IF NEW.kind = 'draw' THEN\n        SELECT p.vial_mg_ml INTO prep_conc FROM infusions_infusionsession s\n            JOIN infusions_drugpreparation p ON p.id = s.preparation_id WHERE s.id = NEW.session_id;\n        IF prep_conc IS NULL OR prep_conc <> NEW.concentration_mg_ml THEN\n            RAISE EXCEPTION 'stock ledger: the session''s preparation is not made from a % mg/mL vial',\n                NEW.concentration_mg_ml USING ERRCODE = 'check_violation';\n        END IF;\n    END IF;\n    IF NEW.kind = 'administered' THEN\n        SELECT total_mg INTO session_total FROM infusions_infusionsession WHERE id = NEW.session_id;\n        SELECT COALESCE(SUM(m.quantity_mg), 0) INTO given FROM infusions_stockmovement m\n            WHERE m.session_id = NEW.session_id AND m.kind = 'administered'\n            AND NOT EXISTS (SELECT 1 FROM infusions_stockmovement c WHERE c.reverses_id = m.id);\n        IF session_total IS NULL OR given + NEW.quantity_mg > session_total THEN\n            RAISE EXCEPTION 'stock ledger: administered % mg is more than the session''s computed total %',\n                given + NEW.quantity_mg, session_total USING ERRCODE = 'check_violation';\n        END IF;\n    END IF;\n    IF NEW.kind = 'waste' AND NEW.witness_id IS NULL THEN\n        SELECT waste_needs_witness_password INTO needs_witness FROM clinic_clinicsettings WHERE id = 1;\n        IF COALESCE(needs_witness, TRUE) THEN\n            RAISE EXCEPTION 'stock ledger: a waste needs a witness' USING ERRCODE = 'check_violation';\n        END IF;\n    END IF;\n    IF NEW.kind = 'correction' THEN\n        SELECT * INTO reversed FROM infusions_stockmovement WHERE id = NEW.reverses_id;\n        IF reversed.kind = 'correction' OR reversed.vial_id <> NEW.vial_id\n           OR NEW.vial_change_mg <> -reversed.vial_change_mg OR NEW.session_change_mg <> -reversed.session_change_mg\n           OR NEW.session_id IS DISTINCT FROM reversed.session_id THEN\n            RAISE EXCEPTION 'stock ledger: a correction must exactly reverse one earlier entry'\n                USING ERRCODE = 'check_violation';\n        END IF;\n    END IF;\n    UPDATE infusions_vial SET remaining_mg = NEW.vial_balance_mg WHERE id = NEW.vial_id;\n    RETURN NEW;\nEND;\n", hash='79406e94095771a7dc8aa3884a856f348ce4b529', operation='INSERT', pgid='pgtrigger_check_balances_d6196', table='infusions_stockmovement', when='BEFORE')),
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name='vialevent',
                    trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='ab98dfcc202cff3bf492d79776425e39c4e833c8', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_3aad8', table='infusions_vialevent', when='BEFORE')),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
