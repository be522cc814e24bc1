"""Holds more connections to a server than it has file descriptors for,
then lets them go and checks that the server accepts again.

usage: fd_hog.py PORT COUNT

Opens COUNT connections (the server runs out of descriptors part of the
way: the rest wait in its accept queue), waits 1.5 s, checks that the first
connection still gets its echo, closes them all, then times how long a new
connection takes to get its echo. Prints one JSON object:
{"held": n, "early_echo": bool, "recovered_after": seconds or null}.
"""

import json
import socket
import sys
import time

port = int(sys.argv[1])
count = int(sys.argv[2])


def echo(sock, text):
    try:
        sock.sendall(text)
        got = b""
        while not got.endswith(b"\n"):
            chunk = sock.recv(100)
            if not chunk:
                break
            got += chunk
        return got == text
    except OSError:
        return False


held = []
for _ in range(count):
    try:
        held.append(socket.create_connection(("127.0.0.1", port), timeout=5))
    except OSError:
        break
time.sleep(1.5)  # the server runs out, logs it, pauses, tries again
early_echo = bool(held) and echo(held[0], b"still there?\n")
for sock in held:
    sock.close()

recovered_after = None
start = time.monotonic()
while time.monotonic() - start < 10:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            if echo(sock, b"back\n"):
                recovered_after = time.monotonic() - start
                break
    except OSError:
        pass
    time.sleep(0.1)
print(json.dumps(
    {"held": len(held), "early_echo": early_echo, "recovered_after": recovered_after}
))
