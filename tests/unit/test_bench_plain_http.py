"""bench/plain_http.py: the load benchmark's client reads answers whole and keeps cookies."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from bench.plain_http import Client, Failed, Pool, is_whole, parse_answer


def test_a_sized_body_is_read_to_its_length_and_a_short_one_refused():
    status, headers, cookies, body = parse_answer(
        b'HTTP/1.1 201 CREATED\r\nContent-Length: 5\r\nETag: W/"a"\r\nSet-Cookie: s=1; Path=/\r\n\r\nhello'
    )
    assert (status, body, headers.get("ETag"), headers.get("etag"), cookies) == (
        201,
        b"hello",
        'W/"a"',
        'W/"a"',
        [b"s=1; Path=/"],
    )
    with pytest.raises(Failed, match="3 of 5"):
        parse_answer(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel")


def test_a_chunked_body_is_put_back_together():
    raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n6;x=y\r\npedia \r\n0\r\n\r\n"
    assert parse_answer(raw)[3] == b"Wikipedia "


@pytest.mark.parametrize("raw", [b"", b"HTTP/1.1 200 OK\r\nContent-Length: 1", b"SSH-2.0-OpenSSH\r\n\r\n"])
def test_what_is_not_a_whole_http_answer_is_a_failure(raw):
    with pytest.raises(Failed):
        parse_answer(raw)


def test_cookies_are_kept_replaced_and_dropped_when_the_server_expires_them():
    client = Client("127.0.0.1", 1)
    client.keep_cookies([b"session=abc; HttpOnly; Path=/", b"remember=r1; Max-Age=100"])
    client.keep_cookies([b"session=def; Path=/", b"remember=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0"])
    assert client.cookies == {"session": "def"}
    assert b"Cookie: session=def\r\n" in client.encode("GET", "/", None)


def test_a_request_goes_over_a_real_connection_and_comes_back_whole():
    seen = {}

    def app(environ, start_response):
        seen.update(
            method=environ["REQUEST_METHOD"],
            cookie=environ.get("HTTP_COOKIE"),
            body=environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)),
            token=environ.get("HTTP_X_CSRFTOKEN"),
        )
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2"), ("Set-Cookie", "s=2")])
        return [b"ok"]

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, app, handler_class=Quiet)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    client = Client("127.0.0.1", server.server_port, timeout=10)
    client.cookies["s"] = "1"
    answers = []

    def send():  # a loop of its own: the browser tests' driver may hold this thread's
        answers.append(asyncio.run(client.request("POST", "/api/checkins", {"X-CSRFToken": "t"}, json={"overall": 3})))

    sender = threading.Thread(target=send)
    try:
        sender.start()
        sender.join(10)
    finally:
        thread.join(10)
        server.server_close()
    status, headers, body = answers[0]
    assert (status, body, headers.get("content-type")) == (200, b"ok", "text/plain")
    assert seen == {"method": "POST", "cookie": "s=1", "body": b'{"overall": 3}', "token": "t"}
    assert client.cookies == {"s": "2"}


@pytest.mark.parametrize(
    "raw, head, whole",
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", False, True),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhell", False, False),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n", False, False),  # the headers not yet ended
        (b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n", False, True),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n0\r\n\r\n", False, True),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n", False, False),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWi", False, False),
        (b'HTTP/1.1 304 NOT MODIFIED\r\nETag: "a"\r\n\r\n', False, True),
        (b"HTTP/1.1 204 NO CONTENT\r\n\r\n", False, True),
        (b"HTTP/1.1 100 CONTINUE\r\n\r\n", False, False),  # interim: the answer is still to come
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", True, True),  # an answer to HEAD has no body
        (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it", False, False),  # ends at the close
    ],
)
def test_an_answer_is_whole_once_its_body_is_all_there(raw, head, whole):
    assert is_whole(raw, head) is whole


def test_the_client_closes_once_the_answer_is_whole_without_waiting_for_the_server_to():
    """gunicorn's sync worker waits for the client's end to close before it
    takes the next request: the client must not wait for the server's."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    closed_by_client = []

    def serve():
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            connection.settimeout(5)
            began = time.monotonic()
            closed_by_client.append(connection.recv(1) == b"")  # the client's end closed: end of stream
            closed_by_client.append(time.monotonic() - began)

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    answers = []
    client = Client("127.0.0.1", listener.getsockname()[1], timeout=5)
    sender = threading.Thread(target=lambda: answers.append(asyncio.run(client.request("GET", "/"))))
    try:
        sender.start()
        sender.join(10)
        server.join(10)
    finally:
        listener.close()
    assert answers and answers[0][0] == 200 and answers[0][2] == b"ok"
    assert closed_by_client[0] is True and closed_by_client[1] < 2


