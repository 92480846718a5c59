/**
 * Entry of a sandbox worker thread: one QuickJS engine at a time, each for
 * one program. It answers the host's messages and otherwise sleeps; it never
 * exits on its own (disposing an engine with pending promises aborts it), the
 * host terminates it when it is no longer wanted.
 *
 * A thread whose program ended by itself may be given another one (`guest`):
 * the engine it had is dropped, never disposed, and the new one is built from
 * nothing, with its own WebAssembly memory, so nothing of the earlier program
 * reaches it. Starting a thread costs far more than an engine.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createGuest } from "./create-guest.js";
import type { Guest } from "./types.js";
import { CHUNK_BYTES, CHUNK_MESSAGES, type FromWorkerMessage, type GuestInit, type ToWorkerMessage, type WorkerInit } from "./protocol.js";

if (!parentPort) throw new Error("sandbox-worker must run as a worker thread");
const port = parentPort;
const init = workerData as WorkerInit;

// Flow control (see protocol.ts): one chunk at a time, the next once the host has acknowledged it.
let queue: FromWorkerMessage[] = [];
let awaitingAck = false;

function sendNext(): void {
  if (awaitingAck || queue.length === 0) return;
  let bytes = 0;
  let count = 0;
  while (count < queue.length && count < CHUNK_MESSAGES) {
    const message = queue[count] as FromWorkerMessage;
    const size = "json" in message && typeof message.json === "string" ? message.json.length : 64;
    if (count > 0 && bytes + size > CHUNK_BYTES) break;
    bytes += size;
    count++;
  }
  awaitingAck = true;
  port.postMessage(queue.splice(0, count));
}

let guest: Guest | undefined;
/** Which engine is current: what an earlier one still posts is dropped. */
let generation = 0;

async function startGuest(options: GuestInit): Promise<void> {
  const mine = ++generation;
  guest = undefined;
  queue = [];
  awaitingAck = false;
  const made = await createGuest({
    limits: options.limits,
    control: new Int32Array(options.control),
    ...(init.wasmModule ? { wasmModule: init.wasmModule } : {}),
    post: (messages: FromWorkerMessage[]) => {
      if (mine !== generation) return;
      for (const message of messages) queue.push(message);
      sendNext();
    },
  });
  if (mine !== generation) return;
  guest = made;
  port.postMessage([{ t: "ready" }] satisfies FromWorkerMessage[]);
}

port.on("message", (messages: ToWorkerMessage[]) => {
  for (const message of messages) {
    switch (message.t) {
      case "ack":
        awaitingAck = false;
        sendNext();
        break;
      case "settle":
        guest?.settle(message);
        break;
      case "state":
        guest?.setState(message.json);
        break;
      case "run":
        guest?.run(message);
        break;
      case "guest":
        void startGuest(message);
        break;
    }
  }
});
await startGuest(init);
