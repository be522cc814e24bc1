// The option names each entry point of the loop's layer takes, and the check
// that refuses any other name (a typo, a Python spelling): an option that is
// not read would be accepted and ignored. The layers above keep their own
// lists (tasks/_options.ts, streams/_options.ts) and use the same check.
//
// Each list is written as a record over `keyof Required<Options>`, so that
// TypeScript fails to compile it when an options interface gains or loses a
// member; tests/eventloop/network_options_test.ts holds one case per network
// option, and tests/options_test.ts walks every options bag of mod.ts.

import type {
  CreateConnectionOptions,
  CreateServerOptions,
  CreateUnixConnectionOptions,
  CreateUnixServerOptions,
  DatagramEndpointOptions,
  StartTlsOptions,
  TlsOptions,
} from "./network_options.ts";
import type { GetAddrInfoOptions } from "./dns.ts";
import type { EventLoopOptions, TaskFactoryOptions } from "./event_loop.ts";
import type {
  ShutdownOptions,
  SubmitOptions,
  WorkerPoolExecutorOptions,
} from "./executor.ts";
import type { FutureOptions } from "./future.ts";
import type { LogOptions } from "./log.ts";
import type { RunOptions } from "./runner.ts";
import type { SubprocessOptions } from "./subprocess_options.ts";
import { describeValue } from "./_util.ts";

/** Every member of an options interface, each set to `true`. */
export type OptionNames<T> = { readonly [K in keyof Required<T>]: true };

export const CREATE_CONNECTION_OPTIONS: OptionNames<CreateConnectionOptions> = {
  ssl: true,
  serverHostname: true,
  sslHandshakeTimeout: true,
  sslShutdownTimeout: true,
  family: true,
  proto: true,
  flags: true,
  happyEyeballsDelay: true,
  interleave: true,
  allErrors: true,
  localAddr: true,
  sock: true,
};

export const CREATE_UNIX_CONNECTION_OPTIONS: OptionNames<
  CreateUnixConnectionOptions
> = {
  ssl: true,
  serverHostname: true,
  sslHandshakeTimeout: true,
  sslShutdownTimeout: true,
  sock: true,
};

export const CREATE_SERVER_OPTIONS: OptionNames<CreateServerOptions> = {
  ssl: true,
  sslHandshakeTimeout: true,
  sslShutdownTimeout: true,
  backlog: true,
  startServing: true,
  reusePort: true,
  reuseAddress: true,
  keepAlive: true,
  family: true,
  flags: true,
  sock: true,
};

export const CREATE_UNIX_SERVER_OPTIONS: OptionNames<CreateUnixServerOptions> =
  {
    ssl: true,
    sslHandshakeTimeout: true,
    sslShutdownTimeout: true,
    backlog: true,
    startServing: true,
    cleanupSocket: true,
    sock: true,
  };

export const DATAGRAM_ENDPOINT_OPTIONS: OptionNames<DatagramEndpointOptions> = {
  localAddr: true,
  remoteAddr: true,
  allowBroadcast: true,
  reusePort: true,
  reuseAddress: true,
  family: true,
  proto: true,
  flags: true,
  sock: true,
};

export const START_TLS_OPTIONS: OptionNames<StartTlsOptions> = {
  serverSide: true,
  serverHostname: true,
  sslHandshakeTimeout: true,
  sslShutdownTimeout: true,
};

export const TLS_OPTIONS: OptionNames<TlsOptions> = {
  caCerts: true,
  alpnProtocols: true,
  cert: true,
  key: true,
  verifyMode: true,
};

export const GETADDRINFO_OPTIONS: OptionNames<GetAddrInfoOptions> = {
  family: true,
  type: true,
  proto: true,
  flags: true,
};

export const EVENT_LOOP_OPTIONS: OptionNames<EventLoopOptions> = {
  clock: true,
  virtualTime: true,
  debug: true,
};

export const RUN_OPTIONS: OptionNames<RunOptions> = {
  ...EVENT_LOOP_OPTIONS,
  loopFactory: true,
};

export const TASK_FACTORY_OPTIONS: OptionNames<TaskFactoryOptions> = {
  name: true,
  eagerStart: true,
};

export const FUTURE_OPTIONS: OptionNames<FutureOptions> = { loop: true };

export const SUBMIT_OPTIONS: OptionNames<SubmitOptions> = { signal: true };

export const SHUTDOWN_OPTIONS: OptionNames<ShutdownOptions> = {
  wait: true,
  cancelFutures: true,
};

export const WORKER_POOL_EXECUTOR_OPTIONS: OptionNames<
  WorkerPoolExecutorOptions
> = { maxWorkers: true };

export const SUBPROCESS_OPTIONS: OptionNames<SubprocessOptions> = {
  stdin: true,
  stdout: true,
  stderr: true,
  cwd: true,
  env: true,
  startNewSession: true,
};

export const LOG_OPTIONS: OptionNames<LogOptions> = {
  exception: true,
  extra: true,
};

