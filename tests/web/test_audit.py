"""Every read or change of health data leaves an audit entry, and entries are never changed."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from web.factories import NO_RED_FLAGS, NOW, Cast, published_plan

from backcare.care import actions
from backcare.care.models import AuditEntry, AuditEntryIsAppendOnly


def test_each_action_writes_its_audit_entry_with_who_what_and_whose(cast: Cast) -> None:
    start = AuditEntry.objects.count()
    plan = published_plan(cast.pat, cast.alice)
    actions.record_check_in(
        patient=cast.pat, by=cast.pat.user, red_flag_screen=NO_RED_FLAGS, nprs=3, now=NOW
    )

    entries = list(AuditEntry.objects.order_by("id")[start:])
    assert [(e.action, e.object_type, e.who_id) for e in entries] == [
        ("create", "assessmentrecord", cast.alice.pk),
        ("create", "planrecord", cast.alice.pk),
        ("update", "planrecord", cast.alice.pk),
        ("create", "checkin", cast.pat.user_id),
    ]
    assert {(e.patient_id, e.clinic_id, e.at) for e in entries} == {
        (cast.pat.pk, cast.riverside.pk, NOW)
    }
    assert entries[2].detail["published"] == plan.version


def test_recording_a_read_is_one_insert(cast: Cast, django_assert_num_queries: Any) -> None:
    plan = published_plan(cast.pat, cast.alice)

    with django_assert_num_queries(1):
        actions.record_read(by=cast.alice, obj=plan, patient=cast.pat, detail={"page": "plan"})

    entry = AuditEntry.objects.latest("id")
    assert (entry.who_id, entry.clinic_id, entry.patient_id) == (
        cast.alice.pk,
        cast.pat.clinic_id,
        cast.pat.pk,
    )
    assert entry.detail == {"page": "plan"}
    assert (entry.action, entry.object_type, entry.object_id) == (
        "read",
        "planrecord",
        str(plan.pk),
    )


def test_audit_entries_refuse_to_be_changed_or_deleted(cast: Cast) -> None:
    entry = AuditEntry.objects.first()
    assert entry is not None

    entry.action = "update"
    with pytest.raises(AuditEntryIsAppendOnly):
        entry.save()
    with pytest.raises(AuditEntryIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditEntryIsAppendOnly):
        AuditEntry.objects.all().delete()
    with pytest.raises(AuditEntryIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(action="update")


@pytest.mark.parametrize("sql", ["UPDATE care_auditentry SET action = 'update'",
                                 "DELETE FROM care_auditentry"])  # fmt: skip
def test_the_database_refuses_to_change_audit_entries_even_by_raw_sql(cast: Cast, sql: str) -> None:
    count = AuditEntry.objects.count()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert AuditEntry.objects.count() == count


def test_only_the_clinic_administrator_browses_the_clinics_audit(cast: Cast) -> None:
    published_plan(cast.quinn, cast.bob)

    seen = AuditEntry.objects.for_user(cast.carol)
    assert seen.exists()
    assert set(seen.values_list("clinic_id", flat=True)) == {cast.riverside.pk}
    assert not AuditEntry.objects.for_user(cast.alice).exists()
    assert not AuditEntry.objects.for_user(cast.pat.user).exists()
