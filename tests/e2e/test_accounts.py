"""Accounts through the real forms in Chromium: register, sign out, sign in,
change password, sign out everywhere (which reaches another device)."""

from __future__ import annotations

import secrets

from playwright.sync_api import expect

NEW_PASSWORD = "a quiet harbour at dawn"


def unique_email(label: str) -> str:
    return f"{label}-{secrets.token_hex(3)}@example.com"


def test_register_sign_out_and_sign_in(server, page, accounts):
    email = unique_email("sam")
    page.goto(server.url + "/")
    accounts.expect_signed_out(page)

    accounts.register(page, server.url, email)
    accounts.expect_signed_in(page)
    expect(page.get_by_role("status").filter(has_text="Your account is ready")).to_be_visible()

    accounts.nav(page).get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.get_by_text(email)).to_be_visible()

    page.get_by_role("button", name="Sign out on this device").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    accounts.expect_signed_out(page)
    page.goto(server.url + "/account/")
    expect(page).to_have_url(server.url + "/login?next=/account/")

    accounts.login(page, server.url, email)
    accounts.expect_signed_in(page)
    page.goto(server.url + "/account/")
    expect(page.get_by_text(email)).to_be_visible()


def test_sign_in_follows_next_back_to_the_page(server, page, accounts):
    email = unique_email("next")
    accounts.register(page, server.url, email)
    accounts.sign_out(page, server.url)

    page.goto(server.url + "/account/password")
    expect(page).to_have_url(server.url + "/login?next=/account/password")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(accounts.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(server.url + "/account/password")
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")


def test_wrong_password_is_refused_with_a_clear_message(server, page, accounts):
    email = unique_email("wrong")
    accounts.register(page, server.url, email)
    accounts.sign_out(page, server.url)

    accounts.login(page, server.url, email, "not my password at all")
    expect(page.get_by_role("alert")).to_contain_text("do not match an account")
    accounts.expect_signed_out(page)


def test_change_password_then_sign_in_with_the_new_one(server, page, accounts):
    email = unique_email("change")
    accounts.register(page, server.url, email)
    page.goto(server.url + "/account/")
    page.get_by_role("link", name="Change your password").click()
    expect(page).to_have_url(server.url + "/account/password")

    # The current password is checked.
    page.get_by_label("Current password", exact=True).fill("this is not it, friend")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_contain_text("That is not your current password")

    page.get_by_label("Current password", exact=True).fill(accounts.PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page).to_have_url(server.url + "/account/")
    expect(page.get_by_text("Your password is changed.")).to_be_visible()
    accounts.expect_signed_in(page)  # still signed in here

    accounts.sign_out(page, server.url)

    accounts.login(page, server.url, email, accounts.PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("do not match an account")
    accounts.expect_signed_out(page)

    accounts.login(page, server.url, email, NEW_PASSWORD)
    accounts.expect_signed_in(page)


def test_sign_out_everywhere_reaches_the_other_device(server, new_context, accounts):
    email = unique_email("everywhere")
    phone = new_context().new_page()
    laptop = new_context().new_page()

    accounts.register(phone, server.url, email)
    accounts.expect_signed_in(phone)
    accounts.login(laptop, server.url, email)
    accounts.expect_signed_in(laptop)

    laptop.goto(server.url + "/account/")
    expect(laptop.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(laptop.locator(".summary dd").nth(1)).to_have_text("2")  # devices signed in

    phone.goto(server.url + "/account/")
    phone.get_by_role("button", name="Sign out everywhere").click()
    expect(phone.get_by_text("You are signed out on every device.")).to_be_visible()
    accounts.expect_signed_out(phone)

    laptop.reload()
    expect(laptop).to_have_url(server.url + "/login?next=/account/")
    expect(laptop.get_by_role("heading", level=1)).to_have_text("Sign in")
    accounts.expect_signed_out(laptop)
