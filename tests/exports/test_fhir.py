"""The FHIR R4 export and import of an episode of care (backcare/exports/fhir.py,
fhir_import.py, terminology.py; docs/fhir.md).

The episode is made the way a clinic makes one, through care/actions.py: Pat's intake
(docs/examples/example-physio.json), a plan with a clinician's override, published; home
exercises logged, a weekly check-in, a session note with two techniques, a missed visit, then a
reassessment and a new draft plan.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from web.factories import NO_RED_FLAGS, NOW, Cast, example

from backcare.accounts.models import User
from backcare.care import actions
from backcare.care.models import (
    AssessmentRecord,
    AuditEntry,
    CheckIn,
    Episode,
    ExerciseLog,
    Patient,
    PlanRecord,
    SessionNote,
    Visit,
)
from backcare.engine.questionnaires import LICENSED_FORMAT
from backcare.exports.fhir import episode_bundle
from backcare.exports.fhir_import import InvalidBundle, comparable, import_bundle
from backcare.exports.terminology import LOINC, check_terminology

DAY = dt.timedelta(days=1)
ISSUE_LOINC = {"72514-3", "97909-6", "91351-7", "91352-5"}  # issue 6, "FHIR R4"


def build_episode(cast: Cast) -> Episode:
    """Pat's episode: everything a clinic records, made through the actions."""
    patient, alice = cast.pat, cast.alice
    user = patient.user
    user.first_name, user.last_name = "Pat", "Jones"
    user.save(update_fields=["first_name", "last_name"])
    patient.date_of_birth = dt.date(1979, 5, 4)
    patient.save(update_fields=["date_of_birth"])

    record = actions.record_intake(
        patient=patient, document=example("example-physio"), by=alice, now=NOW
    )
    episode = record.episode
    plan = actions.generate_plan(episode=episode, by=alice, now=NOW)
    actions.override_plan(
        plan=plan,
        by=alice,
        path="home_programme[0].dose.sets",
        value=2,
        reason="Start gently.",
        now=NOW,
    )
    plan = actions.publish_plan(plan=plan, by=alice, now=NOW)
    first, second = (item["exercise_id"] for item in plan.plan["home_programme"][:2])
    actions.log_exercise(
        patient=patient,
        by=user,
        exercise_id=first,
        done=True,
        sets=2,
        reps=8,
        pain_during=3,
        difficulty="right",
        now=NOW,
    )
    actions.log_exercise(patient=patient, by=user, exercise_id=second, done=False, now=NOW + DAY)
    actions.record_check_in(
        patient=patient,
        by=user,
        red_flag_screen=NO_RED_FLAGS,
        nprs=4,
        psfs=[
            {"activity": "lifting my daughter", "score": 5},
            {"activity": "sitting through a meeting", "score": 6},
            {"activity": "gardening", "score": 4},
        ],
        odi={"variant": "2.1a", "answers": [1, 1, 2, 1, 2, 1, 1, None, 1, 1]},
        now=NOW + 7 * DAY,
    )
    visits = list(Visit.objects.filter(plan=plan).order_by("starts_at"))
    actions.write_session_note(
        visit=visits[0],
        by=alice,
        subjective="Sitting easier.",
        objective="Flexion to mid-shin.",
        assessment="Improving.",
        plan="Progress the home programme.",
        techniques=[
            {
                "technique_id": "manual-mobilisation",
                "parameters": {"grade": "III"},
                "response": "eased",
            },
            {"technique_id": "education", "parameters": {}, "response": ""},
        ],
        red_flag_screen=NO_RED_FLAGS,
        now=visits[0].starts_at,
    )
    actions.set_visit_status(visit=visits[1], by=alice, status="missed", now=NOW)
    again = example("example-physio")
    again["assessed_on"] = (NOW + 14 * DAY).date().isoformat()
    again["questionnaires"]["nprs"] = 3
    actions.record_intake(
        patient=patient, document=again, by=alice, kind="reassessment", now=NOW + 14 * DAY
    )
    actions.generate_plan(episode=episode, by=alice, now=NOW + 14 * DAY)
    return Episode.objects.get(pk=episode.pk)


