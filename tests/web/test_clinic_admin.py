"""The clinic administrator's pages: overview, clinic details, clinicians, licensed wording and
the audit trail; who may open them; bad input kept with its message; constant query counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from web.factories import PASSWORD, Cast, invited

from backcare.accounts.models import User
from backcare.care import actions
from backcare.care.models import AuditEntry, Clinic

HOME = "/clinic/admin/"
DETAILS = "/clinic/admin/details/"
STAFF = "/clinic/admin/staff/"
ADD_STAFF = "/clinic/admin/staff/add/"
WORDING = "/clinic/admin/wording/"
WORDING_REMOVE = "/clinic/admin/wording/remove/"
AUDIT = "/clinic/admin/audit/"
PAGES = [HOME, DETAILS, STAFF, ADD_STAFF, WORDING, AUDIT]

# A licensed-wording file for the NPRS, with made-up words (not any instrument's real text).
WORDING_FILE = """\
format = "backcare-licensed-wording/1"
licensee = "Riverside"

[nprs]
licence_holder = "Test Licensing Office"
licence_reference = "TEST-2026-001"

options = ["zero: none at all", "one", "two", "three", "four", "five", "six", "seven",
           "eight", "nine", "ten: the most there could be"]

[nprs.items."nprs.1"]
text = "Made-up test wording: choose a number for your back right now."
"""

BAD_WORDING_FILE = """\
format = "backcare-licensed-wording/1"
licensee = "Riverside"

[nprs]
licence_holder = "Test Licensing Office"
options = ["too", "few"]

[made_up_scale]
"""


@pytest.fixture
def hana(cast: Cast) -> User:
    """The Harbour clinic's administrator."""
    return actions.add_clinician(
        clinic=cast.harbour, username="hana", password=PASSWORD, role=User.Role.CLINIC_ADMIN
    )


@pytest.fixture
def admin(client: Client, cast: Cast) -> Client:
    client.force_login(cast.carol)
    return client


def person(cast: Cast, hana: User, who: str) -> User:
    return cast.pat.user if who == "pat" else hana if who == "hana" else getattr(cast, who)


# --- who may open the pages -----------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 302), ("pat", 403), ("alice", 403), ("bob", 403), ("carol", 200), ("hana", 200)],
)
def test_role_matrix_of_every_page(
    client: Client, cast: Cast, hana: User, url: str, who: str | None, status: int
) -> None:
    if who is not None:
        client.force_login(person(cast, hana, who))

    response = client.get(url)

    assert response.status_code == status
    if who is None:
        assert response["Location"] == f"/account/login/?next={url}"


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 302), ("pat", 403), ("alice", 403), ("bob", 403), ("carol", 302), ("hana", 404)],
)
def test_role_matrix_of_switching_a_clinician_off(
    client: Client, cast: Cast, hana: User, who: str | None, status: int
) -> None:
    if who is not None:
        client.force_login(person(cast, hana, who))

    response = client.post(f"/clinic/admin/staff/{cast.alice.pk}/active/", {"active": "0"})

    assert response.status_code == status
    cast.alice.refresh_from_db()
    assert cast.alice.is_active is (who != "carol")


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 302), ("pat", 403), ("alice", 403), ("carol", 302), ("hana", 302)],
)
def test_role_matrix_of_removing_the_wording(
    client: Client, cast: Cast, hana: User, who: str | None, status: int
) -> None:
    actions.upload_licensed_wording(clinic=cast.riverside, by=cast.carol, text=WORDING_FILE)
    if who is not None:
        client.force_login(person(cast, hana, who))

    response = client.post(WORDING_REMOVE)

    assert response.status_code == status
    cast.riverside.refresh_from_db()
    assert bool(cast.riverside.licensed_wording) is (who != "carol")


def test_another_clinics_admin_sees_only_their_own_clinic(
    client: Client, cast: Cast, hana: User
) -> None:
    client.force_login(hana)

    home = client.get(HOME).content.decode()
    staff = client.get(STAFF).content.decode()

    assert "Harbour: clinic administration" in home and "Riverside" not in home
    assert "bob" in staff and "alice" not in staff and "carol" not in staff


