/**
 * {@linkcode getLogger}: the module's logger, through which every diagnostic
 * of the loop goes (errors nobody received, slow callbacks, tasks destroyed
 * while pending, resources never closed).
 *
 * @module
 */

import { describeValue } from "./_util.ts";
import { checkOptionNames, LOG_OPTIONS } from "./_options.ts";

/** Severity of a log record, lowest first (Python's logging levels). */
export type LogLevel = "debug" | "info" | "warning" | "error" | "critical";

const LEVELS: Record<LogLevel, number> = {
  debug: 10,
  info: 20,
  warning: 30,
  error: 40,
  critical: 50,
};

/** One message given to the logger's handlers. */
export interface LogRecord {
  /** The logger's name, `"asyncio"`. */
  name: string;
  /** The severity. */
  level: LogLevel;
  /** The text, possibly several lines. */
  message: string;
  /** The error the message is about, if any. */
  exception?: unknown;
  /** Extra data, such as the exception handler's context. */
  extra?: Record<string, unknown>;
  /** When it was logged (wall-clock milliseconds, `Date.now()`). */
  created: number;
}

/** Options of {@linkcode Logger.log} and the methods of each level. */
export interface LogOptions {
  /**
   * The error the message is about.
   *
   * @default {undefined}
   */
  exception?: unknown;
  /**
   * Extra data, such as the exception handler's context.
   *
   * @default {undefined}
   */
  extra?: Record<string, unknown>;
}

/** A function that receives every record at or above the logger's level. */
export type LogHandler = (record: LogRecord) => void;

/**
 * A small logger in the shape of Python's `logging.Logger`: levels, and
 * handlers that can be added and removed. With no handler, records go to the
 * console (`console.error` for warnings and above, `console.log` below).
 *
 * asyncio: `logging.getLogger("asyncio")`.
 *
 * @example Capturing what the loop reports
 * ```ts
 * import { getLogger, newEventLoop, type LogRecord } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const records: LogRecord[] = [];
 * const handler = (record: LogRecord) => records.push(record);
 * getLogger().addHandler(handler);
 * try {
 *   const loop = newEventLoop();
 *   loop.callSoon(() => { throw new Error("boom"); });
 *   loop.callSoon(() => loop.stop());
 *   await loop.runForever();
 *   loop.close();
 * } finally {
 *   getLogger().removeHandler(handler);
 * }
 * assert.equal(records.length, 1);
 * assert.equal(records[0].level, "error");
 * assert.match(records[0].message, /Exception in callback/);
 * ```
 */
export class Logger {
  /** The logger's name. */
  readonly name: string;
  #level: LogLevel = "debug";
  #handlers: LogHandler[] = [];

  /**
   * Makes a logger; {@linkcode getLogger} returns the module's own.
   *
   * @param name The name put on its records.
   */
  constructor(name: string) {
    this.name = String(name);
  }

  /**
   * The lowest level that is passed on; records below it are dropped.
   *
   * @returns The level.
   */
  getLevel(): LogLevel {
    return this.#level;
  }

  /**
   * Sets the lowest level that is passed on.
   *
   * asyncio: `logger.setLevel()`.
   *
   * @param level One of `"debug"`, `"info"`, `"warning"`, `"error"`,
   * `"critical"`.
   * @throws {TypeError} If `level` is not one of them.
   */
  setLevel(level: LogLevel): void {
    checkLevel(level, "set the log level");
    this.#level = level;
  }

