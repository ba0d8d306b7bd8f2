"""Add the channels' summary cells to every campaign's tallies (``AnswerTally.SUMMARY``):
the tallies are rebuilt from the counted answers, in one INSERT … SELECT."""

from django.db import migrations


def fill(apps, schema_editor):
    # The SQL of survey.tallies, which reads table names only (no model state).
    from survey.tallies import rebuild_all

    rebuild_all(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_fill_answer_tallies"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
