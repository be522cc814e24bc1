"""A client that talks a little, then resets the connection.

usage: reset_client.py PORT STEP...

Connects to 127.0.0.1:PORT and runs the steps in order: "read" reads one
line and prints it; anything else is sent as a line. Then it closes with
SO_LINGER 0, which sends a TCP reset (RST) instead of a FIN.
"""

import socket
import struct
import sys

port, steps = int(sys.argv[1]), sys.argv[2:]
with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
    pending = b""
    for step in steps:
        if step != "read":
            sock.sendall(step.encode() + b"\n")
            continue
        while b"\n" not in pending:
            chunk = sock.recv(1000)
            if not chunk:
                sys.exit("the server closed the connection")
            pending += chunk
        line, pending = pending.split(b"\n", 1)
        print(line.decode(), flush=True)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
