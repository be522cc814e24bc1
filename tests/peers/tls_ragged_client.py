"""A TLS client that ends its connection without close_notify.

usage: tls_ragged_client.py PORT CA_FILE

Sends PAYLOAD to a server that presents a certificate for localhost and
closes its socket with a plain close() (no TLS close_notify), then prints
"sent".
"""

import socket
import ssl
import sys

PAYLOAD = b"hello\n" + b"y" * 100_000 + b"\nbye"

port, ca_file = int(sys.argv[1]), sys.argv[2]
context = ssl.create_default_context(cafile=ca_file)
raw = socket.create_connection(("127.0.0.1", port))
conn = context.wrap_socket(raw, server_hostname="localhost")
conn.sendall(PAYLOAD)
# Take in the session tickets a TLS 1.3 server sends after the handshake:
# closing with them unread would reset the connection instead.
conn.settimeout(0.2)
try:
    conn.recv(1)
except (TimeoutError, ssl.SSLError):
    pass
conn.close()  # no unwrap(): no close_notify
print("sent")
