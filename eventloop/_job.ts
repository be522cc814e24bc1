// The messages between WorkerPoolExecutor and its Workers (_worker.ts).

import { describeValue } from "./_util.ts";

/** A job sent to a Worker. */
export interface JobRequest {
  id: number;
  moduleUrl: string;
  exportName: string;
  args: unknown[];
}

/** An error as it crosses back from a Worker. */
export type SerializedError =
  | { kind: "value"; value: unknown }
  | {
    kind: "error";
    /** The nearest built-in class it extends, such as "RangeError". */
    base: string;
    name: string;
    message: string;
    stack: string;
    props: Record<string, unknown>;
  };

/** A Worker's answer. */
export type JobResponse =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: SerializedError };

const BUILTIN_ERRORS: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/**
 * Rebuilds an error that crossed from a Worker: the nearest built-in class it
 * extends, its name, message, the Worker's stack, and its own cloneable
 * fields.
 */
export function deserializeError(error: SerializedError): unknown {
  if (error.kind === "value") return error.value;
  const Ctor = Object.hasOwn(BUILTIN_ERRORS, error.base)
    ? BUILTIN_ERRORS[error.base]
    : Error;
  const rebuilt = new Ctor(error.message);
  Object.assign(rebuilt, error.props);
  if (rebuilt.name !== error.name) {
    Object.defineProperty(rebuilt, "name", {
      value: error.name,
      writable: true,
      configurable: true,
    });
  }
  if (error.stack) rebuilt.stack = error.stack;
  return rebuilt;
}

/** Checks a WorkerFunction (`{ moduleUrl, exportName }`); gives its URL as a string. */
export function checkWorkerFunction(
  fn: unknown,
  where: string,
): { moduleUrl: string; exportName: string } {
  const candidate = fn as
    | Partial<{ moduleUrl: string | URL; exportName: string }>
    | null;
  if (typeof fn === "function") {
    throw new TypeError(
      `${where} cannot send ${
        describeValue(fn)
      } to a Worker: closures cannot cross to a Worker, so name the function by module and export, as { moduleUrl: new URL("./work.ts", import.meta.url), exportName: "work" }`,
    );
  }
  if (
    typeof candidate !== "object" || candidate === null ||
    !(typeof candidate.moduleUrl === "string" ||
      candidate.moduleUrl instanceof URL) ||
    typeof candidate.exportName !== "string" || candidate.exportName === ""
  ) {
    throw new TypeError(
      `${where}'s 'fn' must be { moduleUrl, exportName } naming an exported function: received ${
        describeValue(fn)
      }`,
    );
  }
  let moduleUrl: string;
  try {
    moduleUrl = new URL(String(candidate.moduleUrl)).href;
  } catch {
    throw new TypeError(
      `${where}'s 'moduleUrl' must be an absolute URL (use new URL("./work.ts", import.meta.url)): received ${
        describeValue(String(candidate.moduleUrl))
      }`,
    );
  }
  return { moduleUrl, exportName: candidate.exportName };
}
