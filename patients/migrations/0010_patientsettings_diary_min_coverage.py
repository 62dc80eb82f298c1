"""PatientSettings.diary_min_coverage_percent: the share of a month's days the headache diary must cover for the
month to count towards monthly migraine days (issue #16 point 6; docs/clinical.md §9.5). Default 80."""

import django.core.validators
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('patients', '0009_patient_settings'),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name='patientsettings',
            name='insert_insert',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='patientsettings',
            name='update_update',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='patientsettings',
            name='delete_delete',
        ),
        migrations.AddField(
            model_name='patientsettings',
            name='diary_min_coverage_percent',
            field=models.PositiveSmallIntegerField(default=80, help_text='A headache-diary month counts for monthly migraine days only when at least this share of its days has an entry (percent, 50-100). Default 80.', validators=[django.core.validators.MinValueValidator(50), django.core.validators.MaxValueValidator(100)], verbose_name='minimum diary coverage (%)'),
        ),
        migrations.AddField(
            model_name='patientsettingsevent',
            name='diary_min_coverage_percent',
            field=models.PositiveSmallIntegerField(default=80, help_text='A headache-diary month counts for monthly migraine days only when at least this share of its days has an entry (percent, 50-100). Default 80.', validators=[django.core.validators.MinValueValidator(50), django.core.validators.MaxValueValidator(100)], verbose_name='minimum diary coverage (%)'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='patientsettings',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "patients_patientsettingsevent" ("diary_min_coverage_percent", "emergency_access_minutes", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "screening_validity_months", "updated_at") VALUES (NEW."diary_min_coverage_percent", NEW."emergency_access_minutes", NEW."id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."screening_validity_months", NEW."updated_at"); RETURN NULL;', hash='25eaacabd01572d375fbb50bec4155fc418219eb', operation='INSERT', pgid='pgtrigger_insert_insert_07ba1', table='patients_patientsettings', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='patientsettings',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "patients_patientsettingsevent" ("diary_min_coverage_percent", "emergency_access_minutes", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "screening_validity_months", "updated_at") VALUES (NEW."diary_min_coverage_percent", NEW."emergency_access_minutes", NEW."id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."screening_validity_months", NEW."updated_at"); RETURN NULL;', hash='cf91c520a10da9dd7210a6ee48173f1e433056f5', operation='UPDATE', pgid='pgtrigger_update_update_3ee43', table='patients_patientsettings', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='patientsettings',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "patients_patientsettingsevent" ("diary_min_coverage_percent", "emergency_access_minutes", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "screening_validity_months", "updated_at") VALUES (OLD."diary_min_coverage_percent", OLD."emergency_access_minutes", OLD."id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."screening_validity_months", OLD."updated_at"); RETURN NULL;', hash='ced371dd77f3d5b16a8c1dea865cd1a15670cfbb', operation='DELETE', pgid='pgtrigger_delete_delete_dd5d9', table='patients_patientsettings', when='AFTER')),
        ),
    ]
