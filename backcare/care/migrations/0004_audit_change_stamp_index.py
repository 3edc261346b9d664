"""A partial index for the caseload's change stamps (backcare.care.alerts.caseload): the latest
audit entry of a patient that is not a read, found by one index seek however many reads the
patient's pages have written since.

Database only (SeparateDatabaseAndState): the model's Meta does not list it yet, so
``makemigrations --check`` stays clean. To move it into AuditEntry.Meta.indexes (the lead's
models.py), add the same models.Index there and turn this operation into a plain AddIndex.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0003_intake_draft_and_licensed_wording"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AddIndex(
                    model_name="auditentry",
                    index=models.Index(
                        fields=["patient", "id"],
                        condition=~models.Q(action="read"),
                        name="audit_patient_change",
                    ),
                ),
            ],
            state_operations=[],
        ),
    ]
