// The option names of the stream helpers: those of the loop method each one
// calls, plus its own (`limit`). See eventloop/_options.ts.

import {
  CREATE_CONNECTION_OPTIONS,
  CREATE_SERVER_OPTIONS,
  CREATE_UNIX_CONNECTION_OPTIONS,
  CREATE_UNIX_SERVER_OPTIONS,
  type OptionNames,
} from "../eventloop/_options.ts";
import type {
  OpenConnectionOptions,
  OpenUnixConnectionOptions,
} from "./open_connection.ts";
import type {
  StartServerOptions,
  StartUnixServerOptions,
} from "./start_server.ts";
import type { StreamWriterStartTlsOptions } from "./stream_writer.ts";

export const OPEN_CONNECTION_OPTIONS: OptionNames<OpenConnectionOptions> = {
  ...CREATE_CONNECTION_OPTIONS,
  limit: true,
};

export const OPEN_UNIX_CONNECTION_OPTIONS: OptionNames<
  OpenUnixConnectionOptions
> = {
  ...CREATE_UNIX_CONNECTION_OPTIONS,
  limit: true,
};

export const START_SERVER_OPTIONS: OptionNames<StartServerOptions> = {
  ...CREATE_SERVER_OPTIONS,
  limit: true,
};

export const START_UNIX_SERVER_OPTIONS: OptionNames<StartUnixServerOptions> = {
  ...CREATE_UNIX_SERVER_OPTIONS,
  limit: true,
};

export const WRITER_START_TLS_OPTIONS: OptionNames<
  StreamWriterStartTlsOptions
> = {
  serverHostname: true,
  sslHandshakeTimeout: true,
  sslShutdownTimeout: true,
};
