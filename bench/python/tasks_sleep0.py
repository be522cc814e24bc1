"""10,000 tasks x 100 sleep(0), as bench/tasks_bench.ts."""

import asyncio

from _shape import main

TASKS = 10_000
STEPS = 100


async def stepper():
    for _ in range(STEPS):
        await asyncio.sleep(0)


async def shape():
    tasks = [asyncio.create_task(stepper()) for _ in range(TASKS)]
    for task in tasks:
        await task


main(shape, TASKS * STEPS)
