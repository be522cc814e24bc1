// The shape of lint/_api.ts, the lint rules' view of the module's public API.

/**
 * What a coroutine returns, as far as the rules follow it: an exported class,
 * a tuple of them (`openConnection()`'s `[StreamReader, StreamWriter]`), or
 * nothing they follow.
 */
export type Result = string | (string | null)[] | null;

/** One exported class. */
export interface ClassApi {
  /** The exported class it extends. */
  extends?: string;
  /** Its methods that make a coroutine, and what each coroutine returns. */
  coroutines?: Record<string, Result>;
  /** Its plain methods that return an instance of an exported class. */
  returns?: Record<string, string>;
  /** Its properties and getters that hold an instance of an exported class. */
  properties?: Record<string, string>;
  /** Its methods that take callbacks called with instances of exported classes. */
  callbacks?: Record<string, Callbacks>;
}

/**
 * The callbacks a function takes, by argument index: the exported classes
 * each callback is called with, in order (`taskGroup()`'s body is called with
 * a `TaskGroup`, `startServer()`'s callback with a `StreamReader` and a
 * `StreamWriter`).
 */
export type Callbacks = Record<string, (string | null)[]>;

/** The module's exports, as the rules see them. */
export interface Api {
  functions: {
    /** Functions that make a coroutine, and what each coroutine returns. */
    coroutines: Record<string, Result>;
    /** Plain functions that return an instance of an exported class. */
    returns: Record<string, string>;
    /** Functions that take callbacks called with instances of exported classes. */
    callbacks: Record<string, Callbacks>;
  };
  /** Every exported class, by name. */
  classes: Record<string, ClassApi>;
}
