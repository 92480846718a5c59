/**
 * `dynflow run`: the whole engine on a local repository. Plans the task (or
 * runs the given script), refutes every change, merges what converged into a
 * local branch `dynflow/<run-id>` without touching the checkout, HEAD or
 * index, and writes the report into the repository's git directory. The run
 * is kept in the repository's local store as it goes, so `dynflow resume`
 * continues it (`executeLocalRun` does both).
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { parseArgs } from "node:util";
import { createModelClient, DEFAULT_PRICES } from "../agents/model/index.js";
import { runWorkflow } from "../run/run-workflow.js";
import { toRunJson, type RunJson } from "./to-run-json.js";
import type { JsonValue } from "../runtime/types.js";
import { createRunWorkflowResolver, localWorkflowFiles, readScriptPath } from "../workflows/index.js";
import { GitCommandError, gitEnvironment, openRepository, type GitRepository } from "../workspace/index.js";
import { LocalRunNotFoundError, LocalRunNotResumableError } from "../local-runs/errors.js";
import { newLocalRunRecord, readLocalRun, withOverrides, type LocalRunSettings, type StoredLocalRun } from "../local-runs/local-run-record.js";
import { localStorePath, openLocalStore } from "../local-runs/open-local-store.js";
import { trackLocalRun } from "../local-runs/track-local-run.js";
import type { RunRecord, RunRecordStatus, Store } from "../store/index.js";
import { intFlag, jsonFlag, numberFlag, UsageError, type CliIo } from "./cli-io.js";
import { createCliProgress } from "./cli-progress.js";
import { readLocalConfig } from "./read-local-config.js";

export const RUN_USAGE = `Usage: dynflow run --repo <path> (--task "<text>" | --script <file.js>) [options]

Runs a workflow on a local git repository with real agents: plans the task (or runs
the script), lets independent refuters try to refute every change, merges what
converged into the local branch dynflow/<run-id> and writes a report. Your checkout,
HEAD and index are not touched. The run is kept in the repository's local store
(<git-dir>/dynflow/runs.db): "dynflow resume <run>" continues it without paying again
for finished agents, "dynflow show" and "dynflow ui" show it agent by agent.

Options:
  --repo PATH             the git repository (required)
  --task TEXT             what to do, in words; dynflow plans the script
  --script FILE           a plan script to run instead of planning one
  --args JSON             value of the script's \`args\` (with --script)
  --base REV              the commit to start from (default HEAD)
  --max-concurrency N     agents running at once (1-256, default 16)
  --max-agents N          agents per run (default 1000)
  --budget-tokens N       token budget (default none)
  --budget-usd N          dollar budget (default none)
  --refuters N            refuters per claim (1-16, default 2)
  --rounds N              rounds of converge() (1-10, default 3)
  --json                  print one JSON object at the end instead of the summary

Environment:
  ANTHROPIC_API_KEY       the model API key (required)
  ANTHROPIC_BASE_URL      the model API's URL (default https://api.anthropic.com)
`;

const exec = promisify(execFile);

export async function runCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      repo: { type: "string" },
      task: { type: "string" },
      script: { type: "string" },
      args: { type: "string" },
      base: { type: "string" },
      ...SETTINGS_OPTIONS,
      json: { type: "boolean", default: false },
    },
  });
  if (values.repo === undefined) throw new UsageError("--repo is required: the path of a local git repository");
  if ((values.task === undefined) === (values.script === undefined)) throw new UsageError("give either --task or --script (exactly one)");
  if (values.task !== undefined && values.task.trim() === "") throw new UsageError("--task is empty; say what to do");
  if (values.args !== undefined && values.script === undefined) throw new UsageError("--args goes with --script; a planned script gets the task");
  const args = jsonFlag("args", values.args) as JsonValue | undefined;
  const settings = settingsOf(values);
  const script = values.script === undefined ? null : await readScript(resolve(io.cwd, values.script), values.script);
  const apiKey = io.env.ANTHROPIC_API_KEY;
  if (!apiKey) throw new UsageError("ANTHROPIC_API_KEY is not set; export your Anthropic API key to run agents");

  const repoDir = resolve(io.cwd, values.repo);
  return executeLocalRun(io, { repoDir, apiKey, json: values.json, start: { base: values.base, task: values.task ?? null, script, args, settings } });
}

/** The caps, budgets and review flags of `run`, which `resume` takes too. */
export const SETTINGS_OPTIONS = {
  "max-concurrency": { type: "string" },
  "max-agents": { type: "string" },
  "budget-tokens": { type: "string" },
  "budget-usd": { type: "string" },
  refuters: { type: "string" },
  rounds: { type: "string" },
} as const;

