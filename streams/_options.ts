// The option names of the stream helpers (those of the loop method each one
// calls, plus their own `limit`) and of the stream classes' constructors.
// See eventloop/_options.ts.

import {
  CREATE_CONNECTION_OPTIONS,
  CREATE_SERVER_OPTIONS,
  CREATE_UNIX_CONNECTION_OPTIONS,
  CREATE_UNIX_SERVER_OPTIONS,
  type OptionNames,
} from "../eventloop/_lowlevel.ts";
import type {
  OpenConnectionOptions,
  OpenUnixConnectionOptions,
} from "./open_connection.ts";
import type {
  StartServerOptions,
  StartUnixServerOptions,
} from "./start_server.ts";
import type {
  StreamWriterOptions,
  StreamWriterStartTlsOptions,
} from "./stream_writer.ts";
import type { StreamReaderOptions } from "./stream_reader.ts";
import type { StreamReaderProtocolOptions } from "./stream_reader_protocol.ts";
import type { FlowControlProtocolOptions } from "./flow_control_protocol.ts";

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

export const STREAM_READER_OPTIONS: OptionNames<StreamReaderOptions> = {
  limit: true,
  loop: true,
};

export const STREAM_READER_PROTOCOL_OPTIONS: OptionNames<
  StreamReaderProtocolOptions
> = {
  clientConnectedCb: true,
  loop: true,
};

export const FLOW_CONTROL_PROTOCOL_OPTIONS: OptionNames<
  FlowControlProtocolOptions
> = { loop: true };

export const STREAM_WRITER_OPTIONS: OptionNames<StreamWriterOptions> = {
  reader: true,
  loop: true,
};
