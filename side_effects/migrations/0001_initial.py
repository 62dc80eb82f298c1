"""Side effects take over their tables from ``infusions`` (issue #15) by state only: the same tables, the same
trigger names (clinic.triggers pins them), no DDL and no data copied. Only the content types and permission names
are rewritten, so every role's grants and every audit row stay attached."""

import django.contrib.postgres.fields
import django.core.validators
import django.db.models.deletion
import django.db.models.functions.datetime
import django.utils.timezone
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models


# (old model in infusions, new model in side_effects): content types and permissions follow the models, so the
# roles' grants, the admin log and the audit rows that point at them stay attached.
MOVED = [
    ("adverseeventterm", "sideeffectterm"),
    ("adverseeventtermevent", "sideeffecttermevent"),
    ("adverseevent", "sideeffect"),
    ("adverseeventevent", "sideeffectevent"),
    ("externalreport", "externalreport"),
    ("externalreportevent", "externalreportevent"),
]
NAMES = [("adverse event term", "side effect term"), ("adverse event", "side effect")]


def _renamed(text, pairs):
    for old, new in pairs:
        text = text.replace(old, new)
    return text


def move_content_types(apps, schema_editor, moves=MOVED, source="infusions", target="side_effects"):
    """Re-label the moved models' content types and rename their permissions; where the new app's content type
    exists already (made by an earlier post_migrate), the grants move to its permissions and the old rows go."""
    content_type = apps.get_model("contenttypes", "ContentType")
    permission = apps.get_model("auth", "Permission")
    group = apps.get_model("auth", "Group")
    user = apps.get_model("accounts", "User")
    for old, new in moves:
        old_type = content_type.objects.filter(app_label=source, model=old).first()
        if old_type is None:
            continue
        new_type = content_type.objects.filter(app_label=target, model=new).first()
        if new_type is None:
            old_type.app_label, old_type.model = target, new
            old_type.save(update_fields=["app_label", "model"])
            for perm in permission.objects.filter(content_type=old_type):
                perm.codename = perm.codename.replace(old, new)
                perm.name = _renamed(perm.name, NAMES)
                perm.save(update_fields=["codename", "name"])
            continue
        for perm in permission.objects.filter(content_type=old_type):
            codename = perm.codename.replace(old, new)
            replacement = permission.objects.filter(content_type=new_type, codename=codename).first()
            if replacement is not None:
                for holder in group.objects.filter(permissions=perm):
                    holder.permissions.add(replacement)
                for holder in user.objects.filter(user_permissions=perm):
                    holder.user_permissions.add(replacement)
            perm.delete()
        old_type.delete()
    content_type.objects.clear_cache()


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, [(new, old) for old, new in MOVED], "side_effects", "infusions")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('infusions', '0010_side_effects_leave_by_state'),
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
                    name='SideEffectTerm',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, unique=True)),
                        ('category', models.CharField(choices=[('cardiovascular', 'Cardiovascular'), ('psychiatric', 'Psychiatric or dissociative'), ('gastrointestinal', 'Gastrointestinal'), ('neurological', 'Neurological'), ('respiratory', 'Respiratory'), ('urological', 'Urological'), ('other', 'Other')], max_length=20)),
                        ('display_order', models.PositiveSmallIntegerField(default=0)),
                        ('is_active', models.BooleanField(default=True)),
                    ],
                    options={
                        'db_table': 'infusions_adverseeventterm',
                        'ordering': ['display_order', 'name'],
                    },
                ),
                migrations.CreateModel(
                    name='SideEffectTermEvent',
                    fields=[
                        ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                        ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                        ('pgh_label', models.TextField(help_text='The event label.')),
                        ('id', models.BigIntegerField()),
                        ('name', models.CharField(max_length=100)),
                        ('category', models.CharField(choices=[('cardiovascular', 'Cardiovascular'), ('psychiatric', 'Psychiatric or dissociative'), ('gastrointestinal', 'Gastrointestinal'), ('neurological', 'Neurological'), ('respiratory', 'Respiratory'), ('urological', 'Urological'), ('other', 'Other')], max_length=20)),
                        ('display_order', models.PositiveSmallIntegerField(default=0)),
                        ('is_active', models.BooleanField(default=True)),
                    ],
                    options={
                        'db_table': 'infusions_adverseeventtermevent',
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='ExternalReport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), editable=False)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('voided_at', models.DateTimeField(blank=True, editable=False, null=True)),
                        ('void_reason', models.TextField(blank=True, editable=False)),
                        ('destination', models.CharField(choices=[('medwatch', 'FDA MedWatch (form 3500)'), ('rems', 'Spravato REMS (Patient Monitoring Form)'), ('irb', 'IRB'), ('ind', 'IND sponsor safety report'), ('manufacturer', 'Manufacturer')], max_length=20)),
                        ('due_on', models.DateField(blank=True, null=True)),
                        ('submitted_on', models.DateField(blank=True, null=True)),
                        ('reference', models.CharField(blank=True, help_text='Report or case number given on submission.', max_length=100)),
                        ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('voided_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'infusions_externalreport',
                        'ordering': ['due_on', 'id'],
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='SideEffect',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), editable=False)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('voided_at', models.DateTimeField(blank=True, editable=False, null=True)),
                        ('void_reason', models.TextField(blank=True, editable=False)),
                        ('onset_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('term_detail', models.CharField(blank=True, max_length=200, verbose_name='description')),
                        ('category', models.CharField(choices=[('cardiovascular', 'Cardiovascular'), ('psychiatric', 'Psychiatric or dissociative'), ('gastrointestinal', 'Gastrointestinal'), ('neurological', 'Neurological'), ('respiratory', 'Respiratory'), ('urological', 'Urological'), ('other', 'Other')], max_length=20)),
                        ('grade', models.PositiveSmallIntegerField(choices=[(1, 'Grade 1'), (2, 'Grade 2'), (3, 'Grade 3'), (4, 'Grade 4'), (5, 'Grade 5')], validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)], verbose_name='CTCAE grade')),
                        ('serious', models.BooleanField(default=False)),
                        ('seriousness_criteria', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('death', 'Death'), ('life_threatening', 'Life-threatening'), ('hospitalisation', 'Hospitalisation (initial or prolonged)'), ('disability', 'Persistent or significant disability or incapacity'), ('congenital_anomaly', 'Congenital anomaly or birth defect'), ('important_medical_event', 'Important medical event (needs intervention to prevent one of the above)')], max_length=30), blank=True, default=list, size=None)),
                        ('expected', models.BooleanField(default=True, help_text="Consistent with the label or the consent form's list.")),
                        ('causality', models.CharField(choices=[('certain', 'Certain'), ('probable', 'Probable / likely'), ('possible', 'Possible'), ('unlikely', 'Unlikely'), ('conditional', 'Conditional / unclassified'), ('unassessable', 'Unassessable / unclassifiable')], default='possible', max_length=20, verbose_name='causality (WHO-UMC)')),
                        ('action_taken', models.CharField(choices=[('none', 'None'), ('rate_reduced', 'Rate reduced'), ('paused', 'Infusion paused'), ('stopped', 'Infusion stopped'), ('rescue', 'Rescue medication given')], default='none', max_length=20)),
                        ('outcome', models.CharField(choices=[('recovered', 'Recovered'), ('recovering', 'Recovering'), ('not_recovered', 'Not recovered'), ('sequelae', 'Recovered with sequelae'), ('fatal', 'Fatal'), ('unknown', 'Unknown')], default='unknown', max_length=20)),
                        ('resolved_at', models.DateTimeField(blank=True, null=True)),
                        ('narrative', models.TextField(blank=True)),
                        ('suspect_drug', models.CharField(blank=True, help_text='Ketamine dose, rate and preparation at onset (filled from the session).', max_length=300)),
                        ('reviewed_at', models.DateTimeField(blank=True, null=True)),
                        ('review_comment', models.TextField(blank=True)),
                        ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('patient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='side_effects', to='patients.patient')),
                        ('rescue_medication', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='infusions.sessionmedication')),
                        ('reviewed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('session', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='side_effects', to='infusions.infusionsession')),
                        ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('voided_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('term', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='side_effects.sideeffectterm')),
                    ],
                    options={
                        'db_table': 'infusions_adverseevent',
                        'ordering': ['-onset_at', '-id'],
                        'permissions': [('review_sideeffect', 'Can review side effects')],
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='ExternalReportEvent',
                    fields=[
                        ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                        ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                        ('pgh_label', models.TextField(help_text='The event label.')),
                        ('id', models.BigIntegerField()),
                        ('created_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), editable=False)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('voided_at', models.DateTimeField(blank=True, editable=False, null=True)),
                        ('void_reason', models.TextField(blank=True, editable=False)),
                        ('destination', models.CharField(choices=[('medwatch', 'FDA MedWatch (form 3500)'), ('rems', 'Spravato REMS (Patient Monitoring Form)'), ('irb', 'IRB'), ('ind', 'IND sponsor safety report'), ('manufacturer', 'Manufacturer')], max_length=20)),
                        ('due_on', models.DateField(blank=True, null=True)),
                        ('submitted_on', models.DateField(blank=True, null=True)),
                        ('reference', models.CharField(blank=True, help_text='Report or case number given on submission.', max_length=100)),
                        ('created_by', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL)),
                        ('pgh_context', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context')),
                        ('pgh_obj', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='side_effects.externalreport')),
                        ('updated_by', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL)),
                        ('voided_by', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL)),
                        ('event', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='side_effects.sideeffect')),
                    ],
                    options={
                        'db_table': 'infusions_externalreportevent',
                        'abstract': False,
                    },
                ),
                migrations.AddField(
                    model_name='externalreport',
                    name='event',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reports', to='side_effects.sideeffect'),
                ),
                migrations.CreateModel(
                    name='SideEffectEvent',
                    fields=[
                        ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                        ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                        ('pgh_label', models.TextField(help_text='The event label.')),
                        ('id', models.BigIntegerField()),
                        ('created_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), editable=False)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('voided_at', models.DateTimeField(blank=True, editable=False, null=True)),
                        ('void_reason', models.TextField(blank=True, editable=False)),
                        ('onset_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('term_detail', models.CharField(blank=True, max_length=200, verbose_name='description')),
                        ('category', models.CharField(choices=[('cardiovascular', 'Cardiovascular'), ('psychiatric', 'Psychiatric or dissociative'), ('gastrointestinal', 'Gastrointestinal'), ('neurological', 'Neurological'), ('respiratory', 'Respiratory'), ('urological', 'Urological'), ('other', 'Other')], max_length=20)),
                        ('grade', models.PositiveSmallIntegerField(choices=[(1, 'Grade 1'), (2, 'Grade 2'), (3, 'Grade 3'), (4, 'Grade 4'), (5, 'Grade 5')], validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)], verbose_name='CTCAE grade')),
                        ('serious', models.BooleanField(default=False)),
                        ('seriousness_criteria', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('death', 'Death'), ('life_threatening', 'Life-threatening'), ('hospitalisation', 'Hospitalisation (initial or prolonged)'), ('disability', 'Persistent or significant disability or incapacity'), ('congenital_anomaly', 'Congenital anomaly or birth defect'), ('important_medical_event', 'Important medical event (needs intervention to prevent one of the above)')], max_length=30), blank=True, default=list, size=None)),
                        ('expected', models.BooleanField(default=True, help_text="Consistent with the label or the consent form's list.")),
                        ('causality', models.CharField(choices=[('certain', 'Certain'), ('probable', 'Probable / likely'), ('possible', 'Possible'), ('unlikely', 'Unlikely'), ('conditional', 'Conditional / unclassified'), ('unassessable', 'Unassessable / unclassifiable')], default='possible', max_length=20, verbose_name='causality (WHO-UMC)')),
                        ('action_taken', models.CharField(choices=[('none', 'None'), ('rate_reduced', 'Rate reduced'), ('paused', 'Infusion paused'), ('stopped', 'Infusion stopped'), ('rescue', 'Rescue medication given')], default='none', max_length=20)),
                        ('outcome', models.CharField(choices=[('recovered', 'Recovered'), ('recovering', 'Recovering'), ('not_recovered', 'Not recovered'), ('sequelae', 'Recovered with sequelae'), ('fatal', 'Fatal'), ('unknown', 'Unknown')], default='unknown', max_length=20)),
                        ('resolved_at', models.DateTimeField(blank=True, null=True)),
                        ('narrative', models.TextField(blank=True)),
                        ('suspect_drug', models.CharField(blank=True, help_text='Ketamine dose, rate and preparation at onset (filled from the session).', max_length=300)),
                        ('reviewed_at', models.DateTimeField(blank=True, null=True)),
                        ('review_comment', models.TextField(blank=True)),
                        ('created_by', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL)),
                        ('patient', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='patients.patient')),
                        ('pgh_context', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context')),
                        ('pgh_obj', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='side_effects.sideeffect')),
                        ('rescue_medication', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='infusions.sessionmedication')),
                        ('reviewed_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL)),
                        ('session', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='infusions.infusionsession')),
                        ('updated_by', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL)),
                        ('voided_by', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL)),
                        ('term', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='side_effects.sideeffectterm')),
                    ],
                    options={
                        'db_table': 'infusions_adverseeventevent',
                        'abstract': False,
                    },
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name='sideeffectterm',
                    trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "infusions_adverseeventtermevent" ("category", "display_order", "id", "is_active", "name", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id") VALUES (NEW."category", NEW."display_order", NEW."id", NEW."is_active", NEW."name", _pgh_attach_context(), NOW(), \'insert\', NEW."id"); RETURN NULL;', hash='abe5f7e11a7f1a4dc634a86ded62d365094eff17', operation='INSERT', pgid='pgtrigger_insert_insert_07b8d', table='infusions_adverseeventterm', when='AFTER')),
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name='sideeffectterm',
                    trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "infusions_adverseeventtermevent" ("category", "display_order", "id", "is_active", "name", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id") VALUES (NEW."category", NEW."display_order", NEW."id", NEW."is_active", NEW."name", _pgh_attach_context(), NOW(), \'update\', NEW."id"); RETURN NULL;', hash='c6a11d0865fcbaad4b534c218fa9348840a272de', operation='UPDATE', pgid='pgtrigger_update_update_c6fce', table='infusions_adverseeventterm', when='AFTER')),
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name='sideeffectterm',
                    trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "infusions_adverseeventtermevent" ("category", "display_order", "id", "is_active", "name", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id") VALUES (OLD."category", OLD."display_order", OLD."id", OLD."is_active", OLD."name", _pgh_attach_context(), NOW(), \'delete\', OLD."id"); RETURN NULL;', hash='8b7aebb5520cb65cac6e9ec70b6dc303ad243ec6', operation='DELETE', pgid='pgtrigger_delete_delete_a06e3', table='infusions_adverseeventterm', when='AFTER')),
                ),
                migrations.AddField(
                    model_name='sideeffecttermevent',
                    name='pgh_context',
                    field=models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context'),
                ),
                migrations.AddField(
                    model_name='sideeffecttermevent',
                    name='pgh_obj',
                    field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='side_effects.sideeffectterm'),
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name='externalreportevent',
                    trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='4d685de8c52dae0eda116703c30e86eb7c969071', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_e19b1', table='infusions_externalreportevent', when='BEFORE')),
                ),
                migrations.AddConstraint(
                    model_name='externalreport',
                    constraint=models.UniqueConstraint(fields=('event', 'destination'), name='externalreport_one_per_dest'),
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name='externalreport',
                    trigger=pgtrigger.compiler.Trigger(name='protect_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot delete rows from % table', TG_TABLE_NAME;", hash='31c8c4eafe52ec1bd909afcb681cf9d776c3611f', operation='DELETE', pgid='pgtrigger_protect_delete_13f69', table='infusions_externalreport', when='BEFORE')),
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name='externalreport',
                    trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "infusions_externalreportevent" ("created_at", "created_by_id", "destination", "due_on", "event_id", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reference", "submitted_on", "updated_at", "updated_by_id", "void_reason", "voided_at", "voided_by_id") VALUES (NEW."created_at", NEW."created_by_id", NEW."destination", NEW."due_on", NEW."event_id", NEW."id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."reference", NEW."submitted_on", NEW."updated_at", NEW."updated_by_id", NEW."void_reason", NEW."voided_at", NEW."voided_by_id"); RETURN NULL;', hash='b8538573a43d668446933e3cef92dcdd0a148275', operation='INSERT', pgid='pgtrigger_insert_insert_9ddfb', table='infusions_externalreport', when='AFTER')),
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name='externalreport',
                    trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "infusions_externalreportevent" ("created_at", "created_by_id", "destination", "due_on", "event_id", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reference", "submitted_on", "updated_at", "updated_by_id", "void_reason", "voided_at", "voided_by_id") VALUES (NEW."created_at", NEW."created_by_id", NEW."destination", NEW."due_on", NEW."event_id", NEW."id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."reference", NEW."submitted_on", NEW."updated_at", NEW."updated_by_id", NEW."void_reason", NEW."voided_at", NEW."voided_by_id"); RETURN NULL;', hash='8c887ab2703fdb1e79915ba7a64d990ef9d9dc67', operation='UPDATE', pgid='pgtrigger_update_update_a7685', table='infusions_externalreport', when='AFTER')),
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name='externalreport',
                    trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "infusions_externalreportevent" ("created_at", "created_by_id", "destination", "due_on", "event_id", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reference", "submitted_on", "updated_at", "updated_by_id", "void_reason", "voided_at", "voided_by_id") VALUES (OLD."created_at", OLD."created_by_id", OLD."destination", OLD."due_on", OLD."event_id", OLD."id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."reference", OLD."submitted_on", OLD."updated_at", OLD."updated_by_id", OLD."void_reason", OLD."voided_at", OLD."voided_by_id"); RETURN NULL;', hash='21e4f3f7df87ff463ef11a5f98a16e93fd9b7b2d', operation='DELETE', pgid='pgtrigger_delete_delete_12096', table='infusions_externalreport', when='AFTER')),
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name='sideeffectevent',
                    trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='28ce1f4ab31fd0619ba55a3adb1976f6a1ca1f7f', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_470e7', table='infusions_adverseeventevent', when='BEFORE')),
                ),
                migrations.AddIndex(
                    model_name='sideeffect',
                    index=models.Index(fields=['patient', '-onset_at'], name='ae_patient_onset_idx'),
                ),
                migrations.AddIndex(
                    model_name='sideeffect',
                    index=models.Index(models.OrderBy(models.F('reviewed_at'), nulls_first=True), models.OrderBy(models.F('serious'), descending=True), models.OrderBy(models.F('grade'), descending=True), models.F('onset_at'), models.F('id'), condition=models.Q(('voided_at__isnull', True)), name='ae_queue_order_idx'),
                ),
                migrations.AddIndex(
                    model_name='sideeffect',
                    index=models.Index(fields=['onset_at'], name='ae_onset_idx'),
                ),
                migrations.AddConstraint(
                    model_name='sideeffect',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('serious', False), ('seriousness_criteria', [])), models.Q(('serious', True), models.Q(('seriousness_criteria', []), _negated=True)), _connector='OR'), name='ae_serious_iff_criteria', violation_error_message='A serious event needs criteria, and criteria need the event marked serious.'),
                ),
                migrations.AddConstraint(
                    model_name='sideeffect',
                    constraint=models.CheckConstraint(condition=models.Q(('resolved_at__isnull', True), ('resolved_at__gte', models.F('onset_at')), _connector='OR'), name='ae_resolved_after_onset', violation_error_message='The resolution time is before the onset.'),
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name='sideeffect',
                    trigger=pgtrigger.compiler.Trigger(name='protect_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot delete rows from % table', TG_TABLE_NAME;", hash='12c9d9d06be9230656b80f4f04bbcfec55d06fa7', operation='DELETE', pgid='pgtrigger_protect_delete_5b5d9', table='infusions_adverseevent', when='BEFORE')),
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name='sideeffect',
                    trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "infusions_adverseeventevent" ("action_taken", "category", "causality", "created_at", "created_by_id", "expected", "grade", "id", "narrative", "onset_at", "outcome", "patient_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "rescue_medication_id", "resolved_at", "review_comment", "reviewed_at", "reviewed_by_id", "serious", "seriousness_criteria", "session_id", "suspect_drug", "term_detail", "term_id", "updated_at", "updated_by_id", "void_reason", "voided_at", "voided_by_id") VALUES (NEW."action_taken", NEW."category", NEW."causality", NEW."created_at", NEW."created_by_id", NEW."expected", NEW."grade", NEW."id", NEW."narrative", NEW."onset_at", NEW."outcome", NEW."patient_id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."rescue_medication_id", NEW."resolved_at", NEW."review_comment", NEW."reviewed_at", NEW."reviewed_by_id", NEW."serious", NEW."seriousness_criteria", NEW."session_id", NEW."suspect_drug", NEW."term_detail", NEW."term_id", NEW."updated_at", NEW."updated_by_id", NEW."void_reason", NEW."voided_at", NEW."voided_by_id"); RETURN NULL;', hash='a0762385ca69e361f48d0cc11d8bfd9625f974c1', operation='INSERT', pgid='pgtrigger_insert_insert_d2000', table='infusions_adverseevent', when='AFTER')),
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name='sideeffect',
                    trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "infusions_adverseeventevent" ("action_taken", "category", "causality", "created_at", "created_by_id", "expected", "grade", "id", "narrative", "onset_at", "outcome", "patient_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "rescue_medication_id", "resolved_at", "review_comment", "reviewed_at", "reviewed_by_id", "serious", "seriousness_criteria", "session_id", "suspect_drug", "term_detail", "term_id", "updated_at", "updated_by_id", "void_reason", "voided_at", "voided_by_id") VALUES (NEW."action_taken", NEW."category", NEW."causality", NEW."created_at", NEW."created_by_id", NEW."expected", NEW."grade", NEW."id", NEW."narrative", NEW."onset_at", NEW."outcome", NEW."patient_id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."rescue_medication_id", NEW."resolved_at", NEW."review_comment", NEW."reviewed_at", NEW."reviewed_by_id", NEW."serious", NEW."seriousness_criteria", NEW."session_id", NEW."suspect_drug", NEW."term_detail", NEW."term_id", NEW."updated_at", NEW."updated_by_id", NEW."void_reason", NEW."voided_at", NEW."voided_by_id"); RETURN NULL;', hash='5423f40b36d6a98d59d8ff0eace69d2b31221706', operation='UPDATE', pgid='pgtrigger_update_update_81473', table='infusions_adverseevent', when='AFTER')),
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name='sideeffect',
                    trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "infusions_adverseeventevent" ("action_taken", "category", "causality", "created_at", "created_by_id", "expected", "grade", "id", "narrative", "onset_at", "outcome", "patient_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "rescue_medication_id", "resolved_at", "review_comment", "reviewed_at", "reviewed_by_id", "serious", "seriousness_criteria", "session_id", "suspect_drug", "term_detail", "term_id", "updated_at", "updated_by_id", "void_reason", "voided_at", "voided_by_id") VALUES (OLD."action_taken", OLD."category", OLD."causality", OLD."created_at", OLD."created_by_id", OLD."expected", OLD."grade", OLD."id", OLD."narrative", OLD."onset_at", OLD."outcome", OLD."patient_id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."rescue_medication_id", OLD."resolved_at", OLD."review_comment", OLD."reviewed_at", OLD."reviewed_by_id", OLD."serious", OLD."seriousness_criteria", OLD."session_id", OLD."suspect_drug", OLD."term_detail", OLD."term_id", OLD."updated_at", OLD."updated_by_id", OLD."void_reason", OLD."voided_at", OLD."voided_by_id"); RETURN NULL;', hash='1abe4c6cf6620754ef653b09dff9b78e85a3e4e0', operation='DELETE', pgid='pgtrigger_delete_delete_94a51', table='infusions_adverseevent', when='AFTER')),
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name='sideeffecttermevent',
                    trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='5e103c9f03507d1ed1d44807e502b1385d7b4b7d', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_c7b49', table='infusions_adverseeventtermevent', when='BEFORE')),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
