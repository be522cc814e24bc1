"""A TLS server that ends each connection without close_notify.

usage: tls_ragged_server.py CERT KEY COUNT

Prints its port, then serves COUNT connections one after the other: reads
one line, sends PAYLOAD and closes the socket with a plain close(), which
sends no TLS close_notify (as Python's HTTPSConnection.close() and a killed
process do).
"""

import socket
import ssl
import sys

PAYLOAD = b"line one\nline two\n" + b"x" * 100_000 + b"\nend"

cert, key, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
with socket.create_server(("127.0.0.1", 0)) as listener:
    print(listener.getsockname()[1], flush=True)
    for _ in range(count):
        raw, _ = listener.accept()
        conn = context.wrap_socket(raw, server_side=True)
        request = b""
        while not request.endswith(b"\n"):
            chunk = conn.recv(100)
            if not chunk:
                break
            request += chunk
        conn.sendall(PAYLOAD)
        conn.close()  # no unwrap(): no close_notify
