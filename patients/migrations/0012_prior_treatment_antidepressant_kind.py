"""Antidepressants become a kind of prior treatment of their own, and the treatment-resistant depression count takes
only them (issue #16 point 7; docs/clinical.md §1.6). Prior medicines already recorded are classed by the list of
patients/antidepressants.py, the same list that checks each new record; the change history keeps the reclassing."""

from django.db import migrations, models

from patients.antidepressants import antidepressant_in

KINDS = [
    ("antidepressant", "Antidepressant medication"),
    ("medication", "Other medication"),
    ("psychotherapy", "Psychotherapy"),
    ("neuromodulation", "Neuromodulation (ECT, TMS)"),
    ("procedure", "Procedure or nerve block"),
    ("other", "Other"),
]


def class_antidepressants(apps, schema_editor):
    trials = apps.get_model("patients", "PriorTreatment").objects.filter(kind="medication")
    found = [pk for pk, treatment in trials.values_list("pk", "treatment") if antidepressant_in(treatment)]
    trials.filter(pk__in=found).update(kind="antidepressant")


def unclass_antidepressants(apps, schema_editor):
    apps.get_model("patients", "PriorTreatment").objects.filter(kind="antidepressant").update(kind="medication")


class Migration(migrations.Migration):
    dependencies = [("patients", "0011_questionnaire_suicide_risk_help_text")]

    operations = [
        migrations.AlterField(
            model_name="priortreatment",
            name="kind",
            field=models.CharField(choices=KINDS, default="medication", max_length=20),
        ),
        migrations.AlterField(
            model_name="priortreatmentevent",
            name="kind",
            field=models.CharField(choices=KINDS, default="medication", max_length=20),
        ),
        migrations.RunPython(class_antidepressants, unclass_antidepressants),
    ]
