"""1,000,000 awaits of a done Future, as bench/tasks_bench.ts."""

import asyncio

from _shape import main

AWAITS = 1_000_000


async def shape():
    fut = asyncio.get_running_loop().create_future()
    fut.set_result(1)
    total = 0
    for _ in range(AWAITS):
        total += await fut
    return total


main(shape, AWAITS)