class KeepingServer:
    """A raw HTTP/1.1 server on 127.0.0.1 that answers every request on a
    connection until ``close_after`` answers (then says so and closes), and
    counts the connections it accepted and the requests it read."""

    def __init__(self, close_after: int = 1000):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.listener.settimeout(10)
        self.close_after = close_after
        self.accepted = 0
        self.requests: list[bytes] = []
        self.connections: list[socket.socket] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.listener.getsockname()[1]

    def serve(self):
        try:
            while True:
                connection, _ = self.listener.accept()
                self.accepted += 1
                self.connections.append(connection)
                threading.Thread(target=self.answer, args=(connection,), daemon=True).start()
        except OSError:
            return

    def answer(self, connection):
        try:
            self.answer_each(connection)
        except OSError:  # closed by the test (stop, or the idle connection's end)
            pass

    def answer_each(self, connection):
        connection.settimeout(10)
        for n in range(1, self.close_after + 1):
            request = b""
            while b"\r\n\r\n" not in request:
                data = connection.recv(65536)
                if not data:
                    return
                request += data
            self.requests.append(request)
            last = n == self.close_after
            body = str(n).encode()
            connection.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s"
                % (len(body), b"Connection: close\r\n" if last else b"", body)
            )
        connection.close()

    def stop(self):
        self.listener.close()
        for connection in self.connections:
            connection.close()


def run_in_own_loop(coroutine_function):
    """Run it on an event loop of its own thread (the browser tests' driver may hold this thread's)."""
    results = []
    thread = threading.Thread(target=lambda: results.append(asyncio.run(coroutine_function())))
    thread.start()
    thread.join(20)
    return results[0]


def test_with_a_pool_people_share_kept_connections_and_ask_for_no_close():
    server = KeepingServer()
    pool = Pool(idle=4)
    alice, bob = Client("127.0.0.1", server.port, pool=pool), Client("127.0.0.1", server.port, pool=pool)

    async def three():
        return [await alice.request("GET", "/a"), await bob.request("GET", "/b"), await alice.request("GET", "/c")]

    try:
        answers = run_in_own_loop(three)
    finally:
        pool.close()
        server.stop()
    assert [(status, body) for status, _headers, body in answers] == [(200, b"1"), (200, b"2"), (200, b"3")]
    assert server.accepted == 1 and pool.opened == 1
    assert not any(b"connection: close" in request.lower() for request in server.requests)
    assert b"Connection: close" in Client("127.0.0.1", 1).encode("GET", "/", None)  # without a pool: one a request


def test_a_connection_the_server_says_it_closes_is_not_kept():
    server = KeepingServer(close_after=1)
    pool = Pool(idle=4)
    client = Client("127.0.0.1", server.port, pool=pool)

    async def two():
        return [await client.request("GET", "/a"), await client.request("GET", "/b")]

    try:
        answers = run_in_own_loop(two)
    finally:
        pool.close()
        server.stop()
    assert [body for _status, _headers, body in answers] == [b"1", b"1"]
    assert server.accepted == 2 and pool.idle == []


def test_a_kept_connection_the_server_closed_while_idle_is_replaced_not_failed():
    server = KeepingServer()
    pool = Pool(idle=4)
    client = Client("127.0.0.1", server.port, pool=pool)

    async def first():
        return await client.request("GET", "/a")

    async def second():
        return await client.request("GET", "/b")

    try:
        assert run_in_own_loop(first)[2] == b"1"
        server.connections[0].shutdown(socket.SHUT_RDWR)  # the server's keep-alive time ran out
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and len(pool.idle) == 1:
            try:
                if pool.idle[0].recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b"":
                    break
            except BlockingIOError:
                time.sleep(0.01)
        status, _headers, body = run_in_own_loop(second)
    finally:
        pool.close()
        server.stop()
    assert (status, body) == (200, b"1")  # the first answer on a new connection
    assert server.accepted == 2 and pool.opened == 2


def test_a_pool_keeps_no_more_idle_connections_than_its_limit():
    pool = Pool(idle=1)
    pairs = [socket.socketpair() for _ in range(2)]
    try:
        pool.give(pairs[0][0])
        pool.give(pairs[1][0])
        assert pool.idle == [pairs[0][0]] and pairs[1][0].fileno() == -1  # the second closed
        assert pool.take() is pairs[0][0] and pool.take() is None
    finally:
        for a, b in pairs:
            a.close()
            b.close()
