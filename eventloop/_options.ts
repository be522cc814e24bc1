// The option names each network entry point takes, and the check that
// refuses any other name (a typo, a Python spelling): an option that is not
// read would be accepted and ignored.
//
// Each list is written as a record over `keyof Required<Options>`, so that
// TypeScript fails to compile it when an options interface gains or loses a
// member; tests/eventloop/network_options_test.ts holds one case per name.

import type {
  CreateConnectionOptions,
  CreateServerOptions,
  CreateUnixConnectionOptions,
  CreateUnixServerOptions,
  DatagramEndpointOptions,
  StartTlsOptions,
} from "./network_options.ts";
import type { GetAddrInfoOptions } from "./dns.ts";
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

export const GETADDRINFO_OPTIONS: OptionNames<GetAddrInfoOptions> = {
  family: true,
  type: true,
  proto: true,
  flags: true,
};

/** `snake_case` to `camelCase`, for Python spellings. */
function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Throws unless `options` is `undefined`/`null` or an object whose own keys
 * are all in `names`. The message names the first unknown option, suggests
 * the name it most likely meant, and lists the valid ones.
 */
export function checkOptionNames(
  options: unknown,
  record: Readonly<Record<string, true>>,
  what: string,
): void {
  if (options === undefined || options === null) return;
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(
      `Cannot ${what} as 'options' must be an object: received ${
        describeValue(options)
      }`,
    );
  }
  const names = Object.keys(record);
  for (const key of Object.keys(options)) {
    if (Object.hasOwn(record, key)) continue;
    const squash = (s: string) => s.replaceAll("_", "").toLowerCase();
    const guess = names.includes(camel(key))
      ? camel(key)
      : names.find((n) => squash(n) === squash(key));
    const hint = guess === undefined ? "" : ` (did you mean '${guess}'?)`;
    throw new TypeError(
      `Cannot ${what} as '${key}' is not one of its options${hint}: the options are ${
        names.join(", ")
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
