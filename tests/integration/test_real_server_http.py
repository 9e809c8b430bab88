"""Hostile HTTP against the real server (``steady serve``: waitress, as
shipped), over raw sockets, where the test client cannot go: bodies without a
length, lengths that lie, framings a proxy and the server could read two
ways, forged hosts, compressed bodies, huge headers and stalled clients.

After each attack the server still answers and nothing was written (the
rows of its own SQLite database are counted before and after)."""

from __future__ import annotations

import gzip
import http.client
import json
import re
import socket
import sqlite3
import threading
import time
import urllib.parse
import uuid
from datetime import datetime, timezone

import pytest

from bench.steady_process import Server

LIMIT = 256 * 1024  # MAX_CONTENT_LENGTH in webapp/config.py
STATUS = re.compile(rb"HTTP/1\.[01] (\d{3}) [A-Z]")
#: A request hidden where one reading of the framing puts the body.
HIDDEN = b"GET /offline?hidden HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One real server for the module, on its own SQLite instance (Server
    drops DATABASE_URL and the like, so it runs the embedded default on
    every CI database)."""
    running = Server(tmp_path_factory.mktemp("real-server"))
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def person(server):
    """A registered account, signed in: its cookie header and API CSRF token."""
    cookies: dict[str, str] = {}

    def call(method: str, path: str, body: str | None = None, headers: dict | None = None) -> bytes:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), **(headers or {})}
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookies[key] = rest.split(";")[0]
        data = response.read()
        conn.close()
        assert response.status < 400, (path, response.status)
        return data

    page = call("GET", "/register").decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = {"email": "raw@example.com", "password": "storm drain lullaby", "csrf_token": token}
    call("POST", "/register", urllib.parse.urlencode(form), {"Content-Type": "application/x-www-form-urlencoded"})
    csrf = json.loads(call("GET", "/api/session"))["csrf_token"]
    return {"cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), "csrf": csrf}


def rows(server) -> dict[str, int]:
    with sqlite3.connect(server.workdir / "instance" / "steady.db") as db:
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}


@pytest.fixture
def untouched(server, person):
    """After the test: the server still answers (within ``exchange``'s wait),
    and nothing was written."""
    before = rows(server)
    yield
    status, _ = exchange(server, b"GET /offline HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert statuses(status) == [200]
    assert rows(server) == before


def exchange(server, data: bytes, wait: float = 5.0) -> tuple[bytes, bool]:
    """Send ``data`` on a new connection; what came back, and whether the
    server closed the connection within ``wait`` seconds."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=wait) as sock:
        sock.sendall(data)
        return read_until_closed(sock, wait)


def read_until_closed(sock: socket.socket, wait: float) -> tuple[bytes, bool]:
    answer, deadline = b"", time.monotonic() + wait
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            break
        except ConnectionResetError:
            return answer, True
        if not chunk:
            return answer, True
        answer += chunk
    return answer, False


def statuses(answer: bytes) -> list[int]:
    return [int(code) for code in STATUS.findall(answer)]


def signed_in(person) -> bytes:
    return f"Cookie: {person['cookie']}\r\nX-CSRFToken: {person['csrf']}\r\n".encode()


def check_in() -> bytes:
    return json.dumps(
        {
            "client_id": str(uuid.uuid4()),
            "checked_at": datetime.now(timezone.utc).isoformat(),
            "time_zone": "UTC",
            "overall": 5,
            "anxiety": 6,
            "doses": "as_planned",
        }
    ).encode()


ROUTES = {
    "json": (b"/api/checkins", b"application/json", True),
    "form": (b"/login", b"application/x-www-form-urlencoded", False),
}


def post_head(route: str, person, framing: bytes) -> bytes:
    path, kind, needs_person = ROUTES[route]
    head = b"POST " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + kind + b"\r\n" + framing
    return head + (signed_in(person) if needs_person else b"") + b"\r\n"


def stream_chunked(server, head: bytes, most: int) -> tuple[int, bytes]:
    """Send a chunked body of up to ``most`` bytes, stopping as soon as the
    server answers or hangs up: how much was sent, and the answer."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=15)
    answer = bytearray()

    def read() -> None:
        try:
            while chunk := sock.recv(65536):
                answer.extend(chunk)
        except OSError:  # reset once the server hangs up on a body it refused
            pass

    reader = threading.Thread(target=read)
    reader.start()
    piece, sent = b"[" + b" " * 0xFFFF, 0
    try:
        sock.sendall(head)
        while sent < most and not answer:
            sock.sendall(b"10000\r\n" + piece + b"\r\n")
            sent += len(piece)
        if not answer:
            sock.sendall(b"0\r\n\r\n")
    except OSError:  # the server hung up mid-body, as it may once it has answered
        pass
    reader.join(15)
    sock.close()
    return sent, bytes(answer)


@pytest.mark.parametrize("route", ROUTES)
def test_a_chunked_body_past_the_limit_is_refused_long_before_it_ends(server, person, untouched, route):
    """No Content-Length to refuse up front: the server must stop reading
    a few times past the limit, not take in all 64 MB (waitress's default
    was to buffer up to 1 GB before the app could say no)."""
    most = 64 * 1024 * 1024
    sent, answer = stream_chunked(server, post_head(route, person, b"Transfer-Encoding: chunked\r\n"), most)
    assert statuses(answer) == [413]
    assert sent < most // 4, f"{sent} bytes were taken in before the 413"


@pytest.mark.parametrize("route", ROUTES)
def test_a_chunked_body_a_little_over_the_limit_gets_the_apps_own_413(server, person, untouched, route):
    framing = b"Transfer-Encoding: chunked\r\nConnection: close\r\n"
    _, answer = stream_chunked(server, post_head(route, person, framing), LIMIT + 65536)
    assert statuses(answer) == [413]
    assert b"too large" in answer  # the app's words, in the page's or the API's own shape


@pytest.mark.parametrize("expect", [b"", b"Expect: 100-continue\r\n"])
def test_a_declared_length_past_the_limit_is_refused_before_any_body_is_sent(server, person, untouched, expect):
    framing = b"Content-Length: %d\r\n" % (64 * 1024 * 1024) + expect
    answer, closed = exchange(server, post_head("json", person, framing), wait=3)
    assert statuses(answer) == [413], "the server asked for, or waited for, a body it will refuse"
    assert closed


AMBIGUOUS = {
    "length and chunked": b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + HIDDEN,
    "chunked and length": b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n" + HIDDEN,
    "length covering the rest": b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n%s"
    % (5 + len(HIDDEN), HIDDEN),
    "two lengths": b"Content-Length: 0\r\nContent-Length: %d\r\n\r\n%s" % (len(HIDDEN), HIDDEN),
    "a list of lengths": b"Content-Length: 0, %d\r\n\r\n%s" % (len(HIDDEN), HIDDEN),
    "a negative length": b"Content-Length: -1\r\n\r\n" + HIDDEN,
    "a signed length": b"Content-Length: +0\r\n\r\n" + HIDDEN,
    "a hex length": b"Content-Length: 0x0\r\n\r\n" + HIDDEN,
    "a word for a length": b"Content-Length: none\r\n\r\n" + HIDDEN,
    "a bad chunk size": b"Transfer-Encoding: chunked\r\n\r\n-0\r\n\r\n" + HIDDEN,
    "an unknown coding": b"Transfer-Encoding: identity\r\n\r\n" + HIDDEN,
    "chunked then another": b"Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n" + HIDDEN,
    "chunked twice": b"Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n" + HIDDEN,
    "chunked on two lines": b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + HIDDEN,
}


@pytest.mark.parametrize("shape", AMBIGUOUS)
def test_a_framing_two_readers_could_split_differently_is_refused_and_nothing_after_it_is_read(
    server, untouched, shape
):
    """What a proxy might read as one request and the server as two (request
    smuggling): refused, the connection closed, the hidden request unanswered."""
    head = b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    answer, closed = exchange(server, head + AMBIGUOUS[shape])
    # 501 is what RFC 9112 (section 6.1) asks for a transfer coding the server does not know.
    assert statuses(answer) in ([400], [501]), answer[:300]
    assert closed


@pytest.mark.parametrize("keep", [b"keep-alive", b"close"])
def test_a_transfer_coding_on_an_http_1_0_request_is_refused(server, untouched, keep):
    """RFC 9112, section 6.1: HTTP/1.0 has no transfer codings, so such a
    request's framing is faulty whatever its length says (waitress read it
    by the length and, kept alive, answered what followed as a request)."""
    head = b"POST /login HTTP/1.0\r\nConnection: " + keep + b"\r\nContent-Type: text/plain\r\n"
    answer, closed = exchange(server, head + b"Transfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n" + HIDDEN)
    assert statuses(answer) == [400] and closed, answer[:300]


NO_HOST = {
    "none": b"",
    "empty": b"Host: \r\n",
    "two": b"Host: evil.example\r\nHost: 127.0.0.1\r\n",
    "two in one": b"Host: 127.0.0.1, evil.example\r\n",
    "with a path": b"Host: 127.0.0.1/evil.example\r\n",
    "with a user": b"Host: evil.example@127.0.0.1\r\n",
    "with a space": b"Host: 127.0.0.1 evil.example\r\n",
    "with a scheme": b"Host: http://evil.example\r\n",
    "a bad port": b"Host: 127.0.0.1:80a\r\n",
    "an unclosed address": b"Host: [::1\r\n",
}


@pytest.mark.parametrize("path", [b"/account", b"/offline"])
@pytest.mark.parametrize("host", NO_HOST)
def test_an_http_1_1_request_without_one_host_is_refused(server, untouched, host, path):
    """RFC 9112, section 3.2: a server must answer 400 to an HTTP/1.1
    request with no Host, more than one, or one that is not a host (waitress
    answered them, and what Werkzeug made of the host went into its URLs)."""
    answer, closed = exchange(server, b"GET " + path + b" HTTP/1.1\r\n" + NO_HOST[host] + b"\r\n")
    assert statuses(answer) == [400] and closed, answer[:300]
    assert b"evil" not in answer


@pytest.mark.parametrize(
    "host", [b"127.0.0.1", b"127.0.0.1:8000", b"localhost", b"[::1]:8000", b"STEADY.example", b"steady_app:80"]
)
def test_every_host_a_browser_or_a_proxy_sends_is_answered(server, untouched, host):
    answer, _ = exchange(server, b"GET /offline HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n")
    assert statuses(answer) == [200]
    answer, _ = exchange(server, b"GET /offline HTTP/1.0\r\n\r\n")  # HTTP/1.0 has no Host to give
    assert statuses(answer) == [200]


def test_pipelined_requests_are_answered_in_order_and_a_body_is_never_read_as_a_request(server, untouched):
    body_like_a_request = b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
    body_like_a_request += b"Content-Length: %d\r\n\r\n%s" % (len(HIDDEN), HIDDEN)
    pipelined = b"GET /offline HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" * 20 + body_like_a_request + HIDDEN
    answer, closed = exchange(server, pipelined)
    codes = statuses(answer)
    assert len(codes) == 22 and closed
    assert codes[:20] == [200] * 20 and 400 <= codes[20] < 500 and codes[21] == 200
    answer, closed = exchange(
        server, b"GET /offline HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /offline HTTP/1.0\r\n\r\n"
    )
    assert statuses(answer) == [200, 200] and closed


def test_expect_100_continue_is_honoured_for_a_body_within_the_limit(server, person):
    before = rows(server)["check_ins"]
    body = check_in()
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        framing = b"Expect: 100-continue\r\nConnection: close\r\nContent-Length: %d\r\n" % len(body)
        sock.sendall(post_head("json", person, framing))
        assert sock.recv(100).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
        sock.sendall(body)
        answer, _ = read_until_closed(sock, 5)
    assert statuses(answer) == [201]
    assert rows(server)["check_ins"] == before + 1


FORGED = {
    "the Host header": (b"/account", b"Host: evil.example\r\n"),
    "the Host header, doubled slashes": (b"/account//?a=b", b"Host: evil.example\r\n"),
    "an absolute target": (b"http://evil.example/account", b"Host: evil.example\r\n"),
    "a forwarded host": (b"/account", b"Host: 127.0.0.1\r\nX-Forwarded-Host: evil.example\r\n"),
    "signed out": (b"/account/", b"Host: evil.example\r\n"),
}


@pytest.mark.parametrize("how", FORGED)
def test_a_redirect_never_leads_to_a_host_the_request_named(server, untouched, how):
    """Werkzeug's own redirects (``/account`` to ``/account/``) were written
    whole with the Host the request gave; a cache keeping one would send
    others there."""
    target, host = FORGED[how]
    answer, _ = exchange(server, b"GET " + target + b" HTTP/1.1\r\n" + host + b"Connection: close\r\n\r\n")
    assert statuses(answer)[0] in (302, 308)
    location = re.search(rb"(?im)^Location: *(\S*)", answer).group(1)
    assert location.startswith(b"/") and not location.startswith(b"//"), location
    assert b"evil" not in answer


@pytest.mark.parametrize("path", [b"/", b"/offline", b"/manifest.webmanifest", b"/circle", b"/help", b"/account/"])
@pytest.mark.parametrize("who", ["signed in", "signed out"])
def test_pages_never_name_a_forged_host(server, person, untouched, path, who):
    """Pages link by path. (An invite or a share link is written whole, for
    the one who asked, with STEADY_PUBLIC_URL, or with no address configured
    the one they reached Steady at; a forged Host reaches only whoever forged
    it: tests/integration/test_public_address.py.)"""
    head = b"GET " + path + b" HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n"
    answer, _ = exchange(server, head + (signed_in(person) if who == "signed in" else b"") + b"\r\n")
    assert statuses(answer)[0] in (200, 302)
    assert b"evil" not in answer


def test_a_compressed_body_is_never_inflated(server, person, untouched):
    """A 50 KB gzip that inflates to 50 MB is read as the bytes it is: not
    JSON (inflated, it would be JSON, and past the body limit)."""
    bomb = gzip.compress(b'{"note": "' + b" " * (50 * 1024 * 1024) + b'"}', 9)
    for body in (bomb, gzip.compress(check_in())):
        framing = b"Content-Encoding: gzip\r\nConnection: close\r\nContent-Length: %d\r\n" % len(body)
        answer, _ = exchange(server, post_head("json", person, framing) + body)
        assert statuses(answer) == [400]
        assert b"not JSON" in answer


HUGE = {
    "a 300 KB header": (b"/offline", b"X-Big: " + b"a" * 300_000 + b"\r\n", 431),
    "a 300 KB address": (b"/offline?" + b"a" * 300_000, b"", 431),
    "5,000 headers": (b"/offline", b"".join(b"X-H%d: v\r\n" % n for n in range(5000)), 200),
    "20,000 cookies": (b"/", b"Cookie: " + b"; ".join(b"c%d=v" % n for n in range(20000)) + b"\r\n", 200),
    "a long next": (b"/login?next=" + b"%2F" * 60_000, b"", 200),
    "bytes that are not UTF-8 in the path": (b"/\xff\xfe", b"", 400),
    "escapes that are not UTF-8 in the path": (b"/%ff%fe", b"", 404),
    "a broken escape": (b"/%zz", b"", 404),
    "escapes that are not UTF-8 in the query": (b"/login?next=%ff%fe%c0%ae", b"", 200),
    "a NUL in the query": (b"/login?next=%00", b"", 200),
    "a NUL in a header": (b"/offline", b"X-A: a\x00b\r\n", 400),
    "a bare CR in a header": (b"/offline", b"X-A: a\rb\r\n", 400),
    "a header that is not UTF-8": (b"/login", b"Accept-Language: \xff\xfe\r\nCookie: steady_session=\xff\r\n", 200),
    "walking out of static": (b"/static/..%2f..%2fwebapp%2fconfig.py", b"", 404),
}


@pytest.mark.parametrize("what", HUGE)
def test_huge_or_broken_heads_are_answered_without_a_failure(server, untouched, what):
    target, headers, expected = HUGE[what]
    head = b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + headers
    answer, closed = exchange(server, head + b"\r\n")
    assert statuses(answer) == [expected]
    assert closed


def test_stalled_clients_hold_up_no_one(server, person, untouched):
    """Seven clients (one fewer than the server's threads) stop halfway
    through a body or a head; everyone else is still answered (a stalled
    client would hold a thread for waitress's 120 s channel timeout, far
    past ``exchange``'s wait)."""
    stalled = [
        post_head("json", person, b"Content-Length: 1000\r\n") + b'{"note": "',
        post_head("json", person, b"Content-Length: 1000\r\n") + b"{",
        post_head("form", person, b"Content-Length: 1000\r\n") + b"email=",
        post_head("json", person, b"Transfer-Encoding: chunked\r\n") + b"10\r\n{",
        post_head("form", person, b"Transfer-Encoding: chunked\r\n") + b"10\r\nema",
        b"GET /offline HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
        b"POST /api/checkins HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le",
    ]
    sockets = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in stalled]
    try:
        for sock, start in zip(sockets, stalled, strict=True):
            sock.sendall(start)
        time.sleep(0.2)
        for path in (b"/offline", b"/api/checkins", b"/", b"/api/session", b"/offline"):
            request = b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            answer, _ = exchange(server, request + signed_in(person) + b"\r\n", wait=5)
            assert statuses(answer) == [200], f"{path!r} waited behind the stalled clients"
    finally:
        for sock in sockets:
            sock.close()
