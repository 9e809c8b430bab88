"""bench/plain_http.py: the load benchmark's client reads answers whole and keeps cookies."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from bench.plain_http import Client, Failed, is_whole, parse_answer


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
