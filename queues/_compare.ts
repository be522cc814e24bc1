// The default order of PriorityQueue; private to the queues folder.

import { describeValue } from "../eventloop/_lowlevel.ts";

/**
 * Orders values the way Python's `<` orders them: numbers (and bigints and
 * booleans, which Python counts as integers) by value, strings by their
 * characters, arrays element by element like tuples (the first elements
 * that are not identical decide; a prefix comes first). Anything else, or
 * two values of different kinds, throws a TypeError, as Python does.
 *
 * @returns Negative if `a` comes first, positive if `b` does, else 0.
 */
export function pythonOrder(a: unknown, b: unknown): number {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === NUMBER && kb === NUMBER) {
    // deno-lint-ignore no-explicit-any -- Python compares a bool, an int and a bigint alike; TypeScript types no `<` across them
    const x = a as any, y = b as any;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (ka === STRING && kb === STRING) {
    return (a as string) < (b as string)
      ? -1
      : (a as string) > (b as string)
      ? 1
      : 0;
  }
  if (ka === ARRAY && kb === ARRAY) {
    const x = a as unknown[], y = b as unknown[];
    const n = Math.min(x.length, y.length);
    for (let i = 0; i < n; i++) {
      if (x[i] === y[i]) continue;
      const c = pythonOrder(x[i], y[i]);
      if (c !== 0) return c;
    }
    return x.length - y.length;
  }
  throw new TypeError(
    `Cannot order ${describeItem(a)} and ${
      describeItem(b)
    } in a PriorityQueue: the default order compares numbers, strings, and arrays of them; pass a 'compare' option for other items`,
  );
}

const OTHER = 0;
const NUMBER = 1;
const STRING = 2;
const ARRAY = 3;

function kindOf(value: unknown): number {
  switch (typeof value) {
    case "number":
    case "bigint":
    case "boolean":
      return NUMBER;
    case "string":
      return STRING;
    case "object":
      return Array.isArray(value) ? ARRAY : OTHER;
    default:
      return OTHER;
  }
}

function describeItem(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object" && value !== null) {
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) return "an object";
  }
  return describeValue(value);
}
