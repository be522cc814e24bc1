"""A Python ssl client for servers that verify client certificates.

usage: tls_cert_client.py PORT CA_FILE MODE [options]

Connects to 127.0.0.1:PORT expecting a certificate for localhost signed by
CA_FILE, and prints one JSON line about what happened.

options:
  --cert CERT KEY   present this client certificate
  --tls12           at most TLS 1.2
  --ciphers SPEC    TLS 1.2 cipher suites (OpenSSL's names)

modes:
  echo          send b"ping\\n", read one line back; print
                {"version", "cipher", "reply"}
  listen        read one line (sending nothing: a server that refuses
                the client then has no unread data, and its alert is
                not lost to a reset); print as echo
  sink N        read until EOF, the first N bytes slowly; print
                {"received", "sha256", "eof"} ("close_notify" or "ragged")
  source N      send N bytes of a known pattern, then close_notify
                (unwrap) and wait for the server's; print {"sent"}
  reset         send b"x", then reset the connection (SO_LINGER 0)

Failures print {"error": "<class>: <reason>"}; an EOF where a reply was
expected prints {"error": "EOF"}.
"""

import hashlib
import json
import socket
import ssl
import struct
import sys
import time


def pattern(n):
    block = bytes(range(256)) * 256
    out = bytearray()
    while len(out) < n:
        out += block
    return bytes(out[:n])


def main():
    port, ca_file, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    args = sys.argv[4:]
    count = 0
    if mode in ("sink", "source"):
        count = int(args.pop(0))
    context = ssl.create_default_context(cafile=ca_file)
    while args:
        option = args.pop(0)
        if option == "--cert":
            context.load_cert_chain(args.pop(0), args.pop(0))
        elif option == "--tls12":
            context.maximum_version = ssl.TLSVersion.TLSv1_2
        elif option == "--ciphers":
            context.set_ciphers(args.pop(0))
        else:
            raise SystemExit(f"unknown option {option}")
    raw = socket.create_connection(("127.0.0.1", port))
    try:
        conn = context.wrap_socket(
            raw, server_hostname="localhost", suppress_ragged_eofs=False
        )
        if mode in ("echo", "listen"):
            if mode == "echo":
                conn.sendall(b"ping\n")
            reply = b""
            while not reply.endswith(b"\n"):
                chunk = conn.recv(4096)
                if not chunk:
                    break
                reply += chunk
            if not reply:
                print(json.dumps({"error": "EOF"}))
                return
            print(json.dumps({
                "version": conn.version(),
                "cipher": list(conn.cipher()),
                "reply": reply.decode(),
            }))
            conn.close()
        elif mode == "sink":
            digest = hashlib.sha256()
            received = 0
            eof = "close_notify"
            try:
                while True:
                    chunk = conn.recv(16384)
                    if not chunk:
                        break
                    received += len(chunk)
                    digest.update(chunk)
                    if received < count:
                        time.sleep(0.0005)  # slow: the server must wait
            except ssl.SSLEOFError:
                eof = "ragged"
            print(json.dumps({
                "received": received,
                "sha256": digest.hexdigest(),
                "eof": eof,
            }))
        elif mode == "source":
            conn.sendall(pattern(count))
            conn.unwrap()
            print(json.dumps({"sent": count}))
        elif mode == "reset":
            conn.sendall(b"x")
            time.sleep(0.2)
            # wrap_socket() took the socket over: set SO_LINGER on it.
            conn.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
            conn.close()
            print(json.dumps({"reset": True}))
    except (OSError, ssl.SSLError) as error:
        reason = getattr(error, "reason", None) or str(error)
        print(json.dumps({"error": f"{type(error).__name__}: {reason}"}))


main()
