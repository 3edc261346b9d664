"""The printable handouts (backcare/exports/handouts.py, handout_views.py; docs/handouts.md).

Pat is made the way a clinic makes a patient, through care/actions.py: the intake of
docs/examples/example-physio.json, a plan generated and published, home exercises logged, two
weekly check-ins, a session note with two techniques and a missed visit. The PDFs are checked
with poppler's tools: pdfinfo (pages, page size), pdftotext (the words), pdftoppm (the pictures
are drawn: dark pixels where the figures are).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from web.factories import NO_RED_FLAGS, NOW, Cast, example, invited

from backcare.accounts.models import User
from backcare.care import actions
from backcare.care.models import AuditEntry, Patient, PlanRecord, Visit
from backcare.engine.plan import parse_plan
from backcare.engine.progression import FLARE_UP_PLAN
from backcare.engine.scoring import Instrument, compare
from backcare.engine.triage import SAFETY_NET
from backcare.exports import handout_views, handouts

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext, pdfinfo) not installed"
)

DAY = dt.timedelta(days=1)
LATER = NOW + 15 * DAY  # when the handouts are printed: after two check-ins and a visit
PHONE = "+44 20 7946 0000"
A4_POINTS = (595.28, 841.89)  # ISO 216 A4, 210 x 297 mm
LETTER_POINTS = (612.0, 792.0)  # US Letter, 8.5 x 11 in
RENDER_BUDGET_SECONDS = 30.0  # per PDF, with room for a loaded CI machine (docs/handouts.md)


# --- the patient ---------------------------------------------------------------------------------


def build_patient(cast: Cast) -> PlanRecord:
    """Pat's care so far, made through the actions; returns the published plan."""
    patient, alice = cast.pat, cast.alice
    user = patient.user
    user.first_name, user.last_name = "Pat", "Jones"
    user.save(update_fields=["first_name", "last_name"])
    alice.first_name, alice.last_name = "Alice", "Moss"
    alice.save(update_fields=["first_name", "last_name"])
    actions.update_clinic(
        clinic=cast.riverside,
        by=cast.carol,
        name="Riverside Physio",
        phone=PHONE,
        address="12 River Street\nLondon SE1 9ZZ",
        timezone="Europe/London",
        now=NOW,
    )
    record = actions.record_intake(
        patient=patient, document=example("example-physio"), by=alice, now=NOW
    )
    plan = actions.generate_plan(episode=record.episode, by=alice, now=NOW)
    plan = actions.publish_plan(plan=plan, by=alice, now=NOW)
    items = plan.plan["home_programme"]
    for offset in range(3):
        for item in items:
            actions.log_exercise(
                patient=patient,
                by=user,
                exercise_id=item["exercise_id"],
                done=True,
                pain_during=3,
                difficulty="right",
                day=(NOW + offset * DAY).date(),
                now=NOW + offset * DAY,
            )
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
    actions.record_check_in(
        patient=patient, by=user, red_flag_screen=NO_RED_FLAGS, nprs=3, now=NOW + 14 * DAY
    )
    visits = list(Visit.objects.filter(plan=plan).order_by("starts_at"))
    actions.write_session_note(
        visit=visits[0],
        by=alice,
        subjective="Sitting easier.",
        objective="Flexion to mid-shin.",
        assessment="Improving.",
        plan="Progress the home programme; review at week 3.",
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
    return plan


@pytest.fixture
def plan(cast: Cast) -> PlanRecord:
    return build_patient(cast)


@pytest.fixture
def later(monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    """The views' clock: two weeks after the plan started."""
    monkeypatch.setattr("django.utils.timezone.now", lambda: LATER)
    return LATER


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, patient: Patient, paper: str | None = None) -> str:
    path = reverse(f"handouts:{name}", kwargs={"patient_id": patient.pk})
    return f"{path}?paper={paper}" if paper else path


# --- PDF tools ---------------------------------------------------------------------------------


def pdfinfo(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return dict(
        (key.strip(), value.strip())
        for key, _, value in (line.partition(":") for line in out.stdout.splitlines())
    )


def pdftext(path: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    )
    return out.stdout


def words(text: str) -> str:
    """Text with runs of white space made one space (lines wrap differently in PDF and HTML),
    and a word hyphenated at a line end ("push-\\nup") joined again."""
    return re.sub(r"\s+", " ", re.sub(r"-\s+(?=\w)", "-", text)).strip()


def page_size(info: dict[str, str]) -> tuple[float, float]:
    match = re.match(r"([\d.]+) x ([\d.]+) pts", info["Page size"])
    assert match, info["Page size"]
    return float(match[1]), float(match[2])


def dark_fraction(png: Path, box: tuple[float, float, float, float] = (0, 0, 1, 1)) -> float:
    """The share of dark pixels (grey < 128) of a PNG page within ``box`` (fractions of the
    width and height: left, top, right, bottom). Reads the PPM/PGM that pdftoppm writes."""
    data = png.read_bytes()
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    assert header, "expected a PGM from pdftoppm -gray"
    width, height = int(header[1]), int(header[2])
    pixels = data[header.end() :]
    left, top = int(box[0] * width), int(box[1] * height)
    right, bottom = int(box[2] * width), int(box[3] * height)
    dark = total = 0
    for y in range(top, bottom):
        row = pixels[y * width + left : y * width + right]
        dark += sum(1 for p in row if p < 128)
        total += len(row)
    return dark / total


def gray_page(pdf: Path, page: int, resolution: int = 40) -> Path:
    """One page as a grey-scale PGM (pdftoppm -gray)."""
    prefix = pdf.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-gray", "-r", str(resolution), "-f", str(page), "-l", str(page),
         str(pdf), str(prefix)],
        check=True,
    )  # fmt: skip
    found = sorted(pdf.parent.glob(f"{prefix.name}-*.pgm"))
    assert found, "pdftoppm wrote nothing"
    return found[-1]


