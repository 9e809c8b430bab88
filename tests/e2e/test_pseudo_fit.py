"""Every page in the pseudo-locales (webapp/pseudo.py) still fits a phone:
words about a third longer (en-XA), and the same right to left (en-XB), at
390 px, never scroll the page sideways. The walk and the account holding one
of everything are tests/e2e/test_phone_fit.py's (tests/support/phone_walk.py)."""

from __future__ import annotations

import pytest

from tests.support.phone_walk import (  # noqa: F401 - full_account is a fixture
    PHONE_HEIGHT,
    context_url,
    full_account,
    measure,
    open_everything,
    sideways,
)


def choose(context, page, language: str) -> None:
    """Choose ``language`` in the account, as the switcher would (so a page
    that sends elsewhere stays in it)."""
    response = context.request.post(context_url(page, "/language"), form={"language": language}, max_redirects=0)
    assert response.status in (302, 303), response.status


@pytest.mark.parametrize("language", ["en-XA", "en-XB"])
def test_every_page_fits_a_phone_in_a_pseudo_locale(full_account, language):
    context, page, paths = full_account
    page.set_viewport_size({"width": 390, "height": PHONE_HEIGHT})
    choose(context, page, language)
    problems = []
    try:
        for path in paths:
            response = page.goto(context_url(page, path))
            assert response is not None and response.status < 400, (
                f"{path}: {response.status if response else 'no answer'}"
            )
            page.wait_for_load_state("load")
            page.wait_for_timeout(150)  # the page's own scripts fill lists from the device copy
            assert page.evaluate("document.documentElement.lang") == language, f"{path} is not in {language}"
            open_everything(page)
            problems += sideways(measure(page), f"{path} in {language} at 390 px")
    finally:
        choose(context, page, "en")
    assert not problems, "\n".join(problems)


def test_the_rtl_variant_runs_right_to_left(full_account):
    context, page, _ = full_account
    page.goto(context_url(page, "/toolkit?lang=en-XB"))
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    page.goto(context_url(page, "/toolkit?lang=en-XA"))
    assert page.evaluate("getComputedStyle(document.body).direction") == "ltr"
