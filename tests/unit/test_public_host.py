"""webapp/public_host.py: with a public address, only requests naming its
host reach the app; every other Host, or none, or one that is no host, is
answered 400 before the app runs."""

from __future__ import annotations

import pytest

from webapp.public_host import REFUSED, PublicHostOnly, host_name


def answer(public: str, environ: dict) -> tuple[str, bytes, bool]:
    reached = []

    def app(environ, start_response):
        reached.append(True)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"Steady"]

    said = []
    body = b"".join(PublicHostOnly(app, public)(environ, lambda status, headers: said.append(status)))
    return said[0], body, bool(reached)


@pytest.mark.parametrize(
    ("public", "host"),
    [
        ("https://steady.example.org", "steady.example.org"),
        ("https://steady.example.org", "steady.example.org:443"),
        ("https://steady.example.org", "steady.example.org:8443"),  # a proxy on another port
        ("https://steady.example.org", "STEADY.Example.ORG"),  # names ignore case
        ("https://steady.example.org", "steady.example.org."),  # and a final dot
        ("http://[::1]:8000", "[::1]:8000"),
        ("http://127.0.0.1:8000", "127.0.0.1:8000"),
    ],
)
def test_the_public_host_reaches_the_app(public, host):
    assert answer(public, {"HTTP_HOST": host}) == ("200 OK", b"Steady", True)


OTHERS = [
    None,  # HTTP/1.0 with no Host
    "",
    "evil.example",
    "steady.example.org.evil.example",
    "evil.example#steady.example.org",
    "steady.example.org@evil.example",
    "evilsteady.example.org",
    "steady.example.org:443:443",
    "steady.example.org:99999999",
    "steady.example.org ",
    " steady.example.org",
    "steady.example.org\r\nX-A: b",
    "steady.example.org\x00",
    "steady.example.org\udcff",  # a lone surrogate, as a WSGI server decodes a stray byte
    "stéady.example.org",
    "[::1]",
    "[::1",
    "127.0.0.1",
    "a" * 100_000,
    "." * 10_000,
]


@pytest.mark.parametrize("host", OTHERS)
def test_any_other_host_or_none_is_refused_before_the_app(host):
    environ = {} if host is None else {"HTTP_HOST": host}
    status, body, reached = answer("https://steady.example.org", environ)
    assert (status, body, reached) == ("400 Bad Request", REFUSED, False)


def test_host_names_are_read_as_dns_reads_them():
    assert host_name("Steady.Example.org.:8443") == "steady.example.org"
    assert host_name("[::1]:8000") == "[::1]"
    assert host_name("steady.example.org:") is None
    assert host_name(None) is None


def test_an_address_with_no_host_is_refused_at_start():
    with pytest.raises(ValueError):
        PublicHostOnly(lambda environ, start_response: [], "https://")
