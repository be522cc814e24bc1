"""gather() of 10,000 short tasks, as bench/combinators_bench.ts."""

import asyncio

from _shape import main

TASKS = 10_000


async def short(i):
    await asyncio.sleep(0)
    return i


async def shape():
    results = await asyncio.gather(*(short(i) for i in range(TASKS)))
    assert len(results) == TASKS


main(shape, TASKS)