/** The settings those flags give (unset flags left out). */
export function settingsOf(values: { [K in keyof typeof SETTINGS_OPTIONS]?: string }): LocalRunSettings {
  return {
    limits: withoutUndefined({
      maxConcurrency: intFlag("max-concurrency", values["max-concurrency"], 1, 256),
      maxAgents: intFlag("max-agents", values["max-agents"], 1),
      budgetTokens: intFlag("budget-tokens", values["budget-tokens"], 1),
      budgetUsd: numberFlag("budget-usd", values["budget-usd"]),
    }),
    review: withoutUndefined({ refutersPerClaim: intFlag("refuters", values.refuters, 1, 16), maxRounds: intFlag("rounds", values.rounds, 1, 10) }),
  };
}

/** A local run to execute: a new one (`start`), or a stored one to go on with (`resume`, with settings to change). */
export type LocalRunRequest = { repoDir: string; apiKey: string; json: boolean } & (
  | { start: { base: string | undefined; task: string | null; script: { source: string; filename: string } | null; args: JsonValue | undefined; settings: LocalRunSettings } }
  | { resume: { runId: string; overrides: LocalRunSettings } }
);

/**
 * Executes a local run, kept in the repository's local store as it goes (see
 * track-local-run.ts), and prints its summary; returns the exit code.
 */
export async function executeLocalRun(io: CliIo, request: LocalRunRequest): Promise<number> {
  const { repoDir, apiKey } = request;
  const repository = await openLocalRepository(repoDir, io.env);
  const store = await openLocalStore(repository.gitDir).catch(async (error: unknown) => {
    await repository.close();
    throw error;
  });
  try {
    const { run, stored } = "resume" in request ? await storedRun(store, repository.gitDir, request.resume) : await newRun(store, repository, repoDir, io.env, request.start);
    const runId = run.id;
    const baseCommit = await repository.resolveCommit(stored.baseCommit);
    const files = localWorkflowFiles(repository, baseCommit);
    // The repository's own settings at the base commit: models and shortcuts, prices, web tools.
    const config = await readLocalConfig(repository, baseCommit);
    const prices = { ...DEFAULT_PRICES, ...config.prices };
    const tracking = await trackLocalRun({ store, run, secrets: [apiKey] });
    try {
      // Kept once this process executes the run: a resume's changed caps and budgets apply from now on.
      if ("resume" in request) await store.runs.update(runId, { limits: { limits: { ...stored.settings.limits }, review: { ...stored.settings.review } } });
      const progress = createCliProgress(io, { title: `dynflow run ${runId}` });
      const result = await runWorkflow({
        repository,
        repositoryName: run.repo,
        baseCommit,
        baseLabel: stored.baseLabel,
        task: stored.task,
        script: stored.script,
        args: stored.args,
        model: createModelClient({ apiKey, baseURL: io.env.ANTHROPIC_BASE_URL || undefined, prices }),
        settings: { ...stored.settings, models: config.models, modelAliases: config.modelAliases, prices, web: config.web },
        runId,
        gitEnv: io.env as NodeJS.ProcessEnv,
        onStage: progress.stage,
        // The same rules as a run on GitHub, over the local repository at the base commit: saved workflows,
        // and `{ scriptPath }` read from the commit's tree only (never the file system around it).
        resolveWorkflow: createRunWorkflowResolver(files, {
          scriptPath: (path) => readScriptPath(files, path, `the repository at ${baseCommit.slice(0, 12)}`),
        }),
        ...tracking.workflowInput(progress.event),
      })
        .catch(async (error: unknown) => {
          await tracking.fail(error);
          throw error;
        })
        .finally(progress.stop);

      const reportPath = join(repository.gitDir, "dynflow", "runs", runId, "report.md");
      await mkdir(join(reportPath, ".."), { recursive: true });
      await writeFile(reportPath, result.reportMarkdown);
      await tracking.finish(result, reportPath);
      const json = toRunJson(result, reportPath);
      // A run that stopped short says how to go on with it.
      const next = json.status === "ok" ? "" : `\nTo continue it (finished agents are not paid for again): dynflow resume ${runId} --repo ${shellWord(repoDir)}\n`;
      io.stdout(request.json ? `${JSON.stringify(json)}\n` : formatSummary(json) + next);
      return json.status === "ok" ? 0 : 1;
    } finally {
      await tracking.close();
    }
  } finally {
    await store.close();
    await repository.close();
  }
}

