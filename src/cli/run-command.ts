/**
 * `dynflow run`: the whole engine on a local repository. Plans the task (or
 * runs the given script), refutes every change, merges what converged into a
 * local branch `dynflow/<run-id>` without touching the checkout, HEAD or
 * index, and writes the report into the repository's git directory.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { parseArgs } from "node:util";
import { createModelClient } from "../agents/model/index.js";
import { DynflowError } from "../errors.js";
import { planFailureAdvice, PlanFailedError } from "../plan/errors.js";
import { runWorkflow } from "../run/run-workflow.js";
import type { JsonValue } from "../runtime/types.js";
import { createRunWorkflowResolver, localWorkflowFiles, readScriptPath } from "../workflows/index.js";
import { GitCommandError, openRepository } from "../workspace/index.js";
import { gitEnvironment } from "../workspace/index.js";
import { intFlag, jsonFlag, numberFlag, UsageError, type CliIo } from "./cli-io.js";
import { createCliProgress, type CliProgress } from "./cli-progress.js";
import { cliSettingsOf, withFlags } from "./read-cli-config.js";
import { readLocalConfig } from "./read-local-config.js";
import { stopOnInterrupt } from "./stop-on-interrupt.js";
import { exitCodeOf, toFailedRunJson, toRunJson, type RunJson } from "./to-run-json.js";

export const RUN_USAGE = `Usage: dynflow run --repo <path> (--task "<text>" | --script <file.js> | --workflow <name>) [options]

Runs a workflow on a local git repository with real agents: plans the task (or runs
the script or the named workflow), lets independent refuters try to refute every
change, merges what converged into the local branch dynflow/<run-id> and writes a
report. Your checkout, HEAD and index are not touched. Settings come from the
repository's .github/dynflow.yml at the base commit; the flags below win over it.
Ctrl-C stops the run and still merges finished work and writes the report; a second
Ctrl-C exits at once.

Options:
  --repo PATH             the git repository (required)
  --task TEXT             what to do, in words; dynflow plans the script
  --script FILE           a plan script to run instead of planning one
  --workflow NAME         a saved workflow (.claude/workflows/NAME.js at the base) or a
                          bundled one (audit, migrate, review)
  --args JSON             value of the script's \`args\` (with --script or --workflow)
  --base REV              the commit to start from (default HEAD)
  --max-concurrency N     agents running at once (1-256, default 16)
  --max-agents N          agents per run (default 1000)
  --budget-tokens N       token budget (default none)
  --budget-usd N          dollar budget (default none)
  --refuters N            refuters per claim (1-16, default 2)
  --rounds N              rounds of converge() (1-10, default 3)
  --json                  print one JSON object at the end instead of the summary

Exit codes: 0 the run ended ok and everything converged; 1 anything else (a script
error, a cap, the budget, a cancel, a failed plan, work that did not converge);
2 bad usage; 130 a second Ctrl-C.

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
      workflow: { type: "string" },
      args: { type: "string" },
      base: { type: "string" },
      "max-concurrency": { type: "string" },
      "max-agents": { type: "string" },
      "budget-tokens": { type: "string" },
      "budget-usd": { type: "string" },
      refuters: { type: "string" },
      rounds: { type: "string" },
      json: { type: "boolean", default: false },
    },
  });
  if (values.repo === undefined) throw new UsageError("--repo is required: the path of a local git repository");
  const given = [values.task, values.script, values.workflow].filter((value) => value !== undefined).length;
  if (given !== 1) throw new UsageError("give exactly one of --task, --script or --workflow");
  if (values.task !== undefined && values.task.trim() === "") throw new UsageError("--task is empty; say what to do");
  if (values.args !== undefined && values.task !== undefined) throw new UsageError("--args goes with --script or --workflow; a planned script gets the task");
  const args = jsonFlag("args", values.args) as JsonValue | undefined;
  const flags = {
    limits: withoutUndefined({
      maxConcurrency: intFlag("max-concurrency", values["max-concurrency"], 1, 256),
      maxAgents: intFlag("max-agents", values["max-agents"], 1),
      budgetTokens: intFlag("budget-tokens", values["budget-tokens"], 1),
      budgetUsd: numberFlag("budget-usd", values["budget-usd"]),
    }),
    review: withoutUndefined({ refutersPerClaim: intFlag("refuters", values.refuters, 1, 16), maxRounds: intFlag("rounds", values.rounds, 1, 10) }),
  };
  const script = values.script === undefined ? null : await readScript(resolve(io.cwd, values.script), values.script);
  const apiKey = io.env.ANTHROPIC_API_KEY;
  if (!apiKey) throw new UsageError("ANTHROPIC_API_KEY is not set; export your Anthropic API key to run agents");

  const repoDir = resolve(io.cwd, values.repo);
  const repository = await openLocalRepository(repoDir, io.env);
  const runId = randomBytes(4).toString("hex");
  const controller = new AbortController();
  const stopWatching = stopOnInterrupt(io, controller);
  let progress: CliProgress | null = null;
  try {
    const baseCommit = await repository.resolveCommit(values.base ?? "HEAD");
    const files = localWorkflowFiles(repository, baseCommit);
    // The repository's own settings at the base commit (docs/cli.md): flags win over them.
    const repoConfig = cliSettingsOf(await readLocalConfig(repository, baseCommit));
    // The same rules as a run on GitHub, over the local repository at the base commit: saved workflows,
    // and `{ scriptPath }` read from the commit's tree only (never the file system around it).
    const resolveWorkflow = createRunWorkflowResolver(files, {
      scriptPath: (path) => readScriptPath(files, path, `the repository at ${baseCommit.slice(0, 12)}`),
    });
    const named = values.workflow === undefined ? null : await resolveWorkflow(values.workflow).catch((error: unknown) => {
      throw new UsageError(`--workflow ${values.workflow}: ${(error as Error).message}`);
    });
    progress = createCliProgress(io, { title: `dynflow run ${runId}` });
    const result = await runWorkflow({
      repository,
      repositoryName: repoDir.split(/[\\/]/).filter(Boolean).at(-1) ?? repoDir,
      baseCommit,
      baseLabel: values.base ?? (await headName(repoDir, io.env)),
      task: values.task ?? null,
      script: script ?? named,
      args,
      model: createModelClient({ apiKey, baseURL: io.env.ANTHROPIC_BASE_URL || undefined, prices: repoConfig.prices }),
      settings: withFlags(repoConfig.settings, flags),
      runId,
      gitEnv: io.env as NodeJS.ProcessEnv,
      onEvent: progress.event,
      onStage: progress.stage,
      signal: controller.signal,
      resolveWorkflow,
    }).finally(progress.stop);

    const reportPath = join(repository.gitDir, "dynflow", "runs", runId, "report.md");
    await mkdir(join(reportPath, ".."), { recursive: true });
    await writeFile(reportPath, result.reportMarkdown);
    const json = toRunJson(result, reportPath);
    io.stdout(values.json ? `${JSON.stringify(json)}\n` : formatSummary(json));
    return exitCodeOf(json);
  } catch (error) {
    // Usage errors before the run started keep their usage text; anything else is the run's failure.
    if (error instanceof UsageError || !(error instanceof DynflowError)) throw error;
    const message = error instanceof PlanFailedError ? `${error.summary}; ${planFailureAdvice("cli")}` : error.message;
    const spend = error instanceof PlanFailedError ? { usage: error.usage, costUsd: error.costUsd } : {};
    const json = toFailedRunJson(runId, { code: error.code, message }, spend);
    if (values.json) io.stdout(`${JSON.stringify(json)}\n`);
    io.stderr(`dynflow run ${runId} failed: ${message}\n`);
    return 1;
  } finally {
    stopWatching();
    await repository.close();
  }
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
  if (json.error) lines.push(`Error:   ${json.error.message}${json.error.line ? ` (script line ${json.error.line})` : ""}`);
  for (const warning of json.warnings) lines.push(`Warning: ${warning}`);
  if (json.workers.length > 0) {
    lines.push("", "Workers:");
    for (const w of json.workers) {
      const verdicts = w.verdicts.length > 0 ? w.verdicts.join(" → ") : "-";
      lines.push(`  ${w.label.padEnd(32)} ${w.status.padEnd(11)} ${String(w.rounds).padStart(2)} round(s)  ${verdicts}`);
    }
  }
  if (json.result !== null) lines.push("", "Result:", formatResult(json.result));
  return `${lines.join("\n")}\n`;
}

/** The script's return value: a string as it is, anything else as indented JSON; long values cut, the full one is in --json. */
function formatResult(result: JsonValue): string {
  const text = typeof result === "string" ? result : JSON.stringify(result, null, 2);
  return text.length > RESULT_SHOWN ? `${text.slice(0, RESULT_SHOWN)}\n… (${text.length} characters in all; --json prints the whole value)` : text;
}

const RESULT_SHOWN = 4000;

function withoutUndefined<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
