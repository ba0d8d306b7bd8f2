"""``AnswerTally`` leaves reports' migration state: survey's 0016 holds it now, on the
same table (``reports_answertally``), which this migration leaves in place."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0005_answer_tally_summary_index'),
        ('survey', '0016_answer_tally_from_reports'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='AnswerTally'),
            ],
            database_operations=[],
        ),
    ]
