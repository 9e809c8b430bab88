"""``webapp.serving.PromptCloseWorker``: a sync worker that does not sit
waiting for a client to close its end once its last request was read whole,
and still waits (as gunicorn does) when part of the request was left unread
or the client may send another request, so no answer is cut off by a reset.

Each test runs a real gunicorn on 127.0.0.1 with one worker and the small
app of ``tests/support/tiny_wsgi.py``. The first test is also run against
gunicorn's own sync worker, which waits up to 2 s for the client's end: there
the second client is not answered within 1 s, so the check can fail."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.tiny_wsgi import ANSWER
from webapp.serving import read_to_its_end, sends_no_more

ROOT = Path(__file__).resolve().parents[2]
PROMPT = "webapp.serving.PromptCloseWorker"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def serve():
    started: list[subprocess.Popen] = []

    def start(worker_class: str) -> int:
        port = free_port()
        command = [sys.executable, "-m", "gunicorn", "-w", "1", "-k", worker_class, "-b", f"127.0.0.1:{port}"]
        process = subprocess.Popen(
            [*command, "tests.support.tiny_wsgi:app"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        started.append(process)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return port
            except OSError:
                assert process.poll() is None, process.stderr.read().decode()
                time.sleep(0.05)
        raise AssertionError("gunicorn did not start")

    yield start
    for process in started:
        process.terminate()
        process.wait(10)


def answer_on(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes its end."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def ask(port: int, request: bytes, timeout: float) -> tuple[socket.socket, bytes]:
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.sendall(request)
    return sock, answer_on(sock)


GET = b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"


@pytest.mark.parametrize("worker_class, waits", [(PROMPT, False), ("sync", True)])
def test_a_client_keeping_its_end_open_does_not_hold_the_worker(serve, worker_class, waits):
    port = serve(worker_class)
    lingering, first = ask(port, GET, timeout=5)  # read to the server's close, then kept open
    try:
        assert first.startswith(b"HTTP/1.1 200") and first.endswith(ANSWER)
        if waits:  # gunicorn's own worker sits waiting for `lingering` to close (up to 2 s)
            with pytest.raises(socket.timeout):
                ask(port, GET, timeout=1)
        else:
            second, answer = ask(port, GET, timeout=1)
            second.close()
            assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(ANSWER)
    finally:
        lingering.close()


def exchange(port: int, *parts: bytes, pause: float = 0.0) -> bytes:
    """Send ``parts`` on one connection, ``pause`` seconds apart (the answer
    may go out meanwhile), say no more is coming, and read the answer."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        for index, part in enumerate(parts):
            if index:
                time.sleep(pause)
            sock.sendall(part)
        sock.shutdown(socket.SHUT_WR)
        return answer_on(sock)
    finally:
        sock.close()


def test_an_answer_to_a_body_left_unread_arrives_whole(serve):
    """The app refuses without reading a 200 KB body: the worker then waits
    for the client as gunicorn does, and the answer is not cut off."""
    port = serve(PROMPT)
    body = b"b" * 200_000
    head = f"POST /refuse HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    answer = exchange(port, head + body)
    assert answer.startswith(b"HTTP/1.1 413") and answer.endswith(ANSWER)


def test_a_body_read_whole_is_told_apart_from_one_left_unread():
    from gunicorn.http.body import Body, ChunkedReader, LengthReader

    class Request:
        def __init__(self, reader):
            self.body = Body(reader)

    assert read_to_its_end(Request(LengthReader(None, 0)))
    assert not read_to_its_end(Request(LengthReader(None, 12)))
    assert not read_to_its_end(Request(ChunkedReader(None, None)))
    assert not read_to_its_end(None)


def test_an_answer_sent_before_the_body_came_is_not_cut_off_by_the_body_arriving(serve):
    """The app answers before the client has sent its body (a refusal on the
    headers alone): the worker must still be there to take the body, not
    close and answer its arrival with a reset."""
    port = serve(PROMPT)
    body = b"b" * 30_000
    head = f"POST /refuse HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    # The answer is sent while no byte of the body has come.
    answer = exchange(port, head, body, pause=0.3)
    assert answer.startswith(b"HTTP/1.1 413") and answer.endswith(ANSWER)


def test_a_client_that_may_pipeline_another_request_gets_its_first_answer_whole(serve):
    """Without ``Connection: close`` the client may send its next request
    before reading the first answer: the worker waits for it as gunicorn
    does, so that request's arrival does not reset the first answer."""
    port = serve(PROMPT)
    keep_alive = b"GET / HTTP/1.1\r\nHost: t\r\n\r\n"
    # The first answer is sent, not yet read, when the second request comes.
    answer = exchange(port, keep_alive, keep_alive, pause=0.3)
    assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(ANSWER)


def test_only_a_client_saying_it_sends_no_more_is_closed_at_once():
    class Request:
        def __init__(self, headers, version=(1, 1)):
            self.headers, self.version = headers, version

    assert sends_no_more(Request([("HOST", "t"), ("CONNECTION", "close")]))
    assert sends_no_more(Request([("CONNECTION", " Close ")]))
    assert sends_no_more(Request([], version=(1, 0)))
    assert not sends_no_more(Request([]))
    assert not sends_no_more(Request([("CONNECTION", "keep-alive")], version=(1, 0)))
    assert not sends_no_more(Request([("CONNECTION", "upgrade")]))
    assert not sends_no_more(None)