  /**
   * Whether a record of this level would be passed on.
   *
   * @param level The level to ask about.
   * @returns `true` when it is at or above the logger's level.
   * @throws {TypeError} If `level` is not a level.
   */
  isEnabledFor(level: LogLevel): boolean {
    checkLevel(level, "ask about a log level");
    return LEVELS[level] >= LEVELS[this.#level];
  }

  /**
   * Adds a handler; while there is at least one, the console gets nothing.
   *
   * @param handler Called with each record.
   * @throws {TypeError} If `handler` is not a function.
   */
  addHandler(handler: LogHandler): void {
    if (typeof handler !== "function") {
      throw new TypeError(
        `Cannot add a log handler as 'handler' must be a function: received ${
          describeValue(handler)
        }`,
      );
    }
    this.#handlers.push(handler);
  }

  /**
   * Removes a handler added with {@linkcode Logger.addHandler}.
   *
   * @param handler The handler.
   * @returns Whether it was there.
   */
  removeHandler(handler: LogHandler): boolean {
    const index = this.#handlers.lastIndexOf(handler);
    if (index === -1) return false;
    this.#handlers.splice(index, 1);
    return true;
  }

  /**
   * The handlers, in the order they were added.
   *
   * @returns A copy of the list.
   */
  get handlers(): LogHandler[] {
    return [...this.#handlers];
  }

  /**
   * Logs a message at `level`. A handler that throws is reported on the
   * console and does not stop the others.
   *
   * @param level The severity.
   * @param message The text.
   * @param options The error the message is about, and extra data.
   * @throws {TypeError} If `level` is not a level, an option is unknown, or
   * `extra` is not an object.
   */
  log(
    level: LogLevel,
    message: string,
    options?: LogOptions,
  ): void {
    checkLevel(level, "log a message");
    if (options !== undefined) {
      checkOptionNames(options, LOG_OPTIONS, "log a message");
      const extra = options?.extra;
      if (
        extra !== undefined && (typeof extra !== "object" || extra === null)
      ) {
        throw new TypeError(
          `Cannot log a message as 'extra' must be an object: received ${
            describeValue(extra)
          }`,
        );
      }
    }
    if (!this.isEnabledFor(level)) return;
    const record: LogRecord = {
      name: this.name,
      level,
      message: String(message),
      created: Date.now(),
    };
    if (options && "exception" in options) {
      record.exception = options.exception;
    }
    if (options?.extra !== undefined) record.extra = options.extra;
    const handlers = this.#handlers;
    if (handlers.length === 0) {
      consoleHandler(record);
      return;
    }
    for (const handler of [...handlers]) {
      try {
        handler(record);
      } catch (error) {
        console.error("Error in a log handler of the asyncio logger", error);
      }
    }
  }

  /**
   * Logs at level `"debug"`.
   *
   * @param message The text.
   * @param options The error and extra data.
   * @throws {TypeError} If an option is unknown, or `extra` is not an object.
   */
  debug(
    message: string,
    options?: LogOptions,
  ): void {
    this.log("debug", message, options);
  }

  /**
   * Logs at level `"info"`.
   *
   * @param message The text.
   * @param options The error and extra data.
   * @throws {TypeError} If an option is unknown, or `extra` is not an object.
   */
  info(
    message: string,
    options?: LogOptions,
  ): void {
    this.log("info", message, options);
  }

  /**
   * Logs at level `"warning"`.
   *
   * @param message The text.
   * @param options The error and extra data.
   * @throws {TypeError} If an option is unknown, or `extra` is not an object.
   */
  warning(
    message: string,
    options?: LogOptions,
  ): void {
    this.log("warning", message, options);
  }

  /**
   * Logs at level `"error"`.
   *
   * @param message The text.
   * @param options The error and extra data.
   * @throws {TypeError} If an option is unknown, or `extra` is not an object.
   */
  error(
    message: string,
    options?: LogOptions,
  ): void {
    this.log("error", message, options);
  }

  /**
   * Logs at level `"critical"`.
   *
   * @param message The text.
   * @param options The error and extra data.
   * @throws {TypeError} If an option is unknown, or `extra` is not an object.
   */
  critical(
    message: string,
    options?: LogOptions,
  ): void {
    this.log("critical", message, options);
  }
}

/** Throws a TypeError unless `level` is one of the level names. */
function checkLevel(level: unknown, what: string): void {
  if (typeof level !== "string" || !Object.hasOwn(LEVELS, level)) {
    throw new TypeError(
      `Cannot ${what} as 'level' must be one of ${
        Object.keys(LEVELS).join(", ")
      }: received ${describeValue(level)}`,
    );
  }
}

/** The console output used while a logger has no handler. */
function consoleHandler(record: LogRecord): void {
  const text = record.message;
  if (LEVELS[record.level] >= LEVELS.warning) console.error(text);
  else console.log(text);
}

const asyncioLogger = new Logger("asyncio");

/**
 * The module's logger. The loop's default exception handler and every debug
 * diagnostic write to it; add a handler to send them elsewhere, or raise its
 * level to silence them.
 *
 * asyncio: `asyncio.log.logger` (`logging.getLogger("asyncio")`).
 *
 * @returns The one logger named `"asyncio"`.
 *
 * @example Redirecting and filtering
 * ```ts
 * import { getLogger, type LogRecord } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const logger = getLogger();
 * const seen: string[] = [];
 * const handler = (record: LogRecord) => seen.push(`${record.level}: ${record.message}`);
 * logger.addHandler(handler);
 * logger.setLevel("warning");
 * try {
 *   logger.info("dropped");
 *   logger.warning("kept");
 * } finally {
 *   logger.removeHandler(handler);
 *   logger.setLevel("debug");
 * }
 * assert.deepEqual(seen, ["warning: kept"]);
 * ```
 */
export function getLogger(): Logger {
  return asyncioLogger;
}
