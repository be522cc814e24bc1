"""100 MiB through `cat` with communicate(), as bench/subprocess_bench.ts
(time per MiB)."""

import asyncio

from _shape import main

PIPED = 100 * 1024 * 1024
DATA = b"a" * PIPED


async def shape():
    proc = await asyncio.create_subprocess_exec(
        "cat", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await proc.communicate(DATA)
    assert len(out) == PIPED


main(shape, PIPED // (1024 * 1024))
