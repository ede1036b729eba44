"""Fewer index entries per new record: the trash's indexes partial, no
index twice (an import files every new record in each of them). The city
alone is no longer indexed: searches of live records by city use the
listing's (city, name, id) index."""

import django.db.models.deletion
import modelcluster.fields
from django.conf import settings
from django.db import migrations, models

# Django's names for them: the same on PostgreSQL and SQLite.
FOREIGN_KEY_INDEXES = [
    (
        "directory_organisation_trashed_by_id_dbc3acc7",
        "directory_organisation",
        "trashed_by_id",
    ),
    ("directory_person_trashed_by_id_b6cac576", "directory_person", "trashed_by_id"),
    (
        "directory_position_organisation_id_0d87b2c4",
        "directory_position",
        "organisation_id",
    ),
    ("directory_position_person_id_18e4b5ec", "directory_position", "person_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0014_consent_channel_choices"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="organisation",
            name="org_trashed_at",
        ),
        migrations.RemoveIndex(
            model_name="person",
            name="person_trashed_at",
        ),
        migrations.RemoveIndex(
            model_name="position",
            name="position_function",
        ),
        migrations.RemoveIndex(
            model_name="organisation",
            name="org_city",
        ),
        migrations.RemoveIndex(
            model_name="person",
            name="person_city",
        ),
        # The foreign keys' own indexes, dropped by name: Django's AlterField
        # would also drop (and not recreate) the partial unique index of
        # `one_primary_position_per_person`, and rebuild each foreign key.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="organisation",
                    name="trashed_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="moved to the trash by",
                    ),
                ),
                migrations.AlterField(
                    model_name="person",
                    name="trashed_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="moved to the trash by",
                    ),
                ),
                migrations.AlterField(
                    model_name="position",
                    name="organisation",
                    field=modelcluster.fields.ParentalKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="positions",
                        to="directory.organisation",
                        verbose_name="organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="position",
                    name="person",
                    field=modelcluster.fields.ParentalKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="positions",
                        to="directory.person",
                        verbose_name="person",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {name}",
                    f"CREATE INDEX {name} ON {table} ({column})",
                )
                for name, table, column in FOREIGN_KEY_INDEXES
            ],
        ),
        migrations.AddIndex(
            model_name="organisation",
            index=models.Index(
                condition=models.Q(("trashed_at__isnull", False)),
                fields=["trashed_at"],
                name="org_trashed_at",
            ),
        ),
        migrations.AddIndex(
            model_name="organisation",
            index=models.Index(
                condition=models.Q(("trashed_by__isnull", False)),
                fields=["trashed_by"],
                name="org_trashed_by",
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                condition=models.Q(("trashed_at__isnull", False)),
                fields=["trashed_at"],
                name="person_trashed_at",
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                condition=models.Q(("trashed_by__isnull", False)),
                fields=["trashed_by"],
                name="person_trashed_by",
            ),
        ),
    ]
