/**
 * Where one run's agents run. Without Redis every agent runs in this process,
 * under the process-wide caps shared by all its runs (`createProcessCaps`).
 * With Redis every agent is a job on the shared agents queue, taken by any
 * `dynflow worker`; each change an agent made is written into the run's
 * clone as its result arrives (from the outcome, where it came as data, else
 * fetched from the remote), so the run merges it as if it had been made here.
 */
import type { Logger } from "pino";
import { createAgentRunner, type AgentRunnerDeps } from "../../agents/create-agent-runner.js";
import { createCappedRunner } from "../../queue/agents/create-capped-runner.js";
import { createQueuedAgentRunner } from "../../queue/agents/create-queued-agent-runner.js";
import { bringChange, publishChange, type RemoteExchange } from "../../queue/agents/share-changes.js";
import { CARRY_CHANGE_BYTES } from "../../queue/agents/types.js";
import { resultSoFarPrefix } from "../../reconcile/build-result-so-far.js";
import { isObject, type AgentRunner, type ChangeRef } from "../../runtime/types.js";
import type { ChangeObjectStore, RunRecord } from "../../store/index.js";
import type { RunRepository } from "../services/open-run-repository.js";
import type { AgentPlacement } from "../services/types.js";

export interface RunRunnerOptions {
  placement: AgentPlacement;
  run: Pick<RunRecord, "id" | "installationId" | "owner" | "repo" | "createdAt">;
  /** The run's open clone. */
  open: RunRepository;
  /** Unused: the run's clone is `open.repository`, wherever it lives. Accepted so callers that pass it still compile. */
  dataDir?: string;
  gitEnv?: NodeJS.ProcessEnv;
  /** The run asked for batch pricing: workers use their batch model client. */
  batch?: boolean;
  /** Where changes that came from workers as data are kept until the run's branches are pushed (`restoreCarriedChanges`). */
  changes: Pick<ChangeObjectStore, "save" | "list">;
  log: Logger;
}

/** The `createRunner` to give the run's `runWorkflow`; see the module comment. */
export function createRunRunner(options: RunRunnerOptions): (deps: AgentRunnerDeps) => AgentRunner {
  const { placement, run } = options;
  if (placement.kind === "process") {
    return (deps) => createCappedRunner(createAgentRunner(deps), { caps: placement.caps, installationId: run.installationId, runCreatedAt: run.createdAt });
  }
  const { repository } = options.open;
  const remote = remoteOf(options);
  return (deps) => {
    // Commits of this run that came as data: all their objects are in the clone. Any other change may have
    // come by a blobless fetch, and reading its files would fetch them one at a time: the worker fetches it itself.
    const cameAsData = new Set<string>();
    let kept: Promise<Set<string>> | null = null;
    const isData = async (commit: string): Promise<boolean> => {
      if (cameAsData.has(commit)) return true;
      // Those an earlier owner of the run received (restored into this clone before the run started).
      kept ??= options.changes.list(deps.runId).then((list) => new Set(list.map((entry) => entry.change.commit)));
      return (await kept).has(commit);
    };
    return withPublishedResultSoFar(deps.runId, remote, createQueuedAgentRunner({
      queue: placement.queue,
      runCreatedAt: run.createdAt,
      runContext: {
        runId: deps.runId,
        installationId: run.installationId,
        repository: { kind: "remote", cloneUrl: options.open.cloneUrl },
        baseCommit: deps.baseCommit,
        task: deps.task,
        models: deps.models,
        author: deps.author,
        protectedPaths: deps.protectedPaths,
        limits: deps.limits,
        // Only when this process has a sandbox (deps.commands is set only then): the worker prepares its own.
        ...(deps.commands ? { commands: deps.commands.settings } : {}),
        ...(options.batch ? { batch: true } : {}),
        carryChanges: { maxBytes: CARRY_CHANGE_BYTES },
      },
      ...(placement.perInstallation === null ? {} : { perInstallation: { limit: placement.perInstallation } }),
      receiveChange: async (change, carried) => {
        await bringChange(change, carried, { runId: deps.runId, baseCommit: deps.baseCommit, repository, remote });
        // Once it is known whole, kept in the store before the result is journaled: a process that takes the run over finds it there.
        if (carried) {
          await options.changes.save(deps.runId, change.branch, carried);
          cameAsData.add(change.commit);
        }
      },
      carrySubject: async (change) => ((await isData(change.commit)) ? repository.carryChange(change.commit, deps.baseCommit, CARRY_CHANGE_BYTES) : null),
      ...(deps.transcripts ? { transcripts: deps.transcripts } : {}),
      ...(deps.onNote ? { onNote: deps.onNote } : {}),
      log: options.log,
    }));
  };
}

