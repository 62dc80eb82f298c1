"""The suicide-risk flag's help text names MADRS item 10 too (issue #16 point 6; docs/clinical.md §8.3). Forms
recorded before keep the flag they were saved with."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('patients', '0010_patientsettings_diary_min_coverage'),
    ]

    operations = [
        migrations.AlterField(
            model_name='questionnaireresponse',
            name='suicide_risk',
            field=models.BooleanField(default=False, help_text='The suicide item at or above its line: PHQ-9 item 9 above 0, MADRS item 10 at 2 or more.'),
        ),
        migrations.AlterField(
            model_name='questionnaireresponseevent',
            name='suicide_risk',
            field=models.BooleanField(default=False, help_text='The suicide item at or above its line: PHQ-9 item 9 above 0, MADRS item 10 at 2 or more.'),
        ),
    ]
