import assert from "node:assert/strict";
import { CancelledError, run } from "@asyncio/asyncio/eventloop";
import { createTask, sleep } from "@asyncio/asyncio/tasks";
import { pipe } from "../../examples/subprocess_pipeline.ts";
import {
  capture,
  captureMerged,
  sortLines,
} from "../../examples/communicate.ts";
import { runExample, test } from "./_child.ts";

const decoder = new TextDecoder();

test("examples: pipe() copies one child's stdout into another's stdin", async () => {
  const result = await run(pipe(["seq", "1", "100000"], ["grep", "-c", "7"]));
  // 100,000 numbers, 59,049 of them without a 7 (9^5 - 1, plus 100000).
  assert.equal(decoder.decode(result.output), "40951\n");
  assert.equal(result.copied, 588895); // the bytes of "1\n" ... "100000\n"
  assert.deepEqual(result.codes, [0, 0]);
});

test("examples: pipe() stops the first child when the second exits early", async () => {
  const result = await run(
    pipe(["seq", "1", "100000000"], ["head", "-n", "3"]),
  );
  assert.equal(decoder.decode(result.output), "1\n2\n3\n");
  assert.equal(result.codes[1], 0);
  assert.equal(result.codes[0], -15); // SIGTERM, as asyncio reports it
});

test("examples: pipe() cancelled kills both children and leaves none behind", async () => {
  const started = performance.now();
  const error = await run(function* () {
    const task = createTask(pipe(["sleep", "30"], ["cat"]));
    yield* sleep(0.2);
    task.cancel();
    try {
      yield* task;
    } catch (error) {
      return error;
    }
  }());
  assert.ok(error instanceof CancelledError);
  // `sleep 30` was killed, not waited for.
  assert.ok(performance.now() - started < 10_000);
});

test("examples: communicate.ts functions: sort, separate capture, merged capture", async () => {
  await run(function* () {
    assert.deepEqual(yield* sortLines(["pear", "apple", "Fig", "banana"]), [
      "Fig",
      "apple",
      "banana",
      "pear",
    ]);
    assert.deepEqual(yield* capture("echo out; echo err >&2; exit 3"), {
      code: 3,
      stdout: "out\n",
      stderr: "err\n",
    });
    const [code, merged] = yield* captureMerged("echo a; echo b >&2; exit 4");
    assert.equal(code, 4);
    assert.deepEqual(merged.split("\n").sort(), ["", "a", "b"]);
  }());
});

test("examples: subprocess_pipeline.ts and communicate.ts run as programs", async () => {
  const piped = await runExample("subprocess_pipeline.ts", ["--allow-run"], [
    "seq 1 1000",
    "tail -n 2",
  ]);
  assert.equal(piped.code, 0, piped.stderr);
  assert.equal(piped.stdout, "999\n1000");
  assert.match(
    piped.stderr,
    /^seq 1 1000 \| tail -n 2: 3893 bytes copied in \d+ ms; exit codes 0 and 0\n$/,
  );
  const talked = await runExample("communicate.ts", ["--allow-run"]);
  assert.equal(talked.code, 0, talked.stderr);
  assert.equal(
    talked.stdout,
    [
      "sort: apple, banana, fig, pear",
      "exit code 3",
      '  stdout: "to stdout\\n"',
      '  stderr: "to stderr\\n"',
      'merged (exit code 0): "one\\ntwo\\nthree\\n"',
    ].join("\n"),
  );
});
