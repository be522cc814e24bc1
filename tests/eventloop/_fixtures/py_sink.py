# A TCP peer for sendfile_test.ts: accepts one connection, reads it to EOF
# (slowly for the first SLOW seconds), prints "<bytes> <sha256>" and, with
# "reply", sends that line back before closing. With "hangup N" it reads N
# bytes and then resets the connection.
#
#   python3 py_sink.py SLOW [reply | hangup N]
import hashlib
import socket
import struct
import sys
import time

slow = float(sys.argv[1])
mode = sys.argv[2] if len(sys.argv) > 2 else ""
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen()
print(server.getsockname()[1], flush=True)
conn, _ = server.accept()
digest = hashlib.sha256()
total = 0
slow_until = time.monotonic() + slow
while True:
    data = conn.recv(16384)
    if not data:
        break
    digest.update(data)
    total += len(data)
    if mode == "hangup" and total >= int(sys.argv[3]):
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()
        print("hung up", flush=True)
        sys.exit(0)
    if time.monotonic() < slow_until:
        time.sleep(0.005)
line = f"{total} {digest.hexdigest()}"
print(line, flush=True)
if mode == "reply":
    conn.sendall((line + "\n").encode())
conn.close()
