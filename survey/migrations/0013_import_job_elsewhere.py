from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("survey", "0012_import_job_keeps_the_file_not_its_rows"),
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
