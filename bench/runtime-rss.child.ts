// Child process of the runtime benchmark: one 10,000-agent run, then its peak RSS.
import { runScript } from "../src/runtime/run-script.js";
import { fanOutScript } from "./runtime.bench.js";

const ZERO = { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 };
const n = 10_000;
let peak = process.memoryUsage.rss();
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage.rss());
}, 5);
const outcome = await runScript({
  runId: "bench-rss",
  source: fanOutScript(),
  args: { n },
  baseRevision: "bench",
  runner: { run: async (r) => ({ output: `result of ${r.agentId}`, usage: { ...ZERO, input: 1000, output: 200 }, costUsd: 0.001 }) },
  limits: { maxAgents: n },
  sandbox: { cpuMs: 120_000, memoryMb: 256 },
});
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage.rss());
if (outcome.status !== "ok") throw new Error(JSON.stringify(outcome.error));
console.log(JSON.stringify({ peakRssMb: peak / 2 ** 20, agents: outcome.stats.total }));