def test_a_switched_off_admin_cannot_open_the_pages(client: Client, cast: Cast, hana: User) -> None:
    client.force_login(cast.carol)
    User.objects.filter(pk=cast.carol.pk).update(is_active=False)  # e.g. by the site's staff

    response = client.get(HOME)

    assert response.status_code == 302  # Django signs out an inactive user


def test_writing_pages_refuse_other_methods(admin: Client) -> None:
    assert admin.put(DETAILS).status_code == 405
    assert admin.get(WORDING_REMOVE).status_code == 405
    assert admin.get("/clinic/admin/staff/1/active/").status_code == 405
    assert admin.post(AUDIT).status_code == 405


# --- overview -------------------------------------------------------------------------------


def test_the_overview_counts_people_and_names_the_wording(admin: Client, cast: Cast) -> None:
    actions.add_clinician(clinic=cast.riverside, username="dora", by=cast.carol)
    dora = User.objects.get(username="dora")
    actions.set_staff_active(user=dora, by=cast.carol, active=False)
    actions.upload_licensed_wording(clinic=cast.riverside, by=cast.carol, text=WORDING_FILE)

    page = admin.get(HOME).content.decode()

    assert "<h1>Riverside: clinic administration</h1>" in page
    assert "Clinicians who can sign in</dt><dd>1</dd>" in page
    assert "Administrators who can sign in</dt><dd>1</dd>" in page
    assert "Staff accounts switched off</dt><dd>1</dd>" in page
    assert "Patients</dt><dd>1</dd>" in page
    assert "<li>Numeric Pain Rating Scale (NPRS)</li>" in page


# --- clinic details -------------------------------------------------------------------------


def test_the_details_form_shows_the_clinic_as_it_is(admin: Client) -> None:
    page = admin.get(DETAILS).content.decode()

    assert 'value="Riverside"' in page
    assert 'value="Europe/London"' in page
    assert 'value="09:00"' in page


def test_saving_the_details_changes_the_clinic_and_is_audited(admin: Client, cast: Cast) -> None:
    response = admin.post(
        DETAILS,
        {
            "name": "Riverside Physio",
            "address": "1 River Road",
            "phone": "+44 20 0000 0000",
            "timezone": "Europe/Dublin",
            "direct_access_note": "Book without a referral.",
            "visit_time": "14:30",
        },
    )

    assert (response.status_code, response["Location"]) == (302, HOME)
    clinic = Clinic.objects.get(pk=cast.riverside.pk)
    assert (clinic.name, clinic.timezone, clinic.visit_time) == (
        "Riverside Physio",
        "Europe/Dublin",
        dt.time(14, 30),
    )
    entry = AuditEntry.objects.filter(object_type="clinic").latest("id")
    assert entry.who_id == cast.carol.pk
    assert entry.detail["changed"] == [
        "address",
        "direct_access_note",
        "name",
        "phone",
        "timezone",
        "visit_time",
    ]


def test_bad_details_keep_what_was_typed_and_say_what_is_allowed(admin: Client, cast: Cast) -> None:
    typed = {
        "name": "   ",
        "address": "1 River Road",
        "phone": "0123",
        "timezone": "Europe/Riverside",
        "direct_access_note": "Ask at the desk.",
        "visit_time": "half past nine",
    }

    response = admin.post(DETAILS, typed)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter the clinic&#x27;s name." in page
    assert "Europe/Riverside is not a time-zone name we know" in page
    assert "written like Europe/London" in page
    assert "Enter a time as hours:minutes" in page
    for value in ("Europe/Riverside", "half past nine", "0123"):
        assert f'value="{value}"' in page
    assert "1 River Road</textarea>" in page
    assert 'href="#id_timezone"' in page  # the error summary links to the field
    clinic = Clinic.objects.get(pk=cast.riverside.pk)
    assert (clinic.name, clinic.timezone) == ("Riverside", "Europe/London")


# --- clinicians -----------------------------------------------------------------------------


