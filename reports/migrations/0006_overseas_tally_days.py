"""Count again the tallies' collection days of the overseas organisations, now counted in
their own zone (survey.moments.departement_zone_sql) rather than in Paris: one rebuild
when any such organisation exists, nothing otherwise."""

from django.db import migrations

OVERSEAS = ["971", "972", "973", "974", "976"]


def recount(apps, schema_editor):
    # The SQL of reports.tallies, which reads table names only (no model state).
    from reports.tallies import rebuild_all

    Organisation = apps.get_model("survey", "Organisation")
    if Organisation.objects.filter(departement_code__in=OVERSEAS).exists():
        rebuild_all(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_answer_tally_summary_index"),
    ]

    operations = [
        migrations.RunPython(recount, migrations.RunPython.noop, elidable=True),
    ]
