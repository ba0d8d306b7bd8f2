"""Count again the tallies' collection days of the overseas organisations, now counted in
their own zone (survey.moments.departement_zone_sql) rather than in Paris: one rebuild
when any such organisation exists, nothing otherwise."""

from django.db import migrations

OVERSEAS = ["971", "972", "973", "974", "976"]


def recount(apps, schema_editor):
    # The SQL of survey.tallies, which reads table names only (no model state).
    from survey.tallies import rebuild_all

    Organisation = apps.get_model("survey", "Organisation")
    if Organisation.objects.filter(departement_code__in=OVERSEAS).exists():
        rebuild_all(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("survey", "0017_organisation_time_zone"),
    ]

    operations = [
        migrations.RunPython(recount, migrations.RunPython.noop, elidable=True),
    ]
