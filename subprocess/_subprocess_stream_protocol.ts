// The protocol between the subprocess transport and a Process's streams:
// asyncio's `subprocess.SubprocessStreamProtocol`.

import type { EventLoop } from "../eventloop/event_loop.ts";
import type { Future } from "../eventloop/future.ts";
import type {
  BaseTransport,
  ReadTransport,
  SubprocessTransport,
  WriteTransport,
} from "../eventloop/transports.ts";
import {
  FlowControlProtocol,
  StreamReader,
  StreamWriter,
} from "../streams/mod.ts";
import { markRetrieved } from "../eventloop/_lowlevel.ts";

/**
 * Feeds the child's stdout and stderr into StreamReaders and gives a
 * StreamWriter over its stdin; closes the transport once the child has
 * exited and both output pipes are closed.
 */
export class SubprocessStreamProtocol extends FlowControlProtocol {
  stdin: StreamWriter | null = null;
  stdout: StreamReader | null = null;
  stderr: StreamReader | null = null;
  /**
   * @internal Tells the transport to leave the reading pipes idle until the
   * Process starts them, so that `communicate()` can take them whole.
   * @ignore
   */
  readonly _defersPipeReading = true;
  #limit: number;
  #loop: EventLoop;
  #transport: SubprocessTransport | null = null;
  #processExited = false;
  #pipeFds: number[] = [];
  /** Made when a writer first asks for it (see getCloseWaiter). */
  #stdinClosed: Future<void> | null = null;
  /** How stdin's pipe ended: undefined while it is open. */
  #stdinLost: { error: Error | null } | undefined = undefined;

  constructor(limit: number, loop: EventLoop) {
    super({ loop });
    this.#limit = limit;
    this.#loop = loop;
  }

  override connectionMade(transport: BaseTransport): void {
    const subprocess = transport as SubprocessTransport;
    this.#transport = subprocess;
    const stdout = subprocess.getPipeTransport(1);
    if (stdout !== null) {
      this.stdout = new StreamReader({ limit: this.#limit, loop: this.#loop });
      this.stdout.setTransport(stdout as ReadTransport);
      this.#pipeFds.push(1);
    }
    const stderr = subprocess.getPipeTransport(2);
    if (stderr !== null) {
      this.stderr = new StreamReader({ limit: this.#limit, loop: this.#loop });
      this.stderr.setTransport(stderr as ReadTransport);
      this.#pipeFds.push(2);
    }
    const stdin = subprocess.getPipeTransport(0);
    if (stdin !== null) {
      this.stdin = new StreamWriter(stdin as WriteTransport, this, {
        reader: null,
        loop: this.#loop,
      });
    }
  }

  pipeDataReceived(fd: number, data: Uint8Array): void {
    const reader = fd === 1 ? this.stdout : fd === 2 ? this.stderr : null;
    reader?.feedData(data);
  }

  pipeConnectionLost(fd: number, error: Error | null): void {
    if (fd === 0) {
      this.stdin?.close();
      this.connectionLost(error);
      this.#stdinLost = { error };
      if (this.#stdinClosed !== null) this.#settleStdinClosed(error);
      return;
    }
    const reader = fd === 1 ? this.stdout : fd === 2 ? this.stderr : null;
    if (reader !== null) {
      if (error === null) reader.feedEof();
      else reader.setException(error);
    }
    const i = this.#pipeFds.indexOf(fd);
    if (i !== -1) this.#pipeFds.splice(i, 1);
    this.#maybeCloseTransport();
  }

  processExited(): void {
    this.#processExited = true;
    this.#maybeCloseTransport();
  }

  override getCloseWaiter(writer: StreamWriter): Future<void> {
    if (writer !== this.stdin) {
      throw new Error("This writer does not belong to the process's stdin");
    }
    if (this.#stdinClosed === null) {
      // Made on demand: a process whose start was cancelled before its
      // pipes connected would otherwise leave a future pending for ever.
      this.#stdinClosed = this.#loop.createFuture<void>();
      if (this.#stdinLost !== undefined) {
        this.#settleStdinClosed(this.#stdinLost.error);
      }
    }
    return this.#stdinClosed;
  }

  #settleStdinClosed(error: Error | null): void {
    const closed = this.#stdinClosed!;
    if (error === null) {
      closed.setResult();
    } else {
      closed.setException(error);
      // waitClosed() is optional: an error nobody asks for is not logged.
      markRetrieved(closed);
    }
  }

  #maybeCloseTransport(): void {
    if (this.#pipeFds.length === 0 && this.#processExited) {
      this.#transport?.close();
      this.#transport = null;
    }
  }
}
