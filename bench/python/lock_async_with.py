"""2 tasks alternating on one Lock with `async with`, 100,000 each: the
counterpart of `using _ = yield* lock.hold()` in bench/sync_bench.ts."""

import asyncio

from _shape import main

ACQUIRES = 100_000


async def shape():
    lock = asyncio.Lock()

    async def worker():
        for _ in range(ACQUIRES):
            async with lock:
                await asyncio.sleep(0)

    a = asyncio.create_task(worker())
    b = asyncio.create_task(worker())
    await a
    await b


main(shape, 2 * ACQUIRES)
