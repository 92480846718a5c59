/**
 * Executes a local run for `dynflow run` (a new one) and `dynflow resume` (a
 * stored one), under the same rules: the run is kept in the repository's
 * local store as it goes (track-local-run.ts); its settings are the
 * repository's `.github/dynflow.yml` at the base commit with the run's flags
 * over it; Ctrl-C stops it and still merges and reports (a second one exits
 * 130); and exactly one outcome is printed, the summary or one JSON object,
 * also when the run fails before its report, which the store records too.
 */
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createModelClient } from "../agents/model/index.js";
import { DynflowError } from "../errors.js";
import { LocalRunNotFoundError, LocalRunNotResumableError } from "../local-runs/errors.js";
import { failedFields, newLocalRunRecord, readLocalRun, withOverrides, type LocalRunSettings, type StoredLocalRun } from "../local-runs/local-run-record.js";
import { localStorePath, openLocalStore } from "../local-runs/open-local-store.js";
import { trackLocalRun, type LocalRunTracking } from "../local-runs/track-local-run.js";
import { runWorkflow } from "../run/run-workflow.js";
import type { WorkflowSettings } from "../run/types.js";
import { prestartScriptSandbox } from "../runtime/run-script.js";
import type { WorkflowResolver } from "../runtime/script-host.js";
import type { JsonValue } from "../runtime/types.js";
import type { RunRecord, RunRecordStatus, Store } from "../store/index.js";
import { createRunWorkflowResolver, localWorkflowFiles, readScriptPath } from "../workflows/index.js";
import type { GitRepository } from "../workspace/index.js";
import { UsageError, type CliIo } from "./cli-io.js";
import { createCliProgress } from "./cli-progress.js";
import { describeRunFailure } from "./describe-run-failure.js";
import { formatSummary, resumeHint } from "./format-run-summary.js";
import { openLocalRepository } from "./open-local-repository.js";
import { cliSettingsOf, withFlags, type CliSettings } from "./read-cli-config.js";
import { readLocalConfig } from "./read-local-config.js";
import { stopOnInterrupt } from "./stop-on-interrupt.js";
import { exitCodeOf, toFailedRunJson, toRunJson, type RunJson } from "./to-run-json.js";

/** What a new run starts from: exactly one of `task`, `script` and `workflow` (a saved or bundled workflow's name). */
export interface LocalRunStart {
  base: string | undefined;
  task: string | null;
  script: { source: string; filename: string } | null;
  workflow: string | null;
  args: JsonValue | undefined;
  /** The command line's flags; the repository's settings fill in the rest. */
  settings: LocalRunSettings;
}

/** A local run to execute: a new one (`start`), or a stored one to go on with (`resume`, with flags that replace its own). */
export type LocalRunRequest = { repoDir: string; apiKey: string; json: boolean } & ({ start: LocalRunStart } | { resume: { runId: string; overrides: LocalRunSettings } });

