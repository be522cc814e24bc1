// The Worker side of EchoLoadClient.
/// <reference lib="deno.worker" />

import { echoLoad, type EchoLoadOptions } from "./_echo_client.ts";

self.onmessage = async (event: MessageEvent<EchoLoadOptions>) => {
  try {
    self.postMessage(await echoLoad(event.data));
  } catch (error) {
    self.postMessage(String(error));
  }
};
