/**
 * How a worker process turns a run context into an agent runner: opens the
 * run's repository (a shared path, or its own blobless clone of the remote)
 * and builds the same runner the embedded mode uses, over the worker's model
 * client. When the run has commands, the worker prepares its own sandbox for
 * them once per run (the base tree, then `setup` again, here), so its agents
 * get `run_command` as agents of the owning process do; a worker that cannot
 * sandbox, or whose setup fails, gives them none and says so in its log.
 */
import { hostname } from "node:os";
import { pino, type Logger } from "pino";
import { createAgentRunner } from "../../agents/create-agent-runner.js";
import type { ModelClient } from "../../agents/model/index.js";
import { sandboxAvailability, type SandboxAvailability } from "../../command-sandbox/index.js";
import { messageOf } from "../../errors.js";
import { prepareCommands, type PreparedCommands } from "../../run/prepare-commands.js";
import type { Clock } from "../../time.js";
import type { TranscriptRecorder } from "../../transcripts/types.js";
import { acquireRepository, cloneDir, syncClone, type GitRepository, type SharedRepository } from "../../workspace/index.js";
import { remoteChanges } from "./share-changes.js";
import type { CreateRunner, QueuedRunContext, RunnerHandle } from "./types.js";

const silentLog = pino({ level: "silent" });

/** This worker in a report: its host (every worker there answers the same, so the note is shown once). */
function workerName(): string {
  return hostname();
}

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
  /** Whether this host can sandbox commands (default: probed once per process). */
  sandboxAvailability?: () => Promise<SandboxAvailability>;
}

/** Creates the worker's `createRunner`; see the module comment. */
export function createRunnerFactory(options: RunnerFactoryOptions): CreateRunner {
  return async (context) => {
    const log = options.log?.child({ runId: context.runId });
    if (context.repository.kind === "local") {
      const shared = await acquireRepository(context.repository.path, { env: options.env, clock: options.clock, log });
      return handleOf(shared, context, options, await prepareWorkerCommands(shared.repository, context, options, log), log);
    }
    const { cloneUrl } = context.repository;
    const dir = cloneDir(options.dataDir, cloneUrl);
    const token = () => options.credentials?.(context) ?? Promise.resolve(undefined);
    const initial = await token();
    await syncClone({ cloneUrl, dir, token: initial, ref: context.baseCommit, env: options.env, log });
    // Shared with the worker's other runs on this clone (its git processes, its cached listings).
    const shared = await acquireRepository(dir, { token: initial, env: options.env, clock: options.clock, log });
    const { repository } = shared;
    const handle = handleOf(shared, context, options, await prepareWorkerCommands(repository, context, options, log), log);
    return { ...handle, changes: remoteChanges(repository, { dir, cloneUrl, token, env: options.env, log, objects: repository }) };
  };
}

/**
 * The run's commands on this worker: its own base tree and setup layer (setup
 * runs again here, once per run while the runner lives). Without a sandbox, or
 * when setup fails here, the agents go without `run_command`: the owner's setup
 * passed, so the run goes on rather than failing every agent of this worker.
 */
async function prepareWorkerCommands(repository: GitRepository, context: QueuedRunContext, options: RunnerFactoryOptions, log: Logger | undefined): Promise<PreparedCommands | null> {
  if (context.commands === undefined) return null;
  const quiet = log ?? silentLog;
  const none = (why: string): PreparedCommands => ({ commands: null, note: `Agents on worker ${workerName()} had no run_command tool: ${why}.`, close: async () => {} });
  const availability = await (options.sandboxAvailability ?? sandboxAvailability)();
  if (!availability.available) {
    quiet.warn({ reason: availability.reason }, "this worker cannot sandbox commands: its agents get no run_command");
    return none(`that host cannot sandbox commands (${availability.reason})`);
  }
  try {
    return await prepareCommands({ config: context.commands, repository, baseCommit: context.baseCommit, log: quiet, availability: async () => availability });
  } catch (error) {
    quiet.warn({ err: error }, "the run's setup failed on this worker: its agents get no run_command");
    return none(`the run's setup failed there (${messageOf(error)})`);
  }
}

function handleOf(shared: SharedRepository, context: QueuedRunContext, options: RunnerFactoryOptions, prepared: PreparedCommands | null, log: Logger | undefined): RunnerHandle {
  const { repository } = shared;
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
    ...(prepared?.commands ? { commands: prepared.commands } : {}),
  });
  return {
    runner,
    ...(prepared?.note ? { note: prepared.note } : {}),
    close: async () => {
      shared.release();
      await prepared?.close();
    },
  };
}
