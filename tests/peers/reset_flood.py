"""Resets connections before the server can accept them, while a normal
client times its requests.

usage: reset_flood.py PORT REQUESTS

A thread connects and resets at once (SO_LINGER 0, then close), over and
over; meanwhile the main thread sends REQUESTS "ping" lines, each on a new
connection, and times how long the echo takes. Prints one JSON object:
{"latencies": [seconds, or null where no echo came within 3 s, ...],
"resets": count}.
"""

import json
import socket
import struct
import sys
import threading
import time

port = int(sys.argv[1])
requests = int(sys.argv[2])
stop = threading.Event()
resets = 0


def flood():
    global resets
    while not stop.is_set():
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        try:
            s.connect(("127.0.0.1", port))
        except OSError:
            s.close()
            continue
        s.close()  # a reset, most likely before the server accepted it
        resets += 1


thread = threading.Thread(target=flood)
thread.start()
latencies = []
try:
    time.sleep(0.05)  # the flood is on
    for _ in range(requests):
        start = time.monotonic()
        got = b""
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=3) as s:
                s.sendall(b"ping\n")
                while not got.endswith(b"\n"):
                    chunk = s.recv(100)
                    if not chunk:
                        break
                    got += chunk
        except OSError:
            pass  # timed out: no echo
        latencies.append(time.monotonic() - start if got == b"ping\n" else None)
        time.sleep(0.01)
finally:
    stop.set()
    thread.join()
print(json.dumps({"latencies": latencies, "resets": resets}))
