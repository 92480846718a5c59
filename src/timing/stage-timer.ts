/**
 * Where a run's time goes, stage by stage, for benchmarks and profiling.
 *
 * The hot paths (sandbox start, tool calls, workspace commits, the merge,
 * clones, pushes, the estimate, store queries) mark their work with
 * `timeStage(stage, work)`. Nothing is measured unless a `StageTimer` is
 * installed with `setStageTimer` (the benchmarks do); without one,
 * `timeStage` is one null check and calls `work` directly, so it costs
 * nothing in production. The timer is process-wide on purpose: a benchmark
 * measures everything the process does, across runs and layers, without
 * threading a handle through every service.
 */

/** The stages a run's time is split into (docs/benchmarks.md, migration benchmark). */
export type Stage =
  | "clone"
  | "estimate"
  | "sandbox-start"
  | "model"
  | "tool"
  | "commit"
  | "merge"
  | "push"
  | "store";

/** Receives the start of each measured piece of work and returns the function that ends it. */
export interface StageTimer {
  start(stage: Stage): () => void;
}

let active: StageTimer | null = null;

/** Installs (or, with null, removes) the process-wide timer. */
export function setStageTimer(timer: StageTimer | null): void {
  active = timer;
}

/** Whether a timer is installed (so a caller can skip building what only a timer needs). */
export function stageTimerActive(): boolean {
  return active !== null;
}

/** Runs `work` as a piece of `stage`; measured only while a timer is installed. */
export function timeStage<T>(stage: Stage, work: () => Promise<T>): Promise<T> {
  if (active === null) return work();
  const end = active.start(stage);
  return work().finally(end);
}

/** Marks the start of a piece of `stage` whose end the caller signals; a no-op without a timer. */
export function startStage(stage: Stage): () => void {
  return active === null ? noop : active.start(stage);
}

function noop(): void {}
