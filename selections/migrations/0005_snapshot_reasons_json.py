from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("selections", "0004_snapshot_reasons_keep_sources"),
    ]

    operations = [
        migrations.AlterField(
            model_name="snapshotrow",
            name="reasons",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