/**
 * Before a run's agents (or a CI repair round's, under `runId`) go to
 * workers: the changes that came to an earlier owner of the run as data are
 * written into this clone, on their branches, so the agents the journal
 * replays are merged and pushed as if they had just arrived. A process that
 * takes a run over has a clone of its own, which never saw them. Resolves
 * how many were written; nothing to do in a single process.
 */
export async function restoreCarriedChanges(
  options: Pick<RunRunnerOptions, "placement" | "open" | "gitEnv" | "log"> & { changes: Pick<ChangeObjectStore, "list">; runId: string; baseCommit: string },
): Promise<number> {
  if (options.placement.kind === "process") return 0;
  const { repository } = options.open;
  const remote = remoteOf(options);
  let written = 0;
  for (const { branch, change } of await options.changes.list(options.runId)) {
    const here = await repository.resolveCommit(`refs/heads/${branch}`).then((commit) => commit === change.commit, () => false);
    if (here) continue;
    try {
      await bringChange({ branch, commit: change.commit }, change, { runId: options.runId, baseCommit: options.baseCommit, repository, remote });
      written++;
    } catch (error) {
      // Checked whole before it was kept, so this is the clone or the disk; the run goes on without it, and says so where it merges.
      options.log.warn({ err: error, runId: options.runId, branch }, "could not write a change an earlier owner of the run received into this clone");
    }
  }
  if (written > 0) options.log.info({ runId: options.runId, written }, "wrote the changes an earlier owner of the run received into this clone");
  return written;
}

/**
 * Forgets the changes workers sent as data for the run (or a CI repair round), once they are on the remote
 * or never will be: no later owner needs them. Only agents on workers send changes as data. A failure is
 * logged; the store's pruning removes them later.
 */
export async function forgetCarriedChanges(options: {
  placement: AgentPlacement | undefined;
  changes: Pick<ChangeObjectStore, "forget">;
  runId: string;
  log: Logger;
}): Promise<void> {
  if (options.placement?.kind !== "queue") return;
  await options.changes.forget(options.runId).catch((error: unknown) => options.log.warn({ err: error, runId: options.runId }, "could not forget the run's changes kept in the store"));
}

/** The run's clone and its remote, as the exchange of changes with workers sees them. */
function remoteOf(options: Pick<RunRunnerOptions, "open" | "gitEnv" | "log">): RemoteExchange {
  return { dir: options.open.repository.gitDir, cloneUrl: options.open.cloneUrl, token: options.open.freshToken, env: options.gitEnv, log: options.log, objects: options.open.repository };
}

/**
 * A claim is judged on the run's result so far, a commit this process made:
 * its branch is pushed before the refuter's job is queued, so the worker that
 * takes the job can fetch it like any change.
 */
function withPublishedResultSoFar(runId: string, remote: RemoteExchange, runner: AgentRunner): AgentRunner {
  const prefix = resultSoFarPrefix(runId);
  const pushed = new Map<string, Promise<void>>();
  return {
    run: async (request) => {
      const subject = request.options.subject;
      const change = isObject(subject) && isObject(subject.change) ? subject.change : null;
      if (change && typeof change.branch === "string" && change.branch.startsWith(prefix)) {
        const ref = change as unknown as ChangeRef;
        let push = pushed.get(ref.branch);
        if (!push) {
          push = publishChange(ref, remote);
          push.catch(() => pushed.delete(ref.branch));
          pushed.set(ref.branch, push);
        }
        await push;
      }
      return runner.run(request);
    },
  };
}