def test_the_staff_list_shows_who_can_sign_in(admin: Client, cast: Cast) -> None:
    actions.add_clinician(clinic=cast.riverside, username="dora", first_name="Dora", by=cast.carol)
    actions.set_staff_active(user=cast.alice, by=cast.carol, active=False)

    page = admin.get(STAFF).content.decode()

    assert "No: switched off" in page
    assert "Let alice sign in again" in page
    assert "Not yet: no password set" in page
    assert "Switch off Dora" in page
    assert "Switch off carol" not in page  # no button for oneself
    assert "pat@example.org" not in page  # patients are not staff


def test_adding_a_clinician_with_a_password_lets_them_sign_in(admin: Client, cast: Cast) -> None:
    response = admin.post(
        ADD_STAFF,
        {
            "username": "dora",
            "first_name": "Dora",
            "last_name": "Diaz",
            "email": "dora@example.org",
            "role": "clinician",
            "password": "a long walk by the river",
        },
        follow=True,
    )

    assert response.redirect_chain == [(STAFF, 302)]
    assert "Dora Diaz can now sign in." in response.content.decode()
    dora = User.objects.get(username="dora")
    assert (dora.role, dora.clinic_id, dora.check_password("a long walk by the river")) == (
        "clinician",
        cast.riverside.pk,
        True,
    )
    assert AuditEntry.objects.filter(object_type="user", object_id=str(dora.pk)).exists()


def test_adding_an_administrator_without_a_password_shows_a_one_time_sign_in_link(
    admin: Client, cast: Cast
) -> None:
    response = admin.post(ADD_STAFF, {"username": "erin", "role": "clinic_admin", "password": ""})

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    token = re.search(r"/account/invitation/([^/\"]+)/", page)
    assert token is not None
    erin = User.objects.get(username="erin")
    assert erin.role == "clinic_admin" and not erin.has_usable_password()
    # The link is the only way in, and it works once: erin sets a password and can sign in.
    actions.accept_invitation(token=token.group(1), password="a long walk by the river")
    erin.refresh_from_db()
    assert erin.check_password("a long walk by the river")


def test_a_new_link_lets_a_clinician_reset_a_forgotten_password_and_the_old_one_stops(
    admin: Client, cast: Cast
) -> None:
    url = f"/clinic/admin/staff/{cast.alice.pk}/link/"
    first = re.search(r"/account/invitation/([^/\"]+)/", admin.post(url).content.decode())
    second = re.search(r"/account/invitation/([^/\"]+)/", admin.post(url).content.decode())
    assert first is not None and second is not None

    with pytest.raises(actions.ActionRefused):
        actions.accept_invitation(token=first.group(1), password="a long walk by the river")
    actions.accept_invitation(token=second.group(1), password="a new walk by the river")
    assert User.objects.get(pk=cast.alice.pk).check_password("a new walk by the river")
    created = AuditEntry.objects.filter(object_type="invitation", action="create")
    assert created.count() == 2 and {e.who_id for e in created} == {cast.carol.pk}


def test_only_the_administrator_makes_sign_in_links(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.alice)
    assert client.post(f"/clinic/admin/staff/{cast.carol.pk}/link/").status_code == 403
    with pytest.raises(actions.NotAllowed):
        actions.invite_staff(user=cast.alice, by=cast.bob)


def test_the_add_form_explains_an_empty_password(admin: Client) -> None:
    page = admin.get(ADD_STAFF).content.decode()

    assert "you get a one-time link with which they choose their own password" in page
    assert 'type="radio"' in page and "<legend" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"username": "alice"}, "That user name is taken."),
        ({"username": "dora smith"}, "Enter a valid username."),
        ({"username": ""}, "Enter a user name."),
        ({"email": "not-an-email"}, "Enter an email address like name@example.org."),
        ({"role": "patient"}, "Select a valid choice."),
        ({"password": "short"}, "This password is too short."),
    ],
)
def test_bad_clinician_details_keep_what_was_typed(
    admin: Client, cast: Cast, changes: dict[str, str], message: str
) -> None:
    typed = {
        "username": "dora",
        "first_name": "Dora",
        "last_name": "Diaz",
        "email": "dora@example.org",
        "role": "clinic_admin",
        "password": "",
        **changes,
    }

    response = admin.post(ADD_STAFF, typed)

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'value="Dora"' in page and 'value="Diaz"' in page
    assert f'value="{typed["username"]}"' in page or not typed["username"]
    if changes.get("role") != "patient":
        assert 'id="id_role_1" value="clinic_admin" checked' in page
    assert User.objects.filter(username__in=["dora", "dora smith"]).count() == 0


