/**
 * Where one run's agents run. Without Redis every agent runs in this process,
 * under the process-wide caps shared by all its runs (`createProcessCaps`).
 * With Redis every agent is a job on the shared agents queue, taken by any
 * `dynflow worker`; each change an agent made is fetched from the remote into
 * the run's clone as its result arrives, so the run merges it as if it had
 * been made here.
 */
import type { Logger } from "pino";
import { createAgentRunner, type AgentRunnerDeps } from "../../agents/create-agent-runner.js";
import { createCappedRunner } from "../../queue/agents/create-capped-runner.js";
import { createQueuedAgentRunner } from "../../queue/agents/create-queued-agent-runner.js";
import { fetchChange, publishChange, type RemoteExchange } from "../../queue/agents/share-changes.js";
import { resultSoFarPrefix } from "../../reconcile/build-result-so-far.js";
import { isObject, type AgentRunner, type ChangeRef } from "../../runtime/types.js";
import type { RunRecord } from "../../store/index.js";
import { resultBranch, type GitRepository } from "../../workspace/index.js";
import type { RunRepository } from "../services/open-run-repository.js";
import type { AgentPlacement } from "../services/types.js";

export interface RunRunnerOptions {
  placement: AgentPlacement;
  run: Pick<RunRecord, "id" | "installationId" | "owner" | "repo">;
  /** The run's open clone. */
  open: RunRepository;
  /** Unused: the run's clone is `open.repository`, wherever it lives. Accepted so callers that pass it still compile. */
  dataDir?: string;
  gitEnv?: NodeJS.ProcessEnv;
  /** The run asked for batch pricing: workers use their batch model client. */
  batch?: boolean;
  log: Logger;
}

/** The `createRunner` to give the run's `runWorkflow`; see the module comment. */
export function createRunRunner(options: RunRunnerOptions): (deps: AgentRunnerDeps) => AgentRunner {
  const { placement, run } = options;
  if (placement.kind === "process") {
    return (deps) => createCappedRunner(createAgentRunner(deps), { caps: placement.caps, installationId: run.installationId });
  }
  const remote: RemoteExchange = {
    dir: options.open.repository.gitDir,
    cloneUrl: options.open.cloneUrl,
    token: options.open.freshToken,
    env: options.gitEnv,
    log: options.log,
  };
  return (deps) =>
    withPublishedResultSoFar(deps.runId, remote, createQueuedAgentRunner({
      queue: placement.queue,
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
      },
      ...(placement.perInstallation === null ? {} : { perInstallation: { limit: placement.perInstallation } }),
      receiveChange: (change) => receiveChange(change, deps.runId, options.open.repository, remote),
      ...(deps.transcripts ? { transcripts: deps.transcripts } : {}),
      ...(deps.onNote ? { onNote: deps.onNote } : {}),
      log: options.log,
    }));
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

/**
 * Fetches a worker's change into the run's clone and keeps it there as a
 * local branch too: the run's one push then counts it with the others (the
 * worker has pushed it already, so that push changes nothing on the remote).
 */
async function receiveChange(change: ChangeRef, runId: string, repository: GitRepository, remote: RemoteExchange): Promise<void> {
  await fetchChange(change, repository, remote);
  // Only this run's own branches become local ones; anything else a worker reports stays a remote branch.
  if (!change.branch.startsWith(`${resultBranch(runId)}-work/`) || !/^[0-9a-f]{40,64}$/.test(change.commit)) return;
  // Through the repository's long-lived update-ref: no git process per change.
  await repository.updateRef(`refs/heads/${change.branch}`, change.commit);
}
