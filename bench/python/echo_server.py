"""The echo servers of bench/transports_bench.ts (a Protocol) and
bench/streams_bench.ts (streams, readexactly + write + drain) in CPython's
asyncio or uvloop. Prints its port, then serves until killed; the Deno side
drives it with the same load client as its own servers.

    python3 bench/python/echo_server.py protocol|streams SIZE [asyncio|uvloop]
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

    return echo


async def serve(kind, size):
    if kind == "protocol":
        loop = asyncio.get_running_loop()
        server = await loop.create_server(EchoProtocol, "127.0.0.1", 0)
    else:
        server = await asyncio.start_server(
            streams_echo(size), "127.0.0.1", 0, limit=65536
        )
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.sleep(3600)


if __name__ == "__main__":
    kind, size = sys.argv[1], int(sys.argv[2])
    mode = sys.argv[3] if len(sys.argv) > 3 else "asyncio"
    if mode == "uvloop":
        import uvloop

        uvloop.run(serve(kind, size))
    else:
        asyncio.run(serve(kind, size))