def test_switching_a_clinician_off_and_on_again_is_audited(admin: Client, cast: Cast) -> None:
    url = f"/clinic/admin/staff/{cast.alice.pk}/active/"

    off = admin.post(url, {"active": "0"}, follow=True)
    cast.alice.refresh_from_db()
    was_active = cast.alice.is_active
    admin.post(url, {"active": "1"})
    cast.alice.refresh_from_db()

    assert "alice can no longer sign in. Their notes and plans are kept." in off.content.decode()
    assert was_active is False and cast.alice.is_active is True
    details = list(
        AuditEntry.objects.filter(object_type="user", object_id=str(cast.alice.pk))
        .order_by("id")
        .values_list("detail", flat=True)
    )
    assert details[-2:] == [{"is_active": False}, {"is_active": True}]


def test_an_administrator_cannot_switch_themself_off(admin: Client, cast: Cast) -> None:
    response = admin.post(
        f"/clinic/admin/staff/{cast.carol.pk}/active/", {"active": "0"}, follow=True
    )

    assert "You cannot deactivate your own account." in response.content.decode()
    cast.carol.refresh_from_db()
    assert cast.carol.is_active


def test_a_patient_is_not_managed_as_staff(admin: Client, cast: Cast) -> None:
    response = admin.post(f"/clinic/admin/staff/{cast.pat.user_id}/active/", {"active": "0"})

    assert response.status_code == 404


def test_the_staff_list_uses_a_constant_number_of_queries(admin: Client, cast: Cast) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin.get(STAFF).status_code == 200
        return len(queries)

    few = count()
    for i in range(8):
        actions.add_clinician(clinic=cast.riverside, username=f"c{i}", by=cast.carol)
        invited(cast.alice, f"p{i}@example.org", "Europe/London")

    assert count() == few


# --- licensed wording -----------------------------------------------------------------------


def test_the_wording_page_says_every_questionnaire_shows_our_summary(admin: Client) -> None:
    page = admin.get(WORDING).content.decode()

    assert 'enctype="multipart/form-data"' in page
    assert page.count("backcare's summary") == 7
    assert "Remove the licensed wording" not in page


def test_uploading_a_file_stores_it_and_shows_what_it_covers(admin: Client, cast: Cast) -> None:
    upload = SimpleUploadedFile("riverside.toml", WORDING_FILE.encode(), "application/toml")

    response = admin.post(WORDING, {"file": upload, "text": ""}, follow=True)

    page = response.content.decode()
    assert response.redirect_chain == [(WORDING, 302)]
    assert "It covers: Numeric Pain Rating Scale (NPRS)." in page
    assert "Official, licensed from Test Licensing Office (licence TEST-2026-001)" in page
    assert page.count("backcare's summary") == 6
    assert "Remove the licensed wording" in page
    clinic = Clinic.objects.get(pk=cast.riverside.pk)
    assert clinic.licensed_wording == WORDING_FILE
    questionnaires = actions.clinic_questionnaires(clinic)
    licence = questionnaires["nprs"].licence
    assert licence is not None and licence.reference == "TEST-2026-001"
    entry = AuditEntry.objects.filter(object_type="clinic").latest("id")
    assert entry.detail == {"licensed_wording": ["nprs"]}


def test_pasted_text_is_accepted_too(admin: Client, cast: Cast) -> None:
    admin.post(WORDING, {"text": WORDING_FILE})

    assert Clinic.objects.get(pk=cast.riverside.pk).licensed_wording == WORDING_FILE


