"""With STEADY_PUBLIC_URL set, links given to others (an invite, a share
link, the supporters' pages address) name that address whatever the request
said, and a request naming another host, directly or through a trusted
proxy's X-Forwarded-Host, is refused (400) before anything is written."""

from __future__ import annotations

import functools
import http.client
import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from bench.steady_process import LEAKY_ENV, free_port
from tests.conftest import Auth
from tests.integration.test_circle import INVITE_LINK, token_of
from tests.integration.test_people_plan import PLAN, save_plan, share_link
from webapp.config import build_config
from webapp.extensions import db
from webapp.models import CircleInvite, User
from webapp.public_host import REFUSED

PUBLIC = "https://steady.example.org"


@pytest.fixture
def public_app(make_app, tmp_path):
    settings = build_config(str(tmp_path / "settings"), {"STEADY_PUBLIC_URL": PUBLIC + "/"})
    assert settings["PUBLIC_URL"] == PUBLIC
    return make_app(PUBLIC_URL=settings["PUBLIC_URL"])


def client_at(app, host: str, **environ):
    """A test client whose every request names ``host`` (and ``environ``)."""
    client = app.test_client()
    client.environ_base.update(environ)
    client.open = functools.partial(client.open, base_url=f"http://{host}/")
    return client


def rows(model) -> int:
    total = db.session.scalar(select(func.count()).select_from(model))
    db.session.rollback()
    return total


@pytest.mark.parametrize("host", ["steady.example.org", "steady.example.org:8443", "STEADY.example.org"])
def test_links_for_others_name_the_public_address(public_app, host):
    client = client_at(public_app, host)
    assert Auth(client).register().status_code in (302, 303)

    invited = client.post("/circle/invites", data={"first_name": "Sam", "csrf_token": token_of(client)})
    assert invited.status_code == 201
    assert INVITE_LINK.search(invited.get_data(as_text=True)).group(1).startswith(PUBLIC + "/circle/join/")

    assert save_plan(client, **PLAN).status_code in (302, 303)
    assert share_link(client).startswith(PUBLIC + "/shared/plan/")

    helpme = client.get("/people/help-me/edit").get_data(as_text=True)
    assert f"{PUBLIC}/learn/supporting" in helpme


@pytest.mark.parametrize(
    "host",
    ["evil.example", "steady.example.org.evil.example", "evil.example:443", "127.0.0.1:8000", "xn--stady-bva.example"],
)
def test_a_request_naming_another_host_is_refused_and_writes_nothing(public_app, host):
    good = client_at(public_app, "steady.example.org")
    Auth(good).register("sam@example.com")
    token = token_of(good)
    people, invites = rows(User), rows(CircleInvite)

    forged = client_at(public_app, host)
    name = public_app.config["SESSION_COOKIE_NAME"]
    forged.set_cookie(name, good.get_cookie(name, domain="steady.example.org").value, domain=host.split(":")[0])
    for response in (
        forged.get("/"),
        forged.get("/help"),
        forged.post("/circle/invites", data={"first_name": "Sam", "csrf_token": token}),
        forged.post("/register", data={"email": "x@example.com", "password": "a long enough password"}),
    ):
        assert response.status_code == 400
        assert host.encode() not in response.data
    assert (rows(User), rows(CircleInvite)) == (people, invites)


def test_a_proxys_forwarded_host_is_held_to_the_public_address_too(make_app, tmp_path):
    settings = build_config(str(tmp_path / "settings"), {"STEADY_PUBLIC_URL": PUBLIC, "STEADY_PROXY_COUNT": "1"})
    app = make_app(**{name: settings[name] for name in ("PUBLIC_URL", "PROXY_COUNT")})
    assert client_at(app, "10.0.0.5", HTTP_X_FORWARDED_HOST="steady.example.org").get("/help").status_code == 200
    assert client_at(app, "steady.example.org", HTTP_X_FORWARDED_HOST="evil.example").get("/help").status_code == 400


def test_without_a_public_address_links_name_the_address_reached(make_app):
    client = client_at(make_app(), "steady.local:8000")
    Auth(client).register()
    invited = client.post("/circle/invites", data={"first_name": "Sam", "csrf_token": token_of(client)})
    assert INVITE_LINK.search(invited.get_data(as_text=True)).group(1).startswith("http://steady.local:8000/circle/")


def test_steady_serve_names_the_public_address_and_answers_only_it(tmp_path):
    """The real server (waitress, as shipped), over raw sockets to 127.0.0.1:
    it says where Steady is, and answers that host only."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not LEAKY_ENV.match(k)} | {
        "STEADY_INSTANCE_PATH": str(tmp_path / "instance"),
        "STEADY_PUBLIC_URL": f"http://localhost:{port}",
        "STEADY_REMINDER_DISPATCHER": "off",
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "-m", "webapp.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        said = process.stdout.readline()
        assert said == f"Steady is running at http://localhost:{port}/  (on http://127.0.0.1:{port}/; Ctrl+C to stop)\n"

        def status(host: str) -> tuple[int, bytes]:
            deadline = time.monotonic() + 30
            while True:
                try:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                    connection.request("GET", "/help", headers={"Host": host})
                    response = connection.getresponse()
                    return response.status, response.read()
                except ConnectionRefusedError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)

        assert status(f"localhost:{port}")[0] == 200
        assert status(f"127.0.0.1:{port}") == (400, REFUSED)
        assert status("evil.example") == (400, REFUSED)
    finally:
        process.terminate()
        process.wait(timeout=10)
