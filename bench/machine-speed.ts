/**
 * How fast this machine is, measured the same way on every run of the
 * benchmarks, so that figures from different machines of the same nominal
 * size (2 shared cores) can be told apart from changes in dynflow: a fixed
 * piece of JavaScript work of the kinds dynflow's own time is made of (JSON
 * of growing conversations, hashing, matching text, sorting paths), and the
 * start of a process (each git process dynflow starts pays one). Each is the
 * fastest of many tries, what the machine does with a core to itself, so other
 * work on it moves the figure less than it moves the benchmarks; the load
 * average says how busy it was.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import os from "node:os";

export interface MachineSpeed {
  /** Fastest wall of the fixed JavaScript work, in ms. */
  workMs: number;
  /** Fastest wall of starting `git --version` and waiting for its end, in ms. */
  processStartMs: number;
  loadAverage: number;
}

/** Deterministic input: 2,000 files of a made-up repository (no randomness, so every machine does the same work). */
function input(): { path: string; text: string }[] {
  const files: { path: string; text: string }[] = [];
  for (let i = 0; i < 2000; i++) {
    const line = `const rule${i} = context.getSourceCode(); // module ${i % 10}, file ${i}\n`;
    files.push({ path: `lib/module-${(i * 7919) % 10}/file-${(i * 104729) % 2000}.js`, text: line.repeat(8) });
  }
  return files;
}

function work(files: { path: string; text: string }[]): number {
  const json = JSON.stringify(files);
  const parsed = JSON.parse(json) as { path: string; text: string }[];
  const digest = createHash("sha256").update(json).digest();
  let matches = 0;
  for (const file of parsed) matches += file.text.match(/context\.getSourceCode\(\)/g)?.length ?? 0;
  const sorted = parsed.map((file) => file.path).sort();
  return matches + sorted.length + (digest[0] ?? 0);
}

function startProcess(): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["--version"], { stdio: "ignore" });
    child.on("error", reject);
    child.on("close", () => resolve(performance.now() - started));
  });
}

/** Measures this machine (about a second on a 2-core VM). */
export async function measureMachineSpeed(): Promise<MachineSpeed> {
  const files = input();
  const loadAverage = os.loadavg()[0] ?? 0;
  for (let i = 0; i < 3; i++) work(files);
  const works: number[] = [];
  for (let i = 0; i < 15; i++) {
    const started = performance.now();
    for (let j = 0; j < 5; j++) work(files);
    works.push(performance.now() - started);
  }
  const starts: number[] = [];
  for (let i = 0; i < 21; i++) starts.push(await startProcess());
  return { workMs: Math.min(...works), processStartMs: Math.min(...starts), loadAverage };
}

/** One line for the benchmarks' header. */
export function describeMachineSpeed(speed: MachineSpeed): string {
  return `machine speed: fixed JavaScript work ${speed.workMs.toFixed(1)} ms, process start (git --version) ${speed.processStartMs.toFixed(1)} ms, load average ${speed.loadAverage.toFixed(1)}`;
}
