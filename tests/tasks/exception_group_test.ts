// ExceptionGroup.split() / subgroup() with an error class, an array of
// classes or a predicate, checked against what Python 3.11 prints for the
// same group (ValueError -> RangeError, KeyError -> SyntaxError).
import assert from "node:assert/strict";
import { run } from "../../eventloop/mod.ts";
import { ExceptionGroup, sleep, taskGroup } from "../../tasks/mod.ts";

/** Python's repr of a group, to compare shapes with Python's output. */
function repr(value: unknown): string {
  if (value === undefined) return "None";
  if (value instanceof ExceptionGroup) {
    return `ExceptionGroup('${value.message}', [${
      value.errors.map(repr).join(", ")
    }])`;
  }
  const error = value as Error;
  return `${error.name}('${error.message}')`;
}

function sample(): ExceptionGroup<Error> {
  return new ExceptionGroup<Error>("top", [
    new TypeError("a"),
    new ExceptionGroup<Error>("inner", [
      new RangeError("b"),
      new TypeError("c"),
    ]),
    new SyntaxError("d"),
  ]);
}

Deno.test("ExceptionGroup.split(Class) keeps the instances of the class, nested groups included, as Python does", () => {
  const [match, rest] = sample().split(TypeError);
  // Python: eg.split(TypeError)
  assert.equal(
    repr(match),
    "ExceptionGroup('top', [TypeError('a'), ExceptionGroup('inner', [TypeError('c')])])",
  );
  assert.equal(
    repr(rest),
    "ExceptionGroup('top', [ExceptionGroup('inner', [RangeError('b')]), SyntaxError('d')])",
  );
});

Deno.test("ExceptionGroup.split([classes]) is Python's tuple of types; subgroup() is the first half", () => {
  const group = sample();
  const [match, rest] = group.split([TypeError, SyntaxError]);
  assert.equal(
    repr(match),
    "ExceptionGroup('top', [TypeError('a'), ExceptionGroup('inner', [TypeError('c')]), SyntaxError('d')])",
  );
  assert.equal(
    repr(rest),
    "ExceptionGroup('top', [ExceptionGroup('inner', [RangeError('b')])])",
  );
  assert.equal(
    repr(group.subgroup(RangeError)),
    "ExceptionGroup('top', [ExceptionGroup('inner', [RangeError('b')])])",
  );
  // No match: undefined (Python's None).
  assert.equal(group.subgroup(Deno.errors.NotFound), undefined);
  // The group itself matches ExceptionGroup (and Error): returned whole.
  assert.equal(group.split(ExceptionGroup)[0], group);
  assert.deepEqual(group.split(Error), [group, undefined]);
});

Deno.test("ExceptionGroup.split(): subclasses match their base class; a class that does not extend Error works too", () => {
  class AppError extends Error {}
  class DbError extends AppError {}
  class Odd {}
  const group = new ExceptionGroup("mixed", [
    new DbError("db"),
    new AppError("app"),
    new Error("plain"),
    new Odd(),
  ]);
  const [apps, others] = group.split(AppError);
  assert.equal(apps?.errors.length, 2);
  assert.equal(others?.errors.length, 2);
  assert.equal(group.subgroup(DbError)?.errors.length, 1);
  assert.ok(group.subgroup(Odd)?.errors[0] instanceof Odd);
});

Deno.test("ExceptionGroup.split(predicate) still calls plain and arrow functions with each error and group", () => {
  const seen: string[] = [];
  function isLetterC(error: unknown): boolean {
    seen.push(repr(error));
    return error instanceof Error && error.message === "c";
  }
  const [match] = sample().split(isLetterC);
  assert.equal(
    repr(match),
    "ExceptionGroup('top', [ExceptionGroup('inner', [TypeError('c')])])",
  );
  assert.equal(seen.length, 6); // 2 groups and 4 errors
  const [, rest] = sample().split((e) => e instanceof RangeError);
  assert.equal(rest?.errors.length, 3);
});

Deno.test("ExceptionGroup.split()/subgroup() refuse what is neither a class nor a predicate", () => {
  const group = sample();
  for (const bad of [42, "TypeError", null, {}]) {
    assert.throws(
      () => group.split(bad as never),
      (e: Error) =>
        e instanceof TypeError &&
        /split\(\)'s 'condition' must be an error class, an array of error classes or a predicate/
          .test(e.message),
    );
  }
  assert.throws(
    () => group.subgroup([TypeError, (() => true) as never]),
    /subgroup\(\)'s 'condition' must be an array of error classes: received function <anonymous> in it/,
  );
  assert.throws(
    () => group.split([]),
    /must be an array of error classes: received an empty array/,
  );
});

Deno.test("ExceptionGroup: a TaskGroup's errors split by class, and .errors is typed", async () => {
  const outcome = await run(function* () {
    try {
      yield* taskGroup(function* (tg) {
        tg.createTask(function* () {
          yield* sleep(1);
          throw new RangeError("too big");
        }());
        tg.createTask(function* () {
          try {
            yield* sleep(2);
          } finally {
            // Cancelled by the group: failing while cancelled counts too.
            // deno-lint-ignore no-unsafe-finally -- a cleanup that fails is what is tested
            throw new TypeError("wrong type");
          }
        }());
        tg.createTask(sleep(10));
      });
    } catch (error) {
      assert.ok(error instanceof ExceptionGroup);
      // except* RangeError as e:
      const [ranges, rest] = error.split(RangeError);
      // Typed: the matching errors are RangeErrors (or groups of them).
      const first = ranges!.errors[0];
      return [first.message, rest?.errors.length];
    }
  }, { virtualTime: true });
  assert.deepEqual(outcome, ["too big", 1]);

  const untyped = new ExceptionGroup("anything", ["a string", 42]);
  // @ts-expect-error errors are unknown unless typed, not any
  untyped.errors[0].message;
  const typed = new ExceptionGroup("typed", [new URIError("u")]);
  assert.equal(typed.errors[0].message, "u");
});
