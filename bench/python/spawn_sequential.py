"""500 sequential spawns of `true`, as bench/subprocess_bench.ts."""

import asyncio

from _shape import main

SEQUENTIAL = 500


async def shape():
    for _ in range(SEQUENTIAL):
        proc = await asyncio.create_subprocess_exec("true")
        await proc.wait()


main(shape, SEQUENTIAL)
