"""Runs one benchmark shape in CPython's asyncio (or uvloop) and prints its
time per operation as JSON: {"usPerOp": 1.23}.

Each shape script calls main(make, ops). Like bench/_harness.ts, it runs the
shape once to warm up, then `rounds` times, each in a fresh event loop
(asyncio.run, as the Deno side uses run()), and reports the median.

    python3 bench/python/<shape>.py [asyncio|uvloop] [rounds]
"""

import asyncio
import json
import sys
import time


def main(make, ops):
    mode = sys.argv[1] if len(sys.argv) > 1 else "asyncio"
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    if mode == "uvloop":
        import uvloop  # only asked for when importable

        runner = uvloop.run
    elif mode == "asyncio":
        runner = asyncio.run
    else:
        raise SystemExit(f"mode must be asyncio or uvloop: received {mode!r}")

    def once():
        start = time.perf_counter()
        runner(make())
        return time.perf_counter() - start

    once()
    times = sorted(once() for _ in range(rounds))
    print(json.dumps({"usPerOp": times[len(times) // 2] * 1e6 / ops}))
