/**
 * The deployment-wide caps without Redis: one process runs every run, so the
 * caps are semaphores shared by the runs' runners. Same rules as the queue:
 * an installation's slot first, then a global one, and waiters are served in
 * the order of agent-order.ts (by round of eight agents, then the older run).
 */
import { AgentFailedError } from "../../runtime/errors.js";
import { ZERO_USAGE, type AgentRequest, type AgentResult, type AgentRunner } from "../../runtime/types.js";
import { processAgentOrder } from "./agent-order.js";
import { PrioritySemaphore } from "./priority-semaphore.js";

export interface ProcessCapsOptions {
  /** Agents running at once across every run (`DYNFLOW_MAX_CONCURRENCY`); unset: no cap. */
  global?: number;
  /** Agents running at once per installation; unset: no cap. */
  perInstallation?: number;
}

/** Caps shared by every run of the process; create once, pass to each run's `createCappedRunner`. */
export interface ProcessCaps {
  readonly global: PrioritySemaphore | null;
  /** The installation's semaphore (created on first use), or null without a per-installation cap. */
  installation(installationId: number): PrioritySemaphore | null;
  /** Installations with a semaphore in use. */
  readonly installations: number;
}

export function createProcessCaps(options: ProcessCapsOptions): ProcessCaps {
  const global = options.global === undefined ? null : new PrioritySemaphore(options.global);
  const perInstallation = options.perInstallation;
  const byInstallation = new Map<number, PrioritySemaphore>();
  return {
    global,
    installation(installationId) {
      if (perInstallation === undefined) return null;
      let semaphore = byInstallation.get(installationId);
      if (!semaphore) {
        semaphore = new PrioritySemaphore(perInstallation);
        byInstallation.set(installationId, semaphore);
      }
      return semaphore;
    },
    get installations() {
      // Idle semaphores are dropped here rather than on every release: cheap, and the map stays small.
      for (const [id, semaphore] of byInstallation) if (semaphore.active === 0 && semaphore.pending === 0) byInstallation.delete(id);
      return byInstallation.size;
    },
  };
}

export interface CappedRunnerOptions {
  caps: ProcessCaps;
  /** The run's installation; null (a local run) takes only the global cap. */
  installationId: number | null;
  /** When the run was created (ms since the epoch): among agents of one round, older runs' go first. Unset: 0. */
  runCreatedAt?: number;
}

/** Wraps one run's runner so its agents wait for the process-wide caps. */
export function createCappedRunner(runner: AgentRunner, options: CappedRunnerOptions): AgentRunner {
  const { caps } = options;
  let started = 0;
  return {
    async run(request: AgentRequest): Promise<AgentResult> {
      const priority = processAgentOrder(started++, options.runCreatedAt ?? 0);
      const installation = options.installationId === null ? null : caps.installation(options.installationId);
      const releaseInstallation = installation ? await waitFor(installation, priority, request) : null;
      try {
        const releaseGlobal = caps.global ? await waitFor(caps.global, priority, request) : null;
        try {
          return await runner.run(request);
        } finally {
          releaseGlobal?.();
        }
      } finally {
        releaseInstallation?.();
      }
    },
  };
}

async function waitFor(semaphore: PrioritySemaphore, priority: number, request: AgentRequest): Promise<() => void> {
  try {
    return await semaphore.acquire(priority, request.signal);
  } catch (error) {
    throw new AgentFailedError("the run was cancelled before this agent started", { ...ZERO_USAGE }, 0, { cause: error });
  }
}
