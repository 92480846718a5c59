/**
 * `npm run bench [name...]`: runs the benchmarks and prints their figures.
 * Figures are recorded by hand in docs/benchmarks.md; nothing here asserts.
 * Machines are shared: compare ratios measured in one run, not absolute times.
 */
import os from "node:os";
import { describeMachineSpeed, measureMachineSpeed } from "./machine-speed.js";
import type { BenchFigure } from "./types.js";

const SUITES: Record<string, () => Promise<{ bench: () => Promise<BenchFigure[]> }>> = {
  runtime: () => import("./runtime.bench.js"),
  workspace: () => import("./workspace.bench.js"),
  "prompt-cache": () => import("./prompt-cache.bench.js"),
  scale: () => import("./scale.bench.js"),
  dashboard: () => import("./dashboard.bench.js"),
  transcripts: () => import("./transcripts.bench.js"),
  security: () => import("./security.bench.js"),
  builtins: () => import("./builtins.bench.js"),
  progress: () => import("./progress.bench.js"),
  sandbox: () => import("./sandbox.bench.js"),
  migration: () => import("./migration.bench.js"),
  latency: () => import("./latency.bench.js"),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const names = wanted.length > 0 ? wanted : Object.keys(SUITES);
console.log(`dynflow benchmarks — node ${process.version}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`);
// The same work on every machine, so figures from different machines can be set side by side (docs/benchmarks.md).
console.log(describeMachineSpeed(await measureMachineSpeed()));
let failed = 0;
for (const name of names) {
  const load = SUITES[name];
  if (!load) {
    console.error(`unknown benchmark "${name}"; known: ${Object.keys(SUITES).join(", ")}`);
    process.exitCode = 2;
    continue;
  }
  console.log(`\n## ${name}`);
  const figures = await (await load()).bench();
  for (const f of figures) {
    const verdict = f.pass === undefined ? "" : f.pass ? "  ok" : "  MISSED";
    if (f.pass === false) failed++;
    const value = Number.isInteger(f.value) ? String(f.value) : f.value.toFixed(3);
    console.log(`${f.name.padEnd(58)} ${`${value} ${f.unit}`.padEnd(18)} ${f.target ? `target ${f.target}` : ""}${verdict}`);
  }
}
console.log(failed === 0 ? "\nall targets met" : `\n${failed} target(s) missed`);
console.log(`load average at the end: ${os.loadavg()[0]?.toFixed(1)}`);
