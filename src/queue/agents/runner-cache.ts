/**
 * One agent runner per run per worker process: the run's agents share the
 * repository (its long-lived git processes, its clone) and the model client.
 * A runner nobody uses for `idleMs` is closed; a new job of the run builds it
 * again.
 */
import type { Logger } from "pino";
import type { AgentRunner } from "../../runtime/types.js";
import { backgroundTimers, type Timers } from "../../time.js";
import type { CreateRunner, QueuedRunContext, RunnerHandle } from "./types.js";

interface Entry {
  handle: Promise<RunnerHandle>;
  users: number;
  /** Handle of the idle timer while nobody uses the runner. */
  idle: unknown;
}

export class RunnerCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly createRunner: CreateRunner,
    private readonly idleMs: number,
    private readonly log: Logger,
    private readonly timers: Timers = backgroundTimers,
  ) {}

  /** The run's runner, built on first use; pair every call with `release(runId)`. */
  async acquire(context: QueuedRunContext): Promise<AgentRunner> {
    return (await this.acquireHandle(context)).runner;
  }

  /** The run's runner with its note; pair every call with `release(runId)`. */
  async acquireHandle(context: QueuedRunContext): Promise<RunnerHandle> {
    let entry = this.entries.get(context.runId);
    if (!entry) {
      entry = { handle: this.createRunner(context), users: 0, idle: null };
      this.entries.set(context.runId, entry);
      // A runner that could not be built is forgotten, so the next job tries again.
      entry.handle.catch(() => {
        if (this.entries.get(context.runId) === entry) this.entries.delete(context.runId);
      });
    }
    entry.users += 1;
    if (entry.idle !== null) this.timers.clearTimeout(entry.idle);
    entry.idle = null;
    try {
      return await entry.handle;
    } catch (error) {
      entry.users -= 1;
      throw error;
    }
  }

  release(runId: string): void {
    const entry = this.entries.get(runId);
    if (!entry) return;
    entry.users -= 1;
    if (entry.users > 0) return;
    entry.idle = this.timers.setTimeout(() => {
      if (this.entries.get(runId) !== entry || entry.users > 0) return;
      this.entries.delete(runId);
      void this.closeEntry(runId, entry);
    }, this.idleMs);
  }

  /** Number of runs with a runner right now. */
  get size(): number {
    return this.entries.size;
  }

  /** Closes every runner (the worker is stopping; no job is running any more). */
  async closeAll(): Promise<void> {
    const all = [...this.entries];
    this.entries.clear();
    await Promise.all(all.map(([runId, entry]) => this.closeEntry(runId, entry)));
  }

  private async closeEntry(runId: string, entry: Entry): Promise<void> {
    if (entry.idle !== null) this.timers.clearTimeout(entry.idle);
    const handle = await entry.handle.catch(() => null);
    if (!handle) return;
    try {
      await handle.close();
    } catch (error) {
      this.log.warn({ err: error, runId }, "could not close a run's agent runner");
    }
  }
}