/** Executes the run and prints its outcome; returns the exit code (docs/cli.md). Throws `UsageError` for bad usage. */
export async function executeLocalRun(io: CliIo, request: LocalRunRequest): Promise<number> {
  const verb = "resume" in request ? "resume" : "run";
  const runId = "resume" in request ? request.resume.runId : randomBytes(4).toString("hex");
  // The script's sandbox starts first, with the default limits a local run's settings keep (`settingsOf` asks
  // again once they are read, which starts nothing when they match), beside everything up to the script's start.
  prestartScriptSandbox();
  const repository = await openLocalRepository(request.repoDir, io.env);
  // Ctrl-C reaches the run through its tracking, which also cancels it from `dynflow ui` or when another process takes it over.
  const interrupt = new AbortController();
  const stopWatching = stopOnInterrupt(io, interrupt);
  let store: Store | null = null;
  let tracking: LocalRunTracking | null = null;
  try {
    // The settings are read before they are needed, so the script's sandbox starts while the run is recorded and
    // tracked: a new run's at once, from its flags and the base it resolves; a stored run's from its record. A failure counts where they are used.
    const opening = "start" in request ? { ...request, reads: readStart(repository, request.start) } : request;
    store = await openLocalStore(repository.gitDir);
    const { run, stored } = "resume" in opening ? await storedRun(store, repository.gitDir, opening.resume) : await newRun(store, { ...opening, runId });
    const settings = "resume" in opening ? settingsOf(repository, repository.resolveCommit(stored.baseCommit), stored.settings) : opening.reads.settings;
    settings.catch(() => undefined);
    tracking = await trackLocalRun({ store, run, secrets: [request.apiKey], signal: interrupt.signal });
    // Kept once this process executes the run: a resume's changed caps and budgets apply from now on.
    if ("resume" in request) await store.runs.update(run.id, { limits: JSON.parse(JSON.stringify(stored.settings)) as JsonValue });
    const json = await executeTracked(io, { repository, run, stored, settings, tracking, apiKey: request.apiKey, title: `dynflow ${verb} ${run.id}` });
    io.stdout(request.json ? `${JSON.stringify(json)}\n` : formatSummary(json) + resumeHint(json, request.repoDir));
    return exitCodeOf(json);
  } catch (error) {
    // Usage errors keep their usage text (exit 2); they come before the run is recorded.
    if (error instanceof UsageError) throw error;
    const failure = describeRunFailure(error);
    // Recorded whatever the error, so the run is not left `running`; a run this process never held is not touched.
    await tracking?.fail(failure);
    if (!(error instanceof DynflowError)) throw error;
    if (request.json) io.stdout(`${JSON.stringify(toFailedRunJson(runId, failure, failure))}\n`);
    io.stderr(`dynflow ${verb} ${runId} failed: ${failure.message}\n`);
    return 1;
  } finally {
    stopWatching();
    await tracking?.close();
    // The repository's git processes end while the store writes its last checkpoint.
    await Promise.all([repository.close(), store?.close()]);
  }
}

/** The run's base commit and settings. */
interface RunSettings {
  baseCommit: string;
  prices: CliSettings["prices"];
  settings: WorkflowSettings;
}

/**
 * The repository's own settings at the base commit (docs/cli.md) with the run's flags over them. The file
 * at a commit never changes, so a resumed run gets the settings it started with, and its flags. The
 * script's sandbox starts as soon as its limits are known (`prestartScriptSandbox`).
 */
async function settingsOf(repository: GitRepository, base: Promise<string>, flags: LocalRunSettings): Promise<RunSettings> {
  const baseCommit = await base;
  const repoConfig = cliSettingsOf(await readLocalConfig(repository, baseCommit));
  const settings = withFlags(repoConfig.settings, flags);
  prestartScriptSandbox(settings.sandbox);
  return { baseCommit, prices: repoConfig.prices, settings };
}

/** Runs the recorded run to its report under `tracking`, which keeps its journal, events, transcripts and ending. */
async function executeTracked(
  io: CliIo,
  { repository, run, stored, settings, tracking, apiKey, title }: { repository: GitRepository; run: RunRecord; stored: StoredLocalRun; settings: Promise<RunSettings>; tracking: LocalRunTracking; apiKey: string; title: string },
): Promise<RunJson> {
  const { baseCommit, prices, settings: runSettings } = await settings;
  const progress = createCliProgress(io, { title });
  const result = await runWorkflow({
    repository,
    repositoryName: run.repo,
    baseCommit,
    baseLabel: stored.baseLabel,
    task: stored.task,
    script: stored.script,
    args: stored.args,
    model: createModelClient({ apiKey, baseURL: io.env.ANTHROPIC_BASE_URL || undefined, prices }),
    settings: runSettings,
    runId: run.id,
    gitEnv: io.env as NodeJS.ProcessEnv,
    onStage: progress.stage,
    resolveWorkflow: workflowResolverAt(repository, baseCommit),
    // The run's journal, signal (Ctrl-C, `dynflow ui`'s cancel), agent stops, transcripts and events.
    ...tracking.workflowInput(progress.event),
  }).finally(progress.stop);

  const reportPath = join(repository.gitDir, "dynflow", "runs", run.id, "report.md");
  await mkdir(join(reportPath, ".."), { recursive: true });
  await writeFile(reportPath, result.reportMarkdown);
  await tracking.finish(result, reportPath);
  return toRunJson(result, reportPath);
}