/** A new run, recorded in the local store before anything runs. */
async function newRun(store: Store, repository: GitRepository, repoDir: string, env: CliIo["env"], start: Extract<LocalRunRequest, { start: unknown }>["start"]): Promise<{ run: RunRecord; stored: StoredLocalRun }> {
  const baseCommit = await repository.resolveCommit(start.base ?? "HEAD");
  const input = {
    id: randomBytes(4).toString("hex"),
    repoName: repoDir.split(/[\\/]/).filter(Boolean).at(-1) ?? repoDir,
    task: start.task,
    script: start.script,
    args: start.args,
    baseCommit,
    baseLabel: start.base ?? (await headName(repoDir, env)),
    settings: start.settings,
  };
  const run = await store.runs.create(newLocalRunRecord(input));
  return { run, stored: readLocalRun(run) };
}

/** Statuses a local run can be resumed from: stopped, or left running by a process that was killed. */
const RESUMABLE: ReadonlySet<RunRecordStatus> = new Set(["error", "cancelled", "capped", "budget-exhausted", "running", "queued"]);

/** A stored run to go on with, its settings changed by the command line's. */
async function storedRun(store: Store, gitDir: string, resume: Extract<LocalRunRequest, { resume: unknown }>["resume"]): Promise<{ run: RunRecord; stored: StoredLocalRun }> {
  const run = await store.runs.get(resume.runId);
  if (!run) throw new LocalRunNotFoundError(resume.runId, localStorePath(gitDir));
  if (!RESUMABLE.has(run.status)) throw new LocalRunNotResumableError(run.id, run.status);
  const stored = readLocalRun(run);
  return { run, stored: { ...stored, settings: withOverrides(stored.settings, resume.overrides) } };
}

/** A path as one shell word, quoted only when it needs to be. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}

async function readScript(path: string, given: string): Promise<{ source: string; filename: string }> {
  const source = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read --script ${path}: ${error.code ?? error.message}`);
  });
  return { source, filename: given };
}

async function openLocalRepository(dir: string, env: CliIo["env"]) {
  const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw new UsageError(`--repo ${dir} is not a directory`);
  try {
    return await openRepository(dir, { env: env as NodeJS.ProcessEnv });
  } catch (error) {
    if (error instanceof GitCommandError) throw new UsageError(`--repo ${dir} is not a git repository`);
    throw error;
  }
}

/** The checked-out branch's name for the report, or `HEAD` when detached. */
async function headName(dir: string, env: CliIo["env"]): Promise<string> {
  const found = await exec("git", ["symbolic-ref", "--short", "-q", "HEAD"], { cwd: dir, env: gitEnvironment(env as NodeJS.ProcessEnv) }).then(
    (out) => out.stdout.trim(),
    () => "",
  );
  return found || "HEAD";
}

const STATUS_TEXT: Record<RunJson["status"], string> = {
  ok: "finished",
  error: "failed",
  capped: "stopped at a cap",
  "budget-exhausted": "stopped: budget spent",
  cancelled: "cancelled",
};

function formatSummary(json: RunJson): string {
  const merged = json.workers.filter((w) => ["accepted", "unverified", "unreviewed"].includes(w.status) && w.branch !== null).length;
  const lines = [
    `dynflow run ${json.runId} ${STATUS_TEXT[json.status]}.`,
    "",
    `Branch:  ${json.branch} at ${json.commit.slice(0, 12)} (${merged} of ${json.workers.length} workers merged${json.draft ? "; a pull request would be a draft" : ""})`,
    `Report:  ${json.report}`,
    `Agents:  ${json.agents.total} (max ${json.agents.maxConcurrent} at once, ${json.agents.failed} failed, ${json.agents.cached} from journal)`,
    `Spend:   ${json.tokens.input + json.tokens.cacheWrite + json.tokens.cacheRead} tokens in, ${json.tokens.output} out, $${json.costUsd.toFixed(4)}`,
  ];
  if (json.workers.length > 0) {
    lines.push("", "Workers:");
    for (const w of json.workers) {
      const verdicts = w.verdicts.length > 0 ? w.verdicts.join(" → ") : "-";
      lines.push(`  ${w.label.padEnd(32)} ${w.status.padEnd(11)} ${String(w.rounds).padStart(2)} round(s)  ${verdicts}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

function withoutUndefined<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
