"""A TaskGroup of 10,000 short tasks, as bench/combinators_bench.ts."""

import asyncio

from _shape import main

TASKS = 10_000


async def short(i):
    await asyncio.sleep(0)
    return i


async def shape():
    total = 0

    def add(task):
        nonlocal total
        total += task.result()

    async with asyncio.TaskGroup() as tg:
        for i in range(TASKS):
            tg.create_task(short(i)).add_done_callback(add)
    assert total == TASKS * (TASKS - 1) // 2


main(shape, TASKS)
