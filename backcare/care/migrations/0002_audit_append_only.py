"""Database triggers that refuse UPDATE and DELETE on care_auditentry (SQLite and PostgreSQL).

The model refuses too (AuditEntry.save/delete); the triggers also stop raw SQL and bulk
QuerySet calls. Other databases get no trigger: the model-level guard still applies.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER care_auditentry_no_update BEFORE UPDATE ON care_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",
    """CREATE TRIGGER care_auditentry_no_delete BEFORE DELETE ON care_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS care_auditentry_no_update",
    "DROP TRIGGER IF EXISTS care_auditentry_no_delete",
]
POSTGRESQL = [
    """CREATE FUNCTION care_auditentry_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit entries are append-only'; END
       $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER care_auditentry_append_only BEFORE UPDATE OR DELETE ON care_auditentry
       FOR EACH ROW EXECUTE FUNCTION care_auditentry_append_only()""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS care_auditentry_append_only ON care_auditentry",
    "DROP FUNCTION IF EXISTS care_auditentry_append_only()",
]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("care", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        )
    ]
