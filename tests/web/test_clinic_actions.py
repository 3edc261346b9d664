"""The actions behind the clinic administrator's pages and the intake drafts: who may do them,
what they store, and that a refused change keeps what was there."""

from __future__ import annotations

import datetime as dt

import pytest
from web.factories import NOW, Cast, example

from backcare.accounts.models import User
from backcare.care import actions
from backcare.care.models import AuditEntry, Clinic, IntakeDraft
from backcare.engine.questionnaires import LICENSED_FORMAT, Wording


def licensed_odi() -> str:
    """A licensed-wording file for the ODI with placeholder (not real) official texts."""
    lines = [
        f'format = "{LICENSED_FORMAT}"',
        'licensee = "Riverside"',
        "[odi]",
        'licence_holder = "Mapi Research Trust"',
        'licence_reference = "ODI-2026-0042"',
    ]
    for n in range(1, 11):
        lines += [f'[odi.items."odi.{n}"]', f'text = "Official heading {n}"']
        lines.append("options = [" + ", ".join(f'"Official {n}.{v}"' for v in range(6)) + "]")
    return "\n".join(lines) + "\n"


def test_the_administrator_changes_the_clinic_details_with_an_audit_entry(cast: Cast) -> None:
    actions.update_clinic(
        clinic=cast.riverside, by=cast.carol, phone="0161 000 0000", timezone="Europe/Dublin"
    )

    clinic = Clinic.objects.get(pk=cast.riverside.pk)
    assert (clinic.phone, clinic.timezone) == ("0161 000 0000", "Europe/Dublin")
    entry = AuditEntry.objects.filter(object_type="clinic", action="update").latest("id")
    assert entry.detail == {"changed": ["phone", "timezone"]}
    assert entry.who_id == cast.carol.pk


@pytest.mark.parametrize("who", ["alice", "bob", "pat"])
def test_only_the_clinics_own_administrator_changes_its_details(cast: Cast, who: str) -> None:
    person = cast.pat.user if who == "pat" else getattr(cast, who)
    with pytest.raises(actions.NotAllowed):
        actions.update_clinic(clinic=cast.riverside, by=person, name="Taken over")
    assert Clinic.objects.get(pk=cast.riverside.pk).name == "Riverside"


def test_an_unknown_clinic_detail_or_time_zone_is_refused_by_name(cast: Cast) -> None:
    with pytest.raises(actions.ActionRefused, match="colour"):
        actions.update_clinic(clinic=cast.riverside, by=cast.carol, colour="blue")
    with pytest.raises(Exception, match="Mars/Olympus"):
        actions.update_clinic(clinic=cast.riverside, by=cast.carol, timezone="Mars/Olympus")
    assert Clinic.objects.get(pk=cast.riverside.pk).timezone == "Europe/London"


def test_an_administrator_stops_and_restores_a_clinicians_sign_in(cast: Cast) -> None:
    actions.set_staff_active(user=cast.alice, by=cast.carol, active=False)
    assert not User.objects.get(pk=cast.alice.pk).is_active
    actions.set_staff_active(user=cast.alice, by=cast.carol, active=True)
    assert User.objects.get(pk=cast.alice.pk).is_active
    changes = AuditEntry.objects.filter(object_type="user", action="update").order_by("id")
    assert [entry.detail for entry in changes] == [{"is_active": False}, {"is_active": True}]


def test_an_administrator_cannot_lock_themselves_out(cast: Cast) -> None:
    with pytest.raises(actions.ActionRefused, match="your own account"):
        actions.set_staff_active(user=cast.carol, by=cast.carol, active=False)


def test_another_clinics_administrator_cannot_deactivate_a_clinician(cast: Cast) -> None:
    harbour_admin = actions.add_clinician(
        clinic=cast.harbour, username="hana", role=User.Role.CLINIC_ADMIN, now=NOW
    )
    with pytest.raises(actions.NotAllowed):
        actions.set_staff_active(user=cast.alice, by=harbour_admin, active=False)
    with pytest.raises(actions.ActionRefused, match="clinic staff"):
        actions.set_staff_active(user=cast.pat.user, by=cast.carol, active=False)