def test_a_bad_file_lists_every_problem_and_keeps_the_stored_wording(
    admin: Client, cast: Cast
) -> None:
    actions.upload_licensed_wording(clinic=cast.riverside, by=cast.carol, text=WORDING_FILE)
    upload = SimpleUploadedFile("bad.toml", BAD_WORDING_FILE.encode())

    response = admin.post(WORDING, {"file": upload})

    assert response.status_code == 422
    page = response.content.decode()
    assert "The file was not saved: 5 problems" in page
    for field in ("nprs.licence_reference", "nprs.options", "nprs.items.nprs.1", "made_up_scale"):
        assert f"<code>{field}</code>" in page
    assert "allowed: a list of exactly 11 texts" in page
    assert "[made_up_scale]\n</textarea>" in page  # the file's text, to fix it in place
    assert "The wording already stored has not changed." in page
    assert Clinic.objects.get(pk=cast.riverside.pk).licensed_wording == WORDING_FILE


def test_a_file_that_is_not_toml_says_so(admin: Client, cast: Cast) -> None:
    response = admin.post(WORDING, {"text": "this is not [toml"})

    assert response.status_code == 422
    assert "is not valid TOML" in response.content.decode()
    assert Clinic.objects.get(pk=cast.riverside.pk).licensed_wording == ""


def test_a_file_that_is_not_text_or_nothing_at_all_is_refused(admin: Client) -> None:
    binary = admin.post(WORDING, {"file": SimpleUploadedFile("x.toml", b"\xff\xfe\x00bad")})
    nothing = admin.post(WORDING, {"text": "   "})

    assert "This file is not a text file" in binary.content.decode()
    assert "Choose a file to upload, or paste its text below." in nothing.content.decode()


def test_removing_the_wording_brings_back_our_summaries(admin: Client, cast: Cast) -> None:
    actions.upload_licensed_wording(clinic=cast.riverside, by=cast.carol, text=WORDING_FILE)

    response = admin.post(WORDING_REMOVE, follow=True)

    assert "backcare&#x27;s own summaries show again" in response.content.decode()
    clinic = Clinic.objects.get(pk=cast.riverside.pk)
    assert (clinic.licensed_wording, clinic.licensed_wording_uploaded_at) == ("", None)
    assert actions.clinic_questionnaires(clinic)["nprs"].licence is None


# --- the audit trail ------------------------------------------------------------------------


def _reads(cast: Cast, count: int, *, at: dt.datetime, by: User | None = None) -> None:
    for i in range(count):
        actions.record_read(
            by=by or cast.alice, obj=cast.pat, patient=cast.pat, now=at + dt.timedelta(seconds=i)
        )


def test_the_audit_trail_lists_the_clinics_entries_newest_first(admin: Client, cast: Cast) -> None:
    User.objects.filter(pk=cast.alice.pk).update(first_name="Alice", last_name="Ash")
    at = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)
    actions.record_read(by=cast.alice, obj=cast.pat, patient=cast.pat, now=at)
    actions.record_read(
        by=cast.alice, obj=cast.pat, patient=cast.pat, now=at + dt.timedelta(hours=1)
    )
    actions.record_read(
        by=cast.bob, obj=cast.quinn, patient=cast.quinn, now=at + dt.timedelta(hours=2)
    )

    page = admin.get(AUDIT).content.decode()

    assert "<h1>Audit trail</h1>" in page
    # 09:00 in London (summer time) for 08:00 UTC
    assert "2026-07-01 09:00:00" in page
    assert 'Alice Ash<br><span class="small">clinician</span>' in page
    assert "pat@example.org" in page
    assert "quinn@example.org" not in page  # another clinic's entry
    rows = page.split("<tbody>")[1]
    assert rows.index("2026-07-01 10:00:00") < rows.index("2026-07-01 09:00:00")
    assert not AuditEntry.objects.filter(object_type="auditentry").exists()


