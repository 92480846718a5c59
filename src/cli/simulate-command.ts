/**
 * `dynflow simulate <script.js>`: runs a plan script against a simulated agent
 * runner to preview its agents, phases, concurrency, tokens and cost before a
 * single real token is spent. It resolves what a real run resolves the same
 * way (saved and bundled workflows, agent types, model shortcuts, prices, web
 * tools), so a script that would fail for one of those fails here too, with
 * the reason.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { checkScriptModels, createRunAgentSetup, definitionsAtCommit } from "../agent-setup/index.js";
import { costOf, DEFAULT_PRICES, priceFor } from "../agents/model/index.js";
import { DEFAULT_REPO_CONFIG, type RepoConfig } from "../config/repo-config.js";
import { errorOutcome } from "../runtime/error-outcome.js";
import type { JsonValue, RunOutcome } from "../runtime/types.js";
import { DEFAULT_REVIEW } from "../run/run-workflow.js";
import { agentDurationMs } from "../simulate/estimate-plan.js";
import { createSimulatedRunner } from "../simulate/simulated-runner.js";
import { simulateScript } from "../simulate/simulate-script.js";
import { createVirtualTime } from "../simulate/virtual-time.js";
import { withWebTools } from "../web-tools/with-web-tools.js";
import { createRunWorkflowResolver, createWorkflowResolver, localWorkflowFiles } from "../workflows/index.js";
import { openRepository, type GitRepository, type WorkspaceReader } from "../workspace/index.js";
import { intFlag, jsonFlag, UsageError, type CliIo } from "./cli-io.js";
import { createCliProgress } from "./cli-progress.js";
import { formatOutcome } from "./format-outcome.js";
import { readLocalConfig } from "./read-local-config.js";

export const SIMULATE_USAGE = `Usage: dynflow simulate <script.js> [options]

Runs a plan script against simulated agents: no model is called, no token is spent.

Options:
  --args JSON             value of the script's \`args\`
  --repo PATH             a local git repository: its saved workflows, agent types (.claude/agents),
                          .github/dynflow.yml and the files repo.files()/repo.modules() list (default: none)
  --base REV              the commit of --repo to read (default HEAD)
  --seed N                seed of the simulated answers; the same seed gives the same run (default 1)
  --items N               elements in every synthesized array (default: drawn within each schema)
  --latency-ms N          simulated time each agent takes (default: estimated from its tokens)
  --max-concurrency N     agents running at once (1-256, default 16)
  --max-agents N          agents per run (default 1000)
  --cpu-ms N              script CPU time limit (default 10000)
  --memory-mb N           script memory limit (default 64)
  --budget-tokens N       token budget (default none)
  --pessimistic           simulated refuters refute everything (every line runs all its rounds)
  --json                  print one JSON object instead of the summary
`;

/** The JSON `dynflow simulate --json` prints (documented in docs/cli.md). */
export interface SimulateJson {
  status: RunOutcome["status"];
  error: { code: string; message: string; line?: number; file?: string } | null;
  agents: { total: number; maxConcurrent: number; failed: number; cached: number };
  phases: { title: string; agents: number }[];
  /** Every agent that failed, with the reason. */
  failures: { agent: string; label: string; error: string }[];
  /** How many agents ran on each model (shortcuts resolved). */
  models: Record<string, number>;
  tokens: { input: number; output: number };
  costUsd: number;
  /** Simulated time the plan takes at its concurrency. */
  durationMs: number;
  /** Real time the simulation took. */
  wallMs: number;
  seed: number;
  warnings: string[];
  result: JsonValue | null;
}