def test_uploaded_licensed_wording_replaces_our_summaries_for_that_clinic_only(
    cast: Cast,
) -> None:
    actions.upload_licensed_wording(clinic=cast.riverside, by=cast.carol, text=licensed_odi())

    riverside = actions.clinic_questionnaires(Clinic.objects.get(pk=cast.riverside.pk))
    harbour = actions.clinic_questionnaires(cast.harbour)
    assert riverside["odi"].wording is Wording.LICENSED
    assert riverside["odi"].items[0].text == "Official heading 1"
    assert riverside["nprs"].wording is Wording.SUMMARY
    assert harbour["odi"].wording is Wording.SUMMARY
    entry = AuditEntry.objects.filter(object_type="clinic").latest("id")
    assert entry.detail == {"licensed_wording": ["odi"]}


def test_a_bad_wording_file_lists_its_problems_and_keeps_the_wording_already_there(
    cast: Cast,
) -> None:
    actions.upload_licensed_wording(clinic=cast.riverside, by=cast.carol, text=licensed_odi())
    broken = licensed_odi().replace('[odi.items."odi.10"]', '[odi.items."odi.99"]')

    with pytest.raises(actions.QuestionnaireError) as refused:
        actions.upload_licensed_wording(clinic=cast.riverside, by=cast.carol, text=broken)

    assert any("odi.99" in str(problem) for problem in refused.value.problems)
    clinic = Clinic.objects.get(pk=cast.riverside.pk)
    assert clinic.licensed_wording == licensed_odi()


def test_removing_the_wording_shows_our_summaries_again(cast: Cast) -> None:
    actions.upload_licensed_wording(clinic=cast.riverside, by=cast.carol, text=licensed_odi())
    actions.upload_licensed_wording(clinic=cast.riverside, by=cast.carol, text="  \n")

    clinic = Clinic.objects.get(pk=cast.riverside.pk)
    assert (clinic.licensed_wording, clinic.licensed_wording_uploaded_at) == ("", None)
    assert actions.clinic_questionnaires(clinic)["odi"].wording is Wording.SUMMARY


def test_a_clinician_cannot_upload_wording(cast: Cast) -> None:
    with pytest.raises(actions.NotAllowed):
        actions.upload_licensed_wording(clinic=cast.riverside, by=cast.alice, text=licensed_odi())


def test_an_intake_draft_is_saved_replaced_and_gone_once_the_intake_is_recorded(
    cast: Cast,
) -> None:
    pat = cast.pat
    actions.save_intake_draft(patient=pat, by=pat.user, answers={"about": {"age": "44"}},
                              step="pain", now=NOW)  # fmt: skip
    later = NOW + dt.timedelta(minutes=5)
    actions.save_intake_draft(patient=pat, by=pat.user, answers={"about": {"age": "45"}},
                              step="red-flags", now=later)  # fmt: skip

    draft = IntakeDraft.objects.get(patient=pat)
    assert (draft.answers, draft.step, draft.updated_at) == ({"about": {"age": "45"}},
                                                             "red-flags", later)  # fmt: skip
    audit = AuditEntry.objects.filter(object_type="intakedraft").order_by("id")
    assert [(e.action, e.detail) for e in audit] == [
        ("create", {"step": "pain"}),
        ("update", {"step": "red-flags"}),
    ]

    actions.record_intake(patient=pat, document=example("example-physio"), by=pat.user, now=later)
    assert not IntakeDraft.objects.filter(patient=pat).exists()


def test_nobody_else_saves_a_patients_draft(cast: Cast) -> None:
    with pytest.raises(actions.NotAllowed):
        actions.save_intake_draft(patient=cast.pat, by=cast.quinn.user, answers={}, step="")
    with pytest.raises(actions.NotAllowed):
        actions.save_intake_draft(patient=cast.pat, by=cast.bob, answers={}, step="")
    assert IntakeDraft.objects.for_user(cast.quinn.user).count() == 0
