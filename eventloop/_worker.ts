// The Worker script of WorkerPoolExecutor: runs one job at a time, a function
// named by its module URL and export name, and posts back its result or error.
// Messages: in `{ id, moduleUrl, exportName, args }`; out `{ id, ok: true,
// value }` or `{ id, ok: false, error: SerializedError }`.

import type { JobRequest, JobResponse, SerializedError } from "./_job.ts";

// This module runs only as a Worker's script, whose global scope the
// window types of Deno do not describe: `postMessage` is looked up, and
// checked, at run time.
const post = workerPostMessage();

/** The Worker's own `postMessage`, checked. */
function workerPostMessage(): (message: JobResponse) => void {
  const found: unknown = Reflect.get(globalThis, "postMessage");
  if (typeof found !== "function") {
    throw new Error("eventloop/_worker.ts runs only as a Worker's script");
  }
  return (message) => Reflect.apply(found, globalThis, [message]);
}

/** Posts `message` back to the executor. */
function postMessage(message: JobResponse): void {
  post(message);
}

globalThis.addEventListener("message", (event) => {
  if (event instanceof MessageEvent) void runJob(event.data);
});

async function runJob(request: JobRequest): Promise<void> {
  const { id, moduleUrl, exportName, args } = request;
  let value: unknown;
  try {
    const module = await import(moduleUrl);
    const fn = module[exportName];
    if (typeof fn !== "function") {
      throw new TypeError(
        `Cannot run '${exportName}' of ${moduleUrl} in a Worker as it is not an exported function: received ${
          fn === undefined ? "no such export" : typeof fn
        }`,
      );
    }
    value = await fn(...args);
  } catch (error) {
    postMessage({ id, ok: false, error: serializeError(error) });
    return;
  }
  try {
    postMessage({ id, ok: true, value });
  } catch (error) {
    postMessage({
      id,
      ok: false,
      error: serializeError(
        new TypeError(
          `The result of ${exportName}() from ${moduleUrl} cannot be sent back from the Worker (structured clone failed): ${
            error instanceof Error ? error.message : String(error)
          }`,
        ),
      ),
    });
  }
}

function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) {
    try {
      return { kind: "value", value: structuredClone(error) };
    } catch {
      return { kind: "value", value: String(error) };
    }
  }
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(error)) {
    try {
      props[key] = structuredClone(
        Reflect.get(error, key),
      );
    } catch {
      // Not cloneable: left out.
    }
  }
  return {
    kind: "error",
    base: builtinBase(error),
    name: error.name,
    message: error.message,
    stack: error.stack ?? "",
    props,
  };
}

const BUILTIN_NAMES = new Set([
  "Error",
  "TypeError",
  "RangeError",
  "SyntaxError",
  "ReferenceError",
  "EvalError",
  "URIError",
]);

/** The nearest built-in error class a (possibly custom) error extends. */
function builtinBase(error: Error): string {
  let proto = Object.getPrototypeOf(error);
  while (proto !== null) {
    const ctor = Object.hasOwn(proto, "constructor") ? proto.constructor : null;
    if (
      typeof ctor === "function" && BUILTIN_NAMES.has(ctor.name) &&
      ctor === (globalThis as Record<string, unknown>)[ctor.name]
    ) {
      return ctor.name;
    }
    proto = Object.getPrototypeOf(proto);
  }
  return "Error";
}
