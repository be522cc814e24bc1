"""Two servers for Happy Eyeballs tests, on Python's asyncio and socket.

usage: dual_stack_server.py

Prints two ports, one a line: an asyncio server on 127.0.0.1 that greets
each client with "hello from python" and closes; then a listener on ::1 that
never accepts and whose one-slot queue is taken, so that a connect to it
hangs (as to a host that drops packets). Runs until stdin closes.
"""

import asyncio
import socket
import sys


async def greet(reader, writer):
    writer.write(b"hello from python\n")
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def main():
    server = await asyncio.start_server(greet, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    hole = socket.socket(socket.AF_INET6)
    hole.bind(("::1", 0))
    hole.listen(0)
    filler = socket.create_connection(("::1", hole.getsockname()[1]))
    print(hole.getsockname()[1], flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    filler.close()
    hole.close()
    server.close()
    await server.wait_closed()


asyncio.run(main())
