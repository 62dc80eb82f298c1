"""InfusionSettings: the infusions app's own settings row (issue #15), its values copied from the clinic-wide row
(clinic/0009 then drops them there)."""

import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models


FIELDS = ['nurses_may_sign_sessions']


def copy_from_clinic_settings(apps, schema_editor):
    """Carry the clinic's values over from the clinic-wide row, where they were kept until issue #15."""
    old = apps.get_model("clinic", "ClinicSettings").objects.filter(pk=1).first()
    if old is not None:
        values = {name: getattr(old, name) for name in FIELDS}
        apps.get_model("infusions", "InfusionSettings").objects.update_or_create(pk=1, defaults=values)


class Migration(migrations.Migration):

    dependencies = [
        ('clinic', '0008_cite_docs_clinical_md'),
        ('infusions', '0012_stock_leaves_by_state'),
        ('pghistory', '0007_auto_20250421_0444'),
    ]

    run_before = [('clinic', '0009_feature_settings_moved')]

    operations = [
        migrations.CreateModel(
            name='InfusionSettingsEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('id', models.BigIntegerField()),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('nurses_may_sign_sessions', models.BooleanField(default=False, help_text='Let nurses sign infusion sessions (by default only clinicians sign).')),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='InfusionSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('nurses_may_sign_sessions', models.BooleanField(default=False, help_text='Let nurses sign infusion sessions (by default only clinicians sign).')),
            ],
            options={
                'verbose_name': 'infusion settings',
                'verbose_name_plural': 'infusion settings',
                'abstract': False,
                'constraints': [models.CheckConstraint(condition=models.Q(('pk', 1)), name='infusions_infusionsettings_single_row')],
            },
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='infusionsettings',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "infusions_infusionsettingsevent" ("id", "nurses_may_sign_sessions", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "updated_at") VALUES (NEW."id", NEW."nurses_may_sign_sessions", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."updated_at"); RETURN NULL;', hash='7dbd8cea3a2ece3a37c62875d8f8b5b95076ea5c', operation='INSERT', pgid='pgtrigger_insert_insert_4aebf', table='infusions_infusionsettings', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='infusionsettings',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "infusions_infusionsettingsevent" ("id", "nurses_may_sign_sessions", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "updated_at") VALUES (NEW."id", NEW."nurses_may_sign_sessions", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."updated_at"); RETURN NULL;', hash='4b85f9c84cb1aa5ab737a69d9f09a9318c991728', operation='UPDATE', pgid='pgtrigger_update_update_e2d0e', table='infusions_infusionsettings', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='infusionsettings',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "infusions_infusionsettingsevent" ("id", "nurses_may_sign_sessions", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "updated_at") VALUES (OLD."id", OLD."nurses_may_sign_sessions", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."updated_at"); RETURN NULL;', hash='7a73645bf24cc7866f5d3940311e626135832720', operation='DELETE', pgid='pgtrigger_delete_delete_f59e8', table='infusions_infusionsettings', when='AFTER')),
        ),
        migrations.AddField(
            model_name='infusionsettingsevent',
            name='pgh_context',
            field=models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context'),
        ),
        migrations.AddField(
            model_name='infusionsettingsevent',
            name='pgh_obj',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='infusions.infusionsettings'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='infusionsettingsevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='a104ce45324a2e71352bdd008b14c3f84b2ad7d8', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_33f4c', table='infusions_infusionsettingsevent', when='BEFORE')),
        ),
        migrations.RunPython(copy_from_clinic_settings, migrations.RunPython.noop),
    ]