@pytest.fixture
def save(tmp_path: Path) -> Iterator[Any]:
    def write(name: str, body: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(body)
        keep = os.environ.get("HANDOUT_OUT")  # HANDOUT_OUT=/tmp/handouts keeps the PDFs to look at
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            (Path(keep) / name).write_bytes(body)
        return path

    yield write


def fetch_pdf(client: Client, address: str) -> tuple[bytes, float, Any]:
    started = time.perf_counter()
    response = client.get(address)
    seconds = time.perf_counter() - started
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    return response.content, seconds, response


# --- the home programme ---------------------------------------------------------------------------


def test_the_programme_pdf_holds_every_exercise_with_dose_stop_flare_up_and_clinic(
    cast: Cast, plan: PlanRecord, later: dt.datetime, save: Any
) -> None:
    body, seconds, _ = fetch_pdf(client_for(cast.pat.user), url("programme_pdf", cast.pat))
    pdf = save("programme.pdf", body)
    info = pdfinfo(pdf)
    text = words(pdftext(pdf))
    pages = int(info["Pages"])
    assert 2 <= pages <= 8, pages
    assert seconds < RENDER_BUDGET_SECONDS
    for item in parse_plan(plan.plan).home_programme:
        assert item.name in text
        exercise = actions.content().catalog.exercises[item.exercise_id]
        assert words(exercise.instructions[0]) in text
        assert words(exercise.feel) in text
        assert words(exercise.stop_if[0]) in text
        assert words(handouts.dose_words(item)) in text
    assert "Stop if" in text
    assert "times a day" in text or "once a day" in text or "twice a day" in text
    assert "Your week" in text
    assert "Your flare-up plan" in text
    assert words(FLARE_UP_PLAN[0]) in text
    assert words(SAFETY_NET) in text
    assert "Go to an emergency department now" in text  # the warning-signs leaflet
    assert PHONE in text
    assert "Riverside Physio" in text
    assert "12 River Street" in text
    assert "Alice Moss" in text
    assert f"Page 1 of {pages}" in text  # the running footer
    assert "Home exercises for Pat Jones" in text  # the running header


def test_the_programme_shows_each_exercise_once_and_keeps_it_on_one_page(
    cast: Cast, plan: PlanRecord, later: dt.datetime, save: Any
) -> None:
    body, _, _ = fetch_pdf(client_for(cast.alice), url("programme_pdf", cast.pat))
    pdf = save("programme.pdf", body)
    pages = int(pdfinfo(pdf)["Pages"])
    page_texts = [
        words(
            subprocess.run(
                ["pdftotext", "-raw", "-f", str(n), "-l", str(n), str(pdf), "-"],
                capture_output=True, text=True, check=True,
            ).stdout
        )
        for n in range(1, pages + 1)
    ]  # fmt: skip
    for item in plan.plan["home_programme"]:
        exercise = actions.content().catalog.exercises[item["exercise_id"]]
        # An exercise's heading, first step and last "stop if" are on the same page.
        first, last = words(exercise.instructions[0]), words(exercise.stop_if[-1])
        holding = [n for n, t in enumerate(page_texts) if f"{item['name']} " in t and first in t]
        assert holding, item["name"]
        assert last in page_texts[holding[0]], f"{item['name']} is split over two pages"


def test_the_programme_pictures_are_drawn(
    cast: Cast, plan: PlanRecord, later: dt.datetime, save: Any
) -> None:
    body, _, _ = fetch_pdf(client_for(cast.pat.user), url("programme_pdf", cast.pat))
    pdf = save("programme.pdf", body)
    pages = int(pdfinfo(pdf)["Pages"])
    # The figures are inline SVG, drawn as vectors (no embedded images): look at the pixels.
    # Page 2 starts the exercises; a page of figures is far darker than a blank one.
    darkness = [dark_fraction(gray_page(pdf, n)) for n in range(1, pages + 1)]
    assert all(d > 0.005 for d in darkness), darkness  # no blank page
    # The same handout without its figures has the same words but much less ink: the
    # difference is the figures (measured: about 0.7 % of a page of dark pixels per figure at 40 dpi).
    html = client_for(cast.pat.user).get(url("programme", cast.pat)).content.decode()
    bare = save(
        "bare.pdf", handout_views.render_pdf(re.sub(r"<svg.*?</svg>", "", html, flags=re.S))
    )
    bare_pages = int(pdfinfo(bare)["Pages"])
    without = sum(dark_fraction(gray_page(bare, n)) for n in range(1, bare_pages + 1))
    figures = len(plan.plan["home_programme"])
    assert sum(darkness) - without > 0.004 * figures, (sum(darkness), without)


def test_the_figures_are_in_the_pdf_as_vector_drawings(
    cast: Cast, plan: PlanRecord, later: dt.datetime
) -> None:
    html = client_for(cast.pat.user).get(url("programme", cast.pat)).content.decode()
    count = len(plan.plan["home_programme"])
    assert html.count('<figure class="exercise__figure">') == count
    assert html.count("<svg") >= count
    assert ">Start</text>" in html and ">End</text>" in html  # the still's start and end labels


@pytest.mark.parametrize(
    ("paper", "points"), [("a4", A4_POINTS), ("letter", LETTER_POINTS), (None, A4_POINTS)]
)
def test_both_paper_sizes_give_their_page_size(
    cast: Cast,
    plan: PlanRecord,
    later: dt.datetime,
    save: Any,
    paper: str | None,
    points: tuple[float, float],
) -> None:
    client = client_for(cast.alice)
    for name in ("programme_pdf", "report_pdf"):
        body, _, response = fetch_pdf(client, url(name, cast.pat, paper))
        info = pdfinfo(save(f"{name}-{paper}.pdf", body))
        width, height = page_size(info)
        assert abs(width - points[0]) < 1 and abs(height - points[1]) < 1, info["Page size"]
        assert f"-{paper or 'a4'}.pdf" in response["Content-Disposition"]


def test_letter_is_the_default_for_a_patient_in_north_america(cast: Cast) -> None:
    assert handouts.default_paper("America/New_York") is handouts.Paper.LETTER
    assert handouts.default_paper("America/Toronto") is handouts.Paper.LETTER
    assert handouts.default_paper("Europe/London") is handouts.Paper.A4
    assert handouts.default_paper("Pacific/Auckland") is handouts.Paper.A4
    assert handouts.default_paper("Etc/UTC") is handouts.Paper.A4
    assert handouts.paper_for("letter", "Europe/London") is handouts.Paper.LETTER
    assert handouts.paper_for("tabloid", "America/Chicago") is handouts.Paper.LETTER
    assert handouts.paper_for("", "Europe/Paris") is handouts.Paper.A4


def test_the_programme_web_page_holds_the_same_text_as_the_pdf(
    cast: Cast, plan: PlanRecord, later: dt.datetime, save: Any
) -> None:
    client = client_for(cast.pat.user)
    page = client.get(url("programme", cast.pat))
    assert page.status_code == 200
    html = page.content.decode()
    save("programme.html", page.content)
    body, _, _ = fetch_pdf(client, url("programme_pdf", cast.pat))
    text = words(pdftext(save("programme.pdf", body)))
    assert "Download a printable copy (PDF" in html
    assert reverse("handouts:programme_pdf", kwargs={"patient_id": cast.pat.pk}) in html
    assert "print.css" in html
    for item in plan.plan["home_programme"]:
        assert item["name"] in html and item["name"] in text
    for phrase in (PHONE, "Your flare-up plan", "Stop if", "How to reach your clinic"):
        assert phrase in html and phrase in text
    assert words(SAFETY_NET) in words(html)


def test_a_blocked_plan_puts_the_exercises_on_hold_in_the_handout(
    cast: Cast, plan: PlanRecord, later: dt.datetime
) -> None:
    screen = {**NO_RED_FLAGS, "saddle_numbness": True}
    actions.record_check_in(
        patient=cast.pat, by=cast.pat.user, red_flag_screen=screen, nprs=7, now=NOW + 15 * DAY
    )
    html = client_for(cast.pat.user).get(url("programme", cast.pat)).content.decode()
    assert "Your exercises are on hold" in html
    assert 'class="exercise"' not in html
    assert words(SAFETY_NET) in words(html)


def test_a_patient_without_a_plan_gets_a_handout_that_says_so(cast: Cast) -> None:
    response = client_for(cast.pat.user).get(url("programme", cast.pat))
    assert response.status_code == 200
    assert "No exercise plan yet" in response.content.decode()


# --- the progress report ----------------------------------------------------------------------------


def test_the_report_pdf_holds_scores_with_their_change_status_visits_and_techniques(
    cast: Cast, plan: PlanRecord, later: dt.datetime, save: Any
) -> None:
    body, seconds, response = fetch_pdf(client_for(cast.alice), url("report_pdf", cast.pat))
    pdf = save("report.pdf", body)
    info = pdfinfo(pdf)
    text = words(pdftext(pdf))
    pages = int(info["Pages"])
    assert 1 <= pages <= 5, pages
    assert seconds < RENDER_BUDGET_SECONDS
    # The intake's NPRS and the latest check-in's (3): judged by scoring.compare.
    baseline_nprs = example("example-physio")["questionnaires"]["nprs"]
    change = compare(Instrument.NPRS, baseline_nprs, 3)
    assert "NPRS" in text and "ODI" in text and "PSFS" in text
    assert str(handouts.VERDICT_LABELS[change.verdict]) in text
    assert f"{3 - baseline_nprs:+g}" in text
    assert "threshold: 2 points or 30 % of baseline" in text
    assert "Pain over time" in text and "Function over time" in text
    assert "1 visit attended" in text and "1 missed" in text
    assert "Manual mobilisation" in text or "mobilisation" in text.lower()
    assert "Progress the home programme; review at week 3." in text
    assert "Plan and next steps" in text
    for item in plan.plan["home_programme"]:
        assert item["name"] in text
    assert "Alice Moss" in text and "Riverside Physio" in text and PHONE in text
    assert f"Page 1 of {pages}" in text
    assert response["Content-Disposition"].startswith('attachment; filename="progress-report-')


def test_the_report_charts_are_drawn(
    cast: Cast, plan: PlanRecord, later: dt.datetime, save: Any
) -> None:
    body, _, _ = fetch_pdf(client_for(cast.alice), url("report_pdf", cast.pat))
    pdf = save("report.pdf", body)
    html = client_for(cast.alice).get(url("report", cast.pat)).content.decode()
    assert html.count('<figure class="chart"') == 2
    pages = int(pdfinfo(pdf)["Pages"])
    darkness = [dark_fraction(gray_page(pdf, n)) for n in range(1, pages + 1)]
    assert all(d > 0.005 for d in darkness), darkness


def test_the_report_web_page_holds_the_same_scores_as_the_pdf(
    cast: Cast, plan: PlanRecord, later: dt.datetime, save: Any
) -> None:
    client = client_for(cast.alice)
    page = client.get(url("report", cast.pat))
    save("report.html", page.content)
    html = words(page.content.decode())
    body, _, _ = fetch_pdf(client, url("report_pdf", cast.pat))
    text = words(pdftext(save("report.pdf", body)))
    for phrase in ("Outcome scores", "NPRS", "Clinic visits", "Techniques used", PHONE):
        assert phrase in html and phrase in text


# --- access and audit ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["programme", "programme_pdf", "report", "report_pdf"])
def test_anonymous_people_are_sent_to_sign_in(cast: Cast, name: str) -> None:
    response = Client().get(url(name, cast.pat))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize(
    ("who", "name", "status"),
    [
        ("pat", "programme", 200),
        ("alice", "programme", 200),
        ("carol", "programme", 200),
        ("quinn", "programme", 404),
        ("bob", "programme", 404),
        ("pat", "report", 403),
        ("alice", "report", 200),
        ("carol", "report", 200),
        ("quinn", "report", 403),
        ("bob", "report", 404),
    ],
)
def test_who_may_see_which_handout(
    cast: Cast, plan: PlanRecord, later: dt.datetime, who: str, name: str, status: int
) -> None:
    users = {
        "pat": cast.pat.user,
        "alice": cast.alice,
        "carol": cast.carol,
        "quinn": cast.quinn.user,
        "bob": cast.bob,
    }
    assert client_for(users[who]).get(url(name, cast.pat)).status_code == status


def test_an_unknown_patient_is_404(cast: Cast) -> None:
    assert client_for(cast.alice).get(url("report", Patient(pk=99999))).status_code == 404


@pytest.mark.parametrize("name", ["programme", "programme_pdf", "report", "report_pdf"])
def test_each_view_writes_one_read_audit_entry(
    cast: Cast, plan: PlanRecord, later: dt.datetime, name: str
) -> None:
    before = AuditEntry.objects.count()
    assert client_for(cast.alice).get(url(name, cast.pat)).status_code == 200
    entries = list(AuditEntry.objects.order_by("id")[before:])
    assert len(entries) == 1
    entry = entries[0]
    assert entry.action == AuditEntry.Action.READ
    assert entry.who_id == cast.alice.pk and entry.patient_id == cast.pat.pk
    assert entry.detail["page"] in ("handout_programme", "handout_report")
    assert entry.detail["format"] == ("pdf" if name.endswith("_pdf") else "html")


def test_only_post_free_reads_are_allowed(cast: Cast, plan: PlanRecord) -> None:
    assert client_for(cast.alice).post(url("programme", cast.pat)).status_code == 405


def count_queries(client: Client, address: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(address).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("name", ["programme", "report"])
def test_the_pages_use_a_constant_number_of_queries(
    cast: Cast, plan: PlanRecord, later: dt.datetime, name: str
) -> None:
    client = client_for(cast.alice)
    address = url(name, cast.pat)
    client.get(address)  # warm the engine's caches
    before = count_queries(client, address)
    # More of everything the report reads: check-ins, logs, a second session note.
    for week in (3, 4):
        actions.record_check_in(
            patient=cast.pat,
            by=cast.pat.user,
            red_flag_screen=NO_RED_FLAGS,
            nprs=2,
            now=NOW + (7 * week - 1) * DAY,
        )
    visit = Visit.objects.filter(plan=plan).order_by("starts_at")[2]
    actions.write_session_note(
        visit=visit,
        by=cast.alice,
        techniques=[{"technique_id": "education", "parameters": {}, "response": "fine"}],
        red_flag_screen=NO_RED_FLAGS,
        now=visit.starts_at,
    )
    client.get(address)
    assert count_queries(client, address) == before
    assert before <= (6 if name == "programme" else 20)


# --- safety of the renderer -------------------------------------------------------------------------


def test_the_renderer_fetches_only_static_files() -> None:
    fetcher = handout_views._fetcher()
    css = fetcher.fetch("file:///static/backcare/print.css")
    assert b"@page" in css.read()
    for refused in (
        "https://example.org/x.css",
        "http://127.0.0.1/x.png",
        "file:///etc/passwd",
        "file:///static/../../etc/passwd",
        "file:///static/backcare/missing.css",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(refused)


def test_a_remote_image_in_the_html_is_not_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.request

    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the renderer went to the network")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    pdf = handout_views.render_pdf(
        '<p>Hello</p><img src="https://example.org/a.png"><link rel="stylesheet" '
        'href="http://example.org/a.css">'
    )
    assert pdf.startswith(b"%PDF")


def test_the_links_are_on_the_patients_and_the_clinicians_pages(
    cast: Cast, plan: PlanRecord
) -> None:
    mine = client_for(cast.pat.user).get(reverse("me:exercises")).content.decode()
    assert url("programme_pdf", cast.pat) in mine
    assert "Download a printable copy (PDF)" in mine
    theirs = (
        client_for(cast.alice)
        .get(reverse("clinic:patient", kwargs={"patient_id": cast.pat.pk}))
        .content.decode()
    )
    assert url("programme_pdf", cast.pat) in theirs
    assert url("report_pdf", cast.pat) in theirs


def test_a_clinic_in_north_america_gets_letter_by_default(cast: Cast) -> None:
    lakeside = actions.create_clinic(name="Lakeside", timezone="America/New_York", now=NOW)
    dana = actions.add_clinician(clinic=lakeside, username="dana", password="x" * 20, now=NOW)
    robin = invited(dana, "robin@example.org", "America/Chicago")
    client = client_for(dana)
    for name in ("programme_pdf", "report_pdf"):
        response = client.get(url(name, robin))
        assert response.status_code == 200
        assert "-letter.pdf" in response["Content-Disposition"]
