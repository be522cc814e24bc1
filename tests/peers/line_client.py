"""An asyncio client that sends one line and prints the reply.

usage: line_client.py PORT WAIT

Connects to 127.0.0.1:PORT, prints "connected", sends "ping", then prints
the line that comes back ("eof" if the server closes, "timeout" if nothing
comes within WAIT seconds). Keeps the connection open until stdin closes.
"""

import asyncio
import sys

port, wait = int(sys.argv[1]), float(sys.argv[2])


async def main():
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    print("connected", flush=True)
    writer.write(b"ping\n")
    await writer.drain()
    try:
        line = await asyncio.wait_for(reader.readline(), wait)
        print(line.decode().strip() or "eof", flush=True)
    except asyncio.TimeoutError:
        print("timeout", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    writer.close()


asyncio.run(main())
