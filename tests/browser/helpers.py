"""Helpers for the browser tests: sign in through the real form, run axe-core, take screenshots.

Import them in a test module: ``from browser.helpers import check_a11y, login, screenshot``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect
from web.test_self_check import ALL_NO

from backcare.portal.forms import Question

ROOT = Path(__file__).resolve().parent.parent.parent
SCREENSHOT_DIR = ROOT / "docs" / "guides" / "img"
SCREENSHOTS_ENV = "BACKCARE_SCREENSHOTS"
AXE_LOG_ENV = "BACKCARE_AXE_LOG"  # a file: every violation of every impact, one JSON per line

# axe-core's impact levels that fail a test (issue 5: "no serious or critical violation").
FAILING_IMPACTS = frozenset({"serious", "critical"})

# The calmest answer to every self-check question (as in tests/web/test_self_check.py): the
# engine's self-care result. The check-in asks the red-flag ones again.
CALM: dict[str, str] = ALL_NO  # the same answers the web tests walk with

_AXE = Axe()  # holds axe.min.js (axe-core 4.12, bundled in the wheel); injected per check


def base_url(live_server: Any) -> str:
    """The server's root URL, from pytest-django's ``live_server`` or a URL string."""
    url: str = getattr(live_server, "url", live_server)
    return url.rstrip("/")


def login(page: Page, live_server: Any, username: str, password: str) -> None:
    """Sign in through the real form at /account/login/ (django-axes watches it, so use a valid
    password: five wrong ones lock the user out) and wait until the site has moved on."""
    root = base_url(live_server)
    page.goto(f"{root}/account/login/")
    page.get_by_label("Email address or user name", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(lambda url: "/account/login/" not in url)


def choose(scope: Page | Locator, question: str, answer: str) -> None:
    """Tick the radio button (or checkbox) labelled ``answer`` in the group (fieldset) whose
    legend is ``question``."""
    group = scope.get_by_role("group", name=question, exact=True)
    group.get_by_label(answer, exact=True).check()


def answer(page: Page | Locator, question: Question, value: str) -> None:
    """Answer one question the way a person does: the radio button by its label inside the
    group named by the question, or type the number into the labelled box."""
    if not question.answers:
        page.get_by_label(str(question.label), exact=True).fill(value)
        return
    label = next(str(a.label) for a in question.answers if a.value == value)
    group = page.get_by_role("group", name=str(question.label), exact=True)
    group.get_by_label(label, exact=True).check()


def _describe(violation: dict[str, Any]) -> str:
    lines = [
        f"- {violation['id']} ({violation.get('impact')}): {violation.get('help')}",
        f"  {violation.get('helpUrl', '')}",
    ]
    for node in violation.get("nodes", []):
        target = " ".join(str(t) for t in node.get("target", []))
        lines.append(f"  * element: {target}")
        lines.append(f"    html: {node.get('html', '')[:300]}")
        summary = node.get("failureSummary") or ""
        for part in summary.splitlines():
            lines.append(f"    {part.strip()}")
    return "\n".join(lines)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now, of every impact."""
    results = _AXE.run(page)
    violations: list[dict[str, Any]] = results.response["violations"]
    return violations


def _log_violations(page: Page, violations: list[dict[str, Any]]) -> None:
    """With BACKCARE_AXE_LOG=<file>, append every violation (minor and moderate too), to review
    what the tests let pass."""
    log = os.environ.get(AXE_LOG_ENV)
    if not log:
        return
    with open(log, "a", encoding="utf-8") as out:
        for v in violations:
            record = {
                "url": re.sub(r"^https?://[^/]+", "", page.url),
                "viewport": viewport_name(page),
                "id": v["id"],
                "impact": v.get("impact"),
                "help": v.get("help"),
                "targets": [" ".join(map(str, n.get("target", []))) for n in v.get("nodes", [])],
            }
            out.write(json.dumps(record) + "\n")


def check_a11y(page: Page) -> None:
    """Run axe-core on the page as it is now; fail on any serious or critical violation, with
    each one listed readably (rule, help link, the elements and what is wrong with them)."""
    violations = axe_violations(page)
    _log_violations(page, violations)
    failing = [v for v in violations if v.get("impact") in FAILING_IMPACTS]
    assert not failing, (
        f"axe-core found {len(failing)} serious or critical problem(s) on {page.url}:\n"
        + "\n".join(_describe(v) for v in failing)
    )


def viewport_name(page: Page) -> str:
    """ "phone" or "desktop", from the page's width (the sizes are in conftest.VIEWPORTS)."""
    size = page.viewport_size
    return "phone" if size is not None and size["width"] < 700 else "desktop"


# The viewport each guide shows: the patients' guide is read on a phone, the clinicians' guide on
# a computer (docs/guides/patient-guide.md, clinician-guide.md).
PATIENT_GUIDE = "phone"
CLINICIAN_GUIDE = "desktop"


def screenshot(
    page: Page, name: str, *, only: str | None = None, full_page: bool = False
) -> Path | None:
    """Save docs/guides/img/<name>-<viewport>.png, only when BACKCARE_SCREENSHOTS=1 (so an
    ordinary test run never rewrites the guides' images). Returns the path it wrote, if any.

    ``only="phone"`` (``PATIENT_GUIDE``) or ``only="desktop"`` (``CLINICIAN_GUIDE``) takes the
    picture at that viewport alone: the one the guide shows, so no unused image is kept.
    The picture is what fits on the screen (``full_page=True`` for the whole page), at one
    pixel per CSS pixel, so the images stay small enough to keep in the repository."""
    if os.environ.get(SCREENSHOTS_ENV, "") not in {"1", "true", "yes"}:
        return None
    if only is not None and only != viewport_name(page):
        return None
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise ValueError(f"screenshot name {name!r}: use lowercase letters, digits and '-'")
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}-{viewport_name(page)}.png"
    # Animations (the exercise figures) are frozen at their start so images do not churn, and
    # the text caret is hidden.
    page.screenshot(
        path=str(path), full_page=full_page, animations="disabled", caret="hide", scale="css"
    )
    return path


def has_running_animation(page: Page, selector: str) -> bool:
    """True when an element inside ``selector`` is animating now (CSS animation or SMIL)."""
    return bool(
        page.evaluate(
            """(selector) => {
                const root = document.querySelector(selector);
                if (!root) return false;
                const css = root.getAnimations({subtree: true}).some(a => a.playState === "running");
                const smil = root.querySelector("animate, animateTransform, animateMotion") !== null;
                return css || smil;
            }""",
            selector,
        )
    )


__all__ = [
    "CALM",
    "CLINICIAN_GUIDE",
    "FAILING_IMPACTS",
    "PATIENT_GUIDE",
    "answer",
    "axe_violations",
    "base_url",
    "check_a11y",
    "choose",
    "expect",
    "has_running_animation",
    "login",
    "screenshot",
    "viewport_name",
]
