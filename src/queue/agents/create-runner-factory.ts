/**
 * How a worker process turns a run context into an agent runner: opens the
 * run's repository (a shared path, or its own blobless clone of the remote)
 * and builds the same runner the embedded mode uses, over the worker's model
 * client.
 */
import type { Logger } from "pino";
import { createAgentRunner } from "../../agents/create-agent-runner.js";
import type { ModelClient } from "../../agents/model/index.js";
import type { Clock } from "../../time.js";
import type { TranscriptRecorder } from "../../transcripts/types.js";
import { cloneDir, openRepository, syncClone, type GitRepository } from "../../workspace/index.js";
import { withRemoteChanges } from "./share-changes.js";
import type { CreateRunner, QueuedRunContext, RunnerHandle } from "./types.js";

export interface RunnerFactoryOptions {
  model: ModelClient;
  /** The model client of runs that asked for batch pricing (`context.batch`); default `model`. */
  batchModel?: ModelClient;
  /** `DYNFLOW_DATA_DIR`: remote repositories are cloned under `<dataDir>/clones/`. One directory per worker process. */
  dataDir: string;
  /** A token for the run's remote repository (an installation token), or undefined when none is needed. */
  credentials?: (context: QueuedRunContext) => Promise<string | undefined>;
  /** Base environment of git processes. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  log?: Logger;
  /** Where agents' transcripts go (the shared store); none when the worker has no database. */
  transcripts?: TranscriptRecorder;
}

/** Creates the worker's `createRunner`; see the module comment. */
export function createRunnerFactory(options: RunnerFactoryOptions): CreateRunner {
  return async (context) => {
    const log = options.log?.child({ runId: context.runId });
    if (context.repository.kind === "local") {
      const repository = await openRepository(context.repository.path, { env: options.env, clock: options.clock, log });
      return handleOf(repository, context, options, log);
    }
    const { cloneUrl } = context.repository;
    const dir = cloneDir(options.dataDir, cloneUrl);
    const token = () => options.credentials?.(context) ?? Promise.resolve(undefined);
    const initial = await token();
    await syncClone({ cloneUrl, dir, token: initial, ref: context.baseCommit, env: options.env, log });
    const repository = await openRepository(dir, { token: initial, env: options.env, clock: options.clock, log });
    const handle = handleOf(repository, context, options, log);
    return { ...handle, runner: withRemoteChanges(handle.runner, repository, { dir, cloneUrl, token, env: options.env, log }) };
  };
}

function handleOf(repository: GitRepository, context: QueuedRunContext, options: RunnerFactoryOptions, log: Logger | undefined): RunnerHandle {
  const runner = createAgentRunner({
    model: context.batch && options.batchModel ? options.batchModel : options.model,
    repository,
    runId: context.runId,
    baseCommit: context.baseCommit,
    task: context.task,
    models: context.models,
    author: context.author,
    protectedPaths: context.protectedPaths,
    limits: context.limits,
    log,
    ...(options.transcripts ? { transcripts: options.transcripts } : {}),
  });
  return { runner, close: () => repository.close() };
}
