// no-await-coroutine: `await` on a coroutine resolves at once, without
// running it (a generator is not a promise).

import {
  type AstNode,
  FileAnalysis,
  node,
  nodes,
  propertyName,
  unwrap,
} from "./_analysis.ts";
import { callText, mergeVisitors } from "./_common.ts";

const PROMISE_COMBINATORS = new Set(["all", "allSettled", "any", "race"]);

/** The rule. */
export const noAwaitCoroutine: Deno.lint.Rule = {
  create(ctx) {
    const analysis = new FileAnalysis(ctx.filename);
    const awaits: AstNode[] = [];
    const calls: AstNode[] = [];
    const hint = (text: string) =>
      `Inside a generator function, write \`yield* ${text}\`; from async code, run it with \`await run(${text})\` (no loop running) or \`await createTask(${text})\` (inside a running loop).`;
    return mergeVisitors(analysis.visitors(), {
      AwaitExpression: (n) => {
        awaits.push(n);
      },
      CallExpression: (n) => {
        calls.push(n);
      },
      "Program:exit": () => {
        for (const awaited of awaits) {
          const made = analysis.coroutineCall(node(awaited.argument));
          if (made === null) continue;
          const text = callText(ctx, made.call);
          ctx.report({
            range: awaited.range,
            message:
              `\`await\` does not run the coroutine that \`${text}\` makes: a generator is not a promise, so this resolves at once`,
            hint: hint(text),
          });
        }
        // Promise.all([sleep(1), ...]) and its kin treat a coroutine as a
        // plain value in the same way.
        for (const call of calls) {
          const callee = unwrap(node(call.callee));
          if (
            callee?.type !== "MemberExpression" ||
            unwrap(node(callee.object))?.type !== "Identifier" ||
            (unwrap(node(callee.object))!.name as string) !== "Promise" ||
            !PROMISE_COMBINATORS.has(propertyName(callee) ?? "")
          ) {
            continue;
          }
          const list = unwrap(nodes(call.arguments)[0] ?? null);
          if (list?.type !== "ArrayExpression") continue;
          for (const element of nodes(list.elements)) {
            const made = analysis.coroutineCall(element);
            if (made === null) continue;
            const text = callText(ctx, made.call);
            ctx.report({
              range: made.call.range,
              message: `\`Promise.${
                propertyName(callee)
              }()\` does not run the coroutine that \`${text}\` makes: a generator is not a promise`,
              hint:
                `Wait for several coroutines with \`yield* gather([...])\` inside a generator function, or \`await run(gather([...]))\` from async code.`,
            });
          }
        }
      },
    });
  },
};
