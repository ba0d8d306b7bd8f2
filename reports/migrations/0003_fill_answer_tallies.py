"""Fill the tallies of every campaign from its counted answers: one INSERT … SELECT."""

from django.db import migrations


def fill(apps, schema_editor):
    # The SQL of survey.tallies, which reads table names only (no model state).
    from survey.tallies import rebuild_all

    rebuild_all(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0002_answer_tally"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
