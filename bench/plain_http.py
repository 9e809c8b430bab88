"""A small HTTP/1.1 client for the load benchmark.

``bench/load.py`` runs its crowd on the same cores as the server it
measures, so the client's own cost per request is taken from the server's
share. aiohttp spent 0.47 ms of CPU a request there at 1,000 people (0.75 ms
at 100), this client 0.35 ms (0.49 ms), measured the same day. It writes the request's bytes
on a fresh connection, reads the answer until it is whole and closes the
connection then (every request says ``Connection: close``, as gunicorn's
sync workers close anyway), and parses
the status line, the headers and a ``Content-Length`` or chunked body. It
keeps cookies per person (name and value, dropped when the server expires
them). Real requests and real answers: nothing is assumed about what comes
back.

With a :class:`Pool` shared by every person, it acts instead as a proxy in
front of the server does when it keeps its connections to the server open
(nginx's ``keepalive`` in an ``upstream``): a request goes out on an idle
kept connection, or a new one when none is idle; the connection goes back to
the pool once its answer is whole, unless the server said it will close it;
at most ``idle`` connections are kept idle, the rest closed.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import socket
from urllib.parse import urlencode


class Failed(Exception):
    """The connection failed, timed out or gave an answer that is not HTTP."""


class Headers(dict):
    """Answer headers by lower-case name (the last of a repeated one)."""

    def get(self, name, default=None):  # type: ignore[override]
        return super().get(name.lower(), default)


def _chunked(body: bytes) -> bytes:
    out, at = bytearray(), 0
    while True:
        end = body.index(b"\r\n", at)
        size = int(body[at:end].split(b";", 1)[0], 16)
        at = end + 2
        if size == 0:
            return bytes(out)
        out += body[at : at + size]
        at += size + 2


def _fields(head: bytes):
    """(name, value) of each header line of ``head`` (the answer up to its
    blank line), both lower-case and stripped."""
    for line in head.lower().split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        yield name.strip(), value.strip()


def is_whole(raw: bytes | bytearray, head_request: bool = False) -> bool:
    """Whether ``raw`` holds a whole answer: its headers, then the body its
    ``Content-Length`` gives or a chunked body up to its last chunk (none
    for a HEAD request, 204 and 304). An answer with neither ends when the
    server closes, so it is never whole before that (nor is an interim 1xx
    answer: the client never asks for one)."""
    end = raw.find(b"\r\n\r\n")
    if end < 0:
        return False
    head = bytes(raw[:end])
    status = head[9:12]
    if head_request or status in (b"204", b"304"):
        return True
    body = raw[end + 4 :]
    for name, value in _fields(head):
        if name == b"transfer-encoding" and value == b"chunked":
            try:
                _chunked(bytes(body))
            except (ValueError, IndexError):
                return False
            return True
        if name == b"content-length":
            return len(body) >= int(value)
    return False


def parse_answer(raw: bytes) -> tuple[int, Headers, list[bytes], bytes]:
    """(status, headers, Set-Cookie values, body) of one whole HTTP/1.1 answer."""
    try:
        return _parse(raw)
    except (ValueError, IndexError) as exc:
        raise Failed(f"not a whole HTTP answer: {exc}") from exc


def _parse(raw: bytes) -> tuple[int, Headers, list[bytes], bytes]:
    head, separator, body = raw.partition(b"\r\n\r\n")
    if not separator:
        raise Failed("the answer ended before its headers did")
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
        raise Failed(f"not an HTTP answer: {lines[0][:80]!r}")
    headers, cookies = Headers(), []
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        key = name.strip().lower().decode("latin-1")
        value = value.strip()
        if key == "set-cookie":
            cookies.append(value)
        headers[key] = value.decode("latin-1")
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = _chunked(body)
    elif "content-length" in headers:
        length = int(headers["content-length"])
        if len(body) < length:
            raise Failed(f"the body ended after {len(body)} of {length} bytes")
        body = body[:length]
    return int(parts[1]), headers, cookies, body


def _still_open(sock: socket.socket) -> bool:
    """Whether a kept connection can carry another request: the server has
    not closed it (nothing to read, not even its end) and it has no error."""
    try:
        sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)  # its end closed (b""), or bytes nobody asked for
        return False
    except BlockingIOError:
        return True
    except OSError:
        return False


class Pool:
    """Connections kept open between requests, shared by every person (a
    proxy's pool to its upstream)."""

    def __init__(self, idle: int):
        self.idle_limit = idle
        self.idle: list[socket.socket] = []
        self.opened = 0  # connections made, over the pool's life

    def take(self) -> socket.socket | None:
        while self.idle:
            sock = self.idle.pop()
            if _still_open(sock):
                return sock
            sock.close()
        return None

    def give(self, sock: socket.socket) -> None:
        if len(self.idle) < self.idle_limit:
            self.idle.append(sock)
        else:
            sock.close()

    def close(self) -> None:
        while self.idle:
            self.idle.pop().close()


def _server_closes(raw: bytes | bytearray) -> bool:
    return any(
        name == b"connection" and b"close" in value for name, value in _fields(bytes(raw[: raw.find(b"\r\n\r\n")]))
    )


class Client:
    """One person's connection to the server: their cookies and their requests."""

    def __init__(self, host: str, port: int, timeout: float = 30.0, pool: Pool | None = None):
        self.host, self.port, self.timeout = host, port, timeout
        self.cookies: dict[str, str] = {}
        self.pool = pool

    def keep_cookies(self, values: list[bytes]) -> None:
        for value in values:
            pair, *attributes = value.decode("latin-1").split(";")
            name, _, content = pair.strip().partition("=")
            gone = any(
                a.strip().lower().startswith(("max-age=0", "max-age=-", "expires=thu, 01 jan 1970")) for a in attributes
            )
            if gone:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = content

    def encode(self, method: str, path: str, headers: dict | None, json=None, data=None) -> bytes:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        if self.pool is None:
            lines.append("Connection: close")
        body = b""
        if json is not None:
            body = jsonlib.dumps(json).encode()
            lines.append("Content-Type: application/json")
        elif data is not None:
            body = urlencode(data).encode()
            lines.append("Content-Type: application/x-www-form-urlencoded")
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body)}")
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    async def _exchange(self, request: bytes) -> bytes:
        """Send ``request`` and read the answer. Without a pool: on a new
        connection, closed as soon as the answer is whole (as a proxy in
        front of the server does), not when the server's end of it closes:
        gunicorn's sync worker waits for this side to close before it takes
        the next request (its graceful close, gunicorn 26 and later). With a
        pool: on a kept connection when one is idle, given back after."""
        if self.pool is not None:
            kept = self.pool.take()
            if kept is not None:
                answer = await self._on(kept, request, fresh=False)
                if answer is not None:
                    return answer
        sock = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        if self.pool is not None:
            self.pool.opened += 1
        return await self._on(sock, request, fresh=True)

    async def _on(self, sock: socket.socket, request: bytes, fresh: bool) -> bytes | None:
        """The answer to ``request`` on ``sock``; None when a kept connection
        turned out closed before any of the answer came (then sent again on
        a new one, as a proxy does)."""
        loop = asyncio.get_running_loop()
        keep = False
        try:
            if fresh:
                await loop.sock_connect(sock, (self.host, self.port))
            try:
                await loop.sock_sendall(sock, request)
            except OSError:
                if fresh:
                    raise
                return None
            answer = bytearray()
            while True:
                try:
                    data = await loop.sock_recv(sock, 65536)
                except OSError:
                    if fresh or answer:
                        raise
                    return None
                if not data:  # the server closed: whatever came is the answer
                    return bytes(answer) if (answer or fresh) else None
                answer += data
                if is_whole(answer, request.startswith(b"HEAD ")):
                    keep = self.pool is not None and not _server_closes(answer)
                    return bytes(answer)
        finally:
            if keep:
                self.pool.give(sock)
            else:
                sock.close()

    async def request(self, method: str, path: str, headers: dict | None = None, json=None, data=None):
        """(status, headers, body); raises :class:`Failed`."""
        try:
            raw = await asyncio.wait_for(self._exchange(self.encode(method, path, headers, json, data)), self.timeout)
        except (TimeoutError, OSError) as exc:
            raise Failed(type(exc).__name__) from exc
        status, answer_headers, cookies, body = parse_answer(raw)
        self.keep_cookies(cookies)
        return status, answer_headers, body
