/**
 * Worker branches between machines. With a remote repository every worker
 * process has its own clone, so a change one worker commits must reach the
 * others (a refuter reviews it elsewhere) and the owner (who merges it).
 * They meet at the remote: the worker pushes its branch right after the
 * agent, and whoever needs a change it does not have fetches it (by its commit
 * id, with the branches). Pushes and fetches of one clone that come together
 * share one git process.
 */
import { resolve as resolvePath } from "node:path";
import type { Logger } from "pino";
import { AgentFailedError } from "../../runtime/errors.js";
import { isObject, type AgentRequest, type AgentResult, type AgentRunner, type ChangeRef, type JsonValue } from "../../runtime/types.js";
import { CommitNotFoundError, PushRejectedError, pushBranches, syncClone, type GitRepository } from "../../workspace/index.js";
import { messageOf } from "../../errors.js";

export interface RemoteExchange {
  /** The local clone (bare), e.g. `<data>/clones/<host>/<owner>/<repo>.git`. */
  dir: string;
  /** The remote's clone URL, without credentials. */
  cloneUrl: string;
  /** A current token for the remote (installation tokens expire), or undefined when none is needed. */
  token: () => Promise<string | undefined>;
  env?: NodeJS.ProcessEnv;
  log?: Logger;
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
    await pushBranches({ repoDir: remote.dir, remoteUrl: remote.cloneUrl, token: await remote.token(), refspecs: refs.map((ref) => `+${ref}:${ref}`), env: remote.env, log: remote.log });
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
 * Wraps a worker's runner: a refuter's subject change is fetched before the
 * agent starts, and every change an agent made (even a failed agent's
 * partial work) is pushed before its outcome is reported.
 */
export function withRemoteChanges(runner: AgentRunner, repository: GitRepository, remote: RemoteExchange): AgentRunner {
  return {
    async run(request: AgentRequest): Promise<AgentResult> {
      const subject = subjectChange(request.options.subject);
      if (subject) await fetchChange(subject, repository, remote);
      let result: AgentResult;
      try {
        result = await runner.run(request);
      } catch (error) {
        if (error instanceof AgentFailedError && error.change) {
          await publishChange(error.change, remote).catch((pushError: unknown) =>
            remote.log?.warn({ err: pushError, branch: error.change?.branch }, "could not push a failed agent's partial work"),
          );
        }
        throw error;
      }
      if (!result.change) return result;
      try {
        await publishChange(result.change, remote);
      } catch (error) {
        // A change nobody else can fetch cannot be reviewed or merged: the agent failed, its spend still counts.
        throw new AgentFailedError(`the agent's change could not be pushed to ${result.change.branch}: ${messageOf(error)}`, result.usage, result.costUsd, {
          cause: error,
          change: result.change,
        });
      }
      return result;
    },
  };
}

/** The change a refuter's subject names, if any. */
function subjectChange(subject: JsonValue | undefined): { branch: string; commit: string } | null {
  if (!isObject(subject)) return null;
  const change = subject["change"];
  if (!isObject(change)) return null;
  const { branch, commit } = change;
  return typeof branch === "string" && branch !== "" && typeof commit === "string" ? { branch, commit } : null;
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

