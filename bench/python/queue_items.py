"""1,000,000 items through Queue(100), 1 producer 1 consumer, as
bench/queues_bench.ts."""

import asyncio

from _shape import main

ITEMS = 1_000_000
MAXSIZE = 100


async def shape():
    queue = asyncio.Queue(MAXSIZE)

    async def consumer():
        total = 0
        for _ in range(ITEMS):
            total += await queue.get()
        return total

    task = asyncio.create_task(consumer())
    for i in range(ITEMS):
        await queue.put(i)
    return await task


main(shape, ITEMS)
