/**
 * The migration benchmarks' scripted model in a process of its own, so its
 * CPU is not counted as dynflow's. Prints its URL on the first line of
 * stdout; then answers each line read from stdin: `?` with the number of
 * requests it answered so far, `handling` with the JSON list of the
 * intervals during which it was handling a request (from the request's
 * headers to the end of its response, in ms since the Unix epoch, so another
 * process on the machine can place them on its own clock); exits when stdin
 * closes.
 */
import { subscribe } from "node:diagnostics_channel";
import type { ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { startFakeAnthropic } from "../test/fakes/fake-anthropic.js";
import { migrationModel } from "./migration-fixture.js";

const epochMs = () => performance.timeOrigin + performance.now();
const started = new WeakMap<ServerResponse, number>();
const handling: [number, number][] = [];
subscribe("http.server.request.start", (message) => void started.set((message as { response: ServerResponse }).response, epochMs()));
subscribe("http.server.response.finish", (message) => {
  const at = started.get((message as { response: ServerResponse }).response);
  if (at !== undefined) handling.push([at, epochMs()]);
});

const model = await startFakeAnthropic({ prefixDelayMs: 0, handler: migrationModel });
process.stdout.write(`${model.url}\n`);
const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => process.stdout.write(`${line === "handling" ? JSON.stringify(handling) : model.requests.length}\n`));
lines.on("close", () => void model.close().then(() => process.exit(0)));