def test_the_audit_trail_filters_by_patient_person_action_and_dates(
    admin: Client, cast: Cast
) -> None:
    sam = invited(cast.alice, "sam@example.org", "Europe/London")
    day = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
    actions.record_read(by=cast.alice, obj=cast.pat, patient=cast.pat, now=day)
    actions.record_read(by=cast.carol, obj=sam, patient=sam, now=day + dt.timedelta(days=1))
    actions.record_read(by=sam.user, obj=sam, patient=sam, now=day + dt.timedelta(days=2))

    def shown(**params: str) -> int:
        response = admin.get(AUDIT, params)
        assert response.status_code == 200
        return int(response.context["page"].paginator.count)

    reads = {"action": "read"}
    assert shown(**reads) == 3
    assert shown(patient="sam", **reads) == 2
    assert shown(patient=str(cast.pat.pk), **reads) == 1
    assert shown(who=str(cast.carol.pk)) == 1
    assert shown(who="patients", **reads) == 1
    assert (
        shown(who="system")
        == AuditEntry.objects.filter(clinic=cast.riverside, who__isnull=True).count()
    )
    assert shown(since="2026-03-11", until="2026-03-11", **reads) == 1
    assert shown(since="2026-03-11", **reads) == 2
    assert shown(until="2026-03-10", **reads) == 1


def test_the_date_filter_uses_the_clinics_days(admin: Client, cast: Cast) -> None:
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (summer time).
    actions.record_read(
        by=cast.alice,
        obj=cast.pat,
        patient=cast.pat,
        now=dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC),
    )

    response = admin.get(AUDIT, {"since": "2026-07-01", "until": "2026-07-01"})

    assert response.context["page"].paginator.count == 1


def test_bad_audit_filters_keep_what_was_typed(admin: Client, cast: Cast) -> None:
    response = admin.get(AUDIT, {"since": "last tuesday", "until": "2026-01-01", "who": "999999"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a date like 2026-11-27 (year-month-day)." in page
    assert "Select a valid choice." in page
    assert 'value="last tuesday"' in page

    backwards = admin.get(AUDIT, {"since": "2026-02-01", "until": "2026-01-01"})
    assert "The end date is before the start date." in backwards.content.decode()


def test_the_audit_trail_has_50_entries_a_page_and_keeps_the_filters(
    admin: Client, cast: Cast
) -> None:
    _reads(cast, 60, at=dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC))

    first = admin.get(AUDIT, {"action": "read"})
    second = admin.get(AUDIT, {"action": "read", "page": "2"})
    nonsense = admin.get(AUDIT, {"action": "read", "page": "many"})

    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 10
    assert nonsense.context["page"].number == 1
    assert 'href="?action=read&amp;page=2"' in first.content.decode()
    assert "page 2 of 2" in second.content.decode()


def test_the_audit_trail_uses_a_constant_number_of_queries(admin: Client, cast: Cast) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin.get(AUDIT, {"patient": "pat"}).status_code == 200
        return len(queries)

    _reads(cast, 2, at=dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC))
    few = count()
    for i in range(5):
        clinician = actions.add_clinician(
            clinic=cast.riverside, username=f"c{i}", password=PASSWORD, by=cast.carol
        )
        _reads(cast, 12, at=dt.datetime(2026, 5, 2, 9, i, tzinfo=dt.UTC), by=clinician)

    assert count() == few


@pytest.mark.parametrize("url", [HOME, DETAILS, WORDING])
def test_the_other_pages_use_a_constant_number_of_queries(
    admin: Client, cast: Cast, url: str
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin.get(url).status_code == 200
        return len(queries)

    few = count()
    for i in range(6):
        actions.add_clinician(clinic=cast.riverside, username=f"c{i}", by=cast.carol)
        invited(cast.alice, f"p{i}@example.org", "Europe/London")

    assert count() == few


def test_an_audit_entry_of_a_deleted_person_still_shows(admin: Client, cast: Cast) -> None:
    AuditEntry.objects.create(
        at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        who_id=987654,
        clinic_id=cast.riverside.pk,
        patient_id=876543,
        action="read",
        object_type="patient",
        object_id="876543",
    )

    page = admin.get(AUDIT).content.decode()

    assert "person 987654 (deleted)" in page
    assert "patient 876543 (deleted)" in page
