from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("survey", "0014_orange_band_help_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="elsewhere",
            field=models.JSONField(
                blank=True, default=dict, verbose_name="page d'import du fichier"
            ),
        ),
    ]
