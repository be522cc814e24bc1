"""Times small request/response rounds that Nagle's algorithm would delay.

usage: nagle_peer.py connect PORT ROUNDS | nagle_peer.py listen ROUNDS
       | nagle_peer.py listen-tls ROUNDS CERT KEY

Each round sends one byte ("g") and waits for two ("ab"), which the Deno side
writes as two separate small writes a millisecond apart. With TCP_NODELAY on
the Deno side the round takes about a millisecond; with Nagle's algorithm the
second write waits for the ACK of the first, which this side delays (about
40 ms on Linux), since it has nothing to send back until both arrived.

"listen" prints the port it listens on first; "listen-tls" does the same and
speaks TLS (server side, with CERT and KEY) on the accepted connection. Both print the median round
time in milliseconds, then close the connection.
"""

import socket
import ssl
import sys
import time


def rounds(sock, count):
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    times = []
    for _ in range(count):
        start = time.monotonic()
        sock.sendall(b"g")
        got = b""
        while len(got) < 2:
            chunk = sock.recv(16)
            if not chunk:
                raise SystemExit("the Deno side closed early")
            got += chunk
        times.append((time.monotonic() - start) * 1000)
    times.sort()
    print("%.3f" % times[len(times) // 2], flush=True)
    sock.close()


if sys.argv[1] == "connect":
    rounds(socket.create_connection(("127.0.0.1", int(sys.argv[2]))), int(sys.argv[3]))
else:
    listener = socket.create_server(("127.0.0.1", 0))
    print(listener.getsockname()[1], flush=True)
    conn, _ = listener.accept()
    listener.close()
    if sys.argv[1] == "listen-tls":
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[3], sys.argv[4])
        conn = context.wrap_socket(conn, server_side=True)
    rounds(conn, int(sys.argv[2]))
