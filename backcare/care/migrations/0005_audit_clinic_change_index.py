"""The caseload's change stamps, as indexes the model declares: ``audit_patient_change`` (made
in the database by 0004) now also lives in AuditEntry.Meta, and ``audit_clinic_change`` gives
the latest change of a whole clinic in one index seek (the caseload page's cache key)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0004_audit_change_stamp_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="auditentry",
                    index=models.Index(
                        fields=["patient", "id"],
                        condition=~models.Q(action="read"),
                        name="audit_patient_change",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(
                fields=["clinic", "id"],
                condition=~models.Q(action="read"),
                name="audit_clinic_change",
            ),
        ),
    ]
