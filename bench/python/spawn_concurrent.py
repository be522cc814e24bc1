"""100 concurrent spawns of `true`, as bench/subprocess_bench.ts."""

import asyncio

from _shape import main

CONCURRENT = 100


async def one():
    proc = await asyncio.create_subprocess_exec("true")
    return await proc.wait()


async def shape():
    await asyncio.gather(*(one() for _ in range(CONCURRENT)))


main(shape, CONCURRENT)