/**
 * Whether `value` can serve as an event loop: it makes futures and tasks
 * (an EventLoop of another copy of this package passes too).
 */
export function isLoopLike(value: unknown): boolean {
  return typeof value === "object" && value !== null &&
    typeof (value as { createFuture?: unknown }).createFuture === "function" &&
    typeof (value as { createTask?: unknown }).createTask === "function";
}

/**
 * Throws a TypeError unless `value` is `undefined` or looks like an
 * EventLoop (see isLoopLike()).
 */
export function checkLoopOption(value: unknown, what: string): void {
  if (value !== undefined && !isLoopLike(value)) {
    throw new TypeError(
      `Cannot ${what} as 'loop' must be an EventLoop: received ${
        describeValue(value)
      }`,
    );
  }
}

/**
 * Checks the options of `new EventLoop()` (or, with `RUN_OPTIONS`, of
 * `run()` and `Runner`): the names, the flags, and that `virtualTime: true`
 * does not come with a `clock` it would be ignored for.
 */
export function checkLoopOptions(
  options: EventLoopOptions | RunOptions,
  what: string,
  record: Readonly<Record<string, true>> = EVENT_LOOP_OPTIONS,
): void {
  checkOptionNames(options, record, what);
  if (options === null) return;
  checkBooleanOption(options.virtualTime, "virtualTime", what);
  checkBooleanOption(options.debug, "debug", what);
  if (options.virtualTime === true && options.clock !== undefined) {
    throw new TypeError(
      `Cannot ${what} as 'virtualTime: true' and 'clock' were both given: pass a VirtualClock as 'clock', or 'virtualTime: true' alone`,
    );
  }
}

/**
 * The options object the module itself built, or checked, and is passing to
 * a Future or Task constructor or to `loop.createTask()`: its names are
 * known, so the callee takes it without walking them, and clears this slot
 * first thing. It keeps `loop.createTask()` and `createTask(coro, { name })`
 * as fast as before their options were checked.
 */
export const builtOptions: { next: object | null } = { next: null };

/**
 * The coroutine the module has just checked (`isGenerator()`) and is passing
 * down to `loop.createTask()` or the Task constructor in the same
 * statement: the callee takes it without checking it again, and clears this
 * slot first thing. Spawning a task used to check one coroutine three or
 * four times over (createTask, the loop, the Task, and gather's own check),
 * a tenth of the cost of a task made and run.
 */
export const checkedCoro: { next: object | null } = { next: null };

/** `snake_case` to `camelCase`, for Python spellings. */
function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Throws unless `options` is `undefined`/`null` or an object whose keys
 * are all in `record`. The message names the first unknown option, suggests
 * the name it most likely meant (the camelCase of a Python spelling), and
 * lists the valid ones.
 *
 * Cheap enough for hot paths (`createTask(coro, { name })`): the names are
 * walked with `for...in`, which also sees the inherited enumerable names an
 * options object's reads would see; the message is built only on failure.
 */
export function checkOptionNames(
  options: unknown,
  record: Readonly<Record<string, true>>,
  what: string,
  prefix = "",
): void {
  if (options === undefined || options === null) return;
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(
      `Cannot ${what} as 'options' must be an object: received ${
        describeValue(options)
      }`,
    );
  }
  for (const key in options) {
    // Inherited members of a record (Object.prototype's) are never `true`.
    if (record[key] !== true) {
      throw unknownOption(key, record, what, prefix);
    }
  }
}

/** `prefix` names a nested bag: `ssl.` for the TLS options of `ssl`. */
function unknownOption(
  key: string,
  record: Readonly<Record<string, true>>,
  what: string,
  prefix: string,
): TypeError {
  const names = Object.keys(record);
  const squash = (s: string) => s.replaceAll("_", "").toLowerCase();
  const guess = names.includes(camel(key))
    ? camel(key)
    : names.find((n) => squash(n) === squash(key));
  const hint = guess === undefined
    ? ""
    : ` (did you mean '${prefix}${guess}'?)`;
  return new TypeError(
    `Cannot ${what} as '${prefix}${key}' is not one of its options${hint}: the options are ${
      names.join(", ")
    }`,
  );
}

/**
 * Throws a TypeError unless `value` is `undefined` or a boolean: a truthy
 * string or number given for a flag is refused rather than taken as `true`.
 */
export function checkBooleanOption(
  value: unknown,
  name: string,
  what: string,
): void {
  if (value !== undefined && typeof value !== "boolean") {
    throw new TypeError(
      `Cannot ${what} as '${name}' must be a boolean: received ${
        describeValue(value)
      }`,
    );
  }
}

/**
 * Throws for an option that Deno cannot honour, when it is given a value
 * other than its default (`undefined` always passes).
 */
export function refuse(
  value: unknown,
  allowed: readonly unknown[],
  name: string,
  what: string,
  why: string,
): void {
  if (value === undefined || allowed.includes(value)) return;
  throw new TypeError(
    `Cannot ${what} as '${name}' is not supported: ${why}: received ${
      describeValue(value)
    }`,
  );
}
