// ExceptionGroup: at the bottom layer so that the loop can throw it;
// tasks/exception_group.ts re-exports it as part of the public API.

import { describeValue } from "./_util.ts";

/**
 * Several errors thrown together, as a `TaskGroup` throws the errors of its
 * children. It extends `AggregateError`, so `errors` holds them and code that
 * already knows `AggregateError` handles it.
 *
 * The constructor takes Python's argument order, `(message, errors)`, not
 * `AggregateError`'s.
 *
 * asyncio: the builtin `ExceptionGroup` (`BaseExceptionGroup`).
 *
 * @example Grouping and splitting errors
 * ```ts
 * import { ExceptionGroup } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * const group = new ExceptionGroup("two failures", [
 *   new TypeError("bad type"),
 *   new RangeError("out of range"),
 * ]);
 * assert.ok(group instanceof AggregateError);
 * assert.equal(group.errors.length, 2);
 * const [types, rest] = group.split((e) => e instanceof TypeError);
 * assert.equal(types?.errors[0].message, "bad type");
 * assert.equal(rest?.errors[0].message, "out of range");
 * ```
 */
export class ExceptionGroup extends AggregateError {
  /**
   * Makes a group.
   *
   * @param message What the errors have in common.
   * @param errors The errors: a non-empty array.
   * @throws {TypeError} If `message` is not a string or `errors` is not an
   * array.
   * @throws {RangeError} If `errors` is empty.
   */
  constructor(message: string, errors: readonly unknown[]) {
    if (typeof message !== "string") {
      throw new TypeError(
        `Cannot create ExceptionGroup as 'message' must be a string: received ${
          describeValue(message)
        }`,
      );
    }
    if (!Array.isArray(errors)) {
      throw new TypeError(
        `Cannot create ExceptionGroup as 'errors' must be an array: received ${
          describeValue(errors)
        }`,
      );
    }
    if (errors.length === 0) {
      throw new RangeError(
        "Cannot create ExceptionGroup as 'errors' must not be empty: received 0 errors",
      );
    }
    super([...errors], message);
    this.name = "ExceptionGroup";
  }

  /**
   * The errors that match, in a group of the same message (nested groups are
   * searched too), or `undefined` when none match.
   *
   * asyncio: `BaseExceptionGroup.subgroup()`.
   *
   * @param predicate Tells which errors to keep.
   * @returns The matching part, or `undefined`.
   *
   * @example Keeping the timeouts
   * ```ts
   * import { TimeoutError } from "@asyncio/asyncio/eventloop";
   * import { ExceptionGroup } from "@asyncio/asyncio/tasks";
   * import assert from "node:assert/strict";
   *
   * const group = new ExceptionGroup("failures", [new TimeoutError(), new Error("x")]);
   * assert.equal(group.subgroup((e) => e instanceof TimeoutError)?.errors.length, 1);
   * assert.equal(group.subgroup((e) => e instanceof RangeError), undefined);
   * ```
   */
  subgroup(predicate: (error: unknown) => boolean): ExceptionGroup | undefined {
    return this.split(predicate)[0];
  }

  /**
   * Splits the group in two: the errors that match and the rest, each a group
   * of the same message (or `undefined` when empty). Nested groups are split
   * too.
   *
   * asyncio: `BaseExceptionGroup.split()`.
   *
   * @param predicate Tells which errors match.
   * @returns `[matching, rest]`.
   *
   * @example Handling one kind of error and rethrowing the rest
   * ```ts
   * import { ExceptionGroup } from "@asyncio/asyncio/tasks";
   * import assert from "node:assert/strict";
   *
   * const group = new ExceptionGroup("failures", [new TypeError("a"), new Error("b")]);
   * const [typeErrors, rest] = group.split((e) => e instanceof TypeError);
   * assert.equal(typeErrors?.errors.length, 1);
   * assert.equal(rest?.errors.length, 1);
   * ```
   */
  split(
    predicate: (error: unknown) => boolean,
  ): [ExceptionGroup | undefined, ExceptionGroup | undefined] {
    if (typeof predicate !== "function") {
      throw new TypeError(
        `ExceptionGroup.split()'s 'predicate' must be a function: received ${
          describeValue(predicate)
        }`,
      );
    }
    if (predicate(this)) return [this, undefined];
    const matching: unknown[] = [];
    const rest: unknown[] = [];
    for (const error of this.errors) {
      if (error instanceof ExceptionGroup) {
        const [m, r] = error.split(predicate);
        if (m !== undefined) matching.push(m);
        if (r !== undefined) rest.push(r);
      } else if (predicate(error)) {
        matching.push(error);
      } else {
        rest.push(error);
      }
    }
    return [this.#derive(matching), this.#derive(rest)];
  }

  #derive(errors: unknown[]): ExceptionGroup | undefined {
    if (errors.length === 0) return undefined;
    const group = new ExceptionGroup(this.message, errors);
    if (this.cause !== undefined) group.cause = this.cause;
    return group;
  }
}
