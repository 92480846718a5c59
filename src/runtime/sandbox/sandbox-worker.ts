/**
 * Entry of a sandbox worker thread: one QuickJS engine for one program. It
 * answers the host's messages and otherwise sleeps; it never exits on its
 * own (disposing an engine with pending promises aborts it), the host
 * terminates it when the run is over.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createGuest } from "./create-guest.js";
import type { FromWorkerMessage, ToWorkerMessage, WorkerInit } from "./protocol.js";

if (!parentPort) throw new Error("sandbox-worker must run as a worker thread");
const port = parentPort;
const init = workerData as WorkerInit;

const guest = await createGuest({
  limits: init.limits,
  control: new Int32Array(init.control),
  wasmModule: init.wasmModule,
  post: (messages: FromWorkerMessage[]) => port.postMessage(messages),
});

port.on("message", (messages: ToWorkerMessage[]) => {
  for (const message of messages) {
    switch (message.t) {
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
