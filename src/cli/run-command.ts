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
import { createModelClient, DEFAULT_PRICES } from "../agents/model/index.js";
import { runWorkflow } from "../run/run-workflow.js";
import { toRunJson, type RunJson } from "./to-run-json.js";
import type { JsonValue } from "../runtime/types.js";
import { createRunWorkflowResolver, localWorkflowFiles, readScriptPath } from "../workflows/index.js";
import { GitCommandError, openRepository } from "../workspace/index.js";
import { gitEnvironment } from "../workspace/index.js";
import { intFlag, jsonFlag, numberFlag, UsageError, type CliIo } from "./cli-io.js";
import { createCliProgress } from "./cli-progress.js";
import { readLocalConfig } from "./read-local-config.js";

export const RUN_USAGE = `Usage: dynflow run --repo <path> (--task "<text>" | --script <file.js>) [options]

Runs a workflow on a local git repository with real agents: plans the task (or runs
the script), lets independent refuters try to refute every change, merges what
converged into the local branch dynflow/<run-id> and writes a report. Your checkout,
HEAD and index are not touched.

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
  if ((values.task === undefined) === (values.script === undefined)) throw new UsageError("give either --task or --script (exactly one)");
  if (values.task !== undefined && values.task.trim() === "") throw new UsageError("--task is empty; say what to do");
  if (values.args !== undefined && values.script === undefined) throw new UsageError("--args goes with --script; a planned script gets the task");
  const args = jsonFlag("args", values.args) as JsonValue | undefined;
  const limits = withoutUndefined({
    maxConcurrency: intFlag("max-concurrency", values["max-concurrency"], 1, 256),
    maxAgents: intFlag("max-agents", values["max-agents"], 1),
    budgetTokens: intFlag("budget-tokens", values["budget-tokens"], 1),
    budgetUsd: numberFlag("budget-usd", values["budget-usd"]),
  });
  const review = withoutUndefined({ refutersPerClaim: intFlag("refuters", values.refuters, 1, 16), maxRounds: intFlag("rounds", values.rounds, 1, 10) });
  const script = values.script === undefined ? null : await readScript(resolve(io.cwd, values.script), values.script);
  const apiKey = io.env.ANTHROPIC_API_KEY;
  if (!apiKey) throw new UsageError("ANTHROPIC_API_KEY is not set; export your Anthropic API key to run agents");

  const repoDir = resolve(io.cwd, values.repo);
  const repository = await openLocalRepository(repoDir, io.env);
  try {
    const baseCommit = await repository.resolveCommit(values.base ?? "HEAD");
    const files = localWorkflowFiles(repository, baseCommit);
    // The repository's own settings at the base commit: models and shortcuts, prices, web tools.
    const config = await readLocalConfig(repository, baseCommit);
    const prices = { ...DEFAULT_PRICES, ...config.prices };
    const runId = randomBytes(4).toString("hex");
    const progress = createCliProgress(io, { title: `dynflow run ${runId}` });
    const result = await runWorkflow({
      repository,
      repositoryName: repoDir.split(/[\\/]/).filter(Boolean).at(-1) ?? repoDir,
      baseCommit,
      baseLabel: values.base ?? (await headName(repoDir, io.env)),
      task: values.task ?? null,
      script,
      args,
      model: createModelClient({ apiKey, baseURL: io.env.ANTHROPIC_BASE_URL || undefined, prices }),
      settings: { limits, review, models: config.models, modelAliases: config.modelAliases, prices, web: config.web },
      runId,
      gitEnv: io.env as NodeJS.ProcessEnv,
      onEvent: progress.event,
      onStage: progress.stage,
      // The same rules as a run on GitHub, over the local repository at the base commit: saved workflows,
      // and `{ scriptPath }` read from the commit's tree only (never the file system around it).
      resolveWorkflow: createRunWorkflowResolver(files, {
        scriptPath: (path) => readScriptPath(files, path, `the repository at ${baseCommit.slice(0, 12)}`),
      }),
    }).finally(progress.stop);

    const reportPath = join(repository.gitDir, "dynflow", "runs", runId, "report.md");
    await mkdir(join(reportPath, ".."), { recursive: true });
    await writeFile(reportPath, result.reportMarkdown);
    const json = toRunJson(result, reportPath);
    io.stdout(values.json ? `${JSON.stringify(json)}\n` : formatSummary(json));
    return json.status === "ok" ? 0 : 1;
  } finally {
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