export async function simulateCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      args: { type: "string" },
      repo: { type: "string" },
      base: { type: "string" },
      seed: { type: "string" },
      "max-concurrency": { type: "string" },
      "max-agents": { type: "string" },
      "latency-ms": { type: "string" },
      items: { type: "string" },
      "cpu-ms": { type: "string" },
      "memory-mb": { type: "string" },
      "budget-tokens": { type: "string" },
      pessimistic: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
  });
  if (positionals.length !== 1) throw new UsageError("give exactly one script file");
  if (values.base !== undefined && values.repo === undefined) throw new UsageError("--base goes with --repo");
  const file = positionals[0] as string;
  const scriptPath = resolve(io.cwd, file);
  const source = await readFile(scriptPath, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${scriptPath}: ${error.code ?? error.message}`);
  });
  const args = jsonFlag("args", values.args) as JsonValue | undefined;
  const seed = intFlag("seed", values.seed, 0) ?? 1;
  const limits = {
    maxConcurrency: intFlag("max-concurrency", values["max-concurrency"], 1, 256),
    maxAgents: intFlag("max-agents", values["max-agents"], 1),
    budgetTokens: intFlag("budget-tokens", values["budget-tokens"], 1) ?? null,
  };
  const sandbox = { cpuMs: intFlag("cpu-ms", values["cpu-ms"], 1), memoryMb: intFlag("memory-mb", values["memory-mb"], 8, 4096) };
  const latencyMs = intFlag("latency-ms", values["latency-ms"], 0);
  const items = intFlag("items", values.items, 0, 4096);

  const repository = values.repo ? await openLocalRepository(resolve(io.cwd, values.repo)) : null;
  try {
    const baseCommit = repository ? await resolveBase(repository, values.base ?? "HEAD") : "simulation";
    const config: RepoConfig = repository ? await readLocalConfig(repository, baseCommit) : DEFAULT_REPO_CONFIG;
    const prices = { ...DEFAULT_PRICES, ...config.prices };
    const prepareAgent = createRunAgentSetup({
      models: config.models,
      modelAliases: config.modelAliases,
      prices,
      agentDefinitions: repository ? definitionsAtCommit(repository, baseCommit) : null,
    });
    const started = Date.now();
    // A model named in the script without a price stops the real run before any agent starts; so here.
    const unpriced = await checkScriptModels(source, prepareAgent);
    if (unpriced !== null) return report(io, errorOutcome("simulation", { code: unpriced.code, message: unpriced.message }, 0), { seed, json: values.json, durationMs: 0, wallMs: Date.now() - started });

    // Simulated agents take simulated time: a fan-out really runs side by side, however fast the machine.
    const time = createVirtualTime();
    const runner = withWebTools(
      createSimulatedRunner({
        ...(latencyMs === undefined ? { latencyOf: agentDurationMs } : { latencyMs }),
        ...(items === undefined ? {} : { items }),
        seed: String(seed),
        defaultModel: config.models.worker,
        models: config.models,
        priceOf: (usage, model) => costOf(usage, priceFor(model, prices)),
        sleep: (ms, signal) => time.sleep(ms, signal),
        refuterVerdict: values.pessimistic ? "refuted" : "upheld",
      }),
      config.web,
    );
    const scriptPath = async (path: string) => ({ source: await readScriptPath(resolve(io.cwd, path), path), filename: path });
    const progress = io.isTty ? createCliProgress(io, { title: `dynflow simulate ${file}`, clock: { now: time.now }, stage: "run" }) : null;
    const outcome = await simulateScript({
      runId: "simulation",
      source,
      filename: file,
      args,
      repository: repository ?? { readOnly: async () => EMPTY_TREE },
      baseCommit,
      review: { ...DEFAULT_REVIEW, refutersPerClaim: config.refuters, maxRounds: config.rounds },
      runner,
      limits: withoutUndefined(limits),
      sandbox: withoutUndefined(sandbox),
      prepareAgent,
      checks: Object.keys(config.commands ?? {}),
      // Names as a run resolves them: saved in --repo at --base, else bundled. A scriptPath is a file relative
      // to the current directory (Claude Code's rule), where a run reads it from the repository's tree.
      resolveWorkflow: repository ? createRunWorkflowResolver(localWorkflowFiles(repository, baseCommit), { scriptPath }) : createWorkflowResolver({ scriptPath }),
      ...(progress ? { onEvent: progress.event } : {}),
    }).finally(() => progress?.stop());
    return report(io, outcome, { seed, json: values.json, durationMs: time.now(), wallMs: Date.now() - started });
  } finally {
    await repository?.close();
  }
}

function report(io: CliIo, outcome: RunOutcome, view: { seed: number; json: boolean; durationMs: number; wallMs: number }): number {
  if (view.json) io.stdout(`${JSON.stringify(toSimulateJson(outcome, view))}\n`);
  else io.stdout(formatOutcome({ ...outcome, wallMs: view.wallMs }, { title: "Simulation (no model called, no token spent)", durationMs: view.durationMs, seed: view.seed }));
  return outcome.status === "ok" ? 0 : 1;
}

/** Maps a run outcome to the documented `--json` shape. */
export function toSimulateJson(outcome: RunOutcome, view: { seed: number; durationMs: number; wallMs: number }): SimulateJson {
  const { usage } = outcome;
  return {
    status: outcome.status,
    error: outcome.error
      ? { code: outcome.error.code, message: outcome.error.message, ...(outcome.error.line ? { line: outcome.error.line } : {}), ...(outcome.error.file ? { file: outcome.error.file } : {}) }
      : null,
    agents: outcome.stats,
    phases: outcome.phases,
    failures: outcome.agents.filter((a) => a.status === "failed").map((a) => ({ agent: a.id, label: a.label, error: a.error ?? "unknown" })),
    models: modelsOf(outcome),
    tokens: { input: usage.input + usage.cacheWrite + usage.cacheRead, output: usage.output },
    costUsd: Number(outcome.costUsd.toFixed(6)),
    durationMs: Math.round(view.durationMs),
    wallMs: Math.round(view.wallMs),
    seed: view.seed,
    warnings: outcome.warnings,
    result: outcome.result === undefined ? null : outcome.result,
  };
}

/** Agents per model, from what each simulated agent reported. */
export function modelsOf(outcome: RunOutcome): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const agent of outcome.agents) {
    const model = agent.meta.model;
    if (typeof model === "string") counts[model] = (counts[model] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}


function withoutUndefined<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

/** With no --repo, a script sees an empty repository. */
const EMPTY_TREE: WorkspaceReader = {
  baseCommit: "simulation",
  list: async () => [],
  read: async (path) => {
    throw new UsageError(`simulation has no repository to read ${path} from; pass --repo`);
  },
  search: async () => [],
};

async function readScriptPath(path: string, given: string): Promise<string> {
  return readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`workflow({ scriptPath: ${JSON.stringify(given)} }): cannot read ${path}: ${error.code ?? error.message}`);
  });
}

async function openLocalRepository(path: string): Promise<GitRepository> {
  return openRepository(path).catch((error: Error) => {
    throw new UsageError(`--repo ${path} is not a git repository: ${error.message}`);
  });
}

async function resolveBase(repository: GitRepository, rev: string): Promise<string> {
  return repository.resolveCommit(rev).catch(() => {
    throw new UsageError(`--base ${rev} is not a commit of --repo`);
  });
}
