"""2 tasks alternating on one Lock, 100,000 acquires each (acquire/release
by hand), as bench/sync_bench.ts."""

import asyncio

from _shape import main

ACQUIRES = 100_000


async def shape():
    lock = asyncio.Lock()

    async def worker():
        for _ in range(ACQUIRES):
            await lock.acquire()
            try:
                await asyncio.sleep(0)
            finally:
                lock.release()

    a = asyncio.create_task(worker())
    b = asyncio.create_task(worker())
    await a
    await b


main(shape, 2 * ACQUIRES)
