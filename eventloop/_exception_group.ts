// ExceptionGroup: at the bottom layer so that the loop can throw it;
// tasks/exception_group.ts re-exports it as part of the public API.

import { describeValue } from "./_util.ts";

/**
 * A class of errors, as {@linkcode ExceptionGroup.split} and
 * {@linkcode ExceptionGroup.subgroup} take it: `TypeError`,
 * `CancelledError`, a class of your own.
 *
 * @typeParam E The errors the class makes.
 */
export type ErrorClass<E> = abstract new (...args: never[]) => E;

/**
 * What {@linkcode ExceptionGroup.split} and
 * {@linkcode ExceptionGroup.subgroup} match errors with: a class (Python's
 * exception type), an array of classes (Python's tuple of types), or a
 * predicate.
 *
 * @typeParam M The errors matched by class.
 */
export type ErrorMatcher<M> =
  | ErrorClass<M>
  | readonly ErrorClass<M>[]
  | ((error: unknown) => boolean);

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
 * @typeParam E The type of the errors in the group (`unknown` by default, as
 * a task may throw anything); a nested group holds the same type.
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
 * // except* TypeError:
 * const [types, rest] = group.split(TypeError);
 * assert.equal(types?.errors[0].message, "bad type");
 * assert.equal(rest?.errors[0].message, "out of range");
 * ```
 */
export class ExceptionGroup<E = unknown> extends AggregateError {
  /**
   * The errors, in order; a nested group stands for its own errors.
   *
   * asyncio: `BaseExceptionGroup.exceptions`.
   */
  declare errors: (E | ExceptionGroup<E>)[];

  /**
   * Makes a group.
   *
   * @param message What the errors have in common.
   * @param errors The errors: a non-empty array.
   * @throws {TypeError} If `message` is not a string or `errors` is not an
   * array.
   * @throws {RangeError} If `errors` is empty.
   */
  constructor(message: string, errors: readonly (E | ExceptionGroup<E>)[]) {
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
   * searched too, and keep their shape), or `undefined` when none match. The
   * condition is an error class (`instanceof`), an array of classes, or a
   * predicate; a group that matches as a whole is returned as it is.
   *
   * asyncio: `BaseExceptionGroup.subgroup()`.
   *
   * @param predicate Called with each error (and with each group); or an
   * error class, or an array of them (the next form).
   * @returns The matching part, or `undefined`.
   * @throws {TypeError} If the argument is none of those.
   *
   * @example Keeping the timeouts
   * ```ts
   * import { TimeoutError } from "@asyncio/asyncio/eventloop";
   * import { ExceptionGroup } from "@asyncio/asyncio/tasks";
   * import assert from "node:assert/strict";
   *
   * const group = new ExceptionGroup("failures", [new TimeoutError(), new Error("x")]);
   * assert.equal(group.subgroup(TimeoutError)?.errors.length, 1);
   * assert.equal(group.subgroup([RangeError, SyntaxError]), undefined);
   * assert.equal(group.subgroup((e) => e instanceof Error)?.errors.length, 2);
   * ```
   */
  subgroup(
    predicate: (error: unknown) => boolean,
  ): ExceptionGroup<E> | undefined;
  /**
   * The errors that are instances of `condition` (or of one of its
   * classes), as a group, or `undefined` when none match.
   *
   * @typeParam M The errors matched.
   * @param condition An error class, or an array of them.
   * @returns The matching part, or `undefined`.
   */
  subgroup<M>(
    condition: ErrorClass<M> | readonly ErrorClass<M>[],
  ): ExceptionGroup<M> | undefined;
  subgroup(
    condition: ErrorMatcher<unknown>,
  ): ExceptionGroup<unknown> | undefined {
    return this.#split(toPredicate(condition, "subgroup"))[0];
  }

  /**
   * Splits the group in two: the errors that match and the rest, each a group
   * of the same message (or `undefined` when empty). Nested groups are split
   * too. The condition is an error class (`instanceof`), an array of
   * classes, or a predicate, as for {@linkcode ExceptionGroup.subgroup}.
   *
   * asyncio: `BaseExceptionGroup.split()`; `except* T:` handles
   * `split(T)[0]` and rethrows `split(T)[1]`.
   *
   * @param predicate Called with each error (and with each group); or an
   * error class, or an array of them (the next form).
   * @returns `[matching, rest]`.
   * @throws {TypeError} If the argument is none of those.
   *
   * @example Handling one kind of error and rethrowing the rest
   * ```ts
   * import { ExceptionGroup } from "@asyncio/asyncio/tasks";
   * import assert from "node:assert/strict";
   *
   * const group = new ExceptionGroup("failures", [new TypeError("a"), new Error("b")]);
   * const [typeErrors, rest] = group.split(TypeError);
   * assert.equal(typeErrors?.errors.length, 1);
   * assert.equal(rest?.errors.length, 1);
   * assert.ok(rest?.errors[0] instanceof Error && !(rest.errors[0] instanceof TypeError));
   * ```
   */
  split(
    predicate: (error: unknown) => boolean,
  ): [ExceptionGroup<E> | undefined, ExceptionGroup<E> | undefined];
  /**
   * Splits the group in two by error class: the errors that are instances of
   * `condition` (or of one of its classes), and the rest.
   *
   * @typeParam M The errors matched.
   * @param condition An error class, or an array of them.
   * @returns `[matching, rest]`.
   */
  split<M>(
    condition: ErrorClass<M> | readonly ErrorClass<M>[],
  ): [ExceptionGroup<M> | undefined, ExceptionGroup<E> | undefined];
  split(
    condition: ErrorMatcher<unknown>,
  ): [
    ExceptionGroup<unknown> | undefined,
    ExceptionGroup<unknown> | undefined,
  ] {
    return this.#split(toPredicate(condition, "split"));
  }

  #split(
    predicate: (error: unknown) => boolean,
  ): [
    ExceptionGroup<unknown> | undefined,
    ExceptionGroup<unknown> | undefined,
  ] {
    if (predicate(this)) return [this, undefined];
    const matching: unknown[] = [];
    const rest: unknown[] = [];
    for (const error of this.errors) {
      if (error instanceof ExceptionGroup) {
        const [m, r] = error.#split(predicate);
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

  #derive(errors: unknown[]): ExceptionGroup<unknown> | undefined {
    if (errors.length === 0) return undefined;
    const group = new ExceptionGroup(this.message, errors);
    if (this.cause !== undefined) group.cause = this.cause;
    return group;
  }
}

/**
 * Whether `value` is a class rather than a predicate: `Error` or a class
 * that extends it, or any `class` declaration. A plain function (arrow or
 * not) is a predicate, as in Python, where a callable that is not a type is
 * called with each error.
 */
function isClass(value: unknown): value is ErrorClass<unknown> {
  if (typeof value !== "function") return false;
  if (value === Error || value.prototype instanceof Error) return true;
  return /^class\b/.test(Function.prototype.toString.call(value));
}

/** Turns a condition into a predicate, or says what was wrong with it. */
function toPredicate(
  condition: unknown,
  method: string,
): (error: unknown) => boolean {
  if (isClass(condition)) return (error) => error instanceof condition;
  if (Array.isArray(condition)) {
    const classes = condition as unknown[];
    const bad = classes.find((c) => !isClass(c));
    if (bad !== undefined || classes.length === 0) {
      throw new TypeError(
        `ExceptionGroup.${method}()'s 'condition' must be an array of error classes: received ${
          classes.length === 0 ? "an empty array" : describeValue(bad)
        } in it`,
      );
    }
    return (error) =>
      classes.some((cls) => error instanceof (cls as ErrorClass<unknown>));
  }
  if (typeof condition === "function") {
    return condition as (error: unknown) => boolean;
  }
  throw new TypeError(
    `ExceptionGroup.${method}()'s 'condition' must be an error class, an array of error classes or a predicate: received ${
      describeValue(condition)
    }`,
  );
}
