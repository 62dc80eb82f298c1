"""The rules kept in the clinic-wide settings row moved to each app's own row (issue #15): patients, infusions and
stock copied the values first (their migrations run before this one); the row keeps only its timestamp."""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('clinic', '0008_cite_docs_clinical_md'),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name='clinicsettings',
            name='insert_insert',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='clinicsettings',
            name='update_update',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='clinicsettings',
            name='delete_delete',
        ),
        migrations.RemoveField(
            model_name='clinicsettings',
            name='dea_registration_number',
        ),
        migrations.RemoveField(
            model_name='clinicsettings',
            name='emergency_access_minutes',
        ),
        migrations.RemoveField(
            model_name='clinicsettings',
            name='nurses_may_sign_sessions',
        ),
        migrations.RemoveField(
            model_name='clinicsettings',
            name='registered_address',
        ),
        migrations.RemoveField(
            model_name='clinicsettings',
            name='screening_validity_months',
        ),
        migrations.RemoveField(
            model_name='clinicsettings',
            name='stock_count_interval_days',
        ),
        migrations.RemoveField(
            model_name='clinicsettings',
            name='waste_needs_witness_password',
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='clinicsettings',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "clinic_clinicsettingsevent" ("id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "updated_at") VALUES (NEW."id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."updated_at"); RETURN NULL;', hash='dca76dffb2ba72c0be29c6df314bf6bea8bf0e7e', operation='INSERT', pgid='pgtrigger_insert_insert_ddcd1', table='clinic_clinicsettings', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='clinicsettings',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "clinic_clinicsettingsevent" ("id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "updated_at") VALUES (NEW."id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."updated_at"); RETURN NULL;', hash='c7a9a0d1cb413ae1c81074c3f6fe4f65c1654bbe', operation='UPDATE', pgid='pgtrigger_update_update_3e081', table='clinic_clinicsettings', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='clinicsettings',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "clinic_clinicsettingsevent" ("id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "updated_at") VALUES (OLD."id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."updated_at"); RETURN NULL;', hash='53f06eaeb6d074861390cf148366387c72b9d9ba', operation='DELETE', pgid='pgtrigger_delete_delete_68164', table='clinic_clinicsettings', when='AFTER')),
        ),
        # The change history keeps the moved columns (audit seals hash each row as stored; dropping a column would
        # make every earlier event fail verification): the model forgets them, the table keeps them, nullable.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name='clinicsettingsevent', name='dea_registration_number'),
                migrations.RemoveField(model_name='clinicsettingsevent', name='emergency_access_minutes'),
                migrations.RemoveField(model_name='clinicsettingsevent', name='nurses_may_sign_sessions'),
                migrations.RemoveField(model_name='clinicsettingsevent', name='registered_address'),
                migrations.RemoveField(model_name='clinicsettingsevent', name='screening_validity_months'),
                migrations.RemoveField(model_name='clinicsettingsevent', name='stock_count_interval_days'),
                migrations.RemoveField(model_name='clinicsettingsevent', name='waste_needs_witness_password'),
            ],
            database_operations=[
                migrations.RunSQL(
                    'ALTER TABLE "clinic_clinicsettingsevent" ALTER COLUMN "dea_registration_number" DROP NOT NULL, ALTER COLUMN "emergency_access_minutes" DROP NOT NULL, ALTER COLUMN "nurses_may_sign_sessions" DROP NOT NULL, ALTER COLUMN "registered_address" DROP NOT NULL, ALTER COLUMN "screening_validity_months" DROP NOT NULL, ALTER COLUMN "stock_count_interval_days" DROP NOT NULL, ALTER COLUMN "waste_needs_witness_password" DROP NOT NULL',
                    migrations.RunSQL.noop,
                ),
            ],
        ),
    ]
