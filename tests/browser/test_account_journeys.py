"""Signing out, and being locked out after too many wrong passwords, in a real browser on a phone
and a desktop (issue 5, "People and access": login attempts are throttled). axe-core on every
page. (Signing in and the invitation are in test_patient_journeys.py.)
"""

from __future__ import annotations

import re

from browser.cast import PASSWORD, make_cast
from browser.helpers import PATIENT_GUIDE, check_a11y, login, screenshot
from django.conf import settings
from playwright.sync_api import Page, expect


def test_signing_out_ends_the_session(page: Page, server: str) -> None:
    cast = make_cast()
    login(page, server, cast.pat_username, PASSWORD)

    # The sign-out page (its address, without the button in the header) says who is signed in
    # and asks to confirm.
    page.goto(server + "/account/logout/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign out")
    expect(page.get_by_role("main")).to_contain_text("You are signed in as Pat Jones.")
    check_a11y(page)

    # The Sign out button in the header of every page signs out at once.
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("status")).to_contain_text("You have signed out")
    check_a11y(page)
    # The patient's pages now ask to sign in again.
    page.goto(server + "/me/")
    expect(page).to_have_url(re.compile(r"/account/login/\?next=/me/$"))


def test_five_wrong_passwords_stop_signing_in_for_a_while(page: Page, server: str) -> None:
    cast = make_cast()
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5

    page.goto(server + "/account/login/")
    for attempt in range(1, limit + 1):
        page.get_by_label("Email address or user name", exact=True).fill(cast.pat_username)
        page.get_by_label("Password", exact=True).fill(f"wrong password {attempt}")
        page.get_by_role("button", name="Sign in", exact=True).click()
        if attempt < limit:
            expect(page.get_by_role("alert")).to_contain_text("do not match an account")

    # The fifth wrong password: signing in is stopped, and the page says for how long.
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many tries")
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    expect(page.get_by_role("main")).to_contain_text(f"Wait {minutes} minutes, then try again.")
    check_a11y(page)
    screenshot(page, "locked-out", only=PATIENT_GUIDE)

    # Even the right password is refused until the wait is over.
    page.get_by_role("link", name="Back to signing in").click()
    page.get_by_label("Email address or user name", exact=True).fill(cast.pat_username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many tries")
