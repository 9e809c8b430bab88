"""Every page in Spanish, for an account holding one of everything (the walk
of tests/e2e/test_phone_fit.py, tests/support/phone_walk.py): each says
``lang="es"``, shows no phrase of the English catalogue (tests/e2e/
test_spanish.py), fits 390 px without scrolling sideways, and axe-core finds
no serious or critical violation. The page's scripts have run before the
check, so words drawn on the device count too.

The person's message templates are their own words: seeded in the language
the account had when it first changed its people (English here) and kept as
written, like any note, so they are not looked for."""

from __future__ import annotations

from test_pseudo_fit import choose
from test_spanish import english_on

from tests.support.phone_walk import (  # noqa: F401 - full_account is a fixture
    PHONE_HEIGHT,
    context_url,
    full_account,
    measure,
    open_everything,
    sideways,
)
from webapp.services.support import DEFAULT_TEMPLATES

#: Words the account holds as its own (its message templates).
OWN_WORDS = (*DEFAULT_TEMPLATES, "Could you call me when you can?")


def test_every_page_is_spanish_fits_a_phone_and_passes_axe(full_account, axe):
    context, page, paths = full_account
    page.set_viewport_size({"width": 390, "height": PHONE_HEIGHT})
    choose(context, page, "es")
    problems: list[str] = []
    try:
        for path in paths:
            response = page.goto(context_url(page, path))
            assert response is not None and response.status < 400, f"{path}: {response.status if response else '-'}"
            page.wait_for_load_state("load")
            page.wait_for_timeout(150)  # the page's own scripts fill lists from the device copy
            if page.evaluate("document.documentElement.lang") != "es":
                problems.append(f"{path} does not say lang=es")
            open_everything(page)
            found = [phrase for phrase in english_on(page) if not any(phrase in own for own in OWN_WORDS)]
            if found:
                problems.append(f"{path} shows English: {found[:5]}")
            problems += sideways(measure(page), f"{path} in Spanish at 390 px")
            axe(page, f"{path} (es)")
    finally:
        choose(context, page, "en")
    assert not problems, "\n".join(problems)
