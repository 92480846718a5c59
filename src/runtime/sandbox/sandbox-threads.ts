/**
 * Worker threads of sandboxes whose program ended by itself, kept for the
 * next sandbox with the same thread limits. Starting a thread is most of what
 * a sandbox costs (Node builds a whole environment for it: 60–70 ms of CPU on
 * a 2-core machine, against a few milliseconds for an engine); a run starts
 * two sandboxes. A kept thread gets its next program's engine built from
 * nothing (`guest` in protocol.ts); a thread whose program was stopped (a
 * watchdog, `terminate`, a crash) is never kept.
 *
 * Idle threads do not keep the process alive, stop after `IDLE_THREAD_TTL_MS`
 * unused, and at most `idleSandboxThreadLimit()` wait per set of thread
 * limits (about 10 MB of memory each). A process that takes run steps sets it
 * from how many runs it takes at once (`keepIdleSandboxThreads`): each run
 * has a sandbox for its plan and one for its execution, and when a wave of
 * runs ends together, threads let go beyond the limit are started again for
 * the next wave. A thread runs at most `MAX_PROGRAMS_PER_THREAD` programs, so
 * that nothing a thread's own heap keeps can grow without bound.
 */
import type { ResourceLimits, Worker } from "node:worker_threads";
import type { GuestInit, ToWorkerMessage } from "./protocol.js";

export const IDLE_THREAD_TTL_MS = 30_000;
/** Idle threads kept per set of thread limits until `keepIdleSandboxThreads` says otherwise. */
export const DEFAULT_IDLE_THREADS = 8;
/** The most `keepIdleSandboxThreads` accepts. */
export const MAX_IDLE_THREADS = 64;
export const MAX_PROGRAMS_PER_THREAD = 100;

/** A thread given to one sandbox. */
export interface SandboxThread {
  readonly worker: Worker;
  /** Programs this thread has been given, this one included. */
  readonly programs: number;
  readonly key: string;
}

interface IdleThread {
  thread: SandboxThread;
  expiry: NodeJS.Timeout;
  gone: () => void;
}

const idle = new Map<string, IdleThread[]>();
let idleLimit = DEFAULT_IDLE_THREADS;

/**
 * Sets how many idle threads wait per set of thread limits: for a process
 * that takes `runsAtOnce` run steps at once, two per run (its plan's sandbox
 * and its execution's), at least one and at most `MAX_IDLE_THREADS`. Threads
 * already waiting beyond a lowered limit stop when their time is up.
 */
export function keepIdleSandboxThreads(runsAtOnce: number): void {
  idleLimit = Math.min(MAX_IDLE_THREADS, Math.max(1, Math.floor(2 * runsAtOnce) || 1));
}

/** How many idle threads wait at most per set of thread limits. */
export function idleSandboxThreadLimit(): number {
  return idleLimit;
}

const stats = { started: 0, reused: 0 };

function keyOf(limits: ResourceLimits): string {
  return JSON.stringify([limits.stackSizeMb, limits.maxOldGenerationSizeMb, limits.maxYoungGenerationSizeMb, limits.codeRangeSizeMb]);
}

/**
 * A thread for a new sandbox: a kept one with the same limits, told to build
 * the engine `init` describes, or else a new one from `spawn` (which starts
 * with `init` itself).
 */
export function takeSandboxThread(limits: ResourceLimits, init: GuestInit, spawn: () => Worker): SandboxThread {
  const key = keyOf(limits);
  const waiting = idle.get(key);
  const kept = waiting?.pop();
  if (waiting?.length === 0) idle.delete(key);
  if (kept !== undefined) {
    clearTimeout(kept.expiry);
    kept.thread.worker.off("exit", kept.gone).off("error", kept.gone);
    kept.thread.worker.postMessage([{ t: "guest", limits: init.limits, control: init.control }] satisfies ToWorkerMessage[]);
    stats.reused++;
    return { worker: kept.thread.worker, programs: kept.thread.programs + 1, key };
  }
  stats.started++;
  return { worker: spawn(), programs: 1, key };
}

/**
 * Keeps the thread of a sandbox whose program ended by itself (the caller has
 * removed its own listeners), or stops it when enough wait or it has run its
 * share of programs.
 */
export function releaseSandboxThread(thread: SandboxThread): void {
  const waiting = idle.get(thread.key) ?? [];
  if (thread.programs >= MAX_PROGRAMS_PER_THREAD || waiting.length >= idleLimit) {
    void thread.worker.terminate();
    return;
  }
  const entry: IdleThread = {
    thread,
    expiry: setTimeout(() => {
      forget(entry);
      void thread.worker.terminate();
    }, IDLE_THREAD_TTL_MS),
    gone: () => forget(entry),
  };
  entry.expiry.unref();
  thread.worker.unref();
  thread.worker.once("exit", entry.gone).on("error", entry.gone);
  waiting.push(entry);
  idle.set(thread.key, waiting);
}

function forget(entry: IdleThread): void {
  clearTimeout(entry.expiry);
  const waiting = idle.get(entry.thread.key);
  const at = waiting?.indexOf(entry) ?? -1;
  if (waiting === undefined || at < 0) return;
  waiting.splice(at, 1);
  if (waiting.length === 0) idle.delete(entry.thread.key);
}

/** Stops every idle thread (at shutdown, and between tests). */
export async function stopIdleSandboxThreads(): Promise<void> {
  const entries = [...idle.values()].flat();
  idle.clear();
  await Promise.all(
    entries.map(async (entry) => {
      clearTimeout(entry.expiry);
      await entry.thread.worker.terminate();
    }),
  );
}

/** Threads started and kept threads given another program in this process so far, and those waiting now. */
export function sandboxThreadStats(): { started: number; reused: number; idle: number } {
  return { ...stats, idle: [...idle.values()].reduce((sum, waiting) => sum + waiting.length, 0) };
}