/** What a new run reads from its repository before it is recorded; see `readStart`. */
interface StartReads {
  baseCommit: Promise<string>;
  baseLabel: Promise<string>;
  /** The named workflow's source at the base, or null when the run names none. */
  named: Promise<LocalRunStart["script"]>;
  settings: Promise<RunSettings>;
}

/**
 * A new run's base, resolved once, its label, its named workflow and its settings at that base (its flags are
 * what its record keeps), all started before the store is opened and the run recorded, so that git's work
 * and the store's overlap. A failure of each counts where it is used (`newRun`, `settingsOf`).
 */
function readStart(repository: GitRepository, start: LocalRunStart): StartReads {
  const baseCommit = repository.resolveCommit(start.base ?? "HEAD");
  const baseLabel = start.base === undefined ? repository.headName() : Promise.resolve(start.base);
  const named = start.workflow === null ? Promise.resolve(null) : baseCommit.then((commit) => workflowResolverAt(repository, commit)(start.workflow as string));
  const settings = settingsOf(repository, baseCommit, start.settings);
  // The base's listing, which the script's first look at the repository and every workspace need, is made meanwhile.
  const listing = baseCommit.then((commit) => repository.listFiles(commit));
  for (const read of [baseCommit, baseLabel, named, settings, listing]) read.catch(() => undefined);
  return { baseCommit, baseLabel, named, settings };
}

/**
 * A new run, recorded in the local store before anything runs. When git
 * refuses its base it is recorded as failed, so the id the command prints
 * names it in `dynflow show`; an unknown `--workflow` is a usage error and
 * records nothing.
 */
async function newRun(
  store: Store,
  { repoDir, runId, start, reads }: { repoDir: string; runId: string; start: LocalRunStart; reads: StartReads },
): Promise<{ run: RunRecord; stored: StoredLocalRun }> {
  const baseLabel = await reads.baseLabel;
  const record = (baseCommit: string | null, script: LocalRunStart["script"]) =>
    newLocalRunRecord({ id: runId, repoName: repoDir.split(/[\\/]/).filter(Boolean).at(-1) ?? repoDir, task: start.task, script, args: start.args, baseCommit, baseLabel, settings: start.settings });
  const baseCommit = await reads.baseCommit.catch(async (error: unknown) => {
    if (error instanceof DynflowError) await store.runs.create({ ...record(null, start.script), ...failedFields(describeRunFailure(error)) });
    throw error;
  });
  // A named workflow is kept as its source: a resume runs the same script without looking it up again.
  const named = await reads.named.catch((error: unknown) => {
    throw new UsageError(`--workflow ${start.workflow}: ${(error as Error).message}`);
  });
  const run = await store.runs.create(record(baseCommit, start.script ?? named));
  return { run, stored: readLocalRun(run) };
}

/** Statuses a local run can be resumed from: stopped, or left running by a process that was killed. */
const RESUMABLE: ReadonlySet<RunRecordStatus> = new Set(["error", "cancelled", "capped", "budget-exhausted", "running", "queued"]);

/** A stored run to go on with, its flags replaced by the command line's. */
async function storedRun(store: Store, gitDir: string, resume: { runId: string; overrides: LocalRunSettings }): Promise<{ run: RunRecord; stored: StoredLocalRun }> {
  const run = await store.runs.get(resume.runId);
  if (!run) throw new LocalRunNotFoundError(resume.runId, localStorePath(gitDir));
  if (!RESUMABLE.has(run.status)) throw new LocalRunNotResumableError(run.id, run.status);
  const stored = readLocalRun(run);
  return { run, stored: { ...stored, settings: withOverrides(stored.settings, resume.overrides) } };
}

/**
 * The same rules as a run on GitHub, over the local repository at the base commit: saved workflows, then
 * bundled ones, and `{ scriptPath }` read from the commit's tree only (never the file system around it).
 */
function workflowResolverAt(repository: GitRepository, baseCommit: string): WorkflowResolver {
  const files = localWorkflowFiles(repository, baseCommit);
  return createRunWorkflowResolver(files, { scriptPath: (path) => readScriptPath(files, path, `the repository at ${baseCommit.slice(0, 12)}`) });
}
