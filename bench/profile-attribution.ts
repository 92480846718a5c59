/**
 * Where a profiled run's time outside some stage went: the samples of a CPU
 * profile (V8's `Profiler` domain) that fall inside given intervals of the
 * run, summed by the innermost function of dynflow's own sources on their
 * stack (`src/`), or by the sampled function itself when there is none
 * (garbage collection, the event loop waiting, a library). The profile and
 * the intervals are placed on one clock: V8 stamps samples in microseconds
 * of the same monotonic clock `process.hrtime` reads, and the caller gives
 * `performance.now()` and `process.hrtime.bigint()` taken together.
 */
import type { Interval } from "./stage-recorder.js";

/** The parts of `Profiler.stop`'s profile this reads. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  startTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** `performance.now()` and `process.hrtime.bigint()` read together. */
export interface ClockPair {
  performanceMs: number;
  hrtimeNs: bigint;
}

export interface Attribution {
  /** Milliseconds of samples inside the intervals, by frame, largest first. */
  frames: [string, number][];
  sampledMs: number;
}

/** The frame a sample counts for: the innermost `src/` function on its stack, else its own function. */
function frameNames(profile: CpuProfile): (id: number) => string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const names = new Map<number, string>();
  return (id) => {
    const known = names.get(id);
    if (known !== undefined) return known;
    const own = byId.get(id)?.callFrame;
    // V8 names its own entries in parentheses already: "(idle)", "(garbage collector)", "(program)".
    let name = own ? (own.functionName.startsWith("(") ? own.functionName : `(${own.functionName || "anonymous"})`) : "(unknown)";
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      const file = frame?.url.match(/\/src\/(.+)\.ts$/)?.[1];
      if (frame && file && !frame.url.includes("node_modules")) {
        name = `${frame.functionName || "(anonymous)"} ${file}`;
        break;
      }
    }
    names.set(id, name);
    return name;
  };
}

/** Attributes the samples inside `intervals` (performance.now() times, sorted, disjoint) to frames. */
export function attributeSamples(profile: CpuProfile, clocks: ClockPair, intervals: readonly Interval[]): Attribution {
  const nameOf = frameNames(profile);
  // performance.now() of a sample: its monotonic time in µs, moved by the pair's difference.
  const offsetMs = Number(clocks.hrtimeNs / 1000n) / 1000 - clocks.performanceMs;
  const totals = new Map<string, number>();
  let sampledMs = 0;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let at = profile.startTime;
  let part = 0;
  for (let i = 0; i < samples.length; i++) {
    at += deltas[i] ?? 0;
    const ms = at / 1000 - offsetMs;
    while (part < intervals.length && ms >= (intervals[part] as Interval)[1]) part++;
    const interval = intervals[part];
    if (interval === undefined) break;
    if (ms < interval[0]) continue;
    // A sample stands for the time until the next one.
    const weight = (deltas[i + 1] ?? 0) / 1000;
    const name = nameOf(samples[i] as number);
    totals.set(name, (totals.get(name) ?? 0) + weight);
    sampledMs += weight;
  }
  return { frames: [...totals].sort((a, b) => b[1] - a[1]), sampledMs };
}

/** Lines for a report: the intervals' length, what was sampled in them, and the `top` frames. */
export function describeAttribution(title: string, intervals: readonly Interval[], attribution: Attribution, top = 8): string[] {
  const length = intervals.reduce((sum, [a, b]) => sum + (b - a), 0);
  return [
    `${title}: ${length.toFixed(1)} ms in ${intervals.length} part(s), ${attribution.sampledMs.toFixed(1)} ms sampled`,
    ...attribution.frames.slice(0, top).map(([name, ms]) => `  ${ms.toFixed(1).padStart(6)} ms  ${name}`),
  ];
}
