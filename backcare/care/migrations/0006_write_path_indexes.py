"""Fewer indexes on the rows written on every request, and a covering one for the card.

An audit entry is written on every page and an exercise log on every logging, so every index
on them is paid for on every request. The single-column indexes Django makes for a foreign key
are redundant where a composite index leads with the same column: audit entries' ``clinic`` and
``patient`` (indexes on (clinic, at), (patient, at) and the change stamps) and exercise logs'
``patient`` (``log_patient_day``, which also covers counting an exercise's sessions of a day).

Those indexes are dropped by name, found by introspection, not by altering the fields: on SQLite
altering a field remakes the table, which would drop the audit table's append-only triggers
(migration 0002). The fields' ``db_index=False`` is recorded in the state only.
"""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

# (table, column) whose single-column index is redundant.
REDUNDANT = (
    ("care_auditentry", "clinic_id"),
    ("care_auditentry", "patient_id"),
    ("care_exerciselog", "patient_id"),
)


def drop_redundant_indexes(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    for table, column in REDUNDANT:
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, table)
        for name, info in constraints.items():
            if (
                info["index"]
                and not (info["unique"] or info["primary_key"])
                and (info["columns"] == [column])
            ):
                schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def restore_indexes(apps: Any, schema_editor: Any) -> None:
    for table, column in REDUNDANT:
        name = schema_editor.quote_name(f"{table}_{column}_restored")
        schema_editor.execute(
            f"CREATE INDEX {name} ON {schema_editor.quote_name(table)} "
            f"({schema_editor.quote_name(column)})"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0005_audit_clinic_change_index"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="exerciselog",
            name="care_exerci_patient_199a04_idx",
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_redundant_indexes, restore_indexes)],
            state_operations=[
                migrations.AlterField(
                    model_name="auditentry",
                    name="clinic",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="care.clinic",
                    ),
                ),
                migrations.AlterField(
                    model_name="auditentry",
                    name="patient",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="care.patient",
                    ),
                ),
                migrations.AlterField(
                    model_name="exerciselog",
                    name="patient",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="exercise_logs",
                        to="care.patient",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="exerciselog",
            index=models.Index(
                fields=["patient", "day", "exercise_id", "done"], name="log_patient_day"
            ),
        ),
    ]
