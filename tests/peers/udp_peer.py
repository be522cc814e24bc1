"""A UDP peer on 127.0.0.1.

usage: udp_peer.py collect COUNT
       udp_peer.py echo COUNT

Prints its port. "collect" receives COUNT datagrams (or stops after 5 s
without one) and prints them as one JSON array of strings, in the order
they arrived. "echo" answers each of COUNT datagrams with the address it
came from, "host:port".
"""

import json
import socket
import sys

mode, count = sys.argv[1], int(sys.argv[2])
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
# Room for a whole burst: a full receive buffer would drop datagrams.
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 * 1024 * 1024)
sock.bind(("127.0.0.1", 0))
print(sock.getsockname()[1], flush=True)
sock.settimeout(5)
got = []
try:
    while len(got) < count:
        data, addr = sock.recvfrom(65536)
        got.append(data.decode())
        if mode == "echo":
            sock.sendto(f"{addr[0]}:{addr[1]}".encode(), addr)
except TimeoutError:
    pass
if mode == "collect":
    print(json.dumps(got))
sock.close()
