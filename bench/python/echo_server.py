"""The Python echo servers of the network benchmarks (bench/network.ts), in
CPython's asyncio or uvloop: a Protocol, and streams (readexactly + write +
drain). Prints its port on 127.0.0.1, then serves until its stdin ends; the
bench drives it with the same external load client as the Deno servers.

    python3 bench/python/echo_server.py protocol|streams SIZE asyncio|uvloop
"""

import asyncio
import sys


class EchoProtocol(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


def streams_echo(size):
    async def echo(reader, writer):
        try:
            while True:
                writer.write(await reader.readexactly(size))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()
        try:
            # Retrieves a reset, which asyncio would otherwise report as
            # "Future exception was never retrieved".
            await writer.wait_closed()
        except ConnectionError:
            pass

    return echo


async def serve(kind, size):
    loop = asyncio.get_running_loop()
    if kind == "protocol":
        server = await loop.create_server(EchoProtocol, "127.0.0.1", 0)
    else:
        server = await asyncio.start_server(
            streams_echo(size), "127.0.0.1", 0, limit=65536
        )
    print(server.sockets[0].getsockname()[1], flush=True)
    # Serve until stdin ends (read in a thread: stdin may be any file).
    await loop.run_in_executor(None, sys.stdin.buffer.read)


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("protocol", "streams") or \
            sys.argv[3] not in ("asyncio", "uvloop"):
        sys.exit(
            "usage: echo_server.py protocol|streams SIZE asyncio|uvloop; "
            f"got {sys.argv[1:]}"
        )
    kind, size, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if mode == "uvloop":
        import uvloop

        uvloop.run(serve(kind, size))
    else:
        asyncio.run(serve(kind, size))
