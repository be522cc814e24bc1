"""A server that sends some bytes, then resets the connection.

usage: reset_server.py COUNT

Prints its port, then for each of COUNT connections one after the other:
sends "abc", waits until the client has sent a line (so the client reads
while the reset comes), then closes with SO_LINGER 0, which sends a TCP
reset (RST) instead of a FIN.
"""

import socket
import struct
import sys

count = int(sys.argv[1])
with socket.create_server(("127.0.0.1", 0)) as listener:
    print(listener.getsockname()[1], flush=True)
    for _ in range(count):
        conn, _ = listener.accept()
        conn.sendall(b"abc")
        line = b""
        while not line.endswith(b"\n"):
            chunk = conn.recv(100)
            if not chunk:
                break
            line += chunk
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()
