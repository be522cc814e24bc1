"""A STARTTLS server in the style of SMTP, on Python's ssl.

usage: starttls_server.py CERT KEY COUNT [EXTRA]

Prints its port, then serves COUNT connections one after the other:
greets with "220 ready", waits for "STARTTLS", answers "220 go ahead" (and
EXTRA right after it, if given: a peer that sends more than it should),
upgrades to TLS, then answers each line with "echo: " and the line until
the client closes.
"""

import socket
import ssl
import sys


def read_line(conn):
    line = b""
    while not line.endswith(b"\n"):
        chunk = conn.recv(1)
        if not chunk:
            break
        line += chunk
    return line


cert, key, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
extra = sys.argv[4].encode() if len(sys.argv) > 4 else b""
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
with socket.create_server(("127.0.0.1", 0)) as listener:
    print(listener.getsockname()[1], flush=True)
    for _ in range(count):
        raw, _ = listener.accept()
        with raw:
            raw.sendall(b"220 ready\r\n")
            if read_line(raw) != b"STARTTLS\r\n":
                continue
            raw.sendall(b"220 go ahead\r\n" + extra)
            try:
                conn = context.wrap_socket(raw, server_side=True)
            except (ssl.SSLError, OSError) as error:
                print(f"handshake failed: {error}", file=sys.stderr, flush=True)
                continue
            while True:
                try:
                    line = read_line(conn)
                except (ssl.SSLError, OSError):
                    break
                if not line:
                    break
                conn.sendall(b"echo: " + line)
            try:
                conn.unwrap()
            except (ssl.SSLError, OSError):
                pass
