// The option names of the tasks layer's entry points, checked with the loop's
// `checkOptionNames` (see eventloop/_options.ts): each record is typed over
// `keyof Required<Options>`, so a member added to an options interface
// without its name here fails to compile.

import { FUTURE_OPTIONS, type OptionNames } from "../eventloop/_lowlevel.ts";
import type { AsCompletedOptions } from "./as_completed.ts";
import type {
  CallGraphOptions,
  DumpTasksOptions,
  PrintOptions,
} from "./call_graph.ts";
import type { CreateTaskOptions } from "./create_task.ts";
import type { EnsureFutureOptions } from "./ensure_future.ts";
import type { FromPromiseOptions } from "./from_promise.ts";
import type { GatherOptions } from "./gather.ts";
import type {
  PrintStackOptions,
  TaskOptions,
  TaskStackOptions,
} from "./task.ts";
import type { WaitOptions } from "./wait.ts";

export const TASK_OPTIONS: OptionNames<TaskOptions> = {
  ...FUTURE_OPTIONS,
  name: true,
  eagerStart: true,
};

export const TASK_STACK_OPTIONS: OptionNames<TaskStackOptions> = {
  limit: true,
};

export const PRINT_STACK_OPTIONS: OptionNames<PrintStackOptions> = {
  ...TASK_STACK_OPTIONS,
  write: true,
};

export const CREATE_TASK_OPTIONS: OptionNames<CreateTaskOptions> = {
  name: true,
  signal: true,
  eagerStart: true,
};

export const ENSURE_FUTURE_OPTIONS: OptionNames<EnsureFutureOptions> = {
  loop: true,
};

export const FROM_PROMISE_OPTIONS: OptionNames<FromPromiseOptions> = {
  controller: true,
  signal: true,
  loop: true,
};

export const GATHER_OPTIONS: OptionNames<GatherOptions> = {
  returnExceptions: true,
};

export const WAIT_OPTIONS: OptionNames<WaitOptions> = {
  timeout: true,
  returnWhen: true,
};

export const AS_COMPLETED_OPTIONS: OptionNames<AsCompletedOptions> = {
  timeout: true,
};

export const CALL_GRAPH_OPTIONS: OptionNames<CallGraphOptions> = {
  limit: true,
};

export const PRINT_CALL_GRAPH_OPTIONS: OptionNames<
  PrintOptions & CallGraphOptions
> = {
  ...CALL_GRAPH_OPTIONS,
  write: true,
};

export const DUMP_TASKS_OPTIONS: OptionNames<DumpTasksOptions> = {
  write: true,
  loop: true,
};
