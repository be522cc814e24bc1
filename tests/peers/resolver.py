"""socket.getaddrinfo() / getnameinfo() for a list of cases.

usage: resolver.py getaddrinfo|getnameinfo CASES_JSON

getaddrinfo cases are [host, port, {family, type, proto, flags}];
getnameinfo cases are [sockaddr, flags]. Prints one JSON list: per case the
entries (getaddrinfo: [family, type, proto, canonname, sockaddr]) or
"ERR EAI_..." for a socket.gaierror.
"""

import json
import socket
import sys

codes = {getattr(socket, n): n for n in dir(socket) if n.startswith("EAI_")}
kind, cases = sys.argv[1], json.loads(sys.argv[2])
out = []
for case in cases:
    try:
        if kind == "getaddrinfo":
            host, port, options = case
            infos = socket.getaddrinfo(host, port, **options)
            out.append([[int(a[0]), int(a[1]), a[2], a[3], list(a[4])] for a in infos])
        else:
            sockaddr, flags = case
            out.append(list(socket.getnameinfo(tuple(sockaddr), flags)))
    except socket.gaierror as error:
        out.append("ERR " + codes.get(error.errno, str(error.errno)))
print(json.dumps(out))
