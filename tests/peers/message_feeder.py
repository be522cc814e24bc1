"""Sends framed messages and lines in writes of varied sizes, then closes.

usage: message_feeder.py PORT COUNT LINES

Connects to 127.0.0.1:PORT and sends COUNT messages, each a 4-byte
big-endian length and a payload (message i: byte j is (7 i + j) mod 256; its
length is below 70,000 bytes for every third message and at most 200 for the
rest, so many small ones share a write), then LINES lines ("line i " and
(37 i) mod 3000 times "x", then a newline). The bytes go out in writes of
1, 7, 100, 1500, 9000, 65536 and 200000 bytes in turn, with a pause of a
millisecond after every third write, so reads end at every kind of place.
"""

import socket
import sys
import time

port, count, lines = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])


def length(i):
    return 1 + (i * 7919) % 70000 if i % 3 == 0 else 1 + (i * 31) % 200


data = bytearray()
for i in range(count):
    n = length(i)
    data += n.to_bytes(4, "big")
    data += bytes((7 * i + j) % 256 for j in range(n))
for i in range(lines):
    data += b"line %d " % i + b"x" * ((37 * i) % 3000) + b"\n"

sizes = [1, 7, 100, 1500, 9000, 65536, 200000]
sock = socket.create_connection(("127.0.0.1", port))
at = 0
k = 0
while at < len(data):
    size = sizes[k % len(sizes)]
    sock.sendall(data[at:at + size])
    at += size
    k += 1
    if k % 3 == 0:
        time.sleep(0.001)
sock.shutdown(socket.SHUT_WR)
sock.recv(1)
sock.close()
