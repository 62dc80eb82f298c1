"""PatientSettings: the patients app's own settings row (issue #15), its values copied from the clinic-wide row
(clinic/0009 then drops them there)."""

import django.core.validators
import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models


FIELDS = ['screening_validity_months', 'emergency_access_minutes']


def copy_from_clinic_settings(apps, schema_editor):
    """Carry the clinic's values over from the clinic-wide row, where they were kept until issue #15."""
    old = apps.get_model("clinic", "ClinicSettings").objects.filter(pk=1).first()
    if old is not None:
        values = {name: getattr(old, name) for name in FIELDS}
        apps.get_model("patients", "PatientSettings").objects.update_or_create(pk=1, defaults=values)


class Migration(migrations.Migration):

    dependencies = [
        ('clinic', '0008_cite_docs_clinical_md'),
        ('patients', '0008_amendment_requests'),
        ('pghistory', '0007_auto_20250421_0444'),
    ]

    run_before = [('clinic', '0009_feature_settings_moved')]

    operations = [
        migrations.CreateModel(
            name='PatientSettingsEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('id', models.BigIntegerField()),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('screening_validity_months', models.PositiveSmallIntegerField(default=12, help_text='How long a cleared contraindication screening stays valid (months). Default 12.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(24)])),
                ('emergency_access_minutes', models.PositiveSmallIntegerField(default=60, help_text='How long emergency access to a restricted record lasts (minutes). Default 60.', validators=[django.core.validators.MinValueValidator(5), django.core.validators.MaxValueValidator(480)])),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='PatientSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('screening_validity_months', models.PositiveSmallIntegerField(default=12, help_text='How long a cleared contraindication screening stays valid (months). Default 12.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(24)])),
                ('emergency_access_minutes', models.PositiveSmallIntegerField(default=60, help_text='How long emergency access to a restricted record lasts (minutes). Default 60.', validators=[django.core.validators.MinValueValidator(5), django.core.validators.MaxValueValidator(480)])),
            ],
            options={
                'verbose_name': 'patient record settings',
                'verbose_name_plural': 'patient record settings',
                'abstract': False,
                'constraints': [models.CheckConstraint(condition=models.Q(('pk', 1)), name='patients_patientsettings_single_row')],
            },
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='patientsettings',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "patients_patientsettingsevent" ("emergency_access_minutes", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "screening_validity_months", "updated_at") VALUES (NEW."emergency_access_minutes", NEW."id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."screening_validity_months", NEW."updated_at"); RETURN NULL;', hash='cd029e55ad969ab8e441a9e1e61cf1f0843d7f16', operation='INSERT', pgid='pgtrigger_insert_insert_07ba1', table='patients_patientsettings', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='patientsettings',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "patients_patientsettingsevent" ("emergency_access_minutes", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "screening_validity_months", "updated_at") VALUES (NEW."emergency_access_minutes", NEW."id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."screening_validity_months", NEW."updated_at"); RETURN NULL;', hash='a4551d364ffca93483a913dc1b8feb730a0175de', operation='UPDATE', pgid='pgtrigger_update_update_3ee43', table='patients_patientsettings', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='patientsettings',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "patients_patientsettingsevent" ("emergency_access_minutes", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "screening_validity_months", "updated_at") VALUES (OLD."emergency_access_minutes", OLD."id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."screening_validity_months", OLD."updated_at"); RETURN NULL;', hash='cf86c11db70e4ef312107bb9478f99cde1fb433a', operation='DELETE', pgid='pgtrigger_delete_delete_dd5d9', table='patients_patientsettings', when='AFTER')),
        ),
        migrations.AddField(
            model_name='patientsettingsevent',
            name='pgh_context',
            field=models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context'),
        ),
        migrations.AddField(
            model_name='patientsettingsevent',
            name='pgh_obj',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='patients.patientsettings'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='patientsettingsevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='db125931322e5046096b1d62b28a06ce2c4998f4', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_44d80', table='patients_patientsettingsevent', when='BEFORE')),
        ),
        migrations.RunPython(copy_from_clinic_settings, migrations.RunPython.noop),
    ]
