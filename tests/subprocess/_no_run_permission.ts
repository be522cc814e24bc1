// Run without --allow-run by process_test.ts: prints the error class that
// createSubprocessExec() throws.
import { run } from "../../eventloop/mod.ts";
import { createSubprocessExec } from "../../subprocess/mod.ts";

try {
  await run(createSubprocessExec("true"));
  console.log("started");
} catch (error) {
  console.log((error as Error).constructor.name);
}
