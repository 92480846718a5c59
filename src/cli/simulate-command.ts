/**
 * `dynflow simulate <script.js>`: runs a plan script against a simulated agent
 * runner to preview its agents, phases, concurrency, tokens and cost before a
 * single real token is spent.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_MODELS, DEFAULT_PRICES, costOf, priceFor } from "../agents/model/index.js";
import type { JsonValue, RunOutcome } from "../runtime/types.js";
import { DEFAULT_REVIEW } from "../run/run-workflow.js";
import { createSimulatedRunner } from "../simulate/simulated-runner.js";
import { simulateScript } from "../simulate/simulate-script.js";
import { openRepository, type GitRepository, type WorkspaceReader } from "../workspace/index.js";
import { intFlag, jsonFlag, UsageError, type CliIo } from "./cli-io.js";
import { formatOutcome } from "./format-outcome.js";

export const SIMULATE_USAGE = `Usage: dynflow simulate <script.js> [options]

Runs a plan script against simulated agents: no model is called, no token is spent.

Options:
  --args JSON             value of the script's \`args\`
  --max-concurrency N     agents running at once (1-256, default 16)
  --max-agents N          agents per run (default 1000)
  --latency-ms N          how long each simulated agent takes (default 0)
  --items N               elements in every synthesized array (default 3)
  --cpu-ms N              script CPU time limit (default 10000)
  --memory-mb N           script memory limit (default 64)
  --budget-tokens N       token budget (default none)
  --repo PATH             a local git repository whose files repo.files()/repo.modules() list (default: none)
  --pessimistic           simulated refuters refute everything (every line runs all its rounds)
  --json                  print one JSON object instead of the summary
`;

/** The JSON `dynflow simulate --json` prints (documented in docs/cli.md). */
export interface SimulateJson {
  status: RunOutcome["status"];
  error: { message: string; line?: number } | null;
  agents: { total: number; maxConcurrent: number; failed: number; cached: number };
  phases: { title: string; agents: number }[];
  tokens: { input: number; output: number };
  costUsd: number;
  wallMs: number;
  result: JsonValue | null;
}

export async function simulateCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      args: { type: "string" },
      "max-concurrency": { type: "string" },
      "max-agents": { type: "string" },
      "latency-ms": { type: "string" },
      items: { type: "string" },
      "cpu-ms": { type: "string" },
      "memory-mb": { type: "string" },
      "budget-tokens": { type: "string" },
      repo: { type: "string" },
      pessimistic: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
  });
  if (positionals.length !== 1) throw new UsageError("give exactly one script file");
  const scriptPath = resolve(io.cwd, positionals[0] as string);
  const source = await readFile(scriptPath, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${scriptPath}: ${error.code ?? error.message}`);
  });
  const args = jsonFlag("args", values.args) as JsonValue | undefined;
  const limits = {
    maxConcurrency: intFlag("max-concurrency", values["max-concurrency"], 1, 256),
    maxAgents: intFlag("max-agents", values["max-agents"], 1),
    budgetTokens: intFlag("budget-tokens", values["budget-tokens"], 1) ?? null,
  };
  const sandbox = { cpuMs: intFlag("cpu-ms", values["cpu-ms"], 1), memoryMb: intFlag("memory-mb", values["memory-mb"], 8, 4096) };
  const runner = createSimulatedRunner({
    latencyMs: intFlag("latency-ms", values["latency-ms"], 0) ?? 0,
    items: intFlag("items", values.items, 0, 4096) ?? 3,
    defaultModel: DEFAULT_MODELS.worker,
    priceOf: (usage, model) => costOf(usage, priceFor(model, DEFAULT_PRICES)),
    refuterVerdict: values.pessimistic ? "refuted" : "upheld",
  });
  const repository = values.repo ? await openLocalRepository(resolve(io.cwd, values.repo)) : null;
  const baseCommit = repository ? await repository.resolveCommit("HEAD") : "simulation";
  const outcome = await simulateScript({
    runId: "simulation",
    source,
    filename: positionals[0] as string,
    args,
    repository: repository ?? { readOnly: async () => EMPTY_TREE },
    baseCommit,
    review: DEFAULT_REVIEW,
    runner,
    limits: withoutUndefined(limits),
    sandbox: withoutUndefined(sandbox),
  });

  await repository?.close();
  if (values.json) io.stdout(`${JSON.stringify(toSimulateJson(outcome))}\n`);
  else io.stdout(formatOutcome(outcome, { title: "Simulation (no model called, no token spent)" }));
  return outcome.status === "ok" ? 0 : 1;
}

/** Maps a run outcome to the documented `--json` shape. */
export function toSimulateJson(outcome: RunOutcome): SimulateJson {
  const { usage } = outcome;
  return {
    status: outcome.status,
    error: outcome.error ? { message: outcome.error.message, ...(outcome.error.line ? { line: outcome.error.line } : {}) } : null,
    agents: outcome.stats,
    phases: outcome.phases,
    tokens: { input: usage.input + usage.cacheWrite + usage.cacheRead, output: usage.output },
    costUsd: Number(outcome.costUsd.toFixed(6)),
    wallMs: Math.round(outcome.wallMs),
    result: outcome.result === undefined ? null : outcome.result,
  };
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

async function openLocalRepository(path: string): Promise<GitRepository> {
  return openRepository(path).catch((error: Error) => {
    throw new UsageError(`--repo ${path} is not a git repository: ${error.message}`);
  });
}
