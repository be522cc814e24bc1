// The baseline Worker of executor_bench.ts: answers each message at once.

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<number>) => void) | null;
  postMessage(message: number): void;
};
scope.onmessage = (event) => scope.postMessage(event.data + 1);
