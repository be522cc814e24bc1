// Cancellation fuzzing: seeded random programs of tasks that use every
// primitive and combinator (and loopback streams), cancelled at random
// suspension points; after each program the invariants are checked (see
// _fuzz_run.ts). `FUZZ_SEEDS=500` runs more seeds, `FUZZ_SEED=1234` replays
// one, `FUZZ_STATS=1` prints how much the programs did.

import assert from "node:assert/strict";
import { makePlan } from "./_fuzz_plan.ts";
import { runPlan } from "./_fuzz_run.ts";
import { reliabilityTest } from "./_harness.ts";
import { collectGarbage } from "../eventloop/_gc.ts";

/** Seeds run in CI on virtual time (no I/O). */
const CI_SEEDS = 1000;
/** Seeds run in CI with loopback streams on real time. */
const CI_STREAM_SEEDS = 60;

/** Reads a non-negative integer from the environment. */
function envCount(name: string): number | undefined {
  const text = Deno.env.get(name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(
      `${name} must be a non-negative integer: received "${text}"`,
    );
  }
  return n;
}

function seeds(ciCount: number): number[] {
  const one = envCount("FUZZ_SEED");
  if (one !== undefined) return [one];
  const n = envCount("FUZZ_SEEDS") ?? ciCount;
  return Array.from({ length: n }, (_, i) => i + 1);
}

async function fuzz(streams: boolean, ciCount: number): Promise<void> {
  const outcomes: { seed: number; violations: string[] }[] = [];
  let ops = 0;
  let echoes = 0;
  let handoffs = 0;
  let children = 0;
  let feedBytes = 0;
  for (const seed of seeds(ciCount)) {
    const plan = makePlan(seed, streams);
    let outcome;
    try {
      outcome = await runPlan(plan);
    } catch (error) {
      console.error(`fuzz seed ${seed} threw (replay: FUZZ_SEED=${seed})`);
      throw error;
    }
    if (outcome.violations.length > 0) {
      assert.fail(
        `fuzz seed ${seed} (${streams ? "streams" : "virtual time"}) ` +
          `broke invariants; replay with FUZZ_SEED=${seed} deno test -A ` +
          `tests/reliability/fuzz_test.ts\n` +
          outcome.violations.join("\n") + `\nplan: ${JSON.stringify(plan)}`,
      );
    }
    outcomes.push({ seed, violations: outcome.violations });
    ops += outcome.ops;
    echoes += outcome.echoes;
    handoffs += outcome.handoffCancels;
    children += outcome.children;
    feedBytes += outcome.feedBytes;
  }
  if (Deno.env.get("FUZZ_STATS")) {
    console.log({ streams, ops, echoes, children, feedBytes, handoffs });
  }
  // Futures and tasks lost with an error nobody read are reported when they
  // are collected, into the violations of their run.
  await collectGarbage();
  for (const { seed, violations } of outcomes) {
    if (violations.length > 0) {
      assert.fail(
        `fuzz seed ${seed} (${streams ? "streams" : "virtual time"}) lost ` +
          `an error; replay with FUZZ_SEED=${seed} deno test -A ` +
          `tests/reliability/fuzz_test.ts\n` + violations.join("\n"),
      );
    }
  }
  // The programs do run: a fuzzer whose operations never start finds nothing.
  assert.ok(ops > 0, "no operation ran");
  if (streams && Deno.env.get("FUZZ_SEED") === undefined) {
    assert.ok(echoes > 0, "no echo completed");
    assert.ok(children > 0, "no child process completed");
    assert.ok(feedBytes > 0, "no read of the feed completed");
  }
  if (Deno.env.get("FUZZ_SEED") === undefined) {
    assert.ok(handoffs > 0, "no task was cancelled at a hand-off");
  }
}

reliabilityTest(
  "fuzz: tasks, sync, queues and combinators survive random cancellation (virtual time)",
  async () => {
    await fuzz(false, CI_SEEDS);
  },
);

reliabilityTest(
  "fuzz: loopback streams mixed with tasks survive random cancellation (real time)",
  async () => {
    await fuzz(true, CI_STREAM_SEEDS);
  },
);
