"""Signing in through the real form in headless Chromium: the login page,
the return to where the person was going, and signing out."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from interfaces.seed import ROLE_EMAILS, TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_sign_in_returns_to_the_page_and_sign_out_ends_it(
    page_as: Callable[[str | None], object],
) -> None:
    page = page_as(None)
    assert isinstance(page, Page)
    page.goto("/queries")
    assert page.url.endswith("/login?next=/queries")
    page.get_by_label("E-mail address").fill(ROLE_EMAILS["viewer"])
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("wrong e-mail address or password")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Listening queries")).to_be_visible()
    assert page.url.endswith("/queries")
    # a viewer is refused what needs a manager
    page.goto("/queries/new")
    expect(page.get_by_role("alert")).to_contain_text("does not allow")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.goto("/queries")
    assert "/login" in page.url