@pytest.fixture
def episode(cast: Cast) -> Episode:
    return build_episode(cast)


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def codes(resource: dict[str, Any], system: str) -> list[str]:
    return [c["code"] for c in resource["code"]["coding"] if c["system"] == system]


def observations(bundle: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [
        o
        for o in resources(bundle, "Observation")
        if code in codes(o, LOINC) or any(c["code"] == code for c in o["code"]["coding"])
    ]


# --- the export -----------------------------------------------------------------------------------


def test_every_resource_of_the_bundle_parses_with_the_r4b_models(episode: Episode) -> None:
    bundle = episode_bundle(episode)

    Bundle.model_validate(bundle)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        model = get_fhir_model_class(resource["resourceType"])
        assert getattr(model.model_validate(resource), "id") == resource["id"]  # noqa: B009
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
    assert bundle["type"] == "collection"
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert kinds == {
        "Patient",
        "EpisodeOfCare",
        "Condition",
        "Goal",
        "Questionnaire",
        "QuestionnaireResponse",
        "Observation",
        "CarePlan",
        "Appointment",
        "Procedure",
        "DocumentReference",
    }


def test_the_export_passes_our_terminology_check_and_is_the_same_every_time(
    episode: Episode,
) -> None:
    bundle = episode_bundle(episode)

    assert check_terminology(bundle) == []
    assert episode_bundle(episode) == bundle
    assert json.loads(json.dumps(bundle)) == bundle


def test_scores_carry_exactly_the_loinc_codes_the_issue_lists(episode: Episode) -> None:
    bundle = episode_bundle(episode)
    intake = episode.assessments.order_by("id").first()
    assert intake is not None
    scores = intake.assessment["scores"]

    loinc = {c for o in resources(bundle, "Observation") for c in codes(o, LOINC)}
    assert loinc >= ISSUE_LOINC
    # The distress subscore's own code, clinical-facts §1.4 (loinc.org/91350-9) [src].
    assert loinc == ISSUE_LOINC | {"91350-9"}
    nprs = observations(bundle, "72514-3")
    assert [o["valueQuantity"]["value"] for o in nprs] == [
        6,
        3,
        4,
    ]  # intake, reassessment, check-in
    total = observations(bundle, "91351-7")[0]
    assert total["valueQuantity"]["value"] == scores["startback"]["total"]
    risk = observations(bundle, "91352-5")[0]["valueCodeableConcept"]
    answer = {"low": "LA9194-7", "medium": "LA8982-6", "high": "LA9193-9"}
    assert risk["coding"][0]["code"] == answer[scores["startback"]["risk"]]
    ours = {
        c["code"]
        for o in resources(bundle, "Observation")
        for c in o["code"]["coding"]
        if c["system"] != LOINC
    }
    assert ours == {"rmdq-total", "psfs-mean", "fabq-physical-activity", "fabq-work"}


def test_the_odi_observation_holds_the_stored_odi_percent(episode: Episode) -> None:
    bundle = episode_bundle(episode)
    intake = episode.assessments.order_by("id").first()
    assert intake is not None

    odi = observations(bundle, "97909-6")
    assert odi[0]["valueQuantity"] == {
        "value": intake.assessment["scores"]["odi"]["percent"],
        "unit": "%",
        "system": "http://unitsofmeasure.org",
        "code": "%",
    }
    assert odi[0]["effectiveDateTime"] == intake.assessment["assessed_on"]
    response = odi[0]["derivedFrom"][0]["reference"]
    assert any(
        e["fullUrl"] == response
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "QuestionnaireResponse"
    )
    assert len(odi) == 3  # the intake, the check-in and the reassessment


def test_the_condition_carries_the_classification_in_our_code_systems(episode: Episode) -> None:
    bundle = episode_bundle(episode)
    latest = episode.assessments.order_by("-id").first()
    assert latest is not None
    classification = latest.assessment["classification"]

    (condition,) = resources(bundle, "Condition")
    assert codes(condition, "https://backcare.example/fhir/CodeSystem/condition") == [
        "low-back-pain"
    ]
    assert all("snomed" not in c["system"] for c in condition["code"]["coding"])
    parts = {p["url"]: p for p in condition["extension"][0]["extension"]}
    assert parts["pathway"]["valueCoding"]["code"] == classification["pathway"]
    assert parts["icf-category"]["valueCoding"]["code"] == classification["icf"]
    assert parts["radicular"]["valueBoolean"] is classification["radicular"]
    assert condition["stage"][0]["summary"]["coding"][0]["code"] == latest.assessment["stage"]


def test_a_goal_per_psfs_activity(episode: Episode) -> None:
    bundle = episode_bundle(episode)
    activities = [a["activity"] for a in example("example-physio")["questionnaires"]["psfs"]]

    goals = resources(bundle, "Goal")
    assert [g["description"]["text"] for g in goals] == activities
    for care_plan in resources(bundle, "CarePlan"):
        assert len(care_plan["goal"]) == len(activities)


def test_the_care_plan_lists_the_home_exercises_with_their_dose_and_the_visits(
    episode: Episode,
) -> None:
    bundle = episode_bundle(episode)
    published = episode.plans.get(status="published")

    plans = resources(bundle, "CarePlan")
    assert [p["status"] for p in plans] == ["active", "draft"]
    activities = plans[0]["activity"]
    exercises = [
        a["detail"]
        for a in activities
        if a.get("detail", {})
        .get("code", {})
        .get("coding", [{}])[0]
        .get("system", "")
        .endswith("/exercise")
    ]
    programme = published.plan["home_programme"]
    assert [e["code"]["coding"][0]["code"] for e in exercises] == [
        i["exercise_id"] for i in programme
    ]
    dose = {p["url"]: p for p in exercises[0]["extension"][0]["extension"]}
    assert dose["sets"]["valueInteger"] == 2  # the clinician's override
    assert (
        exercises[0]["scheduledTiming"]["repeat"]["frequency"]
        == programme[0]["dose"]["times_a_day"]
    )
    visits = [a["reference"]["reference"] for a in activities if "reference" in a]
    assert len(visits) == Visit.objects.filter(plan=published).count()


def test_an_appointment_per_visit_with_its_status(episode: Episode) -> None:
    bundle = episode_bundle(episode)

    appointments = resources(bundle, "Appointment")
    visits = list(episode.visits.order_by("starts_at", "id"))
    assert len(appointments) == len(visits) > 2
    assert [a["start"] for a in appointments] == [
        v.starts_at.astimezone(dt.UTC).isoformat() for v in visits
    ]
    assert [a["status"] for a in appointments[:3]] == ["fulfilled", "noshow", "booked"]


def test_a_procedure_per_technique_used(episode: Episode) -> None:
    bundle = episode_bundle(episode)

    procedures = resources(bundle, "Procedure")
    assert [p["code"]["coding"][0]["code"] for p in procedures] == [
        "manual-mobilisation",
        "education",
    ]
    assert procedures[0]["note"] == [{"text": "eased"}]
    assert json.loads(procedures[0]["extension"][0]["valueString"]) == {"grade": "III"}
    first = resources(bundle, "Appointment")[0]
    assert procedures[0]["performedDateTime"] == first["start"]


def licensed_odi() -> str:
    """A licensed-wording file for the ODI with placeholder (not real) official texts."""
    lines = [
        f'format = "{LICENSED_FORMAT}"',
        'licensee = "Riverside"',
        "[odi]",
        'licence_holder = "Mapi Research Trust"',
        'licence_reference = "ODI-1"',
    ]
    for n in range(1, 11):
        lines += [f'[odi.items."odi.{n}"]', f'text = "Official heading {n}"']
        lines.append("options = [" + ", ".join(f'"Official {n}.{v}"' for v in range(6)) + "]")
    return "\n".join(lines) + "\n"


def test_questionnaires_show_our_labelled_summaries_never_licensed_wording(
    episode: Episode, cast: Cast
) -> None:
    actions.upload_licensed_wording(clinic=cast.riverside, by=cast.carol, text=licensed_odi())

    bundle = episode_bundle(episode)

    text = json.dumps(bundle)
    assert "Official" not in text
    questionnaires = resources(bundle, "Questionnaire")
    assert sorted(q["url"].rsplit("/", 1)[1] for q in questionnaires) == [
        "fabq",
        "nprs",
        "odi",
        "psfs",
        "rmdq",
        "startback",
    ]
    for q in questionnaires:
        assert q["description"].startswith("short summary written by backcare")
        assert all(item["extension"][0]["valueCode"] == "summary" for item in q["item"])
    odi = next(q for q in questionnaires if q["url"].endswith("/odi"))
    assert odi["item"][0]["text"] == "Pain intensity"


# --- the round trip -------------------------------------------------------------------------------


def test_export_import_export_gives_the_same_resources(episode: Episode, cast: Cast) -> None:
    before = episode_bundle(episode)

    imported = import_bundle(before, clinic=cast.harbour, by=cast.bob, now=NOW + 20 * DAY)

    after = episode_bundle(imported)
    assert comparable(after) == comparable(before)
    # Only what comparable() replaces differs: ids, and the staff who took over.
    assert after != before
    assert {e["fullUrl"] for e in after["entry"]}.isdisjoint(
        {e["fullUrl"] for e in before["entry"] if e["resource"]["resourceType"] != "Questionnaire"}
    )
    patient = imported.patient
    assert (patient.clinic, patient.clinician) == (cast.harbour, cast.bob)
    assert (patient.user.first_name, patient.user.last_name) == ("Pat", "Jones")
    assert not patient.user.has_usable_password()
    assert patient.user.role == User.Role.PATIENT
    for model, count in ((AssessmentRecord, 2), (PlanRecord, 2), (CheckIn, 1),
                         (SessionNote, 1), (ExerciseLog, 2)):  # fmt: skip
        rows = model.objects.all()
        assert rows.count() == 2 * count, model
    (entry,) = AuditEntry.objects.filter(object_type="episode", object_id=str(imported.pk))
    assert (entry.who, entry.action, entry.clinic_id) == (cast.bob, "create", cast.harbour.pk)
    assert entry.detail["fhir_import"]["visits"] == imported.visits.count()


def test_an_import_by_another_clinics_staff_is_refused(episode: Episode, cast: Cast) -> None:
    bundle = episode_bundle(episode)

    with pytest.raises(actions.NotAllowed):
        import_bundle(bundle, clinic=cast.harbour, by=cast.alice)
    with pytest.raises(actions.NotAllowed):
        import_bundle(bundle, clinic=cast.riverside, by=cast.quinn.user)
    assert Patient.objects.count() == 2


def test_the_terminology_check_rejects_a_bad_status_and_import_stores_nothing(
    episode: Episode, cast: Cast
) -> None:
    bundle = episode_bundle(episode)
    bad = copy.deepcopy(bundle)
    index = next(
        i for i, e in enumerate(bad["entry"]) if e["resource"]["resourceType"] == "Observation"
    )
    bad["entry"][index]["resource"]["status"] = "not-a-status"
    bad["entry"][index]["resource"]["code"]["coding"][0]["code"] = "00000-0"

    problems = check_terminology(bad)

    assert problems == [
        f"entry[{index}].resource.status: 'not-a-status'; allowed: final, preliminary",
        f"entry[{index}].resource.code.coding[0].code: '00000-0'; allowed in http://loinc.org: "
        "72514-3, 91350-9, 91351-7, 91352-5, 97909-6, LA8982-6, LA9193-9, LA9194-7",
    ]
    with pytest.raises(InvalidBundle) as refused:
        import_bundle(bad, clinic=cast.harbour, by=cast.bob)
    assert refused.value.problems == tuple(problems)
    assert Patient.objects.count() == 2 and Episode.objects.count() == 1


def test_a_bad_bundle_is_refused_with_every_problem_and_nothing_is_stored(
    episode: Episode, cast: Cast
) -> None:
    bundle = episode_bundle(episode)
    bad = copy.deepcopy(bundle)
    patient = next(
        i for i, e in enumerate(bad["entry"]) if e["resource"]["resourceType"] == "Patient"
    )
    bad["entry"][patient]["resource"]["extension"][0]["valueCode"] = "Mars/Olympus"
    document = next(
        i
        for i, e in enumerate(bad["entry"])
        if e["resource"]["resourceType"] == "DocumentReference"
    )
    attachment = bad["entry"][document]["resource"]["content"][0]["attachment"]
    payload = json.loads(base64.b64decode(attachment["data"]))
    payload["intake"]["questionnaires"]["nprs"] = 11
    payload["triage_level"] = "whenever"
    attachment["data"] = base64.b64encode(json.dumps(payload).encode()).decode()
    del attachment["hash"]

    with pytest.raises(InvalidBundle) as refused:
        import_bundle(bad, clinic=cast.harbour, by=cast.bob)

    problems = "\n".join(refused.value.problems)
    data = f"entry[{document}].resource.content[0].attachment.data"
    assert f'entry[{patient}].resource.extension: time zone "Mars/Olympus"' in problems
    assert f"{data}.intake.questionnaires.nprs: 11 is not allowed" in problems
    assert f'{data}.triage_level: "whenever"; allowed: emergency' in problems
    assert Patient.objects.count() == 2 and AssessmentRecord.objects.count() == 2


def test_a_structurally_broken_bundle_is_refused_with_its_path(cast: Cast) -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": "urn:uuid:1", "resource": {"resourceType": "Patient", "birthDate": "soon"}}
        ],
    }

    with pytest.raises(InvalidBundle) as refused:
        import_bundle(bundle, clinic=cast.harbour, by=cast.bob)

    assert refused.value.problems[0].startswith("entry[0].resource.birthDate:")


