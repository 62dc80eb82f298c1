"""StockSettings: the stock app's own settings row (issue #15), its values copied from the clinic-wide row
(clinic/0009 then drops them there)."""

import django.core.validators
import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models


FIELDS = ['waste_needs_witness_password', 'stock_count_interval_days', 'dea_registration_number', 'registered_address']


def copy_from_clinic_settings(apps, schema_editor):
    """Carry the clinic's values over from the clinic-wide row, where they were kept until issue #15."""
    old = apps.get_model("clinic", "ClinicSettings").objects.filter(pk=1).first()
    if old is not None:
        values = {name: getattr(old, name) for name in FIELDS}
        apps.get_model("stock", "StockSettings").objects.update_or_create(pk=1, defaults=values)


class Migration(migrations.Migration):

    dependencies = [
        ('clinic', '0008_cite_docs_clinical_md'),
        ('pghistory', '0007_auto_20250421_0444'),
        ('stock', '0001_initial'),
    ]

    run_before = [('clinic', '0009_feature_settings_moved')]

    operations = [
        migrations.CreateModel(
            name='StockSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('waste_needs_witness_password', models.BooleanField(default=True, help_text='A second member of staff confirms every ketamine waste with their own password. Default on.')),
                ('stock_count_interval_days', models.PositiveSmallIntegerField(default=7, help_text='Days between physical counts of each ketamine product before a count is shown as due. Default 7.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(92)])),
                ('dea_registration_number', models.CharField(blank=True, help_text='Printed on the inventory reports.', max_length=20, verbose_name='DEA registration number')),
                ('registered_address', models.TextField(blank=True, help_text='The registered location, printed on the inventory reports (docs/clinical.md §11.9 [R53]).')),
            ],
            options={
                'verbose_name': 'ketamine stock settings',
                'verbose_name_plural': 'ketamine stock settings',
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='StockSettingsEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('id', models.BigIntegerField()),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('waste_needs_witness_password', models.BooleanField(default=True, help_text='A second member of staff confirms every ketamine waste with their own password. Default on.')),
                ('stock_count_interval_days', models.PositiveSmallIntegerField(default=7, help_text='Days between physical counts of each ketamine product before a count is shown as due. Default 7.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(92)])),
                ('dea_registration_number', models.CharField(blank=True, help_text='Printed on the inventory reports.', max_length=20, verbose_name='DEA registration number')),
                ('registered_address', models.TextField(blank=True, help_text='The registered location, printed on the inventory reports (docs/clinical.md §11.9 [R53]).')),
            ],
            options={
                'abstract': False,
            },
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='stockmovement',
            name='check_balances',
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='stockmovement',
            trigger=pgtrigger.compiler.Trigger(name='check_balances', sql=pgtrigger.compiler.UpsertTriggerSql(func="\nDECLARE\n    prev_vial numeric;\n    prev_product numeric;\n    in_hand numeric;\n    reversed infusions_stockmovement%ROWTYPE;\n    needs_witness boolean;\n    session_total numeric;\n    given numeric;\n    prep_conc numeric;\nBEGIN\n    PERFORM pg_advisory_xact_lock(hashtext('infusions_stockmovement'), NEW.product_id::integer);\n    SELECT vial_balance_mg INTO prev_vial FROM infusions_stockmovement\n        WHERE vial_id = NEW.vial_id ORDER BY id DESC LIMIT 1;\n    IF NEW.vial_balance_mg <> COALESCE(prev_vial, 0) + NEW.vial_change_mg THEN\n        RAISE EXCEPTION 'stock ledger: vial balance % is not the previous % plus the change %',\n            NEW.vial_balance_mg, COALESCE(prev_vial, 0), NEW.vial_change_mg USING ERRCODE = 'check_violation';\n    END IF;\n    SELECT product_balance_mg INTO prev_product FROM infusions_stockmovement\n        WHERE product_id = NEW.product_id ORDER BY id DESC LIMIT 1;\n    IF NEW.product_balance_mg <> COALESCE(prev_product, 0) + NEW.vial_change_mg THEN\n        RAISE EXCEPTION 'stock ledger: product balance % is not the previous % plus the change %',\n            NEW.product_balance_mg, COALESCE(prev_product, 0), NEW.vial_change_mg USING ERRCODE = 'check_violation';\n    END IF;\n    IF NEW.session_id IS NOT NULL THEN\n        SELECT COALESCE(SUM(session_change_mg), 0) INTO in_hand FROM infusions_stockmovement\n            WHERE session_id = NEW.session_id AND vial_id = NEW.vial_id;\n        IF in_hand + NEW.session_change_mg < 0 THEN\n            RAISE EXCEPTION 'stock ledger: more given, wasted or returned (%) than drawn from this vial (%)',\n                -NEW.session_change_mg, in_hand USING ERRCODE = 'check_violation';\n        END IF;\n    END IF;\n    IF NEW.kind = 'draw' THEN\n        SELECT p.vial_mg_ml INTO prep_conc FROM infusions_infusionsession s\n            JOIN infusions_drugpreparation p ON p.id = s.preparation_id WHERE s.id = NEW.session_id;\n        IF prep_conc IS NULL OR prep_conc <> NEW.concentration_mg_ml THEN\n            RAISE EXCEPTION 'stock ledger: the session''s preparation is not made from a % mg/mL vial',\n                NEW.concentration_mg_ml USING ERRCODE = 'check_violation';\n        END IF;\n    END IF;\n    IF NEW.kind = 'administered' THEN\n        SELECT total_mg INTO session_total FROM infusions_infusionsession WHERE id = NEW.session_id;\n        SELECT COALESCE(SUM(m.quantity_mg), 0) INTO given FROM infusions_stockmovement m\n            WHERE m.session_id = NEW.session_id AND m.kind = 'administered'\n            AND NOT EXISTS (SELECT 1 FROM infusions_stockmovement c WHERE c.reverses_id = m.id);\n        IF session_total IS NULL OR given + NEW.quantity_mg > session_total THEN\n            RAISE EXCEPTION 'stock ledger: administered % mg is more than the session''s computed total %',\n                given + NEW.quantity_mg, session_total USING ERRCODE = 'check_violation';\n        END IF;\n    END IF;\n    IF NEW.kind = 'waste' AND NEW.witness_id IS NULL THEN\n        SELECT waste_needs_witness_password INTO needs_witness FROM stock_stocksettings WHERE id = 1;\n        IF COALESCE(needs_witness, TRUE) THEN\n            RAISE EXCEPTION 'stock ledger: a waste needs a witness' USING ERRCODE = 'check_violation';\n        END IF;\n    END IF;\n    IF NEW.kind = 'correction' THEN\n        SELECT * INTO reversed FROM infusions_stockmovement WHERE id = NEW.reverses_id;\n        IF reversed.kind = 'correction' OR reversed.vial_id <> NEW.vial_id\n           OR NEW.vial_change_mg <> -reversed.vial_change_mg OR NEW.session_change_mg <> -reversed.session_change_mg\n           OR NEW.session_id IS DISTINCT FROM reversed.session_id THEN\n            RAISE EXCEPTION 'stock ledger: a correction must exactly reverse one earlier entry'\n                USING ERRCODE = 'check_violation';\n        END IF;\n    END IF;\n    UPDATE infusions_vial SET remaining_mg = NEW.vial_balance_mg WHERE id = NEW.vial_id;\n    RETURN NEW;\nEND;\n", hash='a4416a2af5d83cf2fdbe67b0a641082fca9895cb', operation='INSERT', pgid='pgtrigger_check_balances_d6196', table='infusions_stockmovement', when='BEFORE')),
        ),
        migrations.AddConstraint(
            model_name='stocksettings',
            constraint=models.CheckConstraint(condition=models.Q(('pk', 1)), name='stock_stocksettings_single_row'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='stocksettings',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "stock_stocksettingsevent" ("dea_registration_number", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "registered_address", "stock_count_interval_days", "updated_at", "waste_needs_witness_password") VALUES (NEW."dea_registration_number", NEW."id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."registered_address", NEW."stock_count_interval_days", NEW."updated_at", NEW."waste_needs_witness_password"); RETURN NULL;', hash='1e5c6ae8452c3357ae705e9856172356f604fb88', operation='INSERT', pgid='pgtrigger_insert_insert_8e432', table='stock_stocksettings', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='stocksettings',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "stock_stocksettingsevent" ("dea_registration_number", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "registered_address", "stock_count_interval_days", "updated_at", "waste_needs_witness_password") VALUES (NEW."dea_registration_number", NEW."id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."registered_address", NEW."stock_count_interval_days", NEW."updated_at", NEW."waste_needs_witness_password"); RETURN NULL;', hash='a7069e4e459a713c64fa41432e0388aef55945cf', operation='UPDATE', pgid='pgtrigger_update_update_3ba5f', table='stock_stocksettings', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='stocksettings',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "stock_stocksettingsevent" ("dea_registration_number", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "registered_address", "stock_count_interval_days", "updated_at", "waste_needs_witness_password") VALUES (OLD."dea_registration_number", OLD."id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."registered_address", OLD."stock_count_interval_days", OLD."updated_at", OLD."waste_needs_witness_password"); RETURN NULL;', hash='088e74cc8ab77fce0ca9e6092d8a0218ba3034be', operation='DELETE', pgid='pgtrigger_delete_delete_3681c', table='stock_stocksettings', when='AFTER')),
        ),
        migrations.AddField(
            model_name='stocksettingsevent',
            name='pgh_context',
            field=models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context'),
        ),
        migrations.AddField(
            model_name='stocksettingsevent',
            name='pgh_obj',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='stock.stocksettings'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='stocksettingsevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='ef2212b05d016df6247005c48c3abd1a1ff7b931', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_25497', table='stock_stocksettingsevent', when='BEFORE')),
        ),
        migrations.RunPython(copy_from_clinic_settings, migrations.RunPython.noop),
    ]
