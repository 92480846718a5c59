/**
 * Who owns a run step. The run's lease `run:<id>` is held by one step of one
 * process at a time: its holder is `<process id>/<step token>`, a token drawn
 * for every step, so a process cannot take a run it already works on a second
 * time (a recovered `execute` while its `plan` step still executes the run).
 *
 * A lease is free again once it expires (its holder stopped renewing it).
 * One shortcut: a holder on this host whose process is gone (a SIGKILL, a
 * restart of the embedded deployment) is taken over at once, compared and
 * swapped in the store, instead of after the lease's time.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { LeaseStore } from "../../store/index.js";

/** How long a lease lasts without renewal: a crashed owner's runs are free again after this. */
export const RUN_LEASE_TTL_MS = 120_000;

/** The lease that guards run `runId`. */
export const runLeaseName = (runId: string): string => `run:${runId}`;

/** A process id: `<host>:<pid>:<nonce>`, unique per process start. */
export function newProcessId(random: (size: number) => Buffer = randomBytes): string {
  return `${hostname()}:${process.pid}:${random(4).toString("hex")}`;
}

/** The holder of one step: the process and a token of the step's own. */
export function newStepHolder(processId: string, random: (size: number) => Buffer = randomBytes): string {
  return `${processId}/${random(6).toString("hex")}`;
}

/** What this process is, for telling whether a holder's process is gone. */
export interface LocalProcess {
  processId: string;
  host: string;
  pid: number;
  /** Whether a process with this pid runs on this host. */
  alive(pid: number): boolean;
}

/** This process, with `kill(pid, 0)` as the liveness test. */
export function localProcess(processId: string): LocalProcess {
  return { processId, host: hostname(), pid: process.pid, alive: pidAlive };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/**
 * Whether `holder` is a step of a process on this host that no longer runs.
 * False whenever it cannot be known (another host, a holder of another form):
 * then only the lease's expiry frees the run.
 */
export function isGoneLocalHolder(holder: string, self: LocalProcess): boolean {
  const match = /^(.*):(\d+):([0-9a-f]+)\/[0-9a-f]+$/.exec(holder);
  if (match === null || match[1] !== self.host) return false;
  const pid = Number(match[2]);
  const processId = `${match[1]}:${match[2]}:${match[3]}`;
  // Our own pid under another nonce is an earlier start of this process (a container's pid 1).
  if (pid === self.pid) return processId !== self.processId;
  return !self.alive(pid);
}

/** Takes the run's lease for `holder`: free, expired, or left by a process of this host that is gone. */
export async function takeRunLease(leases: LeaseStore, runId: string, holder: string, self: LocalProcess, ttlMs = RUN_LEASE_TTL_MS): Promise<boolean> {
  const name = runLeaseName(runId);
  if (await leases.acquire(name, holder, ttlMs)) return true;
  const current = await leases.read(name);
  if (current === undefined) return leases.acquire(name, holder, ttlMs);
  return isGoneLocalHolder(current.holder, self) && (await leases.takeOver(name, current.holder, holder, ttlMs));
}

/** Whether someone alive works on the run now: its lease is unexpired and its holder not known to be gone. */
export async function runIsHeld(leases: LeaseStore, runId: string, self: LocalProcess): Promise<boolean> {
  const current = await leases.read(runLeaseName(runId));
  return current !== undefined && !isGoneLocalHolder(current.holder, self);
}