def test_the_export_uses_a_constant_number_of_queries(
    episode: Episode, cast: Cast, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(7):
        episode_bundle(episode)
    for week in range(2, 6):
        actions.record_check_in(
            patient=cast.pat,
            by=cast.alice,
            red_flag_screen=NO_RED_FLAGS,
            nprs=3,
            now=NOW + 7 * week * DAY,
        )

    with django_assert_num_queries(7):
        episode_bundle(episode)


# --- the command line -----------------------------------------------------------------------------


def test_the_commands_export_to_a_file_and_import_it(
    episode: Episode, cast: Cast, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "episode.json"

    call_command("export_fhir", str(episode.pk), "--output", str(out))
    call_command("import_fhir", str(out), "--clinic", str(cast.harbour.pk), "--by", "bob")

    new_id = int(capsys.readouterr().out.strip())
    assert comparable(json.loads(out.read_text())) == comparable(
        episode_bundle(Episode.objects.get(pk=new_id))
    )
    read = AuditEntry.objects.filter(action="read", object_id=str(episode.pk), who=None)
    assert read.count() == 1


def test_an_unknown_episode_is_one_line_and_exit_status_2(
    db: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from backcare.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["export-fhir", "999999"])

    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0
    assert "no episode of care with id '999999'" in err
    with pytest.raises(CommandError) as refused:
        call_command("export_fhir", "abc")
    assert refused.value.returncode == 2


def test_importing_a_file_that_is_not_a_bundle_exits_2(cast: Cast, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"resourceType": "Patient"}')

    with pytest.raises(CommandError, match="cannot be imported") as refused:
        call_command("import_fhir", str(bad), "--clinic", str(cast.harbour.pk), "--by", "bob")

    assert refused.value.returncode == 2
