"""The app lock's settings page. The lock itself (PIN, keys, sealing) lives on
the device and is tested in a real browser (tests/e2e/test_app_lock.py); here:
the page is the same for everyone, kept for offline use, linked from the
account, and cannot send a PIN anywhere."""

from __future__ import annotations

import re

from webapp.pwa.routes import SHELL_PAGES


def test_the_lock_page_is_the_same_for_everyone_and_sends_nothing(client, auth):
    guest = client.get("/lock")
    assert guest.status_code == 200
    html = guest.get_data(as_text=True)
    assert "Turn on the app lock" in html and "Forgot" not in html
    # No field can be submitted: a PIN never leaves the device, even without JavaScript.
    for field in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        assert " name=" not in field, field
    assert re.findall(r"<form\b[^>]*\bmethod=", html) == []
    # Every field has a label.
    for field_id in re.findall(r"<(?:input|select)\b[^>]*\bid=\"([^\"]+)\"", html):
        assert f'<label for="{field_id}"' in html, field_id

    auth.register()
    client.get("/")  # the welcome message shows there
    signed_in = client.get("/lock").get_data(as_text=True)
    assert signed_in.split("<main", 1)[1].split("</main>", 1)[0] == html.split("<main", 1)[1].split("</main>", 1)[0]
    assert 'href="/lock"' in client.get("/account/").get_data(as_text=True)


def test_the_lock_page_is_kept_offline_and_every_page_loads_the_gate_first(client):
    assert "lock.settings" in SHELL_PAGES
    worker = client.get("/sw.js").get_data(as_text=True)
    assert '"/lock"' in worker
    for path in ("/", "/help", "/lock", "/my/people"):
        head = client.get(path).get_data(as_text=True).split("</head>", 1)[0]
        # A classic (blocking) script, before the page is drawn: never async, defer or a module.
        gate = re.search(r"<script src=\"/static/js/lock-gate\.js\?v=[0-9a-f]+\"></script>", head)
        assert gate, path
