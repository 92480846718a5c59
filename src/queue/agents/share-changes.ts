/**
 * Worker branches between machines. With a remote repository every worker
 * process has its own clone, so a change one worker commits must reach the
 * others (a refuter reviews it elsewhere) and the owner (who merges it).
 * A change of one commit on the run's base, as nearly every agent makes,
 * travels as data: in the job's outcome to the owner, who writes it into its
 * clone in process, and from there in the job of each refuter that reviews
 * it (see workspace/carry-change.ts). It reaches the remote with the run's
 * one push, as in a single process. Anything else (a larger change, a
 * result so far, an owner of an older version) meets at the remote: the
 * worker pushes its branch right after the agent, and whoever needs a change
 * it does not have fetches it (by its commit id, with the branches). Pushes
 * and fetches of one clone that come together share one git process.
 */
import { resolve as resolvePath } from "node:path";
import type { Logger } from "pino";
import { AgentFailedError } from "../../runtime/errors.js";
import type { ChangeRef } from "../../runtime/types.js";
import {
  CarriedChangeError,
  CommitNotFoundError,
  PushRejectedError,
  pushBranches,
  resultBranch,
  syncClone,
  type CarriedChange,
  type GitRepository,
  type PackSource,
} from "../../workspace/index.js";
import { messageOf } from "../../errors.js";
import { failedOutcome, subjectChange } from "./agent-job.js";
import type { QueuedRunContext, WorkerChanges } from "./types.js";

export interface RemoteExchange {
  /** The local clone (bare), e.g. `<data>/clones/<host>/<owner>/<repo>.git`. */
  dir: string;
  /** The remote's clone URL, without credentials. */
  cloneUrl: string;
  /** A current token for the remote (installation tokens expire), or undefined when none is needed. */
  token: () => Promise<string | undefined>;
  env?: NodeJS.ProcessEnv;
  log?: Logger;
  /** The repository at `dir`, whose pushes' packs are built in process when they can be (see workspace/pack-added.ts). */
  objects?: PackSource;
}

/** A change waiting for its push. */
interface QueuedPush {
  ref: string;
  remote: RemoteExchange;
  resolve(): void;
  reject(error: unknown): void;
}

/** Per clone and remote: the changes waiting while a push from that clone is in flight. */
const pushQueues = new Map<string, { waiting: QueuedPush[]; running: boolean }>();

/**
 * Pushes the change's branch to the remote (forced: a retried agent replaces
 * its own branch). A change whose clone is pushing already waits for that push
 * and goes with the others that came meanwhile, in one push: agents finishing
 * together cost one `git push`, not one each.
 */
export function publishChange(change: ChangeRef, remote: RemoteExchange): Promise<void> {
  const key = `${resolvePath(remote.dir)}\n${remote.cloneUrl}`;
  let queue = pushQueues.get(key);
  if (!queue) {
    queue = { waiting: [], running: false };
    pushQueues.set(key, queue);
  }
  const pushed = new Promise<void>((resolve, reject) => queue.waiting.push({ ref: `refs/heads/${change.branch}`, remote, resolve, reject }));
  if (!queue.running) void pushQueued(key, queue);
  return pushed;
}

async function pushQueued(key: string, queue: { waiting: QueuedPush[]; running: boolean }): Promise<void> {
  queue.running = true;
  try {
    while (queue.waiting.length > 0) await pushTogether(queue.waiting.splice(0));
  } finally {
    queue.running = false;
    if (queue.waiting.length === 0 && pushQueues.get(key) === queue) pushQueues.delete(key);
  }
}

/** One push for `batch`; a ref the remote refused fails its own change only. */
async function pushTogether(batch: QueuedPush[]): Promise<void> {
  const { remote } = batch[0] as QueuedPush;
  const refs = [...new Set(batch.map((queued) => queued.ref))];
  try {
    await pushBranches({ repoDir: remote.dir, remoteUrl: remote.cloneUrl, token: await remote.token(), refspecs: refs.map((ref) => `+${ref}:${ref}`), env: remote.env, log: remote.log, ...(remote.objects ? { objects: remote.objects } : {}) });
    for (const queued of batch) queued.resolve();
  } catch (error) {
    for (const queued of batch) {
      const own = error instanceof PushRejectedError ? error.results.find((result) => result.destination === queued.ref) : undefined;
      if (own !== undefined && own.status !== "rejected") queued.resolve();
      else queued.reject(own !== undefined ? new PushRejectedError([own]) : error);
    }
  }
}

