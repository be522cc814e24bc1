import assert from "node:assert/strict";
import {
  type ExceptionContext,
  type Future,
  Handle,
  newEventLoop,
} from "../../eventloop/mod.ts";
import { addFanIn, FanIn } from "../../eventloop/_lowlevel.ts";

Deno.test("a FanIn runs its callback where a done-callback of each future would run", async () => {
  const loop = newEventLoop();
  const log: string[] = [];
  const fanIn = new FanIn(loop, (f: Future<string>) => log.push(f.result()));
  const a = loop.createFuture<string>();
  const b = loop.createFuture<string>();
  a.addDoneCallback(() => log.push("a's own, before"));
  addFanIn(a, fanIn);
  addFanIn(b, fanIn);
  a.addDoneCallback(() => log.push("a's own, after"));
  loop.callSoon(() => {
    b.setResult("b");
    loop.callSoon(() => log.push("callSoon between"));
    a.setResult("a");
  });
  loop.callSoon(() => loop.callSoon(() => loop.callSoon(() => loop.stop())));
  await loop.runForever();
  assert.deepEqual(log, [
    "b",
    "callSoon between",
    "a's own, before",
    "a",
    "a's own, after",
  ]);
  // A future done already: its call is scheduled at once, as callSoon().
  const done = loop.createFuture<string>();
  done.setResult("done");
  addFanIn(done, fanIn);
  loop.callSoon(() => loop.stop());
  await loop.runForever();
  assert.equal(log.at(-1), "done");
  loop.close();
});

Deno.test("a FanIn reports its callback's error as a Handle's, and goes on", async () => {
  const loop = newEventLoop();
  const contexts: ExceptionContext[] = [];
  loop.setExceptionHandler((_, context) => contexts.push(context));
  const seen: string[] = [];
  function onDone(f: Future<string>): void {
    seen.push(f.result());
    if (f.result() === "bad") throw new RangeError("no");
  }
  const fanIn = new FanIn(loop, onDone);
  const bad = loop.createFuture<string>();
  const good = loop.createFuture<string>();
  addFanIn(bad, fanIn);
  addFanIn(good, fanIn);
  bad.setResult("bad");
  good.setResult("good");
  loop.callSoon(() => loop.stop());
  await loop.runForever();
  assert.deepEqual(seen, ["bad", "good"]);
  assert.equal(contexts.length, 1);
  assert.equal(contexts[0].message, "Exception in callback onDone()");
  assert.ok(contexts[0].exception instanceof RangeError);
  assert.ok(contexts[0].handle instanceof Handle);
  loop.close();
});

Deno.test("a FanIn on a closed loop throws as callSoon() does", () => {
  const loop = newEventLoop();
  const fanIn = new FanIn(loop, () => {});
  const future = loop.createFuture<number>();
  addFanIn(future, fanIn);
  loop.close();
  assert.throws(() => future.setResult(1), /Event loop is closed/);
});
