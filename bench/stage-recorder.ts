/**
 * A `StageTimer` for benchmarks: records every measured piece of work as an
 * interval and sums it per stage two ways: "summed" adds concurrent pieces
 * (ten tool calls of 5 ms at once count 50 ms), "busy" is the wall-clock time
 * during which at least one piece of the stage was in progress.
 */
import { performance } from "node:perf_hooks";
import type { Stage, StageTimer } from "../src/timing/stage-timer.js";

/** A [start, end] interval in performance.now() milliseconds. */
export type Interval = readonly [number, number];

export interface StageFigures {
  count: number;
  summedMs: number;
  busyMs: number;
}

export interface StageRecorder extends StageTimer {
  /** Figures per stage for the intervals within [from, to] (performance.now() times). */
  figures(from: number, to: number): Map<Stage, StageFigures>;
  /** Wall-clock time within [from, to] during which none of `stages` was in progress, nor any of the `also` intervals. */
  idleOf(stages: readonly Stage[], from: number, to: number, also?: readonly Interval[]): number;
  /** The stretches of [from, to] during which none of `stages` was in progress, nor any of the `also` intervals, in order. */
  idleParts(stages: readonly Stage[], from: number, to: number, also?: readonly Interval[]): Interval[];
  /** The pieces of `stage` that began within [from, to]. */
  piecesOf(stage: Stage, from: number, to: number): Interval[];
  /** When the first piece of `stage` at or after `from` began (performance.now()); null when none did. */
  firstStart(stage: Stage, from: number): number | null;
  /** One line per `stepMs` of [from, to]: how many pieces of each stage were in progress at some point of it. */
  timeline(from: number, to: number, stepMs: number): string[];
  reset(): void;
}

export function createStageRecorder(): StageRecorder {
  let intervals: { stage: Stage; start: number; end: number }[] = [];
  const within = (from: number, to: number, stages?: readonly Stage[]) =>
    intervals
      .filter((i) => i.end > from && i.start < to && (stages === undefined || stages.includes(i.stage)))
      .map((i) => [Math.max(i.start, from), Math.min(i.end, to)] as const);
  const idleParts = (stages: readonly Stage[], from: number, to: number, also: readonly Interval[] = []): Interval[] => {
    const extra = also.filter(([a, b]) => b > from && a < to).map(([a, b]) => [Math.max(a, from), Math.min(b, to)] as const);
    const busy = [...within(from, to, stages), ...extra].sort((a, b) => a[0] - b[0]);
    const parts: Interval[] = [];
    let at = from;
    for (const [a, b] of busy) {
      if (a > at) parts.push([at, a]);
      at = Math.max(at, b);
    }
    if (at < to) parts.push([at, to]);
    return parts;
  };
  return {
    start(stage) {
      const start = performance.now();
      return () => void intervals.push({ stage, start, end: performance.now() });
    },
    figures(from, to) {
      const out = new Map<Stage, StageFigures>();
      const stages = new Set(intervals.map((i) => i.stage));
      for (const stage of stages) {
        const parts = within(from, to, [stage]);
        out.set(stage, { count: parts.length, summedMs: parts.reduce((sum, [a, b]) => sum + (b - a), 0), busyMs: unionMs(parts) });
      }
      return out;
    },
    idleOf(stages, from, to, also) {
      return idleParts(stages, from, to, also).reduce((sum, [a, b]) => sum + (b - a), 0);
    },
    idleParts,
    piecesOf(stage, from, to) {
      return intervals.filter((i) => i.stage === stage && i.start >= from && i.start <= to).map((i) => [i.start, i.end] as const);
    },
    firstStart(stage, from) {
      const starts = intervals.filter((i) => i.stage === stage && i.start >= from).map((i) => i.start);
      return starts.length === 0 ? null : Math.min(...starts);
    },
    timeline(from, to, stepMs) {
      const lines: string[] = [];
      for (let t = from; t < to; t += stepMs) {
        const counts = new Map<Stage, number>();
        for (const i of intervals) if (i.end > t && i.start < t + stepMs) counts.set(i.stage, (counts.get(i.stage) ?? 0) + 1);
        const parts = [...counts].map(([stage, n]) => `${stage}×${n}`);
        lines.push(`${String(Math.round(t - from)).padStart(6)} ms  ${parts.join(" ") || "-"}`);
      }
      return lines;
    },
    reset() {
      intervals = [];
    },
  };
}

function unionMs(parts: ReadonlyArray<readonly [number, number]>): number {
  const sorted = [...parts].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of sorted) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}
