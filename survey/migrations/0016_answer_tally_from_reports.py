"""``AnswerTally`` moves from reports to survey, with the code that writes it
(survey/tallies.py): in the migration state only. Its table keeps its name
(``reports_answertally``, ``db_table``), its rows, constraint and index: nothing changes
in the database. reports' 0006 then takes the model out of reports' state."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('survey', '0015_import_job_elsewhere'),
        # The table as reports left it: created (0002), filled (0003, 0004), indexed (0005).
        ('reports', '0005_answer_tally_summary_index'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AnswerTally',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('question_id', models.BigIntegerField(verbose_name='question')),
                        ('channel', models.CharField(max_length=10, verbose_name='canal')),
                        ('day', models.DateField(verbose_name='jour de recueil')),
                        ('dated', models.BooleanField(verbose_name='heure de début connue')),
                        ('site_id', models.BigIntegerField(verbose_name='site')),
                        ('interviewer_id', models.BigIntegerField(verbose_name='enquêteur')),
                        ('answer', models.TextField(blank=True, verbose_name='réponse')),
                        ('n', models.IntegerField(verbose_name='effectif')),
                        ('campaign', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='survey.campaign', verbose_name='campagne')),
                    ],
                    options={
                        'verbose_name': "effectif d'une réponse",
                        'verbose_name_plural': 'effectifs des réponses',
                        'db_table': 'reports_answertally',
                        'indexes': [models.Index(condition=models.Q(('site_id', -1)), fields=['campaign', 'question_id', 'channel'], name='answer_tally_summary')],
                        'constraints': [models.UniqueConstraint(fields=('campaign', 'question_id', 'channel', 'day', 'dated', 'site_id', 'interviewer_id', 'answer'), name='answer_tally_key')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
