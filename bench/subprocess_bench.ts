// Subprocess benchmarks (issue 7): spawning and piping, each beside the same
// work done directly with Deno.Command.

import { run } from "../eventloop/mod.ts";
import { createTask } from "../tasks/mod.ts";
import { createSubprocessExec, PIPE } from "../subprocess/mod.ts";
import type { Comparison } from "./_harness.ts";

const SEQUENTIAL = 500;
const CONCURRENT = 100;
const PIPED = 100 * 1024 * 1024;

/** The comparisons of this file. */
export function comparisons(): Comparison[] {
  // Made on first use, so that a filtered run does not allocate it.
  let data: Uint8Array | null = null;
  const input = () => data ??= new Uint8Array(PIPED).fill(97);
  return [
    {
      title: "500 sequential spawns of true",
      ops: SEQUENTIAL,
      rounds: 3,
      ours: () =>
        run(function* () {
          for (let i = 0; i < SEQUENTIAL; i++) {
            const proc = yield* createSubprocessExec("true");
            yield* proc.wait();
          }
        }()),
      baselines: {
        "Deno.Command spawn + status": async () => {
          for (let i = 0; i < SEQUENTIAL; i++) {
            await new Deno.Command("true").spawn().status;
          }
        },
      },
    },
    {
      title: "100 concurrent spawns of true",
      ops: CONCURRENT,
      rounds: 5,
      ours: () =>
        run(function* () {
          const tasks = [];
          for (let i = 0; i < CONCURRENT; i++) {
            tasks.push(createTask(function* () {
              const proc = yield* createSubprocessExec("true");
              return yield* proc.wait();
            }()));
          }
          for (const task of tasks) yield* task;
        }()),
      baselines: {
        "Deno.Command spawn + status": async () => {
          const all = [];
          for (let i = 0; i < CONCURRENT; i++) {
            all.push(new Deno.Command("true").spawn().status);
          }
          await Promise.all(all);
        },
      },
    },
    {
      title: "100 MiB through cat (communicate)",
      ops: PIPED / (1024 * 1024),
      rounds: 3,
      ours: () =>
        run(function* () {
          const proc = yield* createSubprocessExec("cat", [], {
            stdin: PIPE,
            stdout: PIPE,
          });
          const [out] = yield* proc.communicate(input());
          if (out!.length !== PIPED) throw new Error("lost bytes");
        }()),
      baselines: {
        "Deno.Command write + output()": async () => {
          const child = new Deno.Command("cat", {
            stdin: "piped",
            stdout: "piped",
          }).spawn();
          const writer = child.stdin.getWriter();
          const writing = writer.write(input()).then(() => writer.close());
          const { stdout } = await child.output();
          await writing;
          if (stdout.length !== PIPED) throw new Error("lost bytes");
        },
        "Deno.Command write + read loop": async () => {
          const child = new Deno.Command("cat", {
            stdin: "piped",
            stdout: "piped",
          }).spawn();
          const writer = child.stdin.getWriter();
          const writing = writer.write(input()).then(() => writer.close());
          const chunks: Uint8Array[] = [];
          let total = 0;
          for await (const chunk of child.stdout) {
            chunks.push(chunk);
            total += chunk.length;
          }
          const stdout = new Uint8Array(total);
          let offset = 0;
          for (const chunk of chunks) {
            stdout.set(chunk, offset);
            offset += chunk.length;
          }
          await writing;
          await child.status;
          if (stdout.length !== PIPED) throw new Error("lost bytes");
        },
      },
    },
  ];
}
