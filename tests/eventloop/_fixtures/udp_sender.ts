// A datagram endpoint that talks to udp_peer.py (tests/peers/): run with
// --unstable-net for Deno.listenDatagram, without for node:dgram.
//
//   udp_sender.ts burst PORT COUNT connected|unconnected
//     sends COUNT datagrams "0", "1", ... in one burst of sendto() calls,
//     then closes (close() waits for the sends) and prints "sent".
//   udp_sender.ts echo PORT
//     connected to the peer, sends one datagram and prints one JSON object:
//     {"sockname": "host:port", "seenByPeer": "host:port", "backend": ...}.
//   udp_sender.ts refused PORT
//     connected to a port nobody listens on any more, sends three datagrams
//     0.1 s apart and prints what errorReceived() got, as a JSON array.

import {
  DatagramProtocol,
  type DatagramTransport,
  getRunningLoop,
  run,
} from "../../../eventloop/mod.ts";
import { sleep } from "../../../tasks/mod.ts";

const [mode, portText, countText, how] = Deno.args;
const port = Number(portText);

class Peer extends DatagramProtocol {
  errors: string[] = [];
  reply = getRunningLoop().createFuture<string>();
  lost = getRunningLoop().createFuture<void>();
  override datagramReceived(data: Uint8Array): void {
    if (!this.reply.done()) {
      this.reply.setResult(new TextDecoder().decode(data));
    }
  }
  override errorReceived(error: Error): void {
    this.errors.push(error.name);
    if (!this.reply.done()) this.reply.setException(error);
  }
  override connectionLost(): void {
    this.lost.setResult();
  }
}

const backend = "listenDatagram" in Deno ? "Deno.listenDatagram" : "node:dgram";

await run(function* () {
  const loop = getRunningLoop();
  if (mode === "burst") {
    const connected = how === "connected";
    const [transport, protocol] = yield* loop.createDatagramEndpoint(
      () => new Peer(),
      connected
        ? { remoteAddr: ["127.0.0.1", port] }
        : { localAddr: ["127.0.0.1", 0] },
    );
    const to: [string, number] = ["127.0.0.1", port];
    for (let i = 0; i < Number(countText); i++) {
      const data = new TextEncoder().encode(String(i));
      if (connected) transport.sendto(data);
      else transport.sendto(data, to);
    }
    transport.close();
    yield* protocol.lost;
    console.log("sent");
    return;
  }
  const [transport, protocol] = yield* loop.createDatagramEndpoint(
    () => new Peer(),
    { remoteAddr: ["127.0.0.1", port] },
  );
  if (mode === "refused") {
    for (let i = 0; i < 3; i++) {
      transport.sendto(new TextEncoder().encode("anyone?"));
      yield* sleep(0.1);
    }
    transport.close();
    yield* protocol.lost;
    console.log(JSON.stringify(protocol.errors));
    return;
  }
  transport.sendto(new TextEncoder().encode("who am I?"));
  const seenByPeer = yield* protocol.reply;
  const sockname = transport.getExtraInfo("sockname") as Deno.NetAddr;
  (transport as DatagramTransport).close();
  yield* protocol.lost;
  console.log(JSON.stringify({
    sockname: `${sockname.hostname}:${sockname.port}`,
    seenByPeer,
    backend,
  }));
}());
