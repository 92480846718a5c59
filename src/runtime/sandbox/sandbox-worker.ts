/**
 * Entry of a sandbox worker thread: one QuickJS engine for one program. It
 * answers the host's messages and otherwise sleeps; it never exits on its
 * own (disposing an engine with pending promises aborts it), the host
 * terminates it when the run is over.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createGuest } from "./create-guest.js";
import { CHUNK_BYTES, CHUNK_MESSAGES, type FromWorkerMessage, type ToWorkerMessage, type WorkerInit } from "./protocol.js";

if (!parentPort) throw new Error("sandbox-worker must run as a worker thread");
const port = parentPort;
const init = workerData as WorkerInit;

// Flow control (see protocol.ts): one chunk at a time, the next once the host has acknowledged it.
const queue: FromWorkerMessage[] = [];
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

const guest = await createGuest({
  limits: init.limits,
  control: new Int32Array(init.control),
  wasmModule: init.wasmModule,
  post: (messages: FromWorkerMessage[]) => {
    for (const message of messages) queue.push(message);
    sendNext();
  },
});

port.on("message", (messages: ToWorkerMessage[]) => {
  for (const message of messages) {
    switch (message.t) {
      case "ack":
        awaitingAck = false;
        sendNext();
        break;
      case "settle":
        guest.settle(message);
        break;
      case "state":
        guest.setState(message.json);
        break;
      case "run":
        guest.run(message);
        break;
    }
  }
});
port.postMessage([{ t: "ready" }] satisfies FromWorkerMessage[]);