/** Fetches the change (its commit, and every branch with it) unless the repository has it already (made here, or fetched before). */
export async function fetchChange(change: Pick<ChangeRef, "branch" | "commit">, repository: GitRepository, remote: RemoteExchange): Promise<void> {
  if (await hasChange(repository, change)) return;
  const token = await remote.token();
  // By its commit id, which the worker pushed: the fetch brings the branch too, and nothing is left to resolve.
  // A fetch queued behind another one often finds the change already brought by it.
  await syncClone({ cloneUrl: remote.cloneUrl, dir: remote.dir, token, ref: change.commit, env: remote.env, log: remote.log, present: () => hasChange(repository, change) });
  // Lazy blob fetches of the repository's git processes need a token that is still valid.
  repository.setToken(token);
}

/**
 * Brings `change` into the repository and points the run's worker branch at
 * it there (the run's one push then counts it, and a later agent finds it
 * without asking again): written from `carried` when it came as data, else
 * fetched from the remote.
 */
export async function bringChange(change: Pick<ChangeRef, "branch" | "commit">, carried: CarriedChange | undefined, target: ChangeTarget): Promise<void> {
  const { repository } = target;
  if (carried === undefined) await fetchChange(change, repository, target.remote);
  else if (carried.commit !== change.commit) throw new CarriedChangeError(carried.commit, `it came for the change ${change.commit}`);
  else await repository.receiveCarriedChange(carried, target.baseCommit);
  // Only the run's own branches become local ones; anything else a worker reports stays where it is.
  if (!change.branch.startsWith(`${resultBranch(target.runId)}-work/`) || !/^[0-9a-f]{40,64}$/.test(change.commit)) return;
  // Through the repository's long-lived update-ref: no git process per change.
  await repository.updateRef(`refs/heads/${change.branch}`, change.commit);
}

/** Where `bringChange` brings a change of a run. */
export interface ChangeTarget {
  runId: string;
  /** The run's base: a change that comes as data is one commit on it. */
  baseCommit: string;
  repository: GitRepository;
  remote: RemoteExchange;
}

/**
 * A worker's side of the exchange (`WorkerChanges`): a refuter's subject
 * comes from its job or from the remote before the agent starts, and every
 * change an agent made (a failed agent's partial work too) leaves in its
 * outcome as data, or through a push before the outcome is reported.
 */
export function remoteChanges(repository: GitRepository, remote: RemoteExchange): WorkerChanges {
  return {
    async receiveSubject(data) {
      const subject = subjectChange(data.request.options.subject);
      if (subject) await bringChange(subject, data.subject, { runId: data.context.runId, baseCommit: data.context.baseCommit, repository, remote });
    },
    async send(outcome, context) {
      const change = outcome.status === "finished" ? outcome.result.change : outcome.change;
      if (!change) return outcome;
      const carried = await asData(change, context, repository, remote);
      if (carried) return { ...outcome, carried };
      try {
        await publishChange(change, remote);
        return outcome;
      } catch (error) {
        if (outcome.status === "failed") {
          remote.log?.warn({ err: error, branch: change.branch }, "could not push a failed agent's partial work");
          return outcome;
        }
        // A change nobody else can fetch cannot be reviewed or merged: the agent failed, its spend still counts.
        const { usage, costUsd } = outcome.result;
        return failedOutcome(new AgentFailedError(`the agent's change could not be pushed to ${change.branch}: ${messageOf(error)}`, usage, costUsd, { cause: error, change }));
      }
    },
  };
}

/** The change as data when the run takes that and it fits; null (it is pushed) otherwise, or when it cannot be read so. */
async function asData(change: ChangeRef, context: QueuedRunContext, repository: GitRepository, remote: RemoteExchange): Promise<CarriedChange | null> {
  if (context.carryChanges === undefined) return null;
  try {
    return await repository.carryChange(change.commit, context.baseCommit, context.carryChanges.maxBytes);
  } catch (error) {
    remote.log?.warn({ err: error, branch: change.branch }, "could not read the change's objects to send them; pushing it instead");
    return null;
  }
}

/**
 * Looks at branches, not at the commit id: in a partial clone, asking for a
 * missing object fetches that one object lazily, and the tree and files of
 * the change would then arrive one request at a time.
 */
async function hasChange(repository: GitRepository, change: Pick<ChangeRef, "branch" | "commit">): Promise<boolean> {
  for (const ref of [`refs/heads/${change.branch}`, `refs/remotes/origin/${change.branch}`]) {
    try {
      if ((await repository.resolveCommit(ref)) === change.commit) return true;
    } catch (error) {
      if (!(error instanceof CommitNotFoundError)) throw error;
    }
  }
  return false;
}

