"""A minimal, fast fake push service for benchmarks: asyncio, HTTP/1.1
keep-alive, answers every POST with 201 after a fixed delay standing in for a
real push service's network round trip. It never decrypts (see fake_push.py
for the checking one). ``GET /count`` says how many pushes arrived.

    python -m tests.support.fast_push [latency_ms]     prints its origin
"""

from __future__ import annotations

import asyncio
import sys

received = 0


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, latency: float) -> None:
    global received
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method = lines[0].split(" ", 1)[0]
            length = 0
            for line in lines[1:]:
                if line.lower().startswith("content-length:"):
                    length = int(line.split(":", 1)[1])
            if length:
                await reader.readexactly(length)
            if method == "GET":
                body = str(received).encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            else:
                if latency:
                    await asyncio.sleep(latency)
                received += 1
                writer.write(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(latency_ms: float) -> None:
    server = await asyncio.start_server(lambda r, w: handle(r, w, latency_ms / 1000), "127.0.0.1", 0, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    print(f"http://127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(float(sys.argv[1]) if len(sys.argv) > 1 else 0.0))
