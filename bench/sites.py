#!/usr/bin/env python3
"""A fleet for benchmarks: N sites on 127.0.0.1, each on its own port (a real fleet is many
hosts, so no per-host connection cap binds), all in one asyncio process. Every request is
answered 200 after DELAY milliseconds, with keep-alive. Prints the ports, one per line, then
"ready"; GET /count on any port tells how many requests arrived in all.

    bench/sites.py N [DELAY_MS]
"""
import asyncio
import sys

count = 0


async def serve(reader, writer, delay):
    global count
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            if head.startswith(b"GET /count"):
                body = b'{"count": %d}' % count
            else:
                count += 1
                if delay:
                    await asyncio.sleep(delay)
                body = b'{"ok": true}'
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    sites = int(sys.argv[1])
    delay = (float(sys.argv[2]) if len(sys.argv) > 2 else 0) / 1000
    servers = [await asyncio.start_server(lambda r, w: serve(r, w, delay), "127.0.0.1", 0, backlog=1024) for _ in range(sites)]
    print("\n".join(str(s.sockets[0].getsockname()[1]) for s in servers), flush=True)
    print("ready", flush=True)
    await asyncio.Event().wait()


asyncio.run(main())
